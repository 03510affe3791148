// Carbon Black Cloud with CSP sign-in (an OAuth app) in a real n8n: n8n's preAuthentication fetches the
// token, stores it with the credential for the next execution, and signs in again once when a poll finds
// it expired. The simulator's CSP issues tokens (cbcCspTokenTtlMs) and answers 401 to expired ones.
import { setTimeout as delay } from 'node:timers/promises';
import { auditItemProblems, markerOverride, markersIn, ownItems } from '../lib/checks.mjs';
import { executeOk, nodeItems } from '../lib/n8n.mjs';
import { waitFor } from '../lib/proc.mjs';
import { sourceById } from '../lib/sources.mjs';
import { auditLogNode, auditLogTriggerNode, fanOut, workflow } from '../lib/workflows.mjs';

const cbc = sourceById('carbonBlackCloud');
/** The CBC source row, signing in through CSP: credentialRef() names this credential. */
const CSP_SOURCE = {
	...cbc,
	short: 'CbcCsp',
	label: 'Carbon Black Cloud CSP app',
	credentialId: 'simCbcCspOauth01',
};
const TRIGGER = 'Audit Log Trigger';
/** Longer than any one poll, far shorter than the minute between two: every poll starts expired. */
const TOKEN_TTL_MS = 20_000;
const TWO_POLLS_MS = 170_000;

/** The CSP credential to import beside the per-source ones (sim: the started simulator). */
export function cspCredentials(sim) {
	return [
		{
			id: CSP_SOURCE.credentialId,
			name: `${CSP_SOURCE.label} (simulator)`,
			type: 'carbonBlackCloudApi',
			data: {
				environment: 'custom',
				baseUrl: sim.urls.cbc,
				orgKey: sim.credentials.cbc.orgKey,
				authentication: 'oauthApp',
				// The simulator plays CSP on the same host, under /cbc/csp/...
				cspHost: sim.urls.cbc,
				cspAppId: sim.credentials.cbc.cspAppId,
				cspAppSecret: sim.credentials.cbc.cspAppSecret,
			},
		},
	];
}

const cspStats = (stats) => ({
	issued: stats.data.cbc.cspTokensIssued ?? 0,
	expired: stats.authFailures.cbc?.['expired-csp-token'] ?? 0,
	refused: Object.entries(stats.authFailures.cbc ?? {})
		.filter(([kind]) => kind !== 'expired-csp-token')
		.reduce((sum, [, count]) => sum + count, 0),
});

function delta(before, after) {
	const a = cspStats(before);
	const b = cspStats(after);
	return {
		issued: b.issued - a.issued,
		expired: b.expired - a.expired,
		refused: b.refused - a.refused,
	};
}

/**
 * `n8n execute` three times: one sign-in, the token stored with the credential and reused by the
 * second run; then every token expires (the simulator's token generation is raised) and the third
 * run draws one 401, signs in again once and reads everything.
 */
function executeCase() {
	const id = 'e2eCspSearchCbc';
	return {
		name: 'csp: OAuth app sign-in, executions share one token, an expired one is refreshed once',
		source: cbc,
		workflows: () => [
			fanOut(id, 'e2e: search Carbon Black Cloud via CSP', [
				auditLogNode('Search All', CSP_SOURCE, {
					operation: 'search',
					returnAll: true,
					filters: { range: '-1w' },
					options: { includeRaw: false },
				}),
			]),
		],
		async run(env, t) {
			const read = async () => nodeItems(await executeOk(env, id), 'Search All').map((i) => i.json);
			const before = await env.sim.control.stats();
			const first = await read();
			const second = await read();
			const shared = await env.sim.control.stats();
			t.equal(first.length, before.data.cbc.events, 'the first execution reads every event');
			t.equal(second.length, first.length, 'so does the second');
			t.none(
				first.flatMap((j) => auditItemProblems(j, { source: cbc.id, withRaw: false })),
				'normalized items',
			);
			t.equal(
				delta(before, shared),
				{ issued: 1, expired: 0, refused: 0 },
				'one token for both executions',
			);
			const { config } = await env.sim.control.call('GET', '/');
			const generation = config.cbcCspTokenGeneration;
			await env.sim.control.call('POST', '/config', { cbcCspTokenGeneration: generation + 1 });
			const third = await read();
			t.equal(third.length, first.length, 'the execution after expiry reads every event');
			t.equal(
				delta(shared, await env.sim.control.stats()),
				{ issued: 1, expired: 1, refused: 0 },
				'one 401 on the expired token, one new sign-in, the request resent',
			);
		},
	};
}

