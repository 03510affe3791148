// Cortex XDR through the shared operations: the cursor queue (Fetch Queue) and paged Export and Wait.
import type { IDataObject } from 'n8n-workflow';

import type { ExportFormat } from '../../nodes/shared/types';
import { expectExportMatchesSearch } from '../support/exportFiles';
import {
	advancedCredential,
	cortexRecord,
	FakeCortex,
	recordsBefore,
	runCortex,
	ids,
	idsOf,
} from './fakeCortex';
import { offline } from '../support/offline';

offline();

const MINUTE = 60_000;

describe('Cortex XDR Fetch Queue (cursor queue)', () => {
	it('returns everything oldest first, then only what is new, each once', async () => {
		const first = recordsBefore(230, 30 * MINUTE);
		const fake = new FakeCortex(advancedCredential(), first);
		const staticData: IDataObject = {};

		const run1 = await runCortex(
			fake,
			{ operation: 'fetchQueue', returnAll: true, startFrom: 'beginning' },
			{ staticData },
		);
		expect(ids(run1.output[0])).toEqual(idsOf(first));

		// New events, one of them late: written with a time just behind the newest seen (within Overlap).
		const newest = first[first.length - 1].AUDIT_INSERT_TIME as number;
		const late = cortexRecord(newest - 20_000);
		const fresh = [
			cortexRecord(newest + 1000),
			cortexRecord(newest + 2000),
			cortexRecord(newest + 2000),
		];
		fake.add(late, ...fresh);
		const run2 = await runCortex(
			fake,
			{ operation: 'fetchQueue', returnAll: true, startFrom: 'beginning' },
			{ staticData },
		);
		expect(ids(run2.output[0])).toEqual(idsOf([late, ...fresh]));

		const run3 = await runCortex(
			fake,
			{ operation: 'fetchQueue', returnAll: true, startFrom: 'beginning' },
			{ staticData },
		);
		expect(run3.output[0]).toEqual([]);
		// The cursor survives a restart (static data is JSON).
		expect(JSON.parse(JSON.stringify(staticData))).toEqual(staticData);
	});

	it('hands out Limit events per run and keeps the rest for the next', async () => {
		const records = recordsBefore(12, 30 * MINUTE);
		const fake = new FakeCortex(advancedCredential(), records);
		const staticData: IDataObject = {};

		const batches: unknown[][] = [];
		for (let i = 0; i < 3; i++) {
			batches.push(
				ids(
					(await runCortex(fake, { operation: 'fetchQueue', limit: 5, startFrom: 'beginning' }, { staticData })).output[0],
				),
			);
		}

		expect(batches).toEqual([
			idsOf(records.slice(0, 5)),
			idsOf(records.slice(5, 10)),
			idsOf(records.slice(10)),
		]);
	});

	it('peeks in a manual run and starts again from Reset Cursor To', async () => {
		const records = recordsBefore(6, 30 * MINUTE);
		const fake = new FakeCortex(advancedCredential(), records);
		const staticData: IDataObject = {};

		const manual = await runCortex(
			fake,
			{ operation: 'fetchQueue', returnAll: true, startFrom: 'beginning' },
			{ staticData, mode: 'manual' },
		);
		expect(manual.output[0]).toHaveLength(6);
		expect(staticData).toEqual({});

		await runCortex(fake, { operation: 'fetchQueue', returnAll: true, startFrom: 'beginning' }, { staticData });
		const resetTo = new Date(records[3].AUDIT_INSERT_TIME as number).toISOString();
		const reset = await runCortex(
			fake,
			{ operation: 'fetchQueue', returnAll: true, startFrom: 'beginning', options: { resetCursor: resetTo } },
			{ staticData },
		);
		expect(ids(reset.output[0])).toEqual(idsOf(records.slice(3)));
	});
});

describe('Cortex XDR Export and Wait (paged into a file)', () => {
	const records = () => [
		...recordsBefore(260, 3 * 60 * MINUTE),
		// Text that CSV must quote: commas, quotes, a line break, non-ASCII.
		cortexRecord(Date.now() - 2 * 60 * MINUTE, {
			AUDIT_DESCRIPTION: 'Edited profile "Zoë, Müller"\nsecond line',
			AUDIT_ASSET_JSON: '{"id": 42, "name": "srv-db-01"}',
			AUDIT_ASSET_NAMES: 'srv-db-01',
		}),
	];

	it.each<ExportFormat>(['csv', 'json', 'ndjson'])(
		'writes %s that reads back as the Search result',
		async (format) => {
			const fake = new FakeCortex(advancedCredential(), records());
			const filters = {
				start: new Date(Date.now() - 4 * 60 * MINUTE).toISOString(),
				end: new Date(Date.now() - 60 * MINUTE).toISOString(),
			};

			const exported = await runCortex(fake, { operation: 'exportAndWait', format, filters });
			const exportRequests = fake.requests.length;
			const searched = await runCortex(fake, {
				operation: 'search',
				returnAll: true,
				filters,
				options: { sortOrder: 'asc' },
			});

			expect(exportRequests).toBe(3);
			expect(exported.output[0]).toHaveLength(1);
			const [out] = exported.output[0];
			expect(out.json).toMatchObject({
				source: 'cortexXdr',
				jobId: null,
				exportedBy: 'pages',
				timeRange: filters,
			});
			expect(out.binary!.data.mimeType).toBe(
				{ csv: 'text/csv', json: 'application/json', ndjson: 'application/x-ndjson' }[format],
			);
			expect(searched.output[0]).toHaveLength(261);
			await expectExportMatchesSearch(
				out,
				format,
				searched.output[0].map((item) => item.json),
			);
		},
	);
});
