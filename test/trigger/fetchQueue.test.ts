// Fetch Queue on a cursor-backed source (Cortex XDR here): where the first run starts (Start From,
// issue 11), Reset Cursor To applied once (issue 9, case 8), and hints only for what matters.
import type { IDataObject } from 'n8n-workflow';

import { AuditLog } from '../../nodes/AuditLog/AuditLog.node';
import { baseItem } from '../../nodes/shared/auditItem';
import { seedCursor } from '../../nodes/shared/cursor';
import type { ReadSettings } from '../../nodes/shared/query';
import { counterHints, newCounters, readCursorQueue } from '../../nodes/shared/queue';
import type { AuditItem, AuditSource } from '../../nodes/shared/types';
import { advancedCredential, cortexRecord, FakeCortex, ids, idsOf, recordsBefore, runCortex } from '../cortexXdr/fakeCortex';
import { offline } from '../support/offline';
import { readerOnlyContext } from '../support/memoryContext';

offline();

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const hintsOf = (result: { hints: Array<{ message: string }> }) => result.hints.map((hint) => hint.message);

describe('Fetch Queue Start From (first run on a cursor-backed source)', () => {
	it('The Beginning is the default, as before Start From existed: a saved workflow without it still reads everything first', async () => {
		const startFrom = new AuditLog().description.properties.filter((p) => p.name === 'startFrom');
		expect(startFrom.map((p) => p.default)).toEqual(['beginning']);
		const records = [...recordsBefore(5, 3 * HOUR), ...recordsBefore(5, 10 * MINUTE)];
		const fake = new FakeCortex(advancedCredential(), records);

		const first = await runCortex(fake, { operation: 'fetchQueue', returnAll: true }, { staticData: {} });

		expect(ids(first.output[0])).toEqual(idsOf(records));
		expect(hintsOf(first).join('\n')).toMatch(/\(Start From: The Beginning\)/);
	});

	it('Now: the first run returns nothing and says where it started; later runs return what is new', async () => {
		const fake = new FakeCortex(advancedCredential(), recordsBefore(20, 30 * MINUTE));
		const staticData: IDataObject = {};

		const first = await runCortex(fake, { operation: 'fetchQueue', returnAll: true, startFrom: 'now' }, { staticData });

		expect(first.output[0]).toEqual([]);
		expect(hintsOf(first).join('\n')).toMatch(/^First run: started from \d{4}-\d\d-\d\dT[\d:.]+Z \(Start From: Now\)/);
		const startedAt = Date.now();
		const fresh = [cortexRecord(startedAt + 1000), cortexRecord(startedAt + 2000)];
		fake.add(...fresh);
		jest.spyOn(Date, 'now').mockReturnValue(startedAt + 5000);
		const second = await runCortex(fake, { operation: 'fetchQueue', returnAll: true }, { staticData });
		expect(ids(second.output[0])).toEqual(idsOf(fresh));
		// Nothing worth a hint: no count on every run.
		expect(hintsOf(second)).toEqual([]);
	});

	it('Lookback: the first run returns that stretch of time only', async () => {
		const old = recordsBefore(5, 3 * HOUR);
		const recent = recordsBefore(5, 10 * MINUTE);
		const fake = new FakeCortex(advancedCredential(), [...old, ...recent]);

		const first = await runCortex(fake, { operation: 'fetchQueue', returnAll: true, startFrom: 'lookback', startLookback: '1h' }, { staticData: {} });

		expect(ids(first.output[0])).toEqual(idsOf(recent));
		expect(hintsOf(first).join('\n')).toMatch(/\(Start From: Lookback 1h\)/);
	});

	it('Date and The Beginning', async () => {
		const old = recordsBefore(5, 3 * HOUR);
		const recent = recordsBefore(5, 10 * MINUTE);
		const fake = new FakeCortex(advancedCredential(), [...old, ...recent]);
		const since = new Date(Date.now() - HOUR).toISOString();

		const byDate = await runCortex(fake, { operation: 'fetchQueue', returnAll: true, startFrom: 'date', startDate: since }, { staticData: {} });
		const all = await runCortex(fake, { operation: 'fetchQueue', returnAll: true, startFrom: 'beginning' }, { staticData: {} });

		expect(ids(byDate.output[0])).toEqual(idsOf(recent));
		expect(ids(all.output[0])).toEqual(idsOf([...old, ...recent]));
	});

	it.each([
		[{ startFrom: 'lookback', startLookback: 'yesterday' }, /Lookback/],
		[{ startFrom: 'date', startDate: 'not a date' }, /Start Date/],
	])('a bad %p fails before any request', async (parameters, parameter) => {
		const fake = new FakeCortex(advancedCredential(), recordsBefore(3, MINUTE));

		await expect(runCortex(fake, { operation: 'fetchQueue', returnAll: true, ...parameters })).rejects.toThrow(parameter);
		expect(fake.requests).toEqual([]);
	});
});

