// Pages asked for before the reader gets to them. Offset pages are fetched a few at a time and handed
// out strictly in order: under a vendor's latency a Return All then costs about (pages ÷ window)
// round trips instead of one per page. A windowed read (CBC, Pangea search) starts its next window
// while the last page of the current one is normalized (StartedRead).
import type { AuditQuery } from './types';

/**
 * At most this many page requests in flight per read. Under 50 ms of latency, 10,000 Cisco events
 * are 20 pages: 1 + 19 ÷ 6 ≈ 4 round trips instead of 20 (measured 3.4–3.8× a sequential loop;
 * 4 in flight gave 2.6×). It holds at most 6 answers in memory, each under the byte cap, and
 * stays inside every vendor's limits: Cortex's tenant-wide 10 requests per second is still
 * enforced by the transport's per-run budget (the window only fills it), and a source may narrow
 * it further (Cisco, to the hourly quota it reports left).
 */
export const PAGES_IN_FLIGHT = 6;

/**
 * The offset below which pages may be fetched ahead: all of them for a read that takes every
 * page (Return All, an export), up to the records the caller will take for a Limit, none else
 * (a poll that may stop after one page must not pay for pages it never reads).
 */
export function fetchAheadUntil(query: AuditQuery): number {
	if (query.readAhead === true) return Infinity;
	return query.maxRecords ?? 0;
}

/**
 * The pages from `start` on, `step` apart, below `total` and the caller's bound
 * (`fetchAheadUntil`), fetched ahead `width()` at a time; undefined when none may be.
 */
export function pagesAhead<T>(
	query: AuditQuery,
	fetch: (offset: number) => Promise<T>,
	at: { start: number; step: number; total: number },
	width?: () => number,
): PagesAhead<T> | undefined {
	const end = Math.min(at.total, fetchAheadUntil(query));
	return at.start < end && at.step > 0 ? new PagesAhead(fetch, at.start, at.step, end, width) : undefined;
}

/**
 * The pages at start, start + step, … (below `end`) requested ahead, at most `width()` at a time
 * counting the one the reader waits for. The reader asks for each offset in turn with `take`;
 * answers come back in that order whatever order they arrive in. An offset other than the one
 * fetched ahead (a short page, a shifted log) drops what was fetched ahead: the reader goes on one
 * page at a time from there. A failed page fails only when the reader takes it, so the pages
 * before it are handed out first and nothing after it is.
 */
export class PagesAhead<T> {
	private readonly queue: Array<{ offset: number; answer: Promise<T> }> = [];
	private readonly unsettled = new Set<Promise<void>>();
	private next: number;
	private stopped = false;

	constructor(
		private readonly fetch: (offset: number) => Promise<T>,
		start: number,
		private readonly step: number,
		private readonly end: number,
		private readonly width: () => number = () => PAGES_IN_FLIGHT,
	) {
		this.next = start;
	}

	/** The answer at `offset` if it was fetched ahead; undefined (and no more fetching ahead) otherwise. */
	take(offset: number): Promise<T> | undefined {
		this.fill();
		const head = this.queue[0];
		if (head === undefined || head.offset !== offset) {
			this.stop();
			return undefined;
		}
		this.queue.shift();
		this.fill();
		return head.answer;
	}

	/** Launches nothing more and drops what was fetched ahead; resolves once none of it is in flight. */
	async close(): Promise<void> {
		this.stop();
		while (this.unsettled.size > 0) await Promise.all([...this.unsettled]);
	}

	private stop(): void {
		this.stopped = true;
		this.queue.length = 0;
	}

	private fill(): void {
		// The page the reader waits for is in flight too: width − 1 ahead of it.
		while (!this.stopped && this.next < this.end && this.queue.length + 1 < this.width()) {
			const offset = this.next;
			this.next += this.step;
			const answer = this.fetch(offset);
			// Also marks a failure as handled: a dropped page's error is nobody's to report.
			const settled: Promise<void> = answer.then(
				() => undefined,
				() => undefined,
			);
			this.unsettled.add(settled);
			void settled.then(() => this.unsettled.delete(settled));
			this.queue.push({ offset, answer });
		}
	}
}

/**
 * A read whose first page is asked for now, not when it is first read: the request is on the wire
 * while the caller finishes what it is doing (it must let the event loop turn: `ctx.turn`).
 */
export class StartedRead<T> {
	private readonly first: Promise<IteratorResult<T>>;

	constructor(private readonly pages: AsyncGenerator<T>) {
		this.first = pages.next();
		// Surfaced when read; a read dropped unread (the caller stopped or failed) must not report it.
		this.first.catch(() => undefined);
	}

	/** Its pages, from the one already asked for. */
	async *read(): AsyncGenerator<T> {
		try {
			const head = await this.first;
			if (head.done) return;
			yield head.value;
			yield* this.pages;
		} finally {
			await this.pages.return(undefined);
		}
	}

	/** Drops it unread: resolves once its request is no longer in flight (its outcome is nobody's). */
	async drop(): Promise<void> {
		await this.pages.return(undefined).catch(() => undefined);
	}
}
