// The queue-mode e2e driver: n8n 2.41 as one main and two workers (Postgres, Redis/Bull, binary data in
// the database) with the packed package, against one vendor simulator per case. Prints per case the
// events appended, emitted and duplicated, then "N passed, M failed".
// node test/e2e/queue/run.mjs --tarball <tgz> --n8n-home <dir> --redis-port N --pg-port N (see run.sh)
import { readFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as delay } from 'node:timers/promises';
import { Checks, markerOf } from '../lib/checks.mjs';
import { Driver } from '../lib/driver.mjs';
import { stopAll, waitFor } from '../lib/proc.mjs';
import { registeredSources } from '../lib/registry.mjs';
import { E2E_SOURCES } from '../lib/sources.mjs';
import { cortexBudgetCase, CORTEX_EVENTS } from './cases/cortexBudget.mjs';
import { fetchQueueCase, SEEDED as FQ_SEEDED } from './cases/fetchQueue.mjs';
import { filesCase, SEEDED as FILES_SEEDED } from './cases/files.mjs';
import { TriggerCases } from './cases/triggers.mjs';
import { showFigures } from './lib/ledger.mjs';
import { caseSimulator } from './lib/sims.mjs';
import { QueueStack } from './lib/stack.mjs';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const driver = new Driver({ phaseWidth: 7 });
const log = (phase, message) => driver.log(phase, message);
const record = (...verdict) => driver.record(...verdict);
const elapsed = (since) => driver.elapsed(since);

const { values: args } = parseArgs({
	options: {
		tarball: { type: 'string' },
		'n8n-home': { type: 'string' },
		'redis-port': { type: 'string' },
		'pg-port': { type: 'string' },
		'pg-db': { type: 'string', default: 'n8n' },
		'pg-user': { type: 'string', default: 'n8n' },
		'pg-password': { type: 'string', default: '' },
		work: { type: 'string' },
		'timeout-seconds': { type: 'string', default: '600' },
		keep: { type: 'boolean', default: false },
		only: { type: 'string' },
	},
});

/** `--only 3,4`: the listed cases (1 and 2 run together); all by default. */
const wanted = (n) =>
	!args.only ||
	args.only
		.split(',')
		.map((x) => x.trim())
		.includes(String(n));

/** Runs one case body with its own Checks; a throw fails the case, never the run. */
async function runCase(phase, name, sim, body) {
	const t = new Checks();
	const begin = Date.now();
	const before = sim ? await sim.control.stats() : null;
	try {
		await body(t);
	} catch (error) {
		t.failures.push(error.message);
	}
	if (sim) {
		const after = await sim.control.stats();
		t.none(
			after.violations.slice(before.violations.length).map((v) => JSON.stringify(v)),
			'simulator recorded contract violations',
		);
		t.none(
			after.errors.slice(before.errors.length).map((e) => e.message.split('\n')[0]),
			'simulator errors',
		);
	}
	record(phase, name, t.failures, Date.now() - begin);
}

/** Sleeps until wall-clock `at` (ms), in bounded steps. */
async function until(at) {
	while (Date.now() < at) await delay(Math.min(1000, at - Date.now()));
}

