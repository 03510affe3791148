// The node panel's actions of a node type, computed as n8n's editor computes them
// (editor-ui NodeCreator/composables/useActionsGeneration.ts `resourceCategories` and useActions.ts
// `getActionData`): per `resource` option, the FIRST `operation` property whose show.resource lists
// it; adding an action sets its operation and every show condition of that property to its first
// value. Shared by the unit test and, through the same rules, the e2e check.
import type { INodeParameters, INodePropertyOptions, INodeTypeDescription } from 'n8n-workflow';

export type PanelAction = { label: string; displayName: string; values: INodeParameters };

export function panelActions(description: INodeTypeDescription): PanelAction[] {
	const out: PanelAction[] = [];
	for (const resource of description.properties.filter((p) => p.name === 'resource')) {
		for (const option of (resource.options ?? []) as INodePropertyOptions[]) {
			const operations = description.properties.find(
				(p) => p.name === 'operation' && (p.displayOptions?.show?.resource ?? []).includes(option.value),
			);
			if (!operations?.options) continue;
			const conditions = Object.fromEntries(
				Object.entries(operations.displayOptions?.show ?? {}).map(([key, values]) => [key, (values as unknown[])[0]]),
			) as INodeParameters;
			for (const op of operations.options as INodePropertyOptions[]) {
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
