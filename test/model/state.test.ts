// Bounded state: the cursor's static data after 10,000 polls over a busy stream stays under 64 KiB,
// measured on the real readNewEvents (reader, CursorBatch, finish), not on a test-side rewrite.
import { MAX_UNTIMED_IDS } from '../../nodes/shared/cursor';
import { tally } from '../support/tally';
import { runBusy, type BusyRun } from './busy';
import { STATE_LIMIT_BYTES } from './run';

const POLLS = 10_000;
const SEED = 7;

let busy: BusyRun;
beforeAll(async () => {
	busy = await runBusy(POLLS, SEED);
	// The figure, printed by `npm test` (and `npx jest test/model/state`) in the model tally line.
	tally('model', { statePolls: POLLS, stateFinalBytes: busy.finalBytes, stateMaxBytes: busy.maxBytes });
}, 300_000);

it(`static data after ${POLLS} polls of the real readNewEvents over a busy stream stays under 64 KiB`, () => {
	expect({ maxBytes: busy.maxBytes, under: busy.maxBytes < STATE_LIMIT_BYTES }).toEqual({
		maxBytes: busy.maxBytes,
		under: true,
	});
	expect(busy.wrong).toEqual([]);
	// The stream was busy enough for the bound to matter: the cap acted and the untimed list filled.
	expect(busy.cappedPolls).toBeGreaterThan(0);
	expect(busy.untimedIds).toBe(MAX_UNTIMED_IDS);
});
