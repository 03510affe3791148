// Pangea's hashing (canonical JSON envelope hash) and its two-level Merkle log: buffers of events
// are subtrees, buffers are the leaves of the main tree (vendor-apis.md 4.5).
import { createHash } from 'node:crypto';

/** Keys sorted at every depth, no whitespace, JSON.stringify string escaping (non-ASCII kept). */
export function canonicalJson(value) {
	if (value === null || typeof value !== 'object') {
		const text = JSON.stringify(value);
		return text === undefined ? 'null' : text;
	}
	if (Array.isArray(value)) return '[' + value.map(canonicalJson).join(',') + ']';
	const parts = [];
	for (const key of Object.keys(value).sort()) {
		if (value[key] === undefined || typeof value[key] === 'function') continue;
		parts.push(JSON.stringify(key) + ':' + canonicalJson(value[key]));
	}
	return '{' + parts.join(',') + '}';
}

export const sha256Hex = (data) => createHash('sha256').update(data).digest('hex');

const hashPair = (left, right) => createHash('sha256').update(left).update(right).digest();

/** Largest power of two strictly below n (n >= 2): the size of an n-leaf node's left child. */
export function leftSize(n) {
	let k = 1;
	while (k * 2 < n) k *= 2;
	return k;
}

/**
 * A Merkle tree over an append-only list of 32-byte leaves. A node covering [start, start+size)
 * depends only on those leaves, so every node hash is cached forever.
 */
export class MerkleTree {
	constructor() {
		this.leaves = [];
		this.cache = new Map();
	}

	push(leaf) {
		this.leaves.push(leaf);
	}

	get size() {
		return this.leaves.length;
	}

	node(start, size) {
		if (size === 1) return this.leaves[start];
		const key = start * 4294967296 + size;
		let hash = this.cache.get(key);
		if (!hash) {
			const k = leftSize(size);
			hash = hashPair(this.node(start, k), this.node(start + k, size - k));
			this.cache.set(key, hash);
		}
		return hash;
	}

	root(size = this.size) {
		return this.node(0, size);
	}

	/** Siblings from the node [start, start+size) up to the root of the first `treeSize` leaves. */
	path(start, size, treeSize = this.size) {
		const steps = [];
		let lo = 0;
		let n = treeSize;
		// Walk down from the root, remembering siblings; reversed at the end to read bottom-up.
		while (!(lo === start && n === size)) {
			const k = leftSize(n);
			if (start < lo + k) {
				steps.push('r:' + this.node(lo + k, n - k).toString('hex'));
				n = k;
			} else {
				steps.push('l:' + this.node(lo, k).toString('hex'));
				lo += k;
				n -= k;
			}
		}
		return steps.reverse();
	}

	/**
	 * The proof that the first `oldSize` leaves are a prefix of the first `newSize`: the perfect
	 * subtrees that make up the old tree, rightmost first, each as `x:<hash>` plus its path to
	 * the new root. Folding them (acc = H(node_k | acc)) rebuilds the old root.
	 */
	consistency(oldSize, newSize) {
		const nodes = [];
		let start = 0;
		let rest = oldSize;
		while (rest > 0) {
			let size = 1;
			while (size * 2 <= rest) size *= 2;
			nodes.push([start, size]);
			start += size;
			rest -= size;
		}
		return nodes
			.reverse()
			.map(([s, n]) =>
				['x:' + this.node(s, n).toString('hex'), ...this.path(s, n, newSize)].join(','),
			);
	}
}

/**
 * The log: each buffer is a MerkleTree over its events' hashes; the main tree's leaves are the
 * buffer roots. `leaf_index` of an event is its buffer's index.
 */
export class MerkleLog {
	constructor() {
		this.buffers = [];
		this.main = new MerkleTree();
	}

	get size() {
		return this.main.size;
	}

	/** Adds one buffer of events (each with a hex `hash`); stamps leafIndex and position on them. */
	addBuffer(events) {
		const tree = new MerkleTree();
		const leafIndex = this.buffers.length;
		events.forEach((event, position) => {
			tree.push(Buffer.from(event.hash, 'hex'));
			event.leafIndex = leafIndex;
			event.position = position;
		});
		this.buffers.push({ tree, events });
		this.main.push(tree.root());
		return leafIndex;
	}

	rootHash(size = this.size) {
		return this.main.root(size).toString('hex');
	}

	/** `l:<hex>,r:<hex>,…` from the event hash through its buffer to the root of `treeSize` buffers. */
	membershipProof(event, treeSize = this.size) {
		const buffer = this.buffers[event.leafIndex];
		const inner = buffer.tree.path(event.position, 1);
		return [...inner, ...this.main.path(event.leafIndex, 1, treeSize)].join(',');
	}

	consistencyProof(oldSize, newSize = this.size) {
		return oldSize <= 0 ? [] : this.main.consistency(oldSize, newSize);
	}
}
