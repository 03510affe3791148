// Pangea verification: our verdicts against pangea-node-sdk 5.6.0, tampering, pending, bad input.
import type { IDataObject } from 'n8n-workflow';
import { generateKeyPairSync } from 'node:crypto';
import nock from 'nock';
import { AuditService, PangeaConfig } from 'pangea-node-sdk';

import { canonicalJson, sha256Hex } from '../../nodes/shared/canonical';
import {
	memoizeRoots,
	membershipShapeMatches,
	RootTrust,
	verificationStatus,
	verifyConsistency,
	verifyConsistencyProof,
	verifyEnvelopeHash,
	verifyMembership,
	verifyRecords,
	verifySignature,
	type PangeaRoot,
	type RootLookup,
	type RootSources,
} from '../../nodes/shared/sources/pangea/verify';
import type { Verdict, Verification } from '../../nodes/shared/types';
import { buildTree, LAYOUTS, signEvent, type PangeaTree } from './tree';
import { offline } from '../support/offline';

/**
 * The SDK keeps its verification helpers private to its bundle. They are reached through public
 * AuditService methods: processSearchResponse (the whole search flow, with `root()` stubbed and
 * Arweave answered by nock), processLogResponse (synchronous: signature, membership against the
 * `unpublished_root` it is given, consistency between two roots) and verifyHash.
 */
type SdkAudit = {
	root: (treeSize: number) => Promise<unknown>;
	verifyHash(envelope: unknown, hash: unknown): void;
	processLogResponse(result: IDataObject, options: IDataObject): void;
	processSearchResponse(response: unknown, options: IDataObject): Promise<unknown>;
	prevUnpublishedRootHash?: unknown;
};
type SdkRecord = IDataObject & {
	signature_verification?: string;
	membership_verification?: string;
	consistency_verification?: string;
};

function sdkAudit(lookup?: PangeaTree['lookup']): SdkAudit {
	const audit = new AuditService('pts_test', new PangeaConfig({ domain: 'aws.us.pangea.cloud' }));
	const sdk = audit as unknown as SdkAudit;
	if (lookup) sdk.root = async (treeSize) => ({ result: { data: await lookup(treeSize) } });
	return sdk;
}

const offlineSdk = sdkAudit();

function sdkHash(envelope: unknown, hash: unknown): Verdict {
	try {
		offlineSdk.verifyHash(envelope, hash);
		return 'pass';
	} catch {
		return 'fail';
	}
}

function sdkLog(result: SdkRecord, prevRootHash?: unknown): SdkRecord {
	offlineSdk.prevUnpublishedRootHash = prevRootHash;
	offlineSdk.processLogResponse(result, { verify: true, skipEventVerification: true });
	return result;
}

function sdkSignature(envelope: unknown): string | undefined {
	const result: SdkRecord = { envelope: structuredClone(envelope) as IDataObject };
	offlineSdk.processLogResponse(result, {});
	return result.signature_verification;
}

function sdkMembership(hash: unknown, proof: unknown, rootHash: unknown): string | undefined {
	return sdkLog({ hash, membership_proof: proof, unpublished_root: rootHash } as SdkRecord)
		.membership_verification;
}

function sdkConsistency(prev: IDataObject, next: IDataObject): string | undefined {
	const result = { consistency_proof: next.consistency_proof, unpublished_root: next.root_hash };
	return sdkLog(result as SdkRecord, prev.root_hash).consistency_verification;
}

/** Arweave as the SDK reads it (GraphQL, then one GET per transaction), serving the tree's published roots. */
function arweaveServes(tree: PangeaTree): void {
	nock('https://arweave.net')
		.persist()
		.post('/graphql')
		.reply((_uri, body) => {
			const query = String((body as IDataObject).query);
			const sizes = [...(/"tree_size"\s*values: \[([^\]]*)\]/.exec(query)?.[1] ?? '').matchAll(/"(\d+)"/g)].map((m) => Number(m[1]));
			const edges = sizes
				.filter((size) => tree.publishedRoots.has(size))
				.map((size) => ({ node: { id: `tx-${size}`, tags: [{ name: 'tree_size', value: String(size) }] } }));
			return [200, { data: { transactions: { edges } } }];
		})
		.get(/^\/tx-\d+\/$/)
		.reply((uri) => [200, tree.publishedRoots.get(Number(/tx-(\d+)/.exec(uri)?.[1]))]);
}

type Checks = Omit<Verification, 'status'>;

