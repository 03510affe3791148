// Bad input: every case fails with a NodeOperationError naming the parameter, and the simulator (which
// every credential here points at) counts zero requests for it — checked, not assumed.
import { NodeOperationError, type IDataObject, type INodeParameters } from 'n8n-workflow';

import { AuditLog } from '../../nodes/AuditLog/AuditLog.node';
import { AuditLogTrigger } from '../../nodes/AuditLogTrigger/AuditLogTrigger.node';
import { runNode, runPoll } from '../harness/n8n';
import { CREDENTIAL_TYPES } from '../support/auditLog';
import { tally } from '../support/tally';
import { SOURCE_ROWS } from './run';
import { SimChild, type Vendor } from './sim';

let sim: SimChild;
beforeAll(async () => {
	sim = await SimChild.start(['--cbc', '5', '--cortex', '5', '--cisco', '5', '--pangea', '5']);
});
afterAll(async () => await sim?.stop());

type BadCase = {
	vendor: Vendor;
	/** 'trigger' runs the Audit Log Trigger's poll; anything else is the Audit Log node's operation. */
	operation: 'search' | 'fetchQueue' | 'exportAndWait' | 'log' | 'trigger';
	parameters?: INodeParameters;
	/** Changes to the credential (a malformed base URL, an empty org key). */
	credential?: (base: IDataObject, simUrl: string) => IDataObject;
	input?: IDataObject[];
	/** What the message must name: the parameter as the user sees it. */
	names: RegExp;
};

const VENDORS: Vendor[] = ['cbc', 'cortex', 'cisco', 'pangea'];
const ALL_OPS = ['search', 'exportAndWait'] as const;
const PAST = { start: '2024-05-02T00:00:00Z', end: '2024-05-01T00:00:00Z' };

function perVendor(
	what: string,
	make: (vendor: Vendor) => Omit<BadCase, 'vendor'> | Array<Omit<BadCase, 'vendor'>>,
): Array<[string, BadCase]> {
	return VENDORS.flatMap((vendor) => {
		const made = make(vendor);
		return (Array.isArray(made) ? made : [made]).map(
			(c) => [`${vendor} ${c.operation}: ${what}`, { vendor, ...c }] as [string, BadCase],
		);
	});
}

/** The host part of a vendor's simulator base URL, with what a malformed URL adds around it. */
const reshape = (field: 'baseUrl') => (change: (url: URL) => string) => (base: IDataObject) => ({
	...base,
	[field]: change(new URL(String(base[field]))),
});
const baseUrl = reshape('baseUrl');

