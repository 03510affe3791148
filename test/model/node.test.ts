// The model through the whole trigger node (n8n-core PollContext + nock): static data, null polls, retries.
import nock from 'nock';

import { DEFAULT_TRANSPORT } from '../../nodes/shared/transport';
import { registeredVendors } from './emulators';
import { generateHistory } from './history';
import { VirtualClock } from './http';
import { NodeRunner, type NodeRun } from './nodeRun';

/** Fewer and smaller histories than the fast model: each poll here is a full n8n poll over HTTP. */
const NODE_HISTORIES = 20;
const FIRST_SEED = 1;
const seeds = Array.from({ length: NODE_HISTORIES }, (_, i) => FIRST_SEED + i);

const clock = new VirtualClock();

beforeAll(() => nock.disableNetConnect());
beforeEach(() => {
	jest.spyOn(Date, 'now').mockImplementation(clock.read);
	jest.spyOn(DEFAULT_TRANSPORT, 'now').mockImplementation(clock.read);
});
afterEach(() => {
	jest.restoreAllMocks();
	nock.cleanAll();
});
afterAll(() => nock.enableNetConnect());

describe.each(registeredVendors().map((entry) => [entry.vendor.id, entry] as const))(
	'%s',
	(_id, { vendor }) => {
		const total = { nullPolls: 0, manualPolls: 0, failedPolls: 0, retriedPolls: 0 };

		it.each(seeds)(`${vendor.id} node seed %i`, async (seed) => {
			const history = generateHistory(seed, vendor.traits, {
				kind: seed % 4 === 0 ? 'bursty' : 'quiet',
				maxPolls: 8,
			});
			const run: NodeRun = await new NodeRunner(vendor, history, clock).run();
			for (const key of Object.keys(total) as Array<keyof typeof total>) total[key] += run[key];
			expect(run.failure ?? 'exactly once').toBe('exactly once');
		});

		it(`${vendor.id} node runs met empty polls, manual runs, failed and retried polls`, () => {
			expect(total.nullPolls).toBeGreaterThan(0);
			expect(total.manualPolls).toBeGreaterThan(0);
			expect(total.failedPolls).toBeGreaterThan(0);
			expect(total.retriedPolls).toBeGreaterThan(0);
		});
	},
);
