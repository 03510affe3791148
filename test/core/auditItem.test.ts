// isoTime (vendor time → ISO 8601 UTC with milliseconds), timed (an item's epoch ms), which
// takes the number isoTime just worked out for the same text instead of parsing it again, and
// utcMillis, which reads the common UTC forms from their digits: each must give exactly what
// Date.parse gives, for every text.
import { isoTime, timed } from '../../nodes/shared/auditItem';
import { utcMillis } from '../../nodes/shared/utcMillis';
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

/**
 * Texts around the forms the fast path takes: every day 0–32 of every month 0–13 in leap, common
 * and century years, the clock's edges, fractions of 0 to 10 digits, other zones and separators,
 * and valid texts with one character changed (a fixed seed, so the set is the same every run).
 */
function timeTexts(): string[] {
	const pad = (n: number, width = 2) => String(n).padStart(width, '0');
	const texts: string[] = [];
	for (const year of [0, 1900, 1970, 2000, 2023, 2024, 2100, 9999])
		for (let month = 0; month <= 13; month++)
			for (let day = 0; day <= 32; day++) texts.push(`${pad(year, 4)}-${pad(month)}-${pad(day)}T12:34:56Z`);
	for (const clock of ['00:00:00', '23:59:59', '24:00:00', '23:60:00', '23:59:60', '99:00:00', '1:02:03', '01:02'])
		texts.push(`2024-05-01T${clock}Z`);
	for (let digits = 0; digits <= 10; digits++) {
		const fraction = '1234567890'.slice(0, digits);
		texts.push(`2024-05-01T09:00:05.${fraction}Z`, `2024-05-01T09:00:05.${fraction}`);
	}
	texts.push(
		'2024-05-01T09:00:05',
		'1969-12-31T23:59:59.999Z',
		'1970-01-01T00:00:00Z',
		'2024-05-01T09:00:05z',
		'2024-05-01t09:00:05Z',
		'2024-05-01 09:00:05Z',
		'2024-05-01T09:00:05+00:00',
		'2024-05-01T09:00:05.123+02:00',
		'2024-05-01T09:00:05.123-0130',
		'+002024-05-01T09:00:05Z',
		'-000001-05-01T09:00:05Z',
		'2024-05-01',
		'2024-05',
		'2024',
		'2024-05-01T09:00:05.Z',
		'2024-05-01T09:00:05,123Z',
		'２０２４-05-01T09:00:05Z',
		' 2024-05-01T09:00:05Z',
		'2024-05-01T09:00:05Z ',
		'',
		'soon',
	);
	let seed = 42;
	const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
	const alphabet = '0123456789-:T.Z+ z/';
	for (const valid of ['2024-02-29T23:59:59Z', '2023-12-31T00:00:00.999Z', '2026-07-15T08:09:10.123456Z']) {
		for (let i = 0; i < 400; i++) {
			const at = Math.floor(next() * valid.length);
			const ch = alphabet[Math.floor(next() * alphabet.length)];
			texts.push(valid.slice(0, at) + ch + valid.slice(at + 1));
		}
	}
	return texts;
}

/** What isoTime gave for a text before it had a fast path: Date.parse, then toISOString. */
function viaDate(text: string): string | null {
	const ms = Date.parse(text);
	return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

describe('utcMillis', () => {
	it('gives what Date.parse gives, for every text, valid or not', () => {
		const texts = timeTexts();
		const differ = texts.filter((t) => !Object.is(utcMillis(t), Date.parse(t)));
		expect(differ).toEqual([]);
		// The set reaches both sides: texts Date.parse reads and texts it does not.
		expect(texts.filter((t) => Number.isNaN(Date.parse(t))).length).toBeGreaterThan(500);
		expect(texts.filter((t) => !Number.isNaN(Date.parse(t))).length).toBeGreaterThan(1000);
	});
});

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
