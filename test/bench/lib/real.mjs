// The benchmark in a real n8n (the e2e harness's pinned n8n and its helpers): `n8n execute` of the
// package's searches and export, of the HTTP Request node workflows a user would build instead, and
// of an empty workflow (n8n's own start-up), with the n8n process's peak RSS.
import { createReadStream, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import { N8nInstance, nodeItems, runError } from '../../e2e/lib/n8n.mjs';
import { freePort, startProcess } from '../../e2e/lib/proc.mjs';
import { simulatorCredentials } from '../../e2e/lib/sources.mjs';
import { auditLogNode, manualTrigger, START, workflow } from '../../e2e/lib/workflows.mjs';
import { SIM_CREDENTIALS } from '../../simulator/server.mjs';
import { SEARCH_ALL, searchAll, sourceByVendor } from './inprocess.mjs';

/** A user's generic HTTP credentials for the four vendors (Cortex: its Standard key). */
function httpCredentials() {
	const c = SIM_CREDENTIALS;
	return [
		{
			id: 'benchHttpCbc0001',
			name: 'CBC header',
			type: 'httpHeaderAuth',
			data: { name: 'X-Auth-Token', value: `${c.cbc.apiSecretKey}/${c.cbc.apiId}` },
		},
		{
			id: 'benchHttpCortex1',
			name: 'Cortex headers',
			type: 'httpCustomAuth',
			data: {
				json: JSON.stringify({
					headers: { Authorization: c.cortex.apiKey, 'x-xdr-auth-id': c.cortex.apiKeyId },
				}),
			},
		},
		{
			id: 'benchHttpCisco01',
			name: 'Cisco basic',
			type: 'httpBasicAuth',
			data: { user: c.cisco.clientId, password: c.cisco.apiKey },
		},
		{
			id: 'benchHttpPangea1',
			name: 'Pangea bearer',
			type: 'httpBearerAuth',
			data: { token: c.pangea.token },
		},
	];
}

function httpNode(name, { url, method = 'POST', credential, jsonBody, pagination }) {
	const [type, id, credName] = credential;
	return {
		id: `00000000-0000-4000-9000-${name.replace(/\W/g, '').slice(0, 12).padStart(12, '0')}`,
		name,
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		position: [0, 0],
		parameters: {
			method,
			url,
			authentication: 'genericCredentialType',
			genericAuthType: type,
			...(jsonBody ? { sendBody: true, specifyBody: 'json', jsonBody } : {}),
			options: pagination ? { pagination: { pagination } } : {},
		},
		credentials: { [type]: { id, name: credName } },
	};
}

const splitOut = (field) => ({
	id: `00000000-0000-4000-9100-${field.replace(/\W/g, '').slice(0, 12).padStart(12, '0')}`,
	name: 'Split Out',
	type: 'n8n-nodes-base.splitOut',
	typeVersion: 1,
	position: [0, 0],
	parameters: { fieldToSplitOut: field },
});

/** "Update a parameter in each request" of the HTTP Request node: one body field per page. */
const byParameter = (name, value, complete, extra = {}) => ({
	paginationMode: 'updateAParameterInEachRequest',
	parameters: { parameters: [{ type: 'body', name, value }] },
	paginationCompleteWhen: 'other',
	completeExpression: complete,
	...extra,
});

/**
 * The HTTP Request node workflows, one per vendor, as a user would build them. CBC's search
 * pages by `start` only inside its 10,000-record window, so it reads (and ours is compared on)
 * 10,000 events; Cortex gets the 100 ms interval its 10 requests per second need.
 */
export function httpWorkflows(sim, cbcEvents) {
	const cred = Object.fromEntries(httpCredentials().map((c) => [c.type, [c.type, c.id, c.name]]));
	const cbcPages = Math.min(10, Math.ceil(cbcEvents / 1000));
	const flows = {
		cbc: [
			httpNode('HTTP Request', {
				url: `${sim.urls.cbc}/audit_log/v1/orgs/${SIM_CREDENTIALS.cbc.orgKey}/logs/_search`,
				credential: cred.httpHeaderAuth,
				jsonBody: '{"criteria": {"create_time": {"range": "-1w"}}, "rows": 1000, "start": 0}',
				pagination: byParameter(
					'start',
					'={{ $pageCount * 1000 }}',
					'={{ $response.body.results.length < 1000 }}',
					{
						limitPagesFetched: true,
						maxRequests: cbcPages,
					},
				),
			}),
			splitOut('results'),
		],
		cortex: [
			httpNode('HTTP Request', {
				url: `${sim.urls.cortex}/public_api/v1/audits/management_logs`,
				credential: cred.httpCustomAuth,
				jsonBody: '{"request_data": {"search_from": 0, "search_to": 100}}',
				pagination: byParameter(
					'request_data',
					'={{ { "search_from": $pageCount * 100, "search_to": $pageCount * 100 + 100 } }}',
					'={{ $response.body.reply.data.length < 100 }}',
					{ requestInterval: 100 },
				),
			}),
			splitOut('reply.data'),
		],
		cisco: [
			httpNode('HTTP Request', {
				method: 'GET',
				url: `${sim.urls.cisco}/v1/audit_logs?limit=500`,
				credential: cred.httpBasicAuth,
				pagination: {
					paginationMode: 'responseContainsNextURL',
					nextURL: '={{ $response.body.metadata.links.next }}',
					paginationCompleteWhen: 'other',
					completeExpression: '={{ !$response.body.metadata.links.next }}',
				},
			}),
			splitOut('data'),
		],
		pangea: [
			httpNode('Pangea Search', {
				url: `${sim.urls.pangea}/v1/search`,
				credential: cred.httpBearerAuth,
				jsonBody: '{"query": "", "start": "7d", "limit": 1, "max_results": 10000}',
			}),
			httpNode('HTTP Request', {
				url: `${sim.urls.pangea}/v1/results`,
				credential: cred.httpBearerAuth,
				jsonBody: '={{ { "id": $json.result.id, "limit": 1000, "offset": 0 } }}',
				pagination: byParameter(
					'offset',
					'={{ $pageCount * 1000 }}',
					'={{ $response.body.result.events.length < 1000 }}',
				),
			}),
			splitOut('result.events'),
		],
	};
	return Object.fromEntries(
		Object.entries(flows).map(([vendor, nodes]) => [
			vendor,
			chain(
				`benchHttp${sourceByVendor(vendor).short}`,
				`Bench: HTTP Request node, ${vendor}`,
				nodes,
			),
		]),
	);
}

/** Start → nodes[0] → nodes[1] → … */
function chain(id, name, nodes) {
	const names = [START, ...nodes.map((n) => n.name)];
	return workflow(
		id,
		name,
		[manualTrigger(), ...nodes],
		names.slice(1).map((to, i) => [names[i], to]),
	);
}

/** The package's workflows: Return All per vendor, CBC's first 10,000 (the HTTP node's reach), the export. */
export function oursWorkflows() {
	const flows = {};
	for (const vendor of ['cbc', 'cortex', 'cisco', 'pangea']) {
		const source = sourceByVendor(vendor);
		flows[vendor] = chain(`benchOurs${source.short}`, `Bench: Search Return All, ${vendor}`, [
			auditLogNode('Search', source, searchAll(vendor)),
		]);
	}
	const cbc = sourceByVendor('cbc');
	flows.cbc10k = chain('benchOursCbc10k', 'Bench: Search 10,000, cbc', [
		auditLogNode('Search', cbc, { ...SEARCH_ALL, returnAll: false, limit: 10_000 }),
	]);
	flows.export = chain('benchExportCsv', 'Bench: Export and Wait, cbc, CSV', [
		auditLogNode('Export', cbc, {
			operation: 'exportAndWait',
			format: 'csv',
			filters: SEARCH_ALL.filters,
			options: { pollInterval: 1 },
		}),
	]);
	flows.empty = workflow('benchEmpty', 'Bench: empty (n8n start-up)', [manualTrigger()]);
	return flows;
}

/** A fresh n8n user folder with the packed package, the credentials and every bench workflow. */
export async function prepareN8n({ n8nHome, tarball, dir, sim, workflows }) {
	await mkdir(dir, { recursive: true });
	const n8n = new N8nInstance({
		bin: join(n8nHome, 'node_modules', '.bin', 'n8n'),
		home: n8nHome,
		userFolder: join(dir, 'user'),
		filesDir: join(dir, 'files'),
		port: await freePort(),
		brokerPort: await freePort(),
		logFile: join(dir, 'n8n.log'),
	});
	await n8n.installPackage(tarball);
	await n8n.importCredentials([...simulatorCredentials(sim), ...httpCredentials()]);
	await n8n.importWorkflows(workflows);
	return n8n;
}

/** Resident set of a process, in MB: current (VmRSS) and peak (VmHWM); null once it is gone. */
function memoryOf(pid) {
	try {
		const status = readFileSync(`/proc/${pid}/status`, 'utf8');
		const kb = (key) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
		return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
	} catch {
		return null;
	}
}

/** Children of a process (the task runner), from /proc/<pid>/task/<pid>/children. */
function childrenOf(pid) {
	try {
		return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
			.trim()
			.split(/\s+/)
			.filter(Boolean)
			.map(Number);
	} catch {
		return [];
	}
}

/**
 * Reads what `n8n execute --rawOutput` printed (the run, pretty-printed) line by line, without
 * holding it: each node's `executionTime` and item count, and the run's status. A run of 100,000
 * items prints hundreds of MB.
 */
async function scanRun(file) {
	const nodes = {};
	let current = null;
	let status = null;
	let error = null;
	const fields = {};
	const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
	for await (const line of lines) {
		let m;
		if ((m = /^ {8}"(.+)": \[$/.exec(line))) current = nodes[m[1]] = { ms: 0, items: 0 };
		else if (current && (m = /^ {12}"executionTime": (\d+)/.exec(line))) current.ms = Number(m[1]);
		else if (current && /^ {20}"json": \{/.test(line)) current.items++;
		else if ((m = /^ {2}"status": "(\w+)"/.exec(line))) status = m[1];
		else if (!error && /^ {6}"error": \{/.test(line)) error = 'the run recorded an error';
		else if ((m = /"(fileSize|eventCount)": (\d+)/.exec(line))) fields[m[1]] ??= Number(m[2]);
	}
	return { nodes, status, error, fields };
}

/**
 * `n8n execute --id` of one workflow: wall time, each node's own execution time and items, and
 * the peak RSS of the n8n process (VmHWM, sampled until it exits) and of its process tree.
 * With `cpuProfDir` (--cpu-prof) every Node process of the run writes a V8 profile there.
 */
export async function executeWorkflow(n8n, id, outFile, { timeoutMs = 900_000, cpuProfDir } = {}) {
	const started = performance.now();
	const env = cpuProfDir
		? {
				...n8n.env,
				NODE_OPTIONS:
					`${n8n.env.NODE_OPTIONS ?? ''} --cpu-prof --cpu-prof-dir=${cpuProfDir}`.trim(),
			}
		: n8n.env;
	const child = startProcess(n8n.bin, ['execute', `--id=${id}`, '--rawOutput'], {
		env,
		logFile: outFile,
	});
	let peakMb = 0;
	let treeMb = 0;
	const sample = () => {
		const main = memoryOf(child.pid);
		if (!main) return;
		peakMb = Math.max(peakMb, main.hwm);
		const tree = [child.pid, ...childrenOf(child.pid)].map(memoryOf).filter(Boolean);
		treeMb = Math.max(
			treeMb,
			tree.reduce((sum, m) => sum + m.rss, 0),
		);
	};
	const sampler = setInterval(sample, 50);
	const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
	const { code, signal } = await child.exitPromise;
	clearInterval(sampler);
	clearTimeout(timer);
	const wallMs = performance.now() - started;
	const run = await scanRun(outFile);
	// The run as n8n printed it decides: n8n has been seen to end by a signal after printing a
	// finished, successful run (its task runner's shutdown); a non-zero exit code still fails.
	if ((code !== 0 && code !== null) || run.status !== 'success' || run.error)
		throw new Error(
			`n8n execute ${id}: exit ${code ?? signal}, status ${run.status}${run.error ? `, ${run.error}` : ''}; see ${outFile}`,
		);
	return { wallMs, peakMb, treeMb, nodes: run.nodes, fields: run.fields };
}

/**
 * One manual run ("Execute workflow" in the editor) in a running n8n, through its REST API:
 * each node's own execution time and first-output item count, and the run's time as n8n
 * recorded it (started to stopped). The process stays up between runs, so its code is compiled
 * already: what a workflow on a schedule meets, unlike a cold `n8n execute`.
 */
export async function runInRunningN8n(rest, id, { timeoutMs = 300_000 } = {}) {
	const executionId = await rest.runManually(id, START);
	const execution = await rest.waitForExecution(executionId, timeoutMs);
	const error = runError(execution);
	if (execution.status !== 'success' || error)
		throw new Error(
			`running n8n: execution ${executionId} of ${id} ended ${execution.status}${error ? `: ${error}` : ''}`,
		);
	const runData = execution.data.resultData.runData;
	const nodes = {};
	for (const name of Object.keys(runData))
		nodes[name] = {
			ms: runData[name][0].executionTime ?? 0,
			items: nodeItems(runData, name).length,
		};
	const runMs = Date.parse(execution.stoppedAt) - Date.parse(execution.startedAt);
	return { nodes, runMs };
}
