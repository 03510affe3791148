// Pangea tamper-proof verification (vendor-apis.md 4.5): hashes, signatures, proofs, and which roots to trust.
import { createHash, createPublicKey, verify as verifyBytes, type KeyObject } from 'node:crypto';

import { canonicalJson, sha256Hex } from '../../canonical';
import { BoundedMemo } from '../../memo';
import type { ProofVerdict, RawRecord, Verdict, Verification } from '../../types';

/** A published (or unpublished) root as search, results, /v1/root and Arweave return it. */
export type PangeaRoot = {
	size?: number;
	root_hash?: string;
	tree_name?: string;
	/** Nodes of the previous tree, each with its path to this root (see verifyConsistencyProof). */
	consistency_proof?: string[] | string;
	url?: string;
	published_at?: string;
};

/** A root as it arrives (parsed JSON): PangeaRoot-shaped, but read defensively. */
export type RootData = PangeaRoot | Record<string, unknown>;

/** The roots of one search or results page; a Page's `context` can be passed as it is. */
export type PageRoots = { root?: unknown; unpublished_root?: unknown };

/** Roots by tree size (Pangea's /v1/root, or a test's tree); undefined when none is known. */
export type RootLookup = (treeSize: number) => Promise<RootData | undefined>;

type PathStep = { left: boolean; sibling: Buffer };
type ConsistencyNode = { hash: Buffer; path: PathStep[] };

// Pangea writes hashes as lowercase hex; anything else is treated as tampering, not normalized.
const HASH_HEX = /^[0-9a-f]{64}$/;
const ED25519_SIGNATURE_BYTES = 64;
const ED25519_KEY_BYTES = 32;
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

// Parsing a public key costs more than verifying with it, and a log has few distinct signers.
const keyCache = new BoundedMemo<KeyObject | undefined>(256);

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function decodeHash(value: unknown): Buffer | undefined {
	return typeof value === 'string' && HASH_HEX.test(value) ? Buffer.from(value, 'hex') : undefined;
}

function hashPair(left: Buffer, right: Buffer): Buffer {
	return createHash('sha256').update(left).update(right).digest();
}

/** Tokens `l:<hex>` / `r:<hex>` from `from` on; undefined when any token is malformed. */
function parsePath(tokens: string[], from: number): PathStep[] | undefined {
	const steps: PathStep[] = [];
	for (let i = from; i < tokens.length; i++) {
		const token = tokens[i];
		const side = token.slice(0, 2);
		const sibling = decodeHash(token.slice(2));
		if ((side !== 'l:' && side !== 'r:') || !sibling) return undefined;
		steps.push({ left: side === 'l:', sibling });
	}
	return steps;
}

function climb(start: Buffer, path: PathStep[]): Buffer {
	let node = start;
	for (const step of path) {
		node = step.left ? hashPair(step.sibling, node) : hashPair(node, step.sibling);
	}
	return node;
}

/** Standard base64 that re-encodes to itself (padding optional), so no two texts decode alike. */
function decodeBase64(text: string): Buffer | undefined {
	const bytes = Buffer.from(text, 'base64');
	const encoded = bytes.toString('base64');
	return encoded === text || encoded.replace(/=+$/, '') === text ? bytes : undefined;
}

function keyFromMaterial(material: string): KeyObject | undefined {
	let key: KeyObject;
	if (material.startsWith('-----')) {
		key = createPublicKey(material);
	} else {
		const bytes = decodeBase64(material);
		if (bytes?.length === ED25519_KEY_BYTES) {
			key = createPublicKey({
				key: { kty: 'OKP', crv: 'Ed25519', x: bytes.toString('base64url') },
				format: 'jwk',
			});
		} else if (
			bytes?.length === ED25519_SPKI_PREFIX.length + ED25519_KEY_BYTES &&
			bytes.subarray(0, ED25519_SPKI_PREFIX.length).equals(ED25519_SPKI_PREFIX)
		) {
			key = createPublicKey({ key: bytes, format: 'der', type: 'spki' });
		} else {
			return undefined;
		}
	}
	return key.asymmetricKeyType === 'ed25519' ? key : undefined;
}

