// Cortex XDR "Get Audit Management Log" (vendor-apis.md section 2): standard and advanced API keys,
// request_data filters / offsets / sort, and the 10 requests-per-second tenant limit.
import { createHash } from 'node:crypto';

import { SIM_CREDENTIALS } from '../credentials.mjs';
import { isObject, json, parseJson, rawJson } from '../lib/http.mjs';
import { createRandom, seedEvents } from '../lib/random.mjs';
import { insertSorted, lowerBound, upperBound } from '../lib/time.mjs';

const PATHS = new Set([
	'/public_api/v1/audits/management_logs',
	'/public_api/v1/audits/management_logs/',
]);
const MAX_PAGE = 100;
const IN_FIELDS = {
	email: 'AUDIT_OWNER_EMAIL',
	type: 'AUDIT_ENTITY',
	sub_type: 'AUDIT_ENTITY_SUBTYPE',
	result: 'AUDIT_RESULT',
};
const SORT_FIELDS = { ...IN_FIELDS, timestamp: 'AUDIT_INSERT_TIME' };
delete SORT_FIELDS.email;
const NONCE = /^[A-Za-z0-9]{64}$/;

const USERS = [
	['Alice Admin', 'alice@example.com'],
	['Bob Analyst', 'bob@example.com'],
	['Carol Responder', 'carol@example.com'],
	['Zoë Müller', 'zoe.mueller@example.com'],
];
const API_OWNERS = ['Public API - 1', 'Public API - SIEM'];
const HOSTS = ['LAPTOP-07', 'DESKTOP-3KQ9', 'srv-db-01', 'mac-mini-lab'];
// weight, entity, subtype, description, asset?, host?, case?
const ACTIONS = [
	[30, 'AUTH', 'Login', 'User logged in', false, false, false],
	[8, 'AUTH', 'Logout', 'User logged out', false, false, false],
	[6, 'DISTRIBUTIONS', 'Create', 'Created installer package "Windows 8.4"', false, false, false],
	[3, 'DISTRIBUTIONS', 'Delete', 'Deleted installer package "macOS 8.2"', false, false, false],
	[
		10,
		'POLICY_PROFILES',
		'Edit',
		'Edited prevention profile "Default Windows"',
		true,
		false,
		false,
	],
	[8, 'RESPONSE', 'Isolate', 'Isolated endpoint', true, true, false],
	[6, 'RESPONSE', 'Scan', 'Initiated malware scan', true, true, false],
	[
		10,
		'INCIDENT_MANAGEMENT',
		'Change Status',
		'Changed incident status to "Under Investigation"',
		false,
		false,
		true,
	],
	[4, 'PUBLIC_API', 'Create Key', 'Created API key "SIEM export"', false, false, false],
	[
		3,
		'RBAC',
		'Edit Role',
		'Changed role of bob@example.com to "Investigator"',
		false,
		false,
		false,
	],
];
const TOTAL_WEIGHT = ACTIONS.reduce((sum, a) => sum + a[0], 0);

const reply = (status, errMsg, errExtra = null) =>
	json(status, { reply: { err_code: status, err_msg: errMsg, err_extra: errExtra } });

