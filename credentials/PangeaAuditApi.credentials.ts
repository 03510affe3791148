// Pangea Secure Audit Log: Bearer token, domain or full base URL, optional config ID, root gateway and signing key.
import type { ICredentialTestRequest, ICredentialType, INodeProperties, Icon } from 'n8n-workflow';
import { authenticateWith } from '../nodes/shared/authenticate';

export class PangeaAuditApi implements ICredentialType {
	name = 'pangeaAuditApi';

	displayName = 'Pangea Audit API';

	icon: Icon = { light: 'file:../icons/pangea.svg', dark: 'file:../icons/pangea.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-audit-log/n8n-nodes-audit-log#pangea-secure-audit-log';

	properties: INodeProperties[] = [
		{
			displayName:
				'Use a Pangea service token (pts_…) with the Secure Audit Log service granted (Pangea console > Project > Tokens). Search, Fetch Queue, Export and the trigger call search, results, root and download_results; Log calls log. If the token is scoped to several audit configurations, set Config ID.',
			name: 'pangeaPermissionsNotice',
			type: 'notice',
			default: '',
		},
		{
			displayName: 'Domain',
			name: 'domain',
			type: 'string',
			default: 'aws.us.pangea.cloud',
			placeholder: 'e.g. aws.eu.pangea.cloud',
			description: 'The domain shown in the Pangea console; requests go to https://audit.&lt;domain&gt;',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'e.g. https://audit.aws.us.pangea.cloud',
			description: 'Optional: a full URL that replaces https://audit.&lt;domain&gt; (proxies, tests)',
		},
		{
			displayName: 'Token',
			name: 'token',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
		},
		{
			displayName: 'Config ID',
			name: 'configId',
			type: 'string',
			default: '',
			placeholder: 'e.g. pci_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
			description: 'Needed when the token is scoped to several audit configurations',
		},
		{
			displayName: 'Root Gateway URL',
			name: 'rootGatewayUrl',
			type: 'string',
			default: 'https://arweave.net',
			placeholder: 'e.g. https://arweave.net',
			description:
				"Where Verify Tamper-Proofing reads the roots Pangea published on Arweave, a source Pangea does not control (an Arweave gateway, or your own mirror). Empty: nothing is checked independently and verdicts stay pending. Asked without the token.",
		},
		{
			displayName: 'Signing Private Key',
			name: 'signingPrivateKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Optional Ed25519 private key (PEM) used by Log when Sign Locally is on; it never leaves n8n',
		},
	];

	authenticate = authenticateWith((credentials) => ({
		headers: { Authorization: `Bearer ${String(credentials.token ?? '')}` },
	}));

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl ? $credentials.baseUrl.replace(/\\/+$/, "") : "https://audit." + $credentials.domain}}',
			url: '/v1/root',
			method: 'POST',
			// A token scoped to several configurations needs the config id, as every real call sends it.
			body: '={{ $credentials.configId ? { config_id: $credentials.configId.trim() } : {} }}',
		},
	};
}
