/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test-only: setImmediate lets the event loop turn (answers released in a chosen order) */
// PagesAhead: offset pages fetched a few at a time, handed out in order, dropped on a surprise.
// Answers are released by hand (no timers): the order of completion is the test's to choose.
import { fetchAheadUntil, PAGES_IN_FLIGHT, PagesAhead } from '../../nodes/shared/pagesAhead';
import type { AuditQuery } from '../../nodes/shared/types';

type Pending = { offset: number; resolve: (value: string) => void; reject: (error: Error) => void };

/** A fetch whose answers wait until the test settles them, in any order. */
function manualFetch() {
	const pending = new Map<number, Pending>();
	const started: number[] = [];
	const fetch = (offset: number) =>
		new Promise<string>((resolve, reject) => {
			started.push(offset);
			pending.set(offset, { offset, resolve, reject });
		});
	const inFlight = () => pending.size;
	const answer = (offset: number) => {
		pending.get(offset)!.resolve(`page@${offset}`);
		pending.delete(offset);
	};
	const fail = (offset: number) => {
		pending.get(offset)!.reject(new Error(`failed at ${offset}`));
		pending.delete(offset);
	};
	return { fetch, started, inFlight, answer, fail };
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('PagesAhead', () => {
	it('keeps at most the window in flight, counting the page waited for', () => {
		const f = manualFetch();
		const ahead = new PagesAhead(f.fetch, 100, 100, 10_000, () => 3);
		void ahead.take(100);
		expect(f.started).toEqual([100, 200, 300]);
		expect(f.inFlight()).toBe(3);
	});

	it('hands answers out in offset order when they complete in reverse', async () => {
		const f = manualFetch();
		const ahead = new PagesAhead(f.fetch, 0, 10, 40, () => 4);
		const first = ahead.take(0)!;
		for (const offset of [30, 20, 10, 0]) f.answer(offset);
		const got = [await first];
		for (const offset of [10, 20, 30]) got.push(await ahead.take(offset)!);
		expect(got).toEqual(['page@0', 'page@10', 'page@20', 'page@30']);
		// Nothing past the end is asked for.
		expect(f.started).toEqual([0, 10, 20, 30]);
	});

	it('fails at the failed page only, after the pages before it, and fetches nothing further', async () => {
		const f = manualFetch();
		const ahead = new PagesAhead(f.fetch, 0, 10, 1000, () => 3);
		const first = ahead.take(0)!;
		f.answer(20);
		f.fail(10);
		f.answer(0);
		expect(await first).toBe('page@0');
		await expect(ahead.take(10)!).rejects.toThrow('failed at 10');
		const startedAtFailure = f.started.length;
		const closed = ahead.close();
		f.answer(30);
		await closed;
		// The answer at 20 (and 30) is dropped, never handed out; no request starts after close.
		expect(ahead.take(20)).toBeUndefined();
		expect(f.started.length).toBe(startedAtFailure);
	});

	it('close resolves only once nothing it launched is in flight', async () => {
		const f = manualFetch();
		const ahead = new PagesAhead(f.fetch, 0, 10, 1000, () => 4);
		void ahead.take(0)!.catch(() => undefined);
		let closed = false;
		const closing = ahead.close().then(() => (closed = true));
		f.answer(0);
		f.answer(10);
		f.fail(20);
		await flush();
		expect(closed).toBe(false);
		f.answer(30);
		await closing;
		expect(closed).toBe(true);
	});

	it('an offset other than the one fetched ahead drops the rest and fetches no more', async () => {
		const f = manualFetch();
		const ahead = new PagesAhead(f.fetch, 0, 10, 1000, () => 3);
		void ahead.take(0);
		// A short page: the reader goes on at 7, not at 10.
		expect(ahead.take(7)).toBeUndefined();
		expect(ahead.take(17)).toBeUndefined();
		expect(f.started).toEqual([0, 10, 20]);
		for (const offset of [0, 10, 20]) f.answer(offset);
		await ahead.close();
	});

	it('a window of 1 fetches nothing ahead (the reader goes one page at a time)', () => {
		const f = manualFetch();
		const ahead = new PagesAhead(f.fetch, 0, 10, 1000, () => 1);
		expect(ahead.take(0)).toBeUndefined();
		expect(f.started).toEqual([]);
	});

	it('follows a narrowing window (a quota running out) between pages', async () => {
		const f = manualFetch();
		let width = 4;
		const ahead = new PagesAhead(f.fetch, 0, 10, 1000, () => width);
		const first = ahead.take(0)!;
		expect(f.started).toEqual([0, 10, 20, 30]);
		width = 1;
		for (const offset of [0, 10, 20, 30]) f.answer(offset);
		await first;
		await ahead.take(10);
		await ahead.take(20);
		await ahead.take(30);
		expect(f.started).toEqual([0, 10, 20, 30]);
	});
});

describe('fetchAheadUntil', () => {
	const query = (extra: Partial<AuditQuery>): AuditQuery => ({ end: 0, order: 'desc', common: {}, vendor: {}, vendorOptions: {}, pageSize: 100, ...extra });

	it('reads ahead without bound for Return All, up to the Limit, and not at all otherwise', () => {
		expect(fetchAheadUntil(query({ readAhead: true }))).toBe(Infinity);
		expect(fetchAheadUntil(query({ maxRecords: 1200 }))).toBe(1200);
		expect(fetchAheadUntil(query({}))).toBe(0);
		expect(PAGES_IN_FLIGHT).toBeGreaterThan(1);
	});
});
