// The cursor shared by the trigger and the cursor-queue Fetch Queue: each event once, oldest first.
import { createHash } from 'node:crypto';
import type { IDataObject } from 'n8n-workflow';
import { asNodeError, isDeadlineError, readItems, type ReadStats } from './reader';
import type { AuditQuery, AuditSource, Page, SourceContext, TimedItem } from './types';

/**
 * What a node keeps in its static data between runs (JSON-safe, bounded):
 * - `floor`: events older than this are never emitted (the seed time, or the overlap's edge);
 * - `watermark`: the newest event time emitted so far;
 * - `seen`: short ids of the events met in [floor, watermark], grouped by time, with repeats
 *   (two identical records at one instant are two events and count twice);
 * - `untimed`: short ids of events whose time did not parse.
 * Each run asks the source from `floor` inclusive and drops what `seen` already holds.
 */
export type CursorState = {
	v: 1;
	floor: number;
	watermark: number;
	seen: Array<[number, string[]]>;
	untimed: string[];
};

export type CursorSettings = {
	/** Safety window for records that arrive late: re-read this far behind the watermark. */
	overlapMs: number;
	/** Stop after this many new events; the rest stays for the next run, oldest first. */
	maxEvents: number;
};

/**
 * Caps that keep the state under 64 KiB of JSON whatever the history. `seen` is capped by its JSON
 * size, not its id count: an id costs 14 bytes but each instant adds 18 more, so a count cap of
 * 2 500 let 2 500 lone events at 2 500 instants grow the state to 80 KB (found by the model test).
 * 48 KiB leaves room for one more instant's burst and the untimed ids (300 × 14 bytes).
 */
export const MAX_SEEN_BYTES = 48 * 1024;
export const MAX_UNTIMED_IDS = 300;

/** The JSON bytes one group of `seen` takes: `[time,["id",…]],` with 11-character ids. */
function groupBytes([time, ids]: [number, string[]]): number {
	return String(time).length + 5 + 14 * ids.length;
}

/**
 * A fresh cursor at `at`, rounded down to the vendor's time precision: an event recorded in the
 * same second as the activation (Cisco keeps whole seconds) must not fall before the cursor.
 */
export function seedCursor(at: number, precisionMs = 1): CursorState {
	const floor = Math.floor(at / precisionMs) * precisionMs;
	return { v: 1, floor, watermark: floor, seen: [], untimed: [] };
}

/** Reads a saved state back, or undefined when there is none (or it is from an unknown version). */
export function loadCursor(data: IDataObject, key: string): CursorState | undefined {
	const state = data[key] as CursorState | undefined;
	if (!state || state.v !== 1 || typeof state.floor !== 'number') return undefined;
	return state;
}

export function saveCursor(data: IDataObject, key: string, state: CursorState): void {
	data[key] = state as unknown as IDataObject;
}

/** 66 bits of the id's SHA-256: enough to tell apart the few thousand ids a window holds. */
export function shortId(id: string): string {
	return createHash('sha256').update(id).digest('base64url').slice(0, 11);
}

export type Offer = 'new' | 'seen' | 'full';

/** One run's decisions over events offered in ascending time order. Pure, no I/O. */
export class CursorBatch {
	private readonly prior = new Map<string, number>();
	private readonly metNow = new Map<string, number>();
	private readonly added: Array<[number, string]> = [];
	private readonly addedUntimed: string[] = [];
	private emitted = 0;
	private stoppedAt = Infinity;

	constructor(
		private readonly state: CursorState,
		private readonly settings: CursorSettings,
	) {
		for (const [time, ids] of state.seen) for (const id of ids) this.count(this.prior, `${time}|${id}`);
		for (const id of state.untimed) this.count(this.prior, `u|${id}`);
	}

	offer(entry: TimedItem): Offer {
		const untimed = Number.isNaN(entry.timeMs);
		if (!untimed && entry.timeMs < this.state.floor) return 'seen';
		const short = shortId(entry.item.id);
		const key = untimed ? `u|${short}` : `${entry.timeMs}|${short}`;
		const met = this.count(this.metNow, key);
		if (met <= (this.prior.get(key) ?? 0)) return 'seen';
		if (this.emitted >= this.settings.maxEvents) {
			// Undo: this one was not consumed and must be met afresh next run.
			this.metNow.set(key, met - 1);
			if (!untimed) this.stoppedAt = Math.min(this.stoppedAt, entry.timeMs);
			return 'full';
		}
		this.emitted++;
		if (untimed) this.addedUntimed.push(short);
		else this.added.push([entry.timeMs, short]);
		return 'new';
	}

