// Pangea Search: the /v1/search body, /v1/results paging, time windows past 10 000, normalization, base URL.
import type { IDataObject } from 'n8n-workflow';
import { normalizePangea } from '../../nodes/shared/sources/pangea/normalize';
import { PAGES_IN_FLIGHT } from '../../nodes/shared/pagesAhead';
import { pangeaBaseUrl } from '../../nodes/shared/sources/pangea/request';
import { jsonOf } from '../support/auditLog';
import { BASE, CONFIG_ID, loginRecords, PangeaBackend, pangeaRecord, runPangea, TOKEN } from './fixture';
import { offline } from '../support/offline';

const DAY = { start: '2024-05-01T00:00:00.000Z', end: '2024-05-02T00:00:00.000Z' };
/** 08:00 on the day, plus 123 µs so that no record sits on a whole millisecond. */
const T0 = Date.UTC(2024, 4, 1, 8) * 1000 + 123;

offline();

const hashes = (records: IDataObject[]) => records.map((r) => r.hash);

describe('Search', () => {
	it('reads /v1/results past the first page until the count, with every filter in the body', async () => {
		const records = loginRecords(2500, T0);
		const backend = new PangeaBackend(records).install();

		const result = await runPangea({
			operation: 'search',
			returnAll: true,
			filters: {
				...DAY,
				actor: 'alice@example.com',
				query: 'action:login message:"Signed in"',
				restrictTenantId: 't-42, t-7',
				restrictAction: 'login',
			},
			options: { sortOrder: 'asc' },
		});

		const items = jsonOf(result);
		expect(items.map((item) => item.id)).toEqual(hashes(records));
		expect(backend.callsTo('/v1/search').map((call) => call.body)).toEqual([
			{
				query: 'action:login message:"Signed in" actor:alice@example.com',
				search_restriction: { tenant_id: ['t-42', 't-7'], action: ['login'] },
				start: '2024-05-01T00:00:00.000000Z',
				end: '2024-05-02T00:00:00.000999Z',
				order: 'asc',
				order_by: 'received_at',
				max_results: 10000,
				limit: 1000,
				verbose: false,
				config_id: CONFIG_ID,
			},
		]);
		expect(backend.callsTo('/v1/results').map((call) => call.body)).toEqual([
			{ id: 'pas_1', limit: 1000, offset: 1000, config_id: CONFIG_ID },
			{ id: 'pas_1', limit: 1000, offset: 2000, config_id: CONFIG_ID },
		]);
		expect(new Set(backend.calls.map((call) => call.authorization))).toEqual(new Set([`Bearer ${TOKEN}`]));
		// Hints are kept for what a user must act on; a complete search adds none.
		expect(result.hints).toEqual([]);
	});

	it.each(['asc', 'desc'])(
		'past 10 000 matches (%s), splits the time range and returns every event once, bursts included',
		async (order) => {
			const records = loginRecords(10_600, T0);
			// Twelve events share one microsecond across the cap; the second window meets them again.
			const burstUs = T0 + (order === 'asc' ? 9_994 : 10_600 - 10_006) * 1000 + 333;
			const at = order === 'asc' ? 9_994 : 10_600 - 10_006;
			for (let i = at; i < at + 12; i++) {
				records[i] = pangeaRecord(burstUs, { message: `burst ${i}`, actor: 'bob', action: 'login' });
			}
			const backend = new PangeaBackend(records).install();

			const result = await runPangea({
				operation: 'search',
				returnAll: true,
				filters: DAY,
				options: { sortOrder: order },
			});

			const expected = hashes(records);
			expect(jsonOf(result).map((item) => item.id)).toEqual(order === 'asc' ? expected : [...expected].reverse());
			const windows = backend.callsTo('/v1/search').map((call) => call.body);
			expect(windows).toHaveLength(2);
			const edge = new Date(Math.floor(burstUs / 1000)).toISOString();
			// The next window opens at the burst's millisecond, whole: to its last microsecond when going back.
			if (order === 'asc') expect(windows[1]).toMatchObject({ start: edge.replace('Z', '000Z'), end: DAY.end.replace('Z', '999Z') });
			else expect(windows[1]).toMatchObject({ start: DAY.start.replace('Z', '000Z'), end: edge.replace('Z', '999Z') });
			expect(backend.callsTo('/v1/search')).toHaveLength(2);
		},
	);

	it('asks Pangea for just the Limit, newest first by default', async () => {
		const records = loginRecords(30, T0);
		const backend = new PangeaBackend(records).install();

		const result = await runPangea({ operation: 'search', limit: 5, filters: DAY });

		expect(jsonOf(result).map((item) => item.id)).toEqual(hashes(records).reverse().slice(0, 5));
		expect(backend.callsTo('/v1/search')[0].body).toMatchObject({ limit: 5, order: 'desc' });
		expect(backend.callsTo('/v1/results')).toEqual([]);
	});

	it('builds the URL from the domain and sends no config_id when the credential has none', async () => {
		const backend = new PangeaBackend(loginRecords(2, T0)).install();

		const result = await runPangea(
			{ operation: 'search', returnAll: true, filters: { ...DAY, actorIp: '198.51.100.7' } },
			{ credentials: { pangeaAuditApi: { domain: 'pangea.test', token: TOKEN } } },
		);

		expect(jsonOf(result)).toHaveLength(2);
		const [search] = backend.callsTo('/v1/search');
		expect(search.body).not.toHaveProperty('config_id');
		expect(search.body.query).toBe('source:198.51.100.7');
	});
});

