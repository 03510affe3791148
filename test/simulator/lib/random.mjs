// Deterministic pseudo-random helpers (mulberry32) so a seed always yields the same vendor data.

/** mulberry32: tiny, fast, good enough for test data; returns floats in [0, 1). */
export function mulberry32(seed) {
	let a = seed >>> 0;
	return function next() {
		a = (a + 0x6d2b79f5) | 0;
		let t = Math.imul(a ^ (a >>> 15), 1 | a);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** FNV-1a over `seed:label`, so each vendor gets its own stream and sizes of one never shift another. */
export function streamSeed(seed, label) {
	let h = 0x811c9dc5;
	const text = `${seed}:${label}`;
	for (let i = 0; i < text.length; i++) {
		h ^= text.charCodeAt(i);
		h = Math.imul(h, 0x01000193);
	}
	return h >>> 0;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const HEX = '0123456789abcdef';

export function createRandom(seed, label) {
	const next = mulberry32(streamSeed(seed, label));
	const int = (min, max) => min + Math.floor(next() * (max - min + 1));
	const pick = (list) => list[Math.floor(next() * list.length)];
	const chars = (alphabet, n) => {
		let out = '';
		for (let i = 0; i < n; i++) out += alphabet[Math.floor(next() * alphabet.length)];
		return out;
	};
	return {
		next,
		int,
		pick,
		chance: (p) => next() < p,
		hex: (n) => chars(HEX, n),
		alnum: (n) => chars(ALNUM, n),
		upper: (n) => chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', n),
		guid: () => {
			const h = chars(HEX, 32);
			return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
		},
	};
}

/**
 * Sorted event times (epoch ms) over [now - spanMs, now - 1000], with `bursts` runs of `burstSize`
 * events forced onto one millisecond and `duplicates` indexes whose record should copy its
 * predecessor (same time). Forcing a run onto its first element's time keeps the array sorted.
 */
export function eventTimes(rnd, { count, now, spanMs, burstSize, bursts, duplicates }) {
	const times = new Array(count);
	const from = now - spanMs;
	const width = Math.max(1, spanMs - 1000);
	for (let i = 0; i < count; i++) times[i] = from + Math.floor(rnd.next() * width);
	times.sort((a, b) => a - b);
	const taken = new Uint8Array(count);
	const burstStarts = [];
	const size = Math.min(burstSize, count);
	for (let b = 0; b < bursts && size > 1; b++) {
		const start = rnd.int(0, count - size);
		burstStarts.push(start);
		for (let i = start; i < start + size; i++) {
			times[i] = times[start];
			taken[i] = 1;
		}
	}
	const dupes = new Set();
	for (let d = 0, tries = 0; d < duplicates && tries < duplicates * 20 && count > 2; tries++) {
		const i = rnd.int(1, count - 1);
		if (taken[i] || taken[i - 1]) continue;
		taken[i] = 1;
		taken[i - 1] = 1;
		times[i] = times[i - 1];
		dupes.add(i);
		d++;
	}
	return { times, burstStarts, duplicates: dupes };
}

/** How many bursts / duplicate pairs a vendor gets when the caller did not say. */
export function defaultShape(count) {
	return {
		bursts: Math.max(1, Math.floor(count / 1000)),
		duplicates: Math.max(1, Math.floor(count / 100)),
	};
}

/** The seeded event times of one vendor, shaped by the simulator's options (size, span, bursts). */
export function vendorEventTimes(rnd, options, vendor) {
	const count = options.sizes[vendor];
	const shape = { ...defaultShape(count), ...options.shape };
	const times = eventTimes(rnd, {
		count,
		now: options.now,
		spanMs: options.spanMs,
		burstSize: options.burstSize,
		...shape,
	});
	return { count, ...times };
}

/**
 * Seeds one vendor's events: fresh content per event, except at a duplicate index, which repeats
 * its predecessor's content (a copy) at the same time: two identical records.
 */
export function seedEvents(rnd, options, vendor, content, addEvent) {
	const { count, times, duplicates } = vendorEventTimes(rnd, options, vendor);
	let previous = null;
	for (let i = 0; i < count; i++) {
		const fields = duplicates.has(i) && previous ? { ...previous } : content(times[i]);
		addEvent(times[i], fields);
		previous = fields;
	}
}
