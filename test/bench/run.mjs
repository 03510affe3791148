// `npm run bench`: the package's performance side by side with the wire's limit (a bare undici loop),
// with what users build today (n8n's HTTP Request node) and under WAN latency (issue 13). Prints one
// markdown table and writes it with the machine's description to bench/RESULTS.md.
// Run: npm run bench -- [--quick] [--only normalize,search,latency,trigger,n8n,export] [--vendors cbc,cisco]
//   [--rounds N] [--n8n-rounds N] [--latency-ms 50] [--bandwidth-kbps 100000] [--cpu-prof] (--help lists them)
// (test/bench/run.sh builds and packs the package and installs the pinned n8n first). The
// simulator runs in a child process, each in-process measurement in a fresh Node process.
import { spawn } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';

import { n8nVersion } from '../e2e/lib/n8n.mjs';
import { freePort, stopAll, stopProcess, tearDownOnExit } from '../e2e/lib/proc.mjs';
import { startSimulator } from '../e2e/lib/simulator.mjs';
import { START } from '../e2e/lib/workflows.mjs';
import { REPO } from './lib/compile.mjs';
import { benchNormalize } from './lib/normalize.mjs';
import { formatEntries, topEntries } from './lib/profile.mjs';
import {
	executeWorkflow,
	httpWorkflows,
	oursWorkflows,
	prepareN8n,
	runInRunningN8n,
} from './lib/real.mjs';
import { fmt, machine, measureRounds, median, ratio, table } from './lib/stats.mjs';

const PARTS = ['normalize', 'search', 'latency', 'trigger', 'n8n', 'export'];
const ALL_VENDORS = ['cbc', 'cortex', 'cisco', 'pangea'];
const { values: args } = parseArgs({
	options: {
		quick: { type: 'boolean', default: false },
		only: { type: 'string' },
		vendors: { type: 'string' },
		rounds: { type: 'string' },
		'n8n-rounds': { type: 'string' },
		'warm-rounds': { type: 'string' },
		'n8n-home': { type: 'string' },
		tarball: { type: 'string' },
		'latency-ms': { type: 'string', default: '50' },
		'bandwidth-kbps': { type: 'string', default: '100000' },
		'cpu-prof': { type: 'boolean', default: false },
		out: { type: 'string', default: join(REPO, 'bench', 'RESULTS.md') },
		help: { type: 'boolean', short: 'h' },
	},
});
if (args.help) {
	console.log(`npm run bench -- [--quick] [--only ${PARTS.join(',')}] [--vendors ${ALL_VENDORS.join(',')}] [--rounds N] [--n8n-rounds N]
  [--warm-rounds N] [--latency-ms 50] [--bandwidth-kbps 100000] [--cpu-prof] [--out bench/RESULTS.md]`);
	process.exit(0);
}
const only = new Set(args.only ? args.only.split(',') : PARTS);
for (const part of only)
	if (!PARTS.includes(part)) throw new Error(`--only: unknown part ${part} (${PARTS.join(', ')})`);
const Q = args.quick;
const SIZES = {
	cbc: Q ? 10_000 : 100_000,
	cortex: Q ? 2_000 : 10_000,
	cisco: Q ? 2_000 : 10_000,
	pangea: Q ? 2_000 : 10_000,
};
const EXPORT_EVENTS = Q ? 50_000 : 1_000_000;
const TRIGGER_NEW = Q ? 1_000 : 5_000;
const ROUNDS = Number(args.rounds ?? (Q ? 2 : 3));
const N8N_ROUNDS = Number(args['n8n-rounds'] ?? (Q ? 1 : 3));
/**
 * Manual runs in a running n8n, after WARM_UP runs of each workflow. A run there takes a tenth of
 * a second, but n8n's garbage collector lands in one run or another (ours: 39 to 318 ms over 16
 * CBC runs), so it takes many for a steady median; Cortex's runs are held by its rate (9 s each).
 */
