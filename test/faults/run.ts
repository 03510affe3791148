// Runs one source × operation against the child simulator through n8n-core (runNode / runPoll), with
// or without a fault, and scores the outcome against the fault-free run: events lost, duplicated, and
// silent partials (a run that reported success with events missing). A failure counts as reported in
// every way n8n shows one: a thrown error, an error item, a failure hint of the execution (Fetch
// Queue) or an error handed to the poll's emitError (the trigger).
import {
	NodeApiError,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type INodeExecutionData,
	type INodeParameters,
} from 'n8n-workflow';

import { AuditLog } from '../../nodes/AuditLog/AuditLog.node';
import { AuditLogTrigger } from '../../nodes/AuditLogTrigger/AuditLogTrigger.node';
import { getSource } from '../../nodes/shared/sources';
import { runNode, runPoll } from '../harness/n8n';
import { CREDENTIAL_TYPES } from '../support/auditLog';
import { readExport } from '../support/exportFiles';
import type { FaultSpec, SimChild, SimInfo, Vendor } from './sim';
import { virtualTime } from './sim';

export type SourceRow = {
	id: 'carbonBlackCloud' | 'cortexXdr' | 'ciscoSecureEndpoint' | 'pangea';
	vendor: Vendor;
	credentialType: string;
	credential: (sim: SimInfo) => ICredentialDataDecryptedObject;
};

export const SOURCE_ROWS: Record<Vendor, SourceRow> = {
	cbc: {
		id: 'carbonBlackCloud',
		vendor: 'cbc',
		credentialType: 'carbonBlackCloudApi',
		credential: (sim) => ({
			baseUrl: sim.urls.cbc,
			orgKey: sim.credentials.cbc.orgKey,
			apiId: sim.credentials.cbc.apiId,
			apiSecretKey: sim.credentials.cbc.apiSecretKey,
		}),
	},
	cortex: {
		id: 'cortexXdr',
		vendor: 'cortex',
		credentialType: 'cortexXdrApi',
		credential: (sim) => ({
			baseUrl: sim.urls.cortex,
			apiKeyId: sim.credentials.cortexAdvanced.apiKeyId,
			apiKey: sim.credentials.cortexAdvanced.apiKey,
			securityLevel: 'advanced',
		}),
	},
	cisco: {
		id: 'ciscoSecureEndpoint',
		vendor: 'cisco',
		credentialType: 'ciscoSecureEndpointApi',
		credential: (sim) => ({
			region: 'custom',
			baseUrl: sim.urls.cisco,
			clientId: sim.credentials.cisco.clientId,
			apiKey: sim.credentials.cisco.apiKey,
		}),
	},
	pangea: {
		id: 'pangea',
		vendor: 'pangea',
		credentialType: 'pangeaAuditApi',
		credential: (sim) => ({
			domain: '',
			baseUrl: sim.urls.pangea,
			token: sim.credentials.pangea.token,
			configId: sim.credentials.pangea.configId,
			signingPrivateKey: '',
		}),
	},
};

export type Operation = 'search' | 'fetchQueue' | 'exportAndWait' | 'trigger' | 'log';

/** What a run of an operation gave: the events it emitted (by id) and the error it ended with. */
export type Outcome = {
	ids: string[];
	/** Errors of the runs (a cursor operation runs until it has nothing new). */
	errors: Error[];
	/** Items that carry an error instead of an event (Continue On Fail). */
	errorItems: number;
	/**
	 * Failures n8n shows without a thrown error, as text: an execution hint that says something failed,
	 * an error the trigger passed to emitError (n8n records a failed execution for it).
	 */
	reported: string[];
	runs: number;
};

/** One execution: its items (null: a poll with nothing new) and the failures it reported without throwing. */
type RunResult = { items: INodeExecutionData[] | null; reported: string[] };

/**
 * An execution hint that reports a failure. The informative ones (the safety cap, a manual run's
 * preview, unreadable times) never say failed or error; a failure the node reports this way does.
 */
const FAILURE_HINT = /\b(failed|failure|error)\b/i;

export type Score = { lost: number; duplicated: number; silentPartial: boolean };

/** How far a run's clock (real plus virtual waits) may move: the transport's wait budget and slack. */
export const BOUND_MS = 6 * 60_000;
/** Export and Wait's Max Wait in the suite, in seconds. */
export const EXPORT_MAX_WAIT_S = 120;
/** Between two runs of a cursor operation: past every source's settling delay (Cisco: its second). */
const POLL_GAP_MS = 2000;
/** Past this many runs a cursor operation is said to never settle. */
const MAX_RUNS = 12;
/** The trigger's first poll reads back this far: all seeded data (the simulator seeds one day). */
const LOOKBACK = '2d';
/** The search range: all seeded data, pinned, so every run reads the same records. */
export function searchRange(): INodeParameters {
	return {
		start: new Date(Date.now() - 3 * 86_400_000).toISOString(),
		end: new Date(Date.now() - 1000).toISOString(),
	};
}

