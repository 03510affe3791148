// Carbon Black Cloud CSP sign-in through n8n-core's real request helpers: the credential's
// preAuthentication fills the expirable accessToken, n8n keeps it, and a 401 signs in again once.
import nock from 'nock';
import { NodeApiError, type ICredentialDataDecryptedObject, type IDataObject, type INodeParameters } from 'n8n-workflow';
import { CarbonBlackCloudApi } from '../../credentials/CarbonBlackCloudApi.credentials';
import { AuditLog } from '../../nodes/AuditLog/AuditLog.node';
import { runNode, testCredential } from '../harness/n8n';
import { CREDENTIAL_TYPES, deepText, failureOf, jsonOf } from '../support/auditLog';
import { CbcBackend } from '../support/cbcBackend';
import { cbcEvents } from '../support/cbcEvents';
import { tally } from '../support/tally';
import { offline } from '../support/offline';

const CBC = 'https://ew2.carbonblackcloud.vmware.com';
const CSP = 'https://console.cloud.vmware.com';
const APP_SEKRIT = 'CSP-APP-SECRET-7fK2pQ9x';
const USER_TOKN = 'CSP-USER-API-TOKEN-3mZ8wL1v';
const RANGE = { start: '2024-05-01T00:00:00.000Z', end: '2024-05-02T00:00:00.000Z' };

const oauthApp = (extra: IDataObject = {}): ICredentialDataDecryptedObject => ({
	environment: 'produk',
	orgKey: 'ORGKEY01',
	authentication: 'oauthApp',
	cspAppId: 'app-0001',
	cspAppSecret: APP_SEKRIT,
	...extra,
});
const apiToken = (): ICredentialDataDecryptedObject => ({
	environment: 'produk',
	orgKey: 'ORGKEY01',
	authentication: 'apiToken',
	cspApiToken: USER_TOKN,
});

type TokenCall = { path: string; authorization?: string; contentType?: string; body: string };

/**
 * A CSP token service: issues tok-1, tok-2… to the right app or API token, and remembers which are
 * still valid, so a test can expire them. A wrong secret gets CSP's OAuth error body.
 */
class FakeCsp {
	readonly calls: TokenCall[] = [];
	private readonly valid = new Set<string>();
	private issued = 0;

	install(host = CSP): this {
		const record = (call: TokenCall) => {
			this.calls.push(call);
			return this.answer(call);
		};
		nock(host)
			.persist()
			.post(/\/csp\/gateway\/am\/api\/auth\/(token|api-tokens\/authorize)$/)
			.reply(function (this: nock.ReplyFnContext, uri: string, body: nock.Body) {
				const headers = this.req.headers;
				const call: TokenCall = {
					path: uri,
					authorization: headers.authorization as string | undefined,
					contentType: headers['content-type'] as string | undefined,
					body: String(body),
				};
				return record(call);
			});
		return this;
	}

	private answer(call: TokenCall): nock.ReplyFnResult {
		const form = new URLSearchParams(call.body);
		const okApp =
			call.path.endsWith('/auth/token') &&
			form.get('grant_type') === 'client_credentials' &&
			call.authorization === `Basic ${Buffer.from(`app-0001:${APP_SEKRIT}`).toString('base64')}`;
		const okToken = call.path.endsWith('/api-tokens/authorize') && form.get('api_token') === USER_TOKN;
		if (!okApp && !okToken) {
			return [401, { error: 'invalid_client', error_description: 'Client authentication failed: bad client credentials' }];
		}
		const token = `tok-${++this.issued}`;
		this.valid.add(token);
		return [200, { access_token: token, token_type: 'bearer', expires_in: 1799, scope: 'openid' }];
	}

	accepts = (token: string): boolean => this.valid.has(token);

	/** Every token issued so far stops working (as after its 30 minutes). */
	expireAll(): void {
		this.valid.clear();
	}
}

offline();