const WARM_ROUNDS = Number(args['warm-rounds'] ?? (Q ? 2 : 15));
const warmRounds = (vendor) => (vendor === 'cortex' ? Math.min(WARM_ROUNDS, 3) : WARM_ROUNDS);
const WARM_UP = Q ? 1 : 2;
const LATENCY = {
	latencyMs: Number(args['latency-ms']),
	bandwidthKbps: Number(args['bandwidth-kbps']),
};
/** Cortex's floor: 10 requests in any second for the tenant; the limit loop keeps to it. */
const CORTEX_PER_SECOND = 10;
/**
 * Cortex counts requests in a sliding second: a run must not start while the last one's requests
 * are still in it (a run right after another met 429s).
 */
const settleMs = (vendor) => (vendor === 'cortex' ? 1100 : 0);
/** --vendors narrows the per-vendor parts (search, latency, trigger, n8n) while one is worked on. */
const VENDORS = args.vendors ? args.vendors.split(',') : ALL_VENDORS;
for (const vendor of VENDORS)
	if (!ALL_VENDORS.includes(vendor))
		throw new Error(`--vendors: unknown vendor ${vendor} (${ALL_VENDORS.join(', ')})`);
const LABEL = { cbc: 'CBC', cortex: 'Cortex', cisco: 'Cisco', pangea: 'Pangea' };
const count = (n) => n.toLocaleString('en-US');

const rows = [];
const workDir = join(
	REPO,
	'.e2e',
	'bench',
	`run-${new Date().toISOString().replace(/[:.]/g, '-')}`,
);
const log = (message) =>
	console.log(`[${((performance.now() - t0) / 1000).toFixed(0).padStart(5)} s] ${message}`);
const t0 = performance.now();

/** A measurement that fails is an error row named `figure`, and the run goes on. */
async function attempt(figure, body) {
	try {
		await body();
	} catch (error) {
		log(`FAILED ${figure}: ${error.stack ?? error.message}`);
		rows.push({ figure, error: error.message.split('\n')[0].replace(/^Error: /, '') });
	}
}

/** A part of the run (--only): `body(vendor)` per vendor when `figureOf(vendor)` names its rows. */
async function part(name, figureOf, body) {
	if (!only.has(name)) return;
	log(`${name}: start`);
	if (typeof figureOf === 'string') return await attempt(figureOf, body);
	for (const vendor of VENDORS) await attempt(figureOf(vendor), () => body(vendor));
}

/** Top self-time entries of each worker's CPU profile (--cpu-prof), for RESULTS.md. */
const profiles = [];

/** One in-process task in a fresh Node process (test/bench/worker.mjs). */
async function worker(task) {
	// --cpu-prof: each worker writes a V8 profile (open it in Chrome DevTools) next to the logs.
	const profile = join(workDir, 'profiles', `${task.kind}-${task.vendor}-${Date.now()}.cpuprofile`);
	const prof = args['cpu-prof']
		? ['--cpu-prof', `--cpu-prof-dir=${dirname(profile)}`, `--cpu-prof-name=${basename(profile)}`]
		: [];
	const result = await new Promise((resolve, reject) => {
		const child = spawn(
			process.execPath,
			['--expose-gc', ...prof, join(REPO, 'test/bench/worker.mjs'), JSON.stringify(task)],
			{ stdio: ['ignore', 'pipe', 'inherit'] },
		);
		let out = '';
		child.stdout.on('data', (chunk) => (out += chunk));
		child.on('error', reject);
		child.on('close', () => {
			const line = out.split('\n').find((l) => l.startsWith('{"ok"'));
			if (!line) return reject(new Error(`worker ${task.kind} ${task.vendor} printed nothing`));
			const { ok, result: value, error } = JSON.parse(line);
			if (ok) resolve(value);
			else reject(new Error(error));
		});
	});
	if (args['cpu-prof']) {
		const latency = task.config?.latencyMs ? ` at ${task.config.latencyMs} ms` : '';
		const text = formatEntries(await topEntries(profile));
		profiles.push(`- ${task.kind} ${task.vendor}${latency} (\`${basename(profile)}\`):\n${text}`);
		log(`profile of ${task.kind} ${task.vendor}${latency}, top self time:\n${text}`);
	}
	return result;
}

