/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test-only: setImmediate lets the event loop turn (a dropped request settles) */
// The windowed reader over the CBC source, in memory: small pages, the 10 000 window, bursts, laziness.
import { NodeOperationError } from 'n8n-workflow';
import { contentId } from '../../nodes/shared/canonical';
import { readItems, type ReadStats } from '../../nodes/shared/reader';
import { carbonBlackCloud } from '../../nodes/shared/sources/carbonBlackCloud';
import type { AuditQuery, AuditSource, SortOrder, TimedItem } from '../../nodes/shared/types';
import { failureOf } from '../support/auditLog';
import { CBC_WINDOW, CbcBackend } from '../support/cbcBackend';
import { CBC_EPOCH, cbcEvents } from '../support/cbcEvents';
import { memoryContext } from '../support/memoryContext';

const DAY = 86_400_000;

function query(order: SortOrder, pageSize: number): AuditQuery {
	return { start: CBC_EPOCH, end: CBC_EPOCH + DAY, order, common: {}, vendor: {}, vendorOptions: {}, pageSize };
}

async function readAll(backend: CbcBackend, q: AuditQuery, stats?: ReadStats): Promise<TimedItem[]> {
	const out: TimedItem[] = [];
	for await (const { items } of readItems(memoryContext(backend), carbonBlackCloud, q, stats)) out.push(...items);
	return out;
}

/** Each of the expected ids exactly once. */
function expectEachOnce(items: TimedItem[], expected: string[]): void {
	const ids = items.map((entry) => entry.item.id);
	expect(ids).toHaveLength(expected.length);
	expect(new Set(ids)).toEqual(new Set(expected));
}

/** Times never going back against the order asked. */
function expectInOrder(items: TimedItem[], order: SortOrder): void {
	const times = items.map((entry) => entry.timeMs);
	const inOrder = (a: number, b: number) => (order === 'asc' ? a <= b : a >= b);
	expect(times.every((t, i) => i === 0 || inOrder(times[i - 1], t))).toBe(true);
}

/** The backend answers its second _search with a 500; the count of searches asked for. */
function failSecondSearch(backend: CbcBackend): () => number {
	const handle = backend.handle.bind(backend);
	let asked = 0;
	backend.handle = (req) =>
		req.path.endsWith('/_search') && ++asked === 2 ? { status: 500, body: { message: 'second window failed' } } : handle(req);
	return () => asked;
}

describe('readItems over Carbon Black Cloud', () => {
	const events = cbcEvents(23_500, {
		bursts: [
			{ at: 2_990, size: 40 },
			{ at: 9_000, size: 2_000 },
			{ at: 15_000, size: 3_000 },
			{ at: 21_000, size: 1_500 },
		],
	});
	const expected = events.map((event) => contentId(event));

	it.each<[SortOrder, number]>([
		['asc', 3_000],
		['desc', 3_000],
		['asc', 3_333],
		['desc', 7_777],
	])('%s with pages of %d: every event once, in order, pages inside the window', async (order, pageSize) => {
		const backend = new CbcBackend({ events, shuffleTies: true });
		const stats: ReadStats = { pages: 0, records: 0, queries: 0, untimed: 0 };

		const items = await readAll(backend, query(order, pageSize), stats);

		expectEachOnce(items, expected);
		expectInOrder(items, order);
		expect(backend.violations).toEqual([]);
		for (const call of backend.searches) {
			expect(call.rows).toBeLessThanOrEqual(pageSize);
			expect(call.start! + call.rows!).toBeLessThanOrEqual(CBC_WINDOW);
		}
		expect(stats.queries).toBeGreaterThanOrEqual(3);
		expect(stats.records).toBe(backend.searches.reduce((sum, call) => sum + call.returned, 0));
	});

	it('reads past a full window even when num_found stops at 10 000', async () => {
		const backend = new CbcBackend({ events, numFound: 'capped' });

		expectEachOnce(await readAll(backend, query('asc', 10_000)), expected);
	});

	it('pages one window with start/rows that end exactly at 10 000', async () => {
		const backend = new CbcBackend({ events });

		await readAll(backend, query('asc', 3_333));

		expect(backend.searches.slice(0, 4).map((call) => [call.start, call.rows])).toEqual([
			[0, 3_333],
			[3_333, 3_333],
			[6_666, 3_333],
			[9_999, 1],
		]);
		// The second window starts at the last instant of the first one, inclusive.
		expect((backend.searches[4].criteria.create_time as { start: string }).start).toBe(
			events[CBC_WINDOW - 1].create_time,
		);
		expect(backend.searches[4].start).toBe(0);
	});

	it('makes no request it does not need when the caller stops early', async () => {
		const backend = new CbcBackend({ events });

		for await (const { items } of readItems(memoryContext(backend), carbonBlackCloud, query('desc', 500))) {
			expect(items).toHaveLength(500);
			break;
		}

		expect(backend.searches).toHaveLength(1);
	});

	it('reads a result smaller than one page in one request', async () => {
		const backend = new CbcBackend({ events: events.slice(0, 10) });

		expect(await readAll(backend, query('asc', 10_000))).toHaveLength(10);
		expect(backend.searches).toEqual([expect.objectContaining({ start: 0, rows: 10_000, returned: 10 })]);
	});

	it('fails with a NodeOperationError when one millisecond holds more than the window', async () => {
		const backend = new CbcBackend({ events: cbcEvents(CBC_WINDOW + 3, { bursts: [{ at: 1, size: CBC_WINDOW + 1 }] }) });

		await expect(readAll(backend, query('asc', 5_000))).rejects.toBeInstanceOf(NodeOperationError);
		expect(backend.violations).toEqual([]);
	});
});

