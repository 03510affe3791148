/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test-only: setImmediate lets the event loop turn (answers released in a chosen order) */
// Cisco Secure Endpoint Search through n8n-core: next links, Limit, a pinned range under insertions, quota waits, regions, errors.
import { NodeApiError } from 'n8n-workflow';

import { PAGES_IN_FLIGHT } from '../../nodes/shared/pagesAhead';
import { MAX_SHIFTS } from '../../nodes/shared/sources/ciscoSecureEndpoint/pages';
import { DEFAULT_TRANSPORT, Transport } from '../../nodes/shared/transport';

import {
	API_KEY,
	ciscoId,
	ciscoRecord,
	CLIENT_ID,
	EU_HOST,
	FakeCisco,
	recordsBefore,
	runCisco,
	ids,
	idsOf,
	isoSeconds,
} from './fakeCisco';
import { useVirtualClock, virtualClock } from '../support/virtualClock';
import { offline } from '../support/offline';
import { HarnessCredentialsHelper } from '../harness/credentials';

jest.mock('n8n-workflow', () =>
	jest.requireActual<typeof import('../support/virtualClock')>('../support/virtualClock').withVirtualSleep(),
);

/** 12:00:00.997: a node that read the clock one tick later would be in the next second. */
const NOW = Date.parse('2024-05-01T12:00:00.997Z');

offline();
beforeEach(() => {
	useVirtualClock(NOW, DEFAULT_TRANSPORT, Transport);
});

const OFFSET_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/;

