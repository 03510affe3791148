// Cases 1 and 2: the Audit Log Trigger of every source, active for several polls while events arrive,
// in queue mode. Case 1 workflows deliver at once; case 2 workflows hold each execution 8 s on the
// worker, and one worker is SIGKILLed while it holds one; the main process is SIGKILLed and restarted
// between two polls (both sets of workflows live through that restart: there is one main).
import { setTimeout as delay } from 'node:timers/promises';
import { auditLogTriggerNode, workflow } from '../../lib/workflows.mjs';
import { waitFor } from '../../lib/proc.mjs';
import { Appended, itemsOf, tally } from '../lib/ledger.mjs';
import { everyMinuteAt, noOp, waitSeconds } from '../lib/nodes.mjs';

const TRIGGER = 'Audit Log Trigger';
const HOLD = 'Hold';
const DELIVER = 'Deliver';
export const HOLD_SECONDS = 8;
/** Events appended to each source per batch, and the pause between batches. */
const BATCH = 2;
const BATCH_EVERY_MS = 10_000;
const FINISHED = new Set(['success', 'error', 'crashed', 'canceled']);

function triggerWorkflow(name, source, second, hold) {
	const trigger = auditLogTriggerNode(TRIGGER, source, {
		pollTimes: everyMinuteAt(second),
		filters: {},
		options: { includeRaw: false },
	});
	const nodes = hold
		? [trigger, waitSeconds(HOLD, HOLD_SECONDS), noOp(DELIVER)]
		: [trigger, noOp(DELIVER)];
	const edges = hold
		? [
				[TRIGGER, HOLD],
				[HOLD, DELIVER],
			]
		: [[TRIGGER, DELIVER]];
	return workflow(undefined, name, nodes, edges);
}

function watermarkSaved(staticData) {
	return /"watermark":\d+/.test(JSON.stringify(staticData ?? {}));
}

export class TriggerCases {
	/** `sources`: E2E rows wired to `sim`; `second`: the second of each minute the polls run at. */
	constructor({ stack, sim, sources, second, log }) {
		this.stack = stack;
		this.sim = sim;
		this.sources = sources;
		this.second = second;
		this.log = log;
		this.flows = [];
		this.appended = new Map();
		this.killed = [];
		this.batches = 0;
	}

	get rest() {
		return this.stack.rest;
	}

	/** Wall-clock ms of the first poll at `second` strictly after `afterMs`. */
	nextPoll(afterMs) {
		const minute = Math.floor(afterMs / 60_000) * 60_000;
		let at = minute + this.second * 1000;
		while (at <= afterMs) at += 60_000;
		return at;
	}

	async activate() {
		for (const source of this.sources) {
			this.appended.set(source.id, new Appended(source, `qm-trig-${source.short}`));
			for (const hold of [false, true]) {
				const name = `queue e2e: trigger ${source.label}${hold ? ' held on the worker' : ''}`;
				const id = await this.rest.createWorkflow(triggerWorkflow(name, source, this.second, hold));
				this.flows.push({ id, source, hold, caseNo: hold ? 2 : 1 });
			}
		}
		await Promise.all(this.flows.map((f) => this.rest.activate(f.id)));
		// The activation poll saves the cursor at "now" (no look-back): events after it are new.
		await waitFor(
			async () => {
				for (const f of this.flows)
					if (!watermarkSaved((await this.rest.workflow(f.id)).staticData)) return false;
				return true;
			},
			{ timeoutMs: 60_000, intervalMs: 1000, what: 'every activation poll to save its cursor' },
		);
	}

	/** Appends a batch to every source every 10 s until `stopAppending`. */
	startAppending() {
		this.appending = true;
		this.appender = (async () => {
			while (this.appending) {
				await Promise.all(this.sources.map((s) => this.appended.get(s.id).append(this.sim, BATCH)));
				this.batches++;
				const until = Date.now() + BATCH_EVERY_MS;
				while (this.appending && Date.now() < until) await delay(250);
			}
		})();
	}

	async stopAppending() {
		this.appending = false;
		await this.appender;
	}

