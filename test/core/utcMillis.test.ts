// utcMillis reads the common UTC forms from their digits and hands every other text to Date.parse:
// it must give exactly what Date.parse gives, for every text.
import { utcMillis } from '../../nodes/shared/utcMillis';
import { timeTexts } from '../support/timeTexts';

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
