// Reads a query as normalized items page by page, in the order asked, past any per-query result cap.
import { NodeApiError, NodeOperationError, type JsonObject } from 'n8n-workflow';
import { timed } from './auditItem';
import { StartedRead } from './pagesAhead';
import { isDeadlineError } from './transport';
import type { AuditQuery, AuditSource, Page, SourceContext, TimedItem } from './types';

/**
 * Counts how many times each id was met at one instant: the boundary between two windows (and, in
 * a vendor folder, between two reads that resume at one instant, e.g. Cisco's second).
 */
export class Multiset {
	private readonly counts = new Map<string, number>();

	constructor(ids: Iterable<string> = []) {
		for (const id of ids) this.add(id);
	}

	add(id: string): void {
		this.counts.set(id, (this.counts.get(id) ?? 0) + 1);
	}

	/** Removes one occurrence; false when there was none left. */
	take(id: string): boolean {
		const count = this.counts.get(id);
		if (!count) return false;
		if (count === 1) this.counts.delete(id);
		else this.counts.set(id, count - 1);
		return true;
	}
}

/**
 * Asks for the next vendor page as soon as the current one arrives, so the request is in flight
 * while the current page is normalized (a Return All is then bound by the slower of the two, not
 * their sum). Off for reads that may stop after one page: the extra request would be wasted.
 */
async function* readAhead<T>(pages: AsyncIterable<T>, enabled: boolean): AsyncGenerator<T> {
	if (!enabled) {
		yield* pages;
		return;
	}
	const iterator = pages[Symbol.asyncIterator]();
	let pending = iterator.next();
	try {
		for (;;) {
			const result = await pending;
			if (result.done) return;
			pending = iterator.next();
			// Surfaced when awaited; a consumer that stops early must not see it as unhandled.
			pending.catch(() => undefined);
			yield result.value;
		}
	} finally {
		await iterator.return?.();
	}
}

export type ReadStats = {
	pages: number;
	records: number;
	queries: number;
	untimed: number;
	/** Set when the read stopped early because the run's deadline (ctx.deadline) had passed. */
	stoppedAtDeadline?: boolean;
};

/** An error to rethrow: an n8n error as it is (both constructors hand back their own class), anything else wrapped once. */
export function asNodeError(ctx: SourceContext, error: unknown): NodeApiError | NodeOperationError {
	if (error instanceof NodeOperationError) return new NodeOperationError(ctx.fn.getNode(), error);
	return new NodeApiError(ctx.fn.getNode(), error as JsonObject);
}

/** True once the run's deadline has passed: readers then ask for no further page. */
export function pastDeadline(ctx: SourceContext): boolean {
	return ctx.deadline !== undefined && ctx.now() >= ctx.deadline;
}

/** A request the transport cut short because the run's deadline came. */
export { isDeadlineError };

/** One record normalized, with the time the source pages on (NaN when unknown). */
function normalizeRecord(source: AuditSource, page: Page, i: number): TimedItem {
	const entry = timed(source.normalize(page.records[i], page.context));
	if (source.cursorTime) entry.timeMs = source.cursorTime(page.records[i], entry.item);
	return entry;
}

/**
 * Records normalized between two turns of the event loop (`ctx.turn`, while requests are in
 * flight): a request asked for ahead is written, and its answer read, only in such a turn, so one
 * page's synchronous normalization would otherwise hold it back until the page is done. A page
 * also starts with one, for the pages just asked for ahead: 10,000 Cisco events at 50 ms took
 * 317–328 ms with it and 336–357 ms without (`npm run bench -- --only latency --vendors cisco`).
 */
export const RECORDS_PER_TURN = 1000;

async function normalizePage(ctx: SourceContext, source: AuditSource, page: Page, stats: ReadStats): Promise<TimedItem[]> {
	const out = new Array<TimedItem>(page.records.length);
	for (let i = 0; i < page.records.length; i++) {
		if (i % RECORDS_PER_TURN === 0) await ctx.turn();
		const entry = normalizeRecord(source, page, i);
		if (Number.isNaN(entry.timeMs)) stats.untimed++;
		out[i] = entry;
	}
	stats.pages++;
	stats.records += page.records.length;
	return out;
}

