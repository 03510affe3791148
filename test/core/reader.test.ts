// The windowed reader over the CBC source, in memory: small pages, the 10 000 window, bursts, laziness.
import { NodeOperationError } from 'n8n-workflow';
import { contentId } from '../../nodes/shared/canonical';
import { readItems, type ReadStats } from '../../nodes/shared/reader';
import { carbonBlackCloud } from '../../nodes/shared/sources/carbonBlackCloud';
import type { AuditQuery, SortOrder, TimedItem } from '../../nodes/shared/types';
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

		const ids = items.map((entry) => entry.item.id);
		expect(ids).toHaveLength(events.length);
		expect(new Set(ids)).toEqual(new Set(expected));
		const times = items.map((entry) => entry.timeMs);
		const sorted = order === 'asc' ? times.every((t, i) => i === 0 || times[i - 1] <= t) : times.every((t, i) => i === 0 || times[i - 1] >= t);
		expect(sorted).toBe(true);
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

		const ids = (await readAll(backend, query('asc', 10_000))).map((entry) => entry.item.id);

		expect(ids).toHaveLength(events.length);
		expect(new Set(ids)).toEqual(new Set(expected));
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
