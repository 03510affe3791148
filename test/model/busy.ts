// A long, busy event stream for the bounded-state test, run through the real readNewEvents.
import { baseItem } from '../../nodes/shared/auditItem';
import { readNewEvents, seedCursor, type CursorState } from '../../nodes/shared/cursor';
import type { AuditSource, RawRecord } from '../../nodes/shared/types';
import { Rng } from './random';
import { readerOnlyContext } from '../support/memoryContext';

const POLL_MS = 5000;
export const BUSY_OVERLAP_MS = 60_000;
/** Every STORM_EVERY polls, STORM_POLLS polls bring hundreds of events each: the cap must act. */
const STORM_EVERY = 1000;
const STORM_POLLS = 10;
/** No late records from a storm's start until this many polls on: the cap forgets ids on purpose. */
const STORM_QUIET_POLLS = 40;
/** Untimed records are re-read for this many polls after they appear (a vendor keeps returning them). */
const UNTIMED_REREAD_POLLS = 50;

export type StreamRecord = { id: string; time: number; emitted: number };

export type BusyPoll = { at: number; maxEvents: number };

/**
 * Arrivals per poll: a steady trickle, bursts sharing one millisecond, identical records, late
 * records inside the overlap, an untimed record now and then, and periodic storms. Only the
 * records a read from the floor can still return are kept, so memory stays small.
 */
export class BusyStream {
	readonly start = Date.UTC(2024, 4, 1);
	private readonly rng: Rng;
	private active: StreamRecord[] = [];
	private untimed: Array<{ record: StreamRecord; poll: number }> = [];
	private next = 0;
	readonly all: StreamRecord[] = [];

	constructor(seed: number) {
		this.rng = new Rng(seed, 4);
	}

	/** The arrivals up to poll `k`, and that poll's time and Max Events per Poll. */
	advance(k: number): BusyPoll {
		const at = this.start + k * POLL_MS;
		const from = at - POLL_MS;
		const storm = k % STORM_EVERY < STORM_POLLS && k > STORM_POLLS;
		const lateAllowed = k % STORM_EVERY >= STORM_QUIET_POLLS;
		for (let i = storm ? this.rng.int(300, 400) : this.rng.int(0, 16); i > 0; i--)
			this.add(this.rng.int(from + 1, at));
		if (storm || this.rng.chance(0.02))
			this.burst(this.rng.int(from + 1, at), this.rng.int(100, 500));
		if (lateAllowed && this.rng.chance(0.3)) this.add(this.rng.int(at - BUSY_OVERLAP_MS + 1, from));
		if (this.rng.chance(0.2)) this.addUntimed(k);
		return { at, maxEvents: this.rng.chance(0.1) ? this.rng.int(1, 50) : 1000 };
	}

	/** What a read from `floor` to `end` returns: oldest first, then the untimed records. */
	read(floor: number, end: number, k: number): StreamRecord[] {
		this.active = this.active.filter((r) => r.time >= floor);
		this.untimed = this.untimed.filter((u) => k - u.poll < UNTIMED_REREAD_POLLS);
		return [...this.active.filter((r) => r.time <= end), ...this.untimed.map((u) => u.record)];
	}

	private add(time: number, id = `e${this.next++}`): void {
		const record = { id, time, emitted: 0 };
		let i = this.active.length;
		while (i > 0 && this.active[i - 1].time > time) i--;
		this.active.splice(i, 0, record);
		this.all.push(record);
		// Now and then a byte-identical twin: two events with one content id.
		if (this.rng.chance(0.03)) this.add(time, id);
	}

	private burst(time: number, size: number): void {
		for (let i = 0; i < size; i++) this.add(time);
	}

	private addUntimed(k: number): void {
		const record = { id: `u${this.next++}`, time: NaN, emitted: 0 };
		this.untimed.push({ record, poll: k });
		this.all.push(record);
	}
}

export type BusyRun = {
	polls: number;
	finalBytes: number;
	maxBytes: number;
	/** Polls after which the cap, not the overlap, set the floor. */
	cappedPolls: number;
	untimedIds: number;
	/** Records emitted twice, or older than the floor and not emitted exactly once: "id@time×count". */
	wrong: string[];
};

/** An in-memory source over the stream: every poll reads it through the real reader and cursor. */
function streamSource(stream: BusyStream, poll: () => number): AuditSource {
	return {
		id: 'carbonBlackCloud',
		orders: ['asc', 'desc'],
		pageSize: 10_000,
		serverFilters: [],
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

/** Runs `polls` polls through the real readNewEvents (reader, cursor batch, finish), as the trigger does. */
export async function runBusy(polls: number, seed: number): Promise<BusyRun> {
	const stream = new BusyStream(seed);
	let k = 0;
	const source = streamSource(stream, () => k);
	const ctx = readerOnlyContext();
	let state: CursorState = seedCursor(stream.start);
	const run: BusyRun = { polls, finalBytes: 0, maxBytes: 0, cappedPolls: 0, untimedIds: 0, wrong: [] };
	for (k = 1; k <= polls; k++) {
		const poll = stream.advance(k);
		const query = { end: poll.at, order: 'asc' as const, common: {}, vendor: {}, vendorOptions: {}, pageSize: 10_000 };
		const { events, next } = await readNewEvents(ctx, source, query, state, {
			overlapMs: BUSY_OVERLAP_MS,
			maxEvents: poll.maxEvents,
		});
		for (const { item } of events) (item.raw as unknown as StreamRecord).emitted++;
		if (next.floor > Math.max(state.floor, next.watermark - BUSY_OVERLAP_MS)) run.cappedPolls++;
		state = next;
		const json = JSON.stringify(state);
		run.maxBytes = Math.max(run.maxBytes, json.length);
		run.finalBytes = json.length;
	}
	run.untimedIds = state.untimed.length;
	// Records at or past the floor may still be owed; none may ever come twice.
	const owed = (r: StreamRecord) => (r.time < state.floor ? r.emitted !== 1 : r.emitted > 1);
	run.wrong = stream.all.filter(owed).map((r) => `${r.id}@${r.time}×${r.emitted}`);
	return run;
}
