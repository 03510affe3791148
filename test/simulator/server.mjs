// The vendor simulator: one node:http server hosting CBC, Cortex XDR, Cisco Secure Endpoint and
// Pangea under path prefixes, a pre-signed download host, fault switches, stats and webhooks.
import { createServer } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';

import { SIM_CREDENTIALS } from './credentials.mjs';
import { isObject, json, originOf, parseJson, readBody, respond } from './lib/http.mjs';
import {
	ANSWER_KINDS,
	createPageMemory,
	emptyPage,
	htmlPage,
	truncatedJson,
} from './lib/faults.mjs';
import { createBlobStore } from './lib/presigned.mjs';
import { DAY, MINUTE, parseIsoStrict } from './lib/time.mjs';
import { createCbc } from './vendors/cbc.mjs';
import { createCisco } from './vendors/cisco.mjs';
import { createCortex } from './vendors/cortex.mjs';
import { createPangea } from './vendors/pangea.mjs';

export { SIM_CREDENTIALS };

export const VENDORS = ['cbc', 'cortex', 'cisco', 'pangea'];
const FACTORIES = {
	cbc: createCbc,
	cortex: createCortex,
	cisco: createCisco,
	pangea: createPangea,
};
const FAULT_TARGETS = [...VENDORS, 'presigned', '*'];
/** Kinds that fail the request before the vendor sees it; the others are read by the vendors. */
const GENERIC_KINDS = [
	'429',
	'500',
	'502',
	'503',
	'504',
	'reset',
	'slow',
	'truncate',
	'html',
	'append',
];
/** Kinds applied to the vendor's own answer (lib/faults.mjs): the vendor handles the request first. */
const ALL_GENERIC_KINDS = [...GENERIC_KINDS, ...ANSWER_KINDS];
/** Kinds after which the client never gets the vendor's own answer whole. */
const CUT_ANSWER_KINDS = ['truncatedJson', 'resetAfter', 'emptyPage', 'repeatPage'];
const VENDOR_KINDS = { cbc: ['jobFailed'], pangea: ['async'] };
const MAX_VIOLATIONS = 1000;

/** Runtime-tunable settings (POST /_sim/config patches them). */
const DEFAULT_CONFIG = {
	cortexRateLimit: 10,
	cortexMaxSkewMs: 5 * MINUTE,
	ciscoQuota: 3000,
	ciscoQuotaWindowMs: 60 * MINUTE,
	ciscoMaxLimit: 500,
	cbcJobPolls: 2,
	cbcQueueBatch: 500,
	/** Lifetime of the CSP access tokens the CBC simulator issues (CSP's own: 30 minutes). */
	cbcCspTokenTtlMs: 30 * MINUTE,
	/** Raising it expires every CSP token issued so far (a deterministic "the token ran out"). */
	cbcCspTokenGeneration: 0,
	pangeaBufferMax: 10,
	pangeaUnpublishedBuffers: 2,
	pangeaAsyncPolls: 1,
	pangeaMaxLimit: 1000,
	pangeaSearchTtlMs: 2 * DAY,
	pangeaRootShape: 'data',
	pangeaRequireConfigId: false,
	presignedTtlMs: 15 * MINUTE,
	presignedBaseUrl: undefined,
	slowMs: 3000,
	/** Added to the simulated clock: > 0 the vendor's clock runs ahead of the client's, < 0 behind. */
	clockOffsetMs: 0,
	/** A WAN to the vendor's cloud: delay added to every vendor and download answer (not /_sim). */
	latencyMs: 0,
	/** Bodies of vendor and download answers written at this many kilobits per second (0 = unbounded). */
	bandwidthKbps: 0,
};

function resolveOptions(options = {}) {
	const { sizes = {}, config = {}, ...rest } = options;
	return {
		port: 0,
		host: '127.0.0.1',
		seed: 1,
		now: Date.now(),
		spanMs: 4 * DAY,
		burstSize: 25,
		shape: {},
		faults: [],
		...rest,
		sizes: { cbc: 300, cortex: 300, cisco: 300, pangea: 300, ...sizes },
		config: { ...DEFAULT_CONFIG, ...pick(rest, Object.keys(DEFAULT_CONFIG)), ...config },
	};
}

