// The model through the whole trigger node (n8n-core PollContext + nock): static data, null polls,
// retries, overlapping polls, skewed vendor clocks. Time is virtual and does not move with real time:
// a stall of the machine cannot change what a poll reads (it once lost an owed event on seed 10).
import { tally } from '../support/tally';
import { registeredVendors } from './emulators';
import { generateHistory } from './history';
import { useVirtualClock, VirtualClock } from './http';
import { NodeRunner, type NodeRun } from './nodeRun';

/** Fewer and smaller histories than the fast model: each poll here is a full n8n poll over HTTP. */
const NODE_HISTORIES = 100;
const FIRST_SEED = 1;
const seeds = Array.from({ length: NODE_HISTORIES }, (_, i) => FIRST_SEED + i);

/** Stopped: it moves only when a request is answered or a wait is taken. */
const clock = new VirtualClock(false);
// n8n-workflow's sleep, behind every wait of the source context (retries, the Cortex request budget):
// a wait moves the virtual clock instead of the machine's.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const n8nUtils = require('n8n-workflow/dist/cjs/utils.js') as { sleep: (ms: number) => Promise<void> };

useVirtualClock(clock, () => {
	jest.spyOn(n8nUtils, 'sleep').mockImplementation(async (ms: number) => clock.advance(ms));
});

describe.each(registeredVendors().map((entry) => [entry.vendor.id, entry] as const))(
	'%s',
	(_id, { vendor }) => {
		const total = {
			nullPolls: 0,
			manualPolls: 0,
			failedPolls: 0,
			retriedPolls: 0,
			overlappingPolls: 0,
			skewedPolls: 0,
		};
		let passed = 0;

		it.each(seeds)(`${vendor.id} node seed %i`, async (seed) => {
			const history = generateHistory(seed, vendor.traits, {
				kind: seed % 4 === 0 ? 'bursty' : 'quiet',
				maxPolls: 8,
			});
			const run: NodeRun = await new NodeRunner(vendor, history, clock).run();
			for (const key of Object.keys(total) as Array<keyof typeof total>) total[key] += run[key];
			expect(run.failure ?? 'exactly once').toBe('exactly once');
			passed++;
		});

		it(`${vendor.id} node runs met empty polls, manual runs, failed, retried and overlapping polls, skewed clocks`, () => {
			expect(total.nullPolls).toBeGreaterThan(0);
			expect(total.manualPolls).toBeGreaterThan(0);
			expect(total.failedPolls).toBeGreaterThan(0);
			expect(total.retriedPolls).toBeGreaterThan(0);
			expect(total.overlappingPolls).toBeGreaterThan(0);
			expect(total.skewedPolls).toBeGreaterThan(0);
			tally('model', { overlappingPolls: total.overlappingPolls, skewedPolls: total.skewedPolls });
			expect(passed).toBe(NODE_HISTORIES);
		});
	},
);
