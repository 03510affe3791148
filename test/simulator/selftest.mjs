// Self-test of the vendor simulator over real HTTP: auth, paging, windows, limits, proofs, faults.
// Run: node test/simulator/selftest.mjs   (prints "N passed, M failed"; exit code 1 on failure)
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';

import { SIM_CREDENTIALS as C, startSimulator } from './server.mjs';

const SIZES = { cbc: 12000, cortex: 450, cisco: 1100, pangea: 800 };
const BURST = 30;
const sim = await startSimulator({
	seed: 42,
	sizes: SIZES,
	burstSize: BURST,
	config: { cbcJobPolls: 1 },
});
const results = [];

async function check(name, fn) {
	const started = Date.now();
	try {
		await fn();
		results.push({ name, ok: true });
		console.log(`ok   ${name} (${Date.now() - started} ms)`);
	} catch (err) {
		results.push({ name, ok: false });
		console.log(
			`FAIL ${name}\n     ${String(err?.stack ?? err)
				.split('\n')
				.slice(0, 4)
				.join('\n     ')}`,
		);
	}
}

async function call(method, path, { headers = {}, body, redirect = 'follow' } = {}) {
	const url = path.startsWith('http') ? path : sim.url + path;
	const init = { method, headers: { ...headers }, redirect };
	if (body !== undefined) {
		init.body = typeof body === 'string' ? body : JSON.stringify(body);
		init.headers['content-type'] ??= 'application/json';
	}
	const res = await fetch(url, init);
	const buf = Buffer.from(await res.arrayBuffer());
	let parsed;
	try {
		parsed = JSON.parse(buf.toString('utf8'));
	} catch {
		parsed = undefined;
	}
	return {
		status: res.status,
		headers: res.headers,
		json: parsed,
		text: buf.toString('utf8'),
		buf,
	};
}

const stats = () => sim.stats();
const violations = (kind) => stats().violations.filter((v) => v.kind === kind).length;

// ---- Carbon Black Cloud ---------------------------------------------------------------------

const CBC_AUTH = { 'x-auth-token': `${C.cbc.apiSecretKey}/${C.cbc.apiId}` };
const CBC_AUTH_2 = { 'x-auth-token': `${C.cbc.secondApiSecretKey}/${C.cbc.secondApiId}` };
const CBC_LOGS = `/cbc/audit_log/v1/orgs/${C.cbc.orgKey}/logs`;
const CBC_JOBS = `/cbc/jobs/v1/orgs/${C.cbc.orgKey}/jobs`;
const cbcSearch = (body, headers = CBC_AUTH) =>
	call('POST', `${CBC_LOGS}/_search`, { headers, body });
const cbcEvents = sim.state.vendors.cbc.events;
const iso = (ms) => new Date(ms).toISOString();

await check('cbc: auth ok, bad secret, missing header, wrong org', async () => {
	assert.equal((await cbcSearch({ rows: 1 })).status, 200);
	const bad = await cbcSearch({ rows: 1 }, { 'x-auth-token': `nope/${C.cbc.apiId}` });
	assert.equal(bad.status, 401);
	assert.deepEqual(bad.json, { success: false, message: 'User is not authenticated' });
	assert.equal((await cbcSearch({ rows: 1 }, {})).status, 401);
	const bearer = await cbcSearch({ rows: 1 }, { authorization: `Bearer ${C.cbc.bearerToken}` });
	assert.equal(bearer.status, 200);
	const org = await call('POST', '/cbc/audit_log/v1/orgs/OTHER/logs/_search', {
		headers: CBC_AUTH,
		body: {},
	});
	assert.equal(org.status, 403);
	assert.equal(org.json.error_code, 'FORBIDDEN');
	const failures = stats().authFailures.cbc;
	assert.equal(failures['bad-secret'], 1);
	assert.equal(failures.missing, 1);
	assert.equal(failures['wrong-org-key'], 1);
});

await check('cbc: pages a time window to the end, ascending, no gaps', async () => {
	const start = cbcEvents[1000].t;
	const end = cbcEvents[7000].t;
	const expected = cbcEvents.filter((e) => e.t >= start && e.t <= end).length;
	const criteria = { create_time: { start: iso(start), end: iso(end) } };
	const seen = [];
	let found;
	for (let offset = 0; ; offset += 2000) {
		const page = await cbcSearch({
			criteria,
			rows: 2000,
			start: offset,
			sort: [{ field: 'create_time', order: 'ASC' }],
		});
		assert.equal(page.status, 200);
		found = page.json.num_found;
		seen.push(...page.json.results);
		if (page.json.results.length < 2000) break;
	}
	assert.equal(found, expected);
	assert.equal(seen.length, expected);
	for (let i = 1; i < seen.length; i++) assert.ok(seen[i - 1].create_time <= seen[i].create_time);
	assert.deepEqual(Object.keys(seen[0]), [
		'org_key',
		'actor',
		'actor_ip',
		'request_url',
		'description',
		'flagged',
		'verbose',
		'create_time',
	]);
});

