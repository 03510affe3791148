// The trigger as n8n's schedulers really run it (issue 9): overlapping polls on one state, a poll
// past its deadline, the read-once queue's filters and failures, Max Events validated, and the
// manual "Fetch Test Event" that reads a bounded window and says when nothing matches.
import nock from 'nock';
import { NodeApiError } from 'n8n-workflow';

import { getSource } from '../../nodes/shared/sources';
import { carbonBlackCloud } from '../../nodes/shared/sources/carbonBlackCloud';
import { registeredVendors } from '../model/emulators';
import { CBC_QUEUE_BATCH, cbcModel } from '../model/emulators/cbc';
import type { ModelVendor } from '../model/emulators/store';
import { useVirtualClock, VirtualClock } from '../model/http';
import { firstIndexes, handHistory, T0, TriggerBench, type EventSpec } from './bench';

const MINUTE = 60_000;
/** Static data key of the trigger's cursor, and the preview's read bound (nodes/shared/queue.ts). */
const CURSOR_KEY = 'triggerCursor';
const PREVIEW_MAX_RECORDS = 1000;
const clock = new VirtualClock(false);

useVirtualClock(clock);

const spaced = (count: number, from: number): EventSpec[] =>
	Array.from({ length: count }, (_, i) => ({ at: from + i * 3000 }));

/**
 * Holds the vendor's first answer until released: a poll in flight for as long as the test wants,
 * as a vendor answering slower than the poll interval keeps it. Registered before the bench, so
 * nock serves the first request here, then the bench's emulator answers it.
 */
function gateFirstRequest(vendor: ModelVendor, bench: () => TriggerBench) {
	let release!: () => void;
	let reached!: () => void;
	const opened = new Promise<void>((resolve) => (release = resolve));
	const arrived = new Promise<void>((resolve) => (reached = resolve));
	let used = false;
	for (const method of ['GET', 'POST'] as const) {
		nock(vendor.baseUrl)
			.intercept(() => !used, method)
			.reply(async (uri, body) => {
				used = true;
				reached();
				await opened;
				const http = bench().http as unknown as {
					answer(m: string, u: string, b: unknown): [number, unknown, Record<string, string>];
				};
				return http.answer(method, uri, body);
			});
	}
	return { arrived, release };
}

describe.each(registeredVendors().map((entry) => [entry.vendor.id, entry.vendor] as const))(
	'%s: overlapping polls (issue 9, case 1)',
	(_id, vendor) => {
		it.each([
			['classic poller: both polls share the static data', false],
			['durable scheduler: each poll gets its own staged copy', true],
		])('%s: 20 new events come out once, not twice', async (_label, staged) => {
			const held: { bench?: TriggerBench } = {};
			const gate = gateFirstRequest(vendor, () => held.bench!);
			const bench = (held.bench = new TriggerBench(vendor, handHistory(spaced(20, MINUTE), vendor.traits.precisionMs), clock));
			expect(await bench.poll(0)).toBeNull();
			const committed = structuredClone(bench.staticData);

			// Poll A starts at 5 min and waits on the slow vendor.
			const hostA = staged ? { staticData: structuredClone(committed) } : {};
			const pollA = bench.poll(5 * MINUTE, {}, 'trigger', {}, hostA);
			await gate.arrived;
			// The next tick starts poll B on the same state while A is still in flight.
			const hostB = staged ? { staticData: structuredClone(committed) } : {};
			const before = JSON.stringify(hostB.staticData ?? bench.staticData);
			const requestsBefore = bench.http.calls.length;
			const outputB = await bench.pollNow({}, 'trigger', {}, hostB);

			expect(outputB).toBeNull();
			expect(bench.http.calls.length).toBe(requestsBefore);
			if (staged) expect(JSON.stringify(hostB.staticData)).toBe(before);

			gate.release();
			const outputA = await pollA;
			expect(bench.indexesOf(outputA)).toEqual(firstIndexes(20));
			// The lease does not outlive its poll, so the next poll runs and finds nothing new.
			const afterA = staged ? hostA.staticData! : bench.staticData;
			expect(afterA.pollLease).toBeUndefined();
			if (staged) bench.staticData = afterA;
			expect(await bench.poll(10 * MINUTE)).toBeNull();
		});

		it('a lease left by a crashed poll expires: the node is not stuck', async () => {
			const bench = new TriggerBench(vendor, handHistory(spaced(3, MINUTE), vendor.traits.precisionMs), clock);
			await bench.poll(0);
			bench.staticData.pollLease = { token: 'crashed', until: T0 + 6 * MINUTE };

			expect(await bench.poll(5 * MINUTE)).toBeNull();
			expect(bench.http.calls).toEqual([]);
			expect(bench.indexesOf(await bench.poll(7 * MINUTE))).toEqual(firstIndexes(3));
		});
	},
);

