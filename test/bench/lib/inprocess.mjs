// The package run in this process through n8n-core's real contexts and request helpers (the jest
// harness of test/harness, compiled with swc), and the wire's limit: a bare undici loop replaying
// the very requests the package made.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { request } from 'undici';

import { SIM_CREDENTIALS } from '../../simulator/server.mjs';
import { E2E_SOURCES } from '../../e2e/lib/sources.mjs';
import { compileTs, REPO } from './compile.mjs';

const HARNESS = ['n8n', 'credentials', 'workflow', 'services'].map((f) => `test/harness/${f}.ts`);
const CREDENTIALS = [
	'CarbonBlackCloudApi',
	'CiscoSecureEndpointApi',
	'CortexXdrApi',
	'PangeaAuditApi',
];

/** The built package (dist/) and the harness; `npm run build` first. */
export function loadPackage() {
	// Inside the worktree (ignored by git), so that the compiled harness finds n8n-core and
	// n8n-workflow, and two worktrees sharing one node_modules do not share it.
	const load = compileTs(HARNESS, join(REPO, '.e2e', 'bench', 'harness'));
	const dist = (path) => load(join(REPO, 'dist', path));
	return {
		harness: load('./test/harness/n8n.js'),
		helperClass: load('./test/harness/credentials.js').HarnessCredentialsHelper,
		AuditLog: dist('nodes/AuditLog/AuditLog.node.js').AuditLog,
		AuditLogTrigger: dist('nodes/AuditLogTrigger/AuditLogTrigger.node.js').AuditLogTrigger,
		credentialTypes: CREDENTIALS.map((name) => {
			const module = dist(`credentials/${name}.credentials.js`);
			return new module[name]();
		}),
		sources: dist('nodes/shared/sources/index.js').SOURCES,
		auditItem: dist('nodes/shared/auditItem.js'),
		canonical: dist('nodes/shared/canonical.js'),
	};
}

/**
 * The sources as the bench reads them: the e2e rows, except Cortex's Standard key (its Advanced
 * key signs each request with a fresh nonce, which a replay cannot reuse).
 */
export function benchCredential(source, sim) {
	if (source.vendor !== 'cortex') return source.credential(sim);
	return {
		baseUrl: sim.urls.cortex,
		...pick(SIM_CREDENTIALS.cortex, 'apiKeyId', 'apiKey'),
		securityLevel: 'standard',
	};
}

const pick = (o, ...keys) => Object.fromEntries(keys.map((k) => [k, o[k]]));

export const sourceByVendor = (vendor) => E2E_SOURCES.find((s) => s.vendor === vendor);

/** Search, Return All over the whole seeded span (4 days), the node's default output. */
export const SEARCH_ALL = {
	operation: 'search',
	returnAll: true,
	filters: { range: '-1w' },
	options: {},
};

/**
 * The package's options per vendor in the bench: Cortex at the tenant's 10 requests per second
 * (the node's default, 5, leaves room for other callers), the rate the limit loop and the HTTP
 * Request node workflow are held to.
 */
export const VENDOR_OPTIONS = { cortex: { requestsPerSecond: 10 } };

export function searchAll(vendor) {
	return { ...SEARCH_ALL, options: { ...SEARCH_ALL.options, ...VENDOR_OPTIONS[vendor] } };
}

/**
 * The requests n8n-core's helpers send, as the credentials helper authenticates them: method, URL
 * with query, headers (credential applied) and body. Only while `log` is set.
 */
export function captureRequests(pkg) {
	const proto = pkg.helperClass.prototype;
	const original = proto.authenticate;
	const state = { log: null };
	proto.authenticate = async function (...args) {
		const options = await original.apply(this, args);
		if (state.log) {
			const url = new URL(options.url);
			for (const [k, v] of Object.entries(options.qs ?? {}))
				if (v !== undefined) url.searchParams.set(k, String(v));
			const headers = { ...options.headers };
			// A generic credential may set axios's `auth` (Cisco: Basic client id / API key).
			if (options.auth) {
				const { username, password } = options.auth;
				headers.authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
			}
			state.log.push({
				method: options.method ?? 'GET',
				url: url.toString(),
				headers,
				body: options.body,
			});
		}
		return options;
	};
	return state;
}

/** One node execution through n8n-core; resolves with its output items. */
export async function runNodeOnce(pkg, source, sim, parameters) {
	const { output } = await pkg.harness.runNode({
		nodeType: new pkg.AuditLog(),
		parameters: { resource: source.id, ...parameters },
		credentials: { [source.credentialType]: benchCredential(source, sim) },
		credentialTypes: pkg.credentialTypes,
	});
	return output[0] ?? [];
}

/** The records in one vendor answer: CBC results, Cortex reply.data, Cisco data, Pangea result.events. */
function recordsIn(body) {
	return (
		body?.results ??
		body?.reply?.data ??
		body?.result?.events ??
		(Array.isArray(body?.data) ? body.data : [])
	);
}

/**
 * The wire's limit: the same requests one after the other with undici, gzip accepted (as n8n's
 * client does) and each body parsed. `perSecond` holds it to a vendor's rate (Cortex: 10 in any
 * second, a sliding window, as the vendor counts); a 429 (timer jitter) is sent again.
 */
export async function limitLoop(requests, { perSecond = 0 } = {}) {
	let rows = 0;
	const starts = [];
	for (let i = 0; i < requests.length; i++) {
		const r = requests[i];
		if (perSecond > 0 && starts.length >= perSecond) {
			const wait = starts[starts.length - perSecond] + 1000 + 2 - performance.now();
			if (wait > 0) await new Promise((done) => setTimeout(done, wait));
		}
		starts.push(performance.now());
		const body =
			r.body === undefined
				? undefined
				: typeof r.body === 'string'
					? r.body
					: JSON.stringify(r.body);
		const headers = { ...r.headers, 'accept-encoding': 'gzip' };
		if (body !== undefined) headers['content-type'] ??= 'application/json';
		const answer = await request(r.url, { method: r.method, headers, body });
		let bytes = Buffer.from(await answer.body.arrayBuffer());
		if (answer.headers['content-encoding'] === 'gzip') bytes = gunzipSync(bytes);
		if (answer.statusCode === 429 && perSecond > 0) {
			i--;
			continue;
		}
		if (answer.statusCode !== 200)
			throw new Error(`limit loop: ${r.method} ${r.url} answered ${answer.statusCode}`);
		rows += recordsIn(JSON.parse(bytes.toString('utf8'))).length;
	}
	return rows;
}

/** This process's peak RSS since the last reset, in MB (Linux: VmHWM; reset by clear_refs 5). */
export function peakRssMb() {
	const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
	return match ? Number(match[1]) / 1024 : process.memoryUsage().rss / 2 ** 20;
}

export function resetPeakRss() {
	try {
		writeFileSync('/proc/self/clear_refs', '5');
	} catch {
		// Not Linux, or not allowed: the peak then covers the whole process.
	}
}
