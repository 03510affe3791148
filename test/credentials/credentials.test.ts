// The four credential types: field contract, Test requests, and the auth each injects on real requests and retries.
import { createHash } from 'node:crypto';
import nock from 'nock';
import { CarbonBlackCloudApi } from '../../credentials/CarbonBlackCloudApi.credentials';
import { CiscoSecureEndpointApi } from '../../credentials/CiscoSecureEndpointApi.credentials';
import { CortexXdrApi, xdrAuthHeaders, xdrNonce } from '../../credentials/CortexXdrApi.credentials';
import { PangeaAuditApi } from '../../credentials/PangeaAuditApi.credentials';
import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type ICredentialDataDecryptedObject,
	type ICredentialType,
	type IDataObject,
	type IHttpRequestOptions,
} from 'n8n-workflow';
import { createSourceContext } from '../../nodes/shared/context';
import { carbonBlackCloud } from '../../nodes/shared/sources/carbonBlackCloud';
import { runNode, testCredential } from '../harness/n8n';
import { probe } from '../support/probeNode';

type Headers = Record<string, string>;

const OK = { status: 'OK', message: 'Connection successful!' };

/** An interceptor that answers `statuses` in turn and keeps each request's headers and body. */
function capture(scope: nock.Interceptor, statuses: number[] = [200]) {
	const seen: Array<{ headers: Headers; body: unknown }> = [];
	let call = 0;
	scope.times(statuses.length).reply(function (this: nock.ReplyFnContext, _uri: string, body: nock.Body) {
		seen.push({ headers: { ...this.req.headers }, body });
		const status = statuses[call++];
		return [status, status === 200 ? { ok: true } : { message: 'unavailable' }];
	});
	return seen;
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
	const pending = nock.pendingMocks();
	nock.cleanAll();
	expect(pending).toEqual([]);
});
afterAll(() => nock.enableNetConnect());

describe('field contract', () => {
	const types: Array<[ICredentialType, string, string[], string[]]> = [
		[
			new CarbonBlackCloudApi(),
			'carbonBlackCloudApi',
			['baseUrl', 'orgKey', 'apiId', 'apiSecretKey', 'environment', 'authentication', 'cspHost', 'cspAppId', 'cspAppSecret', 'cspApiToken', 'accessToken'],
			['apiSecretKey', 'cspAppSecret', 'cspApiToken', 'accessToken'],
		],
		[new CortexXdrApi(), 'cortexXdrApi', ['baseUrl', 'apiKeyId', 'apiKey', 'securityLevel'], ['apiKey']],
		[new CiscoSecureEndpointApi(), 'ciscoSecureEndpointApi', ['region', 'baseUrl', 'clientId', 'apiKey'], ['apiKey']],
		[new PangeaAuditApi(), 'pangeaAuditApi', ['domain', 'baseUrl', 'token', 'configId'], ['token', 'signingPrivateKey']],
	];

	it.each(types)('%#: type name, field names, secrets as password fields, icons, a Test request', (type, name, fields, secrets) => {
		expect(type.name).toBe(name);
		const names = type.properties.map((property) => property.name);
		expect(names).toEqual(expect.arrayContaining(fields));
		for (const property of type.properties) {
			expect(property.typeOptions?.password === true).toBe(secrets.includes(property.name));
		}
		expect(type.icon).toEqual({ light: expect.stringMatching(/\.svg$/), dark: expect.stringMatching(/\.dark\.svg$/) });
		expect(type.test?.request).toBeDefined();
		expect(type.authenticate).toBeDefined();
	});

	it('offers the Cisco regions and the Cortex security levels by their contract values', () => {
		const options = (type: ICredentialType, field: string) =>
			(type.properties.find((p) => p.name === field)?.options as Array<{ value: string }>).map((o) => o.value).sort();
		expect(options(new CiscoSecureEndpointApi(), 'region')).toEqual(['apjc', 'custom', 'eu', 'nam']);
		expect(options(new CortexXdrApi(), 'securityLevel')).toEqual(['advanced', 'standard']);
	});
});