/** The SDK's verdicts for a whole page, as its search flow computes them, Arweave answering. */
async function sdkPageVerdicts(tree: PangeaTree): Promise<Checks[]> {
	if (tree.context.root) arweaveServes(tree);
	const events = structuredClone(tree.records) as SdkRecord[];
	const response = { success: true, result: { events, ...tree.context } };
	await sdkAudit(tree.serverLookup).processSearchResponse(response, { verifyConsistency: true });
	nock.cleanAll();
	return events.map((event) => ({
		hash: sdkHash(event.envelope, event.hash),
		signature: event.signature_verification as Verification['signature'],
		membership: event.membership_verification as Verification['membership'],
		// The SDK says `none` where we say `pending`: same meaning, ours names it.
		consistency: (event.published === false && event.consistency_verification === 'none'
			? 'pending'
			: event.consistency_verification) as Verification['consistency'],
	}));
}

function withoutStatus(verdicts: Verification[]): Checks[] {
	return verdicts.map((verdict) => {
		const checks: Partial<Verification> = { ...verdict };
		delete checks.status;
		return checks as Checks;
	});
}

/**
 * What an honest tree earns with the gateway answering. With nothing published yet, no root can be
 * checked independently: membership is `pending` where the SDK, trusting the server, says `pass`.
 */
function expectedVerdicts(tree: PangeaTree): Verification[] {
	return tree.records.map((record) => {
		const checks: Checks = {
			hash: 'pass',
			signature: (record.envelope as IDataObject).signature === undefined ? 'none' : 'pass',
			membership: tree.context.root ? 'pass' : 'pending',
			consistency: record.published ? 'pass' : 'pending',
		};
		return { ...checks, status: verificationStatus(checks) };
	});
}

/** The tree's roots: published ones from the gateway (unless it is down), every size from Pangea. */
function sourcesOf(tree: PangeaTree, gateway = true): RootSources {
	return {
		independent: (size) => (gateway ? tree.publishedRoots.get(size) : undefined),
		server: memoizeRoots(tree.serverLookup as RootLookup),
	};
}

/** Seeded so a failing case can be replayed. */
function randomSource(seed: number): () => number {
	let state = seed;
	return () => {
		state = (state * 1103515245 + 12345) % 2147483648;
		return state / 2147483648;
	};
}

const HEX = '0123456789abcdef';

/** Other characters for position `ch`: a flipped bit, another hex digit, the upper case. */
function variants(ch: string): string[] {
	const out = new Set([String.fromCharCode(ch.charCodeAt(0) ^ 1)]);
	if (HEX.includes(ch)) out.add(HEX[(HEX.indexOf(ch) + 7) % 16]);
	out.add(ch.toUpperCase());
	out.delete(ch);
	return [...out];
}

function positions(length: number, exhaustive: boolean, rnd: () => number, samples = 6): number[] {
	if (exhaustive) return Array.from({ length }, (_, i) => i);
	return Array.from({ length: Math.min(samples, length) }, () => Math.floor(rnd() * length));
}

/** Every single-character change of `text` at the given positions. */
function mutations(text: string, at: number[]): string[] {
	return at.flatMap((p) => variants(text[p]).map((v) => text.slice(0, p) + v + text.slice(p + 1)));
}

// Every size up to 20, then both sides of powers of two, up to 1 000 records.
const SIZES = [...Array.from({ length: 20 }, (_, i) => i + 1), 31, 33, 64, 65, 129, 256, 500, 1000];

offline();