async function simulator(name, sizes) {
	await mkdir(workDir, { recursive: true });
	const flags = Object.entries(sizes).flatMap(([vendor, n]) => [`--${vendor}`, String(n)]);
	const sim = await startSimulator({
		port: await freePort(),
		args: flags,
		logFile: join(workDir, `${name}.log`),
	});
	return { ...sim, task: { url: sim.url, urls: sim.urls, credentials: sim.credentials } };
}

const searchTask = (sim, vendor, config) => ({
	kind: 'search',
	vendor,
	sim: sim.task,
	rounds: ROUNDS,
	config,
	perSecond: vendor === 'cortex' ? CORTEX_PER_SECOND : 0,
	settleMs: settleMs(vendor),
});

async function searchPart(sim) {
	await part(
		'search',
		(v) => `Search Return All in-process, ${LABEL[v]}`,
		async (vendor) => {
			{
				const r = await worker(searchTask(sim, vendor, { latencyMs: 0, bandwidthKbps: 0 }));
				log(`search ${vendor}: ours ${fmt(r.oursMs)}, limit ${fmt(r.limitMs)}`);
				const capped = vendor === 'cortex';
				rows.push({
					figure: `Search Return All in-process, ${LABEL[vendor]}, ${count(r.events)} events (localhost${capped ? "; Requests per Second 10, the tenant's floor (default 5)" : ''})`,
					ours: `${fmt(r.oursMs)}; ${fmt(r.oursRequests, 'count')} requests; peak RSS ${fmt(r.oursPeakMb, 'mb')}; first run in a fresh process ${fmt(r.firstMs)}`,
					other: `undici loop ${fmt(r.limitMs)}; ${fmt(r.limitRequests, 'count')} requests`,
					ratio: ratio(r.oursMs, r.limitMs),
					target: '≤ 1.25 × limit',
					met: median(r.oursMs) <= 1.25 * median(r.limitMs),
				});
				if (vendor === 'cortex') {
					// Cortex: 100-record pages against the tenant's 10 requests per second.
					const floorMs = (median(r.oursRequests) / CORTEX_PER_SECOND) * 1000;
					rows.push({
						figure: `Cortex throttle: ${count(r.events)} events, ${median(r.oursRequests)} pages, 10 req/s`,
						ours: `${fmt(r.oursMs)}; ${fmt(r.oursThrottled, 'count')} × 429`,
						other: `floor ${fmt(floorMs)} (pages ÷ 10/s); the limit loop: ${fmt(r.limitMs)}, ${fmt(r.limitThrottled, 'count')} × 429`,
						ratio: `${(median(r.oursMs) / floorMs).toFixed(2)} ×`,
						target: '≤ 1.15 × floor, 0 × 429',
						met: median(r.oursMs) <= 1.15 * floorMs && r.oursThrottled.max === 0,
					});
				}
			}
		},
	);
}

