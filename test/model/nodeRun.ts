// Runs a seeded history through the whole Audit Log Trigger: n8n-core's PollContext, the transport, nock.
import type {
	ICredentialType,
	IDataObject,
	INodeExecutionData,
	INodeParameters,
} from 'n8n-workflow';

import { CarbonBlackCloudApi } from '../../credentials/CarbonBlackCloudApi.credentials';
import { CiscoSecureEndpointApi } from '../../credentials/CiscoSecureEndpointApi.credentials';
import { CortexXdrApi } from '../../credentials/CortexXdrApi.credentials';
import { PangeaAuditApi } from '../../credentials/PangeaAuditApi.credentials';
import { AuditLogTrigger, SAMPLE_SIZE } from '../../nodes/AuditLogTrigger/AuditLogTrigger.node';
import { DEFAULT_TRANSPORT } from '../../nodes/shared/transport';
import { getSource } from '../../nodes/shared/sources';
import { runPoll } from '../harness/n8n';
import type { ModelVendor } from './emulators/store';
import type { History, ModelPoll } from './history';
import { VendorOverHttp, type HttpFault, type VirtualClock } from './http';
import { DRAIN_MAX_EVENTS, DRAIN_POLLS, drainStart, Oracle, settle } from './oracle';
import { Rng } from './random';
import { checkBatch } from './run';

export const CREDENTIAL_TYPES: ICredentialType[] = [
	new CarbonBlackCloudApi(),
	new CortexXdrApi(),
	new CiscoSecureEndpointApi(),
	new PangeaAuditApi(),
];

const CURSOR_KEY = 'triggerCursor';

export type NodeRun = {
	failure?: string;
	/** Scheduled polls that found nothing new and returned null. */
	nullPolls: number;
	manualPolls: number;
	/** Polls that failed after the transport spent its retries. */
	failedPolls: number;
	/** Polls that met a fault and still went through on a retry. */
	retriedPolls: number;
	/** Polls started while another was in flight on the same state (n8n's poller does not wait). */
	overlappingPolls: number;
	/** Polls on a vendor whose clock is ahead of or behind n8n's. */
	skewedPolls: number;
};

class Failure extends Error {}

/** The trigger's parameters as a saved workflow holds them. */
export function triggerParameters(
	vendor: ModelVendor,
	history: History,
	maxEvents: number,
): INodeParameters {
	const options: INodeParameters = {
		overlap: `${history.overlapMs}ms`,
		maxEventsPerPoll: maxEvents,
	};
	if (history.lookbackMs > 0) options.initialLookback = `${history.lookbackMs}ms`;
	return { source: vendor.id, options };
}

/** Items as the node emitted them: null or one non-empty list, never [[]]. */
function itemsOf(output: INodeExecutionData[][] | null): INodeExecutionData[] {
	if (output === null) return [];
	if (output.length !== 1 || output[0].length === 0)
		throw new Failure(`returned ${JSON.stringify(output)} instead of null`);
	return output[0];
}

const timeOf = (item: INodeExecutionData) => Date.parse(String(item.json.time));

export class NodeRunner {
	private readonly http: VendorOverHttp;
	private readonly oracle: Oracle;
	private readonly rng: Rng;
	private staticData: IDataObject = {};
	private saved = '{}';
	private pollCount = 0;
	private readonly stats: Omit<NodeRun, 'failure'> = {
		nullPolls: 0,
		manualPolls: 0,
		failedPolls: 0,
		retriedPolls: 0,
		overlappingPolls: 0,
		skewedPolls: 0,
	};

	constructor(
		private readonly vendor: ModelVendor,
		private readonly history: History,
		clock: VirtualClock,
	) {
		const server = vendor.createServer(history);
		this.http = new VendorOverHttp(vendor, server, clock);
		this.http.skewMs = history.skewMs;
		this.oracle = new Oracle(history, server, getSource(vendor.id)?.timePrecisionMs);
		this.rng = new Rng(history.seed, 3);
	}

	async run(): Promise<NodeRun> {
		let failure: string | undefined;
		try {
			for (const poll of this.history.polls) {
				if (this.pollCount > 0 && this.rng.chance(0.2)) await this.manual(poll.at);
				await this.scheduled(poll);
			}
			await this.drain();
			failure = this.oracle.compare();
		} catch (error) {
			failure = (error as Error).message;
		}
		const replay = `npx jest test/model/node -t '${this.vendor.id} node seed ${this.history.seed}$'`;
		return {
			...this.stats,
			failure: failure && this.oracle.describe(this.vendor.id, failure, replay),
		};
	}

	private async drain(): Promise<void> {
		for (let i = 0, at = drainStart(this.history); i < DRAIN_POLLS; i++, at += 1000) {
			const count = await this.scheduled({ at, maxEvents: DRAIN_MAX_EVENTS, restart: false }, true);
			if (count === 0) return;
		}
		throw new Failure(`still emitting after ${DRAIN_POLLS} drain polls`);
	}

	private async poll(
		mode: 'trigger' | 'manual',
		maxEvents: number,
		staticData: IDataObject = this.staticData,
	): Promise<INodeExecutionData[][] | null> {
		return await runPoll({
			nodeType: new AuditLogTrigger(),
			parameters: triggerParameters(this.vendor, this.history, maxEvents),
			credentials: { [this.vendor.credentialType]: { ...this.vendor.credentials } },
			credentialTypes: CREDENTIAL_TYPES,
			mode,
			staticData,
		});
	}