async function main() {
	for (const required of ['tarball', 'n8n-home', 'redis-port', 'pg-port'])
		if (!args[required]) throw new Error(`run.mjs needs --${required} (use test/e2e/queue/run.sh)`);
	const workDir = await driver.workDir(REPO, 'queue', args.work);
	const cancelTimeout = driver.guard(Number(args['timeout-seconds']) * 1000);

	// One simulator per case: separate tenants (Cortex's rate limit, CBC's queue) and counters.
	const [trig, files, fq, budget] = await Promise.all([
		caseSimulator('T', workDir, [
			'--cbc',
			'30',
			'--cortex',
			'30',
			'--cisco',
			'30',
			'--pangea',
			'30',
		]),
		caseSimulator('F', workDir, ['--cbc', String(FILES_SEEDED), '--cortex', String(FILES_SEEDED)]),
		caseSimulator('Q', workDir, [
			...['--cbc', '--cortex', '--cisco', '--pangea'].flatMap((flag) => [flag, String(FQ_SEEDED)]),
			'--span-days',
			'1',
		]),
		caseSimulator('C', workDir, ['--cortex', String(CORTEX_EVENTS)]),
	]);
	const stack = new QueueStack({
		n8nHome: args['n8n-home'],
		tarball: args.tarball,
		dir: workDir,
		redisPort: Number(args['redis-port']),
		pg: {
			port: Number(args['pg-port']),
			database: args['pg-db'],
			user: args['pg-user'],
			password: args['pg-password'],
		},
		log: (m) => log('stack', m),
	});
	const setupBegin = Date.now();
	await stack.prepare(2);
	const registered = registeredSources(stack.packageDir, args['n8n-home']);
	const missing = E2E_SOURCES.filter((s) => !registered.has(s.id)).map((s) => s.id);
	if (missing.length)
		throw new Error(`sources not registered in the packed package: ${missing.join(', ')}`);
	await stack.main.importCredentials([trig, files, fq, budget].flatMap((s) => s.credentials));
	await stack.startMain();
	await stack.startWorkers();
	log(
		'stack',
		`main ${stack.main.url} and 2 workers ready on Postgres :${args['pg-port']} and Redis :${args['redis-port']} (${elapsed(setupBegin)})`,
	);

	if (wanted(3))
		await runCase(
			'case 3',
			'Search Return All and Export and Wait on a worker; files read back through the API',
			files.sim,
			async (t) => {
				const figures = await filesCase({
					stack,
					sources: files.sources,
					t,
					log: (m) => log('case 3', m),
				});
				log('case 3', showFigures({ ...figures, items: figures.emitted }));
			},
		);
	if (wanted(5))
		await runCase(
			'case 5',
			'Cortex tenant limit with two workers reading at once: no 429 at 5 + 5 requests/s',
			null,
			async (t) => {
				const { figures } = await cortexBudgetCase({
					stack,
					sim: budget.sim,
					sources: budget.sources,
					t,
					log: (m) => log('case 5', m),
				});
				log('case 5', showFigures({ ...figures, items: figures.emitted }));
			},
		);

	const withTriggers = wanted(1) || wanted(2);
	// Cases 1 and 2 span the rest of the run: polls are a minute apart. They run at a second chosen
	// so that the first scheduled poll comes about 40 s after activation (cases 3 and 5 ran before:
	// they need both workers idle).
	const second = new Date(Date.now() + 40_000).getUTCSeconds();
	const triggers = new TriggerCases({
		stack,
		sim: trig.sim,
		sources: Object.values(trig.sources),
		second,
		log: (m) => log('trigger', m),
	});
	let activatedAt = Date.now();
	if (withTriggers) {
		await triggers.activate();
		activatedAt = Date.now();
		triggers.startAppending();
		log(
			'trigger',
			`8 trigger workflows active, polling at second ${second} of each minute; appending events`,
		);
	}

	// Case 2, n8n's two outcomes for a killed worker. A: the main process that queued the execution
	// is running when Bull declares the job stalled. B: the main is SIGKILLed (between two polls)
	// right after the worker, before the stall is noticed, and restarted.
	if (withTriggers) {
		try {
			const firstPoll = triggers.nextPoll(activatedAt);
			log('trigger', `first scheduled poll at ${new Date(firstPoll).toISOString()}`);
			const a = await triggers.killWorkerMidExecution(
				Math.max(0, firstPoll - Date.now()) + 90_000,
				'A: main process running',
			);
			// The main gives a stalled job up to 30 s of re-checks before it writes its verdict (queue
			// recovery may mark the execution crashed meanwhile): wait for the verdict in its log.
			await waitFor(
				async () =>
					(await readFile(stack.main.logFile, 'utf8')).includes(
						`Problem with execution ${a.executionId}:`,
					),
				{
					timeoutMs: 120_000,
					intervalMs: 1000,
					what: `the main's verdict on execution ${a.executionId}`,
				},
			).catch((error) => log('trigger', `A: ${error.message}`));
			await triggers.untilFinished(a, 30_000);
			log('trigger', `A: n8n settled execution ${a.executionId} as ${a.settled}`);
			let mainKilledAt = 0;
			await triggers.killWorkerMidExecution(
				Math.max(0, triggers.nextPoll(Date.now()) - Date.now()) + 90_000,
				'B: main process killed next',
				{
					// Before Bull can notice the stall (its lock lasts 20 s here).
					beforeRestart: async (b) => {
						const lastPoll = triggers.nextPoll(Date.now() - 60_000);
						await stack.killMain();
						mainKilledAt = Date.now();
						log(
							'trigger',
							`B: SIGKILLed the main process ${Math.round((mainKilledAt - lastPoll) / 1000)} s after a poll, execution ${b.executionId} unsettled`,
						);
					},
				},
			);
			await stack.restartMain();
			log('trigger', `main restarted (${elapsed(mainKilledAt)} after the kill)`);
		} catch (error) {
			record('case 2', 'worker and main killed', [error.message], 0);
		}
	}

	if (wanted(4))
		await runCase(
			'case 4',
			'Fetch Queue on a schedule with two workers, four sources: each event once, CBC queue drained into finished runs',
			fq.sim,
			async (t) => {
				await fetchQueueCase({
					stack,
					sim: fq.sim,
					sources: fq.sources,
					t,
					log: (m) => log('case 4', m),
					activeMs: 40_000,
				});
			},
		);

	if (withTriggers) await finishTriggers(triggers, trig, stack);

	cancelTimeout();
	await stack.stop();
	await stopAll();
	const passed = driver.summary();
	if (passed && !args.keep) await rm(workDir, { recursive: true, force: true });
	process.exit(passed ? 0 : 1);
}

