// A bounded memo for pure functions of vendor text. A tenant's records repeat the same few dozen
// actions, keys and descriptions, so working each out once saves most of the per-event work; the
// text is the vendor's, so the memo is bounded and starts over when full (never grows with a run).

export class BoundedMemo<V> {
	private readonly values = new Map<string, V>();

	/** `compute` is the function remembered; a call may pass its own (one that needs more than the key). */
	constructor(
		private readonly limit: number,
		private readonly compute?: (key: string) => V,
	) {}

	/** The value remembered for `key`, or `compute(key)`'s, remembered (undefined included). */
	get(key: string, compute: ((key: string) => V) | undefined = this.compute): V {
		const value = this.values.get(key);
		if (value !== undefined || this.values.has(key)) return value as V;
		const computed = compute!(key);
		if (this.values.size >= this.limit) this.values.clear();
		this.values.set(key, computed);
		return computed;
	}
}