describe('pangeaBaseUrl', () => {
	it.each([
		[{ domain: 'aws.eu.pangea.cloud' }, 'https://audit.aws.eu.pangea.cloud'],
		[{ domain: ' https://aws.us.pangea.cloud/ ' }, 'https://audit.aws.us.pangea.cloud'],
		[{ domain: 'audit.aws.us-west-2.pangea.cloud' }, 'https://audit.aws.us-west-2.pangea.cloud'],
		[{ domain: '' }, 'https://audit.aws.us.pangea.cloud'],
		[{ domain: 'aws.eu.pangea.cloud', baseUrl: 'http://localhost:8080/pangea/' }, 'http://localhost:8080/pangea'],
	])('%j → %s', (credentials, url) => {
		expect(pangeaBaseUrl(credentials)).toBe(url);
	});

	it('is where requests go', () => {
		expect(pangeaBaseUrl({ baseUrl: BASE })).toBe(BASE);
	});
});

describe('normalizePangea', () => {
	const record = (event: IDataObject, receivedAt = '2024-05-01T08:00:00.123456Z') =>
		({ envelope: { event, received_at: receivedAt }, hash: 'ab'.repeat(32), published: true }) as IDataObject;

	it('maps the standard fields', () => {
		const raw = record({
			message: 'Changed role',
			actor: 'alice@example.com',
			action: 'Update_Role',
			source: '2001:db8::7',
			status: 'success',
			target: 'user:bob',
			tenant_id: 't-42',
			old: '{"role":"viewer"}',
			new: '{"role":"admin","teams":["red"]}',
			timestamp: '2024-05-01T07:59:58Z',
		});

		expect(normalizePangea(raw)).toEqual({
			id: 'ab'.repeat(32),
			source: 'pangea',
			time: '2024-05-01T08:00:00.123Z',
			actor: { name: 'alice@example.com', email: 'alice@example.com', ip: '2001:db8::7' },
			action: 'update_role',
			category: 'account',
			description: 'Changed role',
			outcome: 'success',
			flagged: false,
			target: { type: null, id: null, name: 'user:bob' },
			changes: { before: { role: 'viewer' }, after: { role: 'admin', teams: ['red'] } },
			organization: 't-42',
			requestUrl: null,
			raw,
		});
	});

	it('keeps non-JSON changes as values, a non-IP source off actor.ip, and unknown statuses unknown', () => {
		const item = normalizePangea(record({ message: 'm', actor: 'svc', source: 'web', status: 'pending', old: 'viewer', new: '42' }));

		expect(item.actor).toEqual({ name: 'svc', email: null, ip: null });
		expect(item.changes).toEqual({ before: { value: 'viewer' }, after: { value: 42 } });
		expect(item.outcome).toBe('unknown');
		expect(normalizePangea(record({ message: 'm', status: 'Failed', action: 'login' }))).toMatchObject({
			outcome: 'failure',
			category: 'authentication',
			changes: null,
		});
	});

	it('emits an unreadable time as null', () => {
		expect(normalizePangea(record({ message: 'm' }, 'yesterday')).time).toBeNull();
	});
});

describe('Search: /v1/results pages fetched ahead', () => {
	const offsets = (backend: PangeaBackend) => backend.callsTo('/v1/results').map((call) => call.body.offset as number);

	it('hands pages that complete last first out in order, each event once', async () => {
		const records = loginRecords(5000, T0);
		const backend = new PangeaBackend(records).install();
		const held: Array<{ offset: number; release: () => void }> = [];
		backend.hold = (path, body) => {
			if (path !== '/v1/results') return undefined;
			return new Promise<void>((release) => {
				held.push({ offset: body.offset as number, release });
				if (held.length === 4) for (const page of [...held].sort((a, b) => b.offset - a.offset)) page.release();
			});
		};

		const items = jsonOf(await runPangea({ operation: 'search', returnAll: true, filters: DAY, options: { sortOrder: 'asc' } }));

		expect(items.map((item) => item.id)).toEqual(hashes(records));
		// Asked for together, served in another order than asked.
		expect([...offsets(backend)].sort((a, b) => a - b)).toEqual([1000, 2000, 3000, 4000]);
		expect(offsets(backend)[0]).not.toBe(1000);
	});

	it('a failed page in the middle fails the run naming its offset, and nothing far past it is asked for', async () => {
		const records = loginRecords(9000, T0);
		const backend = new PangeaBackend(records).install();
		backend.scriptFor = (path, body) =>
			path === '/v1/results' && body.offset === 2000
				? { status: 'ValidationError', summary: 'offset out of range', result: { errors: [] } }
				: undefined;

		const error = (await runPangea({ operation: 'search', returnAll: true, filters: DAY, options: { sortOrder: 'asc' } }).catch(
			(e: unknown) => e,
		)) as { description?: string };

		expect(error.description).toContain('Failed at page 3 of the read (offset 2000: 2000 record(s) read before it)');
		expect(Math.max(...offsets(backend))).toBeLessThanOrEqual(2000 + (PAGES_IN_FLIGHT - 1) * 1000);
		expect(offsets(backend).length).toBeLessThan(8);
	});

	it('a Limit above one page fetches ahead only up to the Limit', async () => {
		const records = loginRecords(6000, T0);
		const backend = new PangeaBackend(records).install();

		const items = jsonOf(await runPangea({ operation: 'search', limit: 2500, filters: DAY, options: { sortOrder: 'asc' } }));

		expect(items.map((item) => item.id)).toEqual(hashes(records.slice(0, 2500)));
		expect(offsets(backend)).toEqual([1000, 2000]);
	});
});
