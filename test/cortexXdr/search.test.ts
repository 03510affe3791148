/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test-only: setImmediate lets the event loop turn (answers released in a chosen order) */
// Cortex XDR Search through n8n-core: pages of 100, Limit, advanced auth per request and retry, 429s, the rate budget, errors.
import { createHash } from 'node:crypto';
import nock from 'nock';
import { NodeApiError, type IDataObject } from 'n8n-workflow';

import { DEFAULT_TRANSPORT, Transport } from '../../nodes/shared/transport';
import { useVirtualClock, virtualClock } from '../support/virtualClock';

import {
	advancedCredential,
	API_KEY,
	busiestWindow,
	CORTEX_URL,
	cortexRecord,
	FakeCortex,
	recordsBefore,
	runCortex,
	ids,
	idsOf,
} from './fakeCortex';
import { offline } from '../support/offline';

jest.mock('n8n-workflow', () =>
	jest
		.requireActual<typeof import('../support/virtualClock')>('../support/virtualClock')
		.withVirtualSleep(),
);

offline();
beforeEach(() => {
	// Waits move this clock instead of taking time: rate budgets and retries are measured exactly.
	useVirtualClock(Date.parse('2024-05-01T12:00:00.000Z'), DEFAULT_TRANSPORT, Transport);
});