/** `{"algorithm":"ED25519","key":…,…extra info}` or a bare key (PEM, raw or DER SPKI base64). */
function parsePublicKey(publicKey: string): KeyObject | undefined {
	let material = publicKey;
	if (publicKey.startsWith('{')) {
		const info: unknown = JSON.parse(publicKey);
		if (!isObject(info) || typeof info.key !== 'string') return undefined;
		if (info.algorithm !== undefined && info.algorithm !== 'ED25519') return undefined;
		material = info.key;
	}
	return keyFromMaterial(material);
}

function publicKeyOf(publicKey: string): KeyObject | undefined {
	return keyCache.get(publicKey, () => {
		try {
			return parsePublicKey(publicKey);
		} catch {
			// Unparsable JSON or key material: the signature cannot be checked, which is a failure.
			return undefined;
		}
	});
}

/** sha256(canonical JSON of the envelope as received) equals the record's `hash`. */
export function verifyEnvelopeHash(envelope: unknown, hash: unknown): Verdict {
	if (!isObject(envelope) || typeof hash !== 'string' || !HASH_HEX.test(hash)) return 'fail';
	try {
		return sha256Hex(canonicalJson(envelope)) === hash ? 'pass' : 'fail';
	} catch {
		// Only a cyclic object throws (stack overflow); parsed JSON never is one.
		return 'fail';
	}
}

/**
 * Ed25519 over the canonical JSON of `envelope.event`; `none` when the envelope carries neither a
 * signature nor a public key. A valid signature proves origin only if the key is trusted.
 */
export function verifySignature(envelope: unknown): Verdict | 'none' {
	if (!isObject(envelope)) return 'fail';
	const { signature, public_key: publicKey, event } = envelope;
	if (signature == null && publicKey == null) return 'none';
	if (typeof signature !== 'string' || typeof publicKey !== 'string' || !isObject(event)) {
		return 'fail';
	}
	const key = publicKeyOf(publicKey);
	const bytes = decodeBase64(signature);
	if (!key || bytes?.length !== ED25519_SIGNATURE_BYTES) return 'fail';
	try {
		return verifyBytes(null, Buffer.from(canonicalJson(event)), key, bytes) ? 'pass' : 'fail';
	} catch {
		return 'fail';
	}
}

/**
 * The membership proof `l:<hex>,r:<hex>,…` leads from `hash` to `rootHash`; `none` when there is
 * no proof or no root to check against. An empty proof means the hash is the root.
 */
export function verifyMembership(hash: unknown, proof: unknown, rootHash: unknown): ProofVerdict {
	if (proof == null || rootHash == null) return 'none';
	const leaf = decodeHash(hash);
	const root = decodeHash(rootHash);
	if (!leaf || !root || typeof proof !== 'string') return 'fail';
	const path = proof === '' ? [] : parsePath(proof.split(','), 0);
	if (!path) return 'fail';
	return climb(leaf, path).equals(root) ? 'pass' : 'fail';
}


/** Leaves in the left child of an n-leaf node (n ≥ 2): the largest power of two below n. */
function leftSize(n: number): number {
	let k = 1;
	while (k * 2 < n) k *= 2;
	return k;
}

/**
 * The sides of the path from the node holding leaves [start, start + width) up to the root of a
 * `size`-leaf tree, bottom-up (`true` = sibling on the left); undefined when no such node exists.
 * Pangea's trees are shaped by leftSize, so a position fixes its path's shape exactly.
 */