async function latencyPart(sim) {
	const wan = `${LATENCY.latencyMs} ms, ${count(LATENCY.bandwidthKbps / 1000)} Mbit/s`;
	await part(
		'latency',
		(v) => `Search Return All at ${wan}, ${LABEL[v]}`,
		async (vendor) => {
			{
				const r = await worker(searchTask(sim, vendor, LATENCY));
				log(`latency ${vendor}: ours ${fmt(r.oursMs)}, limit ${fmt(r.limitMs)}`);
				const cisco = vendor === 'cisco';
				const speedup = median(r.limitMs) / median(r.oursMs);
				rows.push({
					figure: `Search Return All at ${wan}, ${LABEL[vendor]}, ${count(r.events)} events`,
					ours: `${fmt(r.oursMs)}; ${fmt(r.oursRequests, 'count')} requests; ${fmt(r.oursThrottled, 'count')} × 429`,
					other: `sequential undici loop ${fmt(r.limitMs)}`,
					ratio: ratio(r.oursMs, r.limitMs),
					target: cisco ? '≥ 3 × faster than the loop, 0 × 429' : '≤ 1.05 × limit',
					met: cisco
						? speedup >= 3 && r.oursThrottled.max === 0
						: median(r.oursMs) <= 1.05 * median(r.limitMs),
				});
			}
		},
	);
	await sim.control.call('POST', '/config', { latencyMs: 0, bandwidthKbps: 0 });
}

async function triggerPart(sim) {
	await part(
		'trigger',
		(v) => `Trigger poll, ${LABEL[v]}`,
		async (vendor) => {
			{
				const r = await worker({
					kind: 'trigger',
					vendor,
					sim: sim.task,
					rounds: ROUNDS,
					newEvents: TRIGGER_NEW,
				});
				log(`trigger ${vendor}: idle ${fmt(r.idleMs)}, ${TRIGGER_NEW} new ${fmt(r.busyMs)}`);
				rows.push({
					figure: `Trigger poll with nothing new, ${LABEL[vendor]}`,
					ours: `${fmt(r.idleMs)}; ${fmt(r.idleRequests, 'count')} request(s)`,
					other: `right after a poll that emitted ${count(TRIGGER_NEW)} (its overlap read again): ${fmt(r.afterMs)}, ${fmt(r.afterRequests, 'count')} request(s)`,
					ratio: '–',
					target: 'exactly 1 request',
					met: r.idleRequests.min === 1 && r.idleRequests.max === 1,
				});
				rows.push({
					figure: `Trigger poll with ${count(TRIGGER_NEW)} new events, ${LABEL[vendor]}`,
					ours: `${fmt(r.busyMs)}; ${fmt(r.busyRequests, 'count')} requests; ${fmt(r.busyItems, 'count')} emitted by this poll`,
					other: '–',
					ratio: '–',
					target: '–',
				});
			}
		},
	);
}

/**
 * One round of a comparison: ours (`same`) and the HTTP Request node workflow (`viaHttp`), each a
 * run with `nodes` and `requests`; their item counts go to `items`. Both must output the same
 * items, or the times compare different work: n8n's HTTP Request node, paged, has been seen to end
 * a run "successfully" with a vendor's 429 answer as its one item (Split Out then gives none).
 */
function comparedRound(same, viaHttp, items) {
	items.same = same.nodes.Search?.items;
	items.http = viaHttp.nodes['Split Out']?.items;
	if (!(items.same > 0 && items.same === items.http))
		throw new Error(
			`ours output ${items.same ?? 0} items and the HTTP Request node workflow ${items.http ?? 0}: not the same data`,
		);
	// The HTTP side's time is all its nodes' but the manual trigger's.
	const httpNames = Object.keys(viaHttp.nodes).filter((n) => n !== START);
	return {
		sameMs: same.nodes.Search.ms,
		sameRequests: same.requests,
		httpMs: httpNames.reduce((sum, name) => sum + viaHttp.nodes[name].ms, 0),
		httpRequests: viaHttp.requests,
	};
}

/** Ratio, target and verdict of ours (`sameMs`) against the HTTP Request node workflow (`httpMs`). */
const againstHttpNode = (r) => ({
	ratio: ratio(r.sameMs, r.httpMs),
	target: '≥ 1.5 × faster (≤ 0.67 ×)',
	met: median(r.httpMs) >= 1.5 * median(r.sameMs),
});

/** `run()`'s result with `requests`: those the vendors saw meanwhile (the simulator's stats). */
async function countingRequests(sim, run) {
	const before = await sim.control.stats();
	const result = await run();
	const after = await sim.control.stats();
	result.requests = VENDORS.reduce((sum, v) => sum + after.requests[v] - before.requests[v], 0);
	return result;
}

