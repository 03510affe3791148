// Relative ranges in every unit (calendar months included), start/end checks, instants and durations.
import { NodeOperationError } from 'n8n-workflow';
import {
	isoMillis,
	parseDurationMs,
	parseInstant,
	parseRelativeRange,
	resolveTimeRange,
	type TimeRangeInput,
} from '../../nodes/shared/timeRange';
import { stubFunctions } from '../support/auditLog';

const fn = stubFunctions();
const at = (iso: string) => Date.parse(iso);
const NOW = at('2024-05-15T12:30:45.678Z');

function resolve(input: TimeRangeInput, now = NOW) {
	return resolveTimeRange(fn, input, now);
}

function failure(input: TimeRangeInput): NodeOperationError {
	try {
		resolve(input);
	} catch (error) {
		return error as NodeOperationError;
	}
	throw new Error('expected a NodeOperationError');
}

describe('relative ranges', () => {
	it.each([
		['-30s', '2024-05-15T12:30:15.678Z'],
		['-15m', '2024-05-15T12:15:45.678Z'],
		['-12h', '2024-05-15T00:30:45.678Z'],
		['-3d', '2024-05-12T12:30:45.678Z'],
		['-2w', '2024-05-01T12:30:45.678Z'],
		['-1M', '2024-04-15T12:30:45.678Z'],
		['-13M', '2023-04-15T12:30:45.678Z'],
	])('%s ends now and starts at %s', (range, start) => {
		expect(resolve({ range })).toEqual({ start: at(start), end: NOW });
	});

	it('subtracts calendar months, clamping to the end of a shorter month', () => {
		expect(resolve({ range: '-1M' }, at('2024-03-31T10:00:00.000Z')).start).toBe(at('2024-02-29T10:00:00.000Z'));
		expect(resolve({ range: '-1M' }, at('2023-03-31T10:00:00.000Z')).start).toBe(at('2023-02-28T10:00:00.000Z'));
		expect(resolve({ range: '-1M' }, at('2024-05-31T10:00:00.000Z')).start).toBe(at('2024-04-30T10:00:00.000Z'));
		expect(resolve({ range: '-12M' }, at('2024-02-29T00:00:00.000Z')).start).toBe(at('2023-02-28T00:00:00.000Z'));
	});

	it('works in UTC: no daylight-saving hour is gained or lost over a day', () => {
		expect(resolve({ range: '-1d' }, at('2024-03-31T12:00:00.000Z')).start).toBe(at('2024-03-30T12:00:00.000Z'));
	});

	it('trims blanks around the range', () => {
		expect(resolve({ range: '  -3h ' }).start).toBe(NOW - 3 * 3_600_000);
	});

	it('accepts only -<n><M|w|d|h|m|s> with n ≥ 1', () => {
		for (const bad of ['-2x', '2d', '-0d', '-1y', '-1.5h', '--1h', '-h', '-1 h', '+1h', '-1D', '-1H', '-1W']) {
			expect(parseRelativeRange(bad)).toBeNull();
		}
		expect(parseRelativeRange('-1M')).toEqual({ months: 1 });
		expect(parseRelativeRange('-1m')).toEqual({ minutes: 1 });
	});
});

describe('start and end', () => {
	it('uses both when given, end inclusive as given', () => {
		expect(resolve({ start: '2024-05-01T00:00:00Z', end: '2024-05-02T00:00:00.500Z' })).toEqual({
			start: at('2024-05-01T00:00:00.000Z'),
			end: at('2024-05-02T00:00:00.500Z'),
		});
	});

	it('reads offsets and treats a zone-less time as UTC', () => {
		expect(resolve({ start: '2024-05-01T02:00:00+02:00' }).start).toBe(at('2024-05-01T00:00:00.000Z'));
		expect(resolve({ start: '2024-05-01T00:00:00' }).start).toBe(at('2024-05-01T00:00:00.000Z'));
	});

	it('ends now when End is empty, and has no start when neither is set', () => {
		expect(resolve({ start: '2024-05-01T00:00:00Z', end: '' })).toEqual({ start: at('2024-05-01T00:00:00Z'), end: NOW });
		expect(resolve({})).toEqual({ start: undefined, end: NOW });
	});

	it.each<[string, TimeRangeInput, string]>([
		['range -2x', { range: '-2x' }, 'Filters > Range'],
		['range with start', { range: '-2d', start: '2024-05-01T00:00:00Z' }, 'Filters > Range'],
		['range with end', { range: '-2d', end: '2024-05-01T00:00:00Z' }, 'Filters > Range'],
		['start after end', { start: '2024-05-02T00:00:00Z', end: '2024-05-01T00:00:00Z' }, 'Filters > Start'],
		['start equal to end', { start: '2024-05-01T00:00:00Z', end: '2024-05-01T00:00:00Z' }, 'Filters > Start'],
		['start not a date', { start: 'yesterday' }, 'Filters > Start'],
		['end not a date', { start: '2024-05-01T00:00:00Z', end: '2024-13-01' }, 'Filters > End'],
	])('%s fails naming %s, with a fix', (_name, input, parameter) => {
		const error = failure(input);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message.startsWith(`${parameter}:`)).toBe(true);
		expect(error.description).toEqual(expect.any(String));
	});
});

describe('instants and durations', () => {
	it('parseInstant reads ISO text, Dates and epoch ms; NaN otherwise', () => {
		expect(parseInstant('2024-05-01T00:00:00.123Z')).toBe(at('2024-05-01T00:00:00.123Z'));
		expect(parseInstant(new Date(5))).toBe(5);
		expect(parseInstant(7)).toBe(7);
		expect(parseInstant('')).toBeNaN();
		expect(parseInstant('not a date')).toBeNaN();
		expect(parseInstant(null)).toBeNaN();
	});

	it('isoMillis always writes milliseconds in UTC', () => {
		expect(isoMillis(at('2024-05-01T00:00:00Z'))).toBe('2024-05-01T00:00:00.000Z');
	});

	it('parseDurationMs reads ms, s, m, h, d and w', () => {
		expect(['250ms', '30s', '5m', '2h', '1d', '1w', ' 3 m '].map((text) => parseDurationMs(text))).toEqual([
			250,
			30_000,
			300_000,
			7_200_000,
			86_400_000,
			604_800_000,
			180_000,
		]);
		for (const bad of ['', '5', 'm', '-5m', '1.5h', '2M', '1y']) expect(parseDurationMs(bad)).toBeNull();
	});
});
