// Time ranges: an absolute start/end or a relative range such as -3d, resolved to epoch ms.
import { DateTime, type DurationLikeObject } from 'luxon';
import { parameterError } from './errors';
import type { NodeFunctions } from './types';

export type TimeRangeInput = { start?: string; end?: string; range?: string; customRange?: string };
export type ResolvedRange = { start?: number; end: number };

const RANGE_PATTERN = /^-(\d{1,6})([Mwdhms])$/;
const RANGE_UNITS: Record<string, keyof DurationLikeObject> = {
	M: 'months',
	w: 'weeks',
	d: 'days',
	h: 'hours',
	m: 'minutes',
	s: 'seconds',
};

/** Parses `-<n><M|w|d|h|m|s>` into a duration object, or null when the text is not such a range. */
export function parseRelativeRange(text: string): DurationLikeObject | null {
	const match = RANGE_PATTERN.exec(text.trim());
	if (!match || !RANGE_UNITS[match[2]]) return null;
	const amount = Number(match[1]);
	if (amount <= 0) return null;
	return { [RANGE_UNITS[match[2]]]: amount };
}

/**
 * Parses an ISO 8601 date-time to epoch ms, or NaN. n8n's date pickers give a local time without an
 * offset ("2024-05-01T09:00:00"): it is read in `zone` (the workflow's time zone); a value with `Z` or
 * an offset keeps it.
 */
export function parseInstant(value: unknown, zone = 'UTC'): number {
	if (value instanceof Date) return value.getTime();
	if (typeof value === 'number') return value;
	if (typeof value !== 'string' || value.trim() === '') return NaN;
	const parsed = DateTime.fromISO(value.trim(), { zone });
	return parsed.isValid ? parsed.toMillis() : NaN;
}

/** The relative range to apply: Range's preset or saved text, or Custom Range when Range is Custom. */
function effectiveRange(fn: NodeFunctions, input: TimeRangeInput, itemIndex: number): string {
	const range = (input.range ?? '').trim();
	const custom = (input.customRange ?? '').trim();
	if (range === 'custom' || (range === '' && custom !== '')) {
		if (custom === '') {
			throw parameterError(fn, 'Filters > Custom Range', 'Range is Custom but Custom Range is empty', 'Add Custom Range to Filters, e.g. -12h, or pick a preset in Range.', itemIndex);
		}
		return custom;
	}
	if (custom !== '') {
		throw parameterError(fn, 'Filters > Custom Range', `Custom Range is set but Range is "${range}"`, 'Set Range to Custom to use Custom Range, or remove Custom Range.', itemIndex);
	}
	return range;
}

/**
 * Resolves the filters' time fields against `now`. Start+end, a range, or neither (then the
 * source's own default applies: no start, end = now). Bad combinations fail before any request.
 */
export function resolveTimeRange(
	fn: NodeFunctions,
	input: TimeRangeInput,
	now: number,
	itemIndex = 0,
	zone = 'UTC',
): ResolvedRange {
	const range = effectiveRange(fn, input, itemIndex);
	const hasStart = (input.start ?? '') !== '';
	const hasEnd = (input.end ?? '') !== '';
	if (range !== '') {
		if (hasStart || hasEnd) {
			throw parameterError(
				fn,
				'Filters > Range',
				'a relative range cannot be combined with Start or End',
				'Use either Range or Start and End, not both. Remove Start/End or remove Range.',
				itemIndex,
			);
		}
		const duration = parseRelativeRange(range);
		if (!duration) {
			throw parameterError(
				fn,
				'Filters > Range',
				`"${range}" is not a relative range`,
				'Write a minus sign, a whole number and a unit: M (months), w, d, h, m (minutes) or s, e.g. -2w, -3d, -12h.',
				itemIndex,
			);
		}
		const start = DateTime.fromMillis(now, { zone: 'utc' }).minus(duration).toMillis();
		return { start, end: now };
	}
	const start = hasStart ? parseInstant(input.start, zone) : undefined;
	const end = hasEnd ? parseInstant(input.end, zone) : now;
	if (start !== undefined && Number.isNaN(start)) {
		throw parameterError(fn, 'Filters > Start', `"${input.start}" is not a date-time`, 'Use an ISO 8601 date-time such as 2024-05-01T00:00:00Z (without Z or an offset, the workflow\'s time zone applies).', itemIndex);
	}
	if (Number.isNaN(end)) {
		throw parameterError(fn, 'Filters > End', `"${input.end}" is not a date-time`, 'Use an ISO 8601 date-time such as 2024-05-02T00:00:00Z (without Z or an offset, the workflow\'s time zone applies).', itemIndex);
	}
	if (start !== undefined && start >= end) {
		throw parameterError(
			fn,
			'Filters > Start',
			`Start (${new Date(start).toISOString()}) is not before End (${new Date(end).toISOString()})`,
			'Set Start earlier than End, or leave End empty to mean now.',
			itemIndex,
		);
	}
	return { start, end };
}

/** Epoch ms → ISO 8601 UTC with milliseconds. */
export function isoMillis(ms: number): string {
	return new Date(ms).toISOString();
}

/** Parses a duration option such as "1h", "30m", "2d" into ms (for lookback and overlap settings). */
export function parseDurationMs(text: string): number | null {
	const match = /^(\d{1,9})\s*(ms|s|m|h|d|w)$/.exec(text.trim());
	if (!match) return null;
	const factor: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
	return Number(match[1]) * factor[match[2]];
}
