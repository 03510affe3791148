// Headless cases: one workflow per source × operation and the schedule-started examples, run with `n8n execute`.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
	auditItemProblems,
	idProblems,
	markerOverride,
	markersIn,
	orderProblems,
} from '../lib/checks.mjs';
import { loadExamples, rewriteExample } from '../lib/examples.mjs';
import { binaryContent, recordCount } from '../lib/files.mjs';
import { executeOk, nodeItems } from '../lib/n8n.mjs';
import { routeCount } from '../lib/simulator.mjs';
import { E2E_SOURCES, sourceById } from '../lib/sources.mjs';
import { auditLogNode, fanOut, manualTrigger, START, workflow } from '../lib/workflows.mjs';

/** Covers the simulator's seeded span (4 days): a search over it must return every event. */
const WHOLE_SPAN = { range: '-1w' };
const SAMPLE = 7;

function searchWorkflow(source) {
	return fanOut(`e2eSearch${source.short}`, `e2e: search ${source.label}`, [
		auditLogNode('Search All', source, {
			operation: 'search',
			returnAll: true,
			filters: WHOLE_SPAN,
			options: {},
		}),
		auditLogNode('Newest as OCSF', source, {
			operation: 'search',
			returnAll: false,
			limit: SAMPLE,
			filters: WHOLE_SPAN,
			options: { outputFormat: 'ocsf', includeRaw: false },
		}),
	]);
}

function exportWorkflow(source) {
	return fanOut(`e2eExport${source.short}`, `e2e: export ${source.label}`, [
		auditLogNode('Export', source, {
			operation: 'exportAndWait',
			format: source.exportFormat,
			binaryPropertyName: 'file',
			filters: WHOLE_SPAN,
			options: { pollInterval: 1, maxWait: 60 },
		}),
	]);
}

function queueWorkflow(source) {
	return fanOut(`e2eQueue${source.short}`, `e2e: fetch queue ${source.label}`, [
		auditLogNode('Fetch Queue', source, { operation: 'fetchQueue', returnAll: true, options: {} }),
	]);
}

const PANGEA_LOG_PARAMETERS = {
	operation: 'log',
	logMessage: "={{ '[' + $json.source + '] ' + $json.description }}",
	logEventFields: {
		actor: "={{ $json.actor.name ?? 'unknown' }}",
		action: "={{ $json.action ?? 'audit' }}",
		status: '={{ $json.outcome }}',
		timestamp: '={{ $json.time }}',
	},
	logOptions: { verbose: true },
};

function logWorkflow(pangea, reader) {
	return workflow(
		'e2eLogPangea',
		'e2e: log Carbon Black events into Pangea',
		[
			manualTrigger(),
			auditLogNode('Read Carbon Black', reader, {
				operation: 'search',
				returnAll: false,
				limit: 5,
				filters: WHOLE_SPAN,
				options: {},
			}),
			auditLogNode('Log to Pangea', pangea, PANGEA_LOG_PARAMETERS),
		],
		[
			[START, 'Read Carbon Black'],
			['Read Carbon Black', 'Log to Pangea'],
		],
	);
}

const json = (items) => items.map((i) => i.json);

function parseOrNull(text) {
	try {
		return JSON.parse(text);
	} catch {
		return null;
	}
}

function searchCase(source) {
	return {
		name: `search: ${source.label}`,
		source,
		workflows: () => [searchWorkflow(source)],
		async run(env, t) {
			const before = await env.sim.control.stats();
			const runData = await executeOk(env, `e2eSearch${source.short}`);
			const all = json(nodeItems(runData, 'Search All'));
			t.equal(
				all.length,
				before.data[source.vendor].events,
				'Return All over the whole span returns every event the vendor holds',
			);
			t.none(
				all.flatMap((j) => auditItemProblems(j, { source: source.id })),
				'normalized items',
			);
			t.none(idProblems(all, source), 'ids');
			t.none(orderProblems(all, 'desc'), 'default order newest first');
			const ocsf = json(nodeItems(runData, 'Newest as OCSF'));
			t.equal(ocsf.length, SAMPLE, 'Limit returns exactly that many');
			t.ok(
				ocsf.every((j) => Number.isInteger(j.class_uid) && j.metadata?.product),
				'OCSF items carry class_uid and metadata.product',
			);
			t.equal(
				ocsf.map((j) => j.time),
				all.slice(0, SAMPLE).map((j) => Date.parse(j.time)),
				'the limited OCSF search holds the newest events (OCSF time in epoch ms)',
			);
		},
	};
}

