// How one poll lives with n8n's scheduler: its deadline below the poll interval. The lease that makes
// an overlapping poll emit nothing is in shared/lease.ts (Fetch Queue takes it too).
import type { IPollFunctions } from 'n8n-workflow';

/** n8n refuses poll intervals under a minute: the interval assumed when the schedule cannot be read. */
const MIN_INTERVAL_MS = 60_000;
/** A poll hands back what it has after this share of its interval, so it ends before the next tick. */
const BUDGET_SHARE = 0.8;

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