describe('cross-check with pangea-node-sdk', () => {
	describe.each(LAYOUTS)('layout %s', (layout) => {
		test.each(SIZES)('%i records: every verdict equals the SDK verdict', async (events) => {
			// One big buffer is either published or still pending; other layouts keep 1 to 3 pending.
			const pendingBuffers = layout === 'oneBuffer' ? events % 2 : undefined;
			const tree = buildTree({ events, layout, seed: events, pendingBuffers });

			const ours = await verifyRecords(tree.records, tree.context, sourcesOf(tree));

			expect(ours).toEqual(expectedVerdicts(tree));
			const sdk = await sdkPageVerdicts(tree);
			if (tree.context.root) expect(withoutStatus(ours)).toEqual(sdk);
			else expect(sdk.every((v) => v.membership === 'pass')).toBe(true);
			expect(ours.map((v) => v.status)).toEqual(
				tree.records.map((r) => (r.published ? 'verified' : 'pending')),
			);
		});
	});

	test('the per-check SDK helpers agree with ours on every published root pair', () => {
		const tree = buildTree({ events: 300, layout: 'random', seed: 11 });
		for (let size = 2; size <= tree.publishedBuffers; size++) {
			const prev = tree.publishedRoots.get(size - 1) as IDataObject;
			const next = tree.publishedRoots.get(size) as IDataObject;
			expect(verifyConsistency(size - 1, prev, next)).toBe('pass');
			expect(sdkConsistency(prev, next)).toBe('pass');
		}
		for (const record of tree.records) {
			const root = record.published ? tree.context.root : tree.context.unpublished_root;
			const args = [record.hash, record.membership_proof, root?.root_hash] as const;
			expect(verifyMembership(...args)).toBe(sdkMembership(...args));
			expect(verifySignature(record.envelope)).toBe(sdkSignature(record.envelope));
		}
	});
});

