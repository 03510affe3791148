/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test-only: setImmediate lets the event loop turn (answers released in a chosen order) */
// A virtual clock for the vendor tests: n8n-workflow's sleep moves it instead of waiting, so waits are exact and take no time
// (overlapping sleeps overlap, as they would in real time).
// Use in a test file (jest.mock is hoisted there):
//   jest.mock('n8n-workflow', () => jest.requireActual<typeof import('./virtualClock')>('./virtualClock').withVirtualSleep());
// then in beforeEach: spy Date.now and DEFAULT_TRANSPORT.now on `virtualClock.read`.
// This module imports nothing that loads n8n-workflow, so the mock factory can require it.

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

function advance(): void {
	advancing = false;
	if (sleepers.length === 0) return;
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
	if (advancing || sleepers.length === 0) return;
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
