// Cisco's Audit Log Type as a list from GET /v1/audit_log_types, loaded by both nodes through n8n-core's LoadOptionsContext.
import { LoadOptionsContext } from 'n8n-core';
import { NodeApiError, type INodeParameters, type INodeProperties, type INodeType } from 'n8n-workflow';

import { AuditLog } from '../../nodes/AuditLog/AuditLog.node';
import { AuditLogTrigger } from '../../nodes/AuditLogTrigger/AuditLogTrigger.node';
import { AUDIT_LOG_TYPES_METHOD } from '../../nodes/shared/sources/ciscoSecureEndpoint/auditLogTypes';
import { HarnessCredentialsHelper } from '../harness/credentials';
import { buildAdditionalData, buildWorkflow } from '../harness/workflow';
import {
	API_KEY,
	CLIENT_ID,
	credentialTypes,
	euCredential,
	EU_HOST,
	FakeCisco,
	recordsBefore,
	runCisco,
	ids,
	idsOf,
} from './fakeCisco';
import { offline } from '../support/offline';

offline();

/** Calls a node's loadOptions method the way n8n's editor does, with the node's credential. */
async function loadOptions(
	nodeType: INodeType,
	parameters: INodeParameters,
	credential: Record<string, string> = euCredential(),
) {
	const { workflow, node } = buildWorkflow({
		nodeType,
		parameters,
		credentialTypeNames: ['ciscoSecureEndpointApi'],
		active: false,
	});
	const helper = new HarnessCredentialsHelper(credentialTypes, { ciscoSecureEndpointApi: credential });
	const context = new LoadOptionsContext(workflow, node, buildAdditionalData(helper), 'filters.auditLogType');
	return await nodeType.methods!.loadOptions![AUDIT_LOG_TYPES_METHOD].call(context);
}

const ciscoFilterField = (properties: INodeProperties[], key: string) =>
	(
		properties.find(
			(p) => p.name === 'filters' && p.displayOptions?.show?.[key]?.includes('ciscoSecureEndpoint'),
		)!.options as INodeProperties[]
	).find((f) => f.name === 'auditLogType')!;

describe('Cisco Secure Endpoint Audit Log Type list', () => {
	it.each([
		['Audit Log', new AuditLog(), { resource: 'ciscoSecureEndpoint', operation: 'search' }, 'resource'],
		['Audit Log Trigger', new AuditLogTrigger(), { source: 'ciscoSecureEndpoint' }, 'source'],
	])('%s lists the tenant types from GET /v1/audit_log_types, with the credential', async (_n, nodeType, parameters, key) => {
		const fake = new FakeCisco(EU_HOST);
		fake.auditLogTypes = ['User', 'ApplicationBlockingList', 'Computer', 'User'];

		const options = await loadOptions(nodeType, parameters);

		expect(options).toEqual([
			{ name: 'Application Blocking List', value: 'ApplicationBlockingList' },
			{ name: 'Computer', value: 'Computer' },
			{ name: 'User', value: 'User' },
		]);
		expect(fake.requests.map((r) => r.path)).toEqual(['/v1/audit_log_types']);
		expect(fake.requests[0].headers.authorization).toBe(
			`Basic ${Buffer.from(`${CLIENT_ID}:${API_KEY}`).toString('base64')}`,
		);
		expect(ciscoFilterField(nodeType.description.properties, key)).toMatchObject({
			type: 'options',
			typeOptions: { loadOptionsMethod: AUDIT_LOG_TYPES_METHOD },
		});
	});

	it('reads types given as objects too', async () => {
		const fake = new FakeCisco(EU_HOST);
		fake.auditLogTypes = [{ name: 'Group' }, { audit_log_type: 'Policy' }, 7, null];

		const options = await loadOptions(new AuditLog(), { resource: 'ciscoSecureEndpoint' });

		expect(options.map((o) => o.value)).toEqual(['Group', 'Policy']);
	});

	it("a refused credential shows the vendor's words, through the transport", async () => {
		new FakeCisco(EU_HOST);

		const error = (await loadOptions(
			new AuditLog(),
			{ resource: 'ciscoSecureEndpoint' },
			{ ...euCredential(), apiKey: 'wrong-key-4711' },
		).catch((e: unknown) => e)) as NodeApiError;

		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe('Cisco Secure Endpoint: Unauthorized: Unknown API key or Client ID');
		expect(JSON.stringify(error)).not.toContain('wrong-key-4711');
	});

	it('a type picked from the list, or saved as text before, filters the same way', async () => {
		const records = recordsBefore(6);
		const fake = new FakeCisco(EU_HOST, records);

		const { output } = await runCisco({
			operation: 'search',
			returnAll: true,
			filters: { auditLogType: 'Group' },
		});

		expect(fake.requests[0].params.audit_log_type).toBe('Group');
		expect(ids(output[0])).toEqual(idsOf(records.filter((r) => r.audit_log_type === 'Group')).reverse());
	});
});
