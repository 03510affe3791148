// Cisco Secure Endpoint through the shared operations: the cursor queue over a newest-first API, and paged export files.
import type { IDataObject } from 'n8n-workflow';

import { AuditLogTrigger } from '../../nodes/AuditLogTrigger/AuditLogTrigger.node';
import { DEFAULT_TRANSPORT, Transport } from '../../nodes/shared/transport';
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
import { useVirtualClock, virtualClock } from '../support/virtualClock';
import { offline } from '../support/offline';

jest.mock('n8n-workflow', () =>
	jest.requireActual<typeof import('../support/virtualClock')>('../support/virtualClock').withVirtualSleep(),
);

offline();
beforeEach(() => {
	useVirtualClock(Date.parse('2024-05-01T12:00:00.400Z'), DEFAULT_TRANSPORT, Transport);
});

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
	const pollWith = (staticData: IDataObject, options: Record<string, string | number>) => async () =>
		await runPoll({
			nodeType: new AuditLogTrigger(),
			parameters: { source: 'ciscoSecureEndpoint', options },
			credentials: { ciscoSecureEndpointApi: { ...euCredential() } },
			credentialTypes,
			mode: 'trigger',
			staticData,
		});

	it('emits each event once, oldest first, across polls', async () => {
		const records = recordsBefore(620, 30 * MINUTE);
		const fake = new FakeCisco(EU_HOST, records);
		const poll = pollWith({}, { initialLookback: '1h', maxEventsPerPoll: 5000 });

		expect(ids((await poll())![0])).toEqual(idsOf(records));
		expect(await poll()).toBeNull();
		const fresh = [ciscoRecord(Date.now() - 10 * MINUTE), ciscoRecord(Date.now() - 5 * MINUTE)];
		fake.add(...fresh);
		expect(ids((await poll())![0])).toEqual(idsOf(fresh));
	});

	it('a capped poll costs requests for what it emits, not for the whole backlog', async () => {
		// 6 000 events behind the cursor, 250 per poll: 24 polls drain them.
		const records = recordsBefore(6000, 10 * MINUTE);
		const fake = new FakeCisco(EU_HOST, records);
		const poll = pollWith({}, { initialLookback: '1d', maxEventsPerPoll: 250 });

		const emitted: unknown[] = [];
		const requestsPerPoll: number[] = [];
		for (let i = 0; i < 24; i++) {
			const before = fake.requests.length;
			emitted.push(...ids((await poll())![0]));
			requestsPerPoll.push(fake.requests.length - before);
			virtualClock.now += MINUTE;
		}

		expect(emitted).toEqual(idsOf(records));
		// The first page tells the total; the oldest unread page sits at total − 500. Reading the
		// whole backlog newest first would take 12 requests per poll at first.
		expect(Math.max(...requestsPerPoll)).toBeLessThanOrEqual(2);
		expect(await poll()).toBeNull();
	});

	it("Cisco's clock 10 s behind: a record written mid-poll shifts the offsets, the poll resumes, each event once", async () => {
		const records = recordsBefore(1200, MINUTE);
		const fake = new FakeCisco(EU_HOST, records);
		const poll = pollWith({}, { initialLookback: '1d', maxEventsPerPoll: 5000 });
		const lagged = ciscoRecord(Date.now() - 10_000, { event: 'login', audit_log_user: 'lagged@example.com' });
		fake.afterRequest = (n) => n === 2 && fake.add(lagged);

		expect(ids((await poll())![0])).toEqual(idsOf(records));
		// Page 3 answered a total of 1 201: the poll resumed from the second it had reached (the
		// 500th record, read again and skipped), up to the newest record its first page showed; the
		// newest 201 of those were still at hand from that first page.
		expect(fake.requests.map((r) => [r.params.offset, r.params.limit])).toEqual([
			[undefined, '500'],
			['700', '500'],
			['200', '500'],
			[undefined, '500'],
			['201', '500'],
		]);
		expect(fake.requests[3].params.start_time).toBe(records[499].created_at!.toString().replace('Z', '+00:00'));
		expect(fake.requests[3].params.end_time).toBe(records[1199].created_at!.toString().replace('Z', '+00:00'));

		fake.afterRequest = undefined;
		virtualClock.now += MINUTE;
		expect(ids((await poll())![0])).toEqual(idsOf([lagged]));
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
