// Cisco Secure Endpoint (AMP) API: HTTP Basic with the 3rd-party API client ID and API key.
import type { ICredentialTestRequest, ICredentialType, INodeProperties, Icon } from 'n8n-workflow';
import { authenticateWith } from '../nodes/shared/authenticate';

export class CiscoSecureEndpointApi implements ICredentialType {
	name = 'ciscoSecureEndpointApi';

	displayName = 'Cisco Secure Endpoint API';

	icon: Icon = {
		light: 'file:../icons/ciscoSecureEndpoint.svg',
		dark: 'file:../icons/ciscoSecureEndpoint.dark.svg',
	};

	documentationUrl = 'https://github.com/n8n-nodes-audit-log/n8n-nodes-audit-log#cisco-secure-endpoint';

	properties: INodeProperties[] = [
		{
			displayName:
				'Permissions: API credentials created under Accounts > API Credentials with scope <b>Read-only</b> are enough (the node only reads the audit log and the audit log types); Read &amp; Write is not needed.',
			name: 'permissionsNotice',
			type: 'notice',
			default: '',
		},
		{
			displayName: 'Region',
			name: 'region',
			type: 'options',
			options: [
				{ name: 'Asia Pacific, Japan, China', value: 'apjc' },
				{ name: 'Custom URL', value: 'custom' },
				{ name: 'Europe', value: 'eu' },
				{ name: 'North America', value: 'nam' },
			],
			default: 'nam',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'e.g. https://api.amp.cisco.com',
			displayOptions: { show: { region: ['custom'] } },
			required: true,
		},
		{
			displayName: 'Client ID',
			name: 'clientId',
			type: 'string',
			default: '',
			description: 'The 3rd Party API Client ID from Accounts > API Credentials (scope Read-only is enough)',
			required: true,
		},
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
		},
	];

	authenticate = authenticateWith((credentials) => ({
		auth: { username: String(credentials.clientId ?? ''), password: String(credentials.apiKey ?? '') },
	}));

	test: ICredentialTestRequest = {
		request: {
			baseURL:
				'={{$credentials.region === "custom" ? $credentials.baseUrl.replace(/\\/+$/, "") : {nam: "https://api.amp.cisco.com", eu: "https://api.eu.amp.cisco.com", apjc: "https://api.apjc.amp.cisco.com"}[$credentials.region]}}',
			url: '/v1/audit_logs',
			qs: { limit: 1 },
		},
	};
}
