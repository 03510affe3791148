// A bench for the trigger's behaviour tests: hand-made vendor histories served over nock, polled by the real node.
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { AuditLogTrigger } from '../../nodes/AuditLogTrigger/AuditLogTrigger.node';
import { runPoll } from '../harness/n8n';
import type { ModelVendor, VendorServer } from '../model/emulators/store';
import type { History, ModelEvent } from '../model/history';
import { VendorOverHttp, VirtualClock } from '../model/http';
import { CREDENTIAL_TYPES } from '../model/nodeRun';

/** Activation time of every bench; event times are given as ms from it. */
export const T0 = Date.UTC(2024, 4, 1, 12);

export type EventSpec = { at: number; arrival?: number; content?: number };

/** A history from explicit events (times relative to T0); each event its own content unless told. */
export function handHistory(specs: EventSpec[], precisionMs = 1): History {
	const events: ModelEvent[] = specs
		.map((spec, i) => {
			const time = T0 + Math.floor(spec.at / precisionMs) * precisionMs;
			return {
				index: 0,
				time,
				micros: 0,
				arrival: spec.arrival === undefined ? time : T0 + spec.arrival,
				content: spec.content ?? i,
				tie: i,
				noId: false,
			};
		})
		.sort((a, b) => a.time - b.time || a.tie - b.tie);
	events.forEach((event, index) => (event.index = index));
	return {
		seed: 0,
		kind: 'quiet',
		precisionMs,
		overlapMs: 60_000,
		lookbackMs: 0,
		events,
		polls: [{ at: T0, maxEvents: 1000, restart: false }],
		skewMs: 0,
	};
}

/** What n8n hands a poll besides the parameters: its static data, error hook, durable budget. */
export type PollHost = {
	/** The durable scheduler stages a copy of the static data per poll; default: the bench's own. */
	staticData?: IDataObject;
	emitError?: (error: Error) => void;
	pollBudgetMs?: number;
};

export class TriggerBench {
	staticData: IDataObject = {};
	readonly http: VendorOverHttp;
	readonly server: VendorServer;

	constructor(
		private readonly vendor: ModelVendor,
		readonly history: History,
		clock: VirtualClock,
		routes?: RegExp,
		/** Virtual ms one request takes (a slow vendor: more than a poll's budget over a few pages). */
		requestMs?: number,
	) {
		this.server = vendor.createServer(history);
		this.http = new VendorOverHttp(vendor, this.server, clock, routes, requestMs);
	}

	/** One poll `at` ms after T0; `options` and `extra` parameters as the workflow would hold them. */
	async poll(
		at: number,
		options: INodeParameters = {},
		mode: 'trigger' | 'manual' = 'trigger',
		extra: INodeParameters = {},
		host: PollHost = {},
	): Promise<INodeExecutionData[][] | null> {
		this.http.beginPoll(T0 + at);
		return await this.pollNow(options, mode, extra, host);
	}

	/** A poll that starts now, without moving the clock (one overlapping a poll in flight). */
	async pollNow(
		options: INodeParameters = {},
		mode: 'trigger' | 'manual' = 'trigger',
		extra: INodeParameters = {},
		host: PollHost = {},
	): Promise<INodeExecutionData[][] | null> {
		return await runPoll({
			nodeType: new AuditLogTrigger(),
			parameters: { source: this.vendor.id, options, ...extra },
			credentials: { [this.vendor.credentialType]: { ...this.vendor.credentials } },
			credentialTypes: CREDENTIAL_TYPES,
			mode,
			staticData: host.staticData ?? this.staticData,
			emitError: host.emitError,
			pollBudgetMs: host.pollBudgetMs,
		});
	}

	/** The events behind emitted items, as indexes into the history (identities must be unique). */
	indexesOf(output: INodeExecutionData[][] | null): number[] {
		return (output?.[0] ?? []).map((item) => {
			const identity = this.server.identityOf(item.json.raw);
			const event = this.history.events.find((e) => this.server.identityOfEvent(e) === identity);
			if (!event) throw new Error(`not a record of this history: ${JSON.stringify(item.json.raw)}`);
			return event.index;
		});
	}
}

/** 0..n-1: the indexes of a history's first n events (events are sorted oldest first). */
export const firstIndexes = (n: number, from = 0): number[] =>
	Array.from({ length: n }, (_, i) => from + i);