await check('cbc: start + rows > 10000 is a 400 and a recorded violation', async () => {
	const res = await cbcSearch({ rows: 2000, start: 9000 });
	assert.equal(res.status, 400);
	assert.equal(typeof res.json.error_code, 'string');
	assert.ok(Array.isArray(res.json.args));
	assert.equal(violations('search-window-exceeded'), 1);
	assert.equal((await cbcSearch({ rows: 10001 })).status, 400);
});

await check('cbc: a 10 000-row page is fast and newest first', async () => {
	const started = Date.now();
	const res = await cbcSearch({ rows: 10000, sort: [{ field: 'create_time', order: 'DESC' }] });
	const ms = Date.now() - started;
	assert.equal(res.status, 200);
	assert.equal(res.json.num_found, SIZES.cbc);
	assert.equal(res.json.num_available, 10000);
	assert.equal(res.json.results.length, 10000);
	for (let i = 1; i < 10000; i++)
		assert.ok(res.json.results[i - 1].create_time >= res.json.results[i].create_time);
	assert.ok(ms < 1500, `took ${ms} ms`);
});

await check('cbc: criteria, exclusions, range and query terms filter', async () => {
	const phrase = await cbcSearch({ query: 'description:"Logged in successfully"', rows: 100 });
	assert.ok(phrase.json.num_found > 0);
	assert.ok(phrase.json.results.every((r) => r.description === 'Logged in successfully'));
	const field = await cbcSearch({ query: 'actor:alice@example.com flagged:true', rows: 100 });
	assert.ok(field.json.results.every((r) => r.actor === 'alice@example.com' && r.flagged));
	const crit = await cbcSearch({
		criteria: { actor: ['bob@example.com'], create_time: { range: '-1d' } },
		exclusions: { description: ['Logged out'] },
		rows: 10000,
	});
	const dayAgo = Date.now() - 86400000 - 1000;
	assert.ok(crit.json.num_found > 0);
	assert.ok(
		crit.json.results.every(
			(r) =>
				r.actor === 'bob@example.com' &&
				r.description !== 'Logged out' &&
				Date.parse(r.create_time) >= dayAgo,
		),
	);
	const malformed = await cbcSearch({ query: 'description:"unterminated' });
	assert.equal(malformed.status, 400);
	assert.equal(malformed.json.reason, 'query_malformed_syntax');
	const mixed = await cbcSearch({
		criteria: { create_time: { range: '-1d', start: iso(0), end: iso(1) } },
	});
	assert.equal(mixed.status, 400);
});

await check('cbc: bursts share a millisecond and some records are identical', async () => {
	const perTime = new Map();
	for (const e of cbcEvents) perTime.set(e.t, (perTime.get(e.t) ?? 0) + 1);
	assert.ok(Math.max(...perTime.values()) >= BURST);
	const contents = new Set();
	let identical = 0;
	for (const e of cbcEvents) {
		if (contents.has(e.json)) identical++;
		contents.add(e.json);
	}
	assert.ok(identical >= 1, 'no identical records');
});

await check('cbc: _queue is per key, read-once, oldest first, and sees new events', async () => {
	const inWindow = cbcEvents.filter((e) => e.t >= Date.now() - 3 * 86400000 - 5000).length;
	const drain = async (headers) => {
		const all = [];
		for (;;) {
			const res = await call('GET', `${CBC_LOGS}/_queue`, { headers });
			assert.equal(res.status, 200);
			if (res.json.results.length === 0) return all;
			assert.ok(res.json.results.length <= 500);
			all.push(...res.json.results);
		}
	};
	const first = await drain(CBC_AUTH);
	assert.ok(Math.abs(first.length - inWindow) <= 1, `${first.length} vs ${inWindow}`);
	for (let i = 1; i < first.length; i++)
		assert.ok(first[i - 1].create_time <= first[i].create_time);
	assert.equal((await drain(CBC_AUTH_2)).length, first.length);
	const added = await call('POST', '/_sim/events', { body: { vendor: 'cbc', count: 3 } });
	assert.equal(added.json.added.length, 3);
	const next = await drain(CBC_AUTH);
	assert.deepEqual(next, added.json.added);
});

