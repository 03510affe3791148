// Carbon Black Cloud: an API key (X-Auth-Token "<API Secret Key>/<API ID>", the default) or, on
// CSP-managed identity, a CSP access token from an OAuth app or a user API token. The token is n8n's
// to keep: `preAuthentication` fills the hidden expirable `accessToken`, n8n stores it with the
// credential, reuses it across requests and polls, and signs in again once when a request answers 401.
import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestHelper,
	INodeProperties,
	Icon,
} from 'n8n-workflow';
import { authenticateWith, type Authentication } from '../nodes/shared/authenticate';
import { cspAccessToken } from '../nodes/shared/sources/carbonBlackCloud/csp';
import {
	CBC_BASE_URL_EXPRESSION,
	CBC_ENVIRONMENTS,
	cbcAuthentication,
	DEFAULT_CSP_HOST,
} from '../nodes/shared/sources/carbonBlackCloud/environments';

const CSP = ['oauthApp', 'apiToken'];

export class CarbonBlackCloudApi implements ICredentialType {
	name = 'carbonBlackCloudApi';

	displayName = 'Carbon Black Cloud API';

	icon: Icon = { light: 'file:../icons/carbonBlackCloud.svg', dark: 'file:../icons/carbonBlackCloud.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-audit-log/n8n-nodes-audit-log#carbon-black-cloud';

	properties: INodeProperties[] = [
		{
			displayName:
				'Permissions: an API key of access level type Custom whose role has <b>org.audits</b> READ (and <b>jobs.status</b> READ for Export and Wait); with CSP sign-in, a role with <b>_API.Audits:org.audits:READ</b>. Fetch Queue consumes the queue of the key it runs with.',
			name: 'permissionsNotice',
			type: 'notice',
			default: '',
		},
		{
			displayName: 'Environment',
			name: 'environment',
			type: 'options',
			options: [
				...CBC_ENVIRONMENTS.map((e) => ({ name: e.name, value: e.value, description: e.url })),
				{ name: 'Custom URL', value: 'custom', description: 'Use the Base URL below' },
			],
			// Custom: a credential saved before this field existed keeps reading its Base URL.
			default: 'custom',
			description: 'The console your org is on (the host in the address bar of the Carbon Black Cloud console)',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://defense.conferdeploy.net',
			placeholder: 'e.g. https://defense-eu.conferdeploy.net',
			description:
				'The console URL of your Carbon Black Cloud environment, without a path (e.g. https://defense-prod05.conferdeploy.net)',
			displayOptions: { show: { environment: ['custom'] } },
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
			displayName: 'Authentication',
			name: 'authentication',
			type: 'options',
			options: [
				{ name: 'API Key', value: 'apiKey', description: 'X-Auth-Token with an API ID and API Secret Key (Settings > API Access)' },
				{ name: 'CSP OAuth App', value: 'oauthApp', description: 'CSP-managed orgs: an OAuth app ID and secret exchanged for an access token' },
				{ name: 'CSP API Token', value: 'apiToken', description: 'CSP-managed orgs: a user API token exchanged for an access token' },
			],
			default: 'apiKey',
			description: 'How requests are signed. Orgs on CSP-managed identity (UK, AWS GovCloud) sign in through CSP.',
		},
		{
			displayName: 'API ID',
			name: 'apiId',
			type: 'string',
			default: '',
			description: 'The API ID of a Custom access-level key whose role has org.audits READ (and jobs.status READ for exports)',
			displayOptions: { show: { authentication: ['apiKey'] } },
			required: true,
		},
		{
			displayName: 'API Secret Key',
			name: 'apiSecretKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { authentication: ['apiKey'] } },
			required: true,
		},
		{
			displayName: 'CSP Host',
			name: 'cspHost',
			type: 'string',
			default: DEFAULT_CSP_HOST,
			description: 'Where CSP issues access tokens; change it only if your org signs in elsewhere',
			displayOptions: { show: { authentication: CSP } },
		},
		{
			displayName: 'App ID',
			name: 'cspAppId',
			type: 'string',
			default: '',
			description: 'The ID of a CSP OAuth app (server-to-server) whose role includes _API.Audits:org.audits:READ',
			displayOptions: { show: { authentication: ['oauthApp'] } },
			required: true,
		},
		{
			displayName: 'App Secret',
			name: 'cspAppSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { authentication: ['oauthApp'] } },
			required: true,
		},
		{
			displayName: 'API Token',
			name: 'cspApiToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'A CSP user API token whose roles include _API.Audits:org.audits:READ',
			displayOptions: { show: { authentication: ['apiToken'] } },
			required: true,
		},
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'hidden',
			typeOptions: { expirable: true, password: true },
			default: '',
		},
	];

	/** CSP sign-in: a fresh access token. With an API key there is nothing to fetch (n8n then stores nothing). */
	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		if (cbcAuthentication(credentials) === 'apiKey') return {};
		return { accessToken: await cspAccessToken(this, credentials) };
	}

	authenticate = authenticateWith((credentials): Authentication =>
		cbcAuthentication(credentials) === 'apiKey'
			? { headers: { 'X-Auth-Token': `${String(credentials.apiSecretKey)}/${String(credentials.apiId)}` } }
			: { headers: { Authorization: `Bearer ${String(credentials.accessToken ?? '')}` } },
	);

	// The sign-in (CSP) and a one-row search: read-only, unlike the queue, which would consume events.
	test: ICredentialTestRequest = {
		request: {
			baseURL: CBC_BASE_URL_EXPRESSION,
			url: '=/audit_log/v1/orgs/{{$credentials.orgKey}}/logs/_search',
			method: 'POST',
			body: { rows: 1, criteria: { create_time: { range: '-1h' } } },
		},
	};
}
