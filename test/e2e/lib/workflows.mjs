// Workflow JSON builders for the e2e cases, in the shape `n8n import:workflow` and the editor export use.
import { credentialRef } from './sources.mjs';

export const AUDIT_LOG = 'n8n-nodes-audit-log.auditLog';
export const AUDIT_LOG_TRIGGER = 'n8n-nodes-audit-log.auditLogTrigger';
export const MANUAL_TRIGGER = 'n8n-nodes-base.manualTrigger';
export const START = 'Start';

/** n8n's polling schedule at its shortest: once a minute (n8n-workflow's cronNodeOptions). */
export const EVERY_MINUTE = { item: [{ mode: 'everyMinute' }] };

let counter = 0;
const nodeId = () => `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`;

export function manualTrigger(name = START) {
	return {
		id: nodeId(),
		name,
		type: MANUAL_TRIGGER,
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
}

/** An Audit Log node reading `source` (an E2E_SOURCES row) with the given parameters. */
export function auditLogNode(name, source, parameters) {
	return {
		id: nodeId(),
		name,
		type: AUDIT_LOG,
		typeVersion: 1,
		position: [0, 0],
		parameters: { resource: source.id, ...parameters },
		credentials: credentialRef(source),
	};
}

export function auditLogTriggerNode(name, source, parameters) {
	return {
		id: nodeId(),
		name,
		type: AUDIT_LOG_TRIGGER,
		typeVersion: 1,
		position: [0, 0],
		parameters: { pollTimes: EVERY_MINUTE, source: source.id, ...parameters },
		credentials: credentialRef(source),
	};
}

/**
 * A workflow from nodes and edges `[from, to]` (main output 0 → main input 0), laid out left to
 * right so that it also reads well when opened in the editor.
 */
export function workflow(id, name, nodes, edges = []) {
	const connections = {};
	for (const [from, to] of edges) {
		connections[from] ??= { main: [[]] };
		connections[from].main[0].push({ node: to, type: 'main', index: 0 });
	}
	const depth = new Map(nodes.map((n) => [n.name, 0]));
	for (let pass = 0; pass < nodes.length; pass++) {
		for (const [from, to] of edges) depth.set(to, Math.max(depth.get(to), depth.get(from) + 1));
	}
	const rows = new Map();
	for (const node of nodes) {
		const column = depth.get(node.name);
		const row = rows.get(column) ?? 0;
		rows.set(column, row + 1);
		node.position = [column * 260, row * 180];
	}
	return {
		id,
		name,
		active: false,
		nodes,
		connections,
		settings: { executionOrder: 'v1' },
		pinData: {},
	};
}

/** Start → each of `nodes` in parallel: several reads of one source in one `n8n execute`. */
export function fanOut(id, name, nodes) {
	return workflow(
		id,
		name,
		[manualTrigger(), ...nodes],
		nodes.map((n) => [START, n.name]),
	);
}
