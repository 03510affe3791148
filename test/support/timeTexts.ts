// Date texts for holding a time reader to Date.parse (test/core/utcMillis.test.ts, the isoTime tests).

/**
 * Texts around the forms the fast path takes: every day 0–32 of every month 0–13 in leap, common
 * and century years, the clock's edges, fractions of 0 to 10 digits, other zones and separators,
 * and valid texts with one character changed (a fixed seed, so the set is the same every run).
 */
export function timeTexts(): string[] {
	const pad = (n: number, width = 2) => String(n).padStart(width, '0');
	const texts: string[] = [];
	for (const year of [0, 1900, 1970, 2000, 2023, 2024, 2100, 9999])
		for (let month = 0; month <= 13; month++)
			for (let day = 0; day <= 32; day++)
				texts.push(`${pad(year, 4)}-${pad(month)}-${pad(day)}T12:34:56Z`);
	for (const clock of [
		'00:00:00',
		'23:59:59',
		'24:00:00',
		'23:60:00',
		'23:59:60',
		'99:00:00',
		'1:02:03',
		'01:02',
	])
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
	for (const valid of [
		'2024-02-29T23:59:59Z',
		'2023-12-31T00:00:00.999Z',
		'2026-07-15T08:09:10.123456Z',
	]) {
		for (let i = 0; i < 400; i++) {
			const at = Math.floor(next() * valid.length);
			const ch = alphabet[Math.floor(next() * alphabet.length)];
			texts.push(valid.slice(0, at) + ch + valid.slice(at + 1));
		}
	}
	return texts;
}