const CASES: Array<[string, BadCase]> = [
	// Time ranges (every source, Search and Export and Wait).
	...perVendor('start after end', () =>
		ALL_OPS.map((operation) => ({ operation, parameters: { filters: PAST }, names: /Start|End/ })),
	),
	...perVendor('malformed start', () => ({
		operation: 'search',
		parameters: { filters: { start: 'yesterday-ish', end: PAST.start } },
		names: /Start/,
	})),
	...perVendor('range without a minus sign', () => ({
		operation: 'search',
		parameters: { filters: { range: '12h' } },
		names: /Range/,
	})),
	...perVendor('range with start', () => ({
		operation: 'exportAndWait',
		parameters: { filters: { range: '-1d', start: PAST.end } },
		names: /Range/,
	})),
	// Limits and counts.
	...perVendor('limit 0', () => ({
		operation: 'search',
		parameters: { returnAll: false, limit: 0 },
		names: /Limit/,
	})),
	...perVendor('limit 0', () => ({
		operation: 'fetchQueue',
		parameters: { returnAll: false, limit: 0 },
		names: /Limit/,
	})),
	...perVendor('max events per poll not a number', () => ({
		operation: 'trigger',
		parameters: { options: { maxEventsPerPoll: 'all' } },
		names: /Max Events per Poll/,
	})),
	[
		'cbc trigger (queue mode)',
		{
			vendor: 'cbc',
			operation: 'trigger',
			parameters: { cbcMode: 'queue', options: { maxEventsPerPoll: 'all' } },
			names: /Max Events per Poll/,
		},
	],
	...perVendor('overlap not a duration', () => ({
		operation: 'trigger',
		parameters: { options: { overlap: 'a while' } },
		names: /Overlap/,
	})),
	...perVendor('initial lookback not a duration', () => ({
		operation: 'trigger',
		parameters: { options: { initialLookback: 'since forever' } },
		names: /Initial Lookback/,
	})),
	// Unknown option values.
	...perVendor('unknown export format', () => ({
		operation: 'exportAndWait',
		parameters: { format: 'xml' },
		names: /Format/,
	})),
	...perVendor('unknown output format', () => ({
		operation: 'search',
		parameters: { options: { outputFormat: 'yaml' } },
		names: /Output Format/,
	})),
	...perVendor('unknown sort order', () => ({
		operation: 'search',
		parameters: { options: { sortOrder: 'sideways' } },
		names: /Sort Order/,
	})),
	...perVendor('reset cursor not a date', (vendor) =>
		vendor === 'cbc'
			? []
			: [
					{
						operation: 'fetchQueue' as const,
						parameters: { options: { resetCursor: 'last tuesday' } },
						names: /Reset Cursor To/,
					},
				],
	),
	[
		'cortex search (requests per second over the tenant limit)',
		{
			vendor: 'cortex',
			operation: 'search',
			parameters: { options: { requestsPerSecond: 50 } },
			names: /Requests per Second/i,
		},
	],
	// Malformed base URLs: a query, user info, a fragment, a non-http scheme, a path into the API.
	...perVendor('base URL with a query', () => ({
		operation: 'search',
		credential: baseUrl((u) => `${u.href}?region=eu`),
		names: /base URL/i,
	})),
	...perVendor('base URL with user info', () => ({
		operation: 'search',
		credential: baseUrl((u) => `${u.protocol}//admin:hunter2@${u.host}${u.pathname}`),
		names: /base URL/i,
	})),
	...perVendor('base URL with a non-http scheme', () => ({
		operation: 'search',
		credential: baseUrl((u) => `ftp://${u.host}${u.pathname}`),
		names: /base URL/i,
	})),
	[
		'cbc search (base URL with a fragment)',
		{
			vendor: 'cbc',
			operation: 'search',
			credential: baseUrl((u) => `${u.href}#top`),
			names: /base URL/i,
		},
	],
	// Credentials.
	[
		'cbc search (empty org key)',
		{
			vendor: 'cbc',
			operation: 'search',
			credential: (c) => ({ ...c, orgKey: '' }),
			names: /Org Key/,
		},
	],
	[
		'cbc fetchQueue (org key of spaces)',
		{
			vendor: 'cbc',
			operation: 'fetchQueue',
			credential: (c) => ({ ...c, orgKey: '   ' }),
			names: /Org Key/,
		},
	],
	// Pangea Log: what the vendor would refuse, refused before sending.
	[
		'pangea log (an item without a message)',
		{
			vendor: 'pangea',
			operation: 'log',
			input: [{ message: 'ok' }, { actor: 'bob' }],
			names: /Message/,
		},
	],
	[
		'pangea log (action over 32 characters)',
		{
			vendor: 'pangea',
			operation: 'log',
			input: [{ message: 'm', action: 'a'.repeat(33) }],
			names: /Action|action/,
		},
	],
	[
		'pangea log (actor over 128 characters)',
		{
			vendor: 'pangea',
			operation: 'log',
			input: [{ message: 'm', actor: 'b'.repeat(129) }],
			names: /Actor|actor/,
		},
	],
	[
		'pangea log (Log on a source that has none)',
		{ vendor: 'cisco', operation: 'log', input: [{ message: 'm' }], names: /Operation/ },
	],
];

function parametersOf(c: BadCase): INodeParameters {
	const row = SOURCE_ROWS[c.vendor];
	if (c.operation === 'trigger') return { source: row.id, ...c.parameters };
	const defaults: INodeParameters =
		c.operation === 'search' || c.operation === 'fetchQueue' ? { returnAll: true } : {};
	return { resource: row.id, operation: c.operation, ...defaults, ...c.parameters };
}

async function run(c: BadCase): Promise<unknown> {
	const row = SOURCE_ROWS[c.vendor];
	const base = row.credential(sim.info);
	const credentials = {
		[row.credentialType]: c.credential ? (c.credential(base, sim.info.url) as typeof base) : base,
	};
	if (c.operation === 'trigger') {
		return await runPoll({
			nodeType: new AuditLogTrigger(),
			parameters: parametersOf(c),
			credentials,
			credentialTypes: CREDENTIAL_TYPES,
			mode: 'trigger',
			staticData: { triggerCursor: undefined },
		});
	}
	return await runNode({
		nodeType: new AuditLog(),
		parameters: parametersOf(c),
		credentials,
		credentialTypes: CREDENTIAL_TYPES,
		staticData: {},
		input: c.input?.map((json) => ({ json })),
	});
}

describe('bad input fails before any request, naming the parameter', () => {
	it(`has at least 40 cases (${CASES.length})`, () => {
		expect(CASES.length).toBeGreaterThanOrEqual(40);
	});

	it.each(CASES)('%s', async (_name, c) => {
		const before = await sim.vendorRequests();
		let error: unknown;
		try {
			await run(c);
		} catch (e) {
			error = e;
		}
		const requests = (await sim.vendorRequests()) - before;
		const rejected = error instanceof NodeOperationError && c.names.test((error as Error).message);
		tally('badInputs', { rejected: rejected ? 1 : 0, requests });
		expect({
			error:
				error === undefined
					? 'no error'
					: `${(error as Error).constructor.name}: ${(error as Error).message}`,
			requests,
		}).toEqual({
			error: expect.stringMatching(
				new RegExp(`^NodeOperationError: .*(${c.names.source})`),
			) as unknown,
			requests: 0,
		});
	});
});