describe.each(
	registeredVendors()
		.filter((entry) => getSource(entry.vendor.id)!.orders.includes('asc'))
		.map((entry) => [entry.vendor.id, entry.vendor] as const),
)('%s: a poll past its deadline (issue 9, case 1)', (id, vendor) => {
	// Five events a page, and every page takes 20 virtual seconds: slower than a poll may last.
	beforeEach(() => jest.replaceProperty(getSource(id)!, 'pageSize', 5));
	// A short overlap: every poll re-reads its overlap, and at 20 s a page a long one would be all it reads.
	const fast = { overlap: '1s' };
	// Cisco's oldest-first read asks for the newest page first (its total locates the oldest page):
	// one 20 s request more before the first new event.
	const lead = id === 'ciscoSecureEndpoint' ? 1 : 0;
	const slowBench = () =>
		new TriggerBench(vendor, handHistory(spaced(20, MINUTE), vendor.traits.precisionMs), clock, undefined, 20_000);

	it("stops before the page that would start past the interval's budget; the rest follows, each once", async () => {
		const bench = slowBench();
		await bench.poll(0);

		// Every minute: the deadline is 48 s in. Pages end at 20, 40 and 60 s: three pages, then stop.
		const first = bench.indexesOf(await bench.poll(5 * MINUTE, fast));
		expect(first).toEqual(firstIndexes(15 - 5 * lead));
		// The rest follows on the next polls, each once, and then nothing.
		const rest: number[] = [];
		for (let minute = 6; minute < 10; minute++) rest.push(...bench.indexesOf(await bench.poll(minute * MINUTE, fast)));
		expect([...first, ...rest]).toEqual(firstIndexes(20));
		expect(await bench.poll(10 * MINUTE, fast)).toBeNull();
	});

	it('with the default overlap a slow vendor still moves on: the re-read overlap does not count against the deadline', async () => {
		const bench = slowBench();
		await bench.poll(0);

		const emitted: number[] = [];
		for (let minute = 5; minute < 12; minute++) emitted.push(...bench.indexesOf(await bench.poll(minute * MINUTE)));

		expect(emitted).toEqual(firstIndexes(20));
	});

	it("honours the durable scheduler's budget when it is shorter", async () => {
		const bench = slowBench();
		await bench.poll(0);

		const first = bench.indexesOf(await bench.poll(5 * MINUTE, fast, 'trigger', {}, { pollBudgetMs: 30_000 }));

		expect(first).toEqual(firstIndexes(10 - 5 * lead));
		const second = bench.indexesOf(await bench.poll(6 * MINUTE, fast));
		expect(second.length).toBeGreaterThan(0);
		expect([...first, ...second]).toEqual(firstIndexes(first.length + second.length));
	});
});

it('Cisco (oldest first by offset): a slow vendor cut at the deadline hands out a prefix, never a gap; each event once', async () => {
	const cisco = registeredVendors().find((entry) => entry.vendor.id === 'ciscoSecureEndpoint')!.vendor;
	jest.replaceProperty(getSource('ciscoSecureEndpoint')!, 'pageSize', 5);
	const bench = new TriggerBench(cisco, handHistory(spaced(20, MINUTE), 1000), clock, undefined, 20_000);
	await bench.poll(0);

	const emitted: number[] = [];
	for (let minute = 5; minute < 12; minute++) {
		emitted.push(...bench.indexesOf(await bench.poll(minute * MINUTE)));
		// After every poll what came out is the oldest events, in order: a cut read never leaves a gap.
		expect(emitted).toEqual(firstIndexes(emitted.length));
	}
	expect(emitted).toEqual(firstIndexes(20));
	expect(bench.staticData[CURSOR_KEY]).toBeDefined();
});

