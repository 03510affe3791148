// Bounded state: the cursor's static data after 10,000 polls over a busy stream stays under 64 KiB.
import {
	readNewEvents,
	seedCursor,
	MAX_UNTIMED_IDS,
	type CursorState,
} from '../../nodes/shared/cursor';
import { baseItem } from '../../nodes/shared/auditItem';
import type {
	AuditSource,
	NodeFunctions,
	RawRecord,
	SourceContext,
} from '../../nodes/shared/types';
import { BUSY_OVERLAP_MS, BusyStream, runBusy } from './busy';
import { STATE_LIMIT_BYTES } from './run';

const POLLS = 10_000;
const SEED = 7;
const EQUIVALENCE_POLLS = 300;

// Computed while jest collects the tests, so the measured figure can stand in the test's name
// (the only output a lint-clean test file has): run `npx jest test/model/state` to read it.
const busy = runBusy(POLLS, SEED, EQUIVALENCE_POLLS);

it(`static data after ${POLLS} polls over a busy stream: ${busy.finalBytes} bytes of JSON, at most ${busy.maxBytes}`, () => {
	expect(busy.maxBytes).toBeLessThan(STATE_LIMIT_BYTES);
	expect(busy.wrong).toEqual([]);
	// The stream was busy enough for the bound to matter: the cap acted and the untimed list filled.
	expect(busy.cappedPolls).toBeGreaterThan(0);
	expect(busy.untimedIds).toBe(MAX_UNTIMED_IDS);
});

/** An in-memory source over the same stream, so the real readNewEvents + reader run it. */
function streamSource(stream: BusyStream, poll: () => number): AuditSource {
	return {
		id: 'carbonBlackCloud',
		orders: ['asc', 'desc'],
		pageSize: 10_000,
		normalize: (raw: RawRecord) => {
			const time = raw.time as number;
			return {
				...baseItem('carbonBlackCloud', raw.id as string, raw),
				time: Number.isNaN(time) ? null : new Date(time).toISOString(),
			};
		},
		pages: async function* (_ctx, query) {
			yield { records: stream.read(query.start!, query.end, poll()) as unknown as RawRecord[] };
		},
	} as Partial<AuditSource> as AuditSource;
}

it('the synchronous driver keeps the very states readNewEvents saves', async () => {
	const stream = new BusyStream(SEED);
	let k = 0;
	const source = streamSource(stream, () => k);
	const ctx = { throwIfCancelled: () => {}, fn: {} as NodeFunctions } as SourceContext;
	let state: CursorState = seedCursor(stream.start);
	const states: string[] = [];
	for (k = 1; k <= EQUIVALENCE_POLLS; k++) {
		const poll = stream.advance(k);
		const query = {
			end: poll.at,
			order: 'asc' as const,
			common: {},
			vendor: {},
			vendorOptions: {},
			pageSize: 10_000,
		};
		state = (
			await readNewEvents(ctx, source, query, state, {
				overlapMs: BUSY_OVERLAP_MS,
				maxEvents: poll.maxEvents,
			})
		).next;
		states.push(JSON.stringify(state));
	}
	expect(states).toEqual(busy.states);
});
