// The model's judge: which events a run owes, what it emitted, and a replayable account of a failure.
import type { VendorServer } from './emulators/store';
import type { History } from './history';

export class Oracle {
	private readonly emitted = new Map<string, number>();
	readonly trace: string[] = [];
	total = 0;

	constructor(
		private readonly history: History,
		private readonly server: VendorServer,
		/** The source's time precision: the trigger seeds its cursor on it (Cisco: whole seconds). */
		private readonly precisionMs = 1,
	) {}

	/** Counts one emitted record; returns a complaint when the vendor never sent it. */
	record(raw: unknown): string | undefined {
		const identity = this.server.identityOf(raw);
		if (identity === undefined)
			return `emitted a record the vendor never sent: ${JSON.stringify(raw)}`;
		this.emitted.set(identity, (this.emitted.get(identity) ?? 0) + 1);
		this.total++;
		return undefined;
	}

	/** identity → how many events the vendor holds with it, from the seeded floor on. */
	expected(): Map<string, number> {
		const seededAt = this.history.polls[0].at - this.history.lookbackMs;
		// Events earlier in the same time unit as the seed are owed too: the vendor cannot tell them apart.
		const floor = Math.floor(seededAt / this.precisionMs) * this.precisionMs;
		const counts = new Map<string, number>();
		for (const event of this.history.events) {
			if (event.time < floor) continue;
			const identity = this.server.identityOfEvent(event);
			counts.set(identity, (counts.get(identity) ?? 0) + 1);
		}
		return counts;
	}

	/** Owed records that reached the vendor later than their own time unit: the late-record hazard met. */
	lateOwed(): number {
		const seededAt = this.history.polls[0].at - this.history.lookbackMs;
		const floor = Math.floor(seededAt / this.precisionMs) * this.precisionMs;
		return this.history.events.filter((e) => e.time >= floor && e.arrival - e.time > this.precisionMs).length;
	}

	/** Undefined when the emitted multiset equals the owed one: every event once, none twice. */
	compare(): string | undefined {
		const expected = this.expected();
		const wrong: string[] = [];
		for (const identity of new Set([...expected.keys(), ...this.emitted.keys()])) {
			const want = expected.get(identity) ?? 0;
			const got = this.emitted.get(identity) ?? 0;
			if (want !== got)
				wrong.push(`${identity}: ${got} emitted, ${want} expected; ${this.eventsOf(identity)}`);
		}
		if (wrong.length === 0) return undefined;
		return `${wrong.length} records not emitted exactly once:\n  ${wrong.slice(0, 8).join('\n  ')}`;
	}

	/** Times as ms from activation, which is how the trace reads too. */
	offset(ms: number): string {
		const d = ms - this.history.polls[0].at;
		return d >= 0 ? `+${d}` : String(d);
	}

	describe(vendorId: string, failure: string, replay: string): string {
		const h = this.history;
		return [
			`${vendorId} seed ${h.seed} (${h.kind}, ${h.events.length} events, overlap ${h.overlapMs} ms,` +
				` lookback ${h.lookbackMs} ms): ${failure}`,
			`replay: ${replay}`,
			'last polls (times in ms from activation):',
			...this.trace.slice(-15).map((line) => `  ${line}`),
		].join('\n');
	}

	private eventsOf(identity: string): string {
		const events = this.history.events.filter((e) => this.server.identityOfEvent(e) === identity);
		return events
			.slice(0, 3)
			.map((e) => {
				const sameInstant = this.history.events.filter((o) => o.time === e.time).length;
				return `[time ${this.offset(e.time)} arrival +${e.arrival - e.time}ms, ${sameInstant} at that instant]`;
			})
			.join(' ');
	}
}

export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** A poll's outcome as a value, so a failure is judged in plain code rather than inside a catch. */
export async function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
	try {
		return { ok: true, value: await promise };
	} catch (error) {
		return { ok: false, error };
	}
}

/** Polls after the schedule, without faults, to collect what is still owed; more means a stuck cursor. */
export const DRAIN_POLLS = 100;
export const DRAIN_MAX_EVENTS = 1000;
/** Drain polls start this long after the last arrival: the Cisco source leaves the newest second to the next run. */
const DRAIN_SETTLE_MS = 2000;

export function drainStart(history: History): number {
	// Times and arrivals are on the vendor's clock. A record is read once the vendor shows it (n8n's
	// clock at arrival - skew: later when the vendor is behind) and n8n's clock has passed its time
	// (every read ends at n8n's now: later when the vendor is ahead).
	return (
		Math.max(
			history.polls[history.polls.length - 1].at,
			...history.events.map((e) => Math.max(e.arrival - history.skewMs, e.time)),
		) + DRAIN_SETTLE_MS
	);
}
