// A one-request node over the shared transport, for any of the four credentials: auth headers on real requests and retries.
import {
	NodeConnectionTypes,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestMethods,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { createSourceContext } from '../../nodes/shared/context';
import type { AuditSource } from '../../nodes/shared/types';
import { runNode, type RunNodeResult } from '../harness/n8n';
import { CREDENTIAL_TYPES } from './auditLog';

/** Just what the transport reads of a source: which credential, where, and no vendor error parsing. */
function probeSource(credentialType: string): AuditSource {
	return {
		id: 'carbonBlackCloud',
		displayName: 'Probe',
		credentialType,
		baseUrl: (credentials: IDataObject) => String(credentials.baseUrl ?? '').replace(/\/+$/, ''),
		describeError: () => undefined,
	} as unknown as AuditSource;
}

class ProbeNode implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Probe',
		name: 'probe',
		group: ['transform'],
		version: 1,
		description: 'Sends one request through the shared transport',
		defaults: { name: 'Probe' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: CREDENTIAL_TYPES.map((type) => ({ name: type.name, required: true })),
		properties: [
			{ displayName: 'Credential Type', name: 'credentialType', type: 'string', default: '' },
			{ displayName: 'Method', name: 'method', type: 'string', default: 'GET' },
			{ displayName: 'URL', name: 'url', type: 'string', default: '/' },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const credentialType = this.getNodeParameter('credentialType', 0) as string;
		// Short backoff steps: retries are exercised, not waited for.
		const ctx = createSourceContext(this, probeSource(credentialType), 0, { baseDelayMs: 20, maxDelayMs: 50 });
		const response = await ctx.request<IDataObject>({
			method: this.getNodeParameter('method', 0) as IHttpRequestMethods,
			url: this.getNodeParameter('url', 0) as string,
		});
		return [[{ json: { status: response.status, body: response.body }, pairedItem: { item: 0 } }]];
	}
}

/** One authenticated request with `credentials` of `credentialType`, through n8n-core and the transport. */
export async function probe(
	credentialType: string,
	credentials: IDataObject,
	request: { method?: string; url: string },
): Promise<RunNodeResult> {
	return await runNode({
		nodeType: new ProbeNode(),
		parameters: { credentialType, method: request.method ?? 'GET', url: request.url },
		credentials: { [credentialType]: credentials as never },
		credentialTypes: CREDENTIAL_TYPES,
	});
}
