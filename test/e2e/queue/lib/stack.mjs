// n8n in queue mode for the e2e run: one main and two workers on one PostgreSQL and one Redis, each
// process with its own user folder holding the packed package; kill, restart and "who ran it".
import { cp, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { N8nInstance, N8nRest } from '../../lib/n8n.mjs';
import { freePort, startProcess, stopProcess, waitFor } from '../../lib/proc.mjs';

/**
 * What every process of the stack shares. Bull's lock is shortened (20 s instead of 60 s, checked
 * every 5 s) and the leader's queue recovery runs every 30 s instead of every 3 hours, so that a
 * killed worker's execution is declared stalled and marked crashed within the run; n8n's own
 * behaviour is the same with the defaults, only later.
 */
function queueEnv({ redisPort, pg }) {
	return {
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(redisPort),
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: '127.0.0.1',
		DB_POSTGRESDB_PORT: String(pg.port),
		DB_POSTGRESDB_DATABASE: pg.database,
		DB_POSTGRESDB_USER: pg.user,
		DB_POSTGRESDB_PASSWORD: pg.password,
		// The mode n8n picks by itself in queue mode (n8n-core BinaryDataConfig); filesystem would
		// leave a worker's file on the worker's disk, out of the main process's reach.
		N8N_DEFAULT_BINARY_DATA_MODE: 'database',
		// Manual runs ("Execute workflow") go to the workers too, as n8n will do by default.
		OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
		QUEUE_WORKER_LOCK_DURATION: '20000',
		QUEUE_WORKER_LOCK_RENEW_TIME: '5000',
		QUEUE_WORKER_STALLED_INTERVAL: '5000',
		N8N_EXECUTIONS_QUEUE_RECOVERY_INTERVAL: '0.5',
		N8N_LOG_LEVEL: 'info',
		N8N_LOG_OUTPUT: 'console',
		N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '5',
		EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
		EXECUTIONS_DATA_SAVE_ON_ERROR: 'all',
		EXECUTIONS_DATA_PRUNE: 'false',
	};
}

/** The REST API of the main process, with what the queue cases need beyond the e2e client. */
export class QueueRest extends N8nRest {
	/** A workflow created over the API (the editor's "save"); resolves with its id. */
	async createWorkflow(workflow) {
		const { id: _ignored, active: _active, pinData: _pin, ...body } = workflow;
		const created = await this.request('POST', '/workflows', body);
		return created.id;
	}

	/** All executions of a workflow (any status), oldest first. */
	async allExecutions(workflowId) {
		const list = [];
		let lastId;
		for (let page = 0; page < 50; page++) {
			const filter = encodeURIComponent(JSON.stringify({ workflowId }));
			const last = lastId ? `&lastId=${lastId}` : '';
			const data = await this.request('GET', `/executions?filter=${filter}&limit=100${last}`);
			const results = data?.results ?? [];
			list.push(...results);
			if (results.length < 100) break;
			lastId = results.at(-1).id;
		}
		return list.sort((a, b) => Number(a.id) - Number(b.id));
	}

	/** "Retry (with the original workflow)" in the editor; resolves with the new execution's id or null. */
	async retry(executionId) {
		return await this.request('POST', `/executions/${executionId}/retry`, { loadWorkflow: false });
	}

	/** The bytes of a binary property of a finished execution, downloaded as the editor does. */
	async binaryData(binary) {
		const query = new URLSearchParams({ id: binary.id, action: 'download' });
		if (binary.fileName) query.set('fileName', binary.fileName);
		if (binary.mimeType) query.set('mimeType', binary.mimeType);
		const response = await fetch(`${this.url}/rest/binary-data?${query}`, {
			headers: { cookie: this.cookie, 'browser-id': this.browserId },
		});
		if (!response.ok)
			throw new Error(`binary data ${binary.id}: ${response.status} ${await response.text()}`);
		return Buffer.from(await response.arrayBuffer());
	}
}

export class QueueStack {
	constructor({ n8nHome, tarball, dir, redisPort, pg, log }) {
		this.n8nHome = n8nHome;
		this.bin = join(n8nHome, 'node_modules', '.bin', 'n8n');
		this.tarball = tarball;
		this.dir = dir;
		this.env = queueEnv({ redisPort, pg });
		this.log = log;
		this.workers = [];
		this.mainRestarts = 0;
		this.replacements = 0;
	}

	async instance(name, extraEnv = {}) {
		const dir = join(this.dir, name);
		await mkdir(dir, { recursive: true });
		const port = await freePort();
		return new N8nInstance({
			bin: this.bin,
			home: this.n8nHome,
			userFolder: join(dir, 'user'),
			filesDir: join(dir, 'files'),
			port,
			brokerPort: await freePort(),
			logFile: join(dir, 'n8n.log'),
			extraEnv: { ...this.env, ...extraEnv },
		});
	}

	/** The package installed once with npm, then copied into each process's user folder. */
	async prepare(workerCount) {
		this.main = await this.instance('main');
		await this.main.installPackage(this.tarball);
		for (let i = 1; i <= workerCount; i++) this.workers.push(await this.newWorker(`worker${i}`));
		this.everyWorker = [...this.workers];
	}

	async newWorker(name) {
		const healthPort = await freePort();
		const worker = await this.instance(name, {
			QUEUE_HEALTH_CHECK_ACTIVE: 'true',
			QUEUE_HEALTH_CHECK_PORT: String(healthPort),
			N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
		});
		worker.name = name;
		worker.healthPort = healthPort;
		await mkdir(worker.filesDir, { recursive: true });
		await cp(this.main.nodesDir, worker.nodesDir, { recursive: true });
		return worker;
	}

	/**
	 * A killed worker replaced the way a container platform does it: a new process with a new,
	 * empty user folder (the package installed, no event log of the dead one).
	 */
	async replaceWorker(dead) {
		const fresh = await this.newWorker(
			`${dead.name.replace(/-r\d+$/, '')}-r${++this.replacements}`,
		);
		this.workers[this.workers.indexOf(dead)] = fresh;
		this.everyWorker.push(fresh);
		await this.startWorker(fresh);
		return fresh;
	}

	get packageDir() {
		return join(this.main.nodesDir, 'node_modules', 'n8n-nodes-audit-log');
	}

	async startMain() {
		this.rest = await this.main.start();
		Object.setPrototypeOf(this.rest, QueueRest.prototype);
		await this.rest.signIn();
		return this.rest;
	}

	async startWorker(worker) {
		worker.process = startProcess(this.bin, ['worker', '--concurrency=1'], {
			env: worker.env,
			logFile: worker.logFile,
		});
		await waitFor(
			async () => {
				if (worker.process.exitCode !== null)
					throw new Error(
						`${worker.name} exited with ${worker.process.exitCode}; see ${worker.logFile}`,
					);
				const response = await fetch(`http://127.0.0.1:${worker.healthPort}/healthz/readiness`);
				return response.ok;
			},
			{ timeoutMs: 120_000, intervalMs: 500, what: `${worker.name} to be ready` },
		);
	}

	async startWorkers() {
		await Promise.all(this.workers.map((w) => this.startWorker(w)));
	}

	/** SIGKILL to a process group (n8n and its task runner): no shutdown hook runs. */
	async kill(child) {
		try {
			process.kill(-child.pid, 'SIGKILL');
		} catch {
			// Already gone.
		}
		await child.exitPromise;
	}

	async killMain() {
		await this.kill(this.main.server);
	}

	async restartMain() {
		this.mainRestarts++;
		return await this.startMain();
	}

	/** The worker whose log says it started `executionId`, or null. */
	async workerOf(executionId) {
		const pattern = new RegExp(`Worker started execution ${executionId} \\(job`);
		for (const worker of this.everyWorker) {
			const text = await readFile(worker.logFile, 'utf8').catch(() => '');
			if (pattern.test(text)) return worker;
		}
		return null;
	}

	async stop() {
		await Promise.all([
			...this.workers.map((w) => stopProcess(w.process)),
			stopProcess(this.main.server),
		]);
	}
}
