// Benchmark of Pangea verification (verify.ts): records per second per check and in full.
// Run: node test/bench/verify.bench.mjs [records=5000]
// The TypeScript sources are compiled with @swc/core into a temporary directory first, so plain
// Node 24 runs it; nothing is written inside the repository.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { compileTs } from './lib/compile.mjs';

const SOURCES = [
	'nodes/shared/canonical.ts',
	'nodes/shared/types.ts',
	'nodes/shared/sources/pangea/verify.ts',
	'test/pangea/tree.ts',
];

const out = mkdtempSync(join(tmpdir(), 'verify-bench-'));
const load = compileTs(SOURCES, out);
const verify = load('./nodes/shared/sources/pangea/verify.js');
const { buildTree } = load('./test/pangea/tree.js');
rmSync(out, { recursive: true, force: true });

const records = Number(process.argv[2] ?? 5000);
const MIN_MS = 500;

/** Runs `fn` (handling `count` records) until MIN_MS has passed; returns records per second. */
async function rate(count, fn) {
	await fn(); // warm-up: JIT, key cache, root cache
	let runs = 0;
	const start = performance.now();
	while (performance.now() - start < MIN_MS) {
		await fn();
		runs++;
	}
	return (count * runs * 1000) / (performance.now() - start);
}

function rootOf(tree, record) {
	return record.published ? tree.context.root : tree.context.unpublished_root;
}

async function measure(label, tree) {
	// Published roots from the (in-memory) gateway, the unpublished tail from Pangea's /v1/root.
	const roots = {
		independent: (size) => tree.publishedRoots.get(size),
		server: verify.memoizeRoots(tree.serverLookup),
	};
	const n = tree.records.length;
	const buffers = tree.bufferSizes.length;
	const rows = [
		[
			'hash only',
			await rate(n, () =>
				tree.records.forEach((r) => verify.verifyEnvelopeHash(r.envelope, r.hash)),
			),
		],
		[
			'membership only',
			await rate(n, () =>
				tree.records.forEach((r) =>
					verify.verifyMembership(r.hash, r.membership_proof, rootOf(tree, r).root_hash),
				),
			),
		],
		[
			'consistency only (per buffer)',
			await rate(buffers - 1, () => {
				for (let size = 2; size <= tree.publishedBuffers; size++) {
					verify.verifyConsistency(
						size - 1,
						tree.publishedRoots.get(size - 1),
						tree.publishedRoots.get(size),
					);
				}
			}),
		],
		[
			'full verifyRecords, cached roots',
			await rate(n, () => verify.verifyRecords(tree.records, tree.context, roots)),
		],
	];
	if (tree.records.some((r) => r.envelope.signature !== undefined)) {
		rows.splice(1, 0, [
			'signature only',
			await rate(n, () => tree.records.forEach((r) => verify.verifySignature(r.envelope))),
		]);
	}
	const check = await verify.verifyRecords(tree.records, tree.context, roots);
	const bad = check.filter((v) => v.hash !== 'pass' || v.membership !== 'pass').length;
	if (bad > 0) throw new Error(`${label}: ${bad} records did not verify`);
	console.log(
		`\n${label}: ${n} records in ${buffers} buffers (${tree.publishedBuffers} published)`,
	);
	for (const [name, perSecond] of rows) {
		const unit = name.includes('per buffer') ? 'buffers/s' : 'records/s';
		console.log(
			`  ${name.padEnd(34)} ${Math.round(perSecond).toLocaleString('en-US').padStart(10)} ${unit}`,
		);
	}
}

console.log(
	`node ${process.version}, ${records} records per tree, each figure over >= ${MIN_MS} ms`,
);
await measure(
	'random buffers (1-8 events), unsigned',
	buildTree({ events: records, layout: 'random', seed: 1, signedShare: 0, pendingBuffers: 2 }),
);
await measure(
	'random buffers (1-8 events), all signed',
	buildTree({ events: records, layout: 'random', seed: 1, signedShare: 1, pendingBuffers: 2 }),
);
await measure(
	'one event per buffer (worst case for consistency), unsigned',
	buildTree({ events: records, layout: 'single', seed: 2, signedShare: 0, pendingBuffers: 2 }),
);
await measure(
	'one event per buffer, all signed',
	buildTree({ events: records, layout: 'single', seed: 2, signedShare: 1, pendingBuffers: 2 }),
);
