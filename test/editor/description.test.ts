// What the n8n editor shows of the two nodes: the node panel's actions per vendor (computed the way
// n8n's editor computes them), the codex aliases the panel's search matches, subtitles in words, the
// Source notice, Flagged Only only where a vendor flags events, Range presets, side effects in the
// operations' descriptions (read by AI agents), and which keys of a collection are the vendor's.
import type { IDataObject, INodeProperties, INodePropertyOptions, INodeTypeDescription } from 'n8n-workflow';
import auditLogCodex from '../../nodes/AuditLog/AuditLog.node.json';
import triggerCodex from '../../nodes/AuditLogTrigger/AuditLogTrigger.node.json';
import { AuditLog } from '../../nodes/AuditLog/AuditLog.node';
import { AuditLogTrigger } from '../../nodes/AuditLogTrigger/AuditLogTrigger.node';
import { COMMON_FILTER_NAMES, RANGE_PRESETS } from '../../nodes/shared/fields';
import { readQuery } from '../../nodes/shared/query';
import { SOURCES, getSource } from '../../nodes/shared/sources';
import { stubFunctions, STUB_NODE } from '../support/auditLog';
import type { NodeFunctions } from '../../nodes/shared/types';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { panelActions, aliasMatches, SEARCH_TERMS } = require('../support/panelActions.cjs') as {
	panelActions(description: INodeTypeDescription): Array<{ label: string; displayName: string; values: IDataObject }>;
	aliasMatches(codex: unknown, term: string): boolean;
	SEARCH_TERMS: string[];
};

const action = new AuditLog().description;
const trigger = new AuditLogTrigger().description;

const READ_ACTIONS = ['Export and wait for audit events', 'Fetch queue of new audit events', 'Search audit events'];

describe('node panel actions', () => {
	const actions = panelActions(action);

	it.each(SOURCES.map((s) => [s.displayName, s.id]))('%s lists its actions under its own label', (name, id) => {
		const mine = actions.filter((a) => a.label === `${name} Actions`);
		const expected = getSource(id)!.log ? [...READ_ACTIONS, 'Log events to Pangea'].sort() : READ_ACTIONS;
		expect(mine.map((a) => a.displayName).sort()).toEqual(expected);
		// Adding the action opens a node on that source (and so with that source's credential type).
		for (const a of mine) expect(a.values.resource).toBe(id);
	});

	it('lists Log only for the sources that write', () => {
		const log = actions.filter((a) => a.values.operation === 'log');
		expect(log.map((a) => a.values.resource)).toEqual(SOURCES.filter((s) => s.log).map((s) => s.id));
		expect(log.length).toBeGreaterThan(0);
	});

	it('offers each source its credential type, and only that one, once the action set the source', () => {
		for (const source of SOURCES) {
			const offered = (action.credentials ?? []).filter((c) =>
				(c.displayOptions?.show?.resource ?? []).includes(source.id),
			);
			expect(offered.map((c) => c.name)).toEqual([source.credentialType]);
		}
	});
});

describe('codex aliases', () => {
	it.each([
		['Audit Log', auditLogCodex],
		['Audit Log Trigger', triggerCodex],
	])('%s is found by every vendor and SIEM term', (_name, codex) => {
		expect(SEARCH_TERMS).toEqual(expect.arrayContaining(['Carbon Black', 'VMware', 'Palo Alto', 'AMP', 'SIEM', 'audit trail']));
		for (const term of SEARCH_TERMS) expect([term, aliasMatches(codex, term)]).toEqual([term, true]);
	});
});

/** Evaluates a subtitle the way the editor does for these simple expressions. */
function subtitle(description: INodeTypeDescription, parameters: IDataObject): string {
	const body = /^=\{\{(.*)\}\}$/s.exec(description.subtitle ?? '')?.[1];
	if (!body) throw new Error(`not an expression: ${description.subtitle}`);
	// The subtitle is this package's own constant expression, evaluated only in this test.
	// eslint-disable-next-line @n8n/community-nodes/no-dangerous-functions
	return new Function('$parameter', `return ${body};`)(parameters) as string;
}

