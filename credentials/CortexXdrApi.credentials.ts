// Cortex XDR API key: standard (key as is) or advanced (SHA-256 of key + fresh nonce + timestamp per request).
import { createHash, randomBytes } from 'node:crypto';
import type { ICredentialTestRequest, ICredentialType, INodeProperties, Icon } from 'n8n-workflow';
import { authenticateWith } from '../nodes/shared/authenticate';

const NONCE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** 64 characters from [A-Za-z0-9], drawn without modulo bias from a CSPRNG. */
export function xdrNonce(): string {
	let nonce = '';
	while (nonce.length < 64) {
		for (const byte of randomBytes(96)) {
			// 248 = 4 × 62: bytes above it would favour the first letters.
			if (byte < 248 && nonce.length < 64) nonce += NONCE_ALPHABET[byte % 62];
		}
	}
	return nonce;
}

/** The headers of one request: computed anew for every request and every retry. */
export function xdrAuthHeaders(
	apiKeyId: string,
	apiKey: string,
	securityLevel: string,
	now: number = Date.now(),
	nonce: string = xdrNonce(),
): Record<string, string> {
	if (securityLevel !== 'advanced') return { 'x-xdr-auth-id': apiKeyId, Authorization: apiKey };
	const timestamp = String(now);
	return {
		'x-xdr-auth-id': apiKeyId,
		'x-xdr-nonce': nonce,
		'x-xdr-timestamp': timestamp,
		Authorization: createHash('sha256').update(apiKey + nonce + timestamp, 'utf8').digest('hex'),
	};
}

export class CortexXdrApi implements ICredentialType {
	name = 'cortexXdrApi';

	displayName = 'Cortex XDR API';

	icon: Icon = { light: 'file:../icons/cortexXdr.svg', dark: 'file:../icons/cortexXdr.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-audit-log/n8n-nodes-audit-log#cortex-xdr';

	properties: INodeProperties[] = [
		{
			displayName:
				'Permissions: create the key under Settings > Configurations > Integrations > API Keys with a role that can <b>view the Management Audit Logs</b> (a custom read-only role is enough; no response or configuration rights are used). The tenant needs a Cortex XDR Prevent or Pro license.',
			name: 'permissionsNotice',
			type: 'notice',
			default: '',
		},
		{
			displayName: 'API URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'e.g. https://api-mytenant.xdr.us.paloaltonetworks.com',
			description: 'The tenant API URL from Settings > API Keys > Copy API URL ("api-" is added if missing)',
			required: true,
		},
		{
			displayName: 'API Key ID',
			name: 'apiKeyId',
			type: 'string',
			default: '',
			placeholder: 'e.g. 12',
			description: 'The number in the ID column of the API Keys table; the key\'s role needs view access to the Management Audit Logs',
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
		{
			displayName: 'Security Level',
			name: 'securityLevel',
			type: 'options',
			options: [
				{ name: 'Advanced', value: 'advanced', description: 'Hashed key with a nonce and timestamp per request' },
				{ name: 'Standard', value: 'standard', description: 'The key is sent as is' },
			],
			default: 'advanced',
			description: 'The type chosen when the key was created',
		},
	];

	// A fresh nonce and timestamp on every request (Advanced keys).
	authenticate = authenticateWith((credentials) => ({
		headers: xdrAuthHeaders(
			String(credentials.apiKeyId),
			String(credentials.apiKey),
			String(credentials.securityLevel ?? 'standard'),
		),
	}));

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "").replace(/^(https?:\\/\\/)(?!api-)(?![0-9.]+[:/]|localhost|[0-9.]+$)/, "$1api-")}}',
			url: '/public_api/v1/audits/management_logs/',
			method: 'POST',
			body: { request_data: { search_from: 0, search_to: 1 } },
		},
	};
}
