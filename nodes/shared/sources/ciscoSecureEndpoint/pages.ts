// Cisco Secure Endpoint GET /v1/audit_logs read in either order over a newest-first offset API, kept exact while Cisco writes.
import { Multiset } from '../../reader';
import { NodeApiError, type IDataObject, type JsonObject } from 'n8n-workflow';
import { isoTime } from '../../auditItem';
import { utcMillis } from '../../utcMillis';
import { contentId } from '../../canonical';
import type { AuditQuery, Page, SourceContext } from '../../types';
import { pagesAhead, PAGES_IN_FLIGHT, type PagesAhead } from '../../pagesAhead';
import { QuotaMeter } from './quota';
import {
	AUDIT_LOGS_PATH,
	ciscoParams,
	ciscoTime,
	CISCO_PAGE_SIZE,
	floorSecond,
	nextOffset,
	pinnedRange,
} from './request';

type Envelope = {
	metadata?: { links?: { next?: string }; results?: { total?: number; index?: number } };
	data?: IDataObject[];
};

/** The time bounds of one query (epoch ms, whole seconds, both inclusive). */
type Window = { start?: number; end: number };

type Answer = { data: IDataObject[]; total?: number; next: boolean; nextOffset?: number };

/**
 * How many times in a row one read may find the log changed under it without taking a page.
 * Each change costs a request or two; past this, records keep landing inside the range faster
 * than it can be read consistently.
 */
export const MAX_SHIFTS = 10;

/** The record's created_at as epoch ms, or NaN. Cisco writes `…T09:00:05Z`: parsed as it is. */
function timeOf(record: IDataObject): number {
	const value = record.created_at;
	if (typeof value !== 'string') return NaN;
	const ms = utcMillis(value);
	return Number.isNaN(ms) ? utcMillis(isoTime(value) ?? '') : ms;
}

/** Rounding the range to whole seconds reads a little around it: those records are left out. */
function inRange(records: IDataObject[], query: AuditQuery): IDataObject[] {
	return records.filter((record) => {
		const ms = timeOf(record);
		return Number.isNaN(ms) || (ms <= query.end && (query.start === undefined || ms >= query.start));
	});
}


/**
 * The second the read has reached (the last second met, in reading order) and the content ids of
 * the records met at it: what a narrowed query that resumes at that second must not repeat.
 * Ids are computed only for the records at the page's last second.
 */
class Edge {
	at = NaN;
	private ids: string[] = [];

	/** `records` in reading order, as received (before any skip or range filter). */
	track(records: IDataObject[]): void {
		let last = records.length - 1;
		while (last >= 0 && Number.isNaN(timeOf(records[last]))) last--;
		if (last < 0) return;
		const second = floorSecond(timeOf(records[last]));
		const ids: string[] = [];
		let i = last;
		for (; i >= 0; i--) {
			const ms = timeOf(records[i]);
			if (Number.isNaN(ms)) continue;
			if (floorSecond(ms) !== second) break;
			ids.push(contentId(records[i]));
		}
		// The whole page sits in the second already reached: the earlier ids stay.
		this.ids = i < 0 && second === this.at ? [...this.ids, ...ids] : ids;
		this.at = second;
	}

	/** The skip for a query resuming at this second, and a fresh edge for it. */
	resume(): Skip {
		const skip = new Skip(this.at, this.ids);
		this.at = NaN;
		this.ids = [];
		return skip;
	}
}

/**
 * Drops, from the first records of a resumed query, those at its first second that were already
 * read. Identical records are counted, so two identical events at one second stay two events.
 */
class Skip {
	private readonly ids: Multiset;
	done = false;

	constructor(
		private readonly second: number,
		ids: string[],
	) {
		this.ids = new Multiset(ids);
	}

	apply(records: IDataObject[]): IDataObject[] {
		if (this.done) return records;
		const kept: IDataObject[] = [];
		for (const record of records) {
			if (!this.done) {
				const ms = timeOf(record);
				if (!Number.isNaN(ms) && floorSecond(ms) !== this.second) this.done = true;
				else if (this.ids.take(contentId(record))) continue;
			}
			kept.push(record);
		}
		return kept;
	}
}

/** A page answered at another offset than asked is asked for this many times in all. */
const REPEATED_PAGE_ATTEMPTS = 2;

/** One read: its requests, the quota they used, and the shifts it met. */
class CiscoRead {
	readonly params: IDataObject;
	readonly quota = new QuotaMeter();
	/** Changes met since the last page taken. */
	private streak = 0;

	constructor(
		readonly ctx: SourceContext,
		readonly query: AuditQuery,
	) {
		this.params = ciscoParams(query);
	}

