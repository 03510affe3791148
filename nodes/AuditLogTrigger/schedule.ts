// How one poll lives with n8n's scheduler: its deadline below the poll interval, and a lease that
// makes a poll which finds another one running on the same state emit nothing and change nothing.
//
// n8n's classic poller starts a poll on every cron tick without waiting for the previous one, and
// both share the node's static data: two polls in flight read the same cursor and emit every new
// event twice. n8n 2.41's durable scheduler (N8N_SCHEDULER_ENABLED, N8N_SCHEDULER_POLL_TRIGGERS_ENABLED,
// N8N_POLLER_DURABLE_CURSORS_ENABLED) leases its ticks but stages the static data per poll (a copy
// from the committed cursor; see `trigger-execution-context.factory` in n8n), so a lease written in
// static data is invisible to an overlapping poll there. Hence two guards: an in-process registry
// keyed by workflow id + node id (covers both schedulers in one process), and a lease in the static
// data (covers a poll whose static data is shared but which runs elsewhere, and expires on its own).
import { randomUUID } from 'node:crypto';
import type { IDataObject, IPollFunctions } from 'n8n-workflow';

const LEASE_KEY = 'pollLease';
/** A lease outlives its poll's deadline by this much: the transport needs a moment to cut a request. */
export const LEASE_GRACE_MS = 30_000;
/** n8n refuses poll intervals under a minute: the interval assumed when the schedule cannot be read. */
const MIN_INTERVAL_MS = 60_000;
/** A poll hands back what it has after this share of its interval, so it ends before the next tick. */
const BUDGET_SHARE = 0.8;

type Lease = { token: string; until: number };

const running = new Map<string, Lease>();

export type PollLease = {
	/** Whether this poll still holds the lease (a poll that outlived it must not move the cursor). */
	holds(): boolean;
	release(): void;
};

function validLease(value: unknown, now: number): value is Lease {
	const lease = value as Lease | undefined;
	return !!lease && typeof lease.token === 'string' && typeof lease.until === 'number' && lease.until > now;
}

/**
 * Takes the lease on this node's state until `until`, or returns undefined (writing nothing) when
 * another poll of the same workflow node holds it.
 */
export function acquirePollLease(fn: Pick<IPollFunctions, 'getWorkflow' | 'getNode'>, staticData: IDataObject, now: number, until: number): PollLease | undefined {
	const key = `${String(fn.getWorkflow().id ?? '')}\u0000${fn.getNode().id}`;
	if (validLease(running.get(key), now) || validLease(staticData[LEASE_KEY], now)) return undefined;
	const lease: Lease = { token: randomUUID(), until };
	running.set(key, lease);
	staticData[LEASE_KEY] = { ...lease };
	const ours = (value: unknown) => (value as Lease | undefined)?.token === lease.token;
	return {
		holds: () => ours(running.get(key)) && ours(staticData[LEASE_KEY]),
		release: () => {
			if (ours(running.get(key))) running.delete(key);
			if (ours(staticData[LEASE_KEY])) delete staticData[LEASE_KEY];
		},
	};
}

type PollTime = { mode?: string; value?: number; unit?: string };

/** The shortest gap between two ticks of the node's Poll Times, as far as it can be told. */
export function pollIntervalMs(pollTimes: unknown): number {
	const items = ((pollTimes as { item?: PollTime[] } | undefined)?.item ?? []).filter(Boolean);
	// Two schedules may fire seconds apart; a custom cron is not read here. Both: the shortest n8n allows.
	if (items.length !== 1) return MIN_INTERVAL_MS;
	const [item] = items;
	const value = Number(item.value) >= 1 ? Number(item.value) : 1;
	switch (item.mode) {
		case 'everyHour':
		case 'everyDay':
		case 'everyWeek':
		case 'everyMonth':
			return 3600_000;
		case 'everyX':
			return item.unit === 'hours' ? value * 3600_000 : value * 60_000;
		default:
			return MIN_INTERVAL_MS;
	}
}

/**
 * The instant this poll hands back what it has: a share of its interval, and never past the budget
 * the durable scheduler gives a poll (`getPollBudgetMs`; the classic poller's is a fixed 5 minutes).
 */
export function pollDeadline(fn: IPollFunctions, start: number): number {
	const interval = pollIntervalMs(fn.getNodeParameter('pollTimes', {}));
	const getBudget = (fn as { getPollBudgetMs?: () => number }).getPollBudgetMs;
	const budget = typeof getBudget === 'function' ? getBudget.call(fn) : Infinity;
	return start + Math.min(Math.floor(interval * BUDGET_SHARE), budget > 0 ? budget : Infinity);
}
