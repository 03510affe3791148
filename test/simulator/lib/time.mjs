// Time formats the vendors use, relative-duration parsing and binary search over time-sorted arrays.

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** `2024-05-01T10:11:12.345Z` (CBC). */
export const isoMs = (ms) => new Date(ms).toISOString();

/** `2024-05-01T10:11:12Z` (Cisco: second precision). */
export const isoSeconds = (ms) =>
	new Date(Math.floor(ms / SECOND) * SECOND).toISOString().replace('.000Z', 'Z');

/** `2024-05-01T10:11:12.345678Z` from epoch microseconds (Pangea received_at). */
export function isoMicros(us) {
	const ms = Math.floor(us / 1000);
	const rest = String(us - ms * 1000).padStart(3, '0');
	return new Date(ms).toISOString().replace('Z', `${rest}Z`);
}

/**
 * Epoch ms of an ISO-8601 / RFC 3339 date-time, or NaN. Requires a date and an explicit zone so
 * that a `+` decoded to a space (an unencoded offset in a query string) is rejected, as a real
 * server's parser would.
 */
export function parseIsoStrict(text) {
	if (typeof text !== 'string') return NaN;
	const match = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i.exec(
		text,
	);
	if (!match) return NaN;
	// Date.parse keeps milliseconds only; sub-ms digits are dropped, which is fine for filters.
	const trimmed = text.replace(/(\.\d{3})\d+/, '$1');
	return Date.parse(trimmed);
}

/** Epoch µs of an RFC 3339 time keeping up to 6 fraction digits, or NaN. */
export function parseIsoMicros(text) {
	const ms = parseIsoStrict(text);
	if (Number.isNaN(ms)) return NaN;
	const frac = /\.(\d+)/.exec(text);
	const micros = frac ? Number((frac[1] + '000000').slice(3, 6)) : 0;
	return ms * 1000 + micros;
}

const UNIT_MS = {
	s: SECOND,
	sec: SECOND,
	second: SECOND,
	seconds: SECOND,
	m: MINUTE,
	min: MINUTE,
	minute: MINUTE,
	minutes: MINUTE,
	h: HOUR,
	hour: HOUR,
	hours: HOUR,
	d: DAY,
	day: DAY,
	days: DAY,
	w: 7 * DAY,
	week: 7 * DAY,
	weeks: 7 * DAY,
	month: 30 * DAY,
	months: 30 * DAY,
	y: 365 * DAY,
	year: 365 * DAY,
	years: 365 * DAY,
};

/** Pangea's relative durations (`7d`, `120min`, `2months`) in ms, or NaN. */
export function parseDuration(text) {
	const match = /^(\d+)([a-z]+)$/i.exec(String(text).trim());
	if (!match) return NaN;
	const unit = UNIT_MS[match[2].toLowerCase()];
	return unit === undefined ? NaN : Number(match[1]) * unit;
}

/** CBC's `-<n><M|w|d|h|m|s>` range as a start time before `now`, or NaN. `M` is a calendar month. */
export function cbcRangeStart(range, now) {
	const match = /^-(\d+)([Mwdhms])$/.exec(String(range));
	if (!match) return NaN;
	const n = Number(match[1]);
	if (match[2] === 'M') {
		const date = new Date(now);
		date.setUTCMonth(date.getUTCMonth() - n);
		return date.getTime();
	}
	const unit = { w: 7 * DAY, d: DAY, h: HOUR, m: MINUTE, s: SECOND }[match[2]];
	return now - n * unit;
}

/** First index whose `key(item)` is >= t (array sorted ascending by key). */
export function lowerBound(list, t, key) {
	let lo = 0;
	let hi = list.length;
	while (lo < hi) {
		const mid = (lo + hi) >>> 1;
		if (key(list[mid]) < t) lo = mid + 1;
		else hi = mid;
	}
	return lo;
}

/** First index whose `key(item)` is > t. */
export function upperBound(list, t, key) {
	let lo = 0;
	let hi = list.length;
	while (lo < hi) {
		const mid = (lo + hi) >>> 1;
		if (key(list[mid]) <= t) lo = mid + 1;
		else hi = mid;
	}
	return lo;
}

/** Inserts keeping the array sorted by key; equal keys go after existing ones (arrival order). */
export function insertSorted(list, item, key) {
	const at = upperBound(list, key(item), key);
	if (at === list.length) list.push(item);
	else list.splice(at, 0, item);
	return at;
}
