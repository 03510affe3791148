// Trigger cases about n8n's schedulers (issue 9, case 1): a vendor that answers slower than the poll
// interval, so the next tick starts a poll while the previous one is still reading. Run by the
// server phase (n8n's classic poller) and by the durable phase (N8N_SCHEDULER_ENABLED,
// N8N_SCHEDULER_POLL_TRIGGERS_ENABLED, N8N_POLLER_DURABLE_CURSORS_ENABLED): either way every event
// comes out once. Uses the simulator's existing `slow` fault (delayMs), no new switch.
import { setTimeout as delay } from 'node:timers/promises';
import { markerOverride, markersIn } from '../lib/checks.mjs';
import { sourceById } from '../lib/sources.mjs';
import { executionsOf, runItems, triggerWorkflow } from './server.mjs';

/** Longer than the one-minute poll interval: the next tick comes while this request is in flight. */
const SLOW_MS = 75_000;
/** Activation, a slow poll overlapped by the next tick, the durable scheduler's back-off, a spare tick. */
const WAIT_MS = 330_000;

const ACTOR_IP = '198.51.100.75';

/** The environment that turns on n8n 2.41's durable poll scheduler. */
export const DURABLE_SCHEDULER_ENV = {
	N8N_SCHEDULER_ENABLED: 'true',
	N8N_SCHEDULER_POLL_TRIGGERS_ENABLED: 'true',
	N8N_POLLER_DURABLE_CURSORS_ENABLED: 'true',
};

function slowVendorCase() {
	const source = sourceById('carbonBlackCloud');
	const id = 'e2eTrigSlowCbc';
	// With a look-back the first poll emits, so both schedulers can be watched through executions
	// (the durable scheduler keeps its cursor outside the workflow's static data).
	// Its own Actor IP (a documentation address): the slow answer is aimed at this workflow's requests
	// only (the fault's `bodyIncludes`), not at another case's poll of the same simulated vendor.
	const workflows = () => [
		triggerWorkflow(id, source, { filters: { actorIp: ACTOR_IP }, options: { includeRaw: false, initialLookback: '1h' } }),
	];
	const trigger = () => workflows()[0].nodes[0].name;
	const append = async (env, tags) =>
		await env.sim.control.appendEvents(source.vendor, { events: tags.map((tag) => markerOverride(source, tag, { actor_ip: ACTOR_IP })) });
	return {
		name: 'trigger activated on a vendor slower than the poll interval: each event once',
		source,
		workflows,
		activation: true,
		async run(env, t) {
			const before = [0, 1].map((i) => `e2e-${id}-a${i}`);
			const between = [0, 1, 2].map((i) => `e2e-${id}-b${i}`);
			await append(env, before);
			await env.rest.activate(id);
			await executionsOf(env, id, 1, WAIT_MS);
			await append(env, between);
			// The next poll's first request takes longer than the interval between two ticks.
			await env.sim.control.call('POST', '/faults', {
				vendor: source.vendor,
				kind: 'slow',
				delayMs: SLOW_MS,
				count: 1,
				bodyIncludes: ACTOR_IP,
			});
			const started = Date.now();
			await executionsOf(env, id, 2, WAIT_MS);
			// One more tick after that: no poll may emit the same events again.
			await delay(Math.max(0, Math.min(WAIT_MS - (Date.now() - started), 70_000)));
			const executions = (await env.rest.executions(id)).filter((e) => e.mode === 'trigger' && e.status !== 'running');
			await env.rest.deactivate(id);
			const emitted = [];
			let timedOut = 0;
			for (const e of executions) {
				const execution = await env.rest.execution(e.id);
				// A poll re-reading its overlap gives a request the full request timeout (60 s; the deadline
				// counts from the first new event, or a vendor slower than the deadline would never move on),
				// so the 75 s answer may fail that one poll, honestly, as a timeout; its cursor stays put.
				if (execution.status === 'error' && /no answer within 60 s/.test(execution.data?.resultData?.error?.message ?? '')) timedOut++;
				else t.succeeded(execution, `execution ${e.id} status`);
				emitted.push(...markersIn(source, runItems(execution, trigger()), `e2e-${id}-`));
			}
			t.ok(timedOut <= 1, `at most the poll that met the slow answer failed, as a timeout (${timedOut} did)`);
			t.equal([...emitted].sort(), [...before, ...between].sort(), 'every event exactly once across all executions');
			const fired = (await env.sim.control.stats()).faults.fired.filter((f) => f.kind === 'slow');
			t.equal(fired.length, 1, 'the slow answer was served');
		},
	};
}

/** Scheduler cases, added to the server phase and to the durable-scheduler phase. */
export function schedulerCases() {
	return [slowVendorCase()];
}
