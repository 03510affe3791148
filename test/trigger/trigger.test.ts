// The Audit Log Trigger node through n8n-core: activation, lookback, null polls, remainders, manual runs, CBC queue.
import type { IDataObject } from 'n8n-workflow';

import { AuditLogTrigger, SAMPLE_SIZE } from '../../nodes/AuditLogTrigger/AuditLogTrigger.node';
import { registeredVendors } from '../model/emulators';
import { CBC_QUEUE_BATCH, cbcModel, createCbcServer } from '../model/emulators/cbc';
import { useVirtualClock, VirtualClock } from '../model/http';
import { firstIndexes, handHistory, T0, TriggerBench, type EventSpec } from './bench';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
// Stopped: every poll reads exactly the time it was given (no poll here waits for the Cortex budget).
const clock = new VirtualClock(false);

useVirtualClock(clock);

/** Events every few seconds from `from` ms after T0 (Cisco keeps whole seconds, so 3 s apart). */
const spaced = (count: number, from: number): EventSpec[] =>
	Array.from({ length: count }, (_, i) => ({ at: from + i * 3000 }));

const cursorOf = (staticData: IDataObject) =>
	staticData.triggerCursor as { floor: number } | undefined;

describe.each(registeredVendors().map((entry) => [entry.vendor.id, entry.vendor] as const))(
	'%s',
	(_id, vendor) => {
		const bench = (specs: EventSpec[]) =>
			new TriggerBench(vendor, handHistory(specs, vendor.traits.precisionMs), clock);

		it('first activation seeds the cursor at now, reads nothing and returns null', async () => {
			const b = bench([...spaced(3, -HOUR), ...spaced(4, MINUTE)]);

			expect(await b.poll(0)).toBeNull();
			expect(b.http.calls).toEqual([]);
			expect(cursorOf(b.staticData)?.floor).toBe(T0);

			// Only what happened after activation comes out, oldest first.
			expect(b.indexesOf(await b.poll(5 * MINUTE))).toEqual(firstIndexes(4, 3));
		});

		it('an event recorded in the same time unit as the activation, just after it, is not lost', async () => {
			// Activation at 12:00:00.400; the event happens at .600 and Cisco records it as 12:00:00.
			const b = bench([{ at: -5_000 }, { at: 600, arrival: 600 }]);

			expect(await b.poll(400)).toBeNull();

			expect(b.indexesOf(await b.poll(5 * MINUTE))).toEqual([1]);
		});

		it('with an Initial Lookback the first poll emits that window, oldest first', async () => {
			const b = bench([{ at: -2 * HOUR }, ...spaced(3, -30 * MINUTE), { at: -10_000 }]);

			expect(b.indexesOf(await b.poll(0, { initialLookback: '1h' }))).toEqual(firstIndexes(4, 1));
			expect(await b.poll(MINUTE, { initialLookback: '1h' })).toBeNull();
		});

		it('returns null, never [[]], when nothing is new, and leaves the cursor as it was', async () => {
			const b = bench(spaced(2, MINUTE));
			await b.poll(0);
			expect(b.indexesOf(await b.poll(5 * MINUTE))).toEqual([0, 1]);
			const after = structuredClone(b.staticData);

			expect(await b.poll(6 * MINUTE)).toBeNull();
			expect(await b.poll(7 * MINUTE)).toBeNull();
			expect(b.staticData).toEqual(after);
		});

		it('carries what is over Max Events per Poll to the next polls, oldest first, a burst included', async () => {
			const burst = Array.from({ length: 12 }, () => ({ at: 2 * MINUTE }));
			const b = bench([...spaced(5, MINUTE), ...burst, ...spaced(8, 3 * MINUTE)]);
			const options = { maxEventsPerPoll: 10 };
			await b.poll(0, options);

			const emitted = [];
			for (const at of [10, 11, 12]) emitted.push(b.indexesOf(await b.poll(at * MINUTE, options)));

			expect(emitted).toEqual([firstIndexes(10), firstIndexes(10, 10), firstIndexes(5, 20)]);
			expect(await b.poll(13 * MINUTE, options)).toBeNull();
		});

		it('shows the newest events in manual mode and never moves the cursor', async () => {
			const b = bench(spaced(9, MINUTE));
			const untouched = structuredClone(b.staticData);
			expect(b.indexesOf(await b.poll(10 * MINUTE, {}, 'manual'))).toEqual(
				firstIndexes(SAMPLE_SIZE, 9 - SAMPLE_SIZE),
			);
			// "Fetch Test Event" before activation does not activate anything either.
			expect(b.staticData).toEqual(untouched);

			await b.poll(0);
			const cursor = structuredClone(b.staticData);
			expect(b.indexesOf(await b.poll(30 * MINUTE, {}, 'manual'))).toEqual(
				firstIndexes(SAMPLE_SIZE, 9 - SAMPLE_SIZE),
			);
			expect(b.staticData).toEqual(cursor);
			// The events the sample showed are still owed to the workflow.
			expect(b.indexesOf(await b.poll(31 * MINUTE))).toEqual(firstIndexes(9));
		});
	},
);

describe('Carbon Black Cloud queue mode (cbcMode: queue)', () => {
	const queueMode = { cbcMode: 'queue' };

	it('a manual run samples with _search and never calls the read-once _queue', async () => {
		const history = handHistory(spaced(8, MINUTE));
		// Only _search is served: a _queue request finds no interceptor, and nock fails the poll.
		const b = new TriggerBench(cbcModel, history, clock, /\/_search$/);
		const server = b.server as ReturnType<typeof createCbcServer>;
		const view = { now: T0 + HOUR, visible: () => true };

		const output = await b.poll(10 * MINUTE, {}, 'manual', queueMode);

		expect(b.indexesOf(output)).toEqual(firstIndexes(SAMPLE_SIZE, 8 - SAMPLE_SIZE));
		expect(b.http.calls.every((call) => call.endsWith('/_search'))).toBe(true);
		expect(server.queueLeft(view)).toBe(8);
		expect(b.staticData).toEqual({});
	});

	it('drains the queue whole pages at a time, each event once, then returns null', async () => {
		const b = new TriggerBench(cbcModel, handHistory(spaced(120, -HOUR)), clock);
		const options = { maxEventsPerPoll: 60 };

		const first = b.indexesOf(await b.poll(0, options, 'trigger', queueMode));
		const second = b.indexesOf(await b.poll(MINUTE, options, 'trigger', queueMode));

		// The queue forgets what it handed out, so a page read is a page emitted: two pages pass 60.
		expect(first).toEqual(firstIndexes(2 * CBC_QUEUE_BATCH));
		expect(second).toEqual(firstIndexes(120 - 2 * CBC_QUEUE_BATCH, 2 * CBC_QUEUE_BATCH));
		expect(await b.poll(2 * MINUTE, options, 'trigger', queueMode)).toBeNull();
		expect(b.http.calls.every((call) => call.endsWith('/_queue'))).toBe(true);
		expect(b.staticData).toEqual({});
	});
});

describe('the trigger description', () => {
	it('offers no time-range filter for any source: the cursor decides where a poll starts', () => {
		const filters = new AuditLogTrigger().description.properties.filter((p) => p.name === 'filters');
		expect(filters.length).toBeGreaterThan(0);
		for (const collection of filters) {
			const names = (collection.options ?? []).map((option) => (option as { name: string }).name);
			expect(names).toEqual(expect.arrayContaining(['actor']));
			expect(names.filter((name) => ['start', 'end', 'range', 'customRange'].includes(name))).toEqual([]);
		}
	});
});
