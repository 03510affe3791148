// Fetch Queue's cursor on n8n's deduplication store (nodes/shared/ledger.ts): what a queue-mode worker
// of n8n 2.x sees is a run with empty static data every time. Each run here gets a fresh `{}` as its
// static data, the way the worker builds it, and n8n-core's deduplication service is backed by an
// in-memory copy of n8n's `DeduplicationHelper` (entries mode: md5 keys, read-modify-write, trimmed
// to maxEntries). The single-process case shares one static data object and must not need the store.
import { createHash } from 'node:crypto';
import { DataDeduplicationService } from 'n8n-core';
import type { DeduplicationItemTypes, ICheckProcessedContextData, ICheckProcessedOptions, IDataDeduplicator, IDataObject } from 'n8n-workflow';

import { LEDGER_MARKER } from '../../nodes/shared/ledger';
import { advancedCredential, cortexRecord, FakeCortex, ids, idsOf, recordsBefore, runCortex } from '../cortexXdr/fakeCortex';
import { offline } from '../support/offline';

/** n8n's entries mode, in memory: one list of hashed keys per workflow and context. */
class MemoryDeduplicator implements IDataDeduplicator {
	readonly lists = new Map<string, string[]>();
	writes = 0;

	private list(context: string, data: ICheckProcessedContextData): string[] {
		const key = `${data.workflow.id}|${context === 'node' ? `n:${data.node!.id}` : ''}`;
		if (!this.lists.has(key)) this.lists.set(key, []);
		return this.lists.get(key)!;
	}

	private static hash(value: DeduplicationItemTypes): string {
		return createHash('md5').update(String(value)).digest('base64');
	}

	async checkProcessedAndRecord(items: DeduplicationItemTypes[], context: 'node' | 'workflow', data: ICheckProcessedContextData, options: ICheckProcessedOptions) {
		const list = this.list(context, data);
		const known = new Set(list);
		const result = { new: [] as DeduplicationItemTypes[], processed: [] as DeduplicationItemTypes[] };
		for (const item of items) {
			const hash = MemoryDeduplicator.hash(item);
			if (known.has(hash)) result.processed.push(item);
			else {
				result.new.push(item);
				list.push(hash);
			}
		}
		if (options.maxEntries) list.splice(0, Math.max(0, list.length - options.maxEntries));
		this.writes++;
		return result;
	}

	async removeProcessed(items: DeduplicationItemTypes[], context: 'node' | 'workflow', data: ICheckProcessedContextData) {
		const list = this.list(context, data);
		for (const hash of items.map((item) => MemoryDeduplicator.hash(item))) {
			const at = list.indexOf(hash);
			if (at !== -1) list.splice(at, 1);
		}
		this.writes++;
	}

	async clearAllProcessedItems(context: 'node' | 'workflow', data: ICheckProcessedContextData) {
		this.list(context, data).length = 0;
	}

	async getProcessedDataCount(context: 'node' | 'workflow', data: ICheckProcessedContextData) {
		return this.list(context, data).length;
	}
}

const store = new MemoryDeduplicator();
offline();
beforeAll(async () => await DataDeduplicationService.init(store));
beforeEach(() => store.lists.clear());

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** A scheduled run on a queue-mode worker: static data starts empty every time. */
const workerRun = async (fake: FakeCortex, parameters: IDataObject = {}) =>
	ids((await runCortex(fake, { operation: 'fetchQueue', returnAll: true, ...parameters }, { staticData: {} })).output[0]);

