/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test-only: setImmediate lets the event loop turn (answers released in a chosen order) */
// A virtual clock for the vendor tests: n8n-workflow's sleep moves it instead of waiting, so waits are exact and take no time
// (overlapping sleeps overlap, as they would in real time).
// Use in a test file (jest.mock is hoisted there):
//   jest.mock('n8n-workflow', () => jest.requireActual<typeof import('../support/virtualClock')>('../support/virtualClock').withVirtualSleep());
// then in beforeEach: useVirtualClock(at, DEFAULT_TRANSPORT, Transport), and jest.restoreAllMocks() after.
// This module imports nothing that loads n8n-workflow, so the mock factory can require it.
//
// The clock never moves while a request is in flight, unless a fake is holding it on purpose
// (`whileHeld`: a vendor that takes its time, as real time would pass): an answer on its way is
// delivered through any number of event-loop turns (more on a loaded machine), and a clock that
// moved meanwhile would stretch the request's rate-budget slot. Counting turns alone once failed a
// test on a busy CI machine; the in-flight count makes the virtual times the same on every machine.

export const virtualClock = {
	now: 0,
	/** Every wait the run asked for, in ms, in order. */
	slept: [] as number[],
	read: (): number => virtualClock.now,
	/** Resets to `at` (epoch ms) with no waits recorded. */
	reset(at: number): void {
		virtualClock.now = at;
		virtualClock.slept = [];
	},
};

/**
 * Sleepers waiting on the virtual clock. Sleeps that overlap (pages fetched side by side, each
 * waiting for the rate budget) must overlap in virtual time as they do in real time: the clock
 * moves to the earliest wake-up once everything runnable has run, never by the sum of the sleeps.
 */
const sleepers: Array<{ at: number; wake: () => void }> = [];
let advancing = false;

/** Requests sent and not yet answered (counted around Transport's send, see useVirtualClock). */
let inFlight = 0;

function advance(): void {
	advancing = false;
	// The last answer to arrive schedules the clock again.
	if (sleepers.length === 0 || inFlight > 0) return;
	sleepers.sort((a, b) => a.at - b.at);
	const at = sleepers[0].at;
	virtualClock.now = Math.max(virtualClock.now, at);
	while (sleepers.length > 0 && sleepers[0].at <= virtualClock.now) sleepers.shift()!.wake();
	schedule();
}

/**
 * Event-loop turns to let pass before the clock moves: an answer nock is delivering takes a few,
 * and a request in flight must not see virtual time pass (the fakes answer at once).
 */
const SETTLE_TURNS = 100;

function schedule(): void {
	if (advancing || sleepers.length === 0 || inFlight > 0) return;
	advancing = true;
	let turns = 0;
	const later = () => (++turns >= SETTLE_TURNS ? advance() : setImmediate(later));
	setImmediate(later);
}

export function withVirtualSleep(): object {
	return {
		...jest.requireActual<object>('n8n-workflow'),
		sleep: async (ms: number) => {
			virtualClock.slept.push(ms);
			await new Promise<void>((wake) => {
				sleepers.push({ at: virtualClock.now + Math.max(0, ms), wake });
				schedule();
			});
		},
	};
}

type Send = (...args: unknown[]) => Promise<unknown>;

/**
 * Starts the clock at `at` for one test: Date.now and the transport's clock read it, and every
 * request the transport sends holds the clock still until it is answered. Undo with
 * jest.restoreAllMocks().
 */
export function useVirtualClock(
	at: number,
	transportSettings: { now: () => number },
	transportClass: { prototype: object },
): void {
	virtualClock.reset(at);
	inFlight = 0;
	jest.spyOn(Date, 'now').mockImplementation(virtualClock.read);
	jest.spyOn(transportSettings, 'now').mockImplementation(virtualClock.read);
	const proto = transportClass.prototype as { send: Send };
	const send = proto.send;
	jest.spyOn(proto, 'send').mockImplementation(async function (this: unknown, ...args: unknown[]) {
		inFlight++;
		try {
			return await send.apply(this, args);
		} finally {
			inFlight--;
			schedule();
		}
	});
}

/** A fake holding a request on purpose: the clock may move meanwhile, as real time would. */
export async function whileHeld(held: Promise<void>): Promise<void> {
	inFlight--;
	schedule();
	try {
		await held;
	} finally {
		inFlight++;
	}
}
