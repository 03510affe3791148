// Case 3: Search (Return All) and Export and Wait run on a worker; the finished execution holds the
// items and the exported files, and the files read back through the main process's API (binary data
// in the database: a worker's filesystem would be out of the main process's reach).
import { recordCount } from '../../lib/files.mjs';
import { auditItemProblems } from '../../lib/checks.mjs';
import { auditLogNode, fanOut, START } from '../../lib/workflows.mjs';
import { itemsOf } from '../lib/ledger.mjs';

const WHOLE_SPAN = { range: '-1w' };
export const SEEDED = 120;

function filesWorkflow(cbc, cortex) {
	return fanOut(undefined, 'queue e2e: search and export on a worker', [
		auditLogNode('Search All', cbc, {
			operation: 'search',
			returnAll: true,
			filters: WHOLE_SPAN,
			options: {},
		}),
		auditLogNode('Export CSV', cbc, {
			operation: 'exportAndWait',
			format: 'csv',
			binaryPropertyName: 'file',
			filters: WHOLE_SPAN,
			options: { pollInterval: 1, maxWait: 60 },
		}),
		auditLogNode('Export NDJSON', cortex, {
			operation: 'exportAndWait',
			format: 'ndjson',
			binaryPropertyName: 'file',
			filters: WHOLE_SPAN,
			options: { pollInterval: 1, maxWait: 60 },
		}),
	]);
}

export async function filesCase({ stack, sources, t, log }) {
	const rest = stack.rest;
	const cbc = sources.carbonBlackCloud;
	const cortex = sources.cortexXdr;
	const id = await rest.createWorkflow(filesWorkflow(cbc, cortex));
	const executionId = await rest.runManually(id, START);
	const execution = await rest.waitForExecution(executionId, 120_000);
	t.equal(execution.status, 'success', 'search and export execution status');
	const worker = await stack.workerOf(executionId);
	t.ok(worker, `execution ${executionId} ran on a worker (no worker log names it)`);
	const searched = itemsOf(execution, 'Search All');
	t.equal(searched.length, SEEDED, 'Search Return All: every seeded event');
	t.none(
		searched.flatMap((j) => auditItemProblems(j, { source: cbc.id })),
		'normalized items',
	);
	const figures = { search: searched.length };
	for (const [node, format] of [
		['Export CSV', 'csv'],
		['Export NDJSON', 'ndjson'],
	]) {
		const runData = execution.data?.resultData?.runData?.[node]?.[0]?.data?.main?.[0]?.[0];
		const binary = runData?.binary?.file;
		if (!t.ok(binary, `${node}: the execution holds a binary file`)) continue;
		t.ok(/^database:/.test(binary.id ?? ''), `${node}: stored in the database (id ${binary.id})`);
		const bytes = await rest.binaryData(binary);
		const count = recordCount(bytes.toString('utf8'), format);
		t.equal(count, SEEDED, `${node}: records in the file read back through the API`);
		t.equal(runData.json.eventCount, SEEDED, `${node}: summary event count`);
		figures[node] = `${count} records, ${bytes.length} bytes`;
	}
	log(`execution ${executionId} on ${worker?.name ?? '?'}: ${JSON.stringify(figures)}`);
	return { appended: 0, emitted: searched.length, duplicated: 0 };
}
