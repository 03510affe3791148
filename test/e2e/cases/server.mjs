// Trigger cases on `n8n start`: manual "fetch test event" over the REST API, and activation for two polls.
import { createRequire } from 'node:module';
import { setTimeout as delay } from 'node:timers/promises';
import { auditItemProblems, markerOverride, markersIn, orderProblems, ownItems } from '../lib/checks.mjs';
import { loadExamples, rewriteExample } from '../lib/examples.mjs';
import { nodeItems } from '../lib/n8n.mjs';
import { waitFor } from '../lib/proc.mjs';
import { routeCount } from '../lib/simulator.mjs';
import { E2E_SOURCES, sourceById } from '../lib/sources.mjs';
import { auditLogTriggerNode, workflow } from '../lib/workflows.mjs';

const TRIGGER = 'Audit Log Trigger';
/** What a manual run of the trigger shows at most (AuditLogTrigger SAMPLE_SIZE). */
const SAMPLE_SIZE = 5;
/** Two polls one minute apart, plus n8n's random second and a slow machine. */
const TWO_POLLS_MS = 170_000;

export function triggerWorkflow(id, source, parameters = {}) {
	return workflow(id, `e2e: trigger ${source.label}`, [
		auditLogTriggerNode(TRIGGER, source, { filters: {}, options: {}, ...parameters }),
	]);
}

export const runItems = (execution, node) =>
	nodeItems(execution?.data?.resultData?.runData, node).map((i) => i.json);

function hasCursor(staticData) {
	return JSON.stringify(staticData ?? {}).includes('Cursor');
}

/**
 * A manual run from the trigger ("Fetch Test Event"; with `triggerOnly` nothing after it runs):
 * a sample of recent events, and neither a saved cursor nor a queue read.
 */
async function manualFetch(
	env,
	t,
	id,
	triggerName,
	source,
	{ triggerOnly = false, withRaw = true } = {},
) {
	const before = await env.sim.control.stats();
	const executionId = await env.rest.runManually(
		id,
		triggerName,
		triggerOnly ? triggerName : undefined,
	);
	const execution = await env.rest.waitForExecution(executionId);
	t.succeeded(execution, `manual run of ${id}`);
	const items = runItems(execution, triggerName);
	t.ok(
		items.length >= 1 && items.length <= SAMPLE_SIZE,
		`a sample of 1 to ${SAMPLE_SIZE} events (got ${items.length})`,
	);
	t.none(
		items.flatMap((j) => auditItemProblems(j, { source: source.id, withRaw })),
		'normalized items',
	);
	t.none(orderProblems(items, 'asc'), 'sample oldest first');
	t.ok(!hasCursor((await env.rest.workflow(id)).staticData), 'the manual run saved no cursor');
	const after = await env.sim.control.stats();
	t.equal(routeCount(after, '/_queue') - routeCount(before, '/_queue'), 0, 'no queue read');
	return execution;
}

function manualFetchCase(source) {
	return {
		name: `trigger manual fetch: ${source.label}`,
		source,
		workflows: () => [triggerWorkflow(`e2eTrig${source.short}`, source)],
		async run(env, t) {
			await manualFetch(env, t, `e2eTrig${source.short}`, TRIGGER, source);
		},
	};
}

function queueModeManualCase() {
	const cbc = sourceById('carbonBlackCloud');
	return {
		name: 'trigger manual fetch in queue mode leaves the Carbon Black queue untouched',
		source: cbc,
		workflows: () => [triggerWorkflow('e2eTrigCbcQueue', cbc, { cbcMode: 'queue' })],
		async run(env, t) {
			await manualFetch(env, t, 'e2eTrigCbcQueue', TRIGGER, cbc);
			t.equal(
				(await env.sim.control.stats()).data.cbc.queues,
				{},
				'no queue was even opened for the key',
			);
		},
	};
}

/** Waits until a workflow has `count` finished executions; resolves with them, oldest first. */
export async function executionsOf(env, id, count, timeoutMs) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const list = (await env.rest.executions(id)).filter(
			(e) => e.mode === 'trigger' && e.status !== 'running' && e.status !== 'new',
		);
		if (list.length >= count)
			return await Promise.all(
				list
					.reverse()
					.slice(0, count)
					.map((e) => env.rest.execution(e.id)),
			);
		if (Date.now() > deadline)
			throw new Error(
				`${id}: ${list.length} of ${count} trigger executions after ${timeoutMs / 1000} s`,
			);
		await delay(1000);
	}
}

/** The time the activation poll started reading from, as the trigger saved it in its cursor. */
export function savedWatermark(staticData) {
	const match = /"watermark":(\d+)/.exec(JSON.stringify(staticData ?? {}));
	return match ? Number(match[1]) : null;
}