async function run(parameters: INodeParameters, credentials: ICredentialDataDecryptedObject) {
	return await runNode({
		nodeType: new AuditLog(),
		parameters: { resource: 'carbonBlackCloud', ...parameters },
		credentials: { carbonBlackCloudApi: credentials },
		credentialTypes: CREDENTIAL_TYPES,
	});
}

const events = cbcEvents(60);
const queueRun = { operation: 'fetchQueue', returnAll: true };
const exportRun = { operation: 'exportAndWait', format: 'json', filters: RANGE, options: { pollInterval: 0.02, maxWait: 5 } };

function backend(csp: FakeCsp, options: ConstructorParameters<typeof CbcBackend>[0] = {}): CbcBackend {
	const cbc = new CbcBackend({ events, acceptBearer: csp.accepts, ...options, credentials: { baseUrl: CBC, orgKey: 'ORGKEY01', apiId: '-', apiSecretKey: '-' } });
	return cbc.install();
}

const bearers = (cbc: CbcBackend) => cbc.requests.filter((r) => !r.path.includes('X-Amz-Signature')).map((r) => r.headers.authorization);

describe('CSP OAuth app', () => {
	it('signs in once per run and reuses the token on every request, then on the next run', async () => {
		const csp = new FakeCsp().install();
		const cbc = backend(csp, { queue: [events.slice(0, 20), events.slice(20, 35)] });
		const stored = oauthApp();

		const first = await run(queueRun, stored);

		expect(jsonOf(first)).toHaveLength(35);
		expect(csp.calls).toHaveLength(1);
		expect(csp.calls[0]).toMatchObject({
			path: '/csp/gateway/am/api/auth/token',
			authorization: `Basic ${Buffer.from(`app-0001:${APP_SEKRIT}`).toString('base64')}`,
			contentType: 'application/x-www-form-urlencoded',
		});
		expect(new URLSearchParams(csp.calls[0].body).get('grant_type')).toBe('client_credentials');
		// Three queue reads (20, 15, empty), all with the one token; no X-Auth-Token.
		expect(bearers(cbc)).toEqual(['Bearer tok-1', 'Bearer tok-1', 'Bearer tok-1']);
		expect(cbc.requests.every((r) => r.headers['x-auth-token'] === undefined)).toBe(true);
		// n8n stored the token with the credential: the next run (a poll, a later execution) reuses it.
		expect(stored.accessToken).toBe('tok-1');

		const exported = await run(exportRun, stored);

		expect(exported.output[0][0].json).toMatchObject({ eventCount: 60 });
		expect(csp.calls).toHaveLength(1);
		expect(new Set(bearers(cbc))).toEqual(new Set(['Bearer tok-1']));
		expect(cbc.violations).toEqual([]);
	});

	it('an expired token: the 401 signs in once more and the request is resent, nothing lost', async () => {
		const csp = new FakeCsp().install();
		const cbc = backend(csp, { queue: [events.slice(0, 20)] });
		const stored = oauthApp({ accessToken: 'tok-from-yesterday' });

		const result = await run(queueRun, stored);

		expect(jsonOf(result)).toHaveLength(20);
		expect(csp.calls).toHaveLength(1);
		expect(bearers(cbc)).toEqual(['Bearer tok-from-yesterday', 'Bearer tok-1', 'Bearer tok-1']);
		expect(stored.accessToken).toBe('tok-1');
	});

	it('a token that expires between runs is refreshed once, on the first request of the next run', async () => {
		const csp = new FakeCsp().install();
		const cbc = backend(csp);
		const stored = oauthApp();
		await run({ operation: 'search', returnAll: true, filters: RANGE }, stored);
		csp.expireAll();

		const second = await run({ operation: 'search', returnAll: true, filters: RANGE }, stored);

		expect(jsonOf(second)).toHaveLength(60);
		expect(csp.calls).toHaveLength(2);
		expect(bearers(cbc)).toEqual(['Bearer tok-1', 'Bearer tok-1', 'Bearer tok-2']);
	});

	it('a 401 that a fresh token does not cure: one sign-in, one resend, then the vendor error', async () => {
		const csp = new FakeCsp().install();
		// The org refuses every token (e.g. the app has no audit role on this org).
		const cbc = backend(csp, { acceptBearer: () => false });

		const error = await failureOf(run({ operation: 'search', returnAll: true, filters: RANGE }, oauthApp({ accessToken: 'tok-old' })));

		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe('Carbon Black Cloud: User is not authenticated');
		expect(error.httpCode).toBe('401');
		expect(csp.calls).toHaveLength(1);
		expect(cbc.requests).toHaveLength(2);
		expect(deepText(error)).not.toContain(APP_SEKRIT);
		expect(deepText(error)).not.toContain('tok-1');
	});

	it('a wrong secret: CSP\'s message, one sign-in attempt, no request to Carbon Black, no secret anywhere', async () => {
		const csp = new FakeCsp().install();
		const cbc = backend(csp);
		const wrong = 'WRONG-SECRET-zz81Qp';

		const error = await failureOf(run({ operation: 'search', returnAll: true, filters: RANGE }, oauthApp({ cspAppSecret: wrong })));

		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe('Carbon Black Cloud sign-in (CSP OAuth app) was refused: Client authentication failed: bad client credentials');
		expect(error.description).toContain('_API.Audits:org.audits:READ');
		expect(csp.calls).toHaveLength(1);
		expect(cbc.requests).toHaveLength(0);
		expect(deepText(error)).not.toContain(wrong);
		tally('secrets', { outputs: 1, leaks: deepText(error).includes(wrong) ? 1 : 0 });
	});

	it('a CSP outage (503) is retried by the transport, sign-in included', async () => {
		const csp = new FakeCsp();
		nock(CSP).post('/csp/gateway/am/api/auth/token').reply(503, { message: 'Service unavailable' });
		csp.install();
		const cbc = backend(csp, { queue: [events.slice(0, 5)] });

		const result = await runNode({
			nodeType: new AuditLog(),
			parameters: { resource: 'carbonBlackCloud', ...queueRun },
			credentials: { carbonBlackCloudApi: oauthApp() },
			credentialTypes: CREDENTIAL_TYPES,
		});

		expect(jsonOf(result)).toHaveLength(5);
		expect(csp.calls).toHaveLength(1);
		expect(bearers(cbc)).toEqual(['Bearer tok-1', 'Bearer tok-1']);
	});
});