describe('tampering', () => {
	const tree = buildTree({ events: 80, layout: 'random', seed: 5, signedShare: 0.5 });
	const rnd = randomSource(99);
	const published = tree.records.filter((r) => r.published === true);
	const pending = tree.records.filter((r) => r.published === false);
	const isShort = (r: IDataObject) => canonicalJson(r.envelope).length < 1000;
	const signed = published.find(
		(r) =>
			(r.envelope as IDataObject).signature !== undefined && Number(r.leaf_index) > 1 && isShort(r),
	) as IDataObject;
	// Exhaustive for a signed record, an unsigned one and a pending one; sampled for the rest.
	const exhaustive = new Set([
		signed,
		published.find((r) => (r.envelope as IDataObject).signature === undefined),
		pending[0],
	]);
	const rootOf = (record: IDataObject) =>
		(record.published ? tree.context.root : tree.context.unpublished_root) as IDataObject;

	test('the fixture is valid before tampering', async () => {
		expect(pending.length).toBeGreaterThan(0);
		expect(await verifyRecords(tree.records, tree.context, sourcesOf(tree))).toEqual(
			expectedVerdicts(tree),
		);
	});

	test('every byte change of the canonical envelope fails the hash', () => {
		let checked = 0;
		for (const record of tree.records) {
			const canonical = canonicalJson(record.envelope);
			const bytes = Buffer.from(canonical);
			for (const p of positions(bytes.length, exhaustive.has(record), rnd, 12)) {
				for (const flip of [0x01, 0x10]) {
					const changed = Buffer.from(bytes);
					changed[p] ^= flip;
					let parsed: unknown;
					try {
						parsed = JSON.parse(changed.toString());
					} catch {
						continue; // No longer JSON: nothing a server could send.
					}
					if (canonicalJson(parsed) === canonical) continue; // Same value, e.g. \u001F.
					checked++;
					expect(verifyEnvelopeHash(parsed, record.hash)).toBe('fail');
				}
			}
		}
		expect(checked).toBeGreaterThan(1000);
	});

	test('every character change of an envelope field fails the hash (and signature)', () => {
		for (const record of tree.records) {
			const envelope = structuredClone(record.envelope) as IDataObject;
			const isSigned = envelope.signature !== undefined;
			const event = envelope.event as IDataObject;
			const fields: Array<[IDataObject, string]> = [
				...Object.keys(event).map((k) => [event, k] as [IDataObject, string]),
				...Object.keys(envelope)
					.filter((k) => k !== 'event')
					.map((k) => [envelope, k] as [IDataObject, string]),
			];
			for (const [holder, field] of fields) {
				const original = holder[field];
				const text = String(original);
				const all = exhaustive.has(record) && text.length < 500;
				const changes =
					typeof original === 'string'
						? mutations(text, positions(text.length, all, rnd))
						: [typeof original === 'number' ? original * 2 + 1 : !original];
				for (const changed of changes) {
					holder[field] = changed;
					expect(verifyEnvelopeHash(envelope, record.hash)).toBe('fail');
					// The signature covers the event only, and a changed public_key text may
					// still hold the same key (extra info in its JSON): the hash catches those.
					if (isSigned && (holder === event || field === 'signature')) {
						expect(verifySignature(envelope)).toBe('fail');
					}
				}
				holder[field] = original;
			}
			expect(verifyEnvelopeHash(envelope, record.hash)).toBe('pass');
		}
	});

	test('swapping in another key fails the signature', () => {
		const envelope = signed.envelope as IDataObject;
		const pem = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' });
		const other = JSON.stringify({ algorithm: 'ED25519', key: pem.toString() });
		expect(verifySignature(envelope)).toBe('pass');
		expect(verifySignature({ ...envelope, public_key: other })).toBe('fail');
		const zeros = JSON.stringify({
			algorithm: 'ED25519',
			key: Buffer.alloc(32).toString('base64'),
		});
		expect(verifySignature({ ...envelope, public_key: zeros })).toBe('fail');
	});

	test('every character change of the record hash fails hash and membership', () => {
		for (const record of tree.records) {
			const text = String(record.hash);
			for (const hash of mutations(text, positions(text.length, exhaustive.has(record), rnd))) {
				expect(verifyEnvelopeHash(record.envelope, hash)).toBe('fail');
				expect(verifyMembership(hash, record.membership_proof, rootOf(record).root_hash)).toBe(
					'fail',
				);
			}
		}
	});

	test('every character change of a membership proof fails membership', () => {
		let checked = 0;
		for (const record of tree.records) {
			const proof = String(record.membership_proof);
			const rootHash = rootOf(record).root_hash;
			for (const changed of mutations(
				proof,
				positions(proof.length, exhaustive.has(record), rnd),
			)) {
				checked++;
				expect(verifyMembership(record.hash, changed, rootHash)).toBe('fail');
			}
		}
		expect(checked).toBeGreaterThan(500);
	});

	test('every character change of a consistency proof but its tag fails consistency', () => {
		let checked = 0;
		for (let size = 2; size <= tree.publishedBuffers; size++) {
			const prev = tree.publishedRoots.get(size - 1) as IDataObject;
			const next = tree.publishedRoots.get(size) as IDataObject;
			const proof = next.consistency_proof as string[];
			const all = size === Number(signed.leaf_index) + 1;
			for (const [k, item] of proof.entries()) {
				const at = positions(item.length, all, rnd).filter((p) => p !== 0);
				for (const changed of mutations(item, at)) {
					const tampered = proof.map((other, j) => (j === k ? changed : other));
					checked++;
					expect(verifyConsistency(size - 1, prev, { ...next, consistency_proof: tampered })).toBe(
						'fail',
					);
				}
			}
			expect(
				verifyConsistency(size - 1, prev, { ...next, consistency_proof: proof.slice(1) }),
			).toBe('fail');
		}
		expect(checked).toBeGreaterThan(200);
	});

	test('every character change of a root hash fails membership or consistency', () => {
		for (const root of [tree.context.root, tree.context.unpublished_root] as IDataObject[]) {
			const members = tree.records.filter((r) => rootOf(r) === root);
			const text = String(root.root_hash);
			for (const rootHash of mutations(text, positions(text.length, true, rnd))) {
				for (const record of members) {
					expect(verifyMembership(record.hash, record.membership_proof, rootHash)).toBe('fail');
				}
			}
		}
		const index = Number(signed.leaf_index);
		const prev = tree.publishedRoots.get(index) as IDataObject;
		const next = tree.publishedRoots.get(index + 1) as IDataObject;
		for (const rootHash of mutations(String(prev.root_hash), positions(64, true, rnd))) {
			expect(verifyConsistency(index, { ...prev, root_hash: rootHash }, next)).toBe('fail');
		}
		for (const rootHash of mutations(String(next.root_hash), positions(64, true, rnd))) {
			expect(verifyConsistency(index, prev, { ...next, root_hash: rootHash })).toBe('fail');
		}
	});

	test('a tampered page root or published root fails the records that rely on it', async () => {
		const root = tree.context.root as IDataObject;
		const rootHash = String(root.root_hash);
		// A different first hex digit, whatever the original was.
		const badRoot = { ...root, root_hash: (rootHash[0] === 'f' ? 'e' : 'f') + rootHash.slice(1) };
		const tamperedPage = await verifyRecords(
			tree.records,
			{ ...tree.context, root: badRoot },
			sourcesOf(tree),
		);
		tree.records.forEach((record, i) => {
			expect(tamperedPage[i].membership).toBe(record.published ? 'fail' : 'pass');
			expect(tamperedPage[i].status).toBe(record.published ? 'failed' : 'pending');
		});

		const k = Number(signed.leaf_index);
		const forged: RootSources = {
			independent: (size) => {
				const genuine = tree.publishedRoots.get(size);
				return size === k ? { ...genuine, root_hash: '0'.repeat(64) } : genuine;
			},
			server: memoizeRoots(tree.serverLookup as RootLookup),
		};
		const verdicts = await verifyRecords(tree.records, tree.context, forged);
		tree.records.forEach((record, i) => {
			const neighbour = record.published && [k - 1, k].includes(Number(record.leaf_index));
			expect(verdicts[i].consistency).toBe(
				neighbour ? 'fail' : expectedVerdicts(tree)[i].consistency,
			);
			expect(verdicts[i].hash).toBe('pass');
		});
	});

	test('the SDK agrees on hex-digit changes of proofs and roots', () => {
		const hexOnly = (texts: string[], shape: RegExp) => texts.filter((t) => shape.test(t));
		const proofShape = /^[lr]:[0-9a-f]{64}(,[lr]:[0-9a-f]{64})*$/;
		let checked = 0;
		for (const record of [...exhaustive] as IDataObject[]) {
			const rootHash = String(rootOf(record).root_hash);
			const proof = String(record.membership_proof);
			const changedProofs = mutations(proof, positions(proof.length, true, rnd));
			for (const changed of hexOnly(changedProofs, proofShape)) {
				checked++;
				expect(sdkMembership(record.hash, changed, rootHash)).toBe('fail');
				expect(verifyMembership(record.hash, changed, rootHash)).toBe('fail');
			}
			const changedRoots = mutations(rootHash, positions(64, true, rnd));
			for (const changed of hexOnly(changedRoots, /^[0-9a-f]{64}$/)) {
				checked++;
				expect(sdkMembership(record.hash, proof, changed)).toBe('fail');
				expect(verifyMembership(record.hash, proof, changed)).toBe('fail');
			}
		}
		expect(checked).toBeGreaterThan(100);
	});
});

