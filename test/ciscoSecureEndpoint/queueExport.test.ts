// Cisco Secure Endpoint through the shared operations: the cursor queue over a newest-first API, and paged export files.
import nock from 'nock';
import type { IDataObject } from 'n8n-workflow';

import { AuditLogTrigger } from '../../nodes/AuditLogTrigger/AuditLogTrigger.node';
import type { ExportFormat } from '../../nodes/shared/types';
import { runPoll } from '../harness/n8n';
import { expectExportMatchesSearch } from '../support/exportFiles';
import {
	ciscoRecord,
	credentialTypes,
	euCredential,
	EU_HOST,
	FakeCisco,
	recordsBefore,
	runCisco,
	ids,
	idsOf,
} from './fakeCisco';

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

const MINUTE = 60_000;

describe('Cisco Secure Endpoint Fetch Queue (cursor queue)', () => {
	it('returns everything oldest first across pages, then only what is new, each once', async () => {
		const first = recordsBefore(1050, 30 * MINUTE);
		const fake = new FakeCisco(EU_HOST, first);
		const staticData: IDataObject = {};

		const run1 = await runCisco({ operation: 'fetchQueue', returnAll: true, startFrom: 'beginning' }, { staticData });
		expect(ids(run1.output[0])).toEqual(idsOf(first));
		expect(fake.requests).toHaveLength(3);

		// New records: two identical ones in one second (two events), and one late within Overlap.
		const newest = Date.parse(first[first.length - 1].created_at as string);
		const twin = ciscoRecord(newest + 2000, {
			event: 'login',
			audit_log_type: 'User',
			audit_log_user: 'twin@example.com',
		});
		const fresh = [ciscoRecord(newest + 1000), twin, { ...twin }];
		const late = ciscoRecord(newest - 30_000, { event: 'delete', audit_log_type: 'Group' });
		fake.add(late, ...fresh);
		const run2 = await runCisco({ operation: 'fetchQueue', returnAll: true, startFrom: 'beginning' }, { staticData });
		expect(ids(run2.output[0])).toEqual(idsOf([late, ...fresh]));

		const run3 = await runCisco({ operation: 'fetchQueue', returnAll: true, startFrom: 'beginning' }, { staticData });
		expect(run3.output[0]).toEqual([]);
	});

	it('hands out Limit events per run, oldest first, and a manual run only peeks', async () => {
		const records = recordsBefore(9, 30 * MINUTE);
		new FakeCisco(EU_HOST, records);
		const staticData: IDataObject = {};

		const peek = await runCisco(
			{ operation: 'fetchQueue', limit: 4, startFrom: 'beginning' },
			{ staticData, mode: 'manual' },
		);
		expect(ids(peek.output[0])).toEqual(idsOf(records.slice(0, 4)));
		expect(staticData).toEqual({});

		const batches: unknown[][] = [];
		for (let i = 0; i < 3; i++)
			batches.push(
				ids((await runCisco({ operation: 'fetchQueue', limit: 4, startFrom: 'beginning' }, { staticData })).output[0]),
			);
		expect(batches).toEqual([
			idsOf(records.slice(0, 4)),
			idsOf(records.slice(4, 8)),
			idsOf(records.slice(8)),
		]);
	});
});

describe('Cisco Secure Endpoint in the Audit Log Trigger', () => {
	it('emits each event once, oldest first, across polls', async () => {
		const records = recordsBefore(620, 30 * MINUTE);
		const fake = new FakeCisco(EU_HOST, records);
		const staticData: IDataObject = {};
		const poll = async () =>
			await runPoll({
				nodeType: new AuditLogTrigger(),
				parameters: {
					source: 'ciscoSecureEndpoint',
					options: { initialLookback: '1h', maxEventsPerPoll: 5000 },
				},
				credentials: { ciscoSecureEndpointApi: { ...euCredential() } },
				credentialTypes,
				mode: 'trigger',
				staticData,
			});

		expect(ids((await poll())![0])).toEqual(idsOf(records));
		expect(await poll()).toBeNull();
		const fresh = [ciscoRecord(Date.now() - 10 * MINUTE), ciscoRecord(Date.now() - 5 * MINUTE)];
		fake.add(...fresh);
		expect(ids((await poll())![0])).toEqual(idsOf(fresh));
	});
});

describe('Cisco Secure Endpoint Export and Wait (paged into a file)', () => {
	it.each<ExportFormat>(['csv', 'json', 'ndjson'])(
		'writes %s that reads back as the Search result',
		async (format) => {
			const records = [
				...recordsBefore(1020, 3 * 60 * MINUTE),
				ciscoRecord(Date.now() - 2 * 60 * MINUTE, {
					event: 'create',
					audit_log_type: 'ApplicationBlockingList',
					old_attributes: { name: null, description: null },
					new_attributes: { name: 'Blocked, "odd" apps', description: 'Zoë\nMüller' },
				}),
			];
			const fake = new FakeCisco(EU_HOST, records);
			const filters = {
				start: new Date(Date.now() - 4 * 60 * MINUTE).toISOString(),
				end: new Date(Date.now() - 60 * MINUTE).toISOString(),
			};

			const exported = await runCisco({ operation: 'exportAndWait', format, filters });
			const exportRequests = fake.requests.length;
			const searched = await runCisco({
				operation: 'search',
				returnAll: true,
				filters,
				options: { sortOrder: 'asc' },
			});

			expect(exportRequests).toBe(3);
			const [out] = exported.output[0];
			expect(out.json).toMatchObject({
				source: 'ciscoSecureEndpoint',
				jobId: null,
				exportedBy: 'pages',
				timeRange: filters,
			});
			expect(searched.output[0]).toHaveLength(1021);
			expect(ids(searched.output[0])).toEqual(idsOf(records));
			await expectExportMatchesSearch(
				out,
				format,
				searched.output[0].map((item) => item.json),
			);
		},
	);
});