describe('CSP sign-in: every other answer reads as with an API key', () => {
	it('a 429 with Retry-After and a 503 are retried, with the same token', async () => {
		const csp = new FakeCsp().install();
		const cbc = backend(csp, {
			queue: [events.slice(0, 4)],
			failFirst: [
				{ status: 429, body: { error_code: 'TOO_MANY_REQUESTS', message: 'Slow down' }, headers: { 'Retry-After': '0' } },
				{ status: 503, body: { error_code: 'SERVER_ERROR', message: 'Unavailable' } },
			],
		});

		const result = await run(queueRun, oauthApp());

		expect(jsonOf(result)).toHaveLength(4);
		expect(csp.calls).toHaveLength(1);
		expect(bearers(cbc)).toEqual(['Bearer tok-1', 'Bearer tok-1', 'Bearer tok-1', 'Bearer tok-1']);
	});

	it("a 400 gives CBC's own message and status", async () => {
		const csp = new FakeCsp().install();
		backend(csp, { failFirst: [{ status: 400, body: { error_code: 'INVALID_ARGUMENT', message: 'rows must be an integer', args: [] } }] });

		const error = await failureOf(run({ operation: 'search', returnAll: true, filters: RANGE }, oauthApp()));

		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe('Carbon Black Cloud: rows must be an integer (INVALID_ARGUMENT)');
		expect(error.httpCode).toBe('400');
	});

	it('Export and Wait: the 303 to the pre-signed file is followed without the bearer token', async () => {
		const csp = new FakeCsp().install();
		const cbc = backend(csp, { download: 'redirect' });

		const result = await run(exportRun, oauthApp());

		expect(result.output[0][0].json).toMatchObject({ eventCount: 60 });
		expect(cbc.violations).toEqual([]);
		const presigned = cbc.requests.filter((r) => r.path.includes('X-Amz-Signature'));
		expect(presigned).toHaveLength(1);
		expect(presigned[0].headers.authorization).toBeUndefined();
		expect(csp.calls).toHaveLength(1);
	});
});

