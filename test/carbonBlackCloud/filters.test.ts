// CBC-only filters: the new exclusions (verbose, flagged, a time window) and Actor / Actor IP lists in the
// _search body, and NativeQueue.matches, which must make every one of them hold on queue items.
import { NodeOperationError, type IDataObject } from 'n8n-workflow';
import { matchesCommonFilters } from '../../nodes/shared/auditItem';
import { contentId } from '../../nodes/shared/canonical';
import { readQuery } from '../../nodes/shared/query';
import { carbonBlackCloud } from '../../nodes/shared/sources/carbonBlackCloud';
import { CBC_FILTER_FIELDS } from '../../nodes/shared/sources/carbonBlackCloud/fields';
import { normalizeCbc, type CbcRecord } from '../../nodes/shared/sources/carbonBlackCloud/normalize';
import { failureOf, jsonOf, runCbc, stubFunctions } from '../support/auditLog';
import { CbcBackend } from '../support/cbcBackend';
import { cbcEvents } from '../support/cbcEvents';
import { tally } from '../support/tally';
import { offline } from '../support/offline';

const RANGE = { start: '2024-05-01T00:00:00.000Z', end: '2024-05-02T00:00:00.000Z' };
const DESCRIPTIONS = ['Logged in successfully', 'Logged out', 'Updated policy "Standard"', 'Enabled bypass on device 7'];
const URLS = ['/appservices/v6/orgs/ORGKEY01/device_actions', '/policyservice/v1/orgs/ORGKEY01/policies/4'];

/** Records whose filterable values repeat, so every filter keeps some and drops some. */
const events: CbcRecord[] = cbcEvents(400).map((event, i) => ({
	...event,
	actor: `user${i % 5}@example.com`,
	actor_ip: `203.0.113.${i % 6}`,
	description: DESCRIPTIONS[i % 4],
	request_url: i % 3 === 0 ? URLS[i % 2] : null,
	flagged: i % 7 === 0,
	verbose: i % 2 === 0,
}));
const WINDOW = { start: events[100].create_time!, end: events[199].create_time! };

offline();

/** Filter sets; the keys cover every CBC-only field (checked below) plus the common Actor lists. */
const CASES: Array<[string, IDataObject]> = [
	['description', { description: 'Logged out, Logged in successfully' }],
	['requestUrls', { requestUrls: URLS[0] }],
	['verboseOnly', { verboseOnly: true }],
	['excludeVerbose', { excludeVerbose: true }],
	['excludeFlagged', { excludeFlagged: true }],
	['excludeActors', { excludeActors: 'user1@example.com, user2@example.com' }],
	['excludeActorIps', { excludeActorIps: '203.0.113.0,203.0.113.5' }],
	['excludeDescriptions', { excludeDescriptions: 'Logged out' }],
	['excludeRequestUrls', { excludeRequestUrls: `${URLS[1]}, ${URLS[0]}` }],
	['excludeStart + excludeEnd', { excludeStart: WINDOW.start, excludeEnd: WINDOW.end }],
	['actor list (common)', { actor: 'user1@example.com, user3@example.com' }],
	['actorIp list (common)', { actorIp: '203.0.113.1,203.0.113.4' }],
	[
		'all at once',
		{
			actor: 'user0@example.com,user1@example.com,user2@example.com',
			actorIp: '203.0.113.0,203.0.113.1,203.0.113.2,203.0.113.3',
			description: `${DESCRIPTIONS[0]},${DESCRIPTIONS[1]},${DESCRIPTIONS[3]}`,
			excludeVerbose: true,
			excludeFlagged: true,
			excludeActors: 'user2@example.com',
			excludeActorIps: '203.0.113.3',
			excludeDescriptions: DESCRIPTIONS[3],
			excludeRequestUrls: URLS[1],
			excludeStart: WINDOW.start,
			excludeEnd: WINDOW.end,
		},
	],
];

/** What the queue path keeps: the caller's common filters, then the source's matches. */
function queueKeeps(filters: IDataObject): CbcRecord[] {
	const { query } = readQuery(stubFunctions({ filters: { ...filters, ...RANGE }, options: {} }), carbonBlackCloud, 0, Date.now(), 'asc');
	return events.filter((record) => {
		const item = normalizeCbc(record);
		return matchesCommonFilters(item, query.common, ['actor', 'actorIp', 'flaggedOnly']) && carbonBlackCloud.nativeQueue!.matches(query, item);
	});
}

