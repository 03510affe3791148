// Pangea tamper-proof verification (vendor-apis.md 4.5): pure checks of hashes, signatures, proofs.
import { createHash, createPublicKey, verify as verifyBytes, type KeyObject } from 'node:crypto';

import { canonicalJson, sha256Hex } from '../../canonical';
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

/**
 * Where published roots come from, by tree size: Pangea's /v1/root today, a source the user
 * trusts (Arweave) later. Resolves undefined when no root of that size is known.
 */
export type RootLookup = (treeSize: number) => Promise<RootData | undefined>;

type PathStep = { left: boolean; sibling: Buffer };
type ConsistencyNode = { hash: Buffer; path: PathStep[] };

// Pangea writes hashes as lowercase hex; anything else is treated as tampering, not normalized.
const HASH_HEX = /^[0-9a-f]{64}$/;
const ED25519_SIGNATURE_BYTES = 64;
const ED25519_KEY_BYTES = 32;
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const KEY_CACHE_LIMIT = 256;

// Parsing a public key costs more than verifying with it, and a log has few distinct signers.
const keyCache = new Map<string, KeyObject | null>();

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
	const cached = keyCache.get(publicKey);
	if (cached !== undefined) return cached ?? undefined;
	let key: KeyObject | undefined;
	try {
		key = parsePublicKey(publicKey);
	} catch {
		// Unparsable JSON or key material: the signature cannot be checked, which is a failure.
		key = undefined;
	}
	if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.clear();
	keyCache.set(publicKey, key ?? null);
	return key;
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
 * root, and each node's path reaches the new root. Also links unpublished roots of /v1/log.
 */
export function verifyConsistencyProof(
	proof: unknown,
	prevRootHash: unknown,
	newRootHash: unknown,
): Verdict {
	const prevRoot = decodeHash(prevRootHash);
	const newRoot = decodeHash(newRootHash);
	const nodes = parseConsistencyProof(proof);
	if (!prevRoot || !newRoot || !nodes) return 'fail';
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
 * The buffer at `leafIndex` was appended without rewriting history: the published roots of sizes
 * `leafIndex` (prev) and `leafIndex + 1` (new) are consistent. Index 0 has no history to check;
 * `none` when either root is unknown.
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
	return verifyConsistencyProof(newRoot.consistency_proof, prevRoot.root_hash, newRoot.root_hash);
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

function rootHashOf(root: unknown): unknown {
	return isObject(root) ? root.root_hash : undefined;
}

async function lookUpConsistency(index: number, roots: RootLookup): Promise<ProofVerdict> {
	return verifyConsistency(index, await roots(index), await roots(index + 1));
}

/** The record's consistency verdict, from the page's cache when its buffer was seen before. */
function consistencyOf(
	record: RawRecord,
	roots: RootLookup,
	byLeaf: Map<number, ProofVerdict | Promise<ProofVerdict>>,
): ProofVerdict | Promise<ProofVerdict> {
	if (record.published === false) return 'pending';
	if (record.published !== true || record.leaf_index == null) return 'none';
	const index = toLeafIndex(record.leaf_index);
	if (index === undefined) return 'fail';
	if (index === 0) return 'pass';
	let verdict = byLeaf.get(index);
	if (verdict === undefined) {
		// Settled verdicts replace the promise so later records of the buffer need no await.
		verdict = lookUpConsistency(index, roots).then((settled) => {
			byLeaf.set(index, settled);
			return settled;
		});
		byLeaf.set(index, verdict);
	}
	return verdict;
}

/**
 * The `verification` object of each record of one page, in order. Published records are checked
 * against the page's `root` and the published roots of their buffer; unpublished ones against
 * `unpublished_root`, with consistency `pending` until Pangea publishes them. Failed checks are
 * verdicts, never errors; only a failing `roots` lookup rejects (the caller decides what it means).
 */
export async function verifyRecords(
	records: RawRecord[],
	pageContext: PageRoots,
	roots: RootLookup,
): Promise<Verification[]> {
	const byLeaf = new Map<number, ProofVerdict | Promise<ProofVerdict>>();
	const verifications: Verification[] = [];
	for (const record of records) {
		const root = record.published === true ? pageContext.root : pageContext.unpublished_root;
		const consistency = consistencyOf(record, roots, byLeaf);
		verifications.push({
			hash: verifyEnvelopeHash(record.envelope, record.hash),
			signature: verifySignature(record.envelope),
			membership: verifyMembership(record.hash, record.membership_proof, rootHashOf(root)),
			consistency: typeof consistency === 'string' ? consistency : await consistency,
		});
	}
	return verifications;
}
