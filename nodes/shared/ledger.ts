// Fetch Queue's cursor where static data does not come back: n8n 2.x queue mode.
//
// A queue-mode worker runs a new execution from the workflow snapshot stored with it, and n8n 2.41
// stores that snapshot without static data (`toWorkflowSnapshot` keeps id, name, nodes, connections,
// settings; the job says `loadStaticData: true` only for a waiting execution a webhook resumes), although the worker
// still saves the static data a run changed. So a cursor a scheduled run saves is never read by the
// next one: each run would start from Start From again (n8n 1.x reloaded it on the worker).
//
// The one store n8n gives a node that every worker shares is the deduplication store
// (`helpers.checkProcessedAndRecord`, the processed_data table): per node, a set of hashed keys with
// check-and-record, remove and count, and no read-back. The cursor is kept there as the events it
// consumed, one key per event (time, short id, repeat), and each run finds its place again:
//   1. it reads the source newest first and asks the store about each page (recording, then at once
//      removing, what was not there); the newest event the store knows is the watermark, and the
//      read goes on one Overlap below it for late arrivals, as the static cursor re-reads;
//   2. it takes the oldest new events up to Limit and records them; an event another run recorded
//      in the meantime is dropped, so two runs that overlap do not both return it.
// The store is only consulted when static data has no cursor and the store has entries; where
// static data works (one n8n process) the cursor stays there and the store is written once, by the
// first run, so that a later run on a worker finds its place (seedLedger).
import { NodeOperationError, type DeduplicationItemTypes, type IExecuteFunctions } from 'n8n-workflow';
import { matchesCommonFilters } from './auditItem';
import { shortId, type CursorState } from './cursor';
import type { ReadSettings } from './query';
import { asNodeError, readItems } from './reader';
import type { AuditSource, SourceContext, TimedItem } from './types';
import { verifyEntries, type QueueCounters } from './queue';

/** n8n's store keeps the newest this many keys per node; older ones are dropped. */
export const LEDGER_MAX_ENTRIES = 10_000;
/**
 * The most events one run takes from the ledger: half the store, so that what a run records never
 * pushes out the keys the next run finds its place by.
 */
export const LEDGER_RUN_MAX = LEDGER_MAX_ENTRIES / 2;
/** The most new events one run may find before it must give up (they are held in memory). */
export const LEDGER_SCAN_MAX = 100_000;
/** Recorded by the first run so that the store has entries even when the tenant had no events. */
export const LEDGER_MARKER = 'audit-log-cursor-ledger/v1';

/** The key that remembers a Reset Cursor To value applied, as static data remembers it. */
export const resetKey = (text: string) => `reset|${text}`;

/** The set of keys n8n keeps for this node, as the ledger uses it. */
export type LedgerStore = {
	/** Records the keys; returns those that were not recorded before. */
	claim(keys: string[]): Promise<Set<string>>;
	release(keys: string[]): Promise<void>;
	count(): Promise<number>;
	clear(): Promise<void>;
};

const OPTIONS = { mode: 'entries' as const, maxEntries: LEDGER_MAX_ENTRIES };

/**
 * The node's deduplication store, or undefined where n8n has none for it (the helpers are missing,
 * or n8n-core's service was never initialized, as in a bare harness).
 */
export async function ledgerStore(fn: IExecuteFunctions): Promise<{ store: LedgerStore; count: number } | undefined> {
	const helpers = fn.helpers as Partial<IExecuteFunctions['helpers']>;
	if (typeof helpers.checkProcessedAndRecord !== 'function' || typeof helpers.getProcessedDataCount !== 'function') return undefined;
	const store: LedgerStore = {
		claim: async (keys) => {
			if (keys.length === 0) return new Set();
			const result = await fn.helpers.checkProcessedAndRecord(keys, 'node', OPTIONS);
			return new Set(result.new.map((key: DeduplicationItemTypes) => String(key)));
		},
		release: async (keys) => {
			if (keys.length > 0) await fn.helpers.removeProcessed(keys, 'node', OPTIONS);
		},
		count: async () => await fn.helpers.getProcessedDataCount('node', OPTIONS),
		clear: async () => await fn.helpers.clearAllProcessedItems('node', OPTIONS),
	};
	try {
		return { store, count: await store.count() };
	} catch (error) {
		// n8n-core asserts its service was initialized: no store here, the static cursor is all there is.
		if ((error as { code?: string }).code === 'ERR_ASSERTION') return undefined;
		throw new NodeOperationError(fn.getNode(), error as Error, {
			message: "Could not read n8n's deduplication store, where Fetch Queue keeps its cursor in queue mode",
		});
	}
}

/** Keys for events met in one order: identical records at one instant are told apart by their repeat. */
class KeyMaker {
	private readonly repeats = new Map<string, number>();

	key(timeMs: number, id: string): string {
		const base = `${Number.isNaN(timeMs) ? 'u' : timeMs}|${id}`;
		const n = (this.repeats.get(base) ?? 0) + 1;
		this.repeats.set(base, n);
		return `${base}|${n}`;
	}
}

