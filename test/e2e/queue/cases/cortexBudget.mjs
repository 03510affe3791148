// Case 5: Cortex XDR allows 10 requests per second for the whole tenant. Each run keeps its own
// budget (Options > Requests per Second); n8n gives a node nothing shared across workers to hold a
// tenant-wide one, so the setting that holds the limit is the split: Requests per Second x the runs
// that can read the tenant at once <= 10. Two runs at once on two workers at 5 each: no 429.
// A control pair at 10 each shows that the simulator does answer 429 when the split is not kept.
import { auditLogNode, fanOut, START } from '../../lib/workflows.mjs';
import { itemsOf } from '../lib/ledger.mjs';

export const CORTEX_EVENTS = 2500;

function readerWorkflow(cortex, name, requestsPerSecond) {
	return fanOut(undefined, name, [
		auditLogNode('Read Tenant', cortex, {
			operation: 'search',
			returnAll: true,
			filters: { range: '-1w' },
			options: { includeRaw: false, requestsPerSecond },
		}),
	]);
}

const rateLimited = (stats) =>
	stats.violations.filter((v) => v.vendor === 'cortex' && v.kind === 'rate-limit-exceeded').length;

/** Two manual runs (offloaded to the workers) started together; resolves with them and the 429s. */
async function readTogether({ stack, sim, cortex }, requestsPerSecond, label) {
	const rest = stack.rest;
	const ids = [];
	for (const n of [1, 2])
		ids.push(
			await rest.createWorkflow(
				readerWorkflow(cortex, `queue e2e: Cortex reader ${n} (${label})`, requestsPerSecond),
			),
		);
	const before = rateLimited(await sim.control.stats());
	const started = Date.now();
	const executionIds = await Promise.all(ids.map((id) => rest.runManually(id, START)));
	const executions = await Promise.all(executionIds.map((e) => rest.waitForExecution(e, 180_000)));
	const workers = await Promise.all(executionIds.map((e) => stack.workerOf(e)));
	const after = rateLimited(await sim.control.stats());
	return { executionIds, executions, workers, tooMany: after - before, ms: Date.now() - started };
}

export async function cortexBudgetCase({ stack, sim, sources, t, log }) {
	const cortex = sources.cortexXdr;
	const split = await readTogether({ stack, sim, cortex }, 5, 'split 5 + 5');
	const counts = split.executions.map((e) => itemsOf(e, 'Read Tenant').length);
	split.executions.forEach((e, i) => t.equal(e.status, 'success', `reader ${i + 1} status`));
	t.equal(counts, [CORTEX_EVENTS, CORTEX_EVENTS], 'each reader read the whole tenant');
	const names = split.workers.map((w) => w?.name ?? '?');
	t.ok(
		names[0] !== names[1] && !names.includes('?'),
		`the two readers ran on two workers (${names.join(', ')})`,
	);
	t.equal(
		split.tooMany,
		0,
		'429s answered by the tenant while two workers read at 5 requests/s each',
	);
	const violations = (await sim.control.stats()).violations;
	t.none(
		violations.map((v) => JSON.stringify(v)),
		'simulator recorded contract violations during the split run',
	);
	log(
		`split 5+5 on ${names.join(' and ')}: ${counts.join(' + ')} events in ${(split.ms / 1000).toFixed(1)} s, ${split.tooMany} × 429`,
	);

	const control = await readTogether({ stack, sim, cortex }, 10, 'control 10 + 10');
	log(
		`control 10+10: ${control.tooMany} × 429 answered (retried by the transport), statuses ${control.executions.map((e) => e.status).join(', ')}`,
	);
	// The control's 429s are the point of the control, not a package fault: do not count them.
	await sim.control.reset('stats');
	return {
		figures: { appended: 0, emitted: counts[0] + counts[1], duplicated: 0 },
		control: control.tooMany,
	};
}
