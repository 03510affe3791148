// Seeded event histories for the cursor model: arrivals, late records, bursts, duplicates, polls, faults.
import { Rng } from './random';

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const BASE_TIME = Date.UTC(2024, 4, 1);

/**
 * quiet and bursty histories carry late records; busy ones overflow the cursor's id cap and deep
 * ones hold more than a 10 000-record search window, so both keep every record on time: past the
 * cap the cursor forgets ids on purpose (its state is bounded), and a late record needs them.
 */
export type HistoryKind = 'quiet' | 'bursty' | 'busy' | 'deep';

export type ModelEvent = {
	index: number;
	/** The time the vendor reports, epoch ms (whole seconds for a second-precision vendor). */
	time: number;
	/** Sub-millisecond digits (0-999) for a vendor with microsecond times. */
	micros: number;
	/** From this instant the vendor returns the record. */
	arrival: number;
	/** Records of one content class are byte-identical (unless the vendor adds its own id). */
	content: number;
	/** The vendor's order among records of one instant: stable, but not the arrival order. */
	tie: number;
	/** The vendor left its own id out of this record (for vendors that have one). */
	noId: boolean;
};

export type PollFault = {
	/** The poll's n-th request fails (1 = the first); a poll with fewer requests goes through. */
	atRequest: number;
	status: 429 | 500 | 502 | 503 | 504;
};

export type ModelPoll = {
	at: number;
	maxEvents: number;
	fault?: PollFault;
	/** n8n restarted just before this poll: the static data comes back from its saved JSON. */
	restart: boolean;
};

export type History = {
	seed: number;
	kind: HistoryKind;
	precisionMs: number;
	overlapMs: number;
	/** Initial Lookback; 0 = the first poll only seeds the cursor. */
	lookbackMs: number;
	/** Sorted by (time, micros, tie). */
	events: ModelEvent[];
	/** The scheduled polls; polls[0] is the activation. The runner drains afterwards. */
	polls: ModelPoll[];
	/**
	 * The vendor's clock minus n8n's, in ms: event times and arrivals are on the vendor's clock,
	 * polls on n8n's. Drawn from its own random stream, so the rest of a seed's history is unchanged.
	 */
	skewMs: number;
};

export type VendorTraits = {
	/** 1000 for a vendor whose times are whole seconds (Cisco), else 1. */
	precisionMs: number;
	/** How far the vendor's clock may run behind n8n's in the model (default: 10 s). */
	maxLagMs?: number;
};

/** Vendor clocks ahead of n8n's (positive) or behind it (negative); most histories agree. */
const SKEWS = [-10 * SECOND, -SECOND, -900, 900, SECOND, 10 * SECOND, 5 * MINUTE];

function skewOf(seed: number, traits: VendorTraits): number {
	const rng = new Rng(seed, 5);
	if (!rng.chance(0.3)) return 0;
	const lag = traits.maxLagMs ?? 10 * SECOND;
	return rng.pick(SKEWS.filter((skew) => skew >= -lag));
}

type Shape = {
	singles: [number, number];
	bursts: [number, number];
	burstSize: [number, number];
	lateShare: number;
	maxPolls: number;
};

const SHAPES: Record<HistoryKind, Omit<Shape, 'lateShare'> & { late: boolean }> = {
	quiet: { singles: [0, 150], bursts: [0, 1], burstSize: [1, 60], late: true, maxPolls: 40 },
	bursty: { singles: [20, 300], bursts: [1, 4], burstSize: [2, 500], late: true, maxPolls: 30 },
	busy: { singles: [1500, 2500], bursts: [4, 8], burstSize: [100, 500], late: false, maxPolls: 12 },
	deep: {
		singles: [10_100, 10_600],
		bursts: [0, 2],
		burstSize: [50, 500],
		late: false,
		maxPolls: 6,
	},
};
/**
 * Histories with late records stay under the cursor's cap (MAX_SEEN_BYTES: about 1 500 ids at
 * distinct instants), so no id is forgotten while a late record may still come.
 */
const LATE_HISTORY_MAX_EVENTS = 1400;

class EventBuilder {
	readonly events: ModelEvent[] = [];
	private nextContent = 0;

	constructor(
		private readonly rng: Rng,
		private readonly precisionMs: number,
		private readonly overlapMs: number,
		private readonly lateShare: number,
	) {}

	/** One record, sometimes followed by byte-identical copies at the same instant. */
	single(trueTime: number): void {
		const time = this.truncate(trueTime);
		const content = this.nextContent++;
		const micros = this.rng.int(0, 999);
		const copies = this.rng.chance(0.05) ? this.rng.int(1, 3) : 0;
		for (let i = 0; i <= copies; i++) this.push(time, micros, content);
	}

	/** `size` records at one millisecond, sometimes drawn from a few contents (identical records). */
	burst(trueTime: number, size: number): void {
		const time = this.truncate(trueTime);
		const micros = this.rng.int(0, 999);
		const pool = this.rng.chance(0.4) ? this.rng.int(1, 5) : size;
		const first = this.nextContent;
		this.nextContent += pool;
		for (let i = 0; i < size; i++)
			this.push(time, micros, first + (pool === size ? i : this.rng.int(0, pool - 1)));
	}

	sorted(): ModelEvent[] {
		this.events.sort((a, b) => a.time - b.time || a.micros - b.micros || a.tie - b.tie);
		this.events.forEach((event, index) => (event.index = index));
		return this.events;
	}

	private truncate(ms: number): number {
		return Math.floor(ms / this.precisionMs) * this.precisionMs;
	}