	/**
	 * The next tick's poll, started while `inFlight` runs on the same state: as n8n's classic poller
	 * does (shared static data) or the durable scheduler (a staged copy per poll). It must emit
	 * nothing, send nothing and, staged, change nothing.
	 */
	private async overlap(inFlight: Promise<unknown>, label: string): Promise<void> {
		this.stats.overlappingPolls++;
		const staged = this.rng.chance(0.5);
		const copy = staged ? (JSON.parse(JSON.stringify(this.staticData)) as IDataObject) : undefined;
		const before = JSON.stringify(copy);
		const requests = this.http.requests;
		const twin = await settle(this.poll('trigger', DRAIN_MAX_EVENTS, copy ?? this.staticData));
		if (!twin.ok) throw new Failure(`${label}: the overlapping poll failed: ${(twin.error as Error).message}`);
		if (twin.value !== null) throw new Failure(`${label}: the overlapping poll emitted ${itemsOf(twin.value).length} items`);
		if (this.http.requests !== requests) throw new Failure(`${label}: the overlapping poll sent requests`);
		if (staged && JSON.stringify(copy) !== before) throw new Failure(`${label}: the overlapping poll changed its static data`);
		await settle(inFlight);
		this.oracle.trace.push(`${label} overlapped by a second poll (${staged ? 'staged' : 'shared'} static data): it emitted nothing`);
	}

	/** A scheduled poll; returns how many items it emitted, or undefined when it failed or only seeded. */
	private async scheduled(poll: ModelPoll, draining = false): Promise<number | undefined> {
		this.pollCount++;
		const label = `#${this.pollCount} @${this.oracle.offset(poll.at)} max=${poll.maxEvents}`;
		if (poll.restart) {
			this.staticData = JSON.parse(this.saved) as IDataObject;
			this.oracle.trace.push(`${label} restart: static data reloaded from JSON`);
		}
		// Either the transport's retries absorb the fault, or every attempt fails and so does the poll.
		const fault: HttpFault | undefined = poll.fault && {
			...poll.fault,
			times: this.rng.chance(0.5) ? 1 : DEFAULT_TRANSPORT.maxAttempts,
		};
		this.http.beginPoll(poll.at, fault);
		const served = this.http.faultsServed;
		const seeded = this.staticData[CURSOR_KEY] !== undefined;
		if (this.history.skewMs !== 0) this.stats.skewedPolls++;
		const inFlight = settle(this.poll('trigger', poll.maxEvents));
		// Now and then the next tick comes while this poll is still reading (not on drain polls).
		if (seeded && !draining && this.rng.chance(0.25)) await this.overlap(inFlight, label);
		const settled = await inFlight;
		if (!settled.ok) {
			if (!fault || fault.times === 1 || this.http.faultsServed === served) throw settled.error;
			if (seeded && JSON.stringify(this.staticData) !== this.saved)
				throw new Failure(`${label}: the failed poll moved the cursor`);
			this.stats.failedPolls++;
			this.saved = JSON.stringify(this.staticData);
			this.oracle.trace.push(
				`${label} failed after ${this.http.requests} requests: ${(settled.error as Error).message}`,
			);
			return undefined;
		}
		const output = settled.value;
		if (this.http.faultsServed > served) this.stats.retriedPolls++;
		const items = itemsOf(output);
		if (output === null) this.stats.nullPolls++;
		const complaint = checkBatch(
			this.oracle,
			items.map((i) => ({ time: timeOf(i), raw: i.json.raw })),
			poll.maxEvents,
		);
		if (complaint) throw new Failure(`${label}: ${complaint}`);
		this.saved = JSON.stringify(this.staticData);
		this.oracle.trace.push(`${label} → ${items.length} in ${this.http.requests} requests`);
		return seeded || this.history.lookbackMs > 0 ? items.length : undefined;
	}

	/** "Fetch Test Event": a few recent events, oldest first; the cursor and the CBC queue untouched. */
	private async manual(at: number): Promise<void> {
		this.stats.manualPolls++;
		this.http.beginPoll(at);
		const calls = this.http.calls.length;
		const before = JSON.stringify(this.staticData);
		const sample = await settle(this.poll('manual', DRAIN_MAX_EVENTS));
		// An empty sample is an error in n8n's own words, as its triggers say it.
		if (!sample.ok && !/No data with the current filter could be found/.test((sample.error as Error).message))
			throw sample.error;
		const items = sample.ok ? itemsOf(sample.value) : [];
		const label = `manual @${this.oracle.offset(at)}`;
		if (JSON.stringify(this.staticData) !== before)
			throw new Failure(`${label} changed the static data`);
		const queue = this.http.calls.slice(calls).find((call) => call.endsWith('/_queue'));
		if (queue) throw new Failure(`${label} read the queue: ${queue}`);
		if (items.length > SAMPLE_SIZE)
			throw new Failure(`${label} showed ${items.length} > ${SAMPLE_SIZE} events`);
		for (let i = 0; i < items.length; i++) {
			if (this.http.server.identityOf(items[i].json.raw) === undefined)
				throw new Failure(`${label} showed an unknown record`);
			if (i > 0 && timeOf(items[i]) < timeOf(items[i - 1]))
				throw new Failure(`${label}: sample not oldest first`);
		}
		// Records a second or more old are past every source's settling delay (Cisco waits for its second).
		const settled = this.history.events.some((e) => e.arrival <= at && e.time <= at - 2000);
		if (settled && items.length === 0)
			throw new Failure(`${label} showed nothing though events exist`);
		this.oracle.trace.push(`${label} → sample of ${items.length}`);
	}
}
