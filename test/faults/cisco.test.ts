// Fault suite, Cisco Secure Endpoint: Search, Fetch Queue (the node's cursor), Export and Wait (from the
// pages), the trigger, each against every fault of the simulator; the simulator caps pages at 25.
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

const PATH = '/audit_logs';

defineFaultSuite({
	vendor: 'cisco',
	args: ['--cbc', '0', '--cortex', '0', '--cisco', '60', '--pangea', '0', '--span-days', '1'],
	config: { ciscoMaxLimit: 25 },
	readPath: { search: PATH, fetchQueue: PATH, exportAndWait: PATH, trigger: PATH },
	operations: ['search', 'fetchQueue', 'exportAndWait', 'trigger'],
	multiPage: { search: true, fetchQueue: true, exportAndWait: true, trigger: true },
});