	private push(time: number, micros: number, content: number): void {
		// On time still means up to one unit of the vendor's precision after the reported time.
		let arrival = time + this.rng.int(0, this.precisionMs);
		if (this.overlapMs > 0 && this.rng.chance(this.lateShare))
			arrival = time + this.rng.int(1, this.overlapMs);
		this.events.push({
			index: 0,
			time,
			micros,
			arrival,
			content,
			tie: this.rng.next(),
			noId: this.rng.chance(0.1),
		});
	}
}

function eventsOf(rng: Rng, kind: HistoryKind, traits: VendorTraits, frame: Frame): ModelEvent[] {
	const shape = SHAPES[kind];
	const lateShare = shape.late ? rng.pick([0, 0.05, 0.2, 0.5]) : 0;
	const builder = new EventBuilder(rng, traits.precisionMs, frame.overlapMs, lateShare);
	let budget = shape.late ? LATE_HISTORY_MAX_EVENTS : Infinity;
	const bursts = rng.int(...shape.bursts);
	for (let b = 0; b < bursts && budget > 1; b++) {
		const size = Math.min(budget - 1, rng.logInt(...shape.burstSize));
		builder.burst(rng.int(frame.from, frame.to), size);
		budget -= size;
	}
	const singles = Math.min(rng.int(...shape.singles), Math.floor(budget / 4));
	for (let i = 0; i < singles; i++) builder.single(rng.int(frame.from, frame.to));
	if (kind === 'deep') {
		// A burst right where the first 10 000-record window ends: the split must cut through it.
		const sorted = builder.sorted();
		const at = sorted[Math.min(sorted.length - 1, 9_990)].time;
		builder.burst(at, rng.int(20, 500));
	}
	return builder.sorted();
}

type Frame = { from: number; to: number; overlapMs: number };

function maxEventsPicker(rng: Rng, kind: HistoryKind): () => number {
	if (kind === 'deep') {
		// The first (lookback) read must run past one 10 000-record window; later ones may stop early.
		let first = true;
		return () =>
			first
				? ((first = false), rng.pick([12_000, 50_000]))
				: rng.pick([1000, 5000, 12_000, 50_000]);
	}
	const style = rng.weighted([
		[30, 'default'],
		[40, 'mixed'],
		[30, 'small'],
	] as const);
	if (style === 'default') return () => 1000;
	if (style === 'small') return () => rng.int(1, 20);
	return () => rng.pick([1, 2, 3, 5, 10, 50, 100, 500, 1000, 10_000]);
}

function pollsOf(
	rng: Rng,
	kind: HistoryKind,
	activation: number,
	spanMs: number,
	maxPolls: number,
): ModelPoll[] {
	const maxEvents = maxEventsPicker(rng, kind);
	const faultShare = rng.pick([0, 0.1, 0.3]);
	const restartShare = rng.pick([0, 0.1, 0.3]);
	const poll = (at: number): ModelPoll => ({
		at,
		maxEvents: maxEvents(),
		restart: rng.chance(restartShare),
		fault: rng.chance(faultShare)
			? {
					atRequest: rng.chance(0.5) ? 1 : rng.int(2, 6),
					status: rng.pick([429, 500, 502, 503, 504] as const),
				}
			: undefined,
	});
	const polls = [poll(activation)];
	let at = activation;
	while (at < activation + spanMs && polls.length < maxPolls) {
		at += rng.weighted([
			[10, () => rng.int(1, 50)],
			[30, () => rng.logInt(50, 2 * SECOND)],
			[40, () => rng.logInt(2 * SECOND, MINUTE)],
			[20, () => rng.logInt(MINUTE, 30 * MINUTE)],
		] as const)();
		polls.push(poll(at));
	}
	return polls;
}

/** Narrows the generator, e.g. small histories for the slower runs through the whole node. */
export type HistoryLimits = { kind?: HistoryKind; maxPolls?: number };

/** The history of one seed; the same seed, traits and limits always give the same history. */
export function generateHistory(
	seed: number,
	traits: VendorTraits,
	limits: HistoryLimits = {},
): History {
	const rng = new Rng(seed);
	const drawn = rng.weighted([
		[78, 'quiet'],
		[20, 'bursty'],
		[1.6, 'busy'],
		[0.4, 'deep'],
	] as const);
	const kind = limits.kind ?? drawn;
	// Busy histories put more than the id cap inside one overlap window, so the cap must act.
	const overlapMs =
		kind === 'busy'
			? rng.pick([MINUTE, 5 * MINUTE])
			: rng.weighted([
					[10, 0],
					[15, SECOND],
					[15, 5 * SECOND],
					[50, MINUTE],
					[10, 5 * MINUTE],
				] as const);
	const activation = BASE_TIME + rng.int(0, DAY);
	const deep = kind === 'deep';
	const lookbackMs = deep ? rng.int(HOUR, DAY) : rng.chance(0.35) ? rng.logInt(1, 2 * HOUR) : 0;
	const spanMs = deep
		? rng.logInt(SECOND, 10 * MINUTE)
		: kind === 'busy'
			? rng.logInt(overlapMs / 2, overlapMs)
			: rng.logInt(2 * SECOND, 2 * HOUR);
	// Deep histories pile up before activation, so the lookback's first read overflows one window.
	const from =
		deep || kind === 'busy'
			? activation - lookbackMs
			: activation - Math.max(lookbackMs, overlapMs) - rng.logInt(1, HOUR);
	const to = deep ? activation - 1 : activation + spanMs;
	const events = eventsOf(rng, kind, traits, { from, to, overlapMs });
	return {
		seed,
		kind,
		precisionMs: traits.precisionMs,
		overlapMs,
		lookbackMs,
		events,
		polls: pollsOf(rng, kind, activation, spanMs, limits.maxPolls ?? SHAPES[kind].maxPolls),
		skewMs: skewOf(seed, traits),
	};
}