async function n8nPart(sim, n8nHome, tarball) {
	if (!only.has('n8n')) return;
	const ours = oursWorkflows();
	const http = httpWorkflows(sim, SIZES.cbc);
	let exec;
	let n8n;
	await part('n8n', 'In n8n: set-up and start-up', async () => {
		n8n = await prepareN8n({
			n8nHome,
			tarball,
			dir: join(workDir, 'n8n'),
			sim,
			workflows: [
				ours.empty,
				...VENDORS.map((v) => ours[v]),
				ours.cbc10k,
				...VENDORS.map((v) => http[v]),
			],
		});
		exec = (id) =>
			countingRequests(sim, () =>
				executeWorkflow(n8n, id, join(workDir, 'n8n', `${id}.out`), {
					cpuProfDir: args['cpu-prof'] ? join(workDir, 'profiles', 'n8n', id) : undefined,
				}),
			);
		const startup = await measureRounds(
			N8N_ROUNDS,
			async () => ({ ms: (await exec('benchEmpty')).wallMs }),
			0,
		);
		log(`n8n start-up (empty workflow): ${fmt(startup.ms)}`);
		rows.push({
			figure: `n8n ${n8n.version}: \`n8n execute\` of an empty workflow (start-up, reported apart)`,
			ours: fmt(startup.ms),
			other: '–',
			ratio: '–',
			target: '–',
		});
	});
	if (!exec) return;
	await part(
		'n8n',
		(v) => `In n8n: Search and HTTP Request node, ${LABEL[v]}`,
		async (vendor) => {
			{
				const oursId = vendor === 'cbc' ? null : ours[vendor].id;
				const items = {};
				const r = await measureRounds(
					N8N_ROUNDS,
					async () => {
						const full = await exec(ours[vendor].id);
						items.full = full.nodes.Search?.items;
						const same = oursId ? full : await exec(ours.cbc10k.id);
						const viaHttp = await exec(http[vendor].id);
						return {
							...comparedRound(same, viaHttp, items),
							fullMs: full.nodes.Search.ms,
							fullWall: full.wallMs,
							fullPeak: full.peakMb,
							fullRequests: full.requests,
							httpWall: viaHttp.wallMs,
							httpPeak: viaHttp.peakMb,
						};
					},
					0,
				);
				log(
					`n8n ${vendor}: ours ${fmt(r.fullMs)} (${items.full} items), http ${fmt(r.httpMs)} (${items.http} items)`,
				);
				rows.push({
					figure: `In n8n: Search Return All, ${LABEL[vendor]}, ${count(items.full ?? 0)} items (node time; wall incl. start-up)`,
					ours: `${fmt(r.fullMs)}; ${fmt(r.fullRequests, 'count')} requests; wall ${fmt(r.fullWall)}; n8n peak RSS ${fmt(r.fullPeak, 'mb')}`,
					other: '–',
					ratio: '–',
					target: '–',
				});
				rows.push({
					figure: `In n8n: HTTP Request node (paged) + Split Out vs ours, ${LABEL[vendor]}, ${count(items.http ?? 0)} items`,
					ours: `${fmt(r.sameMs)} (${count(items.same ?? 0)} items, ${fmt(r.sameRequests, 'count')} requests)`,
					other: `HTTP Request + Split Out ${fmt(r.httpMs)}; ${fmt(r.httpRequests, 'count')} requests; wall ${fmt(r.httpWall)}; n8n peak RSS ${fmt(r.httpPeak, 'mb')}`,
					...againstHttpNode(r),
				});
			}
		},
	);
	await warmPart(sim, n8n, { ours, http });
}

