// Test-only generator of Pangea-shaped audit data: envelopes, buffers, main tree, proofs, roots.
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type { IDataObject } from 'n8n-workflow';

/**
 * How events are grouped into buffers: one event each, random sizes, or all in one buffer.
 * The Merkle code below is written apart from verify.ts on purpose: a shared bug would hide.
 */
export type Layout = 'single' | 'random' | 'oneBuffer';
export const LAYOUTS: Layout[] = ['single', 'random', 'oneBuffer'];

/** How a signed envelope states its key. `bareSpki` is one pangea-node-sdk cannot read. */
export type KeyFormat = 'jsonPem' | 'jsonRaw' | 'bareRaw' | 'bareSpki';
export const SDK_KEY_FORMATS: KeyFormat[] = ['jsonPem', 'jsonRaw', 'bareRaw'];

export type TreeOptions = {
	events: number;
	layout: Layout;
	seed?: number;
	/** Trailing buffers not yet published; default 1 to 3 (never all, unless there is one buffer). */
	pendingBuffers?: number;
	/** Share of events signed, 0..1 (default 0.3). */
	signedShare?: number;
	keyFormats?: KeyFormat[];
	/** Largest buffer of the `random` layout (default 8). */
	maxBufferSize?: number;
};

export type PangeaTree = {
	/** As `events[]` of /v1/search with verbose on. */
	records: IDataObject[];
	/** The page's `root` (latest published) and `unpublished_root` (all buffers, when any pend). */
	context: { root?: IDataObject; unpublished_root?: IDataObject };
	/** Published roots by tree size, each with its consistency proof from the size before. */
	publishedRoots: Map<number, IDataObject>;
	lookup: (treeSize: number) => Promise<IDataObject | undefined>;
	/** Pangea's /v1/root: every size of the tree, unpublished ones included. */
	serverLookup: (treeSize: number) => Promise<IDataObject | undefined>;
	bufferSizes: number[];
	publishedBuffers: number;
};

type Step = { side: 'l' | 'r'; hash: Buffer };

const TREE_NAME = 'e86b4f6d3b0c1f2a9d8e7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f';
const MESSAGES = [
	'login ok',
	'héllo wörld',
	'quote " and backslash \\ and slash /',
	'tab\tnew\nline',
	'emoji 🔐 and clef 𝄞',
	'<b>&amp;</b> \u2028 \u2029',
	'control \u0001 \u001f \u007f',
	'中文日志 ✓',
	'',
];
const ACTIONS = ['login', 'logout', 'update', 'delete', 'create'];

let signingKey: { privateKey: KeyObject; publicKey: KeyObject } | undefined;

function key(): { privateKey: KeyObject; publicKey: KeyObject } {
	signingKey ??= generateKeyPairSync('ed25519');
	return signingKey;
}

