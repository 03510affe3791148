// n8n core nodes the queue-mode workflows put around the package's nodes.
let counter = 0;
const nodeId = () => `00000000-0000-4000-9000-${String(++counter).padStart(12, '0')}`;

/** Passes items on unchanged: what a workflow "delivers" is what reached it. */
export function noOp(name) {
	return {
		id: nodeId(),
		name,
		type: 'n8n-nodes-base.noOp',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
}

/** Waits in the worker process (under 65 s n8n does not park the execution): a long execution to kill. */
export function waitSeconds(name, amount) {
	return {
		id: nodeId(),
		name,
		type: 'n8n-nodes-base.wait',
		typeVersion: 1.1,
		position: [0, 0],
		parameters: { resume: 'timeInterval', amount, unit: 'seconds' },
	};
}

/** The Schedule Trigger every `seconds` seconds (it runs on the main process and enqueues each run). */
export function everySeconds(name, seconds) {
	return {
		id: nodeId(),
		name,
		type: 'n8n-nodes-base.scheduleTrigger',
		typeVersion: 1.2,
		position: [0, 0],
		parameters: { rule: { interval: [{ field: 'seconds', secondsInterval: seconds }] } },
	};
}

/** A poll at second `second` of every minute (the shortest interval n8n accepts), known in advance. */
export function everyMinuteAt(second) {
	return { item: [{ mode: 'custom', cronExpression: `${second} * * * * *` }] };
}
