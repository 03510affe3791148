// The demo (`npm run demo`): simulator + n8n with the packed package, examples imported, events flowing.
// node scripts/demo/demo.mjs --tarball <tgz> --n8n-home <dir> --dir <demo folder> [--check] [--screenshot <png>]
// [--screenshots <dir>]: the README's screenshots, taken in the real editor (readmeScreenshots below).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { loadExamples, rewriteExample } from '../../test/e2e/lib/examples.mjs';
import { DEMO_OWNER, N8nInstance, nodeItems } from '../../test/e2e/lib/n8n.mjs';
import { freePort, stopAll, tearDownOnExit } from '../../test/e2e/lib/proc.mjs';
import { startSimulator } from '../../test/e2e/lib/simulator.mjs';
import { E2E_SOURCES, simulatorCredentials } from '../../test/e2e/lib/sources.mjs';
import { AUDIT_LOG_TRIGGER, auditLogNode, fanOut } from '../../test/e2e/lib/workflows.mjs';
import { readmeScreenshots, takeScreenshot } from './screenshot.mjs';

const { values: args } = parseArgs({
	options: {
		tarball: { type: 'string' },
		'n8n-home': { type: 'string' },
		dir: { type: 'string' },
		check: { type: 'boolean', default: process.env.DEMO_EXIT_AFTER_READY === '1' },
		screenshot: { type: 'string' },
		screenshots: { type: 'string' },
		port: { type: 'string', default: process.env.DEMO_PORT ?? '5678' },
		'sim-port': { type: 'string', default: process.env.DEMO_SIM_PORT ?? '8600' },
	},
});

const say = (message = '') => console.log(message);
const step = (message) => console.log(`demo: ${message}`);

/** The wanted port, or any free one when something else already listens there. */
async function portOr(wanted) {
	const port = Number(wanted);
	const taken = await fetch(`http://127.0.0.1:${port}/`).then(
		() => true,
		() => false,
	);
	return taken ? await freePort() : port;
}

/** A workflow that is not an example: one click shows events from every vendor side by side. */
function tryItWorkflow() {
	return fanOut(
		'demoSearchAll',
		'Demo: search every vendor (last day)',
		E2E_SOURCES.map((source) =>
			auditLogNode(`Search ${source.label}`, source, {
				operation: 'search',
				returnAll: false,
				limit: 20,
				filters: { range: '-24h' },
				options: {},
			}),
		),
	);
}

/** New audit events every few seconds, some flagged or failed, so that the triggers have work. */
function feedEvents(sim, everyMs) {
	let round = 0;
	const timer = setInterval(async () => {
		round++;
		try {
			await sim.control.appendEvents('cbc', { events: [{ flagged: round % 3 === 0 }] });
			await sim.control.appendEvents('cortex', {
				events: [{ AUDIT_RESULT: round % 2 === 0 ? 'FAIL' : 'SUCCESS' }],
			});
			await sim.control.appendEvents('cisco', { count: 1 });
			await sim.control.appendEvents('pangea', { count: 1 });
		} catch (error) {
			step(`could not add events: ${error.message}`);
		}
	}, everyMs);
	timer.unref();
}

const isTrigger = (workflow) => workflow.nodes.some((n) => n.type === AUDIT_LOG_TRIGGER);

/** Runs a workflow once from its first trigger, as "Execute workflow" does; resolves with the execution. */
async function runOnce(rest, workflow) {
	const trigger = workflow.nodes.find((n) => /trigger/i.test(n.type)) ?? workflow.nodes[0];
	const id = await rest.runManually(workflow.id, trigger.name);
	return await rest.waitForExecution(id, 120_000);
}

