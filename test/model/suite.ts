// The model test body, shared by the shard files: jest runs them in parallel when it has two workers.
import { SOURCES } from '../../nodes/shared/sources';
import { tally } from '../support/tally';
import { MODEL_VENDORS, registeredVendors } from './emulators';
import { noCoverage, runHistory, type Coverage } from './run';

/** Every source runs seeds FIRST_SEED .. FIRST_SEED + HISTORIES - 1, split over the shard files. */
const FIRST_SEED = 1;
export const HISTORIES = 1000;

export function defineModelSuite(shard: number, shards: number): void {
	const seeds = Array.from({ length: HISTORIES }, (_, i) => FIRST_SEED + i).filter(
		(seed) => seed % shards === shard,
	);

	it('has a model vendor for every registered source', () => {
		const modelled = MODEL_VENDORS.map((v) => v.id);
		expect(SOURCES.map((s) => s.id).filter((id) => !modelled.includes(id))).toEqual([]);
	});

	describe.each(registeredVendors().map((entry) => [entry.vendor.id, entry] as const))(
		'%s',
		(_id, { vendor, source }) => {
			const total: Coverage = noCoverage();
			let passed = 0;

			it.each(seeds)(`${vendor.id} seed %i`, async (seed) => {
				const run = await runHistory(vendor, source, seed);
				for (const key of Object.keys(total) as Array<keyof Coverage>)
					total[key] += run.coverage[key];
				expect(run.failure ?? 'exactly once').toBe('exactly once');
				passed++;
			});

			// Runs after the seeds (jest keeps file order): a model that never met a hazard proves nothing about it.
			it(`${vendor.id} met every hazard`, () => {
				expect(total.faults).toBeGreaterThan(0);
				expect(total.restarts).toBeGreaterThan(0);
				expect(total.fullPolls).toBeGreaterThan(0);
				expect(total.cappedPolls).toBeGreaterThan(0);
				if (source.pageSize < 1000) expect(total.midPaginationFaults).toBeGreaterThan(0);
				if (source.searchWindow) expect(total.splitPolls).toBeGreaterThan(0);
				expect(total.skewedPolls).toBeGreaterThan(0);
				expect(total.lateRecords).toBeGreaterThan(0);
				tally('model', {
					histories: passed,
					skewedPolls: total.skewedPolls,
					lateRecords: total.lateRecords,
					cappedPolls: total.cappedPolls,
				});
			});
		},
	);
}