/**
 * Yields normalized items in `query.order`, one vendor page at a time.
 * - A source that cannot serve the order (Cisco is newest first only) is read whole and reversed once.
 * - A source with a per-query cap (CBC, Pangea: 10 000) is walked window by window: the next
 *   query starts at the last instant seen, and the records already met at that instant are
 *   skipped by id count, so bursts sharing one millisecond come out once each.
 * Callers may stop early (Limit): the generator makes no request it does not need.
 */
export async function* readItems(
	ctx: SourceContext,
	source: AuditSource,
	query: AuditQuery,
	stats: ReadStats = { pages: 0, records: 0, queries: 0, untimed: 0 },
): AsyncGenerator<{ items: TimedItem[]; page: Page }> {
	try {
		yield* readAll(ctx, source, query, stats);
	} catch (error) {
		throw locateError(
			error,
			`Failed at page ${stats.pages + 1} of the read (offset ${stats.records}: ${stats.records} record(s) read before it).`,
		);
	}
}

/**
 * A vendor failure says where the read stopped: the page that failed and how many records came
 * before it (once, however deeply the readers nest). Deadline stops are not failures.
 */
export function locateError(error: unknown, where: string): unknown {
	if (!(error instanceof NodeApiError) || isDeadlineError(error)) return error;
	const marked = error as NodeApiError & { auditLogLocated?: boolean };
	if (marked.auditLogLocated) return error;
	marked.auditLogLocated = true;
	marked.description = marked.description ? `${marked.description} ${where}` : where;
	return error;
}

async function* readAll(
	ctx: SourceContext,
	source: AuditSource,
	query: AuditQuery,
	stats: ReadStats,
): AsyncGenerator<{ items: TimedItem[]; page: Page }> {
	if (!source.orders.includes(query.order)) {
		yield* readReversed(ctx, source, query, stats);
		return;
	}
	if (!source.searchWindow) {
		stats.queries++;
		let count = 0;
		for await (const page of readAhead(source.pages(ctx, query), query.readAhead === true)) {
			ctx.throwIfCancelled();
			// An empty page while the vendor's total says more remain: the result would end short.
			if (page.records.length === 0 && page.total !== undefined && count < page.total) {
				throw shortRead(ctx, source, count, page.total);
			}
			count += page.records.length;
			yield { items: await normalizePage(ctx, source, page, stats), page };
			// Checked before the next page is asked for: a run past its deadline hands back what it has.
			if (pastDeadline(ctx)) {
				stats.stoppedAtDeadline = true;
				return;
			}
		}
		return;
	}
	yield* readWindows(ctx, source, query, source.searchWindow, stats);
}

/** The pages ended before the vendor's own total: a short or empty page mid-result, never a complete one. */
function shortRead(ctx: SourceContext, source: AuditSource, count: number, total: number): NodeApiError {
	return new NodeApiError(ctx.fn.getNode(), { message: 'short read' } as JsonObject, {
		message: `${source.displayName} answered an empty page at offset ${count}, while its total for the query is ${total}`,
		description:
			'A page came back empty in the middle of the result, so the result would be incomplete and was not returned as complete. Run again.',
		itemIndex: ctx.itemIndex,
	});
}

async function* readReversed(
	ctx: SourceContext,
	source: AuditSource,
	query: AuditQuery,
	stats: ReadStats,
): AsyncGenerator<{ items: TimedItem[]; page: Page }> {
	const other = query.order === 'asc' ? 'desc' : 'asc';
	const pages: Array<{ items: TimedItem[]; page: Page }> = [];
	for await (const chunk of readItems(ctx, source, { ...query, order: other }, stats)) pages.push(chunk);
	// A reversed read cut at the deadline holds the newest pages only: in the order asked it has a
	// gap at its start, so none of it is handed out (the caller gets nothing and moves nothing).
	if (stats.stoppedAtDeadline) return;
	for (let p = pages.length - 1; p >= 0; p--) {
		pages[p].items.reverse();
		pages[p].page.records.reverse();
		yield pages[p];
	}
}