/**
 * An activated trigger workflow polled twice: `before` events are appended before activation,
 * `between` after the first poll; the execution after that must hold exactly the `between`
 * events the workflow lets through (`expect`), so nothing is lost or emitted twice across polls.
 * Without look-back the activation poll emits nothing: `between` is then stamped 1 ms after the
 * cursor it saved, the hardest case for a vendor whose times have whole seconds.
 */
function activationCase({
	name,
	id,
	source,
	extraSources = [],
	workflows,
	before,
	between,
	lookBack,
	check,
}) {
	const triggerName = () => workflows()[0].nodes[0].name;
	return {
		name,
		source,
		extraSources,
		workflows,
		activation: true,
		// Without look-back it watches the cursor in the workflow's static data; the durable scheduler
		// keeps its cursor elsewhere, so there the case cannot tell when the activation poll ran.
		watchesStaticData: !lookBack,
		async run(env, t) {
			const tagged = (list, phase) =>
				list.map(({ expect, ...fields }, i) => ({
					tag: `e2e-${id}-${phase}-${i}`,
					fields,
					expect,
				}));
			const first = tagged(before, 'a');
			const second = tagged(between, 'b');
			const append = async (list, spec = {}) => {
				if (list.length === 0) return;
				await env.sim.control.appendEvents(source.vendor, {
					...spec,
					events: list.map((e) => markerOverride(source, e.tag, e.fields)),
				});
			};
			await append(first);
			await env.rest.activate(id);
			let one = null;
			if (lookBack) {
				[one] = await executionsOf(env, id, 1, TWO_POLLS_MS);
				await append(second);
			} else {
				// n8n saves the static data of the activation poll in the background.
				const watermark = await waitFor(
					async () => savedWatermark((await env.rest.workflow(id)).staticData),
					{
						timeoutMs: 30_000,
						what: 'the activation poll to save its cursor',
					},
				);
				await append(second, { time: watermark + 1 });
			}
			const executions = await executionsOf(env, id, lookBack ? 2 : 1, TWO_POLLS_MS).catch(
				(error) => {
					throw new Error(
						`${error.message}: the ${second.length} events added after the first poll were not emitted`,
					);
				},
			);
			await env.rest.deactivate(id);
			const two = executions.at(-1);
			const prefix = `e2e-${id}-`;
			const firstItems = one ? runItems(one, triggerName()) : [];
			const secondItems = runItems(two, triggerName());
			const expected = (list) => list.filter((e) => e.expect).map((e) => e.tag);
			if (one) {
				t.succeeded(one, 'first poll execution status');
				t.equal(
					markersIn(source, firstItems, prefix),
					expected(first),
					'the first poll emits the look-back events',
				);
			}
			t.succeeded(two, 'second poll execution status');
			t.equal(
				markersIn(source, secondItems, prefix),
				expected(second),
				'the next poll emits exactly the events added in between',
			);
			t.equal(ownItems(source, secondItems, prefix).length, expected(second).length, 'and nothing else');
			const firstIds = new Set(firstItems.map((j) => j.id));
			t.ok(
				secondItems.every((j) => !firstIds.has(j.id)),
				'no event twice',
			);
			t.none(
				[...firstItems, ...secondItems].flatMap((j) =>
					auditItemProblems(j, { source: source.id, withRaw: false }),
				),
				'normalized items',
			);
			await check?.(env, t, { one, two, firstItems, secondItems });
		},
	};
}