describe('Cisco Secure Endpoint Search', () => {
	it('follows links.next to the end, newest first, with one pinned range and Basic auth', async () => {
		const records = recordsBefore(1234);
		const fake = new FakeCisco(EU_HOST, records);

		const { output } = await runCisco({
			operation: 'search',
			returnAll: true,
			filters: { range: '-1d' },
		});

		expect(ids(output[0])).toEqual(idsOf(records).reverse());
		expect(fake.requests.map((r) => [r.params.limit, r.params.offset])).toEqual([
			['500', undefined],
			['500', '500'],
			['500', '1000'],
		]);
		const [first] = fake.requests;
		expect(first.params.start_time).toMatch(OFFSET_TIME);
		expect(first.params.end_time).toMatch(OFFSET_TIME);
		for (const request of fake.requests) {
			expect(request.params.end_time).toBe(first.params.end_time);
			expect(request.params.start_time).toBe(first.params.start_time);
			expect(request.headers.authorization).toBe(
				`Basic ${Buffer.from(`${CLIENT_ID}:${API_KEY}`).toString('base64')}`,
			);
		}
	});

	it('reads the credential once for all its pages, not once per request (n8n: a query and a decryption each)', async () => {
		const fake = new FakeCisco(EU_HOST, recordsBefore(1234));
		const reads = jest.spyOn(HarnessCredentialsHelper.prototype, 'getDecrypted');
		try {
			const { output } = await runCisco({ operation: 'search', returnAll: true, filters: { range: '-1d' } });
			expect(output[0]).toHaveLength(1234);
			expect(fake.requests).toHaveLength(3);
			expect(reads).toHaveBeenCalledTimes(1);
		} finally {
			reads.mockRestore();
		}
	});

	it('asks one page of Limit and stops', async () => {
		const records = recordsBefore(700);
		const fake = new FakeCisco(EU_HOST, records);

		const { output } = await runCisco({ operation: 'search', limit: 30 });

		expect(ids(output[0])).toEqual(idsOf(records.slice(-30)).reverse());
		expect(fake.requests).toHaveLength(1);
		expect(fake.requests[0].params.limit).toBe('30');
	});

	describe('an event written between two page requests', () => {
		const scenario = (fake: FakeCisco) => {
			fake.afterRequest = (n) => {
				if (n === 1)
					fake.add(ciscoRecord(Date.now(), { event: 'login', audit_log_user: 'late@example.com' }));
			};
		};

		it('neither shifts nor doubles the pinned range', async () => {
			const records = recordsBefore(1100, 5_000);
			const fake = new FakeCisco(EU_HOST, records);
			scenario(fake);

			const { output } = await runCisco({ operation: 'search', returnAll: true });

			expect(fake.records).toHaveLength(1101);
			expect(fake.requests).toHaveLength(3);
			const got = ids(output[0]);
			expect(new Set(got).size).toBe(got.length);
			expect(got).toEqual(idsOf(records).reverse());
		});

		it('would double a record without the pinned end (the fake really shifts)', async () => {
			const records = recordsBefore(1100, 5_000);
			const fake = new FakeCisco(EU_HOST, records);
			scenario(fake);
			fake.ignoreEndTime = true;
			fake.hideTotal = true;

			const { output } = await runCisco({ operation: 'search', returnAll: true });

			const got = ids(output[0]);
			expect(got.length - new Set(got).size).toBe(1);
		});
	});

	describe("Cisco's clock 10 s behind n8n's: a record written mid-read lands inside the pinned range", () => {
		const LAG = 10_000;
		const lagged = () =>
			ciscoRecord(Date.now() - LAG, { event: 'login', audit_log_user: 'lagged@example.com' });

		it('Search newest first: the shift is seen in the total and the read resumes, each record once', async () => {
			const records = recordsBefore(600, 60_000);
			const fake = new FakeCisco(EU_HOST, records);
			fake.afterRequest = (n) => n === 1 && fake.add(lagged());

			const { output } = await runCisco({ operation: 'search', returnAll: true });

			const got = ids(output[0]);
			expect(got).toHaveLength(600);
			expect(got).toEqual(idsOf(records).reverse());
			// Page 2 answered with total 601: dropped, and the read resumed in a range ending at the
			// second it had reached (records 1 s apart: the 500th newest).
			expect(fake.requests.map((r) => [r.params.offset, r.params.end_time])).toEqual([
				[undefined, '2024-05-01T11:59:59+00:00'],
				['500', '2024-05-01T11:59:59+00:00'],
				[undefined, records[100].created_at!.toString().replace('Z', '+00:00')],
			]);
		});

		it('a burst at the second it resumes from is neither lost nor doubled (identical records count twice)', async () => {
			const second = Date.now() - 20 * 60_000;
			const twin = ciscoRecord(second, { event: 'login', audit_log_user: 'twin@example.com' });
			const burst = [
				...Array.from({ length: 9 }, () => ciscoRecord(second)),
				twin,
				{ ...twin },
				...Array.from({ length: 9 }, () => ciscoRecord(second)),
			];
			// Newest first, page 1 (500 records) ends inside the burst, between the two twins.
			const records = [...recordsBefore(100, 30 * 60_000), ...burst, ...recordsBefore(490, 60_000)];
			const fake = new FakeCisco(EU_HOST, records);
			fake.afterRequest = (n) => n === 1 && fake.add(lagged());

			const { output } = await runCisco({ operation: 'search', returnAll: true });

			expect(fake.requests[2].params.end_time).toBe(isoSeconds(second).replace('Z', '+00:00'));
			expect(output[0]).toHaveLength(records.length);
			expect(ids(output[0]).sort()).toEqual(idsOf(records).sort());
			expect(ids(output[0]).filter((id) => id === ciscoId(twin))).toHaveLength(2);
		});

		it('fails clearly, without a partial result, when the log changes under every page', async () => {
			const records = recordsBefore(1500, 60_000);
			const fake = new FakeCisco(EU_HOST, records);
			// A record late by an hour lands below the read's position after every request.
			fake.afterRequest = () => fake.add(ciscoRecord(Date.parse(records[0].created_at as string)));

			const error = (await runCisco({
				operation: 'search',
				returnAll: true,
				options: { sortOrder: 'asc' },
			}).catch((e: unknown) => e)) as NodeApiError;

			expect(error).toBeInstanceOf(NodeApiError);
			expect(error.message).toBe(
				`Cisco Secure Endpoint's audit log changed ${MAX_SHIFTS + 1} times in a row while it was read`,
			);
			expect(error.description).toMatch(/total went from 1510 to 1511 at offset 1010/);
			expect(fake.requests).toHaveLength(MAX_SHIFTS + 2);
		});
	});

	it("accepts the vendor's own non-GUID audit_log_id and sends it as written", async () => {
		const id = '16db5cf986eec6f44422';
		const match = ciscoRecord(Date.now() - 60_000, { audit_log_id: id });
		const fake = new FakeCisco(EU_HOST, [...recordsBefore(5), match]);

		const { output } = await runCisco({
			operation: 'search',
			returnAll: true,
			filters: { auditLogId: ` ${id} ` },
		});

		expect(fake.requests[0].params.audit_log_id).toBe(id);
		expect(output[0].map(({ json }) => json.target)).toEqual([
			expect.objectContaining({ id }),
		]);
	});

	it('says in the hint how much of the hourly quota a Return All used', async () => {
		const fake = new FakeCisco(EU_HOST, recordsBefore(1234));
		fake.quota.remaining = 2000;

		const { output, hints } = await runCisco({ operation: 'search', returnAll: true });

		expect(output[0]).toHaveLength(1234);
		expect(hints.map((h) => h.message)).toContain(
			"Cisco Secure Endpoint: this run used 3 requests of the API client's hourly quota of 3000 (0.1%); 1997 left until 2024-05-01T13:00:00.000Z.",
		);
	});

	it('reads the quota in the prose spelling, with the reset in seconds only', async () => {
		const fake = new FakeCisco(EU_HOST, recordsBefore(600));
		for (const n of [1, 2]) {
			fake.script.set(n, {
				status: 200,
				body: {
					metadata: {
						links: n === 1 ? { next: `${EU_HOST}/v1/audit_logs?limit=500&offset=500` } : {},
						results: { total: 600 },
					},
					data: n === 1 ? fake.records.slice(100).reverse() : fake.records.slice(0, 100).reverse(),
				},
				headers: { 'X-Rate-Limit-Limit': '3000', 'X-Rate-Limit-Remaining': String(2000 - n), 'X-Rate-Limit-Reset': '906' },
			});
		}

		const { hints } = await runCisco({ operation: 'search', returnAll: true });

		// 12:00:00.997 + 906 s.
		expect(hints.map((h) => h.message)).toContain(
			"Cisco Secure Endpoint: this run used 2 requests of the API client's hourly quota of 3000 (0.067%); 1998 left until 2024-05-01T12:15:06.997Z.",
		);
	});

	it('gives no quota hint for a one-page run with the quota far from spent', async () => {
		new FakeCisco(EU_HOST, recordsBefore(20));

		const { hints } = await runCisco({ operation: 'search', returnAll: true });

		expect(hints.map((h) => h.message).filter((m) => /quota/.test(m))).toEqual([]);
	});

	it('warns in the hint when the quota is nearly spent, even after one page', async () => {
		const fake = new FakeCisco(EU_HOST, recordsBefore(20));
		fake.quota.remaining = 120;

		const { hints } = await runCisco({ operation: 'search', limit: 5 });

		expect(hints.map((h) => h.message)).toContain(
			"Cisco Secure Endpoint: this run used 1 request of the API client's hourly quota of 3000 (0.033%); 119 left until 2024-05-01T13:00:00.000Z.",
		);
	});

	it('keeps to the asked range although Cisco is filtered to whole seconds', async () => {
		const second = Date.parse('2024-05-01T09:00:00Z');
		const edge = (ms: number, user: string) =>
			ciscoRecord(ms, { event: 'login', audit_log_user: user });
		const before = edge(second, 'before@example.com');
		const inside = [
			edge(second + 1000, 'first@example.com'),
			edge(second + 600_000, 'last@example.com'),
		];
		const after = edge(second + 601_000, 'after@example.com');
		const fake = new FakeCisco(EU_HOST, [before, ...inside, after]);

		const { output } = await runCisco({
			operation: 'search',
			returnAll: true,
			filters: { start: '2024-05-01T09:00:00.500Z', end: '2024-05-01T09:10:00.500Z' },
		});

		expect(fake.requests[0].params).toMatchObject({
			start_time: '2024-05-01T09:00:00+00:00',
			end_time: '2024-05-01T09:10:01+00:00',
		});
		expect(ids(output[0])).toEqual(idsOf(inside).reverse());
	});

	it('never asks into the second being written when the range ends now', async () => {
		const fake = new FakeCisco(EU_HOST, recordsBefore(3));

		await runCisco({ operation: 'search', returnAll: true });

		// Now is 12:00:00.997: the second being written is 12:00:00, so the range ends at 11:59:59.
		expect(fake.requests[0].params.end_time).toBe('2024-05-01T11:59:59+00:00');
	});

	it('sends the Cisco filters, and Actor as audit_log_user', async () => {
		const guid = '0b6c1a2e-4f5d-4c3b-9a8e-7d6c5b4a3f21';
		const match = ciscoRecord(Date.now() - 60_000, {
			event: 'update',
			audit_log_type: 'Group',
			audit_log_id: guid,
			audit_log_user: 'bob@example.com',
		});
		const fake = new FakeCisco(EU_HOST, [...recordsBefore(9), match]);

		const { output } = await runCisco({
			operation: 'search',
			returnAll: true,
			filters: {
				actor: 'bob@example.com',
				auditLogType: 'Group',
				event: 'update',
				auditLogId: guid,
			},
		});

		expect(fake.requests[0].params).toMatchObject({
			audit_log_user: 'bob@example.com',
			audit_log_type: 'Group',
			event: 'update',
			audit_log_id: guid,
		});
		expect(ids(output[0])).toContain(ciscoId(match));
		for (const { json } of output[0])
			expect(json).toMatchObject({
				actor: { name: 'bob@example.com' },
				target: { type: 'Group', id: guid },
			});
	});

	it('survives a 429 mid-run by waiting for x-ratelimit-reset', async () => {
		const records = recordsBefore(1200);
		const fake = new FakeCisco(EU_HOST, records);
		fake.script.set(2, {
			status: 429,
			body: {
				version: 'v1.2.0',
				data: {},
				errors: [
					{
						error_code: 429,
						description: 'Too Many Requests',
						details: ['API rate limit exceeded'],
					},
				],
			},
			headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1' },
		});

		const { output } = await runCisco({ operation: 'search', returnAll: true });

		expect(ids(output[0])).toEqual(idsOf(records).reverse());
		// The page at 1000 was fetched ahead while the one at 500 waited out its 429.
		expect(fake.requests.map((r) => [r.status, r.params.offset])).toEqual([
			[200, undefined],
			[429, '500'],
			[200, '1000'],
			[200, '500'],
		]);
		// The transport waited exactly the second Cisco asked for, once.
		expect(fake.requests[3].at - fake.requests[1].at).toBe(1000);
		expect(virtualClock.slept.reduce((sum, ms) => sum + ms, 0)).toBe(1000);
	});

	it('waits for the reset instead of drawing a 429 when the quota reaches 0', async () => {
		const fake = new FakeCisco(EU_HOST, recordsBefore(600));
		fake.script.set(1, {
			status: 200,
			body: {
				metadata: {
					links: { next: `${EU_HOST}/v1/audit_logs?limit=500&offset=500` },
					results: { total: 600 },
				},
				data: fake.records.slice(100).reverse(),
			},
			headers: { 'X-Rate-Limit-Remaining': '0', 'X-Rate-Limit-Reset': '1' },
		});
		fake.quota.remaining = 5;

		const { output } = await runCisco({ operation: 'search', returnAll: true });

		expect(output[0]).toHaveLength(600);
		expect(fake.requests.map((r) => r.status)).toEqual([200, 200]);
		expect(fake.requests[1].at - fake.requests[0].at).toBe(1000);
	});

	it('reads a custom base URL and the other regions', async () => {
		const custom = new FakeCisco('https://amp-proxy.example.test', recordsBefore(2));
		const apjc = new FakeCisco('https://api.apjc.amp.cisco.com', recordsBefore(3));
		const credential = { clientId: CLIENT_ID, apiKey: API_KEY };

		const viaCustom = await runCisco(
			{ operation: 'search', returnAll: true },
			{
				credentials: {
					ciscoSecureEndpointApi: {
						...credential,
						region: 'custom',
						baseUrl: 'https://amp-proxy.example.test/',
					},
				},
			},
		);
		const viaApjc = await runCisco(
			{ operation: 'search', returnAll: true },
			{
				credentials: { ciscoSecureEndpointApi: { ...credential, region: 'apjc' } },
			},
		);

		expect([viaCustom.output[0].length, viaApjc.output[0].length]).toEqual([2, 3]);
		expect([custom.requests.length, apjc.requests.length]).toEqual([1, 1]);
	});

	it('turns the error envelope into a NodeApiError with the vendor words and no secret', async () => {
		new FakeCisco(EU_HOST, recordsBefore(2));

		const error = (await runCisco(
			{ operation: 'search', limit: 5 },
			{
				credentials: {
					ciscoSecureEndpointApi: { region: 'eu', clientId: CLIENT_ID, apiKey: 'wrong-key-123' },
				},
			},
		).catch((e: unknown) => e)) as NodeApiError;

		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.httpCode).toBe('401');
		expect(error.message).toBe('Cisco Secure Endpoint: Unauthorized: Unknown API key or Client ID');
		expect(error.description).toMatch(/Region/);
		expect(JSON.stringify(error)).not.toContain('wrong-key-123');
	});
});

