// Benchmarks of the package's hot paths, printed as figures (not timed tests):
//  1. normalization: events per second per core, per source, on the simulator's records;
//  2. Search Return All against the simulator vs a bare HTTP loop over the very same requests;
//  3. Export and Wait memory: peak RSS above the file's size for a large Carbon Black Cloud export.
// Run: npm run build && npm run bench -- [--events 100000] [--export-events 1000000] [--only normalize|search|export]
// The simulator runs in a child process so that its work is not counted against ours.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(resolve(repo, 'package.json'));
const { values: args } = parseArgs({
	options: {
		events: { type: 'string', default: '100000' },
		'export-events': { type: 'string', default: '200000' },
		only: { type: 'string' },
		rounds: { type: 'string', default: '3' },
	},
});
const EVENTS = Number(args.events);
const ROUNDS = Number(args.rounds);

const { AuditLog } = require('./dist/nodes/AuditLog/AuditLog.node.js');
const { SOURCES } = require('./dist/nodes/shared/sources/index.js');

function median(values) {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)];
}

async function startSimulatorProcess(sizes) {
	const flags = Object.entries(sizes).flatMap(([vendor, n]) => [`--${vendor}`, String(n)]);
	const child = spawn(process.execPath, ['test/simulator/cli.mjs', '--port', '0', '--json', ...flags], {
		cwd: repo,
		stdio: ['ignore', 'pipe', 'inherit'],
	});
	const info = await new Promise((done, fail) => {
		let buffer = '';
		child.stdout.on('data', (chunk) => {
			buffer += chunk;
			const line = buffer.split('\n').find((l) => l.startsWith('{'));
			if (line) done(JSON.parse(line));
		});
		child.on('exit', (code) => fail(new Error(`simulator exited with ${code}`)));
	});
	const stop = () => child.kill('SIGTERM');
	children.push(stop);
	return { info, stop };
}

