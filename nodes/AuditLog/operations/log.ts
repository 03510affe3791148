// Log: every input item becomes one event, written in vendor-sized batches; one output item per input item.
import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type JsonObject,
} from 'n8n-workflow';
import type { OperationDescription } from '../../shared/fields';
import { createSourceContext } from '../../shared/context';
import { parameterError } from '../../shared/errors';
import { SOURCES } from '../../shared/sources';
import type { AuditSource } from '../../shared/types';

// The operation's parameters (the source's Log fields); the node's description assembles them.
const logSources = SOURCES.filter((s) => s.log);

export const description: OperationDescription = {
	option: {
		name: 'Log',
		value: 'log',
		action: 'Log events to Pangea',
		description:
			'Write each input item as one event to the tamper-proof audit log. Writes permanently: a logged event cannot be changed or deleted.',
	},
	properties: logSources.flatMap((s) => s.logFields ?? []),
	availableFor: (source) => Boolean(source.log),
};

export async function logEvents(
	fn: IExecuteFunctions,
	source: AuditSource,
	items: INodeExecutionData[],
	notes: string[],
): Promise<INodeExecutionData[]> {
	if (!source.log || !source.logEventFrom) {
		const able = SOURCES.filter((s) => s.log).map((s) => s.displayName).join(', ');
		throw parameterError(fn, 'Operation', `Log is not available for ${source.displayName}`, `Choose a source that accepts events (${able}), or another operation.`);
	}
	const output: Array<INodeExecutionData | undefined> = new Array(items.length);
	const toSend: Array<{ itemIndex: number; event: IDataObject }> = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			toSend.push({ itemIndex, event: source.logEventFrom(fn, itemIndex) });
		} catch (error) {
			if (!fn.continueOnFail()) throw new NodeOperationError(fn.getNode(), error as Error, { itemIndex });
			output[itemIndex] = { json: { error: (error as Error).message }, pairedItem: { item: itemIndex } };
		}
	}
	if (toSend.length > 0) {
		const ctx = createSourceContext(fn, source, toSend[0].itemIndex, { notes });
		const options = fn.getNodeParameter('logOptions', 0, {}) as IDataObject;
		try {
			const results = await source.log(ctx, toSend.map((entry) => entry.event), options);
			toSend.forEach(({ itemIndex }, k) => {
				const result = results[k];
				const json: IDataObject = { hash: result?.hash ?? null };
				if (result?.envelope) json.envelope = result.envelope;
				if (result?.verification) json.verification = result.verification;
				output[itemIndex] = { json, pairedItem: { item: itemIndex } };
			});
		} catch (error) {
			if (!fn.continueOnFail()) {
				if (error instanceof NodeApiError) throw new NodeApiError(fn.getNode(), error as unknown as JsonObject);
				throw new NodeOperationError(fn.getNode(), error as Error);
			}
			for (const { itemIndex } of toSend) {
				output[itemIndex] = { json: { error: (error as Error).message }, pairedItem: { item: itemIndex } };
			}
		}
		notes.push(`${source.displayName}: logged ${toSend.length} event(s)`);
	}
	return output.filter((entry): entry is INodeExecutionData => entry !== undefined);
}