async function main() {
	if (!args.tarball || !args['n8n-home'] || !args.dir)
		throw new Error('usage: demo.mjs --tarball <tgz> --n8n-home <dir> --dir <dir>');
	tearDownOnExit(() => step('stopping n8n and the simulator'));
	await mkdir(args.dir, { recursive: true });

	const simPort = await portOr(args['sim-port']);
	const sim = await startSimulator({ port: simPort, logFile: join(args.dir, 'simulator.log') });
	step(`vendor simulator on ${sim.url}`);
	feedEvents(sim, 15_000);

	const n8n = new N8nInstance({
		bin: join(args['n8n-home'], 'node_modules', '.bin', 'n8n'),
		home: args['n8n-home'],
		userFolder: join(args.dir, 'user'),
		filesDir: join(args.dir, 'files'),
		port: await portOr(args.port),
		brokerPort: await freePort(),
		logFile: join(args.dir, 'n8n.log'),
	});
	step('installing the packed package into n8n');
	await n8n.installPackage(args.tarball);
	const examples = (await loadExamples()).map((e) =>
		rewriteExample(e.workflow, { simUrl: sim.url, filesDir: n8n.filesDir }),
	);
	const workflows = [...examples, tryItWorkflow()];
	step(
		`importing ${simulatorCredentials(sim).length} credentials and ${workflows.length} workflows (examples are reset on every start)`,
	);
	await n8n.importCredentials(simulatorCredentials(sim));
	await n8n.importWorkflows(workflows);

	step(`starting n8n ${n8n.url} (log: ${n8n.logFile})`);
	const rest = await n8n.start();
	await rest.signIn(DEMO_OWNER);

	for (const workflow of workflows.filter(isTrigger)) await rest.activate(workflow.id);
	const ran = [];
	for (const workflow of workflows.filter((w) => !isTrigger(w))) {
		const execution = await runOnce(rest, workflow);
		ran.push({ workflow, execution });
		if (execution.status !== 'success')
			throw new Error(`${workflow.name} ended with status ${execution.status}; see ${n8n.logFile}`);
	}

	say();
	say('================================================================================');
	say(` n8n with the Audit Log nodes is ready: ${n8n.url}`);
	say(`   sign in as   ${DEMO_OWNER.email}`);
	say(`   password     ${DEMO_OWNER.password}`);
	say('');
	say(' What to click:');
	say('  1. "Demo: search every vendor (last day)" → Execute workflow: events from all four');
	say('     vendors, in the same normalized shape (click a Search node to see its items).');
	say('  2. "Audit Log: flagged or failed events → Slack" and "… → Pangea tamper-proof log" are');
	say(
		'     active: new events arrive every 15 s, the triggers poll every minute. Open a workflow,',
	);
	say('     then its Executions tab.');
	say('  3. "every hour … → Splunk HEC" and "nightly export … → file" ran once already: open');
	say('     them and press Execute workflow again. Files land in');
	say(`     ${n8n.filesDir}`);
	say('  4. Add an "Audit Log" node to any workflow: credentials "… (simulator)" are ready.');
	say('');
	say(` What n8n sent on: ${sim.url}/_sim/webhook/slack  and  ${sim.url}/_sim/webhook/splunk`);
	say(` Simulator stats:  ${sim.url}/_sim/stats`);
	say('================================================================================');
	for (const { workflow, execution } of ran) {
		const runData = execution.data?.resultData?.runData ?? {};
		const counts = Object.keys(runData).map(
			(node) => `${node}: ${nodeItems(runData, node).length}`,
		);
		step(`ran "${workflow.name}" (${counts.join(', ')})`);
	}

	if (args.screenshot) {
		const target = ran.find((r) => r.workflow.id === 'auditHourlySiem') ?? ran[0];
		const path = `/workflow/${target.workflow.id}/executions/${target.execution.id}`;
		await takeScreenshot({ baseUrl: n8n.url, path, owner: DEMO_OWNER, file: args.screenshot });
		step(`screenshot of ${path} saved to ${args.screenshot}`);
	}
	if (args.screenshots) {
		const slack = examples.find((w) => w.id === 'auditToSlack');
		const search = ran.find((r) => r.workflow.id === 'demoSearchAll');
		const files = await readmeScreenshots({
			baseUrl: n8n.url,
			owner: DEMO_OWNER,
			dir: args.screenshots,
			slack,
			search: search && { workflowId: search.workflow.id, executionId: search.execution.id },
		});
		step(`README screenshots saved: ${files.join(', ')}`);
	}
	if (args.check) {
		step('check passed: n8n is up, the examples are imported and ran; stopping (--check)');
		await stopAll();
		process.exit(0);
	}
	say('\nPress Ctrl-C to stop n8n and the simulator.');
	for (;;) await delay(60_000);
}

main().catch(async (error) => {
	console.error(`demo failed: ${error.stack ?? error.message}`);
	await stopAll();
	process.exit(1);
});
