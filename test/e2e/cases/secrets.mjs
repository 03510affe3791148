// Secrets in a real n8n: each source run with a credential whose secret is wrong but distinctive;
// the execution record read back through n8n's REST API (and n8n's log) must hold no form of it.
import { readFile } from 'node:fs/promises';
import { E2E_SOURCES } from '../lib/sources.mjs';
import { auditLogNode, manualTrigger, START, workflow } from '../lib/workflows.mjs';

/** The credential field holding each source's secret. */
const SECRET_FIELD = {
	carbonBlackCloud: 'apiSecretKey',
	cortexXdr: 'apiKey',
	ciscoSecureEndpoint: 'apiKey',
	pangea: 'token',
};

/** A copy of `source` whose credential carries a wrong, distinctive secret. */
function hostileSource(source) {
	const secret = `e2eDummySecret${source.short}Zq7Xw31Lp0`;
	return {
		...source,
		secret,
		label: `${source.label} wrong secret`,
		credentialId: `e2eSecret${source.short}`.padEnd(16, '0').slice(0, 16),
		credential: (sim) => ({ ...source.credential(sim), [SECRET_FIELD[source.id]]: secret }),
	};
}

/** Each secret as is, URL-encoded, in base64, and inside any Basic pair of the credential. */
function secretForms(source, sim) {
	const { secret } = source;
	const forms = [secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64')];
	for (const other of Object.values(source.credential(sim))) {
		if (typeof other === 'string' && other !== secret) forms.push(Buffer.from(`${other}:${secret}`).toString('base64'));
	}
	return forms;
}

function secretCase(base) {
	const source = hostileSource(base);
	const id = `e2eSecret${source.short}`;
	return {
		name: `secrets: ${base.label} with a wrong key leaves no trace of it in the execution`,
		source: base,
		credentials: (sim) => [
			{ id: source.credentialId, name: `${source.label} (simulator)`, type: source.credentialType, data: source.credential(sim) },
		],
		workflows: () => [
			workflow(id, `e2e: ${source.label}`, [
				manualTrigger(),
				auditLogNode('Search', source, { operation: 'search', returnAll: false, limit: 5, filters: { range: '-1d' }, options: {} }),
			], [[START, 'Search']]),
		],
		async run(env, t) {
			const executionId = await env.rest.runManually(id, START);
			const execution = await env.rest.waitForExecution(executionId);
			t.equal(execution.status, 'error', 'the run with a wrong key failed');
			const record = await env.rest.request('GET', `/executions/${executionId}`);
			const log = await readFile(env.n8n.logFile, 'utf8').catch(() => '');
			const outputs = [
				['execution record', JSON.stringify(record)],
				['execution data', JSON.stringify(execution)],
				['n8n log', log],
			];
			const leaks = [];
			for (const [where, text] of outputs) {
				for (const form of secretForms(source, env.sim)) if (text.includes(form)) leaks.push(`${where} holds ${form}`);
			}
			t.none(leaks, 'secret found');
			env.log(`secrets: ${leaks.length} leaks in ${outputs.length} outputs (${base.label}, execution ${executionId})`);
		},
	};
}

export async function secretCases() {
	return E2E_SOURCES.map(secretCase);
}
