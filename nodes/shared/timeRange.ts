// Time ranges: an absolute start/end or a relative range such as -3d, resolved to epoch ms.
import { DateTime, type DurationLikeObject } from 'luxon';
import { parameterError } from './errors';
import type { NodeFunctions } from './types';

export type TimeRangeInput = { start?: string; end?: string; range?: string };
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

/** Parses an ISO 8601 date-time (n8n's dateTime fields give one) to epoch ms, or NaN. */
export function parseInstant(value: unknown): number {
	if (value instanceof Date) return value.getTime();
	if (typeof value === 'number') return value;
	if (typeof value !== 'string' || value.trim() === '') return NaN;
	const parsed = DateTime.fromISO(value.trim(), { zone: 'utc' });
	return parsed.isValid ? parsed.toMillis() : NaN;
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
): ResolvedRange {
	const range = (input.range ?? '').trim();
	const hasStart = (input.start ?? '') !== '';
	const hasEnd = (input.end ?? '') !== '';
	if (range !== '') {
		if (hasStart || hasEnd) {
			throw parameterError(
				fn,
				'Filters > Range',
				'a relative range cannot be combined with Start or End',
				'Use either Range (e.g. -12h) or Start and End, not both. Remove Start/End or clear Range.',
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
	const start = hasStart ? parseInstant(input.start) : undefined;
	const end = hasEnd ? parseInstant(input.end) : now;
	if (start !== undefined && Number.isNaN(start)) {
		throw parameterError(fn, 'Filters > Start', `"${input.start}" is not a date-time`, 'Use an ISO 8601 date-time such as 2024-05-01T00:00:00Z.', itemIndex);
	}
	if (Number.isNaN(end)) {
		throw parameterError(fn, 'Filters > End', `"${input.end}" is not a date-time`, 'Use an ISO 8601 date-time such as 2024-05-02T00:00:00Z.', itemIndex);
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
