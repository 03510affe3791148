// Fault suite, Pangea: Search, Fetch Queue (the node's cursor), Export and Wait (the vendor's export),
// the trigger, and Log (a write that must never be stored twice), each against every fault.
import { EXPORT_MAX_WAIT_S, type Case } from './run';
import { defineFaultSuite, defineLogFaults, SLOW_MS } from './suite';

// Every pause of the node returns at once and moves the transport's clock; timers stay real (sim.ts).
jest.mock('n8n-workflow', () => {
	const actual = jest.requireActual<typeof import('n8n-workflow')>('n8n-workflow');
	return {
		...actual,
// eslint-disable-next-line @typescript-eslint/no-require-imports -- jest.mock factory: a hoisted import cannot be used here
		sleep: (require('./sim') as typeof import('./sim')).virtualTime.sleepFor(actual.sleep),
	};
});

/** Pangea answers 202 and the result comes from GET /request/{id} after two polls. */
const ACCEPTED_LATER = [
	{
		name: 'a 202 answered after two polls of the request',
		faults: [{ vendor: 'pangea' as const, kind: 'async', polls: 2 }],
	},
];

/**
 * Polls of /request/{id} wait 1, 4, 9, 16, 25 and 30 s: six of them take 85 s, so a search and a
 * download_results that each answer 202 six times need 170 s, past Max Wait. Max Wait bounds the
 * whole export, not each call, and the error names the step and the result id.
 */
const SIX_POLLS = 6;
const EXPORT_FAULTS: Case[] = [
	...ACCEPTED_LATER,
	{
		name: 'a 202 on the search and on download_results, longer together than Max Wait',
		faults: [
			{ vendor: 'pangea', kind: 'async', path: '/v1/search', polls: SIX_POLLS },
			{ vendor: 'pangea', kind: 'async', path: '/v1/download_results', polls: SIX_POLLS },
		],
		// Max Wait, and the real time the case takes (well under a second).
		boundMs: EXPORT_MAX_WAIT_S * 1000 + 5000,
	},
	{
		name: 'a poll of the 202 slower than the timeout',
		faults: [
			{ vendor: 'pangea', kind: 'async', path: '/v1/download_results', polls: 1 },
			{ vendor: 'pangea', kind: 'slow', path: '/request/', delayMs: SLOW_MS },
		],
		slow: true,
	},
];

defineFaultSuite({
	vendor: 'pangea',
	args: ['--cbc', '0', '--cortex', '0', '--cisco', '0', '--pangea', '40', '--span-days', '1'],
	config: { pangeaAsyncPolls: 1 },
	readPath: {
		search: '/v1/search',
		fetchQueue: '/v1/search',
		exportAndWait: '/v1/download_results',
		trigger: '/v1/search',
	},
	downloads: true,
	vendorFaults: {
		search: ACCEPTED_LATER,
		exportAndWait: EXPORT_FAULTS,
		trigger: ACCEPTED_LATER,
	},
	operations: ['search', 'fetchQueue', 'exportAndWait', 'trigger'],
	multiPage: {},
	log: defineLogFaults,
});

/**
 * Past Pangea's page of 1 000 events, so a fault can reach a later page of one search (a
 * /v1/results after the /v1/search: `/v1/` matches both). Only the cases aimed past the first
 * request run here; everything else is the suite above.
 */
defineFaultSuite({
	vendor: 'pangea',
	label: 'pangea (two pages)',
	args: ['--cbc', '0', '--cortex', '0', '--cisco', '0', '--pangea', '1100', '--span-days', '1'],
	config: { pangeaAsyncPolls: 1 },
	readPath: { search: '/v1/', fetchQueue: '/v1/', trigger: '/v1/' },
	operations: ['search', 'fetchQueue', 'trigger'],
	multiPage: { search: true, fetchQueue: true, trigger: true },
	only: (c) => c.faults.some((f) => (f.skip ?? 0) > 0),
});
