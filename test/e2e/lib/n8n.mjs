// A real n8n for the e2e run and the demo: user folder, package install, CLI import/execute, `n8n start`.
import { createRequire } from 'node:module';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runProcess, startProcess, waitFor } from './proc.mjs';

/** A quiet n8n that never calls out (see CONTRIBUTING.md, end-to-end tests). */
const QUIET_ENV = {
	DB_TYPE: 'sqlite',
	GENERIC_TIMEZONE: 'UTC',
	N8N_DIAGNOSTICS_ENABLED: 'false',
	N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
	N8N_TEMPLATES_ENABLED: 'false',
	N8N_PERSONALIZATION_ENABLED: 'false',
	N8N_DYNAMIC_BANNERS_ENABLED: 'false',
	N8N_LICENSE_AUTO_RENEW_ENABLED: 'false',
	N8N_AI_ENABLED: 'false',
	N8N_SECURE_COOKIE: 'false',
	N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
	N8N_LISTEN_ADDRESS: '127.0.0.1',
	EXECUTIONS_DATA_SAVE_MANUAL_EXECUTIONS: 'true',
};

/** The version of the n8n installed in `home` (its node_modules/n8n/package.json). */
export function n8nVersion(home) {
	return createRequire(join(home, 'node_modules', 'n8n', 'package.json'))('./package.json').version;
}

/**
 * One n8n instance: a user folder (its own SQLite database, installed nodes, encryption key)
 * plus the ports it listens on. `n8n execute` and `n8n start` of one instance must not overlap:
 * they share the database file.
 */
export class N8nInstance {
	constructor({
		bin,
		home,
		userFolder,
		brokerPort,
		port = 5678,
		filesDir,
		extraEnv = {},
		logFile,
	}) {
		this.bin = bin;
		this.home = home;
		this.userFolder = userFolder;
		this.executions = 0;
		this.port = port;
		this.filesDir = filesDir;
		this.logFile = logFile;
		this.url = `http://127.0.0.1:${port}`;
		this.version = n8nVersion(home);
		this.env = {
			...process.env,
			...QUIET_ENV,
			// 2.x only: n8n 1.x refuses to start with a module name it does not know.
			...(this.version.startsWith('1.') ? {} : { N8N_DISABLED_MODULES: 'mcp-registry' }),
			N8N_USER_FOLDER: userFolder,
			N8N_ENCRYPTION_KEY: 'n8n-nodes-audit-log-e2e-key',
			N8N_PORT: String(port),
			N8N_EDITOR_BASE_URL: this.url,
			N8N_RUNNERS_BROKER_PORT: String(brokerPort),
			N8N_RESTRICT_FILE_ACCESS_TO: filesDir,
			...extraEnv,
		};
	}

	get nodesDir() {
		return join(this.userFolder, '.n8n', 'nodes');
	}

	/** The packed tarball into .n8n/nodes, as n8n's own community-package installer lays it out. */
	async installPackage(tarball) {
		await mkdir(this.nodesDir, { recursive: true });
		await mkdir(this.filesDir, { recursive: true });
		await writeFile(join(this.nodesDir, 'package.json'), '{"private":true}\n');
		const result = await runProcess(
			'npm',
			[
				'install',
				'--omit=peer',
				'--ignore-scripts',
				'--no-audit',
				'--no-fund',
				'--no-save',
				tarball,
			],
			{ cwd: this.nodesDir, env: process.env, timeoutMs: 180_000 },
		);
		if (result.code !== 0) throw new Error(`npm install of ${tarball} failed:\n${result.stderr}`);
	}

	async cli(args, timeoutMs = 120_000, stdoutFile = undefined) {
		return await runProcess(this.bin, args, { env: this.env, timeoutMs, stdoutFile });
	}

	async importCredentials(credentials) {
		const file = join(this.userFolder, 'import-credentials.json');
		await writeFile(file, JSON.stringify(credentials, null, '\t'));
		const result = await this.cli(['import:credentials', `--input=${file}`]);
		if (result.code !== 0 || !/Successfully imported/.test(result.stdout + result.stderr)) {
			throw new Error(`import:credentials failed:\n${tail(result.stdout + result.stderr)}`);
		}
	}

	async importWorkflows(workflows) {
		const dir = join(this.userFolder, 'import-workflows');
		await mkdir(dir, { recursive: true });
		for (const workflow of workflows) {
			// n8n 1.x saves a workflow's static data (cursors) only when its id has at most 16 characters.
			if (!workflow.id || workflow.id.length > 16)
				throw new Error(`workflow id "${workflow.id}" must have 1 to 16 characters`);
			await writeFile(join(dir, `${workflow.id}.json`), JSON.stringify(workflow, null, '\t'));
		}
		const result = await this.cli(['import:workflow', '--separate', `--input=${dir}`]);
		if (result.code !== 0 || !/Successfully imported/.test(result.stdout + result.stderr)) {
			throw new Error(`import:workflow failed:\n${tail(result.stdout + result.stderr)}`);
		}
	}

