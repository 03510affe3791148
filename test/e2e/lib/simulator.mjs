// The vendor simulator as a child process (test/simulator/cli.mjs --json) and a client of its /_sim API.
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { startProcess, waitFor } from './proc.mjs';

const CLI = fileURLToPath(new URL('../../simulator/cli.mjs', import.meta.url));

/**
 * Starts the simulator; resolves with its URLs, credentials and a control client. Its pre-signed
 * download URLs name another host (localhost instead of 127.0.0.1), as the vendors' storage does.
 */
export async function startSimulator({ port, args = [], logFile, env = process.env }) {
	// The start-up line is read back from the log: an old run's must not be taken for it.
	await writeFile(logFile, '');
	const child = startProcess(
		process.execPath,
		[
			CLI,
			'--json',
			'--port',
			String(port),
			'--set',
			`presignedBaseUrl=http://localhost:${port}`,
			...args,
		],
		{ env, logFile },
	);
	const info = await waitFor(
		async () => {
			if (child.exitCode !== null) throw new Error(`simulator exited with ${child.exitCode}`);
			const first = (await readFile(logFile, 'utf8'))
				.split('\n')
				.find((line) => line.startsWith('{'));
			return first ? JSON.parse(first) : null;
		},
		{ timeoutMs: 20_000, intervalMs: 100, what: 'the simulator to listen' },
	);
	return { ...info, child, control: new SimulatorClient(info.url) };
}

export class SimulatorClient {
	constructor(url) {
		this.url = url;
	}

	async call(method, path, body) {
		const response = await fetch(`${this.url}/_sim${path}`, {
			method,
			headers: body === undefined ? {} : { 'content-type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await response.text();
		if (!response.ok) throw new Error(`simulator ${method} ${path}: ${response.status} ${text}`);
		return text ? JSON.parse(text) : null;
	}

	/** `{requests, routes, violations, authFailures, faults, data, errors}`. */
	stats() {
		return this.call('GET', '/stats');
	}

	/** Appends events stamped with the simulated now; resolves with the records as the vendor returns them. */
	async appendEvents(vendor, spec) {
		return (await this.call('POST', '/events', { vendor, ...spec })).added;
	}

	/** `{name, count, items: [{at, contentType, authorization, body, raw}]}`. */
	webhook(name) {
		return this.call('GET', `/webhook/${name}`);
	}

	reset(only) {
		return this.call('POST', '/reset', only ? { only } : {});
	}
}

/** Requests per route whose key contains `fragment` (e.g. `/_queue`), from a stats snapshot. */
export function routeCount(stats, fragment) {
	return Object.entries(stats.routes)
		.filter(([route]) => route.includes(fragment))
		.reduce((sum, [, count]) => sum + count, 0);
}
