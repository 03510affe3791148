// isoTime (vendor time → ISO 8601 UTC with milliseconds) and timed (an item's epoch ms), which
// takes the number isoTime just worked out for the same text instead of parsing it again.
import { isoTime, timed } from '../../nodes/shared/auditItem';
import type { AuditItem } from '../../nodes/shared/types';

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
