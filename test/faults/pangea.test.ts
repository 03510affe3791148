// Fault suite, Pangea: Search, Fetch Queue (the node's cursor), Export and Wait (the vendor's export),
// the trigger, and Log (a write that must never be stored twice), each against every fault.
import { defineFaultSuite, defineLogFaults } from './suite';

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
		exportAndWait: ACCEPTED_LATER,
		trigger: ACCEPTED_LATER,
	},
	operations: ['search', 'fetchQueue', 'exportAndWait', 'trigger'],
	multiPage: {},
	log: defineLogFaults,
});