	/**
	 * Waits for a held (case 2) execution to start on a worker, SIGKILLs that worker while the
	 * execution waits in it, and starts a fresh worker process in its place.
	 */
	async killWorkerMidExecution(timeoutMs, path, { beforeRestart } = {}) {
		const held = this.flows.filter((f) => f.hold);
		const found = await waitFor(
			async () => {
				for (const f of held) {
					for (const e of await this.rest.allExecutions(f.id)) {
						if (e.status !== 'running' || this.killed.some((k) => k.executionId === e.id)) continue;
						const worker = await this.stack.workerOf(e.id);
						if (worker) return { flow: f, executionId: e.id, worker };
					}
				}
				return null;
			},
			{ timeoutMs, intervalMs: 300, what: 'a held trigger execution running on a worker' },
		);
		await this.stack.kill(found.worker.process);
		// What the execution carried when its worker died, read before n8n settles its fate.
		const carried = itemsOf(await this.rest.execution(found.executionId), TRIGGER);
		const killed = {
			path,
			executionId: found.executionId,
			worker: found.worker.name,
			flow: found.flow,
			carried,
		};
		this.killed.push(killed);
		this.log(
			`${path}: SIGKILLed ${found.worker.name} while it ran execution ${found.executionId} (${found.flow.source.label}, ${carried.length} events)`,
		);
		await beforeRestart?.(killed);
		const fresh = await this.stack.replaceWorker(found.worker);
		this.log(`${found.worker.name} replaced by ${fresh.name} (a new user folder)`);
		return killed;
	}

	/** Waits until n8n gives a killed execution a final status; sets `settled` to it. */
	async untilFinished(killed, timeoutMs) {
		const execution = await waitFor(
			async () => {
				const e = await this.rest.execution(killed.executionId);
				return FINISHED.has(e.status) ? e : null;
			},
			{ timeoutMs, intervalMs: 1000, what: `killed execution ${killed.executionId} to be settled` },
		);
		killed.settled = execution.status;
		return execution;
	}

	async settled(timeoutMs) {
		await waitFor(
			async () => {
				for (const f of this.flows)
					for (const e of await this.rest.allExecutions(f.id))
						if (!FINISHED.has(e.status) && !this.killed.some((k) => k.executionId === e.id))
							return false;
				return true;
			},
			{ timeoutMs, intervalMs: 1000, what: 'every trigger execution to finish' },
		);
	}

	async deactivate() {
		await Promise.all(this.flows.map((f) => this.rest.deactivate(f.id).catch(() => {})));
	}

	/**
	 * n8n's part after a worker died: the execution is not re-run (Bull's maxStalledCount is 0);
	 * queue recovery marks it crashed; its stored input can be retried. Waits for the crash mark,
	 * then retries it as a user would, and waits for the retry.
	 */
	async recoverKilled(timeoutMs) {
		const results = [];
		for (const k of this.killed) {
			const crashed = await waitFor(
				async () => {
					const e = await this.rest.execution(k.executionId);
					return FINISHED.has(e.status) ? e : null;
				},
				{
					timeoutMs,
					intervalMs: 1000,
					what: `killed execution ${k.executionId} to be marked finished`,
				},
			);
			k.status = crashed.status;
			k.storedItems = itemsOf(crashed, TRIGGER).length;
			k.error = crashed.data?.resultData?.error?.message ?? null;
			try {
				await this.rest.retry(k.executionId);
			} catch (error) {
				k.retryError = error.message;
			}
			results.push(k);
		}
		for (const k of this.killed.filter((x) => !x.retryError)) {
			await waitFor(
				async () => {
					const list = await this.rest.allExecutions(k.flow.id);
					const retry = list.find(
						(e) => String(e.retryOf) === String(k.executionId) && FINISHED.has(e.status),
					);
					if (retry) k.retry = retry;
					return retry;
				},
				{ timeoutMs, intervalMs: 1000, what: `the retry of execution ${k.executionId}` },
			);
		}
		return results;
	}

	/**
	 * Per workflow: what its trigger emitted across all executions that a poll started (a retry
	 * re-runs one of those and is not a new emission), and what reached Deliver in the executions
	 * that succeeded (retries included).
	 */
	async results() {
		const out = [];
		for (const f of this.flows) {
			const list = await this.rest.allExecutions(f.id);
			const full = [];
			for (const e of list) full.push(await this.rest.execution(e.id));
			const polled = full.filter((e) => !e.retryOf);
			const emitted = polled.flatMap((e) => itemsOf(e, TRIGGER));
			const delivered = full
				.filter((e) => e.status === 'success')
				.flatMap((e) => itemsOf(e, DELIVER));
			const appended = this.appended.get(f.source.id);
			out.push({
				flow: f,
				executions: full.length,
				statuses: countBy(full.map((e) => `${e.mode}:${e.status}`)),
				emitted: tally(f.source, appended, emitted),
				delivered: tally(f.source, appended, delivered, { ordered: false }),
			});
		}
		return out;
	}
}

function countBy(values) {
	const counts = {};
	for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
	return counts;
}
