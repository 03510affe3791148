// Real local HTTP servers for the hostile-server suites, and the four vendors as those suites see
// them: a credential with distinctive secrets, a minimal valid answer, and how to spot the secrets.
import type { ICredentialDataDecryptedObject, IDataObject, INodeParameters } from 'n8n-workflow';
import { AuditLog } from '../../nodes/AuditLog/AuditLog.node';
import { runNode, type RunNodeOptions, type RunNodeResult } from '../harness/n8n';
import { CREDENTIAL_TYPES } from '../support/auditLog';
import type { Recorded, Response } from './localServer';

export { gzipBomb, sampleMemory, startServer, streamBytes, type LocalServer, type Recorded, type Response } from './localServer';

export function json(res: Response, status: number, body: unknown, headers: Record<string, string> = {}): void {
	res.writeHead(status, { 'content-type': 'application/json', ...headers });
	res.end(JSON.stringify(body));
}

export type Vendor = {
	id: 'carbonBlackCloud' | 'cortexXdr' | 'ciscoSecureEndpoint' | 'pangea';
	credentialType: string;
	credentials(baseUrl: string): ICredentialDataDecryptedObject;
	/** The secret values of the credential (what must never leave its origin or reach a user). */
	secrets: string[];
	/** A valid answer with these records to the vendor's search request. */
	page(records: IDataObject[]): IDataObject;
};

export const VENDORS: Vendor[] = [
	{
		id: 'carbonBlackCloud',
		credentialType: 'carbonBlackCloudApi',
		credentials: (baseUrl) => ({ baseUrl, orgKey: 'HOSTORG1', apiId: 'HOSTILEAPIID1', apiSecretKey: 'HOSTILEDUMMYCBCSECRETKEY00001' }),
		secrets: ['HOSTILEDUMMYCBCSECRETKEY00001'],
		page: (records) => ({ num_found: records.length, num_available: records.length, results: records }),
	},
	{
		id: 'cortexXdr',
		credentialType: 'cortexXdrApi',
		credentials: (baseUrl) => ({ baseUrl, apiKeyId: '17', apiKey: 'hostile-dummy-cortex-key-0000001', securityLevel: 'standard' }),
		secrets: ['hostile-dummy-cortex-key-0000001'],
		page: (records) => ({ reply: { total_count: records.length, result_count: records.length, data: records } }),
	},
	{
		id: 'ciscoSecureEndpoint',
		credentialType: 'ciscoSecureEndpointApi',
		credentials: (baseUrl) => ({ region: 'custom', baseUrl, clientId: 'hostile-cisco-client-01', apiKey: 'hostile-dummy-cisco-api-key-0001' }),
		secrets: ['hostile-dummy-cisco-api-key-0001'],
		page: (records) => ({
			version: 'v1.2.0',
			metadata: { links: { self: '/v1/audit_logs' }, results: { total: records.length, current_item_count: records.length, index: 0, items_per_page: 500 } },
			data: records,
		}),
	},
	{
		id: 'pangea',
		credentialType: 'pangeaAuditApi',
		credentials: (baseUrl) => ({ baseUrl, token: 'pts_hostiledummypangeatoken00001' }),
		secrets: ['pts_hostiledummypangeatoken00001'],
		page: (records) => ({
			request_id: 'prq_hostile',
			status: 'Success',
			summary: 'ok',
			result: { id: 'pas_hostile', count: records.length, events: records, expires_at: '2099-01-01T00:00:00Z' },
		}),
	},
];

/** Every form a secret may take on the wire or in text: as is, base64 (Basic auth too), URL-encoded. */
export function secretForms(vendor: Vendor): string[] {
	const credentials = vendor.credentials('http://x');
	const forms: string[] = [];
	for (const secret of vendor.secrets) {
		forms.push(secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64'));
		for (const other of Object.values(credentials)) {
			if (typeof other === 'string' && other !== secret) forms.push(Buffer.from(`${other}:${secret}`).toString('base64'));
		}
	}
	return forms;
}

const CREDENTIAL_HEADERS = ['authorization', 'x-auth-token', 'x-xdr-auth-id', 'x-xdr-nonce', 'x-xdr-timestamp', 'proxy-authorization', 'cookie'];

/** Whether a request that reached a server carried a credential: an auth header or a secret anywhere. */
export function carriesCredential(req: Recorded, vendor: Vendor): boolean {
	if (CREDENTIAL_HEADERS.some((name) => req.headers[name] !== undefined)) return true;
	const text = `${req.path}\n${JSON.stringify(req.headers)}\n${req.body}`;
	return secretForms(vendor).some((form) => text.includes(form));
}

/** The Audit Log node on `vendor` against `baseUrl`, through n8n-core's real request helpers. */
export async function runVendor(
	vendor: Vendor,
	baseUrl: string,
	parameters: INodeParameters,
	run: Partial<Omit<RunNodeOptions, 'nodeType' | 'parameters'>> = {},
	credentials: ICredentialDataDecryptedObject = vendor.credentials(baseUrl),
): Promise<RunNodeResult> {
	return await runNode({
		nodeType: new AuditLog(),
		parameters: { resource: vendor.id, ...parameters },
		credentials: { [vendor.credentialType]: credentials },
		credentialTypes: CREDENTIAL_TYPES,
		...run,
	});
}

/** A search of the last day, first page only. */
export const SEARCH: INodeParameters = { operation: 'search', returnAll: false, limit: 10, filters: { range: '-1d' } };