export function pathSides(start: number, width: number, size: number): boolean[] | undefined {
	if (![start, width, size].every(Number.isSafeInteger) || start < 0 || width < 1 || start + width > size) {
		return undefined;
	}
	const sides: boolean[] = [];
	let lo = 0;
	let n = size;
	while (lo !== start || n !== width) {
		const k = leftSize(n);
		if (start + width <= lo + k) {
			sides.push(false);
			n = k;
		} else if (start >= lo + k) {
			sides.push(true);
			lo += k;
			n -= k;
		} else {
			return undefined;
		}
	}
	return sides.reverse();
}

/** The perfect subtrees [start, width] that make up a tree of `size` leaves, rightmost first. */
function decomposition(size: number): Array<[number, number]> {
	const nodes: Array<[number, number]> = [];
	let start = 0;
	let rest = size;
	while (rest > 0) {
		let width = 1;
		while (width * 2 <= rest) width *= 2;
		nodes.push([start, width]);
		start += width;
		rest -= width;
	}
	return nodes.reverse();
}

function sidesMatch(path: PathStep[], expected: boolean[] | undefined, exact: boolean): boolean {
	if (!expected || path.length < expected.length || (exact && path.length !== expected.length)) return false;
	const tail = path.slice(path.length - expected.length);
	return tail.every((step, i) => step.left === expected[i]);
}

/**
 * The membership proof's shape fits a record at buffer `leafIndex` of a `treeSize`-buffer tree:
 * its last steps (the main tree's part; the buffer's own subtree comes first) take exactly the
 * turns that lead to that leaf. Without this, a record could claim another position (leaf 0,
 * whose consistency needs no history) while proving membership from elsewhere.
 */
export function membershipShapeMatches(proof: unknown, leafIndex: unknown, treeSize: unknown): boolean {
	const index = toLeafIndex(leafIndex);
	const size = toLeafIndex(treeSize);
	if (index === undefined || size === undefined || typeof proof !== 'string') return false;
	const path = proof === '' ? [] : parsePath(proof.split(','), 0);
	return path !== undefined && sidesMatch(path, pathSides(index, 1, size), false);
}

function parseConsistencyProof(proof: unknown): ConsistencyNode[] | undefined {
	// The root schema says one string, SDKs and responses use a list: accept both.
	const items = typeof proof === 'string' ? [proof] : proof;
	if (!Array.isArray(items) || items.length === 0) return undefined;
	const nodes: ConsistencyNode[] = [];
	for (const item of items) {
		if (typeof item !== 'string') return undefined;
		const tokens = item.split(',');
		// The tag before the colon is not hashed and every SDK ignores it; only its presence counts.
		const colon = tokens[0].indexOf(':');
		const hash = colon > 0 ? decodeHash(tokens[0].slice(colon + 1)) : undefined;
		const path = parsePath(tokens, 1);
		if (!hash || !path) return undefined;
		nodes.push({ hash, path });
	}
	return nodes;
}

/**
 * A consistency proof (list of `<tag>:<node>,l:<hex>,r:<hex>…`) shows the tree of `prevRootHash`
 * is a prefix of the tree of `newRootHash`: the nodes, folded right to left, give the previous
 * root, and each node's path reaches the new root. Given the two sizes, each node must also sit
 * where the prefix's subtrees sit (else old history could reappear moved behind new records).
 * Also links unpublished roots of /v1/log.
 */
export function verifyConsistencyProof(
	proof: unknown,
	prevRootHash: unknown,
	newRootHash: unknown,
	sizes?: { prev: number; next: number },
): Verdict {
	const prevRoot = decodeHash(prevRootHash);
	const newRoot = decodeHash(newRootHash);
	const nodes = parseConsistencyProof(proof);
	if (!prevRoot || !newRoot || !nodes) return 'fail';
	if (sizes) {
		const expected = decomposition(sizes.prev);
		if (expected.length !== nodes.length || sizes.next <= sizes.prev) return 'fail';
		const shaped = nodes.every((node, k) =>
			sidesMatch(node.path, pathSides(expected[k][0], expected[k][1], sizes.next), true),
		);
		if (!shaped) return 'fail';
	}
	let folded = nodes[0].hash;
	for (let k = 1; k < nodes.length; k++) folded = hashPair(nodes[k].hash, folded);
	if (!folded.equals(prevRoot)) return 'fail';
	return nodes.every((node) => climb(node.hash, node.path).equals(newRoot)) ? 'pass' : 'fail';
}