describe('authenticate runs as code, not as an expression template', () => {
	// n8n evaluates a generic template's `={{…}}` values as expressions on every request (in n8n
	// 2.x, through its expression runtime): Cisco's two per request cost more than the page read.
	const request = { url: 'https://vendor.test/x', headers: { Accept: 'application/json' } };
	type Authenticate = (credentials: IDataObject, options: IHttpRequestOptions) => Promise<IHttpRequestOptions>;

	it('Cisco: Basic auth from the client ID and API key, the request otherwise untouched', async () => {
		const type = new CiscoSecureEndpointApi();
		expect(typeof type.authenticate).toBe('function');
		const out = await (type.authenticate as Authenticate)({ clientId: 'CID', apiKey: 'KEY:1' }, request);
		expect(out).toEqual({ ...request, auth: { username: 'CID', password: 'KEY:1' } });
		expect(request).toEqual({ url: 'https://vendor.test/x', headers: { Accept: 'application/json' } });
	});

	it('Pangea: a Bearer token header added to the request\'s own headers', async () => {
		const type = new PangeaAuditApi();
		expect(typeof type.authenticate).toBe('function');
		const out = await (type.authenticate as Authenticate)({ token: 'pts_abc' }, request);
		expect(out).toEqual({ ...request, headers: { Accept: 'application/json', Authorization: 'Bearer pts_abc' } });
		expect(request.headers).toEqual({ Accept: 'application/json' });
	});

	it('every credential authenticates by code', () => {
		for (const type of [new CarbonBlackCloudApi(), new CortexXdrApi(), new CiscoSecureEndpointApi(), new PangeaAuditApi()])
			expect([type.name, typeof type.authenticate]).toEqual([type.name, 'function']);
	});
});

describe('Carbon Black Cloud: X-Auth-Token <secret>/<id>', () => {
	const credentials = { baseUrl: 'https://defense-eu.cbc.test/', orgKey: 'ORG9', apiId: 'ID12', apiSecretKey: 'SECRET34' };

	it('Test: a one-row read-only _search on the org, trailing slash of the URL dropped', async () => {
		const seen = capture(nock('https://defense-eu.cbc.test').post('/audit_log/v1/orgs/ORG9/logs/_search'));

		expect(await testCredential(new CarbonBlackCloudApi(), credentials)).toEqual(OK);
		expect(seen[0].headers['x-auth-token']).toBe('SECRET34/ID12');
		expect(seen[0].body).toEqual({ rows: 1, criteria: { create_time: { range: '-1h' } } });
	});

	it('Test: a refused key is reported as an error', async () => {
		nock('https://defense-eu.cbc.test').post(/_search/).reply(401, { success: false, message: 'User is not authenticated' });

		expect(await testCredential(new CarbonBlackCloudApi(), credentials)).toMatchObject({ status: 'Error' });
	});

	it('the transport sends it on the first request and on a retry', async () => {
		const seen = capture(nock('https://defense-eu.cbc.test').get('/ping'), [503, 200]);

		const { output } = await probe('carbonBlackCloudApi', credentials, { url: '/ping' });

		expect(output[0][0].json).toEqual({ status: 200, body: { ok: true } });
		expect(seen.map((request) => request.headers['x-auth-token'])).toEqual(['SECRET34/ID12', 'SECRET34/ID12']);
	});
});