/** mulberry32: a small seeded generator, so a failing tree can be rebuilt from its seed. */
function random(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/**
 * Canonical JSON by sorting keys and letting JSON.stringify serialize. Valid here because the
 * generator never uses integer-like keys (which JS objects order before the others).
 */
function sortedJson(value: unknown): string {
	const sortDeep = (v: unknown): unknown => {
		if (Array.isArray(v)) return v.map(sortDeep);
		if (v === null || typeof v !== 'object') return v;
		const out: Record<string, unknown> = {};
		for (const k of Object.keys(v).sort()) out[k] = sortDeep((v as Record<string, unknown>)[k]);
		return out;
	};
	return JSON.stringify(sortDeep(value));
}

function sha256(...parts: Array<Buffer | string>): Buffer {
	const hash = createHash('sha256');
	for (const part of parts) hash.update(part);
	return hash.digest();
}

/** Leaves in the left child of an n-leaf node: the largest power of two below n. */
function leftSize(n: number): number {
	let k = 1;
	while (k * 2 < n) k *= 2;
	return k;
}

/** A Merkle tree in Pangea's shape: plain SHA-256 of the concatenated children, no prefixes. */
export class MerkleTree {
	private readonly memo = new Map<string, Buffer>();

	constructor(private readonly leaves: Buffer[]) {}

	/** The hash of the node holding leaves [lo, hi) in a tree whose root spans [lo, hi). */
	hash(lo = 0, hi = this.leaves.length): Buffer {
		if (hi - lo === 1) return this.leaves[lo];
		const id = `${lo}:${hi}`;
		let node = this.memo.get(id);
		if (!node) {
			const mid = lo + leftSize(hi - lo);
			node = sha256(this.hash(lo, mid), this.hash(mid, hi));
			this.memo.set(id, node);
		}
		return node;
	}

	/** Siblings from the node [from, to) up to the root of the tree of leaves [0, size). */
	path(from: number, to: number, size = this.leaves.length): Step[] {
		const steps: Step[] = [];
		let lo = 0;
		let hi = size;
		while (from !== lo || to !== hi) {
			const mid = lo + leftSize(hi - lo);
			if (to <= mid) {
				steps.push({ side: 'r', hash: this.hash(mid, hi) });
				hi = mid;
			} else if (from >= mid) {
				steps.push({ side: 'l', hash: this.hash(lo, mid) });
				lo = mid;
			} else {
				throw new Error(`[${from}, ${to}) is not a node of the ${size}-leaf tree`);
			}
		}
		return steps.reverse();
	}

	/** Pangea's consistency proof from the tree of `prev` leaves to the tree of `size` leaves. */
	consistencyProof(prev: number, size: number): string[] {
		const nodes: Array<[number, number]> = [];
		let lo = 0;
		while (lo < prev) {
			const rest = prev - lo;
			const width = (rest & (rest - 1)) === 0 ? rest : leftSize(rest);
			nodes.push([lo, lo + width]);
			lo += width;
		}
		return nodes
			.reverse()
			.map(([from, to]) =>
				[
					`x:${this.hash(from, to).toString('hex')}`,
					...formatSteps(this.path(from, to, size)),
				].join(','),
			);
	}
}

function formatSteps(steps: Step[]): string[] {
	return steps.map((step) => `${step.side}:${step.hash.toString('hex')}`);
}

export function formatPath(steps: Step[]): string {
	return formatSteps(steps).join(',');
}

function bufferSizes(options: TreeOptions, rnd: () => number): number[] {
	if (options.layout === 'single') return Array.from({ length: options.events }, () => 1);
	if (options.layout === 'oneBuffer') return [options.events];
	const max = options.maxBufferSize ?? 8;
	const sizes: number[] = [];
	for (let left = options.events; left > 0; ) {
		const size = Math.min(left, 1 + Math.floor(rnd() * max));
		sizes.push(size);
		left -= size;
	}
	return sizes;
}

function makeEvent(i: number, rnd: () => number): IDataObject {
	const pick = <T>(list: T[]): T => list[Math.floor(rnd() * list.length)];
	const event: IDataObject = {
		message: `${pick(MESSAGES)} #${i}`,
		actor: `user-${Math.floor(rnd() * 50)}@example.com`,
		action: pick(ACTIONS),
	};
	if (rnd() < 0.5) event.status = pick(['success', 'failure']);
	if (rnd() < 0.5) event.target = `resource/${Math.floor(rnd() * 1000)}`;
	if (rnd() < 0.3) event.source = '203.0.113.7';
	if (rnd() < 0.3) event.tenant_id = 't-42';
	if (rnd() < 0.3) event.timestamp = new Date(Date.UTC(2024, 4, 1) + i * 1000).toISOString();
	// Pangea stores object values of `new`/`old` as the canonical JSON string the client sent.
	if (rnd() < 0.3)
		event.new = sortedJson({ role: pick(['admin', 'viewer']), tags: ['a', 'é'], n: i });
	if (rnd() < 0.2) event.old = sortedJson({ role: 'viewer', nested: { ok: true, list: [1, 2.5] } });
	// Custom schemas may hold numbers and booleans.
	if (rnd() < 0.2) event.count = Math.floor(rnd() * 1e6);
	if (rnd() < 0.1) event.ratio = pick([0.1, 1e21, -0, 5e-7, 123.456]);
	if (rnd() < 0.1) event.flag = rnd() < 0.5;
	if (i % 97 === 13) event.message = 'long message ' + 'ü'.repeat(6000);
	return event;
}

const keyTexts = new Map<KeyFormat, string>();

function publicKeyText(format: KeyFormat): string {
	let text = keyTexts.get(format);
	if (text === undefined) {
		text = formatPublicKey(format);
		keyTexts.set(format, text);
	}
	return text;
}

function formatPublicKey(format: KeyFormat): string {
	const { publicKey } = key();
	const der = publicKey.export({ type: 'spki', format: 'der' });
	const raw = der.subarray(der.length - 32).toString('base64');
	if (format === 'jsonPem') {
		const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
		return JSON.stringify({ vendor: 'acme', key: pem, algorithm: 'ED25519' });
	}
	if (format === 'jsonRaw') return JSON.stringify({ key: raw, algorithm: 'ED25519' });
	if (format === 'bareRaw') return raw;
	return der.toString('base64');
}

/** Signs `event` as a client with sign_local does: Ed25519 over its canonical JSON. */
export function signEvent(event: IDataObject, format: KeyFormat): IDataObject {
	return {
		signature: sign(null, Buffer.from(sortedJson(event)), key().privateKey).toString('base64'),
		public_key: publicKeyText(format),
	};
}

/** Pangea's event hash: sha256 of the canonical JSON of the whole envelope. */
export function envelopeHash(envelope: IDataObject): string {
	return sha256(sortedJson(envelope)).toString('hex');
}

function receivedAt(i: number): string {
	const ms = new Date(Date.UTC(2024, 4, 1, 8) + i * 1234).toISOString();
	return ms.replace('Z', `${String(i % 1000).padStart(3, '0')}Z`);
}

function makeEnvelope(i: number, rnd: () => number, options: TreeOptions): IDataObject {
	const event = makeEvent(i, rnd);
	const envelope: IDataObject = { event, received_at: receivedAt(i) };
	if (rnd() < (options.signedShare ?? 0.3)) {
		const formats = options.keyFormats ?? SDK_KEY_FORMATS;
		Object.assign(envelope, signEvent(event, formats[i % formats.length]));
	}
	return envelope;
}

function rootAt(tree: MerkleTree, size: number, proof?: string[]): IDataObject {
	const root: IDataObject = {
		tree_name: TREE_NAME,
		size,
		root_hash: tree.hash(0, size).toString('hex'),
	};
	if (proof) root.consistency_proof = proof;
	return root;
}

function publishedRootAt(tree: MerkleTree, size: number): IDataObject {
	const root = rootAt(tree, size, size > 1 ? tree.consistencyProof(size - 1, size) : undefined);
	root.url = `https://arweave.net/tx-${size}/`;
	root.published_at = new Date(Date.UTC(2024, 4, 2) + size * 60000).toISOString();
	return root;
}

/** Builds one page's worth of records with every proof and root Pangea would hand out. */
export function buildTree(options: TreeOptions): PangeaTree {
	const rnd = random(options.seed ?? options.events * 7919 + options.layout.length);
	const sizes = bufferSizes(options, rnd);
	const envelopes = Array.from({ length: options.events }, (_, i) => makeEnvelope(i, rnd, options));
	const hashes = envelopes.map(envelopeHash);

	const buffers: MerkleTree[] = [];
	const bufferOf: Array<[number, number]> = [];
	let start = 0;
	for (const [b, size] of sizes.entries()) {
		buffers.push(
			new MerkleTree(hashes.slice(start, start + size).map((h) => Buffer.from(h, 'hex'))),
		);
		for (let j = 0; j < size; j++) bufferOf.push([b, j]);
		start += size;
	}
	const main = new MerkleTree(buffers.map((buffer) => buffer.hash()));
	const total = buffers.length;
	const defaultPending = total > 1 ? Math.min(total - 1, 1 + Math.floor(rnd() * 3)) : 0;
	const published = total - Math.min(total, options.pendingBuffers ?? defaultPending);

	const publishedRoots = new Map<number, IDataObject>();
	for (let size = 1; size <= published; size++)
		publishedRoots.set(size, publishedRootAt(main, size));

	const records = envelopes.map((envelope, i) => {
		const [b, j] = bufferOf[i];
		const isPublished = b < published;
		const steps = [
			...buffers[b].path(j, j + 1),
			...main.path(b, b + 1, isPublished ? published : total),
		];
		return {
			envelope,
			hash: hashes[i],
			published: isPublished,
			leaf_index: b,
			membership_proof: formatPath(steps),
		} as IDataObject;
	});

	const context: PangeaTree['context'] = {};
	if (published > 0) context.root = publishedRoots.get(published);
	if (published < total) context.unpublished_root = rootAt(main, total);
	const serverRoot = (size: number) =>
		size <= published
			? publishedRoots.get(size)
			: size <= total
				? rootAt(main, size, size > 1 ? main.consistencyProof(size - 1, size) : undefined)
				: undefined;
	return {
		records,
		context,
		publishedRoots,
		lookup: async (treeSize) => publishedRoots.get(treeSize),
		serverLookup: async (treeSize) => serverRoot(treeSize),
		bufferSizes: sizes,
		publishedBuffers: published,
	};
}