function exportCase(source) {
	return {
		name: `export and wait (${source.exportFormat}): ${source.label}`,
		source,
		workflows: () => [exportWorkflow(source)],
		async run(env, t) {
			const before = await env.sim.control.stats();
			const runData = await executeOk(env, `e2eExport${source.short}`);
			const [item] = nodeItems(runData, 'Export');
			const expected = before.data[source.vendor].events;
			t.ok(item?.binary?.file, 'the file is in binary field "file"');
			t.equal(item?.json?.eventCount, expected, 'summary eventCount');
			t.equal(item?.json?.format, source.exportFormat, 'summary format');
			if (source.nativeExport)
				t.equal(item?.json?.exportedBy, 'vendor', 'exported by the vendor job');
			if (item?.binary?.file) {
				const text = (await binaryContent(item.binary.file, env.n8n.userFolder)).toString('utf8');
				t.equal(recordCount(text, source.exportFormat), expected, 'records in the file');
			}
			const after = await env.sim.control.stats();
			if (source.nativeExport) {
				t.ok(
					routeCount(after, '/presigned/') > routeCount(before, '/presigned/'),
					'the file came from the pre-signed URL',
				);
			}
		},
	};
}

function queueCase(source) {
	return {
		name: `fetch queue (${source.nativeQueue ? 'vendor queue' : 'cursor'}): ${source.label}`,
		source,
		workflows: () => [queueWorkflow(source)],
		async run(env, t) {
			const id = `e2eQueue${source.short}`;
			const before = await env.sim.control.stats();
			const first = json(nodeItems(await executeOk(env, id), 'Fetch Queue'));
			t.ok(first.length > 0, 'the first run returns events');
			if (!source.nativeQueue)
				t.equal(
					first.length,
					before.data[source.vendor].events,
					'a first cursor run returns every event',
				);
			t.none(
				first.flatMap((j) => auditItemProblems(j, { source: source.id })),
				'normalized items',
			);
			t.none(idProblems(first, source), 'ids');
			t.none(orderProblems(first, 'asc'), 'oldest first');
			const middle = await env.sim.control.stats();
			if (source.nativeQueue)
				t.equal(
					Object.values(middle.data.cbc.queues),
					[0],
					'Return All drains the queue of the key',
				);
			const tag = `e2e-queue-${source.vendor}-`;
			const tags = [1, 2, 3].map((n) => `${tag}${n}`);
			await env.sim.control.appendEvents(source.vendor, {
				events: tags.map((m) => markerOverride(source, m)),
			});
			const second = json(nodeItems(await executeOk(env, id), 'Fetch Queue'));
			t.equal(
				markersIn(source, second, tag),
				tags,
				'the second run returns the events added in between, oldest first',
			);
			t.equal(second.length, tags.length, 'and nothing else');
			const seen = new Set(first.map((j) => j.id));
			t.ok(
				second.every((j) => !seen.has(j.id)),
				'no event of the first run again',
			);
		},
	};
}

function logCase(pangea) {
	return {
		name: 'log: Pangea (Carbon Black events in, hashes out)',
		source: pangea,
		extraSources: ['carbonBlackCloud'],
		workflows: () => [logWorkflow(pangea, sourceById('carbonBlackCloud'))],
		async run(env, t) {
			const before = await env.sim.control.stats();
			const runData = await executeOk(env, 'e2eLogPangea');
			const input = json(nodeItems(runData, 'Read Carbon Black'));
			const logged = json(nodeItems(runData, 'Log to Pangea'));
			t.equal(logged.length, input.length, 'one output item per input item');
			t.ok(
				logged.every((j) => /^[0-9a-f]{64}$/.test(j.hash ?? '')),
				'every item has a SHA-256 hash',
			);
			t.equal(
				logged.map((j) => j.envelope?.event?.message),
				input.map((j) => `[carbonBlackCloud] ${j.description}`),
				'the envelopes hold the messages, in input order',
			);
			const after = await env.sim.control.stats();
			t.equal(
				after.data.pangea.events - before.data.pangea.events,
				input.length,
				'Pangea stored that many events',
			);
		},
	};
}