describe('every CBC filter is covered here', () => {
	it('each vendor-only field of the editor has a case', () => {
		const covered = new Set(CASES.flatMap(([, filters]) => Object.keys(filters)));
		for (const field of CBC_FILTER_FIELDS) expect([field.name, covered.has(field.name)]).toEqual([field.name, true]);
	});
});

describe.each(CASES)('filter: %s', (_name, filters) => {
	it('Search sends it to CBC, and matches() keeps on queue items exactly what CBC returns', async () => {
		const backend = new CbcBackend({ events }).install();

		const result = await runCbc({ operation: 'search', returnAll: true, filters: { ...filters, ...RANGE }, options: { sortOrder: 'asc' } });

		const fromSearch = jsonOf(result).map((item) => item.id);
		const fromQueue = queueKeeps(filters).map((record) => contentId(record));
		expect(fromSearch.length).toBeGreaterThan(0);
		expect(fromSearch.length).toBeLessThan(events.length);
		expect(fromQueue).toEqual(fromSearch);
		expect(backend.violations).toEqual([]);
	});
});

describe('the _search body', () => {
	it('new exclusions and Actor / Actor IP lists, in CBC\'s own shape', async () => {
		const backend = new CbcBackend({ events }).install();

		await runCbc({ operation: 'search', returnAll: true, filters: { ...CASES[CASES.length - 1][1], ...RANGE } });

		const body = backend.searches[0].body;
		expect(body.criteria).toEqual({
			create_time: { start: RANGE.start, end: RANGE.end },
			actor: ['user0@example.com', 'user1@example.com', 'user2@example.com'],
			actor_ip: ['203.0.113.0', '203.0.113.1', '203.0.113.2', '203.0.113.3'],
			description: [DESCRIPTIONS[0], DESCRIPTIONS[1], DESCRIPTIONS[3]],
		});
		expect(body.exclusions).toEqual({
			actor: ['user2@example.com'],
			actor_ip: ['203.0.113.3'],
			description: [DESCRIPTIONS[3]],
			request_url: [URLS[1]],
			verbose: true,
			flagged: true,
			create_time: { start: WINDOW.start, end: WINDOW.end },
		});
	});

	it('one Actor without a comma is still a one-value list', async () => {
		const backend = new CbcBackend({ events }).install();

		await runCbc({ operation: 'search', returnAll: true, filters: { actor: ' user4@example.com ', ...RANGE } });

		expect(backend.searches[0].criteria.actor).toEqual(['user4@example.com']);
	});
});