describe('subtitles and the Source notice', () => {
	it('names the operation and the vendor in words', () => {
		expect(subtitle(action, { operation: 'search', resource: 'ciscoSecureEndpoint' })).toBe('Search: Cisco Secure Endpoint');
		expect(subtitle(action, { operation: 'log', resource: 'pangea' })).toBe('Log: Pangea Secure Audit Log');
		expect(subtitle(action, { operation: 'fetchQueue', resource: 'cortexXdr' })).toBe('Fetch Queue: Cortex XDR');
		expect(subtitle(trigger, { source: 'carbonBlackCloud' })).toBe('New events: Carbon Black Cloud');
	});

	it.each([
		['Audit Log', action, 'resource'],
		['Audit Log Trigger', trigger, 'source'],
	])('%s says at the top which source the credential set', (_name, description, key) => {
		const notices = description.properties.filter((p) => p.name === 'sourceNotice');
		expect(description.properties.slice(0, notices.length)).toEqual(notices);
		for (const source of SOURCES) {
			const shown = notices.filter((n) => (n.displayOptions?.show?.[key] ?? []).includes(source.id));
			expect(shown.map((n) => n.displayName)).toEqual([`Source: ${source.displayName} — set by the credential`]);
		}
	});
});

function collectionNames(description: INodeTypeDescription, name: string, sourceId: string, key: string): string[][] {
	return description.properties
		.filter((p) => p.name === name && (p.displayOptions?.show?.[key] ?? []).includes(sourceId))
		.map((p) => (p.options as INodeProperties[]).map((o) => o.name));
}

describe('Flagged Only', () => {
	it.each([
		['Audit Log', action, 'resource'],
		['Audit Log Trigger', trigger, 'source'],
	])('%s shows it only for sources that flag events', (_name, description, key) => {
		for (const source of SOURCES) {
			const collections = collectionNames(description, 'filters', source.id, key);
			expect(collections.length).toBeGreaterThan(0);
			for (const names of collections) expect(names.includes('flaggedOnly')).toBe(source.flags === true);
		}
		expect(SOURCES.filter((s) => s.flags).map((s) => s.id)).toEqual(['carbonBlackCloud']);
	});

	it('fails before any request when a value saved under a flagging source remains on another', () => {
		const fn = stubFunctions({ filters: { flaggedOnly: true } });
		expect(() => readQuery(fn, getSource('cortexXdr')!, 0, Date.now(), 'desc')).toThrow(
			expect.objectContaining({ message: expect.stringContaining('Flagged Only') }),
		);
		expect(readQuery(fn, getSource('carbonBlackCloud')!, 0, Date.now(), 'desc').query.common.flaggedOnly).toBe(true);
	});
});

describe('Range', () => {
	const range = (action.properties.find((p) => p.name === 'filters')!.options as INodeProperties[]).find(
		(o) => o.name === 'range',
	)!;

	it('offers presets and Custom, and keeps accepting saved free text', () => {
		expect(range.type).toBe('options');
		expect((range.options as INodePropertyOptions[]).map((o) => o.name)).toEqual([
			'Last Hour',
			'Last 24 Hours',
			'Last 7 Days',
			'Last 30 Days',
			'Custom',
		]);
		expect(range.allowArbitraryValues).toBe(true);
	});

	const NOW = Date.parse('2024-05-15T12:00:00.000Z');
	const startOf = (filters: IDataObject) =>
		readQuery(stubFunctions({ filters }), getSource('cortexXdr')!, 0, NOW, 'desc').query.start;

	it.each([
		['-1h', 3_600_000],
		['-24h', 86_400_000],
		['-7d', 7 * 86_400_000],
		['-30d', 30 * 86_400_000],
	])('preset %s starts that long before now', (value, ms) => {
		expect(RANGE_PRESETS.map((p) => p.value)).toContain(value);
		expect(startOf({ range: value })).toBe(NOW - ms);
	});

	it('reads Custom Range when Range is Custom, and a saved string as before', () => {
		expect(startOf({ range: 'custom', customRange: '-12h' })).toBe(NOW - 12 * 3_600_000);
		expect(startOf({ range: '-12h' })).toBe(NOW - 12 * 3_600_000);
		expect(startOf({ range: '-1d' })).toBe(NOW - 86_400_000);
	});

	it('names Custom Range when it is missing or not used', () => {
		const fail = (filters: IDataObject) => () => startOf(filters);
		expect(fail({ range: 'custom' })).toThrow(expect.objectContaining({ message: expect.stringContaining('Custom Range') }));
		expect(fail({ range: '-1h', customRange: '-2h' })).toThrow(
			expect.objectContaining({ message: expect.stringContaining('Custom Range') }),
		);
	});
});