/**
 * Writes what a first run consumed into the store (its last Overlap of events, the ones the next run
 * finds its place by), or, when it consumed none, the newest events before where it started. With
 * the marker, the store then has entries and later runs without static data read from it.
 */
export async function seedLedger(
	ctx: SourceContext,
	source: AuditSource,
	settings: ReadSettings,
	store: LedgerStore,
	state: CursorState,
	overlapMs: number,
	extraKeys: string[] = [],
): Promise<void> {
	const keys = [LEDGER_MARKER, ...extraKeys];
	const maker = new KeyMaker();
	for (const [time, ids] of state.seen) for (const id of ids) keys.push(maker.key(time, id));
	if (state.seen.length === 0 && state.floor > (settings.query.start ?? 0)) {
		// Nothing consumed: the events just before the start must read as consumed, or the next run
		// would find no place and start from the beginning.
		const before = { ...settings.query, order: 'desc' as const, end: state.floor - 1, pageSize: Math.min(source.pageSize, 100) };
		let stopAt = -Infinity;
		outer: for await (const { items } of readItems(ctx, source, before)) {
			for (const { item, timeMs } of items) {
				if (Number.isNaN(timeMs)) continue;
				if (timeMs < stopAt) break outer;
				if (stopAt === -Infinity) stopAt = timeMs - overlapMs;
				keys.push(maker.key(timeMs, shortId(item.id)));
			}
		}
	}
	await store.claim(keys);
}

export type LedgerRead = {
	/** The new events taken that pass the client-side filters, oldest first. */
	events: TimedItem[];
	/** Stopped at Limit (or the ledger's per-run maximum): more are waiting. */
	full: boolean;
	/** Gives the taken events back to the store: call when the run fails before its output is built. */
	undo(): Promise<void>;
};

/**
 * One run of the cursor queue on the deduplication store (see the file header). `lowerBound` is
 * where the first run started when that is known every run (Date, The Beginning); the read never
 * goes below it. Verification runs without the memory static data would keep.
 */
export async function readLedgerQueue(
	ctx: SourceContext,
	source: AuditSource,
	settings: ReadSettings,
	store: LedgerStore,
	limits: { maxEvents: number; overlapMs: number; lowerBound?: number },
	counters: QueueCounters,
): Promise<LedgerRead> {
	const fresh: Array<{ entry: TimedItem; key: string }> = [];
	const maker = new KeyMaker();
	// Never below where the first run started, when every run knows it (Date, The Beginning).
	const bounds = [settings.query.start, limits.lowerBound].filter((at): at is number => at !== undefined);
	const query = { ...settings.query, order: 'desc' as const, start: bounds.length > 0 ? Math.max(...bounds) : undefined };
	let stopAt = -Infinity;
	try {
		for await (const { items, page } of readItems(ctx, source, query)) {
			await verifyEntries(ctx, source, settings, page, items, {}, counters);
			const batch: Array<{ entry: TimedItem; key: string }> = [];
			for (const entry of items) {
				if (entry.timeMs < stopAt) break;
				batch.push({ entry, key: maker.key(entry.timeMs, shortId(entry.item.id)) });
			}
			const unknown = await store.claim(batch.map((b) => b.key));
			// A look, not a take: what was not there goes back at once (step 2 takes it in order).
			await store.release([...unknown]);
			let below = batch.length < items.length;
			for (const b of batch) {
				if (b.entry.timeMs < stopAt) {
					below = true;
					break;
				}
				if (unknown.has(b.key)) fresh.push(b);
				else if (stopAt === -Infinity && !Number.isNaN(b.entry.timeMs)) stopAt = b.entry.timeMs - limits.overlapMs;
			}
			if (fresh.length > LEDGER_SCAN_MAX) {
				throw new NodeOperationError(ctx.fn.getNode(), `More than ${LEDGER_SCAN_MAX} new events since the last run`, {
					description:
						"In n8n's queue mode Fetch Queue finds its place by reading newest first, and this backlog is too deep for one run. Run it more often, narrow the filters, or use Options > Reset Cursor To.",
				});
			}
			if (below) break;
		}
	} catch (error) {
		throw asNodeError(ctx, error);
	}
	// Oldest first; events whose time did not parse go last (the static cursor emits them as met).
	const ordered = fresh
		.map((f, index) => ({ ...f, index }))
		.sort((a, b) => order(a.entry.timeMs, b.entry.timeMs) || b.index - a.index);
	const max = Math.min(limits.maxEvents, LEDGER_RUN_MAX);
	const wanted = ordered.slice(0, max);
	const taken = await store.claim(wanted.map((w) => w.key));
	const events: TimedItem[] = [];
	for (const { entry, key } of wanted) {
		if (!taken.has(key)) continue;
		if (!matchesCommonFilters(entry.item, settings.query.common, settings.clientFilters)) continue;
		if (Number.isNaN(entry.timeMs)) counters.untimed++;
		events.push(entry);
	}
	return {
		events,
		full: ordered.length > max,
		undo: async () => await store.release([...taken]),
	};
}

function order(a: number, b: number): number {
	if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
	if (Number.isNaN(b)) return -1;
	return a - b;
}
