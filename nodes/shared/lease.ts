// The lease that makes a run which finds another one running on the same node state return nothing
// and change nothing. The Audit Log Trigger's polls and Fetch Queue's runs both take it.
//
// n8n's classic poller starts a poll on every cron tick without waiting for the previous one, and
// both share the node's static data: two polls in flight read the same cursor and emit every new
// event twice (a schedule faster than a slow vendor does the same to Fetch Queue). n8n 2.41's durable
// scheduler (N8N_SCHEDULER_ENABLED, N8N_SCHEDULER_POLL_TRIGGERS_ENABLED,
// N8N_POLLER_DURABLE_CURSORS_ENABLED) leases its ticks but stages the static data per poll (a copy
// from the committed cursor; see `trigger-execution-context.factory` in n8n), so a lease written in
// static data is invisible to an overlapping poll there. Hence two guards: an in-process registry
// keyed by workflow id + node id (covers both schedulers in one process), and a lease in the static
// data (covers a run whose static data is shared but which runs elsewhere, and expires on its own).
// Neither reaches across queue-mode workers: n8n gives a node no shared lock there (see ledger.ts).
import { randomUUID } from 'node:crypto';
import type { IDataObject, IPollFunctions } from 'n8n-workflow';

const LEASE_KEY = 'pollLease';
/** A lease outlives its poll's deadline by this much: the transport needs a moment to cut a request. */
export const LEASE_GRACE_MS = 30_000;

type Lease = { token: string; until: number };

const running = new Map<string, Lease>();

export type PollLease = {
	/** Whether this run still holds the lease (a run that outlived it must not move the cursor). */
	holds(): boolean;
	release(): void;
};

function validLease(value: unknown, now: number): value is Lease {
	const lease = value as Lease | undefined;
	return !!lease && typeof lease.token === 'string' && typeof lease.until === 'number' && lease.until > now;
}

/**
 * Takes the lease on this node's state until `until`, or returns undefined (writing nothing) when
 * another run of the same workflow node holds it. Without `staticData` (a run that must leave it
 * alone) only the in-process half is taken.
 */
export function acquirePollLease(fn: Pick<IPollFunctions, 'getWorkflow' | 'getNode'>, staticData: IDataObject | undefined, now: number, until: number): PollLease | undefined {
	const key = `${String(fn.getWorkflow().id ?? '')}\u0000${fn.getNode().id}`;
	if (validLease(running.get(key), now) || validLease(staticData?.[LEASE_KEY], now)) return undefined;
	const lease: Lease = { token: randomUUID(), until };
	running.set(key, lease);
	if (staticData) staticData[LEASE_KEY] = { ...lease };
	const ours = (value: unknown) => (value as Lease | undefined)?.token === lease.token;
	return {
		holds: () => ours(running.get(key)) && (!staticData || ours(staticData[LEASE_KEY])),
		release: () => {
			if (ours(running.get(key))) running.delete(key);
			if (staticData && ours(staticData[LEASE_KEY])) delete staticData[LEASE_KEY];
		},
	};
}
