// Carbon Black Cloud audit log API (vendor-apis.md section 1): _search, per-key _queue, _export and
// the Job Service, with X-Auth-Token / CSP bearer auth and CBC's error bodies. It also plays CSP (the
// sign-in host of CSP-managed orgs) under /cbc/csp/...: an OAuth app or a user API token gets a
// short-lived access token (config cbcCspTokenTtlMs); an expired one is answered 401.
import { SIM_CREDENTIALS } from '../credentials.mjs';
import { isObject, json, parseJson, rawJson, redirect } from '../lib/http.mjs';
import { parseQuery, queryPredicate, QuerySyntaxError, wildcardRegExp } from '../lib/query.mjs';
import { createRandom, seedEvents } from '../lib/random.mjs';
import {
	cbcRangeStart,
	DAY,
	insertSorted,
	isoMs,
	lowerBound,
	parseIsoStrict,
	upperBound,
} from '../lib/time.mjs';

const MAX_WINDOW = 10000;
const FIELDS = [
	'org_key',
	'actor',
	'actor_ip',
	'request_url',
	'description',
	'flagged',
	'verbose',
	'create_time',
];
const LIST_CRITERIA = ['actor_ip', 'actor', 'request_url', 'description'];
const BOOL_CRITERIA = ['flagged', 'verbose'];
const TEXT_FIELDS = ['actor', 'actor_ip', 'description', 'request_url'];

const USERS = [
	'alice@example.com',
	'bob@example.com',
	'carol@example.com',
	'dave.ops@example.com',
	'zoë.müller@example.com',
];
const API_KEY_ACTORS = ['ABCD1234EF', 'K7Q2M9XW3P', 'SIEMEXPORT1'];
const IPS = ['198.51.100.7', '198.51.100.23', '203.0.113.9', '203.0.113.77', '192.0.2.15'];
const POLICIES = ['Standard', 'Monitored', 'Servers – Strict', 'Lab'];
// weight, description template, who acts, request_url, flagged probability, verbose
const TEMPLATES = [
	[30, 'Logged in successfully', 'user', null, 0, false],
	[6, 'Failed login attempt for {user}', 'user', null, 0.6, false],
	[8, 'Logged out', 'user', null, 0, false],
	[
		10,
		'Updated policy "{policy}"',
		'any',
		'/policyservice/v1/orgs/ORG1SIM/policies/{n}',
		0.05,
		false,
	],
	[3, 'Created API key "{key}"', 'user', null, 0.3, false],
	[3, 'Deleted sensor group "Lab {n}"', 'user', null, 0, false],
	[
		4,
		'Enabled bypass on device {n}',
		'any',
		'/appservices/v6/orgs/ORG1SIM/device_actions',
		0.5,
		false,
	],
	[
		4,
		'Quarantined device LAPTOP-{n}',
		'api',
		'/appservices/v6/orgs/ORG1SIM/device_actions',
		0,
		false,
	],
	[
		20,
		'Connector {key} requested audit logs',
		'api',
		'/audit_log/v1/orgs/ORG1SIM/logs/_search',
		0,
		true,
	],
	[
		5,
		'Added reputation override & hash {n}',
		'api',
		'/appservices/v6/orgs/ORG1SIM/reputations/overrides',
		0,
		false,
	],
	[3, 'Changed role of {user} to "Analyst"', 'user', null, 0.2, false],
];
const TOTAL_WEIGHT = TEMPLATES.reduce((sum, t) => sum + t[0], 0);

const error = (status, errorCode, message, extra = {}) =>
	json(status, { error_code: errorCode, message, args: [], ...extra });
const unauthorized = () => json(401, { success: false, message: 'User is not authenticated' });
const forbidden = () => error(403, 'FORBIDDEN', 'Access is denied');
const notFound = (what) => error(404, 'NOT_FOUND', `${what} not found`);
const badRequest = (message, extra) => error(400, 'INVALID_ARGUMENT', message, extra);