/**
 * The same comparison in a running n8n (`n8n start`, manual runs through its REST API): each
 * `n8n execute` above is a fresh process whose JavaScript is not compiled yet, on both sides;
 * a workflow on a schedule runs in a process that has run it before.
 */
async function warmPart(sim, n8n, { ours, http }) {
	let rest;
	await part('n8n', 'In a running n8n: start-up', async () => {
		rest = await n8n.start();
		await rest.signIn();
	});
	if (!rest) return;
	const run = async (vendor, id) => {
		await new Promise((done) => setTimeout(done, settleMs(vendor)));
		return await countingRequests(sim, () => runInRunningN8n(rest, id));
	};
	await part(
		'n8n',
		(v) => `In a running n8n: Search and HTTP Request node, ${LABEL[v]}`,
		async (vendor) => {
			const oursId = vendor === 'cbc' ? ours.cbc10k.id : ours[vendor].id;
			const items = {};
			const r = await measureRounds(
				warmRounds(vendor),
				async () => {
					const same = await run(vendor, oursId);
					const viaHttp = await run(vendor, http[vendor].id);
					return {
						...comparedRound(same, viaHttp, items),
						sameRun: same.runMs,
						httpRun: viaHttp.runMs,
					};
				},
				WARM_UP,
			);
			log(`running n8n ${vendor}: ours ${fmt(r.sameMs)}, http ${fmt(r.httpMs)}`);
			rows.push({
				figure: `In a running n8n (manual runs, after ${WARM_UP} of each): HTTP Request node (paged) + Split Out vs ours, ${LABEL[vendor]}, ${count(items.http ?? 0)} items`,
				ours: `${fmt(r.sameMs)} (${count(items.same ?? 0)} items, ${fmt(r.sameRequests, 'count')} requests); whole run ${fmt(r.sameRun)}`,
				other: `HTTP Request + Split Out ${fmt(r.httpMs)}; ${fmt(r.httpRequests, 'count')} requests; whole run ${fmt(r.httpRun)}`,
				...againstHttpNode(r),
			});
		},
	);
	await stopProcess(n8n.server);
}

async function exportPart(n8nHome, tarball) {
	await part(
		'export',
		`Export and Wait, ${count(EXPORT_EVENTS)} CBC events to CSV in n8n`,
		async () => {
			const sim = await simulator('simulator-export', {
				cbc: EXPORT_EVENTS,
				cortex: 10,
				cisco: 10,
				pangea: 10,
			});
			const ours = oursWorkflows();
			const n8n = await prepareN8n({
				n8nHome,
				tarball,
				dir: join(workDir, 'n8n-export'),
				sim,
				workflows: [ours.empty, ours.export],
			});
			// n8n's own footprint: the same process running an empty workflow.
			const idle = await executeWorkflow(
				n8n,
				ours.empty.id,
				join(workDir, 'n8n-export', 'empty.out'),
			);
			let fileMb = 0;
			let events = 0;
			const r = await measureRounds(
				N8N_ROUNDS,
				async () => {
					const run = await executeWorkflow(
						n8n,
						ours.export.id,
						join(workDir, 'n8n-export', 'export.out'),
					);
					fileMb = (run.fields.fileSize ?? 0) / 2 ** 20;
					events = run.fields.eventCount ?? 0;
					return {
						wallMs: run.wallMs,
						nodeMs: run.nodes.Export?.ms ?? 0,
						peakMb: run.peakMb,
						treeMb: run.treeMb,
					};
				},
				0,
			);
			await stopProcess(sim.child);
			log(`export: ${fmt(r.wallMs)}, peak ${fmt(r.peakMb, 'mb')}, file ${fileMb.toFixed(0)} MB`);
			rows.push({
				figure: `Export and Wait, ${count(events)} CBC events to CSV (${fileMb.toFixed(0)} MB) in n8n`,
				ours: `wall ${fmt(r.wallMs)} (node ${fmt(r.nodeMs)}); n8n process peak RSS ${fmt(r.peakMb, 'mb')} (tree ${fmt(r.treeMb, 'mb')}; an empty workflow: ${fmt(idle.peakMb, 'mb')})`,
				other: `CSV ${fileMb.toFixed(0)} MB + 300 MB = ${(fileMb + 300).toFixed(0)} MB`,
				ratio: '–',
				target: 'peak RSS ≤ CSV + 300 MB',
				met: events === EXPORT_EVENTS && r.peakMb.max <= fileMb + 300,
			});
		},
	);
}

