// Cisco Secure Endpoint GET /v1/audit_logs (vendor-apis.md section 3): Basic auth, newest-first
// offset paging with absolute next links, filters, and the hourly quota with x-ratelimit-* headers.
import { SIM_CREDENTIALS } from '../credentials.mjs';
import { json } from '../lib/http.mjs';
import { createRandom, seedEvents } from '../lib/random.mjs';
import {
	insertSorted,
	isoSeconds,
	lowerBound,
	parseIsoStrict,
	SECOND,
	upperBound,
} from '../lib/time.mjs';

const VERSION = 'v1.2.0';
const PARAMS = new Set([
	'start_time',
	'end_time',
	'audit_log_type',
	'event',
	'audit_log_id',
	'audit_log_user',
	'limit',
	'offset',
]);
const FILTERS = ['audit_log_type', 'event', 'audit_log_id', 'audit_log_user'];
/** What GET /v1/audit_log_types answers: the types a tenant's records carry (and a few more). */
const AUDIT_LOG_TYPES = [
	'ApplicationBlockingList',
	'Computer',
	'ExclusionSet',
	'Group',
	'Policy',
	'User',
];
const USERS = [
	'alice@example.com',
	'bob@example.com',
	'carol@example.com',
	'zoë.müller@example.com',
];

const envelopeError = (status, description, details) =>
	json(status, {
		version: VERSION,
		data: {},
		errors: [{ error_code: status, description, details }],
	});