describe('Carbon Black Cloud: environment picker', () => {
	const keys = { orgKey: 'ORG9', apiId: 'ID12', apiSecretKey: 'SECRET34' };
	const hosts: Array<[string, string]> = [
		['prod01', 'https://dashboard.confer.net'],
		['prod02', 'https://defense.conferdeploy.net'],
		['prod05', 'https://defense-prod05.conferdeploy.net'],
		['prod06', 'https://defense-eu.conferdeploy.net'],
		['prodnrt', 'https://defense-prodnrt.conferdeploy.net'],
		['prodsyd', 'https://defense-prodsyd.conferdeploy.net'],
		['produk', 'https://ew2.carbonblackcloud.vmware.com'],
		['govcloud', 'https://gprd1usgw1.carbonblack-us-gov.vmware.com'],
	];

	it('lists the known consoles and Custom URL, the default keeping a saved Base URL in use', () => {
		const field = new CarbonBlackCloudApi().properties.find((p) => p.name === 'environment')!;
		expect((field.options as Array<{ value: string }>).map((o) => o.value)).toEqual([...hosts.map(([value]) => value), 'custom']);
		expect(field.default).toBe('custom');
		const baseUrl = new CarbonBlackCloudApi().properties.find((p) => p.name === 'baseUrl')!;
		expect(baseUrl.displayOptions).toEqual({ show: { environment: ['custom'] } });
	});

	it.each(hosts)('%s: the Test and the node both read %s, whatever Base URL holds', async (environment, host) => {
		const credentials = { ...keys, environment, baseUrl: 'https://stale.example.test' };
		const tested = capture(nock(host).post('/audit_log/v1/orgs/ORG9/logs/_search'));
		const probed = capture(nock(host).get('/ping'));

		expect(await testCredential(new CarbonBlackCloudApi(), credentials)).toEqual(OK);
		await probeCbc(credentials);

		expect(tested[0].headers['x-auth-token']).toBe('SECRET34/ID12');
		expect(probed).toHaveLength(1);
	});

	it('a credential saved before the picker (Base URL, no environment) reads its Base URL unchanged', async () => {
		const legacy = { ...keys, baseUrl: 'https://defense-prod05.conferdeploy.net/' };
		const tested = capture(nock('https://defense-prod05.conferdeploy.net').post('/audit_log/v1/orgs/ORG9/logs/_search'));
		const probed = capture(nock('https://defense-prod05.conferdeploy.net').get('/ping'));

		expect(await testCredential(new CarbonBlackCloudApi(), legacy)).toEqual(OK);
		await probeCbc(legacy);

		expect(tested[0].headers['x-auth-token']).toBe('SECRET34/ID12');
		expect(probed[0].headers['x-auth-token']).toBe('SECRET34/ID12');
	});

	it('Custom URL reads Base URL', async () => {
		const custom = { ...keys, environment: 'custom', baseUrl: 'https://cbc.internal.example.test' };
		const probed = capture(nock('https://cbc.internal.example.test').get('/ping'));

		await probeCbc(custom);

		expect(probed).toHaveLength(1);
	});
});

/** One request through the Carbon Black Cloud source's own base URL (probe sources read baseUrl only). */
async function probeCbc(credentials: Record<string, string>) {
	return await runNode({
		nodeType: new CbcPingNode(),
		parameters: {},
		credentials: { carbonBlackCloudApi: credentials },
		credentialTypes: [new CarbonBlackCloudApi()],
	});
}

class CbcPingNode implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'CBC Ping',
		name: 'cbcPing',
		group: ['transform'],
		version: 1,
		description: 'GET /ping through the Carbon Black Cloud source',
		defaults: { name: 'CBC Ping' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'carbonBlackCloudApi', required: true }],
		usableAsTool: true,
		properties: [],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const ctx = createSourceContext(this, carbonBlackCloud, 0);
		const response = await ctx.request({ method: 'GET', url: '/ping' });
		return [[{ json: { status: response.status } }]];
	}
}