export class FaultRunner {
	/** The node's static data, kept across the runs of one case (the cursor). */
	staticData: IDataObject = {};
	/** Max Events per Poll (trigger) or Limit (Fetch Queue); unset: 1000 and Return All. */
	maxEvents?: number;

	constructor(
		readonly sim: SimChild,
		readonly row: SourceRow,
		readonly range: INodeParameters,
		/** The case's vendor clock skew (ms ahead of the node; negative: behind). */
		readonly skewMs = 0,
	) {}

	private credentials() {
		return { [this.row.credentialType]: this.row.credential(this.sim.info) };
	}

	private actionParameters(operation: Operation): INodeParameters {
		const base: INodeParameters = { resource: this.row.id, operation };
		if (operation === 'search') return { ...base, returnAll: true, filters: this.range };
		if (operation === 'exportAndWait')
			return {
				...base,
				format: 'json',
				filters: this.range,
				options: { pollInterval: 1, maxWait: EXPORT_MAX_WAIT_S },
			};
		// The cursor queue's first run reads everything the vendor holds (a new cursor starts there).
		if (operation === 'fetchQueue') {
			const size = this.maxEvents
				? { returnAll: false, limit: this.maxEvents }
				: { returnAll: true };
			return { ...base, ...size, startFrom: 'beginning' };
		}
		return { ...base, logMessage: '' };
	}

	/** One execution of an action operation; throws what the node throws. */
	async action(operation: Operation, input?: INodeExecutionData[]): Promise<INodeExecutionData[]> {
		return (await this.execute(operation, input)).items ?? [];
	}

	/** One execution of an action operation, with the failures its hints report. */
	private async execute(operation: Operation, input?: INodeExecutionData[]): Promise<RunResult> {
		const result = await runNode({
			nodeType: new AuditLog(),
			parameters: this.actionParameters(operation),
			credentials: this.credentials(),
			credentialTypes: CREDENTIAL_TYPES,
			staticData: this.staticData,
			input,
		});
		const reported = result.hints.map((h) => h.message).filter((m) => FAILURE_HINT.test(m));
		return { items: result.output[0] ?? [], reported };
	}

	/**
	 * One scheduled poll of the trigger (`queue`: Carbon Black Cloud's queue read mode), with what
	 * it handed to emitError.
	 */
	private async poll(queue: boolean): Promise<RunResult> {
		const reported: string[] = [];
		const cbcMode = this.row.id === 'carbonBlackCloud' ? { cbcMode: queue ? 'queue' : 'search' } : {};
		const options = queue
			? { maxEventsPerPoll: this.maxEvents ?? 1000 }
			: { initialLookback: LOOKBACK, maxEventsPerPoll: this.maxEvents ?? 1000 };
		const output = await runPoll({
			nodeType: new AuditLogTrigger(),
			parameters: { source: this.row.id, ...cbcMode, options },
			credentials: this.credentials(),
			credentialTypes: CREDENTIAL_TYPES,
			mode: 'trigger',
			staticData: this.staticData,
			emitError: (error) => reported.push(describeError(error)),
		});
		return { items: output === null ? null : output[0], reported };
	}

	/**
	 * Runs the operation the way it is used: Search and Export once; Fetch Queue and the trigger
	 * until a run has nothing new (a failed run is followed by the next scheduled one, as n8n does).
	 * `between` runs after each run (a restart, a late record…).
	 */
	async outcome(
		operation: Operation | 'queueTrigger',
		between?: (run: number) => Promise<void>,
	): Promise<Outcome> {
		const out: Outcome = { ids: [], errors: [], errorItems: 0, reported: [], runs: 0 };
		const once = operation === 'search' || operation === 'exportAndWait';
		let quiet = 0;
		for (let run = 0; run < (once ? 1 : MAX_RUNS); run++) {
			out.runs++;
			await this.syncVendorClock();
			let items: INodeExecutionData[] | null;
			let reported: string[];
			try {
				({ items, reported } = await this.once(operation));
			} catch (error) {
				out.errors.push(error as Error);
				await between?.(run);
				await this.nextPoll();
				continue;
			}
			out.reported.push(...reported);
			await collect(out, operation, items);
			await between?.(run);
			// Settled: two runs in a row found nothing (what was written during a run is read by the next).
			quiet = items === null || items.length === 0 ? quiet + 1 : 0;
			if (quiet === 2) break;
			await this.nextPoll();
		}
		return out;
	}

	/** The next scheduled poll comes a little later: both clocks move on (the vendor's settling delay passes). */
	private async nextPoll(): Promise<void> {
		virtualTime.advance(POLL_GAP_MS);
	}

	/**
	 * The vendor's clock is the node's (real time plus what the node slept and the polls advanced)
	 * plus the case's skew, so a wait the node made does not read as a skew of its own.
	 */
	private async syncVendorClock(): Promise<void> {
		await this.sim.setConfig({ clockOffsetMs: this.skewMs + virtualTime.slept });
	}