/** Whether the trigger saved its cursor (the activation poll is done). */
const hasCursor = (staticData) => JSON.stringify(staticData ?? {}).includes('Cursor');

async function triggerExecutions(env, id, count, timeoutMs) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const list = (await env.rest.executions(id)).filter(
			(e) => e.mode === 'trigger' && e.status !== 'running' && e.status !== 'new',
		);
		if (list.length >= count)
			return await Promise.all(list.reverse().map((e) => env.rest.execution(e.id)));
		if (Date.now() > deadline)
			throw new Error(`${id}: ${list.length} of ${count} trigger executions`);
		await delay(1000);
	}
}

/**
 * The activated trigger over three polls: the activation poll only seeds its cursor; the next one
 * reads the events added meanwhile and signs in; a minute later its token has expired, so the poll
 * after the second batch draws one 401, signs in again once and resends.
 */
function expiringTokenCase() {
	const id = 'e2eCspTrigCbc';
	return {
		name: 'csp: trigger activated, the token expires between two polls and is refreshed once',
		source: cbc,
		activation: true,
		workflows: () => [
			workflow(id, 'e2e: trigger Carbon Black Cloud via CSP', [
				auditLogTriggerNode(TRIGGER, CSP_SOURCE, { filters: {}, options: { includeRaw: false } }),
			]),
		],
		async run(env, t) {
			await env.sim.control.call('POST', '/config', { cbcCspTokenTtlMs: TOKEN_TTL_MS });
			const append = (tags) =>
				env.sim.control.appendEvents('cbc', {
					events: tags.map((tag) => markerOverride(cbc, tag, cbc.plain)),
				});
			const emitted = (execution) =>
				nodeItems(execution.data?.resultData?.runData, TRIGGER).map((i) => i.json);
			try {
				const before = await env.sim.control.stats();
				await env.rest.activate(id);
				await waitFor(async () => hasCursor((await env.rest.workflow(id)).staticData), {
					timeoutMs: 30_000,
					what: 'the activation poll to save its cursor',
				});
				const first = ['e2e-csp-a-0', 'e2e-csp-a-1'];
				await append(first);
				const [one] = await triggerExecutions(env, id, 1, TWO_POLLS_MS);
				const signedIn = await env.sim.control.stats();
				const second = ['e2e-csp-b-0', 'e2e-csp-b-1', 'e2e-csp-b-2'];
				await append(second);
				const [, two] = await triggerExecutions(env, id, 2, TWO_POLLS_MS);
				await env.rest.deactivate(id);
				const after = await env.sim.control.stats();
				t.succeeded(one, 'first reading poll');
				t.equal(markersIn(cbc, emitted(one), 'e2e-csp-'), first, 'it emitted the first batch');
				t.equal(
					delta(before, signedIn),
					{ issued: 1, expired: 0, refused: 0 },
					'signing in once, on its first request',
				);
				t.succeeded(two, 'the poll after the token expired succeeded');
				t.equal(
					markersIn(cbc, emitted(two), 'e2e-csp-'),
					second,
					'it emitted exactly the second batch',
				);
				t.equal(ownItems(cbc, emitted(two), 'e2e-csp-').length, second.length, 'and nothing else');
				t.equal(
					delta(signedIn, after),
					{ issued: 1, expired: 1, refused: 0 },
					'the expired token drew one 401, one new sign-in, and the request was resent',
				);
				const stored = JSON.stringify([one.data ?? {}, two.data ?? {}]);
				t.ok(!stored.includes('sim-csp-at-'), 'no access token in the execution data');
				t.ok(
					!stored.includes(env.sim.credentials.cbc.cspAppSecret),
					'no app secret in the execution data',
				);
			} finally {
				await env.sim.control.call('POST', '/config', { cbcCspTokenTtlMs: 30 * 60_000 });
			}
		},
	};
}

export const cspExecuteCases = () => [executeCase()];
export const cspServerCases = () => [expiringTokenCase()];