function toLeafIndex(value: unknown): number | undefined {
	const index = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
	return typeof index === 'number' && Number.isSafeInteger(index) && index >= 0 ? index : undefined;
}

function sizeMatches(root: Record<string, unknown>, size: number): boolean {
	return root.size == null || Number(root.size) === size;
}

/**
 * The roots of sizes `leafIndex` (prev) and `leafIndex + 1` (new) are consistent, shape included:
 * buffer `leafIndex` was appended without rewriting history. Index 0 has no history to check;
 * `none` when either root is unknown. Says nothing about where the roots came from (see RootTrust).
 */
export function verifyConsistency(
	leafIndex: unknown,
	prevRoot: RootData | undefined,
	newRoot: RootData | undefined,
): ProofVerdict {
	const index = toLeafIndex(leafIndex);
	if (index === undefined) return 'fail';
	if (index === 0) return 'pass';
	if (prevRoot == null || newRoot == null) return 'none';
	if (!isObject(prevRoot) || !isObject(newRoot)) return 'fail';
	if (!sizeMatches(prevRoot, index) || !sizeMatches(newRoot, index + 1)) return 'fail';
	return verifyConsistencyProof(newRoot.consistency_proof, prevRoot.root_hash, newRoot.root_hash, {
		prev: index,
		next: index + 1,
	});
}

/** One lookup per tree size for as long as the returned function lives; failures are not kept. */
export function memoizeRoots(lookup: RootLookup): RootLookup {
	const cache = new Map<number, Promise<RootData | undefined>>();
	return async (treeSize) => {
		let root = cache.get(treeSize);
		if (!root) {
			root = (async () => await lookup(treeSize))();
			cache.set(treeSize, root);
			root.catch(() => cache.delete(treeSize));
		}
		return await root;
	};
}

/** A root the package has verified against an independent source; what the trigger remembers. */
export type TrustedRoot = { size: number; root_hash: string };

/**
 * Where roots come from. `independent` answers from a source Pangea does not control (roots
 * published on Arweave, fetched through a gateway) and must not make a request per call: the
 * caller fetches a page's sizes in one batch. `server` is Pangea's own /v1/root.
 */
export type RootSources = {
	/** `{conflict: true}` when the source holds several different roots for the size. */
	independent(treeSize: number): RootData | undefined;
	server: RootLookup;
};

/** Longest run of /v1/root links followed from a trusted root to the root in question. */
export const MAX_CHAIN_LINKS = 200;

const CONFLICT = Symbol('conflict');
type Anchor = string | typeof CONFLICT | undefined;

function rootHashAt(root: RootData | undefined, size: number): string | undefined {
	if (!isObject(root) || !sizeMatches(root, size)) return undefined;
	return typeof root.root_hash === 'string' && HASH_HEX.test(root.root_hash) ? root.root_hash : undefined;
}

function worst(...verdicts: ProofVerdict[]): ProofVerdict {
	for (const bad of ['fail', 'none', 'pending'] as const) if (verdicts.includes(bad)) return bad;
	return 'pass';
}

/**
 * Which root hash the package can vouch for at each tree size. A size is anchored by the
 * independent source, by the root remembered from an earlier run, or by an unbroken chain of
 * consistency proofs (each root of size k proves k-1 → k) from an anchored size. A root that
 * contradicts an anchor (another hash at its size, or a chain link that does not verify) is a
 * conflict: history was rewritten or the root was forged. A size nothing anchors is unknown, so
 * the verdicts that need it say `pending`: a server alone can never earn a `pass`.
 */