describe('Cortex XDR Search', () => {
	it('reads Return All across pages of 100, newest first, with the range and sort in every body', async () => {
		const records = recordsBefore(345);
		const fake = new FakeCortex(advancedCredential(), records);

		const { output } = await runCortex(fake, {
			operation: 'search',
			returnAll: true,
			filters: { range: '-1d' },
		});

		expect(ids(output[0])).toEqual(idsOf(records).reverse());
		expect(fake.requests.map((r) => [r.requestData.search_from, r.requestData.search_to])).toEqual([
			[0, 100],
			[100, 200],
			[200, 300],
			[300, 400],
		]);
		for (const { requestData } of fake.requests) {
			expect(requestData.sort).toEqual({ field: 'timestamp', keyword: 'desc' });
			const time = (requestData.filters as IDataObject[]).filter((f) => f.field === 'timestamp');
			expect(time.map((f) => f.operator)).toEqual(['gte', 'lte']);
			expect(time.every((f) => Number.isInteger(f.value))).toBe(true);
		}
		// The end is pinned once for the run: every page asks the same range.
		expect(new Set(fake.requests.map((r) => JSON.stringify(r.requestData.filters))).size).toBe(1);
	});

	it('stops at Limit with one page of that size, oldest first when asked', async () => {
		const records = recordsBefore(250);
		const fake = new FakeCortex(advancedCredential(), records);

		const { output } = await runCortex(fake, {
			operation: 'search',
			limit: 7,
			options: { sortOrder: 'asc' },
		});

		expect(ids(output[0])).toEqual(idsOf(records.slice(0, 7)));
		expect(fake.requests).toHaveLength(1);
		expect(fake.requests[0].requestData).toMatchObject({
			search_from: 0,
			search_to: 7,
			sort: { keyword: 'asc' },
		});
	});

	it('drops the repeat that a late record written between two pages causes', async () => {
		const records = recordsBefore(250);
		const fake = new FakeCortex(advancedCredential(), records);
		// Late: its time lies among the newest page, which the run has already read.
		const late = cortexRecord((records[200].AUDIT_INSERT_TIME as number) + 500);
		fake.afterRequest = (n) => n === 1 && fake.add(late);

		const { output } = await runCortex(fake, { operation: 'search', returnAll: true });

		// The fake really shifted: page 2 began with the last record of page 1.
		expect(fake.requests[1].returned[0]).toBe(fake.requests[0].returned[99]);
		expect(ids(output[0])).toEqual(idsOf(records).reverse());
	});

	it('sends the Cortex filters as `in` lists and an email actor as the email filter', async () => {
		const fake = new FakeCortex(advancedCredential(), [
			...recordsBefore(3),
			...recordsBefore(2, 30 * 60_000).map((r) => ({
				...r,
				AUDIT_OWNER_EMAIL: 'dana@example.com',
				AUDIT_RESULT: 'FAIL',
			})),
		]);

		const { output } = await runCortex(fake, {
			operation: 'search',
			returnAll: true,
			filters: {
				actor: 'dana@example.com',
				result: 'fail, success',
				type: 'AUTH,DISTRIBUTIONS,POLICY_PROFILES,RBAC',
			},
		});

		expect(output[0]).toHaveLength(2);
		const filters = fake.requests[0].requestData.filters as IDataObject[];
		expect(filters).toEqual(
			expect.arrayContaining([
				{ field: 'email', operator: 'in', value: ['dana@example.com'] },
				{ field: 'result', operator: 'in', value: ['FAIL', 'SUCCESS'] },
				{
					field: 'type',
					operator: 'in',
					value: ['AUTH', 'DISTRIBUTIONS', 'POLICY_PROFILES', 'RBAC'],
				},
			]),
		);
	});

	it('matches an actor that is an API key name on the items, not as an email', async () => {
		const byKey = recordsBefore(2, 10 * 60_000).map((r) => ({
			...r,
			AUDIT_OWNER_NAME: 'Public API - 1',
			AUDIT_OWNER_EMAIL: '',
		}));
		const fake = new FakeCortex(advancedCredential(), [...recordsBefore(5), ...byKey]);

		const { output } = await runCortex(fake, {
			operation: 'search',
			returnAll: true,
			filters: { actor: 'Public API - 1' },
		});

		expect(ids(output[0])).toEqual(idsOf(byKey).reverse());
		expect(
			(fake.requests[0].requestData.filters as IDataObject[]).some((f) => f.field === 'email'),
		).toBe(false);
	});

	it('asks for full pages when a filter is applied here, so a small Limit does not cost many requests', async () => {
		const byKey = recordsBefore(3, 10 * 60_000).map((r) => ({
			...r,
			AUDIT_OWNER_NAME: 'Public API - 1',
			AUDIT_OWNER_EMAIL: '',
		}));
		const fake = new FakeCortex(advancedCredential(), [...recordsBefore(150), ...byKey]);

		const { output } = await runCortex(fake, {
			operation: 'search',
			limit: 2,
			filters: { actor: 'Public API - 1' },
			options: { sortOrder: 'asc' },
		});

		expect(ids(output[0])).toEqual(idsOf(byKey.slice(0, 2)));
		expect(
			fake.requests.map(
				(r) => (r.requestData.search_to as number) - (r.requestData.search_from as number),
			),
			// The matches are the 151st and 152nd oldest: two pages of 100, not 76 pages of 2.
		).toEqual([100, 100]);
	});

	it('signs every request and every retry with a fresh nonce and timestamp (advanced key)', async () => {
		const fake = new FakeCortex(advancedCredential(), recordsBefore(150));
		fake.script.set(2, {
			status: 429,
			body: { reply: { err_code: 429, err_msg: 'Too many requests', err_extra: null } },
			headers: { 'retry-after': '1' },
		});
		const { output } = await runCortex(fake, { operation: 'search', returnAll: true });

		expect(output[0]).toHaveLength(150);
		expect(fake.requests.map((r) => r.status)).toEqual([200, 429, 200]);
		// Exactly the second Retry-After asked for, and no other wait.
		expect(fake.requests[2].at - fake.requests[1].at).toBe(1000);
		expect(virtualClock.slept.reduce((sum, ms) => sum + ms, 0)).toBe(1000);
		const nonces = new Set<string>();
		for (const { headers } of fake.requests) {
			const nonce = headers['x-xdr-nonce'];
			const timestamp = headers['x-xdr-timestamp'];
			expect(nonce).toMatch(/^[A-Za-z0-9]{64}$/);
			expect(Math.abs(Number(timestamp) - Date.now())).toBeLessThan(60_000);
			expect(headers['x-xdr-auth-id']).toBe('17');
			expect(headers.authorization).toBe(
				createHash('sha256')
					.update(API_KEY + nonce + timestamp)
					.digest('hex'),
			);
			nonces.add(nonce);
		}
		// The retried page carried its own signature, not the refused one's.
		expect(nonces.size).toBe(3);
		expect(fake.requests[2].headers['x-xdr-timestamp']).not.toBe(
			fake.requests[1].headers['x-xdr-timestamp'],
		);
	});

	it('reads a reply whose list is named `endpoints`, as the field table of the docs has it', async () => {
		const records = recordsBefore(150);
		const fake = new FakeCortex(advancedCredential(), records);
		fake.listKey = 'endpoints';

		const { output } = await runCortex(fake, { operation: 'search', returnAll: true });

		expect(ids(output[0])).toEqual(idsOf(records).reverse());
		expect(fake.requests).toHaveLength(2);
	});

	it('fails clearly on a reply with neither list', async () => {
		const fake = new FakeCortex(advancedCredential(), recordsBefore(3));
		fake.script.set(1, { status: 200, body: { reply: { total_count: 3, result_count: 3 } } });

		const error = (await runCortex(fake, { operation: 'search', limit: 5 }).catch(
			(e: unknown) => e,
		)) as NodeApiError;

		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toMatch(/without a list in reply.data \(or reply.endpoints\)/);
	});

	it('sends the Type, Sub Type and Result multi-selects as `in` lists; an empty pick filters nothing', async () => {
		const fake = new FakeCortex(advancedCredential(), recordsBefore(12));

		const { output } = await runCortex(fake, {
			operation: 'search',
			returnAll: true,
			filters: { type: ['AUTH', 'RBAC'], subType: ['Login', 'Edit Role'], result: [] },
		});

		const filters = fake.requests[0].requestData.filters as IDataObject[];
		expect(filters.filter((f) => f.field !== 'timestamp')).toEqual([
			{ field: 'type', operator: 'in', value: ['AUTH', 'RBAC'] },
			{ field: 'sub_type', operator: 'in', value: ['Login', 'Edit Role'] },
		]);
		expect(output[0].length).toBeGreaterThan(0);
		for (const { json } of output[0]) expect(['login', 'edit role']).toContain(json.action);
	});

	it('still reads a Type saved as one comma-separated text (before the multi-select)', async () => {
		const fake = new FakeCortex(advancedCredential(), recordsBefore(4));

		await runCortex(fake, { operation: 'search', limit: 5, filters: { type: 'AUTH, RBAC', result: 'fail' } });

		expect(fake.requests[0].requestData.filters).toEqual(
			expect.arrayContaining([
				{ field: 'type', operator: 'in', value: ['AUTH', 'RBAC'] },
				{ field: 'result', operator: 'in', value: ['FAIL'] },
			]),
		);
	});

	it('sends a standard key as is', async () => {
		const credential = { ...advancedCredential(), securityLevel: 'standard' };
		const fake = new FakeCortex(credential, recordsBefore(3));

		const { output } = await runCortex(fake, { operation: 'search', returnAll: true });

		expect(output[0]).toHaveLength(3);
		expect(fake.requests[0].headers.authorization).toBe(API_KEY);
		expect(fake.requests[0].headers['x-xdr-nonce']).toBeUndefined();
	});

	it('adds api- to a pasted console host', async () => {
		const fake = new FakeCortex(advancedCredential(), recordsBefore(2));

		const { output } = await runCortex(
			fake,
			{ operation: 'search', returnAll: true },
			{
				credentials: {
					cortexXdrApi: { ...advancedCredential('https://acme.xdr.eu.paloaltonetworks.com/') },
				},
			},
		);

		expect(output[0]).toHaveLength(2);
		expect(fake.requests).toHaveLength(1);
	});

	it('never exceeds Requests per Second in a burst of 50 pages', async () => {
		const fake = new FakeCortex(advancedCredential(), recordsBefore(5000, 60 * 60_000, 10));

		const { output } = await runCortex(fake, {
			operation: 'search',
			returnAll: true,
			options: { requestsPerSecond: 10 },
		});

		expect(output[0]).toHaveLength(5000);
		const times = fake.requests.map((r) => r.at);
		expect(times).toHaveLength(50);
		expect(busiestWindow(times)).toBeLessThanOrEqual(10);
		// And it is a limit, not a crawl: 50 requests at 10 per second start within 4 s (the virtual
		// clock does not move while an answer is on its way, so this is the same on every machine).
		expect(times[49] - times[0]).toBe(4000);
	});

	it('keeps to the default budget of 5 per second', async () => {
		const fake = new FakeCortex(advancedCredential(), recordsBefore(1100, 60 * 60_000, 10));

		await runCortex(fake, { operation: 'search', returnAll: true });

		const times = fake.requests.map((r) => r.at);
		expect(times).toHaveLength(11);
		expect(busiestWindow(times)).toBeLessThanOrEqual(5);
		expect(times[10] - times[0]).toBeGreaterThanOrEqual(2000);
	});

	it.each([
		[401, 'Public API request unauthorized', /Security Level/],
		[402, 'Public API access is not licensed', /license/],
		[403, 'Forbidden', /role/],
	])('explains HTTP %i with the vendor message', async (status, message, help) => {
		const fake = new FakeCortex(advancedCredential(), recordsBefore(1));
		fake.script.set(1, {
			status,
			body: { reply: { err_code: status, err_msg: message, err_extra: { hint: 'x' } } },
		});

		const error = (await runCortex(fake, { operation: 'search', limit: 5 }).catch(
			(e: unknown) => e,
		)) as NodeApiError;

		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.httpCode).toBe(String(status));
		expect(error.message).toBe(`Cortex XDR: ${message} (error ${status}): {"hint":"x"}`);
		expect(error.description).toMatch(help);
		expect(JSON.stringify(error)).not.toContain(API_KEY);
		expect(fake.requests).toHaveLength(1);
	});

	it('explains a 402 without a body in plain words', async () => {
		nock(CORTEX_URL).post('/public_api/v1/audits/management_logs/').reply(402, '');

		const error = (await runCortex(
			new FakeCortex(advancedCredential('https://api-other.example.test')),
			{
				operation: 'search',
				limit: 5,
			},
			{ credentials: { cortexXdrApi: advancedCredential() } },
		).catch((e: unknown) => e)) as NodeApiError;

		expect(error.message).toBe('Cortex XDR: license required');
		expect(error.description).toMatch(/Prevent, Pro per Endpoint or Pro per TB/);
	});
});

