/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-dangerous-functions -- test-only: starts the vendor simulator as a child process */
// The vendor simulator as a child process (test/simulator/cli.mjs --json) with a client of its /_sim API,
// and the virtual clock the fault suite runs the node on: every wait returns at once and moves the
// transport's clock on, so retries, Retry-After and budgets take no real time and no test depends on
// how fast the machine is.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const CLI = join(__dirname, '..', 'simulator', 'cli.mjs');

export type Vendor = 'cbc' | 'cortex' | 'cisco' | 'pangea';

/** A fault switch (test/simulator/README.md). */
export type FaultSpec = {
	vendor: Vendor | 'presigned' | '*';
	kind: string;
	count?: number;
	skip?: number;
	path?: string;
	delayMs?: number;
	retryAfter?: number | string;
	headers?: Record<string, string>;
	/** `append`: how many records the vendor writes before answering. */
	events?: number;
	/** Pangea `async`: 202s before the result. */
	polls?: number;
};

export type SimInfo = {
	url: string;
	urls: Record<Vendor, string>;
	credentials: {
		cbc: { orgKey: string; apiId: string; apiSecretKey: string };
		cortexAdvanced: { apiKeyId: string; apiKey: string };
		cisco: { clientId: string; apiKey: string };
		pangea: { token: string; configId: string };
	};
};

export type SimStats = {
	requests: Record<Vendor | 'presigned' | 'sim' | 'other', number>;
	routes: Record<string, number>;
	faults: { active: unknown[]; fired: Array<{ kind: string; path: string }> };
	errors: unknown[];
};

export class SimChild {
	private constructor(
		readonly info: SimInfo,
		private readonly child: ChildProcess,
	) {}

	/** Starts `cli.mjs --json` with the given flags; resolves once it printed its URLs. */
	static async start(args: string[]): Promise<SimChild> {
		const child = spawn(process.execPath, [CLI, '--json', '--port', '0', ...args], {
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		const info = await new Promise<SimInfo>((resolve, reject) => {
			let out = '';
			let err = '';
			child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
			child.stdout!.on('data', (chunk: Buffer) => {
				out += chunk.toString();
				const line = out.split('\n').find((l) => l.startsWith('{') && out.includes('\n'));
				if (line) resolve(JSON.parse(line) as SimInfo);
			});
			child.once('exit', (code) => reject(new Error(`simulator exited with ${code}: ${err}`)));
			child.once('error', reject);
		});
		return new SimChild(info, child);
	}

	async stop(): Promise<void> {
		if (this.child.exitCode !== null) return;
		const exited = new Promise((resolve) => this.child.once('exit', resolve));
		this.child.kill('SIGTERM');
		await exited;
	}

	async call<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
		const response = await fetch(`${this.info.url}/_sim${path}`, {
			method,
			headers: body === undefined ? {} : { 'content-type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await response.text();
		if (!response.ok) throw new Error(`simulator ${method} ${path}: ${response.status} ${text}`);
		return (text ? JSON.parse(text) : null) as T;
	}

	/** Back to the seeded data, no faults, zeroed counters; then the given runtime settings. */
	async reset(config: Record<string, unknown> = {}): Promise<void> {
		await this.call('POST', '/reset', {});
		if (Object.keys(config).length > 0) await this.call('POST', '/config', config);
	}

	async setConfig(config: Record<string, unknown>): Promise<void> {
		await this.call('POST', '/config', config);
	}

	async addFaults(specs: FaultSpec[]): Promise<void> {
		if (specs.length > 0) await this.call('POST', '/faults', specs);
	}

	async clearFaults(): Promise<void> {
		await this.call('DELETE', '/faults');
	}

	async stats(): Promise<SimStats> {
		return await this.call<SimStats>('GET', '/stats');
	}

	/** Requests the vendors (and the pre-signed host) were sent, control calls excluded. */
	async vendorRequests(): Promise<number> {
		const { requests } = await this.stats();
		return (
			requests.cbc +
			requests.cortex +
			requests.cisco +
			requests.pangea +
			requests.presigned +
			requests.other
		);
	}

	async appendEvents(
		vendor: Vendor,
		spec: { count?: number; time?: number; events?: object[] },
	): Promise<object[]> {
		return (await this.call<{ added: object[] }>('POST', '/events', { vendor, ...spec })).added;
	}

	/**
	 * Every batch a vendor's read-once queue (CBC) handed out, in order, and whether its answer reached
	 * the client whole (false: a fault cut it, or the client had given up on it).
	 */
	async queueReads(
		vendor: Vendor,
	): Promise<Array<{ key: string; records: Array<Record<string, unknown>>; delivered: boolean }>> {
		return (
			await this.call<{
				reads: Array<{ key: string; records: Array<Record<string, unknown>>; delivered: boolean }>;
			}>('GET', `/queue/${vendor}`)
		).reads;
	}

	/** Every stored record as the vendor returns it (Pangea: the envelope). */
	async records(vendor: Vendor): Promise<Array<Record<string, unknown>>> {
		return (
			await this.call<{ records: Array<Record<string, unknown>> }>('GET', `/records/${vendor}`)
		).records;
	}
}

/**
 * The suite's one clock. `now()` is the real time plus every wait the node made, so the transport
 * sees time pass by exactly what it slept; `sleep` returns at once. Install with the jest.mock in
 * each test file (a factory cannot close over module state, so it reaches this through require).
 */
const realNow = Date.now.bind(Date);

export const virtualTime = {
	slept: 0,
	/** Real time plus the waits: Date.now and the transport's clock both read this in the suite. */
	now: (): number => realNow() + virtualTime.slept,
	sleep: async (ms: number): Promise<void> => {
		virtualTime.slept += Math.max(0, ms);
		await Promise.resolve();
	},
	/**
	 * n8n-workflow's `sleep` for the suite: a pause (no signal) is virtual; a sleep with an abort
	 * signal is a timer someone disarms (a body's silence timeout) and stays real.
	 */
	sleepFor(real: (ms: number, signal?: AbortSignal) => Promise<void>) {
		return async (ms: number, signal?: AbortSignal): Promise<void> =>
			signal ? await real(ms, signal) : await virtualTime.sleep(ms);
	},
	/** Moves the node's clock on without a wait (the next scheduled poll, a minute later). */
	advance(ms: number): void {
		virtualTime.slept += ms;
	},
	reset(): void {
		virtualTime.slept = 0;
	},
};