async function main() {
	tearDownOnExit(() => log('interrupted: stopping everything'));
	const load = loadavg();
	const needsN8n = only.has('n8n') || only.has('export');
	if (needsN8n && (!args['n8n-home'] || !args.tarball))
		throw new Error(
			'n8n and export need --n8n-home and --tarball (npm run bench does that: test/bench/run.sh)',
		);
	log(
		`bench: ${Q ? 'quick' : 'full'} run, ${ROUNDS} rounds in-process, ${N8N_ROUNDS} in n8n; parts ${[...only].join(', ')}`,
	);
	await part('normalize', 'Normalization', async () =>
		rows.push(...(await benchNormalize({ rounds: ROUNDS, quick: Q, log }))),
	);
	if (['search', 'latency', 'trigger', 'n8n'].some((p) => only.has(p))) {
		const sim = await simulator('simulator', SIZES);
		log(
			`simulator ${sim.url}: ${Object.entries(SIZES)
				.map(([v, n]) => `${v} ${count(n)}`)
				.join(', ')}`,
		);
		await searchPart(sim);
		await latencyPart(sim);
		await n8nPart(sim, args['n8n-home'], args.tarball);
		// Last: it appends events to the vendors.
		await triggerPart(sim);
		await stopProcess(sim.child);
	}
	await exportPart(args['n8n-home'], args.tarball);
	await stopAll();

	const version = args['n8n-home'] ? n8nVersion(args['n8n-home']) : undefined;
	const text = table(rows);
	console.log(`\n${text}\n`);
	const note =
		`Each figure: the median of ${ROUNDS} rounds in-process (after one warm-up round; the trigger: no warm-up) ` +
		`and of ${N8N_ROUNDS} in n8n (each a fresh \`n8n execute\`), or of ${WARM_ROUNDS} manual runs in a running n8n after ${WARM_UP} of each (Cortex: ${warmRounds('cortex')}); (min–max) when they differ. ` +
		'Ratio = ours / comparison: lower is better. Every search is checked to return each event once (count against the simulator).';
	const userArgs = process.argv
		.slice(2)
		.filter(
			(a, i, all) =>
				!/^--(n8n-home|tarball)$/.test(a) && !/^--(n8n-home|tarball)$/.test(all[i - 1] ?? ''),
		);
	const command = `npm run bench${userArgs.length ? ` -- ${userArgs.join(' ')}` : ''}`;
	const profileText = profiles.length
		? `\n## CPU profiles (top self time per worker, whole process)\n\n${profiles.join('\n')}\n`
		: '';
	const doc = `# Benchmark results\n\n\`${command}\` (${Q ? 'quick: event counts scaled down' : 'full'}), ${((performance.now() - t0) / 60000).toFixed(1)} min.\n\n${machine({ n8nVersion: version, loadavg: load })}\n\n${note}\n\n${text}\n${profileText}`;
	await mkdir(join(args.out, '..'), { recursive: true });
	await writeFile(args.out, doc);
	log(`written to ${args.out}`);
	const failed = rows.some((r) => r.error);
	if (failed || args['cpu-prof'])
		log(`logs${args['cpu-prof'] ? ' and CPU profiles' : ''} kept in ${workDir}`);
	else await rm(workDir, { recursive: true, force: true });
	process.exit(failed ? 1 : 0);
}

main().catch(async (error) => {
	console.error(error.stack ?? error.message);
	await stopAll();
	process.exit(1);
});