	/** The state to save once the run's items are built. */
	finish(): CursorState {
		let watermark = this.state.watermark;
		for (const [time] of this.added) if (time > watermark) watermark = time;
		const groups = new Map<number, string[]>(this.state.seen.map(([t, ids]) => [t, [...ids]]));
		for (const [time, id] of this.added) {
			const group = groups.get(time);
			if (group) group.push(id);
			else groups.set(time, [id]);
		}
		// Never raise the floor past an event this run left unread because it was full.
		let floor = Math.min(Math.max(this.state.floor, watermark - this.settings.overlapMs), this.stoppedAt);
		const kept = [...groups.entries()].filter(([t]) => t >= floor).sort((a, b) => a[0] - b[0]);
		let total = kept.reduce((n, group) => n + groupBytes(group), 0);
		// An index, not repeated slicing: dropping thousands of lone instants must stay linear.
		let first = 0;
		const droppable = () => kept.length - first > 1 && kept[first + 1][0] <= this.stoppedAt;
		while (total > MAX_SEEN_BYTES && droppable()) {
			total -= groupBytes(kept[first]);
			first++;
			floor = kept[first][0];
		}
		const untimed = [...this.state.untimed, ...this.addedUntimed].slice(-MAX_UNTIMED_IDS);
		return { v: 1, floor, watermark, seen: kept.slice(first), untimed };
	}

	private count(map: Map<string, number>, key: string): number {
		const next = (map.get(key) ?? 0) + 1;
		map.set(key, next);
		return next;
	}
}

/**
 * One cursor run: read from the floor up to `query.end`, oldest first, and return the new events
 * with the state to save after they are built. The caller saves it (never in manual mode).
 * At the run's deadline (`ctx.deadline`), once it has met a new event, the read stops before its
 * next page; or when the transport cuts a request at the deadline: the events offered so far are returned and the cursor moves only over them
 * (`stoppedAtDeadline`). Any other failure is thrown and the caller saves nothing.
 */
export async function readNewEvents(
	ctx: SourceContext,
	source: AuditSource,
	query: AuditQuery,
	state: CursorState,
	settings: CursorSettings,
	/** Runs on every page before its items are offered (Pangea verification needs the page). */
	onPage?: (page: Page, items: TimedItem[]) => Promise<void>,
): Promise<{ events: TimedItem[]; next: CursorState; full: boolean; stoppedAtDeadline: boolean }> {
	const batch = new CursorBatch(state, settings);
	const events: TimedItem[] = [];
	let full = false;
	const stats: ReadStats = { pages: 0, records: 0, queries: 0, untimed: 0 };
	const ascending: AuditQuery = { ...query, start: state.floor, order: 'asc' };
	// Every run re-reads its overlap: the deadline counts only once a new event was met, or a vendor
	// slower than the budget would spend every poll on what it already emitted and never move on.
	const reader: SourceContext = {
		...ctx,
		get deadline() {
			return events.length > 0 ? ctx.deadline : undefined;
		},
	};
	ctx.holdDeadline?.(true);
	try {
		outer: for await (const { items, page } of readItems(reader, source, ascending, stats)) {
			if (onPage) await onPage(page, items);
			for (const entry of items) {
				const offer = batch.offer(entry);
				if (offer === 'full') {
					full = true;
					break outer;
				}
				if (offer === 'new') {
					events.push(entry);
					ctx.holdDeadline?.(false);
				}
			}
		}
	} catch (error) {
		// Only whole pages were offered: what the batch holds is consistent, the cut page is read again.
		if (!isDeadlineError(error)) throw asNodeError(ctx, error);
		stats.stoppedAtDeadline = true;
	} finally {
		ctx.holdDeadline?.(false);
	}
	return { events, next: batch.finish(), full, stoppedAtDeadline: stats.stoppedAtDeadline === true };
}