describe('pending records', () => {
	test('unpublished records are checked against unpublished_root, linked to the published root', async () => {
		const tree = buildTree({ events: 40, layout: 'random', seed: 3, pendingBuffers: 3 });
		const verdicts = await verifyRecords(tree.records, tree.context, sourcesOf(tree));
		const pendingAt = tree.records.flatMap((r, i) => (r.published ? [] : [i]));
		expect(pendingAt.length).toBeGreaterThan(0);
		for (const i of pendingAt) {
			expect(verdicts[i]).toMatchObject({ hash: 'pass', membership: 'pass', consistency: 'pending', status: 'pending' });
		}

		// Checked against unpublished_root: a broken one fails them, a missing one leaves them unverified.
		const broken = { ...tree.context.unpublished_root, root_hash: '0'.repeat(64) };
		const withBroken = await verifyRecords(tree.records, { ...tree.context, unpublished_root: broken }, sourcesOf(tree));
		const withoutRoot = await verifyRecords(tree.records, { root: tree.context.root }, sourcesOf(tree));
		for (const i of pendingAt) {
			expect(withBroken[i]).toMatchObject({ membership: 'fail', status: 'failed' });
			expect(withoutRoot[i]).toMatchObject({ membership: 'none', status: 'unverified' });
		}
	});

	test('a page with nothing published yet is pending: no root can be checked independently', async () => {
		const tree = buildTree({ events: 25, layout: 'oneBuffer', pendingBuffers: 1 });
		const verdicts = await verifyRecords(tree.records, tree.context, sourcesOf(tree));
		expect(tree.context.root).toBeUndefined();
		expect(verdicts.every((v) => v.membership === 'pending' && v.status === 'pending')).toBe(true);
	});
});