describe('Fetch Queue Reset Cursor To (issue 9, case 8)', () => {
	it('is applied once: a scheduled run with the option still set carries on from the cursor', async () => {
		const records = recordsBefore(6, 30 * MINUTE);
		const fake = new FakeCortex(advancedCredential(), records);
		const staticData: IDataObject = {};
		const resetTo = new Date(records[3].AUDIT_INSERT_TIME as number).toISOString();
		const parameters = { operation: 'fetchQueue', returnAll: true, options: { resetCursor: resetTo } };

		const first = await runCortex(fake, parameters, { staticData });
		const second = await runCortex(fake, parameters, { staticData });

		expect(ids(first.output[0])).toEqual(idsOf(records.slice(3)));
		expect(hintsOf(first).join('\n')).toMatch(/Cursor reset to/);
		expect(second.output[0]).toEqual([]);

		// A new value is a new reset; removing the option and setting the same value again applies it again.
		const earlier = new Date(records[1].AUDIT_INSERT_TIME as number).toISOString();
		const third = await runCortex(fake, { ...parameters, options: { resetCursor: earlier } }, { staticData });
		expect(ids(third.output[0])).toEqual(idsOf(records.slice(1)));
		await runCortex(fake, { operation: 'fetchQueue', returnAll: true }, { staticData });
		const again = await runCortex(fake, { ...parameters, options: { resetCursor: earlier } }, { staticData });
		expect(ids(again.output[0])).toEqual(idsOf(records.slice(1)));
	});

	it('a manual run neither applies nor remembers it', async () => {
		const records = recordsBefore(6, 30 * MINUTE);
		const fake = new FakeCortex(advancedCredential(), records);
		const staticData: IDataObject = {};
		await runCortex(fake, { operation: 'fetchQueue', returnAll: true, startFrom: 'beginning' }, { staticData });
		const saved = structuredClone(staticData);
		const resetTo = new Date(records[3].AUDIT_INSERT_TIME as number).toISOString();

		const manual = await runCortex(
			fake,
			{ operation: 'fetchQueue', returnAll: true, options: { resetCursor: resetTo } },
			{ staticData, mode: 'manual' },
		);

		expect(ids(manual.output[0])).toEqual(idsOf(records.slice(3)));
		expect(staticData).toEqual(saved);
	});
});

describe('verification memory (contract with the Pangea verifier)', () => {
	it('the cursor queue hands the verifier its memory from static data, keeps what it wrote only on commit, and counts what did not verify', async () => {
		const seen: IDataObject[] = [];
		const base = Date.UTC(2024, 4, 1);
		const records = [0, 1, 2].map((i) => ({ id: `r${i}`, time: base + i * 1000 }));
		const source = {
			id: 'pangea',
			orders: ['asc', 'desc'],
			pageSize: 100,
			serverFilters: [],
			normalize: (raw: IDataObject) => ({ ...baseItem('pangea', String(raw.id), raw), time: new Date(raw.time as number).toISOString() }),
			pages: async function* () {
				yield { records };
			},
			verifyPage: async (_ctx: unknown, _page: unknown, items: AuditItem[], memory: IDataObject) => {
				seen.push(structuredClone(memory));
				memory.pages = Number(memory.pages ?? 0) + 1;
				for (const item of items)
					item.verification = { hash: 'pass', signature: 'none', membership: 'pending', consistency: 'none', status: 'pending' };
			},
		} as unknown as AuditSource;
		const ctx = readerOnlyContext();
		const settings = {
			query: { end: base + 10_000, order: 'asc', common: {}, vendor: {}, vendorOptions: {}, pageSize: 100, verify: true },
			output: { includeRaw: true, outputFormat: 'normalized' },
			options: {},
			clientFilters: [],
		} as unknown as ReadSettings;
		const staticData: IDataObject = {};
		const limits = { maxEvents: 100, overlapMs: 0 };
		const counters = newCounters();

		const first = await readCursorQueue(ctx, source, settings, staticData, 'key', seedCursor(base), limits, counters);
		// Not committed (a manual run, or a run that failed after reading): the memory stays as it was.
		await readCursorQueue(ctx, source, settings, staticData, 'key', seedCursor(base), limits, newCounters());
		first.commit();
		await readCursorQueue(ctx, source, settings, staticData, 'key', seedCursor(base), limits, newCounters());

		expect(seen).toEqual([{}, {}, { pages: 1 }]);
		expect(staticData.verificationMemory).toEqual({ pages: 1 });
		expect(counterHints(counters)).toEqual([
			'3 event(s) could not be verified yet: the vendor has not published their proof (verification.status: pending)',
		]);
	});
});