describe('Return All over Carbon Black Cloud: the next window asked for ahead', () => {
	const events = cbcEvents(33_500, {
		bursts: [
			{ at: 9_999, size: 30 },
			{ at: 19_990, size: 1_200 },
			{ at: 29_000, size: 700 },
		],
	});
	const expected = events.map((event) => contentId(event));
	const returnAll = (order: SortOrder, pageSize = CBC_WINDOW): AuditQuery => ({ ...query(order, pageSize), readAhead: true });

	/** The source with its queries counted as opened and closed (a dropped window must be closed). */
	function counted(source: AuditSource) {
		const reads = { opened: 0, closed: 0 };
		const pages: AuditSource['pages'] = async function* (ctx, q) {
			reads.opened++;
			try {
				yield* source.pages(ctx, q);
			} finally {
				reads.closed++;
			}
		};
		return { source: { ...source, pages }, reads };
	}

	it.each<SortOrder>(['asc', 'desc'])(
		'%s: each window is asked for while the one before it is handed out; every event once, in order',
		async (order) => {
			const backend = new CbcBackend({ events, shuffleTies: true });
			const askedWhenHanded: number[] = [];
			const items: TimedItem[] = [];

			for await (const chunk of readItems(memoryContext(backend), carbonBlackCloud, returnAll(order))) {
				askedWhenHanded.push(backend.searches.length);
				items.push(...chunk.items);
			}

			// Window k (one page of 10 000) is handed out with window k + 1 already asked for.
			expect(askedWhenHanded).toEqual([2, 3, 4, 4]);
			expectEachOnce(items, expected);
			expectInOrder(items, order);
			expect(backend.violations).toEqual([]);
		},
	);

	it('a read that may stop early (no readAhead) asks for no window ahead', async () => {
		const backend = new CbcBackend({ events });
		const askedWhenHanded: number[] = [];

		for await (const chunk of readItems(memoryContext(backend), carbonBlackCloud, query('asc', CBC_WINDOW))) {
			askedWhenHanded.push(backend.searches.length);
			expect(chunk.items.length).toBeGreaterThan(0);
		}

		expect(askedWhenHanded).toEqual([1, 2, 3, 4]);
	});

	it("lets the event loop turn right after asking, and every 1 000 records of a page's normalization", async () => {
		const backend = new CbcBackend({ events });
		const turns: boolean[] = [];

		for await (const chunk of readItems(memoryContext(backend, (asked) => turns.push(asked)), carbonBlackCloud, returnAll('asc'))) {
			expect(chunk.items.length).toBeGreaterThan(0);
		}

		// Per full window: one turn after asking for the next, then 10 while its 10 000 records are normalized.
		const perFullWindow = [true, ...new Array<boolean>(10).fill(false)];
		expect(turns.slice(0, 33)).toEqual([...perFullWindow, ...perFullWindow, ...perFullWindow]);
		// The last window (3 500 records and the overlap it skips) asks for nothing ahead.
		expect(turns.slice(33)).toEqual([false, false, false, false]);
	});

	it('a read stopped after its first window drops the window asked for ahead: its failure is nobody’s, nothing more is asked', async () => {
		const backend = new CbcBackend({ events });
		const asked = failSecondSearch(backend);
		const unhandled: unknown[] = [];
		const onUnhandled = (reason: unknown) => unhandled.push(reason);
		process.on('unhandledRejection', onUnhandled);

		const { source, reads } = counted(carbonBlackCloud);

		try {
			for await (const chunk of readItems(memoryContext(backend), source, returnAll('asc'))) {
				expect(chunk.items).toHaveLength(CBC_WINDOW);
				break;
			}
			// Closed by the time the read has returned, not later.
			expect(reads).toEqual({ opened: 2, closed: 2 });
			await new Promise((resolve) => setImmediate(resolve));
		} finally {
			process.off('unhandledRejection', onUnhandled);
		}

		expect(unhandled).toEqual([]);
		expect(asked()).toBe(2);
	});

	it("a failed window ahead fails the read only after the window before it was handed out whole", async () => {
		const backend = new CbcBackend({ events });
		failSecondSearch(backend);
		const handed: number[] = [];

		const error = await failureOf(
			(async () => {
				for await (const chunk of readItems(memoryContext(backend), carbonBlackCloud, returnAll('asc'))) handed.push(chunk.items.length);
			})(),
		);

		expect(handed).toEqual([CBC_WINDOW]);
		expect(error.message).toContain('second window failed');
	});

	it('a source that pages past its window: each window asked for too early is dropped (closed), every event once', async () => {
		// The reader's window is 5 000, but the CBC pages go on to 10 000: pages arrive after the window was full.
		const { source: narrow, reads } = counted({ ...carbonBlackCloud, searchWindow: 5_000 });
		const backend = new CbcBackend({ events, shuffleTies: true });
		const items: TimedItem[] = [];

		for await (const chunk of readItems(memoryContext(backend), narrow, returnAll('asc', 2_500))) items.push(...chunk.items);

		expectEachOnce(items, expected);
		// Windows asked for at pages 2 and 3 of a query were dropped for the one at page 4.
		expect(reads.opened).toBeGreaterThan(4);
		expect(reads.closed).toBe(reads.opened);
	});
});