describe('roots', () => {
	test('memoizeRoots asks once per tree size and retries after a failure', async () => {
		const root: PangeaRoot = { size: 2, root_hash: 'a'.repeat(64) };
		let failNext = true;
		const lookup = jest.fn(async (size: number) => {
			if (failNext) {
				failNext = false;
				throw new Error('503');
			}
			return size === 2 ? root : undefined;
		});
		const roots = memoizeRoots(lookup);
		await expect(roots(2)).rejects.toThrow('503');
		expect(await roots(2)).toBe(root);
		expect(await roots(2)).toBe(root);
		expect(await roots(3)).toBeUndefined();
		expect(lookup.mock.calls.map(([size]) => size)).toEqual([2, 2, 3]);
	});

	test('gateway down, nothing remembered: never pass, whatever Pangea says', async () => {
		const tree = buildTree({ events: 30, layout: 'random', seed: 4, pendingBuffers: 1 });
		const verdicts = await verifyRecords(tree.records, tree.context, sourcesOf(tree, false));
		expect(verdicts.every((v) => v.status === 'pending')).toBe(true);
		expect(verdicts.flatMap((v) => [v.membership, v.consistency])).not.toContain('pass');
	});

	test('a remembered root anchors later roots through Pangea\'s proofs, gateway down', async () => {
		const tree = buildTree({ events: 60, layout: 'random', seed: 12, pendingBuffers: 1 });
		const remembered = { size: 2, root_hash: String(tree.publishedRoots.get(2)?.root_hash) };
		const sources = sourcesOf(tree, false);
		const trust = new RootTrust(sources, remembered);
		const verdicts = await verifyRecords(tree.records, tree.context, sources, trust);
		expect(verdicts.map((v) => v.status)).toEqual(tree.records.map((r) => (r.published ? 'verified' : 'pending')));
		expect(trust.newest()?.size).toBe(tree.bufferSizes.length);
		// Only a published root is remembered: the unpublished tail is not.
		expect(trust.newest(tree.publishedBuffers)?.size).toBe(tree.publishedBuffers);

		const other = new RootTrust(sources, { size: 2, root_hash: 'e'.repeat(64) });
		const rewritten = await verifyRecords(tree.records, tree.context, sources, other);
		expect(rewritten.filter((v) => v.membership === 'pass')).toEqual([]);
		expect(rewritten.every((v) => v.status === 'failed')).toBe(true);
		expect(other.newest()).toBeUndefined();

		// The rewritten roots published on the gateway too: still no pass, the chain from memory breaks.
		const published = sourcesOf(tree, true);
		const republished = await verifyRecords(tree.records, tree.context, published, new RootTrust(published, { size: 2, root_hash: 'e'.repeat(64) }));
		expect(republished.filter((v) => v.membership === 'pass' || v.consistency === 'pass')).toEqual([]);
	});

	test('Pangea\'s roots are not asked when the gateway answers; once per size when it does not', async () => {
		const tree = buildTree({ events: 200, layout: 'random', seed: 8, pendingBuffers: 0 });
		const lookup = jest.fn(tree.serverLookup as RootLookup);
		await verifyRecords(tree.records, tree.context, { independent: (s) => tree.publishedRoots.get(s), server: memoizeRoots(lookup) });
		expect(lookup).not.toHaveBeenCalled();
		await verifyRecords(tree.records, tree.context, { independent: () => undefined, server: memoizeRoots(lookup) });
		expect(lookup).toHaveBeenCalledTimes(tree.bufferSizes.length);
	});

	test('a failing Pangea lookup rejects the page', async () => {
		const tree = buildTree({ events: 12, layout: 'single', pendingBuffers: 0 });
		const down: RootLookup = async () => {
			throw new Error('root lookup failed');
		};
		await expect(verifyRecords(tree.records, tree.context, { independent: () => undefined, server: down })).rejects.toThrow('root lookup failed');
	});

	test('a root of the wrong size fails consistency', () => {
		const tree = buildTree({ events: 10, layout: 'single', pendingBuffers: 0 });
		const prev = tree.publishedRoots.get(4) as PangeaRoot;
		const next = tree.publishedRoots.get(5) as PangeaRoot;
		expect(verifyConsistency(4, prev, next)).toBe('pass');
		expect(verifyConsistency('4', prev, next)).toBe('pass');
		expect(verifyConsistency(4, { ...prev, size: 3 }, next)).toBe('fail');
		expect(verifyConsistency(4, prev, { ...next, size: 6 })).toBe('fail');
		expect(verifyConsistency(0, undefined, undefined)).toBe('pass');
		expect(verifyConsistency(4, undefined, next)).toBe('none');
		// The spec's one-string form: the proof from 4 to 5 leaves has a single node.
		expect(next.consistency_proof).toHaveLength(1);
		const single = (next.consistency_proof as string[])[0];
		expect(verifyConsistency(4, prev, { ...next, consistency_proof: single })).toBe('pass');
	});
});