describe('Cortex XDR Search: pages fetched ahead', () => {
	it('serves a Return All in order with pages asked for together, each record once', async () => {
		const records = recordsBefore(600, 60 * 60_000, 10);
		const fake = new FakeCortex(advancedCredential(), records);
		// Every page after the first is served only once the next one has been: they complete last first.
		const waiting = new Map<number, () => void>();
		fake.hold = (requestData) => {
			const from = requestData.search_from as number;
			if (from === 0) return undefined;
			return new Promise<void>((release) => {
				waiting.set(from, release);
				if (waiting.size === 5) for (const at of [...waiting.keys()].sort((a, b) => b - a)) waiting.get(at)!();
			});
		};

		const { output } = await runCortex(fake, { operation: 'search', returnAll: true });

		// Five pages were asked for together, and the first of them to be served was not the first in order.
		const froms = fake.requests.map((r) => r.requestData.search_from as number);
		expect([...froms].sort((a, b) => a - b)).toEqual([0, 100, 200, 300, 400, 500]);
		expect(froms[1]).not.toBe(100);
		expect(ids(output[0])).toEqual(idsOf(records).reverse());
	});

	it('a late record served to one page but not to the page after it (served earlier) loses nothing', async () => {
		const records = recordsBefore(500, 60 * 60_000, 10);
		const fake = new FakeCortex(advancedCredential(), records);
		const late = cortexRecord((records[450].AUDIT_INSERT_TIME as number) + 5);
		// The page at 100 waits until the page at 200 has been served; the late record lands in between.
		let releasePage2: (() => void) | undefined;
		fake.hold = (requestData) => {
			if (requestData.search_from === 100) return new Promise<void>((release) => (releasePage2 = release));
			if (requestData.search_from === 200) {
				return new Promise<void>((release) =>
					setImmediate(() => {
						release();
						setImmediate(() => {
							fake.add(late);
							releasePage2!();
						});
					}),
				);
			}
			return undefined;
		};

		const { output } = await runCortex(fake, { operation: 'search', returnAll: true });

		// The page at 200 came before the change, the page at 100 after it: the first was dropped and asked again.
		const froms = fake.requests.map((r) => r.requestData.search_from);
		expect(froms.filter((from) => from === 200).length).toBe(2);
		expect(ids(output[0])).toEqual(idsOf(records).reverse());
	});
});