/** Cases 1 and 2 after the last poll: settle, deactivate, recover the killed execution, count. */
async function finishTriggers(triggers, trig, stack) {
	// The last poll: everything appended until 12 s before it must be in it.
	const lastPoll = triggers.nextPoll(Date.now() + 15_000);
	await until(lastPoll - 12_000);
	await triggers.stopAppending();
	log(
		'trigger',
		`stopped appending after ${triggers.batches} batches; last poll at ${new Date(lastPoll).toISOString()}`,
	);
	await until(lastPoll + 3000);
	const triggerBegin = Date.now();
	let outcome = [];
	let recovery = [];
	const triggerFailures = [];
	try {
		await triggers.settled(120_000);
		await triggers.deactivate();
		recovery = await triggers.recoverKilled(120_000);
		outcome = await triggers.results();
	} catch (error) {
		triggerFailures.push(error.message);
	}
	const violations = (await trig.sim.control.stats()).violations.map((v) => JSON.stringify(v));
	// Case 2's expectations, stated before its figures. What n8n 2.41 does to an execution whose
	// worker is SIGKILLed depends on which process notices first (README, "Scaling out"):
	log(
		'case 2',
		'expect A (the main that queued it notices the stall): n8n marks it error and stores none of its events;',
	);
	log(
		'case 2',
		'  the trigger moved its cursor when the poll emitted, so exactly those events are lost (measured, not failed); nothing else lost, nothing repeated',
	);
	log(
		'case 2',
		'expect B (the main is killed too and restarted first): n8n marks it crashed with every event kept; Retry delivers them: nothing lost, nothing repeated',
	);
	const lostByN8n = new Map();
	for (const k of recovery) {
		log(
			'case 2',
			`${k.path}: killed execution ${k.executionId} (${k.flow.source.label}, ${k.worker}) carried ${k.carried.length} events; ` +
				`n8n marked it ${k.status} (${k.error ?? 'no error'}) and now stores ${k.storedItems} of them; ` +
				`retry: ${k.retryError ?? `${k.retry?.id} ${k.retry?.status}`}`,
		);
		if (k.path.startsWith('A') && k.status === 'error' && k.storedItems === 0) {
			const lost = lostByN8n.get(k.flow.id) ?? new Set();
			for (const json of k.carried) lost.add(markerOf(k.flow.source, json));
			lostByN8n.set(k.flow.id, lost);
		}
	}
	for (const caseNo of [1, 2]) {
		const failures = [...triggerFailures];
		if (violations.length)
			failures.push(`simulator recorded contract violations: ${violations.slice(0, 3).join('; ')}`);
		for (const r of outcome.filter((o) => o.flow.caseNo === caseNo)) {
			const label = r.flow.source.label;
			log(
				`case ${caseNo}`,
				`${label}: ${r.executions} executions ${JSON.stringify(r.statuses)}; emitted: ${showFigures(r.emitted.figures)}; delivered: ${showFigures(r.delivered.figures)}`,
			);
			const lost = lostByN8n.get(r.flow.id) ?? new Set();
			for (const [what, tallied] of [
				['across all executions', r.emitted],
				['delivered by successful executions', r.delivered],
			]) {
				const explained =
					tallied.missing.length > 0 && tallied.missing.every((tag) => lost.has(tag));
				for (const p of tallied.problems) {
					if (explained && p.includes('never emitted')) continue;
					failures.push(`${label}, ${what}: ${p}`);
				}
			}
			if (lost.size > 0)
				log(
					'case 2',
					`${label}: measured loss where n8n marked the killed execution error: ${r.emitted.missing.length} of ${r.emitted.figures.appended} events ` +
						`(${r.emitted.missing.every((tag) => lost.has(tag)) ? 'exactly the events that execution carried' : 'NOT only those'}); duplicated ${r.emitted.figures.duplicated}`,
				);
			if (r.emitted.figures.appended === 0) failures.push(`${label}: nothing was appended`);
		}
		if (caseNo === 2) {
			if (triggers.killed.length === 0) failures.push('no worker was killed mid-execution');
			if (stack.mainRestarts === 0) failures.push('the main process was not restarted');
			for (const k of recovery.filter((x) => x.path.startsWith('B'))) {
				if (k.status !== 'crashed' || k.storedItems < k.carried.length)
					failures.push(
						`B: execution ${k.executionId} was expected crashed with its ${k.carried.length} events kept; n8n marked it ${k.status} and kept ${k.storedItems}`,
					);
				if (k.retry?.status !== 'success')
					failures.push(
						`B: the retry of execution ${k.executionId} did not succeed (${k.retryError ?? k.retry?.status})`,
					);
			}
		}
		const name =
			caseNo === 1
				? 'trigger per source, several polls while events arrive: each event once, oldest first'
				: 'the same with a worker SIGKILLed mid-execution and the main SIGKILLed and restarted between polls';
		record(`case ${caseNo}`, name, failures, Date.now() - triggerBegin);
	}
}

main().catch(async (error) => {
	console.error(error.stack ?? error.message);
	await stopAll();
	process.exit(1);
});