await check('cbc: /_sim/queue lists each batch taken and whether its answer arrived whole', async () => {
	const before = (await call('GET', '/_sim/queue/cbc')).json.reads.length;
	const append = async (count) =>
		(await call('POST', '/_sim/events', { body: { vendor: 'cbc', count } })).json.added;
	const cutBatch = await append(2);
	sim.addFault({ vendor: 'cbc', kind: 'truncatedJson', path: '/_queue' });
	const cut = await call('GET', `${CBC_LOGS}/_queue`, { headers: CBC_AUTH });
	assert.equal(cut.json, undefined);
	const wholeBatch = await append(1);
	const whole = await call('GET', `${CBC_LOGS}/_queue`, { headers: CBC_AUTH });
	assert.deepEqual(whole.json.results, wholeBatch);
	const reads = (await call('GET', '/_sim/queue/cbc')).json.reads.slice(before);
	assert.deepEqual(
		reads.map((r) => [r.key, r.records, r.delivered]),
		[
			[C.cbc.apiId, cutBatch, false],
			[C.cbc.apiId, wholeBatch, true],
		],
	);
	assert.equal((await call('GET', '/_sim/queue/cortex')).status, 404);
	// slowAfter: the batch is taken at once, the answer comes late; a client that gave up never got it.
	const lateBatch = await append(1);
	sim.addFault({ vendor: 'cbc', kind: 'slowAfter', delayMs: 300, path: '/_queue' });
	const gaveUp = await fetch(sim.url + `${CBC_LOGS}/_queue`, {
		headers: CBC_AUTH,
		signal: AbortSignal.timeout(50),
	}).catch((err) => err);
	assert.ok(gaveUp instanceof Error);
	assert.deepEqual((await call('GET', `${CBC_LOGS}/_queue`, { headers: CBC_AUTH })).json.results, []);
	await new Promise((resolve) => setTimeout(resolve, 400));
	const late = (await call('GET', '/_sim/queue/cbc')).json.reads.at(-1);
	assert.deepEqual([late.records, late.delivered], [lateBatch, false]);
});

await check(
	'cbc: export job, progress, 303 to a presigned URL that refuses auth headers',
	async () => {
		const criteria = { create_time: { start: iso(cbcEvents[0].t), end: iso(cbcEvents[99].t) } };
		const expected = (await cbcSearch({ criteria, rows: 0 })).json.num_found;
		const started = await call('POST', `${CBC_LOGS}/_export`, {
			headers: CBC_AUTH,
			body: { criteria, format: 'csv' },
		});
		assert.equal(started.status, 200);
		const id = started.json.job_id;
		assert.ok(Number.isInteger(id));
		assert.equal(
			(await call('GET', `${CBC_JOBS}/${id}`, { headers: CBC_AUTH })).json.status,
			'CREATED',
		);
		assert.equal((await call('GET', `${CBC_JOBS}/${id}`, { headers: CBC_AUTH_2 })).status, 404);
		const done = await call('GET', `${CBC_JOBS}/${id}`, { headers: CBC_AUTH });
		assert.equal(done.json.status, 'COMPLETED');
		const progress = await call('GET', `${CBC_JOBS}/${id}/progress`, { headers: CBC_AUTH });
		assert.equal(progress.json.num_completed, progress.json.num_total);
		const redirect = await call('GET', `${CBC_JOBS}/${id}/download`, {
			headers: CBC_AUTH,
			redirect: 'manual',
		});
		assert.equal(redirect.status, 303);
		const location = redirect.headers.get('location');
		assert.ok(location.startsWith(`${sim.url}/presigned/`) && location.includes('signature='));
		const file = await call('GET', location);
		assert.equal(file.status, 200);
		const lines = file.text.trim().split('\r\n');
		assert.equal(
			lines[0],
			'org_key,actor,actor_ip,request_url,description,flagged,verbose,create_time',
		);
		assert.equal(lines.length - 1, expected);
		const leaked = await call('GET', location, { headers: CBC_AUTH });
		assert.equal(leaked.status, 403);
		assert.equal(violations('auth-header-forwarded'), 1);
		assert.equal(
			(await call('GET', location.replace(/signature=\w+/, 'signature=00'))).status,
			403,
		);
	},
);

await check('cbc: a jobFailed fault makes the next export FAILED', async () => {
	await call('POST', '/_sim/faults', { body: { vendor: 'cbc', kind: 'jobFailed', count: 1 } });
	const id = (
		await call('POST', `${CBC_LOGS}/_export`, { headers: CBC_AUTH, body: { format: 'json' } })
	).json.job_id;
	await call('GET', `${CBC_JOBS}/${id}`, { headers: CBC_AUTH });
	const job = await call('GET', `${CBC_JOBS}/${id}`, { headers: CBC_AUTH });
	assert.equal(job.json.status, 'FAILED');
	assert.equal(
		(await call('GET', `${CBC_JOBS}/${id}/download`, { headers: CBC_AUTH, redirect: 'manual' }))
			.status,
		400,
	);
});

const CSP = '/cbc/csp/gateway/am/api/auth';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const appBasic = (secret = C.cbc.cspAppSecret) =>
	`Basic ${Buffer.from(`${C.cbc.cspAppId}:${secret}`).toString('base64')}`;
const cspToken = (authorization = appBasic(), body = 'grant_type=client_credentials') =>
	call('POST', `${CSP}/token`, { headers: { ...FORM, authorization }, body });
const authFailures = (kind) => stats().authFailures.cbc?.[kind] ?? 0;

await check('cbc csp: an OAuth app gets a bearer token that _search accepts', async () => {
	const issued = stats().data.cbc.cspTokensIssued;
	const res = await cspToken();
	assert.equal(res.status, 200);
	assert.equal(res.json.token_type, 'bearer');
	assert.equal(res.json.expires_in, 1800);
	assert.match(res.json.access_token, /^sim-csp-at-/);
	const search = await cbcSearch({ rows: 1 }, { authorization: `Bearer ${res.json.access_token}` });
	assert.equal(search.status, 200);
	assert.equal(stats().data.cbc.cspTokensIssued, issued + 1);
});

