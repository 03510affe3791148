// The fault runner's scoring on outcomes built by hand: what counts as a reported failure, and
// which missing events a reported failure excuses (only what a read-once queue handed out in an
// answer that never reached the node whole).
import { score, type Outcome } from './run';

const outcome = (ids: string[], extra: Partial<Outcome> = {}): Outcome => ({
	ids,
	errors: [],
	errorItems: 0,
	reported: [],
	runs: 1,
	...extra,
});
const CURSOR = { readsOnce: false };

describe('score', () => {
	it('a missing event with no failure shown anywhere is lost and a silent partial', () => {
		expect(score(['a', 'b'], outcome(['a']), CURSOR)).toEqual({
			lost: 1,
			duplicated: 0,
			silentPartial: true,
		});
	});

	it.each([
		['a thrown error', { errors: [new Error('x')] }],
		['an error item', { errorItems: 1 }],
		['a failure hint or an emitError report', { reported: ['queue read failed (batch 2)'] }],
	])('%s makes it reported, not silent; a cursor operation still owes the event', (_name, extra) => {
		expect(score(['a', 'b'], outcome(['a'], extra), CURSOR)).toEqual({
			lost: 1,
			duplicated: 0,
			silentPartial: false,
		});
	});

	it('a reported failure excuses what the queue dropped, and nothing else', () => {
		const reported = outcome(['a'], { reported: ['failed at queue batch 2'] });
		expect(score(['a', 'b', 'c'], reported, { ...CURSOR, dropped: ['b'] })).toEqual({
			lost: 1,
			duplicated: 0,
			silentPartial: false,
		});
	});

	it('what the queue dropped, unreported, is lost and a silent partial', () => {
		expect(score(['a', 'b'], outcome(['a']), { ...CURSOR, dropped: ['b'] })).toEqual({
			lost: 1,
			duplicated: 0,
			silentPartial: true,
		});
	});

	it('Search and Export: a clear error instead of the result loses nothing', () => {
		const failed = outcome([], { errors: [new Error('x')] });
		expect(score(['a', 'b'], failed, { readsOnce: true })).toEqual({
			lost: 0,
			duplicated: 0,
			silentPartial: false,
		});
	});

	it('counts as multisets: identical records share an id', () => {
		expect(score(['a', 'a', 'b'], outcome(['a', 'a', 'a', 'b']), CURSOR)).toEqual({
			lost: 0,
			duplicated: 1,
			silentPartial: false,
		});
	});
});