	/**
	 * `n8n execute --id --rawOutput` (never --file: it exits 0 without running anything).
	 * Resolves with the exit code, the run JSON printed after the log lines, and the raw output.
	 */
	async execute(id, timeoutMs = 120_000) {
		// Kept beside the user folder: the whole run as n8n printed it, for a failed case.
		const out = join(this.userFolder, `execute-${id}-${++this.executions}.out`);
		const result = await this.cli(['execute', `--id=${id}`, '--rawOutput'], timeoutMs, out);
		return { ...result, run: parseRunJson(result.stdout) };
	}

	/** `n8n start` in the background; resolves once /healthz/readiness and the REST API answer. */
	async start() {
		this.server = startProcess(this.bin, ['start'], { env: this.env, logFile: this.logFile });
		await waitFor(
			async () => {
				if (this.server.exitCode !== null)
					throw new Error(`n8n start exited with ${this.server.exitCode}; see ${this.logFile}`);
				const response = await fetch(`${this.url}/healthz/readiness`);
				if (!response.ok) return false;
				// n8n 1.x answers readiness before its REST routes are mounted: wait for them too.
				return (await fetch(`${this.url}/rest/settings`)).ok;
			},
			{ timeoutMs: 90_000, intervalMs: 500, what: `n8n on ${this.url}` },
		);
		return new N8nRest(this.url, this.home);
	}
}

/**
 * The JSON document n8n prints between its log lines (the task runner may log after it), or
 * null. It is pretty-printed: it starts with a line "{" and ends with the first line "}".
 */
export function parseRunJson(stdout) {
	const start = /^\{\s*$/m.exec(stdout);
	if (!start) return null;
	const end = /^\}\s*$/m.exec(stdout.slice(start.index));
	if (!end) return null;
	try {
		return JSON.parse(stdout.slice(start.index, start.index + end.index + end[0].length));
	} catch {
		return null;
	}
}

