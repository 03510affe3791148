// Child processes of the e2e run and the demo: each in its own process group, all torn down on exit.
import { spawn } from 'node:child_process';
import { appendFileSync, closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

const running = new Set();

/**
 * Every child is listed in `running` until it exits. With PROC_PID_FILE set, its process group
 * is also written to that file, so that the calling shell script can still end it if this
 * process itself is killed (SIGKILL skips every handler).
 */
function track(child) {
	running.add(child);
	if (process.env.PROC_PID_FILE && child.pid)
		appendFileSync(process.env.PROC_PID_FILE, `${child.pid}\n`);
	child.exitPromise = new Promise((resolve) => {
		child.once('exit', (code, signal) => resolve({ code, signal }));
		// A command that could not start never exits.
		child.once('error', (error) => resolve({ code: null, signal: null, error }));
	});
	child.exitPromise.then(() => running.delete(child));
	return child;
}

function killGroup(child, signal) {
	try {
		// Negative pid: the whole group, so n8n's task runner goes with n8n.
		process.kill(-child.pid, signal);
	} catch {
		// Already gone.
	}
}

function exited(child) {
	return child.exitCode !== null || child.signalCode !== null || !child.pid;
}

/**
 * Starts a long-lived process (simulator, `n8n start`) with its output appended to `logFile`.
 * It is stopped by `stopProcess`, `stopAll`, or at the latest when this process exits.
 */
export function startProcess(command, args, { env, cwd, logFile }) {
	const fd = logFile ? openSync(logFile, 'a') : 'ignore';
	const child = spawn(command, args, { env, cwd, detached: true, stdio: ['ignore', fd, fd] });
	if (typeof fd === 'number') closeSync(fd);
	return track(child);
}

/** SIGTERM to the group, SIGKILL after `graceMs`; resolves once the leader has exited. */
export async function stopProcess(child, graceMs = 8000) {
	if (!child || exited(child)) return;
	killGroup(child, 'SIGTERM');
	const done = await Promise.race([
		child.exitPromise.then(() => true),
		delay(graceMs).then(() => false),
	]);
	if (!done) {
		killGroup(child, 'SIGKILL');
		await child.exitPromise;
	}
	// The leader may exit before its children (n8n's task runner): make sure of the group.
	killGroup(child, 'SIGKILL');
}

export async function stopAll() {
	await Promise.all([...running].map((child) => stopProcess(child)));
}

/** Last resort from an `exit` handler, where nothing asynchronous runs any more. */
export function killAllNow() {
	for (const child of running) killGroup(child, 'SIGKILL');
}

/** Stops every child on Ctrl-C, SIGTERM (the outer `timeout`) and on exit. */
export function tearDownOnExit(onSignal) {
	process.once('exit', killAllNow);
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
		process.once(signal, async () => {
			await onSignal?.(signal);
			await stopAll();
			process.exit(signal === 'SIGINT' ? 130 : 143);
		});
	}
}

/**
 * Runs a command to completion and collects its output. A run past `timeoutMs` is killed
 * (with its group) and reported with `timedOut`.
 */
export function runProcess(command, args, { env, cwd, timeoutMs = 120_000, stdoutFile } = {}) {
	const started = Date.now();
	return new Promise((resolve, reject) => {
		// A file, not a pipe, when the output must arrive whole: `n8n execute` once exited 0 with its run
		// JSON cut short on a pipe (the run it printed was complete; the end never reached the pipe).
		const outFd = stdoutFile ? openSync(stdoutFile, 'w') : 'pipe';
		const child = track(
			spawn(command, args, { env, cwd, detached: true, stdio: ['ignore', outFd, 'pipe'] }),
		);
		if (stdoutFile) closeSync(outFd);
		const stdout = [];
		const stderr = [];
		child.stdout?.on('data', (chunk) => stdout.push(chunk));
		child.stderr.on('data', (chunk) => stderr.push(chunk));
		let timedOut = false;
		const timer = setTimeout(() => {
			timedOut = true;
			killGroup(child, 'SIGKILL');
		}, timeoutMs);
		child.once('error', (error) => {
			clearTimeout(timer);
			reject(error);
		});
		child.once('close', (code, signal) => {
			clearTimeout(timer);
			// Children it left behind (a task runner) go too.
			killGroup(child, 'SIGKILL');
			resolve({
				code,
				signal,
				timedOut,
				ms: Date.now() - started,
				stdout: stdoutFile ? readFileSync(stdoutFile, 'utf8') : Buffer.concat(stdout).toString('utf8'),
				stderr: Buffer.concat(stderr).toString('utf8'),
			});
		});
	});
}

/** A TCP port free on 127.0.0.1 right now (the OS picks it). */
export async function freePort() {
	const server = createServer();
	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', resolve);
	});
	const { port } = server.address();
	await new Promise((resolve) => server.close(resolve));
	return port;
}

/** Polls `check` until it returns a truthy value; throws naming `what` after `timeoutMs`. */
export async function waitFor(
	check,
	{ timeoutMs = 30_000, intervalMs = 500, what = 'condition' } = {},
) {
	const deadline = Date.now() + timeoutMs;
	let lastError;
	while (Date.now() < deadline) {
		try {
			const value = await check();
			if (value) return value;
		} catch (error) {
			lastError = error;
		}
		await delay(intervalMs);
	}
	const reason = lastError ? ` (last error: ${lastError.message})` : '';
	throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${reason}`);
}