export class RootTrust {
	private readonly anchors = new Map<number, typeof CONFLICT | string>();
	private conflicted = false;
	/** The remembered size: every root after it must prove consistent with it, gateway or not. */
	readonly base?: number;

	constructor(
		private readonly sources: RootSources,
		remembered?: TrustedRoot,
		readonly maxChain = MAX_CHAIN_LINKS,
	) {
		if (remembered && toLeafIndex(remembered.size) && HASH_HEX.test(remembered.root_hash)) {
			this.anchors.set(remembered.size, remembered.root_hash);
			this.base = remembered.size;
		}
	}

	/** The root of `size` to check a record's consistency with: independent first, then Pangea's. */
	async rootAt(size: number): Promise<RootData | undefined> {
		return this.sources.independent(size) ?? (await this.sources.server(size));
	}

	/** Server sizes a check of `size` may walk through; fetched ahead, a few at a time. */
	chainSizes(size: number): number[] {
		const afterBase = this.base !== undefined && size > this.base;
		if (this.anchors.has(size) || (!afterBase && rootHashAt(this.sources.independent(size), size))) return [];
		const { below, above } = this.nearest(size);
		if (below !== undefined) return range(below + 1, size);
		if (above !== undefined) return range(size, above);
		return [];
	}

	/** `pass` when `rootHash` is the anchored root of `size`, `fail` on a contradiction, else `pending`. */
	async check(size: unknown, rootHash: unknown): Promise<ProofVerdict> {
		const at = toLeafIndex(size);
		if (at === undefined || at === 0 || typeof rootHash !== 'string') return 'fail';
		const anchor = await this.anchorAt(at);
		if (anchor === undefined) return 'pending';
		if (anchor === CONFLICT || anchor !== rootHash) {
			this.conflicted = true;
			return 'fail';
		}
		return 'pass';
	}

	/** Works out the anchor of `size` (callers settle sizes in ascending order: shortest chains). */
	async settle(size: number): Promise<void> {
		await this.anchorAt(size);
	}

	/**
	 * The largest anchored root up to `limit` (the latest published size: an unpublished tail is
	 * not remembered), to remember; none once any root contradicted an anchor.
	 */
	newest(limit = Infinity): TrustedRoot | undefined {
		if (this.conflicted) return undefined;
		let newest: TrustedRoot | undefined;
		for (const [size, hash] of this.anchors) {
			if (hash === CONFLICT) return undefined;
			if (size <= limit && (!newest || size > newest.size)) newest = { size, root_hash: hash };
		}
		return newest;
	}

	private nearest(size: number): { below?: number; above?: number } {
		let below: number | undefined;
		let above: number | undefined;
		for (const [known, hash] of this.anchors) {
			if (hash === CONFLICT) continue;
			if (known < size && size - known <= this.maxChain && (below === undefined || known > below)) below = known;
			if (known > size && known - size <= this.maxChain && (above === undefined || known < above)) above = known;
		}
		return { below, above };
	}

	private async anchorAt(size: number): Promise<Anchor> {
		const known = this.anchors.get(size);
		if (known !== undefined) return known;
		const published = this.sources.independent(size);
		if (isObject(published) && (published as Record<string, unknown>).conflict === true) {
			this.anchors.set(size, CONFLICT);
			return CONFLICT;
		}
		const independent = rootHashAt(published, size);
		const { below, above } = this.nearest(size);
		if (this.base !== undefined && size > this.base) {
			// After the remembered root, a published root is not enough: a server that rewrote
			// history can publish the rewritten roots too. Only a chain of proofs from it anchors.
			if (below === undefined) return undefined;
			const chained = await this.chainUp(below, size);
			if (chained !== undefined && chained !== CONFLICT && independent && independent !== chained) {
				this.anchors.set(size, CONFLICT);
				return CONFLICT;
			}
			return chained;
		}
		if (independent) {
			this.anchors.set(size, independent);
			return independent;
		}
		if (below !== undefined) return await this.chainUp(below, size);
		if (above !== undefined) return await this.chainDown(size, above);
		return undefined;
	}