	/**
	 * The page at `offset`. Cisco's ids are content hashes, so a page served twice (a stale cache or
	 * proxy answering the page before) cannot be told by its records; its `metadata.results.index`
	 * (the offset of its first record) tells it. Such a page is asked for once more, then the read fails.
	 */
	async fetch(window: Window, offset: number, limit: number): Promise<Answer> {
		for (let attempt = 1; ; attempt++) {
			const { answer, index } = await this.fetchOnce(window, offset, limit);
			if (index === undefined || index === offset) return answer;
			if (attempt === REPEATED_PAGE_ATTEMPTS) {
				throw new NodeApiError(this.ctx.fn.getNode(), { message: 'misplaced page' } as JsonObject, {
					message: `Cisco Secure Endpoint was asked for the page at offset ${offset} and answered the page at offset ${index} (${attempt} times)`,
					description:
						'A cache or proxy between n8n and Cisco may be serving stale pages. No partial result was returned; run again, and check any proxy in the way if it persists.',
					itemIndex: this.ctx.itemIndex,
				});
			}
		}
	}

	private async fetchOnce(window: Window, offset: number, limit: number): Promise<{ answer: Answer; index?: number }> {
		const qs: IDataObject = { ...this.params };
		if (window.start !== undefined) qs.start_time = ciscoTime(window.start);
		qs.end_time = ciscoTime(window.end);
		qs.limit = limit;
		if (offset > 0) qs.offset = offset;
		const response = await this.ctx.request<Envelope>({ method: 'GET', url: AUDIT_LOGS_PATH, qs });
		this.quota.count(response.headers, this.ctx.now());
		const data = response.body?.data;
		if (!Array.isArray(data)) {
			throw new NodeApiError(this.ctx.fn.getNode(), { message: 'no data array' } as JsonObject, {
				message: 'Cisco Secure Endpoint answered without a data list',
				description: `Check the Region (or the Base URL of a custom region) in the credential. The answer came for offset ${offset}.`,
				itemIndex: this.ctx.itemIndex,
			});
		}
		const { total, index } = response.body.metadata?.results ?? {};
		const next = response.body.metadata?.links?.next;
		const answer: Answer = {
			data,
			total: typeof total === 'number' && Number.isInteger(total) ? total : undefined,
			next: typeof next === 'string' && next !== '',
			nextOffset: nextOffset(next),
		};
		return { answer, index: typeof index === 'number' && Number.isInteger(index) ? index : undefined };
	}

	/**
	 * Counts one change of the log under the read; past MAX_SHIFTS the run fails rather than
	 * return a result it cannot vouch for.
	 */
	shifted(before: number | undefined, after: number | undefined, offset: number): void {
		this.streak++;
		if (this.streak <= MAX_SHIFTS) return;
		throw new NodeApiError(this.ctx.fn.getNode(), { message: 'audit log kept changing' } as JsonObject, {
			message: `Cisco Secure Endpoint's audit log changed ${this.streak} times in a row while it was read`,
			description:
				`Records kept landing inside the time range between two pages (the total went from ${String(before)} to ${String(after)} at offset ${offset}), so the pages could not be read consistently and no partial result was returned. ` +
				"Cisco's clock may be far behind this machine's, or records are reaching the log late: end the range earlier (Filters > End), or run again.",
			itemIndex: this.ctx.itemIndex,
		});
	}

	/** A change met when the records read so far carry no time to resume from. */
	untimed(before: number | undefined, after: number | undefined, offset: number): NodeApiError {
		return new NodeApiError(this.ctx.fn.getNode(), { message: 'audit log changed' } as JsonObject, {
			message: 'Cisco Secure Endpoint changed its audit log while it was read',
			description: `The total went from ${String(before)} to ${String(after)} at offset ${offset}, and the records read so far carry no created_at to resume from, so no partial result was returned. Run again.`,
			itemIndex: this.ctx.itemIndex,
		});
	}

	/**
	 * The pages from `offset` on, `step` apart, fetched ahead up to the total (and the caller's
	 * Limit), within the hourly quota Cisco reports left; undefined when nothing may be.
	 */
	ahead(window: Window, offset: number, step: number, total: number, limit: number): PagesAhead<Answer> | undefined {
		const width = () => Math.min(PAGES_IN_FLIGHT, Math.max(1, this.quota.remaining ?? PAGES_IN_FLIGHT));
		return pagesAhead(this.query, (at) => this.fetch(window, at, limit), { start: offset, step, total }, width);
	}

	page(records: IDataObject[], total: number | undefined): Page {
		this.streak = 0;
		return { records: inRange(records, this.query), total };
	}
}

/**
 * Newest first, as the API serves: offsets from the newest record. A record written inside the
 * range between two pages (Cisco's clock behind ours) pushes every later offset one further, so the
 * next page would repeat one record. Each answer carries the range's total: when it differs from
 * the previous page's, that page is dropped and the read resumes in a range ending at the second
 * it has reached, skipping the records already read at that second. Records written after the read
 * passed their place are not in this run (they were not there when it read that part).
 */