export function createCisco(sim) {
	const creds = SIM_CREDENTIALS.cisco;
	const rnd = createRandom(sim.options.seed, 'cisco');
	const events = [];
	const quotas = new Map();
	let seq = 0;
	// A few audited objects per type, so many records share one audit_log_id (as on real tenants).
	const objects = {
		User: Array.from({ length: 4 }, () => rnd.guid()),
		Group: Array.from({ length: 3 }, () => rnd.guid()),
		Policy: Array.from({ length: 3 }, () => rnd.guid()),
		ApplicationBlockingList: Array.from({ length: 2 }, () => rnd.guid()),
		Computer: Array.from({ length: 5 }, () => rnd.guid()),
	};

	function content() {
		const roll = rnd.next();
		const user = rnd.pick(USERS);
		if (roll < 0.35)
			return {
				event: 'login',
				audit_log_type: 'User',
				audit_log_id: rnd.pick(objects.User),
				audit_log_user: user,
			};
		if (roll < 0.55) {
			const n = rnd.int(1, 9);
			return change('update', 'Group', user, { name: `Lab ${n}` }, { name: `Lab ${n + 1}` });
		}
		if (roll < 0.7) {
			return change(
				'update',
				'Policy',
				user,
				{ name: 'Protect', description: null },
				{ name: 'Protect', description: 'Triage' },
			);
		}
		if (roll < 0.8) {
			const name = `Blocked apps ${rnd.int(1, 99)}`;
			return rnd.chance(0.5)
				? change(
						'create',
						'ApplicationBlockingList',
						user,
						{ name: null, description: null },
						{ name, description: 'Created via console' },
					)
				: change(
						'delete',
						'ApplicationBlockingList',
						user,
						{ name, description: 'Old list' },
						{ name: null, description: null },
					);
		}
		// A connector acting on itself: audit_log_id equals audit_log_user (vendor-apis.md 3.3).
		const connector = rnd.pick(objects.Computer);
		const actor = rnd.chance(0.5) ? connector : user;
		return change(
			'update',
			'Computer',
			actor,
			{ group_guid: rnd.guid() },
			{ group_guid: rnd.guid() },
			connector,
		);
	}

	function change(event, type, user, before, after, id = rnd.pick(objects[type])) {
		return {
			event,
			audit_log_type: type,
			audit_log_id: id,
			audit_log_user: user,
			old_attributes: before,
			new_attributes: after,
		};
	}

	function makeEvent(ms, fields) {
		const t = Math.floor(ms / SECOND) * SECOND;
		const { old_attributes: before, new_attributes: after, ...head } = fields;
		const data = { ...head, created_at: isoSeconds(t) };
		if (before !== undefined) data.old_attributes = before;
		if (after !== undefined) data.new_attributes = after;
		return { t, seq: seq++, data };
	}

	function seed() {
		seedEvents(rnd, sim.options, 'cisco', content, (t, fields) =>
			events.push(makeEvent(t, fields)),
		);
	}
	seed();

	function authenticate(ctx) {
		const fail = (kind) => {
			sim.authFailure('cisco', kind);
			return { response: envelopeError(401, 'Unauthorized', ['Unknown API key or Client ID']) };
		};
		const match = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(ctx.req.headers.authorization ?? '');
		if (!match) return fail(ctx.req.headers.authorization === undefined ? 'missing' : 'not-basic');
		const decoded = Buffer.from(match[1], 'base64').toString('utf8');
		const colon = decoded.indexOf(':');
		if (colon < 0) return fail('malformed');
		const [clientId, apiKey] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
		if (clientId !== creds.clientId)
			return fail(clientId === creds.apiKey ? 'id-and-key-swapped' : 'unknown-client-id');
		if (apiKey !== creds.apiKey) return fail('bad-api-key');
		return { clientId };
	}

	/** Counts the request against the client's hourly quota; returns headers and whether it passed. */
	function quota(clientId) {
		const now = Date.now();
		let q = quotas.get(clientId);
		if (!q || now >= q.resetAt) {
			q = { used: 0, resetAt: now + sim.config.ciscoQuotaWindowMs };
			quotas.set(clientId, q);
		}
		q.used++;
		const limit = sim.config.ciscoQuota;
		const headers = {
			'x-ratelimit-limit': String(limit),
			'x-ratelimit-remaining': String(Math.max(0, limit - q.used)),
			'x-ratelimit-reset': String(Math.max(0, Math.ceil((q.resetAt - now) / 1000))),
			'x-ratelimit-resetdate': new Date(q.resetAt).toISOString().replace('.000Z', 'Z'),
		};
		return { headers, ok: q.used <= limit };
	}

	function parseParams(params) {
		const details = [];
		for (const name of params.keys())
			if (!PARAMS.has(name)) details.push(`Unknown parameter: ${name}`);
		const int = (name, fallback, min) => {
			const raw = params.get(name);
			if (raw === null) return fallback;
			if (!/^\d+$/.test(raw) || Number(raw) < min)
				details.push(`${name} must be an integer >= ${min}`);
			return Number(raw);
		};
		const time = (name, fallback) => {
			const raw = params.get(name);
			if (raw === null) return fallback;
			const ms = parseIsoStrict(raw);
			if (Number.isNaN(ms)) details.push(`${name} is not a valid ISO-8601 time: ${raw}`);
			return ms;
		};
		const limit = Math.min(int('limit', 500, 1), sim.config.ciscoMaxLimit);
		const offset = int('offset', 0, 0);
		const from = time('start_time', -Infinity);
		const to = time('end_time', Infinity);
		const filters = FILTERS.filter((name) => params.has(name)).map((name) => [
			name,
			params.get(name),
		]);
		return { details, limit, offset, from, to, filters };
	}

	function link(ctx, params, offset, limit) {
		const copy = new URLSearchParams(params);
		copy.set('limit', String(limit));
		copy.set('offset', String(offset));
		return `${ctx.origin}/cisco/v1/audit_logs?${copy.toString()}`;
	}

	function auditLogs(ctx, headers) {
		const params = ctx.url.searchParams;
		const p = parseParams(params);
		if (p.details.length > 0) return { ...envelopeError(400, 'Bad Request', p.details), headers };
		const lo = lowerBound(events, p.from, (e) => e.t);
		const hi = upperBound(events, p.to, (e) => e.t);
		const matches = [];
		// Newest first: walk the time-sorted store backwards.
		for (let i = hi - 1; i >= lo; i--) {
			const e = events[i];
			if (p.filters.every(([name, value]) => e.data[name] === value)) matches.push(e);
		}
		const page = matches.slice(p.offset, p.offset + p.limit);
		const links = { self: `${ctx.origin}/cisco/v1/audit_logs${ctx.url.search}` };
		if (p.offset + p.limit < matches.length)
			links.next = link(ctx, params, p.offset + p.limit, p.limit);
		if (p.offset > 0) links.prev = link(ctx, params, Math.max(0, p.offset - p.limit), p.limit);
		const body = {
			version: VERSION,
			metadata: {
				links,
				results: {
					total: matches.length,
					current_item_count: page.length,
					index: p.offset,
					items_per_page: p.limit,
				},
			},
			data: page.map((e) => e.data),
		};
		return { ...json(200, body, headers), gzip: true };
	}

	function auditLogTypes(ctx, headers) {
		const body = {
			version: VERSION,
			metadata: {
				links: { self: `${ctx.origin}/cisco/v1/audit_log_types` },
				results: { total: AUDIT_LOG_TYPES.length },
			},
			data: AUDIT_LOG_TYPES,
		};
		return json(200, body, headers);
	}

	function handle(ctx) {
		const auth = authenticate(ctx);
		if (auth.response) return auth.response;
		const { headers, ok } = quota(auth.clientId);
		if (!ok) {
			sim.violation('cisco', 'hourly-quota-exceeded', {
				path: ctx.path,
				quota: sim.config.ciscoQuota,
			});
			return { ...envelopeError(429, 'Too Many Requests', ['API rate limit exceeded']), headers };
		}
		if (ctx.sub !== '/v1/audit_logs' && ctx.sub !== '/v1/audit_log_types')
			return { ...envelopeError(404, 'Not Found', [`No route for ${ctx.sub}`]), headers };
		if (ctx.method !== 'GET')
			return { ...envelopeError(405, 'Method Not Allowed', ['GET only']), headers };
		if (ctx.sub === '/v1/audit_log_types') return auditLogTypes(ctx, headers);
		return auditLogs(ctx, headers);
	}

	function append({ count, overrides, time, sameTime }) {
		const base = time ?? sim.clock();
		const added = [];
		for (let i = 0; i < count; i++) {
			const fields = { ...content(), ...(overrides[i] ?? overrides[0] ?? {}) };
			delete fields.created_at;
			// Whole seconds: events added together share the current second, as bursts do on tenants.
			const event = makeEvent(sameTime ? base : base + i, fields);
			insertSorted(events, event, (e) => e.t);
			added.push(event.data);
		}
		return added;
	}

	return {
		handle,
		append,
		error: (status, message) => envelopeError(status, message, [message]),
		events,
		summary: () => ({
			events: events.length,
			quotas: Object.fromEntries([...quotas].map(([k, q]) => [k, q.used])),
		}),
	};
}