describe('Cisco Secure Endpoint Search: pages fetched ahead, handed out in order', () => {
	const offsets = (fake: FakeCisco) => fake.requests.map((r) => Number(r.params.offset ?? 0));

	it('pages that complete in reverse still come out newest first, each record once', async () => {
		const records = recordsBefore(2600);
		const fake = new FakeCisco(EU_HOST, records);
		// The five pages after the first are asked for together; their answers are let go last first.
		const held: Array<{ offset: number; release: () => void }> = [];
		fake.hold = (request) => {
			if (request.params.offset === undefined) return undefined;
			return new Promise<void>((release) => {
				held.push({ offset: Number(request.params.offset), release });
				if (held.length === PAGES_IN_FLIGHT - 1) {
					for (const page of [...held].sort((a, b) => b.offset - a.offset)) page.release();
				}
			});
		};

		const { output } = await runCisco({ operation: 'search', returnAll: true });

		expect(held.map((h) => h.offset).sort((a, b) => a - b)).toEqual([500, 1000, 1500, 2000, 2500]);
		expect(ids(output[0])).toEqual(idsOf(records).reverse());
		expect(offsets(fake)).toHaveLength(6);
	});

	it('a failed page in the middle fails the run naming its offset, and nothing far past it is asked for', async () => {
		const records = recordsBefore(6000);
		const fake = new FakeCisco(EU_HOST, records);
		fake.scriptFor = (params) =>
			params.offset === '1500'
				? {
						status: 400,
						body: { version: 'v1.2.0', data: {}, errors: [{ error_code: 400, description: 'Bad Request', details: ['offset'] }] },
					}
				: undefined;

		const error = (await runCisco({ operation: 'search', returnAll: true }).catch((e: unknown) => e)) as NodeApiError;

		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.description).toContain('Failed at page 4 of the read (offset 1500: 1500 record(s) read before it)');
		// At most the window past the failed page was in flight: the 12-page result was not read on.
		expect(Math.max(...offsets(fake))).toBeLessThanOrEqual(1500 + (PAGES_IN_FLIGHT - 1) * 500);
		expect(fake.requests.length).toBeLessThan(12);
	});

	it('a Limit above one page fetches ahead only up to the Limit', async () => {
		const records = recordsBefore(3000);
		const fake = new FakeCisco(EU_HOST, records);

		const { output } = await runCisco({ operation: 'search', limit: 1200 });

		expect(ids(output[0])).toEqual(idsOf(records.slice(-1200)).reverse());
		expect(offsets(fake)).toEqual([0, 500, 1000]);
	});

	it('fetches nothing ahead while the quota left is down to one request', async () => {
		const records = recordsBefore(1600);
		const fake = new FakeCisco(EU_HOST, records);
		fake.quota.remaining = 2;
		fake.quota.reset = 1;
		let inFlight = 0;
		let most = 0;
		fake.hold = () => {
			most = Math.max(most, ++inFlight);
			return new Promise<void>((resolve) => setImmediate(() => resolve(void inFlight--)));
		};

		const { output } = await runCisco({ operation: 'search', returnAll: true });

		expect(ids(output[0])).toEqual(idsOf(records).reverse());
		expect(most).toBe(1);
	});

	it('a shift seen by a page fetched ahead drops every page fetched with it; each record once', async () => {
		const records = recordsBefore(3000, 60_000);
		const fake = new FakeCisco(EU_HOST, records);
		// Cisco's clock 10 s behind: a record lands inside the pinned range after the first page.
		fake.afterRequest = (n) => n === 1 && fake.add(ciscoRecord(Date.now() - 10_000, { audit_log_user: 'lagged@example.com' }));

		const { output } = await runCisco({ operation: 'search', returnAll: true });

		expect(ids(output[0])).toEqual(idsOf(records).reverse());
		// The pages fetched with the shifted one were dropped; the read resumed at offset 0 in a narrower range.
		const resumed = fake.requests.findIndex((r, i) => i > 0 && r.params.offset === undefined);
		expect(resumed).toBeGreaterThan(1);
		expect(fake.requests[resumed].params.end_time).not.toBe(fake.requests[0].params.end_time);
	});
});

describe('Cisco Secure Endpoint Search: a repeated page (a stale cache answering the page before)', () => {
	it('is told by metadata.results.index, asked again once, and every event comes out once', async () => {
		const records = recordsBefore(1200);
		const fake = new FakeCisco(EU_HOST, records);
		fake.staleAt.set(500, 1);

		const { output } = await runCisco({ operation: 'search', returnAll: true, filters: { range: '-1d' } });

		expect(ids(output[0])).toEqual(idsOf(records).reverse());
		expect(fake.requests.filter((r) => r.params.offset === '500')).toHaveLength(2);
	});

	it('repeated again: fails naming the offset, with no partial result', async () => {
		const fake = new FakeCisco(EU_HOST, recordsBefore(1200));
		fake.staleAt.set(500, 2);

		await expect(runCisco({ operation: 'search', returnAll: true, filters: { range: '-1d' } })).rejects.toThrow(
			/asked for the page at offset 500 and answered the page at offset 0/,
		);
	});
});