describe('Carbon Black Cloud queue mode', () => {
	const queueMode = { cbcMode: 'queue' };

	it('applies Flagged Only, Actor IP and the vendor-only filters (through matches) to what the queue returned (case 2)', async () => {
		const matches = jest.spyOn(carbonBlackCloud.nativeQueue!, 'matches');
		const b = new TriggerBench(cbcModel, handHistory(spaced(60, -5 * MINUTE)), clock);

		const flagged = b.indexesOf(await b.poll(0, {}, 'trigger', { ...queueMode, filters: { flaggedOnly: true } }));

		expect(flagged).toEqual(firstIndexes(60).filter((i) => i % 7 === 0));
		expect(matches).toHaveBeenCalled();
		expect(matches.mock.calls.every(([query]) => query.common.flaggedOnly === true)).toBe(true);
	});

	it('a vendor-only filter that rejects an item drops it (matches is obeyed, case 2)', async () => {
		jest.spyOn(carbonBlackCloud.nativeQueue!, 'matches').mockImplementation((_q, item) => item.flagged);
		const b = new TriggerBench(cbcModel, handHistory(spaced(30, -5 * MINUTE)), clock);

		expect(b.indexesOf(await b.poll(0, {}, 'trigger', queueMode))).toEqual([0, 7, 14, 21, 28]);
	});

	it('a queue read that fails after taking a page emits that page and reports the failure (case 3)', async () => {
		const held: { bench?: TriggerBench } = {};
		const errors: Error[] = [];
		// The second _queue answer is a 400 (not retried): the first page is already gone from the vendor.
		let queueCalls = 0;
		nock(cbcModel.baseUrl)
			.persist()
			.intercept((uri) => uri.endsWith('/_queue'), 'GET')
			.reply((uri, body) => {
				if (++queueCalls === 2) return [400, { message: 'queue read refused' }];
				const http = held.bench!.http as unknown as { answer(m: string, u: string, b: unknown): [number, unknown] };
				return http.answer('GET', uri, body) as [number, string];
			});
		const bench = (held.bench = new TriggerBench(cbcModel, handHistory(spaced(120, -10 * MINUTE)), clock));

		const output = await bench.poll(0, {}, 'trigger', queueMode, { emitError: (e) => errors.push(e) });

		expect(bench.indexesOf(output)).toEqual(firstIndexes(CBC_QUEUE_BATCH));
		expect(errors).toHaveLength(1);
		expect(errors[0].message).toMatch(/queue read failed after 50 event\(s\) were taken/);
		// A vendor failure stays one: n8n's API error kind, with the vendor's status and words.
		expect(errors[0]).toBeInstanceOf(NodeApiError);
		expect((errors[0] as NodeApiError).httpCode).toBe('400');
		expect(errors[0].message).toContain('queue read refused');
		// The rest is still queued and comes out on the next poll.
		expect(bench.indexesOf(await bench.poll(MINUTE, {}, 'trigger', queueMode))).toEqual(
			firstIndexes(120 - CBC_QUEUE_BATCH, CBC_QUEUE_BATCH),
		);
	});

	it.each(['many', 0, -3, 2.5])('Max Events per Poll %p fails before any request (case 10)', async (value) => {
		const b = new TriggerBench(cbcModel, handHistory(spaced(10, -MINUTE)), clock);

		await expect(b.poll(0, { maxEventsPerPoll: value }, 'trigger', queueMode)).rejects.toThrow(
			/Max Events per Poll/,
		);
		expect(b.http.calls).toEqual([]);
	});
});

describe('Fetch Test Event (manual mode, issue 11)', () => {
	it('says "No data with the current filter could be found" when nothing matches, after a bounded read', async () => {
		// Far more events than the preview may read (pages of 100); none matches Actor, which Pangea
		// leaves to the client: without a bound the preview would page through all 3 000.
		const pangea = registeredVendors().find((entry) => entry.vendor.id === 'pangea')!.vendor;
		jest.replaceProperty(getSource('pangea')!, 'pageSize', 100);
		const b = new TriggerBench(pangea, handHistory(spaced(3000, -3 * 3600_000)), clock);

		await expect(
			b.poll(0, {}, 'manual', { filters: { actor: 'nobody@example.com' } }),
		).rejects.toThrow('No data with the current filter could be found');
		expect(b.http.calls.length).toBe(PREVIEW_MAX_RECORDS / 100);
	});

	it('looks only at a recent window: events older than a week are not shown', async () => {
		const b = new TriggerBench(cbcModel, handHistory(spaced(5, -10 * 24 * 3600_000)), clock);

		await expect(b.poll(0, {}, 'manual')).rejects.toThrow('No data with the current filter could be found');
	});
});