	/** `count` runs started at once on the same static data (n8n's scheduler does not wait). */
	async together(operation: Operation | 'queueTrigger', count: number): Promise<Outcome> {
		const out: Outcome = { ids: [], errors: [], errorItems: 0, reported: [], runs: count };
		await this.syncVendorClock();
		const settled = await Promise.allSettled(
			Array.from({ length: count }, async () => await this.once(operation)),
		);
		for (const result of settled) {
			if (result.status === 'rejected') {
				out.errors.push(result.reason as Error);
				continue;
			}
			out.reported.push(...result.value.reported);
			await collect(out, operation, result.value.items);
		}
		return out;
	}

	private async once(operation: Operation | 'queueTrigger'): Promise<RunResult> {
		if (operation === 'trigger') return await this.poll(false);
		if (operation === 'queueTrigger') return await this.poll(true);
		return await this.execute(operation);
	}
}

/** Adds a run's items to the outcome: the events by id, and the error items (Continue On Fail). */
async function collect(
	out: Outcome,
	operation: Operation | 'queueTrigger',
	items: INodeExecutionData[] | null,
): Promise<void> {
	for (const item of items ?? []) {
		if (item.json.error !== undefined) out.errorItems++;
		else out.ids.push(...(await idsOf(operation, item)));
	}
}

/**
 * The event ids an output item stands for. An export item stands for the rows of its file: our
 * own rows carry the normalized id, a vendor's export holds its raw records (normalized here).
 */
async function idsOf(
	operation: Operation | 'queueTrigger',
	item: INodeExecutionData,
): Promise<string[]> {
	if (operation !== 'exportAndWait') return [String(item.json.id)];
	if (!item.binary?.data) return item.json.id !== undefined ? [String(item.json.id)] : [];
	let rows: unknown[];
	try {
		({ rows } = await readExport(item, 'json'));
	} catch {
		// A file that does not parse holds no event anyone can read: all of them are missing.
		return [];
	}
	const source = getSource(String(item.json.source));
	return (rows as IDataObject[]).map((row) =>
		typeof row.id === 'string' && typeof row.source === 'string'
			? row.id
			: source!.normalize(row).id,
	);
}

function multiset(ids: string[]): Map<string, number> {
	const counts = new Map<string, number>();
	for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
	return counts;
}

/**
 * Lost and duplicated against the fault-free ids, as multisets (identical records share an id).
 * Search and Export consume nothing: a clear error instead of the result loses nothing. The cursor
 * operations must deliver everything over their runs, so what they miss is lost, error or not —
 * except what a read-once queue handed out in an answer that never reached the client whole
 * (`dropped`, from the simulator's record of its queue): no client can get that back, so it counts
 * as lost only when no failure was reported. Everything else the queue gave must be in the output.
 */
export function score(
	expected: string[],
	outcome: Outcome,
	kind: { readsOnce: boolean; dropped?: string[] },
): Score {
	const want = multiset(expected);
	const got = multiset(outcome.ids);
	const dropped = multiset(kind.dropped ?? []);
	let lost = 0;
	let excused = 0;
	let duplicated = 0;
	for (const [id, n] of want) {
		const missing = Math.max(0, n - (got.get(id) ?? 0));
		lost += missing;
		excused += Math.min(missing, dropped.get(id) ?? 0);
	}
	for (const [id, n] of got) duplicated += Math.max(0, n - (want.get(id) ?? 0));
	// Missing events with no failure shown anywhere: a partial result presented as complete.
	const reported =
		outcome.errors.length > 0 || outcome.errorItems > 0 || outcome.reported.length > 0;
	const silentPartial = lost > 0 && !reported;
	if (reported) lost = kind.readsOnce ? 0 : lost - excused;
	return { lost, duplicated, silentPartial };
}

/** "What failed where": the page, offset, job, queue batch or request id it was reading. */
export const WHERE = /\b(page|offset|job|batch)\b|request id|request_id|\b(prq|pas)_/i;

export function describeError(error: Error): string {
	const e = error as Error & { description?: string; httpCode?: string };
	return `${e.constructor.name}: ${e.message}${e.description ? ` — ${e.description}` : ''}`;
}

export function isApiError(error: Error): boolean {
	return error instanceof NodeApiError;
}

/** Real time plus the waits the node made, since `start` (a reading of virtualTime.now). */
export function elapsedSince(start: number): number {
	return virtualTime.now() - start;
}

export type Case = {
	name: string;
	faults: FaultSpec[];
	config?: Record<string, unknown>;
	/** Runs between two runs of a cursor operation (late record, restart, second poll…). */
	between?: (runner: FaultRunner, run: number) => Promise<void>;
	/** An answer slower than the request timeout: the node must not wait for it. */
	slow?: boolean;
	/** Two runs started together on one static data, the vendor slow to answer. */
	overlapping?: boolean;
	/** Each run emits at most this share of the backlog (Max Events per Poll, Limit). */
	capShare?: number;
	/** A tighter bound than BOUND_MS on the run's clock (e.g. Export and Wait's Max Wait). */
	boundMs?: number;
};