await check('cbc csp: a user API token is exchanged at api-tokens/authorize', async () => {
	const body = new URLSearchParams({ api_token: C.cbc.cspApiToken }).toString();
	const res = await call('POST', `${CSP}/api-tokens/authorize`, { headers: FORM, body });
	assert.equal(res.status, 200);
	const queue = await call('GET', `${CBC_LOGS}/_queue`, {
		headers: { authorization: `Bearer ${res.json.access_token}` },
	});
	assert.equal(queue.status, 200);
});

await check(
	'cbc csp: wrong secret, wrong grant, wrong API token, JSON body are refused',
	async () => {
		const before = authFailures('csp-bad-app-credentials');
		const wrong = await cspToken(appBasic('not-the-secret'));
		assert.equal(wrong.status, 401);
		assert.deepEqual(wrong.json, {
			error: 'invalid_client',
			error_description: 'Client authentication failed',
		});
		assert.equal(authFailures('csp-bad-app-credentials'), before + 1);
		assert.equal((await cspToken('')).status, 401);
		assert.equal((await cspToken(appBasic(), 'grant_type=password')).status, 400);
		const badToken = await call('POST', `${CSP}/api-tokens/authorize`, {
			headers: FORM,
			body: 'api_token=nope',
		});
		assert.equal(badToken.status, 400);
		assert.equal(badToken.json.message, 'invalid_grant: Invalid refresh token');
		const violationsBefore = violations('csp-sign-in-not-form-encoded');
		const asJson = await call('POST', `${CSP}/token`, {
			headers: { authorization: appBasic() },
			body: { grant_type: 'client_credentials' },
		});
		assert.equal(asJson.status, 415);
		assert.equal(violations('csp-sign-in-not-form-encoded'), violationsBefore + 1);
		assert.equal((await call('GET', `${CSP}/token`)).status, 405);
	},
);

await check(
	'cbc csp: an expired (or revoked) token is answered 401, a fresh one works again',
	async () => {
		sim.setConfig({ cbcCspTokenTtlMs: 0 });
		try {
			const stale = (await cspToken()).json.access_token;
			const before = authFailures('expired-csp-token');
			const refused = await cbcSearch({ rows: 1 }, { authorization: `Bearer ${stale}` });
			assert.equal(refused.status, 401);
			assert.deepEqual(refused.json, { success: false, message: 'User is not authenticated' });
			assert.equal(authFailures('expired-csp-token'), before + 1);
		} finally {
			sim.setConfig({ cbcCspTokenTtlMs: 30 * 60_000 });
		}
		const fresh = (await cspToken()).json.access_token;
		assert.equal((await cbcSearch({ rows: 1 }, { authorization: `Bearer ${fresh}` })).status, 200);
		sim.setConfig({ cbcCspTokenGeneration: 1 });
		assert.equal((await cbcSearch({ rows: 1 }, { authorization: `Bearer ${fresh}` })).status, 401);
		const next = (await cspToken()).json.access_token;
		assert.equal((await cbcSearch({ rows: 1 }, { authorization: `Bearer ${next}` })).status, 200);
		sim.setConfig({ cbcCspTokenGeneration: 0 });
		const unknown = await cbcSearch({ rows: 1 }, { authorization: 'Bearer sim-csp-at-999999-1' });
		assert.equal(unknown.status, 401);
	},
);

// ---- Cortex XDR -----------------------------------------------------------------------------

const CORTEX = '/cortex/public_api/v1/audits/management_logs/';
const standard = () => ({ 'x-xdr-auth-id': C.cortex.apiKeyId, authorization: C.cortex.apiKey });
function advanced(
	nonce = randomBytes(48)
		.toString('base64')
		.replace(/[^A-Za-z0-9]/g, '')
		.slice(0, 64)
		.padEnd(64, 'a'),
	timestamp = String(Date.now()),
) {
	const hash = createHash('sha256')
		.update(C.cortexAdvanced.apiKey + nonce + timestamp)
		.digest('hex');
	return {
		'x-xdr-auth-id': C.cortexAdvanced.apiKeyId,
		'x-xdr-nonce': nonce,
		'x-xdr-timestamp': timestamp,
		authorization: hash,
	};
}
const cortex = (requestData, headers = standard()) =>
	call('POST', CORTEX, { headers, body: { request_data: requestData } });

await check(
	'cortex: standard and advanced keys; bad key, reused nonce, seconds timestamp fail',
	async () => {
		sim.setConfig({ cortexRateLimit: 0 });
		assert.equal((await cortex({ search_to: 1 })).status, 200);
		const headers = advanced();
		assert.equal((await cortex({ search_to: 1 }, headers)).status, 200);
		const replay = await cortex({ search_to: 1 }, headers);
		assert.equal(replay.status, 401);
		assert.equal(replay.json.reply.err_code, 401);
		assert.equal((await cortex({}, { ...standard(), authorization: 'wrong' })).status, 401);
		assert.equal(
			(await cortex({}, advanced(undefined, String(Math.floor(Date.now() / 1000))))).status,
			401,
		);
		const failures = stats().authFailures.cortex;
		assert.deepEqual(
			[failures['nonce-reused'], failures['bad-key'], failures['timestamp-in-seconds']],
			[1, 1, 1],
		);
	},
);