export function createCortex(sim) {
	const keys = new Map(
		[SIM_CREDENTIALS.cortex, SIM_CREDENTIALS.cortexAdvanced].map((key) => [key.apiKeyId, key]),
	);
	const rnd = createRandom(sim.options.seed, 'cortex');
	const events = [];
	const seenNonces = new Map();
	const admitted = [];
	let nextId = 10001;

	function content(t) {
		let roll = rnd.next() * TOTAL_WEIGHT;
		const [, entity, subtype, description, hasAsset, hasHost, hasCase] =
			ACTIONS.find((a) => (roll -= a[0]) < 0) ?? ACTIONS[0];
		const byApi = entity !== 'AUTH' && rnd.chance(0.25);
		const [name, email] = byApi ? [rnd.pick(API_OWNERS), ''] : rnd.pick(USERS);
		const failed = rnd.chance(entity === 'AUTH' ? 0.15 : 0.05);
		const host = hasHost ? rnd.pick(HOSTS) : null;
		const asset = hasAsset ? { name: host ?? 'Default Windows', id: rnd.int(100, 999) } : null;
		// Older tenants send AUDIT_ASSET_JSON as a JSON string, newer ones as an object: mix both.
		const assetJson = asset === null ? null : rnd.chance(0.5) ? JSON.stringify(asset) : asset;
		return {
			AUDIT_OWNER_NAME: name,
			AUDIT_OWNER_EMAIL: email,
			AUDIT_ASSET_JSON: assetJson,
			AUDIT_ASSET_NAMES: asset ? asset.name : '',
			AUDIT_HOSTNAME: host,
			AUDIT_RESULT: failed ? 'FAIL' : 'SUCCESS',
			AUDIT_REASON: failed
				? entity === 'AUTH'
					? 'Invalid credentials'
					: 'Permission denied'
				: null,
			AUDIT_DESCRIPTION: description,
			AUDIT_ENTITY: entity,
			AUDIT_ENTITY_SUBTYPE: subtype,
			AUDIT_SESSION_ID: byApi ? null : rnd.int(100000, 999999),
			AUDIT_CASE_ID: hasCase ? rnd.int(1, 500) : null,
			AUDIT_INSERT_TIME: t,
			AUDIT_SEVERITY: failed ? 'SEV_030_MEDIUM' : rnd.pick(['SEV_010_INFO', 'SEV_020_LOW']),
			AUDIT_LINK: hasCase
				? `https://sim-tenant.xdr.eu.paloaltonetworks.com/incident-view/${rnd.int(1, 500)}`
				: null,
			AUDIT_SOURCE_IP: `198.51.100.${rnd.int(1, 254)}`,
			AUDIT_USER_AGENT: byApi
				? 'python-requests/2.31.0'
				: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/126.0',
			AUDIT_USER_ROLES: byApi
				? []
				: [rnd.pick(['Instance Administrator', 'Investigator', 'Responder'])],
			AUDIT_ADDITIONAL_INFORMATION: hasCase ? { previous_status: 'New' } : null,
		};
	}

	function makeEvent(t, fields) {
		const data = { AUDIT_ID: nextId++, ...fields, AUDIT_INSERT_TIME: t };
		return { t, id: data.AUDIT_ID, data, json: JSON.stringify(data) };
	}

	function seed() {
		// Cortex ids are unique, so "identical content" means everything but AUDIT_ID.
		seedEvents(rnd, sim.options, 'cortex', content, (t, fields) =>
			events.push(makeEvent(t, fields)),
		);
	}
	seed();

	/** Sliding one-second window over admitted requests, for the whole tenant. */
	function rateLimited() {
		const limit = sim.config.cortexRateLimit;
		if (!limit) return false;
		const now = Date.now();
		while (admitted.length > 0 && admitted[0] <= now - 1000) admitted.shift();
		if (admitted.length >= limit) return true;
		admitted.push(now);
		return false;
	}

	function authenticate(ctx) {
		const headers = ctx.req.headers;
		const fail = (kind) => {
			sim.authFailure('cortex', kind);
			return reply(401, 'Public API request unauthorized');
		};
		const id = headers['x-xdr-auth-id'];
		const authorization = headers.authorization;
		if (id === undefined || authorization === undefined) return fail('missing-headers');
		const key = keys.get(String(id));
		if (!key) return fail('unknown-key-id');
		const nonce = headers['x-xdr-nonce'];
		const timestamp = headers['x-xdr-timestamp'];
		if (key.keyType === 'standard') {
			if (authorization === key.apiKey) return null;
			return fail(nonce !== undefined ? 'advanced-auth-for-standard-key' : 'bad-key');
		}
		if (authorization === key.apiKey) return fail('standard-auth-for-advanced-key');
		if (nonce === undefined || timestamp === undefined) return fail('advanced-headers-missing');
		if (!NONCE.test(nonce)) return fail('bad-nonce-format');
		if (!/^\d+$/.test(timestamp)) return fail('bad-timestamp');
		const skew = Math.abs(Date.now() - Number(timestamp));
		if (skew > sim.config.cortexMaxSkewMs) {
			return fail(timestamp.length <= 10 ? 'timestamp-in-seconds' : 'timestamp-skew');
		}
		const expected = createHash('sha256')
			.update(key.apiKey + nonce + timestamp)
			.digest('hex');
		if (authorization !== expected) return fail('bad-hash');
		if (seenNonces.has(nonce)) {
			sim.violation('cortex', 'nonce-reused', { nonce });
			return fail('nonce-reused');
		}
		rememberNonce(nonce);
		return null;
	}

	function rememberNonce(nonce) {
		const now = Date.now();
		seenNonces.set(nonce, now);
		if (seenNonces.size > 200000) {
			// Old nonces can no longer pass the timestamp check, so forgetting them is safe.
			for (const [n, at] of seenNonces)
				if (at < now - 2 * sim.config.cortexMaxSkewMs) seenNonces.delete(n);
		}
	}

	function compile(requestData) {
		let from = -Infinity;
		let to = Infinity;
		const tests = [];
		const filters = requestData.filters ?? [];
		if (!Array.isArray(filters)) return { response: reply(400, 'filters must be an array') };
		for (const filter of filters) {
			if (!isObject(filter)) return { response: reply(400, 'Each filter must be an object') };
			const { field, operator, value } = filter;
			if (field === 'timestamp') {
				if (!Number.isInteger(value))
					return { response: reply(400, 'timestamp value must be epoch ms (integer)') };
				if (operator === 'gte') from = Math.max(from, value);
				else if (operator === 'lte') to = Math.min(to, value);
				else return { response: reply(400, `Unsupported operator ${operator} for timestamp`) };
				continue;
			}
			const key = IN_FIELDS[field];
			if (!key) return { response: reply(400, `Unsupported filter field: ${field}`) };
			if (operator !== 'in')
				return { response: reply(400, `Unsupported operator ${operator} for ${field}`) };
			if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
				return { response: reply(400, `${field} value must be an array of strings`) };
			}
			const wanted = new Set(value);
			tests.push((e) => wanted.has(e.data[key]));
		}
		const sort = requestData.sort ?? { field: 'timestamp', keyword: 'desc' };
		if (!isObject(sort) || !SORT_FIELDS[sort.field] || !['asc', 'desc'].includes(sort.keyword)) {
			return {
				response: reply(
					400,
					'sort must be {field: type|sub_type|result|timestamp, keyword: asc|desc}',
				),
			};
		}
		return { from, to, tests, sortKey: SORT_FIELDS[sort.field], desc: sort.keyword === 'desc' };
	}

	function managementLogs(ctx) {
		const parsed = parseJson(ctx.body);
		if (!parsed.ok) return reply(400, 'Bad Request. Got an invalid JSON.');
		if (!isObject(parsed.value) || !isObject(parsed.value.request_data)) {
			return reply(400, 'Request is missing the request_data object');
		}
		const requestData = parsed.value.request_data;
		const q = compile(requestData);
		if (q.response) return q.response;
		const from = requestData.search_from ?? 0;
		const to = requestData.search_to ?? MAX_PAGE;
		if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to < from) {
			return reply(
				400,
				'search_from and search_to must be integers with 0 <= search_from <= search_to',
			);
		}
		if (to - from > MAX_PAGE) {
			sim.violation('cortex', 'page-size-exceeded', { search_from: from, search_to: to });
			return reply(400, `The maximum number of results is ${MAX_PAGE}`, {
				search_from: from,
				search_to: to,
			});
		}
		const lo = lowerBound(events, q.from, (e) => e.t);
		const hi = upperBound(events, q.to, (e) => e.t);
		let matches = [];
		for (let i = lo; i < hi; i++)
			if (q.tests.every((test) => test(events[i]))) matches.push(events[i]);
		if (q.sortKey !== 'AUDIT_INSERT_TIME') {
			const k = q.sortKey;
			matches = matches.sort((a, b) =>
				a.data[k] < b.data[k] ? -1 : a.data[k] > b.data[k] ? 1 : a.t - b.t || a.id - b.id,
			);
		}
		if (q.desc) matches.reverse();
		const page = matches.slice(from, to);
		return rawJson(
			200,
			`{"reply":{"total_count":${matches.length},"result_count":${page.length},` +
				`"data":[${page.map((e) => e.json).join(',')}]}}`,
		);
	}

	function handle(ctx) {
		if (rateLimited()) {
			sim.violation('cortex', 'rate-limit-exceeded', {
				path: ctx.path,
				limit: sim.config.cortexRateLimit,
			});
			return reply(429, 'Too many requests', 'Rate limit: 10 requests per second per tenant');
		}
		const denied = authenticate(ctx);
		if (denied) return denied;
		if (!PATHS.has(ctx.sub)) return reply(404, 'Not found');
		if (ctx.method !== 'POST') return reply(405, 'Method not allowed');
		return managementLogs(ctx);
	}

	function append({ count, overrides, time, sameTime }) {
		const base = time ?? sim.clock();
		const added = [];
		for (let i = 0; i < count; i++) {
			const t = sameTime ? base : base + i;
			const fields = { ...content(t), ...(overrides[i] ?? overrides[0] ?? {}) };
			delete fields.AUDIT_ID;
			const event = makeEvent(t, fields);
			insertSorted(events, event, (e) => e.t);
			added.push(event.data);
		}
		return added;
	}

	return {
		handle,
		append,
		error: (status, message) => reply(status, message),
		events,
		summary: () => ({ events: events.length, nextAuditId: nextId }),
	};
}
