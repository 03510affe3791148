// A seeded pseudo-random source (mulberry32), so every model history replays exactly from its seed.

export class Rng {
	private state: number;

	constructor(seed: number, stream = 0) {
		// Mixing in the stream keeps the vendor data of one seed independent of its schedule.
		this.state =
			(Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(stream + 1, 0xc2b2ae35)) >>> 0;
	}

	/** A float in [0, 1). */
	next(): number {
		this.state = (this.state + 0x6d2b79f5) | 0;
		let t = Math.imul(this.state ^ (this.state >>> 15), 1 | this.state);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	}

	/** An integer in [min, max], both ends included. */
	int(min: number, max: number): number {
		return min + Math.floor(this.next() * (max - min + 1));
	}

	/** An integer in [min, max] whose logarithm is uniform: small values as likely as large ranges. */
	logInt(min: number, max: number): number {
		const low = Math.log(min);
		return Math.min(
			max,
			Math.max(min, Math.round(Math.exp(low + this.next() * (Math.log(max) - low)))),
		);
	}

	chance(probability: number): boolean {
		return this.next() < probability;
	}

	pick<T>(items: readonly T[]): T {
		return items[Math.floor(this.next() * items.length)];
	}

	/** One value of weighted choices `[weight, value]`. */
	weighted<T>(choices: ReadonlyArray<readonly [number, T]>): T {
		let roll = this.next() * choices.reduce((sum, [weight]) => sum + weight, 0);
		for (const [weight, value] of choices) {
			roll -= weight;
			if (roll < 0) return value;
		}
		return choices[choices.length - 1][1];
	}

	hex(length: number): string {
		let out = '';
		for (let i = 0; i < length; i++) out += '0123456789abcdef'[this.int(0, 15)];
		return out;
	}
}