await check('cortex: pages by search_from/search_to to the end, filters, 100 cap', async () => {
	const from = sim.state.vendors.cortex.events[50].t;
	const filters = [{ field: 'timestamp', operator: 'gte', value: from }];
	const ids = [];
	let total;
	for (let offset = 0; ; offset += 100) {
		const res = await cortex({
			filters,
			search_from: offset,
			search_to: offset + 100,
			sort: { field: 'timestamp', keyword: 'asc' },
		});
		assert.equal(res.status, 200);
		total = res.json.reply.total_count;
		assert.equal(res.json.reply.result_count, res.json.reply.data.length);
		ids.push(...res.json.reply.data.map((r) => r.AUDIT_ID));
		if (res.json.reply.data.length < 100) break;
	}
	assert.equal(ids.length, total);
	assert.equal(new Set(ids).size, total);
	assert.ok(total >= 399);
	const over = await cortex({ search_from: 0, search_to: 101 });
	assert.equal(over.status, 400);
	assert.deepEqual(Object.keys(over.json.reply), ['err_code', 'err_msg', 'err_extra']);
	const auth = await cortex({
		filters: [
			{ field: 'type', operator: 'in', value: ['AUTH'] },
			{ field: 'result', operator: 'in', value: ['FAIL'] },
		],
	});
	assert.ok(auth.json.reply.total_count > 0);
	assert.ok(
		auth.json.reply.data.every((r) => r.AUDIT_ENTITY === 'AUTH' && r.AUDIT_RESULT === 'FAIL'),
	);
	const newestFirst = (await cortex({})).json.reply.data;
	assert.ok(newestFirst[0].AUDIT_INSERT_TIME >= newestFirst[99].AUDIT_INSERT_TIME);
});

await check('cortex: more than 10 requests in a second get 429 and a violation', async () => {
	sim.setConfig({ cortexRateLimit: 10 });
	const answers = await Promise.all(Array.from({ length: 14 }, () => cortex({ search_to: 1 })));
	const limited = answers.filter((a) => a.status === 429);
	assert.equal(limited.length, 4);
	assert.equal(limited[0].json.reply.err_code, 429);
	assert.equal(violations('rate-limit-exceeded'), 4);
});

// ---- Cisco Secure Endpoint ------------------------------------------------------------------

const CISCO_AUTH = {
	authorization: 'Basic ' + Buffer.from(`${C.cisco.clientId}:${C.cisco.apiKey}`).toString('base64'),
};
const cisco = (query = '', headers = CISCO_AUTH) =>
	call('GET', `/cisco/v1/audit_logs${query}`, { headers });

await check('cisco: auth ok and bad, rate-limit headers', async () => {
	const ok = await cisco('?limit=1');
	assert.equal(ok.status, 200);
	assert.equal(ok.headers.get('x-ratelimit-limit'), '3000');
	assert.ok(Number(ok.headers.get('x-ratelimit-reset')) > 0);
	const bad = await cisco('', { authorization: 'Basic ' + Buffer.from('x:y').toString('base64') });
	assert.equal(bad.status, 401);
	assert.equal(bad.json.errors[0].error_code, 401);
	assert.deepEqual(bad.json.data, {});
});

