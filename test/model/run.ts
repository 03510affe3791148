// Runs one seeded history through a real source + the real cursor over an emulated vendor API.
import { NodeApiError, type INode, type JsonObject } from 'n8n-workflow';

import { readNewEvents, type CursorState } from '../../nodes/shared/cursor';
import { openCursor } from '../../nodes/shared/queue';
import { DEFAULT_MAX_BODY_BYTES } from '../../nodes/shared/context';
import type {
	ApiRequest,
	ApiResponse,
	AuditQuery,
	AuditSource,
	NodeFunctions,
	SourceContext,
	TimedItem,
} from '../../nodes/shared/types';
import type { ModelVendor, ServerRequest, VendorServer, View } from './emulators/store';
import { generateHistory, type History, type ModelEvent, type ModelPoll } from './history';
import { DRAIN_MAX_EVENTS, DRAIN_POLLS, drainStart, Oracle, settle } from './oracle';
import { Rng } from './random';

/** Virtual ms each request takes: records keep arriving while a poll pages. */
const REQUEST_MS: [number, number] = [0, 30];
export const STATE_LIMIT_BYTES = 64 * 1024;

const MODEL_NODE: INode = {
	id: 'model-trigger',
	name: 'Audit Log Trigger',
	type: 'n8n-nodes-audit-log.auditLogTrigger',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

/** How often a run met each hazard the model exists for: a suite asserts it met each at all. */
export type Coverage = {
	faults: number;
	midPaginationFaults: number;
	restarts: number;
	/** Polls that stopped at Max Events per Poll and carried the rest over. */
	fullPolls: number;
	/** Polls whose read took two or more vendor queries (a split 10 000-record window). */
	splitPolls: number;
	/** Polls after which the id cap, not the overlap, set the floor (the state's bound at work). */
	cappedPolls: number;
	/** Polls on a vendor whose clock is ahead of or behind n8n's. */
	skewedPolls: number;
	/** Owed records that reached the vendor later than their own time (and came out exactly once). */
	lateRecords: number;
};

export const noCoverage = (): Coverage => ({
	faults: 0,
	midPaginationFaults: 0,
	restarts: 0,
	fullPolls: 0,
	splitPolls: 0,
	cappedPolls: 0,
	skewedPolls: 0,
	lateRecords: 0,
});

export type ModelRun = {
	/** Undefined when every event came out exactly once, oldest first per poll. */
	failure?: string;
	maxStateBytes: number;
	coverage: Coverage;
};

class ModelFailure extends Error {}

/** A request as the transport would send it, seen from the vendor's side. */
export function toServerRequest(req: ApiRequest, baseUrl: string): ServerRequest {
	const url = new URL(
		/^https?:\/\//i.test(req.url) ? req.url : baseUrl.replace(/\/+$/, '') + req.url,
	);
	if (url.origin !== new URL(baseUrl).origin)
		throw new ModelFailure(`request to a foreign host: ${req.url}`);
	const query: Record<string, string> = Object.fromEntries(url.searchParams);
	for (const [key, value] of Object.entries(req.qs ?? {}))
		if (value !== undefined) query[key] = String(value);
	// Through JSON, as on the wire: a body that does not survive it would not reach the vendor either.
	const body: unknown = req.body === undefined ? undefined : JSON.parse(JSON.stringify(req.body));
	return { method: req.method, path: url.pathname, query, body, origin: url.origin };
}

/**
 * Records arrive on the vendor's clock. A poll's requests advance that clock, so records keep
 * arriving mid-poll: on-time ones (the trigger bounds every read by its end time), while a late
 * record, older than the poll's end, lands between polls. A late record that lands mid-pagination
 * shifts an offset-paged result by one, and no client can tell the repeat from an identical record.
 */
export function viewAt(pollStart: number, now: number, precisionMs: number): View {
	return {
		now,
		visible: (e: ModelEvent) =>
			e.arrival <= pollStart || (e.arrival <= now && e.arrival - e.time <= precisionMs),
	};
}

/** Checks one poll's emitted events: at most `max`, oldest first, each a record the vendor sent. */
export function checkBatch(
	oracle: Oracle,
	items: Array<{ time: number; raw: unknown }>,
	max: number,
): string | undefined {
	if (items.length > max) return `emitted ${items.length} > max ${max}`;
	for (let i = 0; i < items.length; i++) {
		if (Number.isNaN(items[i].time)) return 'an item without a time';
		if (i > 0 && items[i].time < items[i - 1].time) {
			return `not oldest first: ${new Date(items[i - 1].time).toISOString()} then ${new Date(items[i].time).toISOString()}`;
		}
		const complaint = oracle.record(items[i].raw);
		if (complaint) return complaint;
	}
	return undefined;
}

class Runner {
	private readonly server: VendorServer;
	private readonly oracle: Oracle;
	private readonly rng: Rng;
	private readonly injected = new WeakSet<object>();
	private readonly coverage = noCoverage();
	private state?: CursorState;
	private saved?: string;
	private pollStart = 0;
	private now = 0;
	private requests = 0;
	private fault?: ModelPoll['fault'];
	private pollCount = 0;
	private maxStateBytes = 0;

	constructor(
		private readonly vendor: ModelVendor,
		private readonly source: AuditSource,
		private readonly history: History,
	) {
		this.server = vendor.createServer(history);
		this.oracle = new Oracle(history, this.server, source.timePrecisionMs);
		this.rng = new Rng(history.seed, 2);
	}

	async run(): Promise<ModelRun> {
		let failure: string | undefined;
		try {
			for (const poll of this.history.polls) await this.poll(poll);
			await this.drain();
			failure = this.oracle.compare();
			if (!failure) this.coverage.lateRecords = this.oracle.lateOwed();
		} catch (error) {
			failure = (error as Error).message;
		}
		const replay = `npx jest test/model/model -t '${this.vendor.id} seed ${this.history.seed}$'`;
		return {
			failure: failure && this.oracle.describe(this.vendor.id, failure, replay),
			maxStateBytes: this.maxStateBytes,
			coverage: this.coverage,
		};
	}

	private async drain(): Promise<void> {
		for (let i = 0, at = drainStart(this.history); i < DRAIN_POLLS; i++, at += 1000) {
			const outcome = await this.poll({ at, maxEvents: DRAIN_MAX_EVENTS, restart: false });
			if (outcome && outcome.count === 0 && !outcome.full) return;
		}
		throw new ModelFailure(`still emitting after ${DRAIN_POLLS} drain polls`);
	}

	/** One scheduled poll, as AuditLogTrigger.poll runs it; undefined when it seeded or failed. */
	private async poll(poll: ModelPoll): Promise<{ count: number; full: boolean } | undefined> {
		this.pollCount++;
		const label = `#${this.pollCount} @${this.oracle.offset(poll.at)} max=${poll.maxEvents}`;
		const trace = this.oracle.trace;
		if (poll.restart && this.saved !== undefined) {
			this.state = JSON.parse(this.saved) as CursorState;
			this.coverage.restarts++;
			trace.push(`${label} restart: state reloaded from JSON`);
		}
		this.pollStart = this.now = poll.at;
		this.requests = 0;
		this.fault = poll.fault;
		if (this.history.skewMs !== 0) this.coverage.skewedPolls++;
		if (!this.state) {
			// Seeded the way the trigger seeds (shared/queue.ts openCursor), not with the oracle's formula.
			const opened = openCursor({}, 'triggerCursor', this.source.timePrecisionMs, () => poll.at - this.history.lookbackMs);
			this.save(opened.state);
			trace.push(`${label} activation: seeded at ${this.oracle.offset(this.state!.floor)}`);
			if (this.history.lookbackMs === 0) return undefined;
		}
		const previous = this.state!;
		const queries = this.server.queries;
		const settled = await settle(
			readNewEvents(this.context(), this.source, this.query(poll.at), previous, {
				overlapMs: this.history.overlapMs,
				maxEvents: poll.maxEvents,
			}),
		);
		if (!settled.ok) {
			if (!this.injected.has(settled.error as object)) throw settled.error;
			if (JSON.stringify(previous) !== this.saved)
				throw new ModelFailure(`${label}: the failed poll changed the cursor`);
			this.coverage.faults++;
			if (this.requests > 1) this.coverage.midPaginationFaults++;
			trace.push(
				`${label} fault ${poll.fault!.status} at request ${this.requests}: nothing emitted`,
			);
			return undefined;
		}
		const result = settled.value;
		const complaint = checkBatch(this.oracle, result.events.map(toChecked), poll.maxEvents);
		if (complaint) throw new ModelFailure(`${label}: ${complaint}`);
		this.save(result.next);
		this.count(previous, result, queries);
		const s = result.next;
		trace.push(
			`${label} → ${result.events.length}${result.full ? ' (full)' : ''} in ${this.requests} req;` +
				` floor ${this.oracle.offset(s.floor)} mark ${this.oracle.offset(s.watermark)}` +
				` ids ${s.seen.reduce((n, [, ids]) => n + ids.length, 0)}`,
		);
		return { count: result.events.length, full: result.full };
	}

	private count(
		previous: CursorState,
		result: { next: CursorState; full: boolean },
		queries: number,
	): void {
		if (result.full) this.coverage.fullPolls++;
		if (this.server.queries - queries > 1) this.coverage.splitPolls++;
		const { floor, watermark } = result.next;
		if (floor > Math.max(previous.floor, watermark - this.history.overlapMs))
			this.coverage.cappedPolls++;
	}

	private save(state: CursorState): void {
		this.state = state;
		this.saved = JSON.stringify(state);
		this.maxStateBytes = Math.max(this.maxStateBytes, this.saved.length);
		if (this.saved.length >= STATE_LIMIT_BYTES)
			throw new ModelFailure(`state grew to ${this.saved.length} bytes`);
	}

	private query(end: number): AuditQuery {
		// What readQuery gives the trigger with no filters set; readNewEvents sets the start.
		return {
			end,
			order: 'asc',
			common: { flaggedOnly: false },
			vendor: {},
			vendorOptions: {},
			pageSize: this.source.pageSize,
			verify: false,
		};
	}

	private context(): SourceContext {
		const fn = { getNode: () => MODEL_NODE } as unknown as NodeFunctions;
		return {
			fn,
			itemIndex: 0,
			request: async <T>(req: ApiRequest): Promise<ApiResponse<T>> => await this.request<T>(req),
			requestWithoutAuth: async () => {
				throw new ModelFailure('the cursor read asked for a pre-signed download');
			},
			credentials: async () => this.vendor.credentials,
			sleep: async () => {},
			turn: async () => {},
			throwIfCancelled: () => {},
			now: () => this.now,
			note: () => {},
			maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
			redact: (text: string) => text,
		};
	}

	private async request<T>(req: ApiRequest): Promise<ApiResponse<T>> {
		this.requests++;
		this.now += this.rng.int(...REQUEST_MS);
		if (this.fault && this.requests === this.fault.atRequest) {
			// What the transport throws once its retries are spent.
			const error = new NodeApiError(MODEL_NODE, { message: 'injected fault' } as JsonObject, {
				httpCode: String(this.fault.status),
			});
			this.injected.add(error);
			throw error;
		}
		const res = this.server.handle(
			toServerRequest(req, this.vendor.baseUrl),
			viewAt(this.pollStart + this.history.skewMs, this.now + this.history.skewMs, this.history.precisionMs),
		);
		if (res.status >= 300) {
			const sent = JSON.stringify(req.body ?? req.qs ?? {});
			throw new ModelFailure(
				`${req.method} ${req.url} ${sent} → ${res.status} ${JSON.stringify(res.body)}`,
			);
		}
		return { status: res.status, headers: res.headers ?? {}, body: res.body as T };
	}
}

const toChecked = (entry: TimedItem) => ({ time: entry.timeMs, raw: entry.item.raw });

export async function runHistory(
	vendor: ModelVendor,
	source: AuditSource,
	seed: number,
): Promise<ModelRun> {
	return await runModelHistory(vendor, source, generateHistory(seed, vendor.traits));
}

export async function runModelHistory(
	vendor: ModelVendor,
	source: AuditSource,
	history: History,
): Promise<ModelRun> {
	return await new Runner(vendor, source, history).run();
}