describe('Fetch Queue without static data between runs (n8n 2.x queue-mode workers)', () => {
	it('each event once across runs, oldest first: the first run seeds the store, later runs find their place in it', async () => {
		const seeded = recordsBefore(10, 30 * MINUTE);
		const fake = new FakeCortex(advancedCredential(), seeded);

		expect(await workerRun(fake)).toEqual(idsOf(seeded));
		const now = Date.now();
		const fresh = [cortexRecord(now - 3000), cortexRecord(now - 2000), cortexRecord(now - 1000)];
		fake.add(...fresh);
		expect(await workerRun(fake)).toEqual(idsOf(fresh));
		expect(await workerRun(fake)).toEqual([]);
		// A late arrival inside Overlap (1m) is returned once; one from before it is not.
		const late = cortexRecord(now - 30_000);
		const tooLate = cortexRecord(now - 10 * MINUTE);
		fake.add(late, tooLate);
		expect(await workerRun(fake)).toEqual(idsOf([late]));
		expect(await workerRun(fake)).toEqual([]);
	});

	it('a run on the store leaves static data alone: a worker would save it over the workflow\'s', async () => {
		const fake = new FakeCortex(advancedCredential(), recordsBefore(5, HOUR));
		await workerRun(fake);
		fake.add(cortexRecord(Date.now() - 1000));
		// n8n saves static data after a run when anything was written to it or deleted from it.
		const writes: string[] = [];
		const staticData = new Proxy<IDataObject>(
			{},
			{
				set: (target, key, value) => (writes.push(`set ${String(key)}`), Reflect.set(target, key, value)),
				deleteProperty: (target, key) => (writes.push(`delete ${String(key)}`), Reflect.deleteProperty(target, key)),
			},
		);

		const second = await runCortex(fake, { operation: 'fetchQueue', returnAll: true }, { staticData });

		expect(second.output[0]).toHaveLength(1);
		expect(writes).toEqual([]);
	});

	it('Limit takes the oldest new events and leaves the rest, in order, for the next run', async () => {
		const fake = new FakeCortex(advancedCredential(), recordsBefore(3, 2 * HOUR));
		await workerRun(fake);
		const now = Date.now();
		const fresh = [0, 1, 2, 3, 4].map((i) => cortexRecord(now - 10_000 + i * 1000));
		fake.add(...fresh);

		const limited = { returnAll: false, limit: 2 };
		expect(await workerRun(fake, limited)).toEqual(idsOf(fresh.slice(0, 2)));
		expect(await workerRun(fake, limited)).toEqual(idsOf(fresh.slice(2, 4)));
		expect(await workerRun(fake, limited)).toEqual(idsOf(fresh.slice(4)));
		expect(await workerRun(fake, limited)).toEqual([]);
	});

	it('Start From Now: the events before the first run stay consumed although that run returned none', async () => {
		const fake = new FakeCortex(advancedCredential(), recordsBefore(20, 30 * MINUTE));
		expect(await workerRun(fake, { startFrom: 'now' })).toEqual([]);
		const fresh = [cortexRecord(Date.now() + 1000)];
		fake.add(...fresh);
		jest.spyOn(Date, 'now').mockReturnValue(Date.now() + 5000);
		expect(await workerRun(fake, { startFrom: 'now' })).toEqual(idsOf(fresh));
		expect(await workerRun(fake, { startFrom: 'now' })).toEqual([]);
	});

	it('two runs at once: each event goes to one of them', async () => {
		const fake = new FakeCortex(advancedCredential(), recordsBefore(5, HOUR));
		await workerRun(fake);
		const now = Date.now();
		const fresh = Array.from({ length: 6 }, (_, i) => cortexRecord(now - 20_000 + i * 1000));
		fake.add(...fresh);

		const [a, b] = await Promise.all([workerRun(fake), workerRun(fake)]);

		expect([...a, ...b].sort()).toEqual(idsOf(fresh).sort());
		expect(await workerRun(fake)).toEqual([]);
	});

	it('Reset Cursor To is applied once, as with static data', async () => {
		const old = recordsBefore(4, 3 * HOUR);
		const fake = new FakeCortex(advancedCredential(), [...old, ...recordsBefore(2, 10 * MINUTE)]);
		await workerRun(fake);
		const resetCursor = new Date(Date.now() - 4 * HOUR).toISOString();

		const again = await workerRun(fake, { options: { resetCursor } });
		expect(again).toEqual(idsOf(fake.records));
		expect(await workerRun(fake, { options: { resetCursor } })).toEqual([]);
	});

	it('one n8n process: static data keeps the cursor, the store is written once by the first run', async () => {
		const staticData: IDataObject = {};
		const fake = new FakeCortex(advancedCredential(), recordsBefore(5, HOUR));
		const run = async () => ids((await runCortex(fake, { operation: 'fetchQueue', returnAll: true }, { staticData })).output[0]);

		expect(await run()).toEqual(idsOf(fake.records));
		const [list] = [...store.lists.values()];
		expect(list.length).toBeGreaterThan(1);
		const writes = store.writes;
		const fresh = [cortexRecord(Date.now() - 1000)];
		fake.add(...fresh);
		expect(await run()).toEqual(idsOf(fresh));
		expect(await run()).toEqual([]);
		expect(store.writes).toBe(writes);
		expect(createHash('md5').update(LEDGER_MARKER).digest('base64')).toBe(list[0]);
	});
});
