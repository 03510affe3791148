// One in-process measurement in a fresh Node process (so that its peak RSS is its own): the package
// through n8n-core's real helpers against the simulator, and the undici limit over the same requests.
// node test/bench/worker.mjs '<task JSON>' → one JSON line. Tasks: search, trigger.
import { SimulatorClient } from '../e2e/lib/simulator.mjs';
import {
	captureRequests,
	limitLoop,
	loadPackage,
	peakRssMb,
	resetPeakRss,
	runNodeOnce,
	searchAll,
	sourceByVendor,
	VENDOR_OPTIONS,
	benchCredential,
} from './lib/inprocess.mjs';
import { measureRounds } from './lib/stats.mjs';

const task = JSON.parse(process.argv[2]);
const control = new SimulatorClient(task.sim.url);
const source = sourceByVendor(task.vendor);
const pkg = loadPackage();
const capture = captureRequests(pkg);

/**
 * `fn` timed alone, with the requests to the vendor (and its download host) and the 429s the
 * simulator saw meanwhile, and this process's peak RSS.
 */
async function timed(fn) {
	// Cortex counts requests in a sliding second: the previous run's must have left it.
	if (task.settleMs) await new Promise((done) => setTimeout(done, task.settleMs));
	globalThis.gc?.();
	const before = await control.stats();
	resetPeakRss();
	const started = performance.now();
	const value = await fn();
	const ms = performance.now() - started;
	const peakMb = peakRssMb();
	const after = await control.stats();
	const requests = (s) => s.requests[task.vendor] + s.requests.presigned;
	const throttled = (s) => s.violations.filter((v) => /rate-limit|quota/.test(v.kind)).length;
	return {
		value,
		ms,
		peakMb,
		requests: requests(after) - requests(before),
		throttled: throttled(after) - throttled(before),
		events: after.data[task.vendor].events,
	};
}

/** Return All: ours and the limit alternate, round by round; every event must come out once. */
async function search() {
	let captured = [];
	let checked = null;
	// The warm-up round is the first run in this fresh process: cold, as each \`n8n execute\` is.
	let firstMs = null;
	const figures = await measureRounds(
		task.rounds,
		async (round) => {
			if (round === 0) capture.log = [];
			const ours = await timed(() => runNodeOnce(pkg, source, task.sim, searchAll(task.vendor)));
			if (round === 0) {
				firstMs = ours.ms;
				captured = capture.log;
				capture.log = null;
			}
			if (ours.value.length !== ours.events)
				throw new Error(
					`${task.vendor}: search returned ${ours.value.length} of ${ours.events} events`,
				);
			checked = ours.events;
			const limit = await timed(() => limitLoop(captured, { perSecond: task.perSecond ?? 0 }));
			if (limit.value < ours.events)
				throw new Error(
					`${task.vendor}: limit loop read ${limit.value} rows, fewer than ${ours.events}`,
				);
			return {
				oursMs: ours.ms,
				oursRequests: ours.requests,
				oursPeakMb: ours.peakMb,
				oursThrottled: ours.throttled,
				limitMs: limit.ms,
				limitRequests: limit.requests,
				limitThrottled: limit.throttled,
			};
		},
		task.warmup ?? 1,
	);
	return { events: checked, firstMs, ...figures };
}

/**
 * The trigger's steady state on an active workflow's schedule (its cursor lives on between polls,
 * as n8n keeps static data): a poll with nothing new, one after `newEvents` were written, and one
 * right after that (the overlap, 1 minute by default, is read again).
 */
async function trigger() {
	const poll = (staticData) =>
		pkg.harness.runPoll({
			nodeType: new pkg.AuditLogTrigger(),
			mode: 'trigger',
			parameters: {
				source: source.id,
				options: { maxEventsPerPoll: task.newEvents, ...VENDOR_OPTIONS[task.vendor] },
			},
			credentials: { [source.credentialType]: benchCredential(source, task.sim) },
			credentialTypes: pkg.credentialTypes,
			staticData,
		});
	const emitted = (output) => output?.[0]?.length ?? 0;
	// Nothing new: a fresh activation (the cursor starts at now), then its next poll. Measured
	// before any event is written, so that the overlap holds nothing either.
	const idle = await measureRounds(
		task.rounds,
		async () => {
			const staticData = {};
			await poll(staticData);
			// Scheduled polls are a minute apart: at least past the vendor's time precision (Cisco: seconds).
			await new Promise((done) => setTimeout(done, 1100));
			const r = await timed(() => poll(staticData));
			return { idleMs: r.ms, idleRequests: r.requests, idleItems: emitted(r.value) };
		},
		0,
	);
	const staticData = {};
	await poll(staticData);
	const busy = await measureRounds(
		task.rounds,
		async () => {
			await control.appendEvents(task.vendor, { count: task.newEvents });
			// The simulator stamps the N new events 1 ms apart from its now: the next scheduled poll
			// comes once the last of them is past, and past the vendor's precision (Cisco: seconds).
			await new Promise((done) => setTimeout(done, task.newEvents + 2000));
			const r = await timed(() => poll(staticData));
			// Events the package holds back (the vendor's last instant may still fill) follow on later polls.
			let total = emitted(r.value);
			for (let extra = 0; extra < 2 && total < task.newEvents; extra++) {
				await new Promise((done) => setTimeout(done, 1100));
				total += emitted(await poll(staticData));
			}
			if (total !== task.newEvents)
				throw new Error(`${task.vendor}: ${task.newEvents} new events, 3 polls emitted ${total}`);
			const after = await timed(() => poll(staticData));
			return {
				busyMs: r.ms,
				busyRequests: r.requests,
				busyItems: emitted(r.value),
				afterMs: after.ms,
				afterRequests: after.requests,
			};
		},
		0,
	);
	return { ...idle, ...busy };
}

const TASKS = { search, trigger };
try {
	if (task.config) await control.call('POST', '/config', task.config);
	const result = await TASKS[task.kind]();
	console.log(JSON.stringify({ ok: true, result }));
} catch (error) {
	console.log(JSON.stringify({ ok: false, error: String(error?.stack ?? error) }));
}
process.exit(0);