describe('shapes: a proof fixes the position it proves', () => {
	test('membership: the leaf index must be the one the proof\'s turns lead to', () => {
		const tree = buildTree({ events: 50, layout: 'single', pendingBuffers: 0 });
		const size = tree.publishedBuffers;
		for (const record of tree.records) {
			for (let index = 0; index < size; index++) {
				const fits = membershipShapeMatches(record.membership_proof, index, size);
				expect(fits).toBe(index === record.leaf_index);
			}
		}
	});

	test('consistency: old history moved behind new records is refused although every hash climbs', () => {
		// Tree of 2 leaves [a, b] whose "old" tree of 1 leaf is b: the proof node b climbs to the root.
		const a = 'a'.repeat(64);
		const b = 'b'.repeat(64);
		const root = sha256Hex(Buffer.concat([Buffer.from(a, 'hex'), Buffer.from(b, 'hex')]));
		const moved = [`x:${b},l:${a}`];
		expect(verifyConsistencyProof(moved, b, root)).toBe('pass');
		expect(verifyConsistencyProof(moved, b, root, { prev: 1, next: 2 })).toBe('fail');
		expect(verifyConsistencyProof([`x:${a},r:${b}`], a, root, { prev: 1, next: 2 })).toBe('pass');
	});
});

describe('malformed input is a failed check, never an exception', () => {
	const hash = 'a'.repeat(64);
	const step = 'l:' + 'b'.repeat(64);

	test.each([
		['odd-length hex', 'a'.repeat(63)],
		['upper-case hex', 'A'.repeat(64)],
		['not hex', 'z'.repeat(64)],
		['number', 42],
		['null', null],
	])('a hash that is %s', (_, bad) => {
		expect(verifyEnvelopeHash({ event: {} }, bad)).toBe('fail');
		expect(verifyMembership(bad, step, hash)).toBe('fail');
		expect(verifyMembership(hash, step, bad)).toBe(bad === null ? 'none' : 'fail');
		expect(verifyConsistencyProof([`x:${hash}`], bad, hash)).toBe('fail');
	});

	test.each([
		['a lone comma', ','],
		['a trailing comma', step + ','],
		['a step without hash', 'l:'],
		['an unknown side', 'x:' + 'b'.repeat(64)],
		['a short hash', 'r:' + 'b'.repeat(62)],
		['no separator', 'l' + 'b'.repeat(64)],
		['a space', ' ' + step],
		['a number', 7],
		['an array', [step]],
	])('a membership proof with %s', (_, proof) => {
		expect(verifyMembership(hash, proof, hash)).toBe('fail');
	});

	test.each([
		['an empty list', []],
		['an empty string', ''],
		['no tag', [':' + hash]],
		['no colon', [hash]],
		['a bad path', [`x:${hash},q:${hash}`]],
		['a number inside', [7]],
		['an object', { proof: `x:${hash}` }],
		['nothing', undefined],
	])('a consistency proof with %s', (_, proof) => {
		expect(verifyConsistencyProof(proof, hash, hash)).toBe('fail');
		const root = { size: 3, root_hash: hash, consistency_proof: proof } as PangeaRoot;
		expect(verifyConsistency(2, { size: 2, root_hash: hash }, root)).toBe('fail');
	});

	test.each([-1, 1.5, 'x', '', '1e3', Number.NaN, {}])('leaf index %p', (leafIndex) => {
		const root = { root_hash: hash, consistency_proof: [`x:${hash}`] };
		expect(verifyConsistency(leafIndex, root, root)).toBe('fail');
	});

	/** The signature in base64url: always differs from the original (a '-' replaces one character if no + or / did). */
	function urlSafeVariant(signature: string): string {
		const url = signature.replace(/\+/g, '-').replace(/\//g, '_');
		return url !== signature ? url : '-' + signature.slice(1);
	}

	test('odd envelopes and keys', () => {
		const event = { message: 'hi' };
		const good: IDataObject = { event, ...signEvent(event, 'jsonPem') };
		const cases: unknown[] = [
			undefined,
			null,
			'envelope',
			[good],
			{ ...good, event: 'hi' },
			{ ...good, signature: 12 },
			{ ...good, signature: undefined },
			{ ...good, public_key: undefined },
			{ ...good, signature: 'not base64!' },
			{ ...good, signature: String(good.signature).slice(4) },
			// The URL-safe alphabet (the key is random: a signature with no + or / gets a - forced in).
			{ ...good, signature: urlSafeVariant(String(good.signature)) },
			{ ...good, public_key: '{"key":' },
			{ ...good, public_key: '{"algorithm":"ED25519"}' },
			{ ...good, public_key: JSON.stringify({ algorithm: 'RSA', key: 'x' }) },
			{ ...good, public_key: '-----BEGIN PUBLIC KEY-----\nnonsense\n-----END PUBLIC KEY-----' },
			{ ...good, public_key: Buffer.alloc(31).toString('base64') },
			{ ...good, public_key: Buffer.alloc(44).toString('base64') },
			{ ...good, public_key: 'not a key' },
		];
		expect(verifySignature(good)).toBe('pass');
		for (const envelope of cases) {
			expect(verifySignature(envelope)).toBe('fail');
			expect(verifyEnvelopeHash(envelope, hash)).toBe('fail');
		}
		expect(verifySignature({ event })).toBe('none');
	});

	test('records missing parts', async () => {
		const verdicts = await verifyRecords(
			[
				{},
				{ hash, published: true, leaf_index: -3, membership_proof: 'junk' },
				{ hash, published: 'yes' },
			],
			{ root: { root_hash: hash } },
			{ independent: () => undefined, server: async () => undefined },
		);
		expect(verdicts).toEqual([
			{ status: 'failed', hash: 'fail', signature: 'fail', membership: 'none', consistency: 'none' },
			{ status: 'failed', hash: 'fail', signature: 'fail', membership: 'fail', consistency: 'fail' },
			{ status: 'failed', hash: 'fail', signature: 'fail', membership: 'none', consistency: 'none' },
		]);
	});
});

describe('where we differ from pangea-node-sdk 5.6.0 on purpose', () => {
	const hash = 'a'.repeat(64);

	test('an object inside event: the SDK hashes its JSON string, we hash what came', () => {
		const envelope = { event: { message: 'm', extra: { b: 1, a: [2] } }, received_at: 'r' };
		const ours = sha256Hex(canonicalJson(envelope));
		const stringified = {
			...envelope,
			event: { ...envelope.event, extra: canonicalJson(envelope.event.extra) },
		};
		const theirs = sha256Hex(canonicalJson(stringified));
		expect(verifyEnvelopeHash(envelope, ours)).toBe('pass');
		expect(sdkHash(envelope, ours)).toBe('fail');
		expect(verifyEnvelopeHash(envelope, theirs)).toBe('fail');
		expect(sdkHash(envelope, theirs)).toBe('pass');
	});

	test('integer-like keys sort as strings in both', () => {
		const envelope = { event: { '10': 'a', '9': 'b', message: 'c' }, received_at: 'r' };
		const digest = sha256Hex(canonicalJson(envelope));
		expect(canonicalJson(envelope.event)).toBe('{"10":"a","9":"b","message":"c"}');
		expect(verifyEnvelopeHash(envelope, digest)).toBe('pass');
		expect(sdkHash(envelope, digest)).toBe('pass');
	});

	test('a lone surrogate: the SDK throws, we escape it and give a verdict', () => {
		const envelope = { event: { message: 'x\ud800y' }, received_at: 'r' };
		const digest = sha256Hex(canonicalJson(envelope));
		expect(verifyEnvelopeHash(envelope, digest)).toBe('pass');
		expect(() => offlineSdk.verifyHash(envelope, digest)).toThrow(/surrogate/i);
	});

	test('a bare DER SPKI key: the SDK fails it, we read it', () => {
		const event = { message: 'spki' };
		const envelope = { event, ...signEvent(event, 'bareSpki') };
		expect(verifySignature(envelope)).toBe('pass');
		expect(sdkSignature(envelope)).toBe('fail');
	});

	test('sides other than l/r and upper-case hex: the SDK reads them, we fail them', () => {
		const leaf = 'c'.repeat(64);
		const sibling = 'd'.repeat(64);
		const root = sha256Hex(Buffer.concat([Buffer.from(leaf, 'hex'), Buffer.from(sibling, 'hex')]));
		expect(verifyMembership(leaf, `r:${sibling}`, root)).toBe('pass');
		expect(sdkMembership(leaf, `q:${sibling}`, root)).toBe('pass');
		expect(verifyMembership(leaf, `q:${sibling}`, root)).toBe('fail');
		expect(sdkMembership(leaf, `r:${sibling.toUpperCase()}`, root)).toBe('pass');
		expect(verifyMembership(leaf, `r:${sibling.toUpperCase()}`, root)).toBe('fail');
	});

	test('non-hex proof steps: the SDK throws, we fail them', () => {
		expect(() => sdkMembership(hash, 'l:xyz', hash)).toThrow(/hex/i);
		expect(verifyMembership(hash, 'l:xyz', hash)).toBe('fail');
	});
});
