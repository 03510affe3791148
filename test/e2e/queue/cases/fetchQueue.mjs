// Case 4: Fetch Queue on a schedule with two workers. The Schedule Trigger lives on the main process
// and enqueues a run every few seconds; any worker takes it. Carbon Black Cloud is read through its
// read-once queue (per API key); Cortex XDR, Cisco Secure Endpoint and Pangea through the node's
// cursor queue. n8n 2.41 starts every worker execution with empty static data, so after the first
// run that cursor lives in n8n's deduplication store (nodes/shared/ledger.ts), which this case
// proves across workers. Every seeded and appended event must reach exactly one successful run, and
// the CBC queue must end drained with every event it handed out inside a successful execution.
import { setTimeout as delay } from 'node:timers/promises';
import { markerOf } from '../../lib/checks.mjs';
import { waitFor } from '../../lib/proc.mjs';
import { auditLogNode, workflow } from '../../lib/workflows.mjs';
import { Appended, itemsOf, tally } from '../lib/ledger.mjs';
import { everySeconds } from '../lib/nodes.mjs';

export const SEEDED = 100;
const EVERY_SECONDS = 3;
const APPEND_EVERY_MS = 4000;
const FINISHED = new Set(['success', 'error', 'crashed', 'canceled']);

function queueWorkflow(source) {
	return workflow(
		undefined,
		`queue e2e: Fetch Queue ${source.label} every ${EVERY_SECONDS} s`,
		[
			everySeconds('Schedule', EVERY_SECONDS),
			auditLogNode('Fetch Queue', source, {
				operation: 'fetchQueue',
				returnAll: true,
				options: {},
			}),
		],
		[['Schedule', 'Fetch Queue']],
	);
}

function overlaps(executions) {
	let count = 0;
	const spans = executions
		.filter((e) => e.startedAt && e.stoppedAt)
		.map((e) => [Date.parse(e.startedAt), Date.parse(e.stoppedAt)]);
	for (let i = 0; i < spans.length; i++)
		for (let j = i + 1; j < spans.length; j++)
			if (spans[i][0] < spans[j][1] && spans[j][0] < spans[i][1]) count++;
	return count;
}

export async function fetchQueueCase({ stack, sim, sources, t, log, activeMs }) {
	const rest = stack.rest;
	const readers = [
		sources.carbonBlackCloud,
		sources.cortexXdr,
		sources.ciscoSecureEndpoint,
		sources.pangea,
	];
	const flows = [];
	for (const source of readers) {
		const id = await rest.createWorkflow(queueWorkflow(source));
		flows.push({ id, source, appended: new Appended(source, `qm-fq-${source.short}`) });
	}
	await Promise.all(flows.map((f) => rest.activate(f.id)));
	const until = Date.now() + activeMs;
	while (Date.now() < until) {
		await Promise.all(flows.map((f) => f.appended.append(sim, 2)));
		await delay(APPEND_EVERY_MS);
	}
	// Let a few more scheduled runs take what was appended last, then stop the schedule.
	await delay(EVERY_SECONDS * 3000);
	await Promise.all(flows.map((f) => rest.deactivate(f.id)));
	await waitFor(
		async () => {
			for (const f of flows)
				for (const e of await rest.allExecutions(f.id)) if (!FINISHED.has(e.status)) return false;
			return true;
		},
		{ timeoutMs: 120_000, intervalMs: 1000, what: 'every scheduled Fetch Queue run to finish' },
	);
	const results = [];
	for (const f of flows) {
		const list = await rest.allExecutions(f.id);
		const full = [];
		for (const e of list) full.push(await rest.execution(e.id));
		const ok = full.filter((e) => e.status === 'success');
		t.none(
			full.filter((e) => e.status !== 'success').map((e) => `${e.id} ${e.status}`),
			`${f.source.label}: scheduled runs that did not succeed`,
		);
		const items = ok.flatMap((e) => itemsOf(e, 'Fetch Queue'));
		const seeded = items.filter((j) => !String(markerOf(f.source, j)).startsWith('qm-fq-'));
		const tagged = items.filter((j) => String(markerOf(f.source, j)).startsWith('qm-fq-'));
		const counted = tally(f.source, f.appended, tagged, { ordered: false });
		for (const p of counted.problems) t.ok(false, `${f.source.label}: ${p}`);
		t.equal(seeded.length, SEEDED, `${f.source.label}: seeded events delivered (each once)`);
		const workers = new Set();
		for (const e of full) workers.add((await stack.workerOf(e.id))?.name ?? '?');
		const figures = {
			...counted.figures,
			duplicated: counted.figures.duplicated + Math.max(0, seeded.length - SEEDED),
		};
		const perRun = ok.map((e) => itemsOf(e, 'Fetch Queue').length);
		log(
			`${f.source.label}: items per run ${perRun.join(' ')}; ${full.length} runs (${ok.length} ok) on ${[...workers].sort().join(', ')}, ` +
				`${overlaps(full)} overlapping pair(s); appended ${figures.appended} + seeded ${SEEDED}, ` +
				`emitted ${figures.emitted} + ${seeded.length}, duplicated ${figures.duplicated}`,
		);
		t.ok(
			workers.size >= 2 && !workers.has('?'),
			`${f.source.label}: runs spread over both workers (${[...workers].join(', ')})`,
		);
		results.push({ source: f.source, figures });
	}
	const queues = (await sim.control.stats()).data?.cbc?.queues ?? {};
	t.ok(
		Object.values(queues).length > 0 && Object.values(queues).every((left) => left === 0),
		`the CBC queue ends drained (left: ${JSON.stringify(queues)})`,
	);
	return results;
}