async function* newestFirst(read: CiscoRead, range: Window, limit: number): AsyncGenerator<Page> {
	let window = range;
	let offset = 0;
	let total: number | undefined;
	const edge = new Edge();
	let skip: Skip | undefined;
	let ahead: PagesAhead<Answer> | undefined;
	try {
		for (;;) {
			const answer = await (ahead?.take(offset) ?? read.fetch(window, offset, limit));
			if (offset > 0 && total !== undefined && answer.total !== undefined && answer.total !== total) {
				// What was fetched ahead counted offsets against the old total: none of it is used.
				await ahead?.close();
				ahead = undefined;
				read.shifted(total, answer.total, offset);
				if (Number.isNaN(edge.at)) throw read.untimed(total, answer.total, offset);
				window = { ...window, end: edge.at };
				skip = edge.resume();
				offset = 0;
				total = undefined;
				continue;
			}
			total = answer.total;
			edge.track(answer.data);
			const records = skip ? skip.apply(answer.data) : answer.data;
			yield read.page(records, total);
			if (!answer.next || answer.data.length === 0) return;
			// Our own request at the link's offset: the filters and the pinned range stay ours, and the
			// credential never goes to a host the link might name.
			offset = Math.max(answer.nextOffset ?? 0, offset + answer.data.length);
			// The total says where the pages are: the next ones are fetched ahead, a few at a time.
			if (ahead === undefined && total !== undefined) ahead = read.ahead(window, offset, answer.data.length, total, limit);
		}
	} finally {
		await ahead?.close();
	}
}

/**
 * Oldest first, without reading the whole range: the first page (offset 0) gives the range's
 * total, and the oldest records then sit at offset total − n. So a read that stops early (Max
 * Events per Poll, a Limit) costs requests for what it takes, not for the whole backlog. Offsets
 * counted from the newest record stay right only while the total does: an answer with another
 * total is dropped, and the read resumes in a range that starts at the second it has reached
 * (skipping what it read there) and ends at the newest record the first page showed, so records
 * Cisco writes meanwhile can no longer move it. They come on the next run.
 */
async function* oldestFirst(read: CiscoRead, range: Window, limit: number): AsyncGenerator<Page> {
	let window = range;
	const edge = new Edge();
	let skip: Skip | undefined;
	let newestAtStart: number | undefined;
	for (;;) {
		const first = await read.fetch(window, 0, limit);
		if (newestAtStart === undefined && first.data.length > 0) {
			const newest = timeOf(first.data[0]);
			newestAtStart = Number.isNaN(newest) ? window.end : Math.max(floorSecond(newest), window.start ?? -Infinity);
		}
		const complete =
			!first.next || first.data.length === 0 || (first.total !== undefined && first.data.length >= first.total);
		if (complete || first.total === undefined) {
			// One page holds it all, or there is no total to count from: read on newest first, then reverse.
			const pages: IDataObject[][] = [first.data];
			for (let offset = first.data.length, next = first; next.next && next.data.length > 0; ) {
				offset = Math.max(next.nextOffset ?? 0, offset);
				next = await read.fetch(window, offset, limit);
				pages.push(next.data);
				offset += next.data.length;
			}
			for (let p = pages.length - 1; p >= 0; p--) yield take(pages[p].slice().reverse(), first.total);
			return;
		}
		// The server may serve fewer than asked per page: its page is then the unit.
		const pageSize = Math.min(limit, first.data.length);
		let total = first.total;
		let taken = 0;
		let resumed = false;
		while (taken < total) {
			const want = Math.min(pageSize, total - taken);
			const offset = total - taken - want;
			// The newest page is already at hand while the total has not moved.
			const answer: Answer =
				total === first.total && offset + want <= first.data.length
					? { data: first.data.slice(offset, offset + want), total, next: false }
					: await read.fetch(window, offset, want);
			if (answer.total !== total || answer.data.length !== want) {
				read.shifted(total, answer.total, offset);
				if (taken === 0 && answer.total !== undefined) {
					// Nothing taken from this range yet: aim again with the new total.
					total = answer.total;
					continue;
				}
				if (Number.isNaN(edge.at)) throw read.untimed(total, answer.total, offset);
				const end = Math.min(window.end, newestAtStart ?? window.end);
				window = { start: edge.at, end: Math.max(end, edge.at) };
				skip = edge.resume();
				resumed = true;
				break;
			}
			const records = answer.data.slice().reverse();
			edge.track(records);
			taken += want;
			yield take(records, total);
		}
		if (!resumed) return;
	}

	function take(records: IDataObject[], total: number | undefined): Page {
		return read.page(skip ? skip.apply(records) : records, total);
	}
}

/** Reads the query page by page in `query.order`, within a range pinned when the run starts. */
export async function* auditLogPages(ctx: SourceContext, query: AuditQuery): AsyncIterable<Page> {
	const range = pinnedRange(query, ctx.now());
	if (range.start !== undefined && range.start > range.end) return;
	const read = new CiscoRead(ctx, query);
	const limit = Math.min(query.pageSize, CISCO_PAGE_SIZE);
	let complete = false;
	try {
		yield* query.order === 'asc' ? oldestFirst(read, range, limit) : newestFirst(read, range, limit);
		complete = true;
	} finally {
		// Also when the caller stopped early (Limit): a nearly spent quota is worth a hint.
		const note = read.quota.summary(complete);
		if (note) ctx.note(note);
	}
}