	/** Follows Pangea's roots from the anchored `from` up to `to`, each link proved. */
	private async chainUp(from: number, to: number): Promise<Anchor> {
		let hash = this.anchors.get(from) as string;
		for (let k = from + 1; k <= to; k++) {
			const anchored = this.anchors.get(k);
			if (anchored === CONFLICT) return CONFLICT;
			const root = await this.sources.server(k);
			const next = rootHashAt(root, k);
			if (!next) return anchored;
			const linked = verifyConsistencyProof((root as PangeaRoot).consistency_proof, hash, next, { prev: k - 1, next: k });
			const published = rootHashAt(this.sources.independent(k), k);
			if (linked !== 'pass' || (anchored !== undefined && anchored !== next) || (published && published !== next)) {
				this.anchors.set(k, CONFLICT);
				return CONFLICT;
			}
			this.anchors.set(k, next);
			hash = next;
		}
		return hash;
	}

	/** Proves Pangea's root of `from` is a prefix of the anchored root of `to`. */
	private async chainDown(from: number, to: number): Promise<Anchor> {
		const hashes: string[] = [];
		const roots: RootData[] = [];
		for (let k = from; k <= to; k++) {
			const root = await this.sources.server(k);
			const hash = rootHashAt(root, k);
			if (!hash) return undefined;
			hashes.push(hash);
			roots.push(root as RootData);
		}
		const anchored = this.anchors.get(to);
		let linked = hashes[hashes.length - 1] === anchored;
		for (let k = from + 1; linked && k <= to; k++) {
			const proof = (roots[k - from] as PangeaRoot).consistency_proof;
			linked = verifyConsistencyProof(proof, hashes[k - from - 1], hashes[k - from], { prev: k - 1, next: k }) === 'pass';
		}
		if (!linked) {
			this.anchors.set(from, CONFLICT);
			return CONFLICT;
		}
		for (let k = from; k < to; k++) this.anchors.set(k, hashes[k - from]);
		return hashes[0];
	}
}

function range(from: number, to: number): number[] {
	return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}

function rootHashOf(root: unknown): unknown {
	return isObject(root) ? root.root_hash : undefined;
}

/**
 * A record's membership: its proof climbs to the page's root for it, takes the turns its leaf
 * index implies, and that root is anchored. `none` when there is no proof or root to check.
 */
async function membershipOf(record: RawRecord, root: unknown, trust: RootTrust): Promise<ProofVerdict> {
	const climbed = verifyMembership(record.hash, record.membership_proof, rootHashOf(root));
	if (climbed !== 'pass') return climbed;
	const size = (root as Record<string, unknown>).size;
	if (!membershipShapeMatches(record.membership_proof, record.leaf_index, size)) return 'fail';
	return await trust.check(size, rootHashOf(root));
}

/**
 * A published record's consistency: the tree it claims to be in (the page's root) is anchored,
 * and the roots of its buffer (sizes i and i+1) are consistent and both anchored. The first
 * buffer has no history, but its root must still be anchored. Like the
 * SDKs, a published root whose proof fails is retried with Pangea's proof for the same hash.
 */
async function consistencyOf(record: RawRecord, root: unknown, trust: RootTrust, sources: RootSources): Promise<ProofVerdict> {
	if (record.published === false) return 'pending';
	if (record.published !== true || record.leaf_index == null || !isObject(root)) return 'none';
	const index = toLeafIndex(record.leaf_index);
	if (index === undefined) return 'fail';
	// The tree the record claims to be in must be the anchored one, or its history says nothing.
	const tree = await trust.check(root.size, root.root_hash);
	if (tree === 'fail') return 'fail';
	if (index === 0) {
		const first = await trust.rootAt(1);
		return first === undefined ? 'pending' : worst(tree, await trust.check(1, rootHashOf(first)));
	}
	const prev = await trust.rootAt(index);
	let next = await trust.rootAt(index + 1);
	if (prev === undefined || next === undefined) return 'pending';
	let linked = verifyConsistency(index, prev, next);
	if (linked === 'fail' && next === sources.independent(index + 1)) {
		const fromPangea = await sources.server(index + 1);
		if (rootHashOf(fromPangea) === rootHashOf(next)) {
			next = fromPangea;
			linked = verifyConsistency(index, prev, next);
		}
	}
	if (linked !== 'pass') return linked;
	return worst(tree, await trust.check(index, rootHashOf(prev)), await trust.check(index + 1, rootHashOf(next)));
}

