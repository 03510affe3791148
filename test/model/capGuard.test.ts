// The cursor's cap guard: when a poll stops at Max Events per Poll, the id cap may not raise the
// floor past the first event it left unread (`stoppedAt` in CursorBatch.finish). Late records in
// a capped history are what make the two meet: a burst of late records pushes `seen` over its cap
// in the same poll that stops early. Deleting the guard loses the record the poll left for the next.
import { baseItem } from '../../nodes/shared/auditItem';
import { MAX_SEEN_BYTES, readNewEvents, shortId, type CursorState } from '../../nodes/shared/cursor';
import type { AuditSource, RawRecord } from '../../nodes/shared/types';
import { Rng } from './random';
import { readerOnlyContext } from '../support/memoryContext';

type Rec = { id: string; time: number };

function memorySource(records: () => Rec[]): AuditSource {
	return {
		id: 'carbonBlackCloud',
		orders: ['asc', 'desc'],
		pageSize: 100_000,
		serverFilters: [],
		normalize: (raw: RawRecord) => ({
			...baseItem('carbonBlackCloud', raw.id as string, raw),
			time: new Date(raw.time as number).toISOString(),
		}),
		pages: async function* (_ctx, query) {
			const wanted = records()
				.filter((r) => r.time >= query.start! && r.time <= query.end)
				.sort((a, b) => a.time - b.time);
			yield { records: wanted as unknown as RawRecord[] };
		},
	} as Partial<AuditSource> as AuditSource;
}

const ctx = readerOnlyContext();
const BASE = Date.UTC(2024, 4, 1);
const OVERLAP_MS = 3_600_000;

/**
 * A cursor whose `seen` sits just under its cap (prior events every `stepMs`), then late records:
 * a burst at one instant just after the floor and `after` more behind it, all older than the
 * watermark. Returns the ids emitted over two polls and what the vendor holds.
 */
async function cappedHistoryWithLateRecords(seed: number) {
	const rng = new Rng(seed, 9);
	const stepMs = rng.int(5, 20);
	// Each lone instant costs about 32 bytes of JSON: fill the cap to within one burst.
	const priorCount = Math.floor(MAX_SEEN_BYTES / 32) - rng.int(0, 40);
	const prior: Rec[] = Array.from({ length: priorCount }, (_, i) => ({ id: `p${i}`, time: BASE + i * stepMs }));
	const watermark = prior[prior.length - 1].time;
	const state: CursorState = {
		v: 1,
		floor: BASE,
		watermark,
		seen: prior.map((r) => [r.time, [shortId(r.id)]] as [number, string[]]),
		untimed: [],
	};
	const burstAt = BASE + rng.int(1, stepMs - 1);
	const burst: Rec[] = Array.from({ length: rng.int(150, 400) }, (_, j) => ({ id: `b${j}`, time: burstAt }));
	const after: Rec[] = Array.from({ length: rng.int(1, 5) }, (_, j) => ({
		id: `late${j}`,
		time: burstAt + 1 + j * stepMs,
	}));
	const all = [...prior, ...burst, ...after];
	const source = memorySource(() => all);
	const query = { end: watermark + 1000, order: 'asc' as const, common: {}, vendor: {}, vendorOptions: {}, pageSize: 100_000 };
	const emitted: string[] = [];
	// Poll 1 stops right after the burst: Max Events per Poll is the burst's size.
	const first = await readNewEvents(ctx, source, query, state, { overlapMs: OVERLAP_MS, maxEvents: burst.length });
	emitted.push(...first.events.map((e) => e.item.id));
	const second = await readNewEvents(ctx, source, query, first.next, { overlapMs: OVERLAP_MS, maxEvents: 10_000 });
	emitted.push(...second.events.map((e) => e.item.id));
	// What the cursor counts against its cap (a group's JSON: time, brackets, 14 bytes an id).
	const groupBytes = (time: number, ids: number) => String(time).length + 5 + 14 * ids;
	const seenBytes = prior.reduce((n, r) => n + groupBytes(r.time, 1), 0) + groupBytes(burstAt, burst.length);
	return { first, emitted, owed: [...burst, ...after].map((r) => r.id), seenBytes };
}

describe('the cap guard (stoppedAt) with late records in capped histories', () => {
	const seeds = Array.from({ length: 50 }, (_, i) => i + 1);

	it.each(seeds)('seed %i: the records a full poll left are read by the next, each once', async (seed) => {
		const { first, emitted, owed, seenBytes } = await cappedHistoryWithLateRecords(seed);

		// The history is what it claims: the first poll stopped full with `seen` over its cap.
		expect(first.full).toBe(true);
		expect(seenBytes).toBeGreaterThan(MAX_SEEN_BYTES);
		expect([...emitted].sort()).toEqual([...owed].sort());
	});
});