await check('cisco: follows absolute next links to the end, newest first', async () => {
	const seen = [];
	let url = `${sim.url}/cisco/v1/audit_logs`;
	let pages = 0;
	let total;
	while (url) {
		assert.ok(url.startsWith(sim.url));
		const res = await call('GET', url, { headers: CISCO_AUTH });
		assert.equal(res.status, 200);
		total = res.json.metadata.results.total;
		seen.push(...res.json.data);
		url = res.json.metadata.links.next;
		pages++;
	}
	assert.equal(pages, Math.ceil(SIZES.cisco / 500));
	assert.equal(seen.length, total);
	assert.equal(total, SIZES.cisco);
	for (let i = 1; i < seen.length; i++) assert.ok(seen[i - 1].created_at >= seen[i].created_at);
	assert.match(seen[0].created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
});

await check('cisco: filters, encoded offsets, bad params', async () => {
	const logins = await cisco('?event=login&limit=50');
	assert.ok(logins.json.data.length > 0 && logins.json.data.every((r) => r.event === 'login'));
	const mid = sim.state.vendors.cisco.events[600].t;
	const since = new Date(mid).toISOString().replace('.000Z', '+00:00');
	const windowed = await cisco(`?start_time=${encodeURIComponent(since)}&limit=500`);
	assert.ok(windowed.json.data.every((r) => Date.parse(r.created_at) >= mid));
	assert.equal(
		windowed.json.metadata.results.total,
		SIZES.cisco - sim.state.vendors.cisco.events.findIndex((e) => e.t >= mid),
	);
	assert.equal((await cisco(`?start_time=${since}`)).status, 400);
	const unknown = await cisco('?sort=asc');
	assert.equal(unknown.status, 400);
	assert.ok(unknown.json.errors[0].details[0].includes('sort'));
});

await check('cisco: GET /v1/audit_log_types lists the types the records carry, behind auth', async () => {
	const types = await call('GET', '/cisco/v1/audit_log_types', { headers: CISCO_AUTH });
	assert.equal(types.status, 200);
	assert.ok(Array.isArray(types.json.data));
	const carried = new Set(sim.state.vendors.cisco.events.map((e) => e.data.audit_log_type));
	for (const type of carried) assert.ok(types.json.data.includes(type), type);
	assert.ok(types.headers.get('x-ratelimit-remaining'));
	const bad = await call('GET', '/cisco/v1/audit_log_types');
	assert.equal(bad.status, 401);
});

await check('cisco: the hourly quota answers 429 with the error envelope', async () => {
	const used =
		Number((await cisco('?limit=1')).headers.get('x-ratelimit-limit')) -
		Number((await cisco('?limit=1')).headers.get('x-ratelimit-remaining'));
	sim.setConfig({ ciscoQuota: used + 1 });
	assert.equal((await cisco('?limit=1')).status, 200);
	const over = await cisco('?limit=1');
	assert.equal(over.status, 429);
	assert.equal(over.headers.get('x-ratelimit-remaining'), '0');
	assert.equal(over.json.errors[0].error_code, 429);
	assert.equal(violations('hourly-quota-exceeded'), 1);
	sim.setConfig({ ciscoQuota: 3000 });
});

// ---- Pangea ---------------------------------------------------------------------------------

const PANGEA_AUTH = { authorization: `Bearer ${C.pangea.token}` };
const pangea = (path, body, headers = PANGEA_AUTH) =>
	call('POST', `/pangea${path}`, { headers, body });

/** The selftest's own verifier (independent of the simulator's code), per vendor-apis.md 4.5. */
const verify = {
	canonical(value) {
		if (value === null || typeof value !== 'object') return JSON.stringify(value);
		if (Array.isArray(value)) return `[${value.map((v) => verify.canonical(v)).join(',')}]`;
		return `{${Object.keys(value)
			.sort()
			.map((k) => `${JSON.stringify(k)}:${verify.canonical(value[k])}`)
			.join(',')}}`;
	},
	sha: (...parts) => {
		const h = createHash('sha256');
		for (const p of parts) h.update(p);
		return h.digest();
	},
	hash: (envelope) => verify.sha(verify.canonical(envelope)).toString('hex'),
	fold(startHex, proof) {
		let h = Buffer.from(startHex, 'hex');
		for (const step of proof ? proof.split(',') : []) {
			const [side, hex] = step.split(':');
			const sibling = Buffer.from(hex, 'hex');
			h = side === 'l' ? verify.sha(sibling, h) : verify.sha(h, sibling);
		}
		return h.toString('hex');
	},
	consistency(prevRoot, newRoot) {
		const items = newRoot.consistency_proof.map((item) => {
			const [head, ...path] = item.split(',');
			return { node: head.split(':')[1], path: path.join(',') };
		});
		let acc = Buffer.from(items[0].node, 'hex');
		for (const item of items.slice(1)) acc = verify.sha(Buffer.from(item.node, 'hex'), acc);
		return (
			acc.toString('hex') === prevRoot.root_hash &&
			items.every((i) => verify.fold(i.node, i.path) === newRoot.root_hash)
		);
	},
};

async function rootOfSize(size) {
	const res = await pangea('/v1/root', { tree_size: size });
	assert.equal(res.status, 200);
	return res.json.result.data;
}

await check('pangea: bad token, missing config_id, scoped config_id', async () => {
	const bad = await pangea('/v1/search', {}, { authorization: 'Bearer nope' });
	assert.equal(bad.status, 401);
	assert.equal(bad.json.status, 'Unauthorized');
	const multi = { authorization: `Bearer ${C.pangea.multiConfigToken}` };
	const missing = await pangea('/v1/search', { limit: 1 }, multi);
	assert.equal(missing.json.status, 'MissingConfigID');
	assert.equal(
		(await pangea('/v1/search', { limit: 1, config_id: C.pangea.configId }, multi)).json.status,
		'Success',
	);
});

await check(
	'pangea: search + results to the end; hashes and membership proofs verify',
	async () => {
		const first = await pangea('/v1/search', { limit: 300, order: 'asc' });
		assert.equal(first.json.status, 'Success');
		assert.match(first.json.result.id, /^pas_/);
		const { count } = first.json.result;
		assert.equal(count, SIZES.pangea);
		const pages = [first.json.result];
		for (let offset = 300; offset < count; offset += 300) {
			pages.push(
				(await pangea('/v1/results', { id: first.json.result.id, limit: 300, offset })).json.result,
			);
		}
		let published = 0;
		let unpublished = 0;
		for (const page of pages) {
			for (const record of page.events) {
				assert.equal(verify.hash(record.envelope), record.hash);
				const root = record.published ? page.root : page.unpublished_root;
				assert.equal(verify.fold(record.hash, record.membership_proof), root.root_hash);
				if (record.published) published++;
				else unpublished++;
			}
		}
		assert.equal(published + unpublished, count);
		assert.ok(published > 0 && unpublished > 0);
		assert.match(
			pages[0].events[0].envelope.received_at,
			/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/,
		);
	},
);

await check('pangea: consistency proofs of published roots verify (sizes i / i+1)', async () => {
	const latest = (await pangea('/v1/root', {})).json.result.data;
	for (const i of [1, 2, 3, 7, 8, 16, latest.size - 1]) {
		const [prev, next] = [await rootOfSize(i), await rootOfSize(i + 1)];
		assert.ok(verify.consistency(prev, next), `sizes ${i}/${i + 1}`);
		assert.equal(next.size, i + 1);
	}
	const forged = await rootOfSize(5);
	forged.root_hash = '00'.repeat(32);
	assert.ok(!verify.consistency(forged, await rootOfSize(6)));
});

await check('pangea: query terms, search_restriction, max_results cap', async () => {
	const res = await pangea('/v1/search', {
		query: 'actor:alice action:login',
		limit: 1000,
		search_restriction: { tenant_id: ['t-42'] },
	});
	assert.ok(res.json.result.count > 0);
	assert.ok(
		res.json.result.events.every(
			(r) =>
				r.envelope.event.actor === 'alice' &&
				r.envelope.event.action === 'login' &&
				r.envelope.event.tenant_id === 't-42',
		),
	);
	const mismatch = await pangea('/v1/results', {
		id: res.json.result.id,
		assert_search_restriction: { tenant_id: ['t-7'] },
	});
	assert.equal(mismatch.json.status, 'ValidationError');
	const capped = await pangea('/v1/search', { max_results: 100, limit: 10 });
	assert.equal(capped.json.result.count, 100);
	const over = await pangea('/v1/search', { max_results: 10001 });
	assert.equal(over.status, 400);
	assert.equal(over.json.status, 'ValidationError');
	assert.equal(over.json.result.errors[0].source, '/max_results');
});

await check(
	'pangea: /v2/log appends (later searches see it, proofs verify), >1000 refused',
	async () => {
		const events = [
			{ event: { message: 'selftest one', actor: 'selftest' } },
			{ event: { message: 'selftest two – ü', actor: 'selftest' } },
		];
		const logged = await pangea('/v2/log', { events, verbose: true });
		assert.equal(logged.json.status, 'Success');
		assert.equal(logged.json.result.results.length, 2);
		for (const r of logged.json.result.results) assert.equal(verify.hash(r.envelope), r.hash);
		// The search's end defaults to now; events logged right after a burst can be stamped a few
		// microseconds past it (stamps stay strictly increasing), so it ends a minute ahead.
		const end = new Date(Date.now() + 60_000).toISOString();
		const found = await pangea('/v1/search', { query: 'actor:selftest', limit: 10, end });
		assert.equal(found.json.result.count, 2);
		for (const r of found.json.result.events) {
			assert.equal(r.published, false);
			assert.equal(
				verify.fold(r.hash, r.membership_proof),
				found.json.result.unpublished_root.root_hash,
			);
		}
		const tooMany = await pangea('/v2/log', {
			events: Array.from({ length: 1001 }, () => ({ event: { message: 'x' } })),
		});
		assert.equal(tooMany.json.status, 'ValidationError');
		const noMessage = await pangea('/v1/log', { event: { actor: 'x' } });
		assert.equal(noMessage.json.result.errors[0].source, '/event/message');
	},
);

await check('pangea: 202 Accepted via fault, then GET /request/{id}', async () => {
	await call('POST', '/_sim/faults', {
		body: { vendor: 'pangea', kind: 'async', count: 1, path: '/v1/search' },
	});
	const accepted = await pangea('/v1/search', { limit: 5 });
	assert.equal(accepted.status, 202);
	assert.equal(accepted.json.status, 'Accepted');
	const id = accepted.json.request_id;
	assert.equal(accepted.json.result.location, `${sim.url}/pangea/request/${id}`);
	assert.equal((await call('GET', `/pangea/request/${id}`, { headers: PANGEA_AUTH })).status, 202);
	const done = await call('GET', `/pangea/request/${id}`, { headers: PANGEA_AUTH });
	assert.equal(done.status, 200);
	assert.equal(done.json.request_id, id);
	assert.equal(done.json.result.events.length, 5);
});

await check('pangea: download_results gives a gzip file on a presigned URL', async () => {
	const found = await pangea('/v1/search', { query: 'action:logout', limit: 1 });
	const link = await pangea('/v1/download_results', {
		result_id: found.json.result.id,
		format: 'csv',
	});
	assert.equal(link.json.status, 'Success');
	const dest = link.json.result.dest_url;
	assert.equal((await call('GET', dest, { headers: PANGEA_AUTH })).status, 403);
	const file = await call('GET', dest);
	const lines = gunzipSync(file.buf).toString('utf8').trim().split('\r\n');
	assert.equal(lines.length - 1, found.json.result.count);
	const both = await pangea('/v1/download_results', { result_id: 'pas_x', request_id: 'prq_y' });
	assert.equal(both.json.status, 'ValidationError');
});

// ---- control API and faults -----------------------------------------------------------------

await check(
	'faults: 503, reset, truncate and slow hit only the next matching requests',
	async () => {
		await call('POST', '/_sim/faults', {
			body: [
				{ vendor: 'cisco', kind: '503', count: 1 },
				{ vendor: 'cbc', kind: 'reset', count: 1, path: '_search' },
				{ vendor: 'pangea', kind: 'truncate', count: 1 },
				{ vendor: 'cortex', kind: 'slow', count: 1, delayMs: 150 },
			],
		});
		const unavailable = await cisco('?limit=1');
		assert.equal(unavailable.status, 503);
		assert.equal(unavailable.json.errors[0].error_code, 503);
		assert.equal((await cisco('?limit=1')).status, 200);
		await assert.rejects(cbcSearch({ rows: 1 }));
		assert.equal((await cbcSearch({ rows: 1 })).status, 200);
		await assert.rejects(pangea('/v1/search', { limit: 50 }));
		sim.setConfig({ cortexRateLimit: 0 });
		const started = Date.now();
		assert.equal((await cortex({ search_to: 1 })).status, 200);
		assert.ok(Date.now() - started >= 140);
		assert.equal(stats().faults.active.length, 0);
		assert.equal(
			(await call('POST', '/_sim/faults', { body: { vendor: 'cisco', kind: 'bogus' } })).status,
			400,
		);
	},
);

await check('control: latencyMs delays vendor answers, bandwidthKbps paces their bodies', async () => {
	const timed = async (query) => {
		const started = performance.now();
		assert.equal((await cisco(query)).status, 200);
		return performance.now() - started;
	};
	const base = await timed('?limit=1');
	await call('POST', '/_sim/config', { body: { latencyMs: 150 } });
	const slow = await timed('?limit=1');
	assert.ok(slow >= 150 && slow - base >= 100, `latency: ${slow} ms vs ${base} ms`);
	// The control API itself is not delayed.
	const started = performance.now();
	await call('GET', '/_sim/stats');
	assert.ok(performance.now() - started < 150, 'control API delayed');
	// 800 kbps = 100 kB/s: a page of 500 records (well over 100 kB uncompressed) takes its bytes / 100 kB/s.
	await call('POST', '/_sim/config', { body: { latencyMs: 0, bandwidthKbps: 800 } });
	const t0 = performance.now();
	const res = await cisco('?limit=500', { ...CISCO_AUTH, 'accept-encoding': 'identity' });
	const ms = performance.now() - t0;
	assert.equal(res.json.data.length, 500);
	assert.ok(res.buf.length > 100_000, `page of ${res.buf.length} bytes`);
	assert.ok(ms >= (res.buf.length / 100_000) * 1000 * 0.9, `${res.buf.length} bytes in ${ms} ms`);
	await call('POST', '/_sim/config', { body: { bandwidthKbps: 0 } });
});

await check('control: stats, events for every vendor, webhooks, reset', async () => {
	for (const vendor of ['cortex', 'cisco', 'pangea']) {
		const added = await call('POST', '/_sim/events', {
			body: { vendor, count: 2, sameTime: true },
		});
		assert.equal(added.json.added.length, 2);
	}
	const after = await cisco('?limit=2');
	assert.equal(after.json.metadata.results.total, SIZES.cisco + 2);
	await call('POST', '/_sim/webhook/slack', { body: { text: 'hi' } });
	await call('POST', '/_sim/webhook/slack', {
		body: '{"event":1}{"event":2}',
		headers: { 'content-type': 'text/plain' },
	});
	const hook = await call('GET', '/_sim/webhook/slack');
	assert.equal(hook.json.count, 2);
	assert.deepEqual(hook.json.items[0].body, { text: 'hi' });
	assert.equal(hook.json.items[1].raw, '{"event":1}{"event":2}');
	const s = (await call('GET', '/_sim/stats')).json;
	for (const area of ['cbc', 'cortex', 'cisco', 'pangea', 'presigned'])
		assert.ok(s.requests[area] > 0, area);
	assert.ok(Array.isArray(s.violations) && s.faults);
	await call('POST', '/_sim/reset');
	const fresh = (await call('GET', '/_sim/stats')).json;
	assert.equal(fresh.violations.length, 0);
	assert.equal(fresh.data.cisco.events, SIZES.cisco);
	assert.equal((await call('GET', '/_sim/webhook/slack')).json.count, 0);
});

await sim.stop();
const failed = results.filter((r) => !r.ok).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
