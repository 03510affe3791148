// A virtual clock for the vendor tests: n8n-workflow's sleep moves it instead of waiting, so waits are exact and take no time.
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

export function withVirtualSleep(): object {
	return {
		...jest.requireActual<object>('n8n-workflow'),
		sleep: async (ms: number) => {
			virtualClock.slept.push(ms);
			virtualClock.now += ms;
		},
	};
}
