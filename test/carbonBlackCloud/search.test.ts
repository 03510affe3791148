// CBC Search through the Audit Log node and n8n-core: Return All past the 10 000-row window, Limit, rows.
import type { IDataObject } from 'n8n-workflow';
import { contentId } from '../../nodes/shared/canonical';
import { jsonOf, runCbc } from '../support/auditLog';
import { CBC_WINDOW, CbcBackend, type SearchCall } from '../support/cbcBackend';
import { cbcEvents, type Burst } from '../support/cbcEvents';
import { offline } from '../support/offline';

const TOTAL = 23_500;
/**
 * Bursts sharing one millisecond, placed so that window edges fall inside them: ascending windows
 * end at 10 000 (inside 9 400–10 599) and at 19 400 (inside 18 500–20 999); descending windows end
 * at 13 500 (inside 13 000–13 999) and at 4 000 (inside 3 500–4 299).
 */
const BURSTS: Burst[] = [
	{ at: 500, size: 300 },
	{ at: 3_500, size: 800 },
	{ at: 7_000, size: 400 },
	{ at: 9_400, size: 1_200 },
	{ at: 13_000, size: 1_000 },
	{ at: 18_500, size: 2_500 },
	{ at: 22_000, size: 600 },
];
const RANGE = { start: '2024-05-01T00:00:00.000Z', end: '2024-05-02T00:00:00.000Z' };

let backend: CbcBackend;

offline();

function expectWindowRuleKept(searches: SearchCall[]): void {
	expect(searches.length).toBeGreaterThan(0);
	for (const call of searches) {
		expect(typeof call.rows).toBe('number');
		expect(typeof call.start).toBe('number');
		expect(call.start! + call.rows!).toBeLessThanOrEqual(CBC_WINDOW);
	}
	expect(backend.violations).toEqual([]);
}

function times(items: IDataObject[]): number[] {
	return items.map((item) => Date.parse(item.time as string));
}

describe('Search, Return All over more than 10 000 events with bursts at one millisecond', () => {
	const events = cbcEvents(TOTAL, { bursts: BURSTS });
	const expectedIds = new Set(events.map((event) => contentId(event)));

	it.each([
		['asc', (a: number, b: number) => a <= b],
		['desc', (a: number, b: number) => a >= b],
	])('returns every event exactly once, sort order %s', async (sortOrder, inOrder) => {
		backend = new CbcBackend({ events, shuffleTies: true }).install();

		const result = await runCbc({
			operation: 'search',
			returnAll: true,
			filters: RANGE,
			options: { sortOrder, includeRaw: false },
		});

		const items = jsonOf(result);
		const ids = items.map((item) => item.id as string);
		expect(ids).toHaveLength(TOTAL);
		expect(new Set(ids).size).toBe(TOTAL);
		expect(ids.every((id) => expectedIds.has(id))).toBe(true);
		const t = times(items);
		expect(t.every((value, i) => i === 0 || inOrder(t[i - 1], value))).toBe(true);
		expect(result.output[0].every((item) => (item.pairedItem as { item: number }).item === 0)).toBe(true);

		expectWindowRuleKept(backend.searches);
		// Three windows, each restarting inside a burst that straddled the previous edge.
		expect(backend.searches).toHaveLength(3);
		const edges = backend.searches.slice(1).map((call) => {
			const bound = (call.criteria.create_time as IDataObject)[sortOrder === 'asc' ? 'start' : 'end'];
			return events.filter((event) => event.create_time === bound).length;
		});
		expect(edges).toEqual(sortOrder === 'asc' ? [1_200, 2_500] : [1_000, 800]);
		for (const call of backend.searches) expect(call.order).toBe(sortOrder.toUpperCase());
	});

	it('returns identical records (same content, same millisecond) once each, not once in all', async () => {
		const twins = cbcEvents(CBC_WINDOW + 50);
		const copy = { ...twins[CBC_WINDOW - 1] };
		// The duplicate sits at the last instant of the first window: skipped by count, not by id.
		backend = new CbcBackend({ events: [...twins, copy] }).install();

		const result = await runCbc({
			operation: 'search',
			returnAll: true,
			filters: RANGE,
			options: { sortOrder: 'asc', includeRaw: false },
		});

		const ids = jsonOf(result).map((item) => item.id as string);
		expect(ids).toHaveLength(CBC_WINDOW + 51);
		expect(ids.filter((id) => id === contentId(copy))).toHaveLength(2);
		expectWindowRuleKept(backend.searches);
	});

	it('fails, naming the instant, when more than 10 000 events share one millisecond', async () => {
		backend = new CbcBackend({ events: cbcEvents(CBC_WINDOW + 10, { bursts: [{ at: 0, size: CBC_WINDOW + 5 }] }) }).install();

		await expect(
			runCbc({ operation: 'search', returnAll: true, filters: RANGE, options: { sortOrder: 'asc' } }),
		).rejects.toMatchObject({
			name: 'NodeOperationError',
			message: expect.stringContaining('2024-05-01T00:00:00.000Z'),
		});
		expectWindowRuleKept(backend.searches);
	});
});