describe('CSP user API token', () => {
	it('exchanges api_token at /api-tokens/authorize and signs with the access token', async () => {
		const csp = new FakeCsp().install();
		const cbc = backend(csp, { queue: [events.slice(0, 3)] });

		const result = await run(queueRun, apiToken());

		expect(jsonOf(result)).toHaveLength(3);
		expect(csp.calls).toHaveLength(1);
		expect(csp.calls[0].path).toBe('/csp/gateway/am/api/auth/api-tokens/authorize');
		expect(csp.calls[0].authorization).toBeUndefined();
		expect(new URLSearchParams(csp.calls[0].body).get('api_token')).toBe(USER_TOKN);
		expect(bearers(cbc)).toEqual(['Bearer tok-1', 'Bearer tok-1']);
	});

	it('a custom CSP host is where the token is asked for', async () => {
		const csp = new FakeCsp().install('https://csp.example.test');
		const cbc = backend(csp, { queue: [] });

		await run(queueRun, { ...apiToken(), cspHost: 'https://csp.example.test/' });

		expect(csp.calls).toHaveLength(1);
		expect(bearers(cbc)).toEqual(['Bearer tok-1']);
	});
});

describe('credential Test with CSP sign-in', () => {
	it('performs the exchange and one read-only search with the new token', async () => {
		const csp = new FakeCsp().install();
		const cbc = backend(csp);

		expect(await testCredential(new CarbonBlackCloudApi(), oauthApp({ accessToken: 'tok-stale' }))).toEqual({
			status: 'OK',
			message: 'Connection successful!',
		});
		expect(csp.calls).toHaveLength(1);
		expect(cbc.requests).toHaveLength(1);
		expect(cbc.requests[0]).toMatchObject({ method: 'POST', path: '/audit_log/v1/orgs/ORGKEY01/logs/_search' });
		expect(cbc.requests[0].headers.authorization).toBe('Bearer tok-1');
	});

	it('a wrong API token: the Test shows CSP\'s message without the token', async () => {
		new FakeCsp().install();
		const wrong = 'NOT-A-VALID-TOKEN-4410';

		const result = await testCredential(new CarbonBlackCloudApi(), { ...apiToken(), cspApiToken: wrong });

		expect(result).toEqual({
			status: 'Error',
			message: 'Carbon Black Cloud sign-in (CSP API token) was refused: Client authentication failed: bad client credentials',
		});
		expect(JSON.stringify(result)).not.toContain(wrong);
		tally('secrets', { outputs: 1, leaks: JSON.stringify(result).includes(wrong) ? 1 : 0 });
	});
});

describe('API key (the default) is unchanged', () => {
	it('a 401 is not resent and nothing signs in', async () => {
		const csp = new FakeCsp().install();
		const cbc = new CbcBackend({ events }).install();

		const error = await failureOf(
			run({ operation: 'search', returnAll: true, filters: RANGE }, { baseUrl: 'https://defense.cbc.test', orgKey: 'ORGKEY01', apiId: 'X', apiSecretKey: 'WRONGKEY' }),
		);

		expect(error.message).toBe('Carbon Black Cloud: User is not authenticated');
		expect(cbc.requests).toHaveLength(1);
		expect(csp.calls).toHaveLength(0);
	});
});