/** A minimal IExecuteFunctions whose HTTP helper is fetch: the bare loop uses fetch too. */
function fakeExecuteFunctions(parameters, credentials, authenticate, log) {
	const lookup = (name) => name.split('.').reduce((o, k) => (o == null ? undefined : o[k]), parameters);
	const send = async (options, withAuth) => {
		const url = new URL(options.url);
		for (const [k, v] of Object.entries(options.qs ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
		const headers = { 'content-type': 'application/json', ...(options.headers ?? {}), ...(withAuth ? authenticate() : {}) };
		const init = { method: options.method ?? 'GET', headers, redirect: options.disableFollowRedirect ? 'manual' : 'follow' };
		if (options.body !== undefined) init.body = JSON.stringify(options.body);
		log?.push({ url: url.toString(), init });
		const response = await fetch(url, init);
		const raw = Buffer.from(await response.arrayBuffer());
		const body = options.encoding === 'arraybuffer' ? raw : raw.length ? JSON.parse(raw.toString('utf8')) : '';
		return { statusCode: response.status, headers: Object.fromEntries(response.headers), body };
	};
	return {
		getNodeParameter: (name, _i, fallback) => lookup(name) ?? fallback,
		getNode: () => ({ id: '1', name: 'Audit Log', type: 'n8n-nodes-audit-log.auditLog', typeVersion: 1, position: [0, 0], parameters }),
		getMode: () => 'trigger',
		continueOnFail: () => false,
		getInputData: () => [{ json: {} }],
		getCredentials: async () => credentials,
		getExecutionCancelSignal: () => undefined,
		getWorkflowStaticData: () => ({}),
		addExecutionHints: () => {},
		helpers: {
			httpRequestWithAuthentication: async (_type, options) => await send(options, true),
			httpRequest: async (options) => await send(options, false),
			prepareBinaryData: async (data, fileName, mimeType) => ({ data: '', fileName, mimeType, fileSize: String(data.length) }),
		},
	};
}

async function benchNormalize() {
	const { startSimulator } = await import('../simulator/server.mjs');
	const vendorOf = { carbonBlackCloud: 'cbc', cortexXdr: 'cortex', ciscoSecureEndpoint: 'cisco', pangea: 'pangea' };
	const size = Math.min(EVENTS, 50_000);
	const sim = await startSimulator({ port: 0, sizes: { cbc: size, cortex: size, cisco: size, pangea: Math.min(size, 20_000) } });
	console.log(`\n## Normalization (records from the simulator, one core)`);
	for (const source of SOURCES) {
		const vendor = sim.state.vendors[vendorOf[source.id]];
		const records = (vendor?.events ?? []).map((e) => (typeof e.json === 'string' ? JSON.parse(e.json) : (e.data ?? e)));
		if (records.length === 0) {
			console.log(`${source.displayName}: no records`);
			continue;
		}
		const rates = [];
		for (let round = 0; round < ROUNDS + 1; round++) {
			const started = performance.now();
			for (const record of records) source.normalize(record, {});
			const seconds = (performance.now() - started) / 1000;
			if (round > 0) rates.push(records.length / seconds);
		}
		console.log(`${source.displayName}: ${Math.round(median(rates)).toLocaleString('en-US')} events/s (${records.length} records, median of ${ROUNDS})`);
	}
	await sim.stop();
}

async function benchSearch() {
	const { info, stop } = await startSimulatorProcess({ cbc: EVENTS, cortex: 10, cisco: 10, pangea: 10 });
	const cred = info.credentials?.cbc ?? info.credentials?.carbonBlackCloud;
	const credentials = {
		baseUrl: info.urls.cbc,
		orgKey: cred?.orgKey ?? 'ORG1SIM',
		apiId: cred?.apiId ?? 'SIMAPIID01',
		apiSecretKey: cred?.apiSecretKey ?? 'SIMSECRETKEY00000000000001',
	};
	const authenticate = () => ({ 'X-Auth-Token': `${credentials.apiSecretKey}/${credentials.apiId}` });
	const parameters = { resource: 'carbonBlackCloud', operation: 'search', returnAll: true, filters: { range: '-1M' }, options: {} };
	console.log(`\n## Search Return All, Carbon Black Cloud, ${EVENTS.toLocaleString('en-US')} events (simulator in another process)`);
	const node = new AuditLog();
	const ours = [];
	const bare = [];
	let requests = [];
	let count = 0;
	for (let round = 0; round <= ROUNDS; round++) {
		const log = [];
		let started = performance.now();
		const [items] = await node.execute.call(fakeExecuteFunctions(parameters, credentials, authenticate, log));
		const oursMs = performance.now() - started;
		count = items.length;
		requests = log;
		// The bare loop: the same requests, the same client, JSON parsed, nothing else.
		started = performance.now();
		let rows = 0;
		for (const { url, init } of requests) {
			const response = await fetch(url, init);
			rows += JSON.parse(Buffer.from(await response.arrayBuffer()).toString('utf8')).results?.length ?? 0;
		}
		const bareMs = performance.now() - started;
		if (rows < count) throw new Error(`bare loop read ${rows} rows, search returned ${count}`);
		if (round > 0) {
			ours.push(oursMs);
			bare.push(bareMs);
		}
	}
	const ratio = median(ours) / median(bare);
	console.log(`events returned: ${count}, requests: ${requests.length}`);
	console.log(`search: ${median(ours).toFixed(0)} ms, bare HTTP loop: ${median(bare).toFixed(0)} ms, ratio ${ratio.toFixed(2)} (target <= 1.25)`);
	console.log(`search throughput: ${Math.round((count / median(ours)) * 1000).toLocaleString('en-US')} events/s end to end`);
	stop();
}

async function benchExport() {
	const events = Number(args['export-events']);
	const { info, stop } = await startSimulatorProcess({ cbc: events, cortex: 10, cisco: 10, pangea: 10 });
	const credentials = { baseUrl: info.urls.cbc, orgKey: 'ORG1SIM', apiId: 'SIMAPIID01', apiSecretKey: 'SIMSECRETKEY00000000000001' };
	const authenticate = () => ({ 'X-Auth-Token': `${credentials.apiSecretKey}/${credentials.apiId}` });
	console.log(`\n## Export and Wait, Carbon Black Cloud job, ${events.toLocaleString('en-US')} events`);
	for (const format of ['csv', 'json']) {
		const parameters = { resource: 'carbonBlackCloud', operation: 'exportAndWait', format, binaryPropertyName: 'data', filters: { range: '-1M' }, options: { pollInterval: 1 } };
		globalThis.gc?.();
		const baseline = process.memoryUsage().rss;
		let peak = baseline;
		const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
		const started = performance.now();
		const [items] = await new AuditLog().execute.call(fakeExecuteFunctions(parameters, credentials, authenticate));
		clearInterval(sampler);
		peak = Math.max(peak, process.memoryUsage().rss);
		const fileMb = Number(items[0].json.fileSize) / 2 ** 20;
		const aboveMb = (peak - baseline) / 2 ** 20;
		console.log(
			`${format}: ${items[0].json.eventCount} events, file ${fileMb.toFixed(1)} MB, peak RSS +${aboveMb.toFixed(1)} MB over the start ` +
				`(${(aboveMb - fileMb).toFixed(1)} MB beyond the file; target: file + 300 MB), ${((performance.now() - started) / 1000).toFixed(1)} s`,
		);
	}
	stop();
}

const children = [];
const only = args.only;
try {
	if (!only || only === 'normalize') await benchNormalize();
	if (!only || only === 'search') await benchSearch();
	if (!only || only === 'export') await benchExport();
} finally {
	for (const stop of children) stop();
}