export function tail(text, lines = 25) {
	return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** The items one node put on one output, from a run's `resultData.runData`. */
export function nodeItems(runData, nodeName, output = 0, runIndex = 0) {
	const run = runData?.[nodeName]?.[runIndex];
	return run?.data?.main?.[output] ?? [];
}

/** The first error n8n recorded in a run, as a line of text. */
export function runError(run) {
	const error = run?.data?.resultData?.error;
	if (!error) return null;
	return [error.node?.name, error.message, error.description].filter(Boolean).join(': ');
}

/** Runs one workflow by `n8n execute`; fails the case unless n8n exited 0 with a run and no error. */
export async function executeOk(env, id) {
	const result = await env.n8n.execute(id);
	const error = runError(result.run);
	// n8n 1.x on Node 24 now and then dies of SIGSEGV while shutting down, after it printed a whole
	// successful run: the run counts (the crash is said in the log), any other exit fails the case.
	const crashedAfterRun =
		result.signal === 'SIGSEGV' && !error && (result.run?.status === 'success' || result.run?.finished === true);
	if (crashedAfterRun) console.warn(`note: n8n execute --id=${id} printed a successful run, then died of SIGSEGV while exiting`);
	if ((result.code !== 0 && !crashedAfterRun) || !result.run || error) {
		const how = result.timedOut ? 'timed out' : `exited ${result.code ?? result.signal}`;
		const detail =
			error ??
			(result.run ? '' : 'no run JSON on stdout; ') + tail(result.stderr || result.stdout, 30);
		throw new Error(`n8n execute --id=${id} ${how}: ${detail}`);
	}
	return result.run.data.resultData.runData;
}

export const DEMO_OWNER = {
	email: 'demo@audit-log.local',
	firstName: 'Demo',
	lastName: 'User',
	password: 'AuditLogDemo1',
};

/** The REST API the editor uses, with the owner's session cookie. */
export class N8nRest {
	constructor(url, n8nHome) {
		this.url = url;
		this.cookie = '';
		this.browserId = 'n8n-nodes-audit-log-e2e';
		// The execution data is stored "flatted" (a JSON encoding of object graphs); n8n ships the parser.
		this.flatted = createRequire(join(n8nHome, 'node_modules', 'n8n', 'package.json'))('flatted');
		this.version = n8nVersion(n8nHome);
	}

	async request(method, path, body) {
		const response = await fetch(`${this.url}/rest${path}`, {
			method,
			headers: {
				'content-type': 'application/json',
				'browser-id': this.browserId,
				...(this.cookie ? { cookie: this.cookie } : {}),
			},
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const setCookie = response.headers.getSetCookie?.() ?? [];
		const auth = setCookie.find((c) => c.startsWith('n8n-auth='));
		if (auth) this.cookie = auth.split(';')[0];
		const text = await response.text();
		if (!response.ok)
			throw new Error(`n8n ${method} ${path}: ${response.status} ${text.slice(0, 500)}`);
		const parsed = text ? JSON.parse(text) : null;
		return parsed && typeof parsed === 'object' && 'data' in parsed ? parsed.data : parsed;
	}

	/** Owner setup on a fresh instance, a login on one already set up. */
	async signIn(owner = DEMO_OWNER) {
		const settings = await this.request('GET', '/settings');
		if (settings?.userManagement?.showSetupOnFirstLoad !== false) {
			try {
				return await this.request('POST', '/owner/setup', owner);
			} catch (error) {
				if (!/already|400/.test(error.message)) throw error;
			}
		}
		return await this.request('POST', '/login', {
			emailOrLdapLoginId: owner.email,
			password: owner.password,
		});
	}

	workflow(id) {
		return this.request('GET', `/workflows/${id}`);
	}

	/**
	 * The node type descriptions the editor loads (with the codex n8n adds from each *.node.json):
	 * /types/nodes.json, which lists the community packages' nodes too.
	 */
	async nodeTypes() {
		const response = await fetch(`${this.url}/types/nodes.json`, {
			headers: this.cookie ? { cookie: this.cookie } : {},
		});
		if (!response.ok) throw new Error(`n8n GET /types/nodes.json: ${response.status}`);
		return await response.json();
	}

	/** What the editor does on Publish (n8n 2.x calls activation "publishing" a version). */
	async activate(id) {
		const { versionId } = await this.workflow(id);
		return await this.request('POST', `/workflows/${id}/activate`, { versionId });
	}

	async deactivate(id) {
		return await this.request('POST', `/workflows/${id}/deactivate`, {});
	}

	/**
	 * "Execute workflow" in the editor: a manual run from a trigger; up to `destination` only
	 * (inclusive) when given, as "Fetch Test Event" on the trigger itself does.
	 */
	async runManually(id, triggerName, destination) {
		const body = { triggerToStartFrom: { name: triggerName } };
		if (destination) body.destinationNode = { nodeName: destination, mode: 'inclusive' };
		// n8n 1.x runs the workflow the editor sends with the request (2.x reads the saved one).
		if (this.version.startsWith('1.')) body.workflowData = await this.workflow(id);
		const result = await this.request('POST', `/workflows/${id}/run`, body);
		if (!result?.executionId)
			throw new Error(`manual run of ${id} started no execution: ${JSON.stringify(result)}`);
		return result.executionId;
	}

	/** Executions of a workflow, newest first: `[{id, status, mode, startedAt, stoppedAt}]`. */
	async executions(workflowId) {
		const filter = encodeURIComponent(JSON.stringify({ workflowId }));
		const data = await this.request('GET', `/executions?filter=${filter}&limit=100`);
		return data?.results ?? [];
	}

	/**
	 * One finished execution with its run data unflatted: `{status, mode, data: {resultData}}`.
	 * n8n 1.x can show an execution as successful before its run data is written (it logs "Found
	 * successful execution where data is empty stringified array" and answers `[]`, or the data
	 * as it was before any node ran), which would read as a run with no items: such an answer is
	 * asked again, for up to 10 s.
	 */
	async execution(id) {
		for (let attempt = 0; ; attempt++) {
			const execution = await this.request('GET', `/executions/${id}`);
			if (typeof execution?.data === 'string') execution.data = this.flatted.parse(execution.data);
			const result = Array.isArray(execution?.data) ? undefined : execution?.data?.resultData;
			// A successful run has run at least one node.
			const dataMissing = execution?.status === 'success' && Object.keys(result?.runData ?? {}).length === 0;
			if (!dataMissing || attempt >= 40) return execution;
			await new Promise((resolve) => setTimeout(resolve, 250));
		}
	}

	async waitForExecution(id, timeoutMs = 60_000) {
		return await waitFor(
			async () => {
				const execution = await this.execution(id);
				return execution &&
					execution.finished !== undefined &&
					execution.status !== 'running' &&
					execution.status !== 'new'
					? execution
					: null;
			},
			{ timeoutMs, intervalMs: 300, what: `execution ${id} to finish` },
		);
	}
}