/**
 * The one-word summary of a record's checks: `failed` when any check failed, `unverified` when a
 * proof the check needs is missing, `pending` when a root is not anchored yet (unpublished, not
 * yet on the ledger, ledger unreachable), else `verified`.
 */
export function verificationStatus(checks: Omit<Verification, 'status'>): Verification['status'] {
	const all = [checks.hash, checks.signature, checks.membership, checks.consistency];
	if (all.includes('fail')) return 'failed';
	if (checks.membership === 'none' || checks.consistency === 'none') return 'unverified';
	if (all.includes('pending')) return 'pending';
	return 'verified';
}

/** Tree sizes whose roots verifying these records may need. */
export function sizesNeeded(records: RawRecord[], pageContext: PageRoots): number[] {
	const sizes = new Set<number>();
	for (const root of [pageContext.root, pageContext.unpublished_root]) {
		const size = isObject(root) ? toLeafIndex(root.size) : undefined;
		if (size) sizes.add(size);
	}
	for (const record of records) {
		const index = toLeafIndex(record.leaf_index);
		if (record.published !== true || index === undefined) continue;
		if (index > 0) sizes.add(index);
		sizes.add(index + 1);
	}
	return [...sizes].sort((a, b) => a - b);
}

/**
 * The `verification` object of each record of one page, in order. Published records are checked
 * against the page's `root`, unpublished ones against `unpublished_root` (consistency `pending`
 * until Pangea publishes them). Every root must be anchored by `trust` to earn a `pass`. Failed
 * checks are verdicts, never errors; only a failing server lookup rejects.
 */
export async function verifyRecords(
	records: RawRecord[],
	pageContext: PageRoots,
	sources: RootSources,
	trust: RootTrust = new RootTrust(sources),
): Promise<Verification[]> {
	// Anchors are settled in size order, so each chain starts from the nearest anchor below.
	const sizes = sizesNeeded(records, pageContext);
	// From a remembered root far behind, walk forward in steps no longer than one chain.
	if (trust.base !== undefined && sizes.length > 0) {
		for (let step = trust.base + trust.maxChain; step < sizes[sizes.length - 1]; step += trust.maxChain) sizes.push(step);
		sizes.sort((a, b) => a - b);
	}
	for (const size of sizes) await trust.settle(size);
	const verifications: Verification[] = [];
	// Records of one buffer share their consistency verdict (published ones all use the page's root).
	const byLeaf = new Map<unknown, ProofVerdict>();
	for (const record of records) {
		const root = record.published === true ? pageContext.root : pageContext.unpublished_root;
		const shared = record.published === true && toLeafIndex(record.leaf_index) !== undefined;
		let consistency = shared ? byLeaf.get(toLeafIndex(record.leaf_index)) : undefined;
		if (consistency === undefined) {
			consistency = await consistencyOf(record, root, trust, sources);
			if (shared) byLeaf.set(toLeafIndex(record.leaf_index), consistency);
		}
		const checks = {
			hash: verifyEnvelopeHash(record.envelope, record.hash),
			signature: verifySignature(record.envelope),
			membership: await membershipOf(record, root, trust),
			consistency,
		};
		verifications.push({ ...checks, status: verificationStatus(checks) });
	}
	return verifications;
}