async function activationCases(env) {
	const examples = Object.fromEntries(
		(await loadExamples()).map((e) => [e.workflow.id, e.workflow]),
	);
	const local = (id) =>
		rewriteExample(examples[id], { simUrl: env.sim.url, filesDir: env.n8n.filesDir });
	const cbc = sourceById('carbonBlackCloud');
	const cisco = sourceById('ciscoSecureEndpoint');
	// The Slack trigger has no filter: it emits every event, its IF node picks the flagged ones.
	const flagged = { ...cbc.flagged, expect: true };
	const plain = { ...cbc.plain, expect: true };
	return [
		manualExampleCase(
			'example: Slack alert workflow, manual fetch of its trigger',
			'auditToSlack',
			cbc,
			() => [local('auditToSlack')],
		),
		manualExampleCase(
			'example: Pangea workflow, manual fetch of its trigger',
			'auditToPangea',
			cbc,
			() => [local('auditToPangea')],
		),
		activationCase({
			name: 'example activated: flagged Carbon Black events → Slack, two polls',
			id: 'auditToSlack',
			source: cbc,
			workflows: () => [local('auditToSlack')],
			before: [flagged, plain],
			between: [flagged, plain, flagged],
			lookBack: true,
			async check(env, t, { firstItems, secondItems }) {
				const hook = await env.sim.control.webhook('slack');
				const alerts = [...firstItems, ...secondItems].filter(
					(j) => j.flagged || j.outcome === 'failure',
				);
				t.ok(alerts.length >= 3, 'the flagged events reached the IF node');
				t.equal(hook.count, alerts.length, 'one Slack message per flagged or failed event');
				const texts = hook.items.map((h) => String(h.body?.text ?? ''));
				t.ok(
					alerts.every((j) => texts.some((text) => text.includes(j.id))),
					'each message names its event id',
				);
				t.ok(
					hook.items.every((h) => String(h.contentType).includes('application/json')),
					'Slack gets JSON',
				);
			},
		}),
		activationCase({
			name: 'example activated: flagged Carbon Black events → Pangea Log, two polls',
			id: 'auditToPangea',
			source: cbc,
			extraSources: ['pangea'],
			workflows: () => [local('auditToPangea')],
			before: [
				{ ...cbc.flagged, expect: true },
				{ ...cbc.plain, expect: false },
			],
			between: [
				{ ...cbc.flagged, expect: true },
				{ ...cbc.plain, expect: false },
				{ ...cbc.flagged, expect: true },
			],
			lookBack: true,
			async check(env, t, { one, two, firstItems, secondItems }) {
				t.ok(
					[...firstItems, ...secondItems].every((j) => j.flagged === true),
					'Flagged Only: only flagged events',
				);
				const logged = [...runItems(one, 'Log to Pangea'), ...runItems(two, 'Log to Pangea')];
				t.equal(
					logged.length,
					firstItems.length + secondItems.length,
					'one Pangea hash per flagged event',
				);
				t.ok(
					logged.every((j) => /^[0-9a-f]{64}$/.test(j.hash ?? '')),
					'hashes',
				);
			},
		}),
		activationCase({
			name: 'trigger activated without look-back: Cisco, the next poll emits what arrived after activation',
			id: 'e2eTrigPollCisco',
			source: cisco,
			workflows: () => [
				triggerWorkflow('e2eTrigPollCisco', cisco, { options: { includeRaw: false } }),
			],
			before: [],
			between: [{ expect: true }, { expect: true }],
			lookBack: false,
		}),
	];
}

function manualExampleCase(name, id, source, workflows) {
	return {
		name,
		source,
		workflows,
		async run(env, t) {
			const trigger = workflows()[0].nodes[0].name;
			const execution = await manualFetch(env, t, id, trigger, source, {
				triggerOnly: true,
				withRaw: false,
			});
			t.equal(
				Object.keys(execution.data?.resultData?.runData ?? {}),
				[trigger],
				'only the trigger ran: nothing was sent on',
			);
		},
	};
}

const { panelActions, aliasMatches, SEARCH_TERMS } = createRequire(import.meta.url)(
	'../../support/panelActions.cjs',
);

const READ_ACTIONS = ['Export and wait for audit events', 'Fetch queue of new audit events', 'Search audit events'];

/**
 * The editor's node panel, from the descriptions the running n8n serves: per source the actions
 * (computed as the editor computes them), each opening a node on that source; the aliases searched.
 */
function nodePanelCase() {
	return {
		name: 'node panel: each source lists its actions (Pangea with Log); codex aliases served',
		workflows: () => [],
		async run(env, t) {
			const types = await env.rest.nodeTypes();
			const byName = (name) => types.find((n) => n.name === `n8n-nodes-audit-log.${name}`);
			const node = byName('auditLog');
			const trigger = byName('auditLogTrigger');
			if (!t.ok(node && trigger, 'n8n serves both node types')) return;
			const actions = panelActions(node);
			for (const source of E2E_SOURCES) {
				const mine = actions.filter((a) => a.values.resource === source.id);
				const expected = source.id === 'pangea' ? [...READ_ACTIONS, 'Log events to Pangea'].sort() : READ_ACTIONS;
				t.equal(mine.map((a) => a.displayName).sort(), expected, `${source.label}: actions`);
				t.equal(new Set(mine.map((a) => a.label)).size, 1, `${source.label}: one group`);
			}
			for (const [label, description] of [['Audit Log', node], ['Audit Log Trigger', trigger]]) {
				t.none(
					SEARCH_TERMS.filter((term) => !aliasMatches(description.codex, term)),
					`${label}: search terms without a codex alias`,
				);
			}
		},
	};
}

/** The server cases: manual fetches first (they must not disturb), then the activations, together. */
export async function serverCases(env) {
	return [
		nodePanelCase(),
		...E2E_SOURCES.map(manualFetchCase),
		queueModeManualCase(),
		...(await activationCases(env)),
	];
}
