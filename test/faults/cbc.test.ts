// Fault suite, Carbon Black Cloud: Search, Fetch Queue (the read-once queue), Export and Wait (the
// vendor's export job), the trigger in both read modes, each against every fault of the simulator.
import { defineFaultSuite } from './suite';

// Every pause of the node returns at once and moves the transport's clock; timers stay real (sim.ts).
jest.mock('n8n-workflow', () => {
	const actual = jest.requireActual<typeof import('n8n-workflow')>('n8n-workflow');
	return {
		...actual,
// eslint-disable-next-line @typescript-eslint/no-require-imports -- jest.mock factory: a hoisted import cannot be used here
		sleep: (require('./sim') as typeof import('./sim')).virtualTime.sleepFor(actual.sleep),
	};
});

defineFaultSuite({
	vendor: 'cbc',
	args: ['--cbc', '30', '--cortex', '0', '--cisco', '0', '--pangea', '0', '--span-days', '1'],
	config: { cbcQueueBatch: 10, cbcJobPolls: 1 },
	readPath: {
		search: '/logs/_search',
		fetchQueue: '/logs/_queue',
		exportAndWait: '/jobs/',
		trigger: '/logs/_search',
	},
	downloads: true,
	vendorFaults: {
		exportAndWait: [
			{ name: 'the export job fails', faults: [{ vendor: 'cbc', kind: 'jobFailed' }] },
		],
	},
	operations: ['search', 'fetchQueue', 'exportAndWait', 'trigger', 'queueTrigger'],
	multiPage: { fetchQueue: true, queueTrigger: true },
});