describe('Start and End in the workflow time zone', () => {
	const fnIn = (zone: string | undefined, filters: IDataObject): NodeFunctions =>
		({ ...stubFunctions({ filters }), getTimezone: () => zone }) as unknown as NodeFunctions;
	const range = (zone: string | undefined, filters: IDataObject) => {
		const { query } = readQuery(fnIn(zone, filters), getSource('cortexXdr')!, 0, Date.parse('2025-01-01T00:00:00Z'), 'desc');
		return { start: new Date(query.start!).toISOString(), end: new Date(query.end).toISOString() };
	};

	it('reads a value without an offset (what the date picker gives) in the workflow time zone', () => {
		expect(range('America/New_York', { start: '2024-05-01T09:00:00', end: '2024-12-01T09:00:00' })).toEqual({
			start: '2024-05-01T13:00:00.000Z', // EDT, UTC-4
			end: '2024-12-01T14:00:00.000Z', // EST, UTC-5
		});
		expect(range('Asia/Kolkata', { start: '2024-05-01T09:00:00.000' }).start).toBe('2024-05-01T03:30:00.000Z');
	});

	it('keeps an explicit Z or offset', () => {
		expect(range('America/New_York', { start: '2024-05-01T09:00:00Z', end: '2024-05-01T14:00:00+02:00' })).toEqual({
			start: '2024-05-01T09:00:00.000Z',
			end: '2024-05-01T12:00:00.000Z',
		});
	});

	it('falls back to UTC when no time zone is known', () => {
		expect(range(undefined, { start: '2024-05-01T09:00:00' }).start).toBe('2024-05-01T09:00:00.000Z');
	});
});

describe('collections: common and vendor keys', () => {
	const allCollections = [...action.properties, ...trigger.properties].filter((p) => p.type === 'collection');

	it('no vendor field takes the name of a common filter or option', () => {
		const common = new Set<string>(COMMON_FILTER_NAMES);
		for (const collection of allCollections) {
			for (const option of collection.options as INodeProperties[]) {
				if (!SOURCES.some((s) => [...s.filterFields, ...s.optionFields].includes(option))) common.add(option.name);
			}
		}
		for (const source of SOURCES) {
			for (const field of [...source.filterFields, ...source.optionFields]) {
				// Verify is Pangea's to show, but the query reads it for any source that can verify.
				if (field.name === 'verify') continue;
				expect([source.id, field.name, common.has(field.name)]).toEqual([source.id, field.name, false]);
			}
		}
	});

	it('a common option, even one added later, never ends up among the vendor options', () => {
		const fn = stubFunctions({ options: { emitEvents: true, maxDownloadMb: 5, requestsPerSecond: 2 } });
		const settings = readQuery(fn, getSource('cortexXdr')!, 0, Date.now(), 'desc');
		expect(settings.query.vendorOptions).toEqual({ requestsPerSecond: 2 });
		expect(settings.options).toEqual({ emitEvents: true, maxDownloadMb: 5 });
	});
});

describe('as an AI tool', () => {
	it('states the side effects in the operations the agent reads', () => {
		const descriptions = Object.fromEntries(
			action.properties
				.filter((p) => p.name === 'operation')
				.flatMap((p) => p.options as INodePropertyOptions[])
				.map((o) => [o.value, o.description]),
		);
		expect(descriptions.fetchQueue).toMatch(/Carbon Black Cloud.*read-once queue for the API key/);
		expect(descriptions.log).toMatch(/permanently/);
		expect(descriptions.search).toMatch(/Read-only/);
	});

	it('returns compact items: no raw record unless asked for', () => {
		const asTool = (options: IDataObject) =>
			readQuery(
				{ ...stubFunctions({ options }), getNode: () => ({ ...STUB_NODE, type: 'n8n-nodes-audit-log.auditLogTool' }) } as unknown as NodeFunctions,
				getSource('cortexXdr')!,
				0,
				Date.now(),
				'desc',
			).output.includeRaw;
		expect(asTool({})).toBe(false);
		expect(asTool({ includeRaw: true })).toBe(true);
		expect(readQuery(stubFunctions({}), getSource('cortexXdr')!, 0, Date.now(), 'desc').output.includeRaw).toBe(true);
	});
});
