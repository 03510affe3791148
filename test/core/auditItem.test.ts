// isoTime (vendor time → ISO 8601 UTC with milliseconds; on text, exactly what Date.parse and
// toISOString give) and timed (an item's epoch ms), which takes the number isoTime just worked out
// for the same text instead of parsing it again.
import { isoTime, timed } from '../../nodes/shared/auditItem';
import type { AuditItem } from '../../nodes/shared/types';
import { timeTexts } from '../support/timeTexts';

const item = (time: string | null) => ({ time }) as AuditItem;

describe('isoTime', () => {
	it('keeps ISO text with milliseconds in UTC, and writes every other form that way', () => {
		expect(isoTime('2024-05-01T08:00:01.120Z')).toBe('2024-05-01T08:00:01.120Z');
		expect(isoTime('2024-05-01T08:00:01Z')).toBe('2024-05-01T08:00:01.000Z');
		expect(isoTime('2024-05-01T10:00:01.5+02:00')).toBe('2024-05-01T08:00:01.500Z');
		expect(isoTime(1714550401120)).toBe('2024-05-01T08:00:01.120Z');
		expect(isoTime('1714550401120')).toBe('2024-05-01T08:00:01.120Z');
	});

	it('gives null for what is no time, a well-formed text with an impossible date included', () => {
		expect([isoTime('2024-13-01T08:00:01.120Z'), isoTime(''), isoTime(null), isoTime('soon'), isoTime(NaN), isoTime({})]).toEqual([
			null,
			null,
			null,
			null,
			null,
			null,
		]);
	});
});

/** What isoTime gave for a text before it had a fast path: Date.parse, then toISOString. */
function viaDate(text: string): string | null {
	const ms = Date.parse(text);
	return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

describe('isoTime on text', () => {
	it('gives what Date.parse and toISOString give, for every text that is not epoch digits', () => {
		const differ = timeTexts()
			.filter((t) => !/^\d{10,}$/.test(t))
			.map((t) => ({ text: t, isoTime: isoTime(t), viaDate: viaDate(t) }))
			.filter((r) => r.isoTime !== r.viaDate);
		expect(differ).toEqual([]);
	});

	it('writes a day the month does not have as the day Date rolls it over to', () => {
		// Date reads 30 February as 1 March: the item's time is that real day, whatever the vendor wrote.
		expect(isoTime('2024-02-30T00:00:00.000Z')).toBe('2024-03-01T00:00:00.000Z');
		expect(isoTime('2023-02-29T10:00:00Z')).toBe('2023-03-01T10:00:00.000Z');
		expect(timed(item(isoTime('2024-04-31T00:00:00.000Z'))).timeMs).toBe(Date.parse('2024-05-01T00:00:00.000Z'));
	});
});

describe('timed', () => {
	it('gives Date.parse of the item time, whatever isoTime read last', () => {
		const texts = ['2024-05-01T08:00:01.120Z', '2024-05-01T08:00:01Z', 1714550402000, '2030-01-01T00:00:00.000Z'];
		const times = texts.map((t) => isoTime(t));
		// In order (the time just read), out of order, and after a value that was no time.
		for (const order of [[0, 1, 2, 3], [3, 2, 1, 0], [1, 3, 0, 2]]) {
			for (const i of order) {
				isoTime(texts[(i + 1) % texts.length]);
				expect(timed(item(times[i])).timeMs).toBe(Date.parse(times[i]!));
				isoTime(texts[i]);
				expect(timed(item(times[i])).timeMs).toBe(Date.parse(times[i]!));
				isoTime('soon');
				expect(timed(item(times[i])).timeMs).toBe(Date.parse(times[i]!));
			}
		}
	});

	it('gives NaN for an item without a time or with a time that does not parse', () => {
		isoTime('2024-05-01T08:00:01.120Z');
		expect(timed(item(null)).timeMs).toBeNaN();
		expect(timed(item('not a time')).timeMs).toBeNaN();
		expect(timed(item('2024-05-01T08:00:01.120Z')).item.time).toBe('2024-05-01T08:00:01.120Z');
	});
});