describe('Cortex XDR', () => {
	const standard = { baseUrl: 'https://mytenant.xdr.us.paloaltonetworks.com', apiKeyId: '12', apiKey: 'CORTEXKEY56', securityLevel: 'standard' };
	const advanced = { ...standard, baseUrl: 'http://127.0.0.1:8089', securityLevel: 'advanced' };
	const path = '/public_api/v1/audits/management_logs/';

	/** The advanced headers as Cortex checks them: the hash recomputed from the nonce and timestamp sent. */
	function expectAdvanced(headers: Headers, before: number, after: number): void {
		expect(headers['x-xdr-auth-id']).toBe('12');
		expect(headers['x-xdr-nonce']).toMatch(/^[A-Za-z0-9]{64}$/);
		expect(headers['x-xdr-timestamp']).toMatch(/^\d{13}$/);
		const timestamp = Number(headers['x-xdr-timestamp']);
		expect(timestamp).toBeGreaterThanOrEqual(before);
		expect(timestamp).toBeLessThanOrEqual(after);
		const hash = createHash('sha256')
			.update(advanced.apiKey + headers['x-xdr-nonce'] + headers['x-xdr-timestamp'])
			.digest('hex');
		expect(headers.authorization).toBe(hash);
	}

	it('Test, standard: key id and key as sent, "api-" added to the tenant URL', async () => {
		const seen = capture(nock('https://api-mytenant.xdr.us.paloaltonetworks.com').post(path));

		expect(await testCredential(new CortexXdrApi(), standard)).toEqual(OK);
		expect(seen[0].headers).toMatchObject({ 'x-xdr-auth-id': '12', authorization: 'CORTEXKEY56' });
		expect(seen[0].headers['x-xdr-nonce']).toBeUndefined();
		expect(seen[0].body).toEqual({ request_data: { search_from: 0, search_to: 1 } });
	});

	it('Test, advanced: SHA-256 of key + nonce + timestamp, on a local simulator URL left as is', async () => {
		const seen = capture(nock('http://127.0.0.1:8089').post(path));
		const before = Date.now();

		expect(await testCredential(new CortexXdrApi(), advanced)).toEqual(OK);
		expectAdvanced(seen[0].headers, before, Date.now());
		expect(seen[0].headers.authorization).not.toContain('CORTEXKEY56');
	});

	it('advanced: a fresh nonce and timestamp on every request, retries included', async () => {
		const seen = capture(nock('http://127.0.0.1:8089').get('/ping'), [503, 503, 200, 200]);
		const before = Date.now();

		await probe('cortexXdrApi', advanced, { url: '/ping' });
		await probe('cortexXdrApi', advanced, { url: '/ping' });

		expect(seen).toHaveLength(4);
		for (const request of seen) expectAdvanced(request.headers, before, Date.now());
		expect(new Set(seen.map((request) => request.headers['x-xdr-nonce'])).size).toBe(4);
	});

	it('standard: the same key on a retry', async () => {
		const seen = capture(nock('https://mytenant.xdr.us.paloaltonetworks.com').get('/ping'), [503, 200]);

		await probe('cortexXdrApi', standard, { url: '/ping' });

		expect(seen.map((request) => request.headers.authorization)).toEqual(['CORTEXKEY56', 'CORTEXKEY56']);
	});

	it('nonces are 64 characters of [A-Za-z0-9] and do not repeat', () => {
		const nonces = Array.from({ length: 200 }, () => xdrNonce());
		expect(nonces.every((nonce) => /^[A-Za-z0-9]{64}$/.test(nonce))).toBe(true);
		expect(new Set(nonces).size).toBe(200);
		// Every character class shows up across 12 800 draws: no alphabet slice is unreachable.
		const all = nonces.join('');
		expect(new Set(all).size).toBe(62);
	});

	it('xdrAuthHeaders is a pure function of key, level, time and nonce', () => {
		const nonce = 'a'.repeat(64);
		expect(xdrAuthHeaders('7', 'k', 'advanced', 1_714_521_600_123, nonce)).toEqual({
			'x-xdr-auth-id': '7',
			'x-xdr-nonce': nonce,
			'x-xdr-timestamp': '1714521600123',
			Authorization: createHash('sha256').update(`k${nonce}1714521600123`).digest('hex'),
		});
		expect(xdrAuthHeaders('7', 'k', 'standard')).toEqual({ 'x-xdr-auth-id': '7', Authorization: 'k' });
	});
});

