// The Audit Log action node: per input item, dispatch to the chosen operation over the chosen source.
import {
	NodeApiError,
	NodeConnectionTypes,
	NodeOperationError,
	type IExecuteFunctions,
	type JsonObject,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { sourceCredentials } from '../shared/fields';
import { getSource, SOURCE_LOAD_OPTIONS, SOURCES } from '../shared/sources';
import { auditLogProperties, SUBTITLE } from './description';
import type { Operation } from './operations/common';
import { execute as exportAndWait } from './operations/exportAndWait';
import { fetchQueue } from './operations/fetchQueue';
import { logEvents } from './operations/log';
import { execute as search } from './operations/search';

/** The per-item operations; Log (all items in one batch) is dispatched on its own. */
const OPERATIONS: Record<string, Operation> = { exportAndWait, fetchQueue, search };

export class AuditLog implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Audit Log',
		name: 'auditLog',
		icon: { light: 'file:../../icons/auditLog.svg', dark: 'file:../../icons/auditLog.dark.svg' },
		group: ['input'],
		version: 1,
		subtitle: SUBTITLE,
		description:
			'Search, queue, export and write security audit logs: Carbon Black Cloud, Cortex XDR, Cisco Secure Endpoint, Pangea',
		defaults: { name: 'Audit Log' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: sourceCredentials(SOURCES, 'resource'),
		properties: auditLogProperties,
	};

	// Lists the editor loads from a vendor (Cisco's audit log types): each source brings its own.
	methods = { loadOptions: SOURCE_LOAD_OPTIONS };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const sourceId = this.getNodeParameter('resource', 0) as string;
		const source = getSource(sourceId);
		if (!source) {
			throw new NodeOperationError(this.getNode(), `Source: "${sourceId}" is not a supported source`, {
				description: `Choose one of: ${SOURCES.map((s) => s.displayName).join(', ')}.`,
			});
		}
		const operationName = this.getNodeParameter('operation', 0) as string;
		const notes: string[] = [];
		if (operationName === 'log') {
			const output = await logEvents(this, source, items, notes);
			this.addExecutionHints(...notes.map((message) => ({ message, location: 'outputPane' as const })));
			return [output];
		}
		const operation = OPERATIONS[operationName];
		if (!operation) {
			throw new NodeOperationError(this.getNode(), `Operation: "${operationName}" is not an operation of this node`, {
				description: 'Choose Search, Fetch Queue or Export and Wait.',
			});
		}
		const output: INodeExecutionData[] = [];
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			try {
				output.push(...(await operation({ fn: this, source, itemIndex, notes })));
			} catch (error) {
				if (this.continueOnFail()) {
					output.push({ json: { error: (error as Error).message }, pairedItem: { item: itemIndex } });
					continue;
				}
				// Both constructors hand back an error of their own class unchanged.
				if (error instanceof NodeApiError) throw new NodeApiError(this.getNode(), error as unknown as JsonObject, { itemIndex });
				throw new NodeOperationError(this.getNode(), error as Error, { itemIndex });
			}
		}
		if (notes.length > 0) {
			this.addExecutionHints(...notes.slice(0, 20).map((message) => ({ message, location: 'outputPane' as const })));
		}
		return [output];
	}
}
