// The e2e driver: a real n8n with the packed package against the vendor simulator; prints "N passed, M failed".
// node test/e2e/run.mjs --tarball <n8n-nodes-audit-log-x.y.z.tgz> --n8n-home <dir with node_modules/.bin/n8n>
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cspCredentials, cspExecuteCases, cspServerCases } from './cases/csp.mjs';
import { executeCases } from './cases/execute.mjs';
import { secretCases } from './cases/secrets.mjs';
import { serverCases } from './cases/server.mjs';
import { DURABLE_SCHEDULER_ENV, schedulerCases } from './cases/schedulers.mjs';
import { Checks } from './lib/checks.mjs';
import { Driver } from './lib/driver.mjs';
import { N8nInstance } from './lib/n8n.mjs';
import { freePort, stopAll, stopProcess } from './lib/proc.mjs';
import { registeredSources } from './lib/registry.mjs';
import { startSimulator } from './lib/simulator.mjs';
import { simulatorCredentials } from './lib/sources.mjs';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const driver = new Driver();
const log = (phase, message) => driver.log(phase, message);
const record = (...verdict) => driver.record(...verdict);

const { values: args } = parseArgs({
	options: {
		tarball: { type: 'string' },
		'n8n-home': { type: 'string' },
		work: { type: 'string' },
		only: { type: 'string' },
		'timeout-seconds': { type: 'string', default: '600' },
		keep: { type: 'boolean', default: false },
	},
});

/** A case's sources must be in the package's registry; a missing one fails the case by name. */
function unregistered(testCase, registered) {
	const ids = [testCase.source?.id, ...(testCase.extraSources ?? [])].filter(Boolean);
	return ids.filter((id) => !registered.has(id));
}

const newSince = (before, after) => after.slice(before.length);

async function runCase(phase, env, testCase) {
	const t = new Checks();
	const begin = Date.now();
	const missing = unregistered(testCase, env.registered);
	if (missing.length > 0) {
		const where = 'nodes/shared/sources/index.ts';
		record(
			phase,
			testCase.name,
			missing.map((id) => `source ${id} not registered (not in ${where} of the packed package)`),
			0,
		);
		return;
	}
	const before = await env.sim.control.stats();
	try {
		await testCase.run(env, t);
	} catch (error) {
		t.failures.push(error.message);
	}
	// Whatever the case asserted: the package must have kept every vendor contract meanwhile.
	const after = await env.sim.control.stats();
	t.none(
		newSince(before.violations, after.violations).map((v) => JSON.stringify(v)),
		'simulator recorded contract violations',
	);
	t.none(
		newSince(before.errors, after.errors).map((e) => e.message.split('\n')[0]),
		'simulator errors',
	);
	record(phase, testCase.name, t.failures, Date.now() - begin);
}

function selected(cases) {
	if (!args.only) return cases;
	const pattern = new RegExp(args.only, 'i');
	return cases.filter((c) => pattern.test(c.name));
}

/** One n8n user folder wired to one simulator: package installed, credentials and workflows imported. */
async function prepare(phase, workDir, buildCases, extraEnv = {}) {
	const dir = join(workDir, phase);
	await mkdir(dir, { recursive: true });
	const sim = await startSimulator({ port: await freePort(), logFile: join(dir, 'simulator.log') });
	const n8n = new N8nInstance({
		bin: join(args['n8n-home'], 'node_modules', '.bin', 'n8n'),
		home: args['n8n-home'],
		userFolder: join(dir, 'user'),
		filesDir: join(dir, 'files'),
		port: await freePort(),
		brokerPort: await freePort(),
		logFile: join(dir, 'n8n.log'),
		extraEnv,
	});
	await n8n.installPackage(args.tarball);
	const packageDir = join(n8n.nodesDir, 'node_modules', 'n8n-nodes-audit-log');
	const env = {
		sim,
		n8n,
		registered: registeredSources(packageDir, args['n8n-home']),
		log: (m) => log(phase, m),
	};
	const cases = selected(await buildCases(env));
	// Cases may bring credentials of their own (the secrets cases: wrong, distinctive keys).
	await n8n.importCredentials([
		...simulatorCredentials(sim),
		...cspCredentials(sim),
		...cases.flatMap((c) => c.credentials?.(sim) ?? []),
	]);
	await n8n.importWorkflows(cases.flatMap((c) => c.workflows()));
	log(
		phase,
		`ready: n8n ${n8n.version}, simulator ${sim.url}, ${cases.length} cases, sources registered: ${[...env.registered].join(", ")}`,
	);
	return { env, cases };
}

async function executePhase(workDir) {
	const phase = 'exec';
	const { env, cases } = await prepare(phase, workDir, async (e) => [
		...(await executeCases(e)),
		...cspExecuteCases(e),
	]);
	for (const testCase of cases) await runCase(phase, env, testCase);
	await stopProcess(env.sim.child);
}

/** The trigger's cases on `n8n start`: with n8n's classic poller, or (`durable`) its durable scheduler. */
async function serverPhase(workDir, phase = 'server', extraEnv = {}) {
	const durable = extraEnv === DURABLE_SCHEDULER_ENV;
	const allCases = async (env) =>
		[
			...(await serverCases(env)),
			...(durable ? [] : [...(await secretCases(env)), ...cspServerCases(env)]),
			...schedulerCases(),
		].filter((c) => !(durable && c.watchesStaticData));
	const { env, cases } = await prepare(phase, workDir, allCases, extraEnv);
	if (cases.length === 0) return;
	env.rest = await env.n8n.start();
	await env.rest.signIn();
	log(phase, `n8n started on ${env.n8n.url}`);
	for (const testCase of cases.filter((c) => !c.activation)) await runCase(phase, env, testCase);
	// Activations wait for polls a minute apart: they wait together.
	await Promise.all(cases.filter((c) => c.activation).map((c) => runCase(phase, env, c)));
	await stopProcess(env.n8n.server);
	await stopProcess(env.sim.child);
}

/** A phase that fails before its cases (setup) counts as one failed case, and the run goes on. */
async function guarded(phase, body) {
	const begin = Date.now();
	try {
		await body();
	} catch (error) {
		record(phase, 'setup', [error.stack ?? error.message], Date.now() - begin);
	}
}

async function main() {
	if (!args.tarball || !args['n8n-home'])
		throw new Error('usage: run.mjs --tarball <tgz> --n8n-home <dir>');
	const workDir = await driver.workDir(REPO, 'run', args.work);
	const cancelTimeout = driver.guard(Number(args['timeout-seconds']) * 1000);
	await Promise.all([
		guarded('exec', () => executePhase(workDir)),
		guarded('server', () => serverPhase(workDir)),
		guarded('durable', () => serverPhase(workDir, 'durable', DURABLE_SCHEDULER_ENV)),
	]);
	cancelTimeout();
	await stopAll();
	const passed = driver.summary();
	if (passed && !args.keep) await rm(workDir, { recursive: true, force: true });
	process.exit(passed ? 0 : 1);
}

main().catch(async (error) => {
	console.error(error.stack ?? error.message);
	await stopAll();
	process.exit(1);
});
