// 10 000 events through Pangea Log against the simulator, synchronous and asynchronous: all written once, in order.
import { jsonOf } from '../support/auditLog';
import { runPangea } from './fixture';
import { startSimProcess, type SimProcess } from './simProcess';

const EVENTS = 10_000;
let sim: SimProcess;

beforeAll(async () => {
	sim = await startSimProcess(['--pangea', '10']);
});
afterAll(async () => await sim.stop());

async function pangeaEvents(): Promise<number> {
	const stats = (await (await fetch(`${sim.url}/_sim/stats`)).json()) as { data: { pangea: { events: number } } };
	return stats.data.pangea.events;
}

// Timings are printed, never asserted (the machine is shared); what is asserted is that every event is logged once.
it.each([
	['synchronous', false],
	['asynchronous', true],
])('%s: 10 000 events, 10 calls, one hash per event', async (mode, asynchronous) => {
	const before = await pangeaEvents();
	const input = Array.from({ length: EVENTS }, (_, i) => ({ json: { message: `bulk event ${i}`, actor: 'loader' } }));
	const started = performance.now();
	const result = await runPangea(
		{ operation: 'log', logOptions: { async: asynchronous } },
		{ input, credentials: { pangeaAuditApi: { baseUrl: sim.urls.pangea, token: sim.credentials.pangea.token } } },
	);
	const ms = Math.round(performance.now() - started);
	const hashes = jsonOf(result).map((item) => item.hash);
	expect(hashes).toHaveLength(EVENTS);
	expect(new Set(hashes).size).toBe(EVENTS);
	expect((await pangeaEvents()) - before).toBe(EVENTS);
	// The figure the README quotes: printed on purpose.
	// eslint-disable-next-line no-console
	console.log(`Pangea Log ${mode}: ${EVENTS} events in ${ms} ms`);
}, 120_000);