export function createCbc(sim) {
	const creds = SIM_CREDENTIALS.cbc;
	const apiKeys = new Map([
		[creds.apiId, creds.apiSecretKey],
		[creds.secondApiId, creds.secondApiSecretKey],
	]);
	const rnd = createRandom(sim.options.seed, 'cbc');
	const events = [];
	const queues = new Map();
	/** Every non-empty batch the queues handed out, with its request (GET /_sim/queue/cbc). */
	const reads = [];
	const jobs = new Map();
	let seq = 0;
	let nextJobId = 4100000 + rnd.int(0, 99999);
	/** CSP access token → {expires (simulated ms), generation}; every token issued, counted in the summary. */
	const cspTokens = new Map();
	let cspIssued = 0;

	function content() {
		let roll = rnd.next() * TOTAL_WEIGHT;
		const template = TEMPLATES.find((t) => (roll -= t[0]) < 0) ?? TEMPLATES[0];
		const [, description, who, url, flaggedP, verbose] = template;
		const byApi = who === 'api' || (who === 'any' && rnd.chance(0.5));
		const fill = (s) =>
			s
				.replace('{user}', rnd.pick(USERS))
				.replace('{policy}', rnd.pick(POLICIES))
				.replace('{key}', rnd.pick(API_KEY_ACTORS))
				.replace('{n}', String(rnd.int(1, 9999)));
		return {
			actor: byApi ? rnd.pick(API_KEY_ACTORS) : rnd.pick(USERS),
			actor_ip: rnd.pick(IPS),
			request_url: url === null ? null : fill(url),
			description: fill(description),
			flagged: rnd.chance(flaggedP),
			verbose,
		};
	}

	function makeEvent(t, fields) {
		const data = { org_key: creds.orgKey, ...fields, create_time: isoMs(t) };
		const ordered = {};
		for (const key of FIELDS) ordered[key] = data[key];
		for (const key of Object.keys(data)) if (!(key in ordered)) ordered[key] = data[key];
		return { t, seq: seq++, data: ordered, json: JSON.stringify(ordered) };
	}

	function seed() {
		seedEvents(rnd, sim.options, 'cbc', content, (t, fields) => events.push(makeEvent(t, fields)));
	}
	seed();

	function authenticate(ctx) {
		const token = ctx.req.headers['x-auth-token'];
		const bearer = /^Bearer (.+)$/i.exec(ctx.req.headers.authorization ?? '');
		const fail = (kind) => {
			sim.authFailure('cbc', kind);
			return { response: unauthorized() };
		};
		if (token === undefined) {
			if (!bearer) return fail('missing');
			if (bearer[1] === creds.bearerToken) return { key: 'csp' };
			const issued = cspTokens.get(bearer[1]);
			if (issued === undefined) return fail('bad-bearer-token');
			const live =
				issued.expires > sim.clock() && issued.generation === sim.config.cbcCspTokenGeneration;
			return live ? { key: 'csp' } : fail('expired-csp-token');
		}
		const slash = token.indexOf('/');
		if (slash < 0) return fail('malformed-token');
		const secret = token.slice(0, slash);
		const id = token.slice(slash + 1);
		if (!apiKeys.has(id))
			return fail(apiKeys.get(secret) === id ? 'id-and-secret-swapped' : 'unknown-api-id');
		if (apiKeys.get(id) !== secret) return fail('bad-secret');
		return { key: id };
	}

	/** Validates a search/export body into a compiled query, or returns `{ response }`. */
	function compile(body) {
		if (!isObject(body))
			return { response: error(400, 'REQUEST_NOT_READABLE', 'Failed to read request') };
		const now = sim.clock();
		let from = -Infinity;
		let to = Infinity;
		const tests = [];
		for (const [part, negate] of [
			['criteria', false],
			['exclusions', true],
		]) {
			const spec = body[part];
			if (spec === undefined || spec === null) continue;
			if (!isObject(spec)) return { response: badRequest(`${part} must be an object`) };
			for (const [field, value] of Object.entries(spec)) {
				const compiled = compileCriterion(field, value, now);
				if (compiled.response) return compiled;
				if (compiled.window && !negate) {
					from = Math.max(from, compiled.window.from);
					to = Math.min(to, compiled.window.to);
				} else tests.push({ test: compiled.test, negate });
			}
		}
		let groups;
		try {
			groups = parseQuery(body.query ?? '');
		} catch (err) {
			if (!(err instanceof QuerySyntaxError)) throw err;
			return {
				response: error(400, 'INVALID_QUERY', `Query could not be parsed: ${err.message}`, {
					reason: 'query_malformed_syntax',
				}),
			};
		}
		const queryTest = queryPredicate(groups, matchTerm);
		if (queryTest) tests.push({ test: queryTest, negate: false });
		const sort = compileSort(body.sort);
		if (sort.response) return sort;
		const predicate =
			tests.length === 0 ? null : (e) => tests.every(({ test, negate }) => test(e) !== negate);
		return { from, to, predicate, sort };
	}

	function compileCriterion(field, value, now) {
		if (field === 'create_time') {
			const window = timeWindow(value, now);
			if (window.response) return window;
			return { window, test: (e) => e.t >= window.from && e.t <= window.to };
		}
		if (LIST_CRITERIA.includes(field)) {
			if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
				return { response: badRequest(`${field} must be an array of strings`) };
			}
			const wanted = new Set(value.map((v) => v.toLowerCase()));
			return {
				test: (e) => e.data[field] !== null && wanted.has(String(e.data[field]).toLowerCase()),
			};
		}
		if (BOOL_CRITERIA.includes(field)) {
			if (typeof value !== 'boolean') return { response: badRequest(`${field} must be a boolean`) };
			return { test: (e) => e.data[field] === value };
		}
		return { response: badRequest(`Unknown criteria field: ${field}`) };
	}

	function timeWindow(value, now) {
		if (!isObject(value)) return { response: badRequest('create_time must be an object') };
		const hasRange = value.range !== undefined;
		if (hasRange && (value.start !== undefined || value.end !== undefined)) {
			return { response: badRequest('create_time: range cannot be combined with start/end') };
		}
		if (hasRange) {
			const from = cbcRangeStart(value.range, now);
			if (Number.isNaN(from)) return { response: badRequest(`Invalid range: ${value.range}`) };
			return { from, to: now };
		}
		const from = parseIsoStrict(value.start);
		const to = parseIsoStrict(value.end);
		if (Number.isNaN(from) || Number.isNaN(to)) {
			return { response: badRequest('create_time needs both start and end as ISO-8601 times') };
		}
		if (from >= to) return { response: badRequest('create_time: start must be before end') };
		return { from, to };
	}

	function compileSort(sort) {
		if (sort === undefined || sort === null || (Array.isArray(sort) && sort.length === 0)) {
			return { field: 'create_time', desc: true };
		}
		const first = Array.isArray(sort) ? sort[0] : null;
		const order = String(first?.order ?? 'ASC').toUpperCase();
		if (!isObject(first) || !FIELDS.includes(first.field) || !['ASC', 'DESC'].includes(order)) {
			return {
				response: badRequest('sort must be [{"field": <record field>, "order": "ASC"|"DESC"}]'),
			};
		}
		return { field: first.field, desc: order === 'DESC' };
	}

	function matchTerm(e, term) {
		const value = term.value;
		if (term.field === null) {
			const needle = value.toLowerCase();
			return TEXT_FIELDS.some(
				(f) => e.data[f] !== null && e.data[f].toLowerCase().includes(needle),
			);
		}
		if (!(term.field in e.data)) return false;
		const actual = e.data[term.field];
		if (typeof actual === 'boolean') return String(actual) === value.toLowerCase();
		if (actual === null) return false;
		if (value.includes('*') || value.includes('?')) return wildcardRegExp(value).test(actual);
		// Analyzed text fields match phrases inside; keyword-like fields match whole values.
		if (term.field === 'description' || term.field === 'request_url') {
			return actual.toLowerCase().includes(value.toLowerCase());
		}
		return actual.toLowerCase() === value.toLowerCase();
	}

	/** Matching events in the requested order: `{ total, slice(start, rows) }`. */
	function select(q) {
		const lo = lowerBound(events, q.from, (e) => e.t);
		const hi = upperBound(events, q.to, (e) => e.t);
		if (!q.predicate && q.sort.field === 'create_time') {
			const total = Math.max(0, hi - lo);
			return {
				total,
				slice(start, rows) {
					const out = [];
					const end = Math.min(total, start + rows);
					for (let i = start; i < end; i++)
						out.push(q.sort.desc ? events[hi - 1 - i] : events[lo + i]);
					return out;
				},
			};
		}
		let matches = [];
		for (let i = lo; i < hi; i++)
			if (!q.predicate || q.predicate(events[i])) matches.push(events[i]);
		if (q.sort.field !== 'create_time') {
			const f = q.sort.field;
			matches = matches
				.slice()
				.sort((a, b) => compareValues(a.data[f], b.data[f]) || a.t - b.t || a.seq - b.seq);
		}
		if (q.sort.desc) matches.reverse();
		return { total: matches.length, slice: (start, rows) => matches.slice(start, start + rows) };
	}

	function searchPage(ctx) {
		const parsed = parseJson(ctx.body);
		if (!parsed.ok) return error(400, 'REQUEST_NOT_READABLE', 'Failed to read request');
		const body = parsed.value ?? {};
		const q = compile(body);
		if (q.response) return q.response;
		const rows = body.rows ?? 20;
		const start = body.start ?? 0;
		if (!Number.isInteger(rows) || rows < 0 || rows > MAX_WINDOW) {
			return badRequest(`rows must be an integer between 0 and ${MAX_WINDOW}`);
		}
		if (!Number.isInteger(start) || start < 0)
			return badRequest('start must be a non-negative integer');
		if (start + rows > MAX_WINDOW) {
			sim.violation('cbc', 'search-window-exceeded', { start, rows });
			return badRequest(`start + rows must not exceed ${MAX_WINDOW} (got ${start + rows})`, {
				args: ['start', 'rows'],
			});
		}
		const selection = select(q);
		const page = selection.slice(start, rows);
		return rawJson(
			200,
			`{"num_found":${selection.total},"num_available":${Math.min(selection.total, MAX_WINDOW)},` +
				`"results":[${page.map((e) => e.json).join(',')}]}`,
		);
	}

	function queueFor(key) {
		let queue = queues.get(key);
		if (!queue) {
			// Seeded with the last 3 days when the key first reads, then fed by every new event.
			const from = sim.clock() - 3 * DAY;
			queue = { items: events.slice(lowerBound(events, from, (e) => e.t)), head: 0 };
			queues.set(key, queue);
		}
		return queue;
	}

	function readQueue(ctx, key) {
		const queue = queueFor(key);
		const batch = queue.items.slice(queue.head, queue.head + sim.config.cbcQueueBatch);
		queue.head += batch.length;
		// Taken either way; delivered only if the whole answer was written to a client still there.
		if (batch.length > 0) reads.push({ key, records: batch.map((e) => e.data), ctx });
		if (queue.head > 50000) {
			queue.items = queue.items.slice(queue.head);
			queue.head = 0;
		}
		return rawJson(
			200,
			`{"num_found":${batch.length},"num_available":${batch.length},` +
				`"results":[${batch.map((e) => e.json).join(',')}]}`,
		);
	}

	function startExport(ctx, key) {
		const parsed = parseJson(ctx.body);
		if (!parsed.ok) return error(400, 'REQUEST_NOT_READABLE', 'Failed to read request');
		const body = parsed.value ?? {};
		const q = compile(body);
		if (q.response) return q.response;
		const format = body.format ?? 'csv';
		if (format !== 'csv' && format !== 'json') return badRequest('format must be "csv" or "json"');
		const selection = select(q);
		const start = Number.isInteger(body.start) ? body.start : 0;
		const rows = Number.isInteger(body.rows) ? body.rows : selection.total;
		const now = sim.clock();
		const job = {
			id: nextJobId++,
			owner: key,
			format,
			records: selection.slice(start, rows),
			polls: 0,
			fails: sim.takeFault('cbc', 'jobFailed', ctx.path) !== null,
			status: 'CREATED',
			createTime: isoMs(now),
			updateTime: isoMs(now),
			parameters: body,
			file: null,
		};
		jobs.set(job.id, job);
		return json(200, { job_id: job.id });
	}

	function poll(job) {
		job.polls++;
		if (job.status === 'CREATED' && job.polls > sim.config.cbcJobPolls) {
			job.status = job.fails ? 'FAILED' : 'COMPLETED';
			job.updateTime = isoMs(sim.clock());
		}
	}

	function progressOf(job) {
		const total = job.records.length;
		if (job.status === 'COMPLETED')
			return { num_total: total, num_completed: total, message: 'FINISHED' };
		if (job.status === 'FAILED') return { num_total: total, num_completed: 0, message: 'FAILED' };
		const done =
			job.polls <= 1 ? 0 : Math.floor((total * (job.polls - 1)) / (sim.config.cbcJobPolls + 1));
		return {
			num_total: total,
			num_completed: done,
			message: job.polls <= 1 ? 'QUEUED' : 'IN_PROGRESS',
		};
	}

	function jobObject(job) {
		return {
			id: job.id,
			type: 'EXTERNAL',
			job_parameters: { job_parameters: job.parameters },
			connector_id: job.owner,
			owner_id: 70001,
			org_key: creds.orgKey,
			status: job.status,
			progress: progressOf(job),
			create_time: job.createTime,
			last_update_time: job.updateTime,
			errors: job.status === 'FAILED' ? ['Export failed (simulated fault)'] : null,
		};
	}

	function exportFile(job) {
		if (!job.file) {
			const body =
				job.format === 'json'
					? `[${job.records.map((e) => e.json).join(',')}]`
					: [
							FIELDS.join(','),
							...job.records.map((e) => FIELDS.map((f) => csvCell(e.data[f])).join(',')),
						].join('\r\n') + '\r\n';
			job.file = Buffer.from(body, 'utf8');
		}
		return job.file;
	}

	function jobRoute(ctx, key, id, action) {
		const job = jobs.get(Number(id));
		if (!job || job.owner !== key) return notFound(`Job ${id}`);
		if (action === undefined) {
			poll(job);
			return json(200, jobObject(job));
		}
		if (action === 'progress') {
			poll(job);
			return json(200, progressOf(job));
		}
		if (action === 'download') {
			if (job.status !== 'COMPLETED')
				return badRequest(`Job ${id} is ${job.status}, not COMPLETED`);
			const signed = sim.blobs.put(ctx.origin, 'cbc', {
				body: exportFile(job),
				contentType: job.format === 'json' ? 'application/json' : 'text/csv',
				filename: `audit-export-${job.id}.${job.format}`,
			});
			return redirect(303, signed.url);
		}
		return notFound('Resource');
	}

	/** CSP's token endpoints: form-encoded in, `{access_token, expires_in, …}` out. */
	function cspSignIn(ctx, route) {
		if (ctx.method !== 'POST') return json(405, { message: 'Method not allowed' });
		if (!/^application\/x-www-form-urlencoded/i.test(ctx.req.headers['content-type'] ?? '')) {
			sim.violation('cbc', 'csp-sign-in-not-form-encoded', { path: ctx.path });
			return json(415, {
				statusCode: 415,
				message: 'Content type must be application/x-www-form-urlencoded',
			});
		}
		const form = new URLSearchParams(ctx.body.toString('utf8'));
		const refuse = (kind, status, body) => {
			sim.authFailure('cbc', kind);
			return json(status, body);
		};
		if (route === 'token') {
			const basic = /^Basic (.+)$/i.exec(ctx.req.headers.authorization ?? '');
			const expected = Buffer.from(`${creds.cspAppId}:${creds.cspAppSecret}`).toString('base64');
			if (form.get('grant_type') !== 'client_credentials') {
				return refuse('csp-bad-grant', 400, {
					error: 'unsupported_grant_type',
					error_description: 'grant_type must be client_credentials',
				});
			}
			if (!basic || basic[1] !== expected) {
				return refuse('csp-bad-app-credentials', 401, {
					error: 'invalid_client',
					error_description: 'Client authentication failed',
				});
			}
		} else if (form.get('api_token') !== creds.cspApiToken) {
			return refuse('csp-bad-api-token', 400, {
				statusCode: 400,
				message: 'invalid_grant: Invalid refresh token',
			});
		}
		const ttl = sim.config.cbcCspTokenTtlMs;
		const accessToken = `sim-csp-at-${++cspIssued}-${rnd.int(100000, 999999)}`;
		cspTokens.set(accessToken, {
			expires: sim.clock() + ttl,
			generation: sim.config.cbcCspTokenGeneration,
		});
		return json(200, {
			id_token: 'sim-id-token',
			token_type: 'bearer',
			expires_in: Math.floor(ttl / 1000),
			scope: 'openid group_names',
			access_token: accessToken,
			refresh_token: 'sim-refresh-token',
		});
	}

	function handle(ctx) {
		const csp = /^\/csp\/gateway\/am\/api\/auth\/(token|api-tokens\/authorize)$/.exec(ctx.sub);
		if (csp) return cspSignIn(ctx, csp[1] === 'token' ? 'token' : 'apiToken');
		const auth = authenticate(ctx);
		if (auth.response) return auth.response;
		const parts = ctx.sub.split('/').filter(Boolean);
		// audit_log/v1/orgs/{org}/logs/{action}  |  jobs/v1/orgs/{org}/jobs[/{id}[/{action}]]
		const [service, version, orgs, org, collection, ...rest] = parts;
		if (version !== 'v1' || orgs !== 'orgs') return notFound('Resource');
		if (org !== creds.orgKey) {
			sim.authFailure('cbc', 'wrong-org-key');
			return forbidden();
		}
		if (
			ctx.method === 'POST' &&
			!/^application\/json/i.test(ctx.req.headers['content-type'] ?? '')
		) {
			sim.violation('cbc', 'post-without-json-content-type', { path: ctx.path });
		}
		if (service === 'audit_log' && collection === 'logs' && rest.length === 1) {
			const route = `${ctx.method} ${rest[0]}`;
			if (route === 'POST _search') return searchPage(ctx);
			if (route === 'GET _queue') return readQueue(ctx, auth.key);
			if (route === 'POST _export') return startExport(ctx, auth.key);
			return error(405, 'METHOD_NOT_ALLOWED', `${route} is not supported`);
		}
		if (service === 'jobs' && collection === 'jobs' && ctx.method === 'GET') {
			if (rest.length === 0) {
				const mine = [...jobs.values()].filter((j) => j.owner === auth.key).map(jobObject);
				return json(200, { num_found: mine.length, results: mine });
			}
			if (rest.length <= 2) return jobRoute(ctx, auth.key, rest[0], rest[1]);
		}
		return notFound('Resource');
	}

	/** Adds events "now" (or at `time`): they reach searches and every existing queue. */
	function append({ count, overrides, time, sameTime }) {
		const base = time ?? sim.clock();
		const added = [];
		for (let i = 0; i < count; i++) {
			const fields = { ...content(), ...(overrides[i] ?? overrides[0] ?? {}) };
			delete fields.create_time;
			delete fields.org_key;
			const event = makeEvent(sameTime ? base : base + i, fields);
			insertSorted(events, event, (e) => e.t);
			for (const queue of queues.values()) {
				const at = Math.max(
					queue.head,
					upperBound(queue.items, event.t, (e) => e.t),
				);
				queue.items.splice(at, 0, event);
			}
			added.push(event.data);
		}
		return added;
	}

	return {
		handle,
		append,
		error: (status, message) =>
			error(status, status === 429 ? 'TOO_MANY_REQUESTS' : 'SERVER_ERROR', message),
		events,
		queueReads: () =>
			reads.map(({ key, records, ctx }) => ({
				key,
				records,
				delivered: !ctx.answerCut && !ctx.clientGone && ctx.res.writableFinished,
			})),
		summary: () => ({
			events: events.length,
			queues: Object.fromEntries([...queues].map(([k, q]) => [k, q.items.length - q.head])),
			jobs: jobs.size,
			cspTokensIssued: cspIssued,
		}),
	};
}

function compareValues(a, b) {
	const x = a === null || a === undefined ? '' : String(a);
	const y = b === null || b === undefined ? '' : String(b);
	return x < y ? -1 : x > y ? 1 : 0;
}

function csvCell(value) {
	if (value === null || value === undefined) return '';
	const textValue = String(value);
	return /[",\r\n]/.test(textValue) ? `"${textValue.replace(/"/g, '""')}"` : textValue;
}
