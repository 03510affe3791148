// Carbon Black Cloud API key: X-Auth-Token "<API Secret Key>/<API ID>" on every request.
import type {
	IAuthenticateGeneric,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
	Icon,
} from 'n8n-workflow';

export class CarbonBlackCloudApi implements ICredentialType {
	name = 'carbonBlackCloudApi';

	displayName = 'Carbon Black Cloud API';

	icon: Icon = { light: 'file:../icons/carbonBlackCloud.svg', dark: 'file:../icons/carbonBlackCloud.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-audit-log/n8n-nodes-audit-log#carbon-black-cloud';

	properties: INodeProperties[] = [
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://defense.conferdeploy.net',
			placeholder: 'e.g. https://defense-eu.conferdeploy.net',
			description:
				'The console URL of your Carbon Black Cloud environment, without a path (e.g. https://defense-prod05.conferdeploy.net)',
			required: true,
		},
		{
			displayName: 'Org Key',
			name: 'orgKey',
			type: 'string',
			default: '',
			placeholder: 'e.g. ABCD1234',
			description: 'Shown in the console under Settings > General and Settings > API Access',
			required: true,
		},
		{
			displayName: 'API ID',
			name: 'apiId',
			type: 'string',
			default: '',
			description: 'The API ID of a Custom access-level key whose role has org.audits READ (and jobs.status READ for exports)',
			required: true,
		},
		{
			displayName: 'API Secret Key',
			name: 'apiSecretKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				'X-Auth-Token': '={{$credentials.apiSecretKey}}/{{$credentials.apiId}}',
			},
		},
	};

	// A one-row search: read-only, unlike the queue, which would consume events.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '=/audit_log/v1/orgs/{{$credentials.orgKey}}/logs/_search',
			method: 'POST',
			body: { rows: 1, criteria: { create_time: { range: '-1h' } } },
		},
	};
}