describe('matches() on queue items, field by field', () => {
	const record: CbcRecord = {
		org_key: 'ORGKEY01',
		actor: 'Alice@Example.com',
		actor_ip: '198.51.100.7',
		request_url: '/appservices/v6/orgs/ORGKEY01/device_actions',
		description: 'Logged in successfully',
		flagged: true,
		verbose: false,
		create_time: '2024-05-01T10:00:00.000Z',
	};
	const item = normalizeCbc(record as IDataObject);
	const matches = (vendor: IDataObject, on = item) =>
		carbonBlackCloud.nativeQueue!.matches({ end: 0, order: 'asc', common: {}, vendor, vendorOptions: {}, pageSize: 1 }, on);

	it.each<[string, IDataObject, IDataObject]>([
		['description', { description: 'Logged out, logged in successfully' }, { description: 'Logged out' }],
		['requestUrls', { requestUrls: '/x, /appservices/v6/orgs/ORGKEY01/device_actions' }, { requestUrls: '/x' }],
		['verboseOnly', { verboseOnly: false }, { verboseOnly: true }],
		['excludeVerbose', { excludeVerbose: true }, { excludeVerbose: true, description: 'x' }],
		['excludeFlagged', { excludeFlagged: false }, { excludeFlagged: true }],
		['excludeActors', { excludeActors: 'bob@example.com' }, { excludeActors: 'bob@example.com, alice@example.com' }],
		['excludeActorIps', { excludeActorIps: '198.51.100.8' }, { excludeActorIps: '198.51.100.8,198.51.100.7' }],
		['excludeDescriptions', { excludeDescriptions: 'Logged out' }, { excludeDescriptions: 'LOGGED IN SUCCESSFULLY' }],
		['excludeRequestUrls', { excludeRequestUrls: '/x' }, { excludeRequestUrls: '/appservices/v6/orgs/ORGKEY01/device_actions' }],
		[
			'excludeStart/excludeEnd (inclusive ends)',
			{ excludeStart: '2024-05-01T10:00:00.001Z', excludeEnd: '2024-05-01T11:00:00.000Z' },
			{ excludeStart: '2024-05-01T09:00:00.000Z', excludeEnd: '2024-05-01T10:00:00.000Z' },
		],
	])('%s: kept with the first, dropped with the second', (_field, keeps, drops) => {
		expect(matches(keeps)).toBe(true);
		expect(matches(drops)).toBe(false);
	});

	it('a verbose record is dropped by Drop Verbose Events and kept by Verbose Only', () => {
		const verbose = normalizeCbc({ ...record, verbose: true } as IDataObject);
		expect(matches({ excludeVerbose: true }, verbose)).toBe(false);
		expect(matches({ verboseOnly: true }, verbose)).toBe(true);
	});

	it('a record the Data Forwarder left without flagged/verbose counts as neither', () => {
		const { flagged: _f, verbose: _v, ...bare } = record;
		void _f;
		void _v;
		const sparse = normalizeCbc(bare as IDataObject);
		expect(matches({ excludeFlagged: true, excludeVerbose: true }, sparse)).toBe(true);
		expect(matches({ verboseOnly: true }, sparse)).toBe(false);
	});

	it('a null request_url is in no list and excluded by none', () => {
		const none = normalizeCbc({ ...record, request_url: null } as IDataObject);
		expect(matches({ requestUrls: '/appservices/v6/orgs/ORGKEY01/device_actions' }, none)).toBe(false);
		expect(matches({ excludeRequestUrls: '/appservices/v6/orgs/ORGKEY01/device_actions' }, none)).toBe(true);
	});

	it('an item without its raw record (Include Raw off upstream) is judged on its normalized fields', () => {
		const { raw: _raw, ...bare } = item;
		void _raw;
		expect(matches({ excludeActorIps: '198.51.100.7' }, bare)).toBe(false);
		expect(matches({ description: 'Logged in successfully', excludeFlagged: false }, bare)).toBe(true);
		expect(matches({ excludeFlagged: true }, bare)).toBe(false);
	});

	it('no vendor filter: everything matches', () => {
		expect(matches({})).toBe(true);
	});
});

describe('bad input fails before any request', () => {
	const cases: Array<[string, IDataObject, RegExp]> = [
		['Exclude From without Exclude Until', { excludeStart: WINDOW.start }, /^Filters > Exclude Until: is empty/],
		['Exclude Until without Exclude From', { excludeEnd: WINDOW.end }, /^Filters > Exclude From: is empty/],
		['Exclude From not a date', { excludeStart: 'yesterday', excludeEnd: WINDOW.end }, /^Filters > Exclude From: "yesterday" is not a date-time/],
		['Exclude Until not a date', { excludeStart: WINDOW.start, excludeEnd: '2024-13-45' }, /^Filters > Exclude Until: "2024-13-45" is not a date-time/],
		['Exclude From after Exclude Until', { excludeStart: WINDOW.end, excludeEnd: WINDOW.start }, /^Filters > Exclude From: is not before Exclude Until/],
		['Flagged Only with Only Unflagged', { flaggedOnly: true, excludeFlagged: true }, /^Filters > Only Unflagged: contradicts Flagged Only/],
		['Verbose Only with Drop Verbose Events', { verboseOnly: true, excludeVerbose: true }, /^Filters > Drop Verbose Events: contradicts Verbose Only/],
	];

	it.each(cases)('%s', async (_name, filters, message) => {
		const backend = new CbcBackend({ events }).install();

		const error = await failureOf(runCbc({ operation: 'search', returnAll: true, filters: { ...filters, ...RANGE } }));

		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toMatch(message);
		expect(backend.requests).toHaveLength(0);
		tally('badInputs', { rejected: 1, requests: backend.requests.length });
	});
});