async function exampleCases(env) {
	const examples = Object.fromEntries(
		(await loadExamples()).map((e) => [e.workflow.id, e.workflow]),
	);
	const local = (id) =>
		rewriteExample(examples[id], {
			simUrl: env.sim.url,
			filesDir: env.n8n.filesDir,
			manualStart: true,
		});
	return [
		{
			name: 'example: every hour, new Cisco events (Fetch Queue) → Splunk HEC',
			source: sourceById('ciscoSecureEndpoint'),
			workflows: () => [local('auditHourlySiem')],
			async run(env, t) {
				const cisco = sourceById('ciscoSecureEndpoint');
				// The first run sets the node's cursor (where it starts is Fetch Queue's own choice);
				// the next run must return exactly what arrived in between, each once.
				const first = await executeOk(env, 'auditHourlySiem');
				const firstIds = new Set(json(nodeItems(first, 'New Events Since Last Run')).map((j) => j.id));
				const tags = [1, 2, 3, 4].map((n) => `e2e-splunk-${n}`);
				await env.sim.control.appendEvents('cisco', {
					events: tags.map((m) => markerOverride(cisco, m)),
				});
				const hooksBefore = (await env.sim.control.webhook('splunk')).count;
				const runData = await executeOk(env, 'auditHourlySiem');
				const items = json(nodeItems(runData, 'New Events Since Last Run'));
				t.equal(markersIn(cisco, items, 'e2e-splunk-'), tags, 'the next run returns the events added, oldest first');
				t.equal(items.length, tags.length, 'and nothing else');
				t.ok(items.every((j) => !firstIds.has(j.id)), 'no event of the first run again');
				const hook = await env.sim.control.webhook('splunk');
				t.equal(hook.count - hooksBefore, 1, 'one HEC request per run');
				const sent = hook.items.at(-1);
				t.equal(
					sent?.authorization,
					'Splunk 00000000-0000-0000-0000-000000000000',
					'HEC token header',
				);
				const raw = String(sent?.raw ?? '');
				const lines = raw.split('\n').map((line) => parseOrNull(line));
				const excerpt = `(body starts ${JSON.stringify(raw.slice(0, 80))})`;
				t.equal(
					lines.map((l) => l?.event?.id ?? null),
					items.map((j) => j.id),
					`one HEC event per audit item, same ids, same order ${excerpt}`,
				);
				t.ok(
					lines.every(
						(l) => l?.sourcetype === 'audit:ciscoSecureEndpoint' && typeof l.time === 'number',
					),
					'HEC envelope fields',
				);
			},
		},
		{
			name: 'example: nightly Carbon Black export → file on disk',
			source: sourceById('carbonBlackCloud'),
			workflows: () => [local('auditNightly')],
			async run(env, t) {
				const cbc = sourceById('carbonBlackCloud');
				const tags = [1, 2, 3].map((n) => `e2e-nightly-${n}`);
				await env.sim.control.appendEvents('cbc', {
					events: tags.map((m) => markerOverride(cbc, m)),
				});
				const before = await env.sim.control.stats();
				const runData = await executeOk(env, 'auditNightly');
				const [summary] = json(nodeItems(runData, 'Export Last Day'));
				t.ok(summary?.eventCount >= tags.length, 'the export holds at least the events just added');
				t.equal(summary?.exportedBy, 'vendor', 'exported by the Carbon Black job');
				const path = join(env.n8n.filesDir, summary?.fileName ?? 'missing');
				const text = await readFile(path, 'utf8').catch(() => null);
				if (t.ok(text !== null, `the file ${path} was written`)) {
					t.equal(recordCount(text, 'csv'), summary.eventCount, 'rows in the written file');
					t.ok(
						tags.every((m) => text.includes(m)),
						'the file holds the events just added',
					);
				}
				const after = await env.sim.control.stats();
				t.ok(
					routeCount(after, '/presigned/') > routeCount(before, '/presigned/'),
					'downloaded from the pre-signed URL',
				);
			},
		},
	];
}

/** Every headless case, in the order they run (each source's queue case last: it adds events). */
export async function executeCases(env) {
	const perSource = E2E_SOURCES.flatMap((source) => [
		searchCase(source),
		exportCase(source),
		queueCase(source),
		...(source.log ? [logCase(source)] : []),
	]);
	return [...perSource, ...(await exampleCases(env))];
}