/** The time of the page's last timed record (NaN when none is timed): where the next window starts. */
function lastTimeIn(source: AuditSource, page: Page): number {
	for (let i = page.records.length - 1; i >= 0; i--) {
		const time = normalizeRecord(source, page, i).timeMs;
		if (!Number.isNaN(time)) return time;
	}
	return NaN;
}

async function* readWindows(
	ctx: SourceContext,
	source: AuditSource,
	query: AuditQuery,
	window: number,
	stats: ReadStats,
): AsyncGenerator<{ items: TimedItem[]; page: Page }> {
	const ascending = query.order === 'asc';
	const from = (q: AuditQuery, time: number): AuditQuery => (ascending ? { ...q, start: time } : { ...q, end: time });
	const pagesOf = (q: AuditQuery) => readAhead(source.pages(ctx, q), q.readAhead === true);
	let current: AuditQuery = { ...query };
	let skip: Multiset | undefined;
	let skipAt = NaN;
	let next: StartedRead<Page> | undefined;
	try {
		for (;;) {
			stats.queries++;
			const pages = next ? next.read() : pagesOf(current);
			next = undefined;
			let count = 0;
			let total: number | undefined;
			let lastTime = NaN;
			// Ids at the newest instant so far: reset (not reallocated) whenever the instant moves on.
			const atLast: string[] = [];
			let sawOther = false;
			for await (const page of pages) {
				ctx.throwIfCancelled();
				// A page past a full window (sources stop at it): the window asked for ahead started too early.
				if (next) {
					await next.drop();
					next = undefined;
				}
				if (page.records.length === 0 && page.total !== undefined && count < Math.min(page.total, window)) {
					throw shortRead(ctx, source, count, page.total);
				}
				count += page.records.length;
				total = page.total ?? total;
				if (current.readAhead === true && count >= window && !pastDeadline(ctx)) {
					// The window is full, so the next one starts at this page's last instant (when that is
					// not the instant this one started at: that case is the error below, or a source's bug).
					const at = lastTimeIn(source, page);
					if (!Number.isNaN(at) && at !== skipAt) {
						// Its request is on the wire while this page is normalized and handed out (a CBC
						// window is one page, each starting where the last one ended).
						next = new StartedRead(pagesOf(from(current, at)));
						await ctx.turn(true);
					}
				}
				const items = await normalizePage(ctx, source, page, stats);
				const kept: TimedItem[] = [];
				for (const entry of items) {
					if (!Number.isNaN(entry.timeMs)) {
						if (entry.timeMs !== lastTime) {
							lastTime = entry.timeMs;
							atLast.length = 0;
						}
						atLast.push(entry.item.id);
						if (entry.timeMs !== skipAt) sawOther = true;
					}
					if (skip && entry.timeMs === skipAt && skip.take(entry.item.id)) continue;
					kept.push(entry);
				}
				yield { items: kept, page };
				if (pastDeadline(ctx)) {
					stats.stoppedAtDeadline = true;
					return;
				}
			}
			// A full window may hide more even when the total says not: some totals stop at the window.
			const capped = count >= window || (total !== undefined && total > count);
			if (!capped || count === 0 || Number.isNaN(lastTime)) return;
			if (!sawOther) {
				throw new NodeOperationError(
					ctx.fn.getNode(),
					`More than ${window} events share the instant ${new Date(lastTime).toISOString()}`,
					{
						description:
							'The vendor cannot page past this many events at one millisecond. Narrow the search with a filter (actor, query) and run it again.',
						itemIndex: ctx.itemIndex,
					},
				);
			}
			// Records met at the last instant come again in the next window: skip exactly those.
			skip = new Multiset();
			for (const id of atLast) skip.add(id);
			skipAt = lastTime;
			current = from(current, lastTime);
		}
	} finally {
		await next?.drop();
	}
}
