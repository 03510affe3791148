// The node panel's actions of a node type, computed as n8n's editor computes them
// (editor-ui NodeCreator/composables/useActionsGeneration.ts `resourceCategories`, and useActions.ts
// `getActionData`): per `resource` option, the FIRST `operation` property whose show.resource lists
// it; adding an action sets its operation and every show condition of that property to its first
// value. CommonJS so that the unit test (test/editor) and the e2e run (on the description a real
// n8n serves) share this one copy.

const CUSTOM_API_CALL_KEY = '__CUSTOM_API_CALL__';

/**
 * @param {{ properties: Array<{ name: string, options?: any[], displayOptions?: { show?: Record<string, unknown[]> } }> }} description
 * @returns {Array<{ label: string, displayName: string, values: Record<string, unknown> }>}
 */
function panelActions(description) {
	const out = [];
	for (const resource of description.properties.filter((p) => p.name === 'resource')) {
		for (const option of resource.options ?? []) {
			const operations = description.properties.find(
				(p) => p.name === 'operation' && (p.displayOptions?.show?.resource ?? []).includes(option.value),
			);
			if (!operations?.options) continue;
			const conditions = Object.fromEntries(
				Object.entries(operations.displayOptions?.show ?? {}).map(([key, values]) => [key, values[0]]),
			);
			// n8n adds a "Custom API Call" operation to nodes with credentials; the panel leaves it out.
			for (const op of operations.options.filter((o) => o.value !== CUSTOM_API_CALL_KEY)) {
				out.push({
					label: `${option.name} Actions`,
					displayName: op.action ?? `${option.name} ${op.name}`,
					values: { operation: op.value, ...conditions },
				});
			}
		}
	}
	return out;
}

/** Whether the panel's search finds a node for a term: its alias list, as n8n matches it (substring). */
function aliasMatches(codex, term) {
	return (codex?.alias ?? []).some((alias) => alias.toLowerCase().includes(term.toLowerCase()));
}

/** The terms a user types to find these nodes (issue: findable by vendor name). */
const SEARCH_TERMS = ['Carbon Black', 'VMware', 'Cortex', 'Palo Alto', 'Cisco', 'AMP', 'Secure Endpoint', 'Pangea', 'SIEM', 'audit trail'];

module.exports = { panelActions, aliasMatches, SEARCH_TERMS };