describe('Cisco Secure Endpoint: Basic client id / API key', () => {
	const credentials = { region: 'nam', clientId: 'client-1', apiKey: 'CISCOKEY78' };

	it.each([
		['nam', 'https://api.amp.cisco.com'],
		['eu', 'https://api.eu.amp.cisco.com'],
		['apjc', 'https://api.apjc.amp.cisco.com'],
	])('Test on region %s: GET %s/v1/audit_logs?limit=1', async (region, host) => {
		const seen = capture(nock(host).get('/v1/audit_logs').query({ limit: '1' }));

		expect(await testCredential(new CiscoSecureEndpointApi(), { ...credentials, region })).toEqual(OK);
		expect(seen[0].headers.authorization).toBe(basic('client-1', 'CISCOKEY78'));
	});

	it('Test on a custom URL (a local simulator)', async () => {
		const seen = capture(nock('http://127.0.0.1:8090').get('/v1/audit_logs').query({ limit: '1' }));

		const result = await testCredential(new CiscoSecureEndpointApi(), {
			...credentials,
			region: 'custom',
			baseUrl: 'http://127.0.0.1:8090/',
		});

		expect(result).toEqual(OK);
		expect(seen[0].headers.authorization).toBe(basic('client-1', 'CISCOKEY78'));
	});

	it('the transport sends it on a retry too', async () => {
		const seen = capture(nock('http://127.0.0.1:8090').get('/ping'), [503, 200]);

		await probe('ciscoSecureEndpointApi', { ...credentials, region: 'custom', baseUrl: 'http://127.0.0.1:8090' }, { url: '/ping' });

		expect(seen.map((request) => request.headers.authorization)).toEqual([
			basic('client-1', 'CISCOKEY78'),
			basic('client-1', 'CISCOKEY78'),
		]);
	});
});

describe('Pangea: Bearer token', () => {
	const credentials: ICredentialDataDecryptedObject = { domain: 'aws.eu.pangea.cloud', token: 'pts_dummy_token_90' };

	it('Test: POST https://audit.<domain>/v1/root', async () => {
		const seen = capture(nock('https://audit.aws.eu.pangea.cloud').post('/v1/root'));

		expect(await testCredential(new PangeaAuditApi(), credentials)).toEqual(OK);
		expect(seen[0].headers.authorization).toBe('Bearer pts_dummy_token_90');
	});

	it('Test: the Base URL replaces the domain when set', async () => {
		const seen = capture(nock('http://127.0.0.1:8091').post('/v1/root'));

		expect(await testCredential(new PangeaAuditApi(), { ...credentials, baseUrl: 'http://127.0.0.1:8091/' })).toEqual(OK);
		expect(seen[0].headers.authorization).toBe('Bearer pts_dummy_token_90');
	});

	it('the transport sends it on a retry too', async () => {
		const seen = capture(nock('http://127.0.0.1:8091').post('/v1/search'), [503, 200]);

		await probe('pangeaAuditApi', { ...credentials, baseUrl: 'http://127.0.0.1:8091' }, { method: 'POST', url: '/v1/search' });

		expect(seen.map((request) => request.headers.authorization)).toEqual([
			'Bearer pts_dummy_token_90',
			'Bearer pts_dummy_token_90',
		]);
	});
});

describe('every credential names the vendor permissions it needs', () => {
	it.each<[ICredentialType, RegExp[]]>([
		[new CarbonBlackCloudApi(), [/org\.audits<\/b> READ/, /jobs\.status<\/b> READ/, /_API\.Audits:org\.audits:READ/, /Custom/]],
		[new CiscoSecureEndpointApi(), [/scope <b>Read-only<\/b>/]],
		[new CortexXdrApi(), [/Management Audit Logs/, /role/]],
	])('%#', (type, wanted) => {
		const notice = type.properties.find((p) => p.type === 'notice' && p.name === 'permissionsNotice');
		expect(notice).toBeDefined();
		for (const pattern of wanted) expect(notice!.displayName).toMatch(pattern);
	});
});