function pick(source, keys) {
	return Object.fromEntries(keys.filter((k) => source[k] !== undefined).map((k) => [k, source[k]]));
}

function emptyStats() {
	return {
		requests: { cbc: 0, cortex: 0, cisco: 0, pangea: 0, presigned: 0, sim: 0, other: 0 },
		routes: {},
		violations: [],
		authFailures: {},
		faultsFired: [],
		errors: [],
	};
}

/**
 * Starts the simulator. Options: port (0 = random), host, seed, sizes {cbc, cortex, cisco, pangea},
 * now (clock of the generated data), spanMs, burstSize, shape {bursts, duplicates}, faults [], and
 * any DEFAULT_CONFIG key (top level or under `config`).
 */
export async function startSimulator(options) {
	const resolved = resolveOptions(options);
	const startedAt = Date.now();
	const sim = {
		options: resolved,
		config: { ...resolved.config },
		url: '',
		/** Simulated now: the `now` option, advancing with real time. */
		clock: () => resolved.now + (Date.now() - startedAt) + (sim.config.clockOffsetMs ?? 0),
		stats: emptyStats(),
		faults: [],
		webhooks: new Map(),
		vendors: {},
		blobs: null,
		violation(vendor, kind, detail = {}) {
			const list = sim.stats.violations;
			if (list.length < MAX_VIOLATIONS)
				list.push({ at: new Date().toISOString(), vendor, kind, ...detail });
		},
		authFailure(vendor, kind) {
			const counts = (sim.stats.authFailures[vendor] ??= {});
			counts[kind] = (counts[kind] ?? 0) + 1;
		},
		/**
		 * Consumes one use of the first active fault of one of `kinds` for this vendor and path (and,
		 * for a fault with `bodyIncludes`, a request body holding that text: one workflow's requests).
		 */
		takeFault(vendor, kinds, path, body) {
			const wanted = Array.isArray(kinds) ? kinds : [kinds];
			const fault = sim.faults.find(
				(f) =>
					f.remaining > 0 &&
					wanted.includes(f.kind) &&
					(f.vendor === vendor || (f.vendor === '*' && vendor !== 'presigned')) &&
					(!f.path || path.includes(f.path)) &&
					(f.bodyIncludes === undefined || (typeof body === 'string' && body.includes(f.bodyIncludes))),
			);
			if (!fault) return null;
			// `skip`: let that many matching requests through first (a fault on page 2, not page 1).
			if (fault.skip > 0) {
				fault.skip--;
				return null;
			}
			fault.remaining--;
			sim.stats.faultsFired.push({ at: new Date().toISOString(), vendor, kind: fault.kind, path });
			if (fault.remaining === 0) sim.faults.splice(sim.faults.indexOf(fault), 1);
			return fault;
		},
	};

	function createVendors() {
		sim.blobs = createBlobStore(sim);
		sim.vendors = Object.fromEntries(VENDORS.map((name) => [name, FACTORIES[name](sim)]));
	}
	createVendors();
	for (const spec of resolved.faults) addFault(spec);

	function addFault(spec) {
		const problem = checkFault(spec);
		if (problem) throw new Error(problem);
		const fault = { ...spec, kind: String(spec.kind), remaining: spec.count ?? 1 };
		sim.faults.push(fault);
		return fault;
	}

	function reset(what = 'all') {
		if (what === 'all' || what === 'stats') sim.stats = emptyStats();
		if (what === 'all' || what === 'faults') sim.faults = [];
		if (what === 'all' || what === 'data') pages.clear();
		if (what === 'all' || what === 'webhooks') sim.webhooks.clear();
		if (what === 'all' || what === 'data') {
			sim.config = { ...resolved.config };
			createVendors();
		}
	}

	function appendEvents(vendor, spec = {}) {
		if (!VENDORS.includes(vendor)) throw new Error(`Unknown vendor ${vendor}`);
		const overrides = Array.isArray(spec.events) ? spec.events : [];
		const count = spec.count ?? Math.max(1, overrides.length);
		let time;
		if (spec.time !== undefined) {
			time = typeof spec.time === 'number' ? spec.time : parseIsoStrict(spec.time);
			if (Number.isNaN(time)) throw new Error(`Invalid time ${spec.time}`);
		}
		return sim.vendors[vendor].append({ count, overrides, time, sameTime: spec.sameTime === true });
	}

	function snapshot() {
		const { faultsFired, ...counters } = structuredClone(sim.stats);
		return {
			...counters,
			faults: { active: structuredClone(sim.faults), fired: faultsFired },
			data: Object.fromEntries(VENDORS.map((name) => [name, sim.vendors[name].summary()])),
			uptimeMs: Date.now() - startedAt,
		};
	}

	const pages = createPageMemory();
	const control = createControl({ sim, addFault, reset, appendEvents, snapshot });

	async function onRequest(req, res) {
		const url = new URL(req.url, 'http://simulator.invalid');
		const path = url.pathname;
		const segment = path.split('/')[1] ?? '';
		const area =
			VENDORS.includes(segment) || segment === 'presigned'
				? segment
				: segment === '_sim'
					? 'sim'
					: 'other';
		sim.stats.requests[area]++;
		const routeKey = `${req.method} ${path}`;
		if (area !== 'sim') sim.stats.routes[routeKey] = (sim.stats.routes[routeKey] ?? 0) + 1;
		const body = await readBody(req);
		const ctx = {
			req,
			res,
			url,
			path,
			sub: path.slice(segment.length + 1) || '/',
			method: req.method,
			body,
			origin: originOf(req, sim.url),
			truncate: false,
			// The client closed its end before the whole answer was written (it gave up waiting). Node
			// keeps such a socket half-open and still "finishes" a late answer into it, so
			// `res.writableFinished` alone would count that answer as delivered.
			clientGone: false,
		};
		const gone = () => {
			if (!res.writableFinished) ctx.clientGone = true;
		};
		req.socket.once('end', gone);
		req.socket.once('close', gone);
		res.once('finish', () => {
			req.socket.off('end', gone);
			req.socket.off('close', gone);
		});
		if (area === 'sim') return respond(ctx, await control(ctx));
		if (area !== 'other') {
			if (sim.config.latencyMs > 0) await delay(sim.config.latencyMs);
			ctx.bandwidthKbps = sim.config.bandwidthKbps;
		}
		if (area === 'other')
			return respond(ctx, json(404, { error: `Unknown path ${path}`, vendors: VENDORS }));
		const handler = area === 'presigned' ? sim.blobs : sim.vendors[area];
		const fault = sim.takeFault(area, ALL_GENERIC_KINDS, path, body.toString('utf8'));
		if (fault?.kind === 'reset') return res.destroy();
		if (fault?.kind === 'slow') await delay(fault.delayMs ?? sim.config.slowMs);
		if (fault?.kind === 'truncate') ctx.truncate = true;
		if (fault && /^\d+$/.test(fault.kind)) {
			const status = Number(fault.kind);
			const desc =
				area === 'presigned'
					? json(status, { error: 'simulated' })
					: handler.error(status, `Simulated ${status}`);
			if (fault.retryAfter !== undefined)
				desc.headers = { ...desc.headers, 'retry-after': String(fault.retryAfter) };
			if (fault.headers) desc.headers = { ...desc.headers, ...fault.headers };
			return respond(ctx, desc);
		}
		// A gateway's error page: the vendor never sees the request.
		if (fault?.kind === 'html') return respond(ctx, htmlPage());
		// Records written while a client pages (stamped with the vendor's clock), then the answer.
		if (fault?.kind === 'append') appendEvents(area, { count: fault.events ?? 1 });
		// What will become of the answer, for a vendor that records what it handed out (CBC's queue).
		ctx.answerCut = ctx.truncate || CUT_ANSWER_KINDS.includes(fault?.kind);
		const answer = await handler.handle(ctx);
		const previous = pages.previous(area, path);
		pages.remember(area, path, answer);
		if (!fault || fault.kind === 'slow' || fault.kind === 'truncate') return respond(ctx, answer);
		switch (fault.kind) {
			case 'resetAfter':
				// The vendor did the work (a write is stored); the client never hears back.
				return res.destroy();
			case 'slowAfter':
				// The vendor did the work (a write stored, a queue batch taken), then answers late.
				await delay(fault.delayMs ?? sim.config.slowMs);
				return respond(ctx, answer);
			case 'emptyPage':
				return respond(ctx, emptyPage(area, answer));
			case 'repeatPage':
				return respond(ctx, previous ?? answer);
			case 'truncatedJson':
				return respond(ctx, truncatedJson(answer));
			default:
				return respond(ctx, answer);
		}
	}

	const server = createServer((req, res) => {
		onRequest(req, res).catch((err) => {
			sim.stats.errors.push({
				at: new Date().toISOString(),
				url: req.url,
				message: String(err?.stack ?? err),
			});
			if (!res.headersSent) {
				res.writeHead(500, { 'content-type': 'application/json' });
				res.end(JSON.stringify({ error: 'simulator error', message: String(err?.message ?? err) }));
			} else res.destroy();
		});
	});
	server.keepAliveTimeout = 5000;
	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(resolved.port, resolved.host, resolve);
	});
	const port = server.address().port;
	const hostForUrl = resolved.host.includes(':') ? `[${resolved.host}]` : resolved.host;
	sim.url = `http://${hostForUrl}:${port}`;
	const urls = Object.fromEntries(VENDORS.map((name) => [name, `${sim.url}/${name}`]));

	return {
		url: sim.url,
		port,
		urls,
		state: sim,
		stats: snapshot,
		reset,
		addFault,
		appendEvents,
		setConfig: (patch) => Object.assign(sim.config, patch),
		stop: () =>
			new Promise((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}

function checkFault(spec) {
	if (!isObject(spec)) return 'fault must be an object';
	if (!FAULT_TARGETS.includes(spec.vendor))
		return `fault.vendor must be one of ${FAULT_TARGETS.join(', ')}`;
	const kinds = [...ALL_GENERIC_KINDS, ...(VENDOR_KINDS[spec.vendor] ?? [])];
	if (!kinds.includes(String(spec.kind)))
		return `fault.kind for ${spec.vendor} must be one of ${kinds.join(', ')}`;
	if (spec.count !== undefined && (!Number.isInteger(spec.count) || spec.count < 1))
		return 'fault.count must be a positive integer';
	if (spec.path !== undefined && typeof spec.path !== 'string')
		return 'fault.path must be a string';
	if (spec.bodyIncludes !== undefined && (typeof spec.bodyIncludes !== 'string' || spec.bodyIncludes === ''))
		return 'fault.bodyIncludes must be a non-empty string';
	if (spec.skip !== undefined && (!Number.isInteger(spec.skip) || spec.skip < 0))
		return 'fault.skip must be a non-negative integer';
	if (spec.events !== undefined && (!Number.isInteger(spec.events) || spec.events < 1))
		return 'fault.events must be a positive integer';
	if (spec.headers !== undefined && !isObject(spec.headers))
		return 'fault.headers must be an object of header values';
	return null;
}

/** The /_sim/* control API. */
function createControl({ sim, addFault, reset, appendEvents, snapshot }) {
	const bad = (message) => json(400, { error: message });
	return async function control(ctx) {
		const parsed = parseJson(ctx.body);
		if (!parsed.ok && !ctx.sub.startsWith('/webhook/')) return bad('body is not JSON');
		const body = parsed.ok ? parsed.value : undefined;
		const route = `${ctx.method} ${ctx.sub}`;
		switch (route) {
			case 'GET /':
				return json(200, {
					url: sim.url,
					vendors: Object.fromEntries(VENDORS.map((name) => [name, `${ctx.origin}/${name}`])),
					credentials: SIM_CREDENTIALS,
					options: {
						seed: sim.options.seed,
						sizes: sim.options.sizes,
						now: new Date(sim.options.now).toISOString(),
					},
					config: sim.config,
				});
			case 'GET /stats':
				return json(200, snapshot());
			case 'POST /reset':
				reset(body?.only ?? 'all');
				return json(200, { ok: true });
			case 'GET /faults':
				return json(200, { faults: sim.faults });
			case 'DELETE /faults':
				sim.faults = [];
				return json(200, { ok: true });
			case 'POST /faults': {
				const specs = Array.isArray(body) ? body : [body];
				const problem = specs.map(checkFault).find(Boolean);
				if (problem) return bad(problem);
				return json(200, { faults: specs.map(addFault) });
			}
			case 'POST /config': {
				if (!isObject(body)) return bad('config patch must be an object');
				const unknown = Object.keys(body).filter((k) => !(k in DEFAULT_CONFIG));
				if (unknown.length > 0) return bad(`unknown config keys: ${unknown.join(', ')}`);
				Object.assign(sim.config, body);
				return json(200, { config: sim.config });
			}
			case 'POST /events': {
				if (!isObject(body)) return bad('body must be {vendor, count?, events?, time?, sameTime?}');
				try {
					return json(200, { vendor: body.vendor, added: appendEvents(body.vendor, body) });
				} catch (err) {
					return bad(err.message);
				}
			}
			default:
				return (
					records(ctx, sim) ??
					queueReads(ctx, sim) ??
					webhook(ctx, sim, body) ??
					json(404, { error: `Unknown control route ${route}` })
				);
		}
	};
}

/**
 * GET /_sim/records/<vendor>: every stored record as the vendor returns it (Pangea: envelope and hash),
 * oldest first, so a test can check what a write stored or what a read should have returned.
 */
function records(ctx, sim) {
	const match = /^\/records\/(\w+)$/.exec(ctx.sub);
	if (!match || ctx.method !== 'GET') return null;
	const vendor = sim.vendors[match[1]];
	if (!vendor) return json(404, { error: `Unknown vendor ${match[1]}`, vendors: VENDORS });
	const list = vendor.events.map((e) => e.data ?? { envelope: e.envelope, hash: e.hash });
	return json(200, { vendor: match[1], count: list.length, records: list });
}

/**
 * GET /_sim/queue/<vendor>: every batch the vendor's read-once queue handed out, in order, as
 * `{key, records, delivered}` (`delivered` false when a fault cut the answer or the client had gone),
 * so a test can check that everything a client was given reached its output.
 */
function queueReads(ctx, sim) {
	const match = /^\/queue\/(\w+)$/.exec(ctx.sub);
	if (!match || ctx.method !== 'GET') return null;
	const vendor = sim.vendors[match[1]];
	if (!vendor?.queueReads) return json(404, { error: `${match[1]} has no read-once queue` });
	return json(200, { vendor: match[1], reads: vendor.queueReads() });
}

/** POST records any body under a name (Slack / Splunk HEC stand-in); GET returns them; DELETE clears. */
function webhook(ctx, sim, body) {
	const match = /^\/webhook\/([\w.-]+)$/.exec(ctx.sub);
	if (!match) return null;
	const name = match[1];
	const items = sim.webhooks.get(name) ?? [];
	if (ctx.method === 'POST' || ctx.method === 'PUT') {
		const raw = ctx.body.toString('utf8');
		items.push({
			at: new Date().toISOString(),
			contentType: ctx.req.headers['content-type'] ?? null,
			authorization: ctx.req.headers.authorization ?? null,
			body: body !== undefined ? body : raw,
			raw,
		});
		sim.webhooks.set(name, items);
		// Splunk HEC answers {text, code}; Slack only checks the 200.
		return json(200, { text: 'Success', code: 0, ok: true });
	}
	if (ctx.method === 'GET') return json(200, { name, count: items.length, items });
	if (ctx.method === 'DELETE') {
		sim.webhooks.delete(name);
		return json(200, { ok: true });
	}
	return json(405, { error: 'GET, POST, PUT or DELETE' });
}