describe('Search with a Limit', () => {
	const events = cbcEvents(500, { bursts: [{ at: 300, size: 20 }] });

	it('returns the newest Limit events from one request that sends rows explicitly', async () => {
		backend = new CbcBackend({ events }).install();

		const result = await runCbc({ operation: 'search', returnAll: false, limit: 120, filters: RANGE });

		const ids = jsonOf(result).map((item) => item.id);
		const newest = [...events].reverse().slice(0, 120);
		expect(new Set(ids)).toEqual(new Set(newest.map((event) => contentId(event))));
		expect(ids).toHaveLength(120);
		expect(backend.searches).toEqual([
			expect.objectContaining({ rows: 120, start: 0, order: 'DESC', returned: 120, numFound: 500 }),
		]);
		expectWindowRuleKept(backend.searches);
	});

	it('takes the oldest events with sort order asc', async () => {
		backend = new CbcBackend({ events }).install();

		const result = await runCbc({
			operation: 'search',
			returnAll: false,
			limit: 7,
			filters: RANGE,
			options: { sortOrder: 'asc' },
		});

		expect(jsonOf(result).map((item) => item.id)).toEqual(events.slice(0, 7).map((event) => contentId(event)));
		expect(backend.searches).toEqual([expect.objectContaining({ rows: 7, start: 0, order: 'ASC' })]);
	});

	it('stops after Limit when it lies past the first window', async () => {
		backend = new CbcBackend({ events: cbcEvents(TOTAL, { bursts: BURSTS }) }).install();

		const result = await runCbc({
			operation: 'search',
			returnAll: false,
			limit: 12_000,
			filters: RANGE,
			options: { sortOrder: 'asc', includeRaw: false },
		});

		const ids = jsonOf(result).map((item) => item.id);
		expect(ids).toHaveLength(12_000);
		expect(new Set(ids).size).toBe(12_000);
		expect(backend.searches).toHaveLength(2);
		expectWindowRuleKept(backend.searches);
	});

	it('sends the filters as criteria, exclusions and query, and the time range as create_time', async () => {
		backend = new CbcBackend({ events }).install();

		await runCbc({
			operation: 'search',
			returnAll: false,
			limit: 5,
			filters: {
				...RANGE,
				actor: 'user1@example.com',
				actorIp: '198.51.100.1',
				flaggedOnly: true,
				query: 'description:"Logged in"',
				excludeActors: 'svc@example.com, bot@example.com',
				requestUrls: '/a,/b',
				verboseOnly: true,
			},
		});

		expect(backend.searches[0].body).toEqual({
			criteria: {
				create_time: RANGE,
				actor: ['user1@example.com'],
				actor_ip: ['198.51.100.1'],
				flagged: true,
				verbose: true,
				request_url: ['/a', '/b'],
			},
			exclusions: { actor: ['svc@example.com', 'bot@example.com'] },
			query: 'description:"Logged in"',
			sort: [{ field: 'create_time', order: 'DESC' }],
			rows: 5,
			start: 0,
		});
	});
});
