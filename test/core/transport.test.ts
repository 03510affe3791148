// The transport's pure parts (requested waits, backoff, redaction) and its retry loop over a stubbed n8n helper.
import { NodeApiError, type IDataObject, type IHttpRequestOptions } from 'n8n-workflow';
import {
	backoffMs,
	DEFAULT_TRANSPORT,
	redactSecrets,
	requestedWaitMs,
	Transport,
	type TransportSettings,
} from '../../nodes/shared/transport';
import type { AuditSource, NodeFunctions } from '../../nodes/shared/types';
import { deepText, failureOf, STUB_NODE } from '../support/auditLog';

const NOW = Date.parse('2024-05-15T12:00:00.000Z');

describe('requestedWaitMs', () => {
	it('reads Retry-After as seconds or as an HTTP date', () => {
		expect(requestedWaitMs({ 'retry-after': '1' }, NOW)).toBe(1_000);
		expect(requestedWaitMs({ 'retry-after': '0.5' }, NOW)).toBe(500);
		expect(requestedWaitMs({ 'retry-after': ['3', '9'] }, NOW)).toBe(3_000);
		expect(requestedWaitMs({ 'retry-after': 'Wed, 15 May 2024 12:00:10 GMT' }, NOW)).toBe(10_000);
		expect(requestedWaitMs({ 'retry-after': 'Wed, 15 May 2024 11:00:00 GMT' }, NOW)).toBe(0);
	});

	it('reads both spellings of the rate-limit reset, as a delay or an epoch in seconds', () => {
		expect(requestedWaitMs({ 'x-ratelimit-reset': '5' }, NOW)).toBe(5_000);
		expect(requestedWaitMs({ 'x-rate-limit-reset': '7' }, NOW)).toBe(7_000);
		expect(requestedWaitMs({ 'x-ratelimit-reset': String(NOW / 1000 + 12) }, NOW)).toBe(12_000);
		expect(requestedWaitMs({ 'x-ratelimit-reset': String(NOW / 1000 - 12) }, NOW)).toBe(0);
	});

	it('prefers Retry-After, and asks for nothing when no header says so', () => {
		expect(requestedWaitMs({ 'retry-after': '2', 'x-ratelimit-reset': '30' }, NOW)).toBe(2_000);
		expect(requestedWaitMs({ 'retry-after': 'soon', 'x-ratelimit-reset': '4' }, NOW)).toBe(4_000);
		expect(requestedWaitMs({}, NOW)).toBeUndefined();
		expect(requestedWaitMs({ 'retry-after': 'soon' }, NOW)).toBeUndefined();
		expect(requestedWaitMs({ 'x-ratelimit-reset': 'later' }, NOW)).toBeUndefined();
	});
});

describe('backoffMs', () => {
	const settings = (random: number): TransportSettings => ({ ...DEFAULT_TRANSPORT, random: () => random });

	it('doubles per attempt, between half and all of the step', () => {
		expect([1, 2, 3, 4].map((attempt) => backoffMs(attempt, settings(0)))).toEqual([250, 500, 1_000, 2_000]);
		expect([1, 2, 3, 4].map((attempt) => backoffMs(attempt, settings(1)))).toEqual([500, 1_000, 2_000, 4_000]);
		expect(backoffMs(2, settings(0.5))).toBe(750);
	});

	it('never exceeds the largest delay', () => {
		expect(backoffMs(20, settings(1))).toBe(DEFAULT_TRANSPORT.maxDelayMs);
		expect(backoffMs(20, settings(0))).toBe(DEFAULT_TRANSPORT.maxDelayMs / 2);
	});
});

describe('redactSecrets', () => {
	const credentials = {
		baseUrl: 'https://defense.cbc.test',
		orgKey: 'ORGKEY01',
		apiId: 'APIID1',
		apiSecretKey: 'S3CRETVALUE',
		apiKey: 'CORTEXKEY',
		apiKeyId: '12',
		token: 'pts_TOKEN',
		signingPrivateKey: '-----BEGIN PRIVATE KEY-----abc',
		clientId: 'client-1',
		password: 'abc',
	};

	it('replaces every secret field, everywhere, and keeps ids, keys of orgs and URLs', () => {
		const text = 'S3CRETVALUE/APIID1 ORGKEY01 CORTEXKEY pts_TOKEN S3CRETVALUE -----BEGIN PRIVATE KEY-----abc client-1 12';
		expect(redactSecrets(text, credentials)).toBe(
			'[redacted]/APIID1 ORGKEY01 [redacted] [redacted] [redacted] [redacted] client-1 12',
		);
	});

	it('leaves values too short to be secrets, and text without credentials, alone', () => {
		expect(redactSecrets('abc', credentials)).toBe('abc');
		expect(redactSecrets('S3CRETVALUE', undefined)).toBe('S3CRETVALUE');
	});
});

type Reply = { statusCode: number; body?: unknown; headers?: Record<string, string> } | { error: IDataObject };

/** A Transport whose HTTP answers come from `replies` in turn and whose waits are only recorded. */
function transportWith(replies: Reply[], settings: Partial<TransportSettings> = {}) {
	const sent: IHttpRequestOptions[] = [];
	const waits: number[] = [];
	const answer = async (options: IHttpRequestOptions) => {
		sent.push(options);
		const reply = replies.shift();
		if (!reply) throw new Error('no reply left');
		if ('error' in reply) throw Object.assign(new Error(String(reply.error.message)), reply.error);
		return { headers: {}, ...reply };
	};
	const fn = {
		getNode: () => STUB_NODE,
		helpers: {
			httpRequestWithAuthentication: async (_type: string, options: IHttpRequestOptions) => await answer(options),
			httpRequest: answer,
		},
	} as unknown as NodeFunctions;
	const source = {
		displayName: 'Vendor',
		credentialType: 'carbonBlackCloudApi',
		baseUrl: () => 'https://vendor.test/',
		describeError: (_status: number, body: unknown) =>
			typeof body === 'object' && body && 'message' in body ? { message: String(body.message) } : undefined,
	} as unknown as AuditSource;
	let clock = NOW;
	const transport = new Transport(
		fn,
		source,
		0,
		async () => ({ apiSecretKey: 'S3CRETVALUE', apiId: 'APIID1' }),
		{ ...DEFAULT_TRANSPORT, random: () => 0, now: () => clock, ...settings },
		async (ms) => {
			waits.push(ms);
			clock += ms;
		},
	);
	return { transport, sent, waits };
}

describe('Transport', () => {
	it('joins relative URLs to the base URL and asks for JSON', async () => {
		const { transport, sent } = transportWith([{ statusCode: 200, body: { ok: 1 } }]);

		const response = await transport.request({ method: 'POST', url: '/a/b', body: { x: 1 } });

		expect(response).toEqual({ status: 200, headers: {}, body: { ok: 1 } });
		expect(sent[0]).toMatchObject({
			url: 'https://vendor.test/a/b',
			method: 'POST',
			body: { x: 1 },
			json: true,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
		});
	});

	it('waits what a 429 asks, and backs off on 5xx, then returns the answer', async () => {
		const { transport, waits, sent } = transportWith([
			{ statusCode: 429, headers: { 'retry-after': '3' } },
			{ statusCode: 503 },
			{ statusCode: 502 },
			{ statusCode: 200, body: { ok: true } },
		]);

		expect((await transport.request({ method: 'GET', url: '/x' })).body).toEqual({ ok: true });
		expect(waits).toEqual([3_000, 500, 1_000]);
		expect(sent).toHaveLength(4);
	});

	it('gives up after the attempts with the vendor message and status', async () => {
		const { transport, sent } = transportWith(Array(6).fill({ statusCode: 500, body: { message: 'Internal failure' } }));

		const error = await failureOf(transport.request({ method: 'GET', url: '/x' }));

		expect(error).toBeInstanceOf(NodeApiError);
		expect(error).toMatchObject({ httpCode: '500', message: 'Vendor: Internal failure' });
		expect(sent).toHaveLength(DEFAULT_TRANSPORT.maxAttempts);
	});

	it('does not retry a 4xx other than 408/425/429', async () => {
		const { transport, sent } = transportWith([{ statusCode: 403, body: { message: 'Access is denied' } }]);

		await expect(transport.request({ method: 'GET', url: '/x' })).rejects.toMatchObject({ httpCode: '403' });
		expect(sent).toHaveLength(1);
	});

	it('fails at once when a vendor asks to wait longer than the budget left', async () => {
		const { transport, waits } = transportWith([{ statusCode: 429, headers: { 'retry-after': '600' } }], {
			maxTotalWaitMs: 60_000,
		});

		const error = await failureOf(transport.request({ method: 'GET', url: '/x' }));

		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toContain('asks to wait 600 s');
		expect(error.httpCode).toBe('429');
		expect(waits).toEqual([]);
	});

	it('retries a reset connection, not an unknown host, and never shows the secret', async () => {
		const reset = { error: { message: 'socket hang up S3CRETVALUE', code: 'ECONNRESET' } };
		const retried = transportWith([reset, { statusCode: 200, body: {} }]);
		expect((await retried.transport.request({ method: 'GET', url: '/x' })).status).toBe(200);
		expect(retried.sent).toHaveLength(2);

		const failing = transportWith([{ error: { message: 'getaddrinfo ENOTFOUND S3CRETVALUE.test', code: 'ENOTFOUND' } }]);
		const error = await failureOf(failing.transport.request({ method: 'GET', url: '/x' }));
		expect(error).toBeInstanceOf(NodeApiError);
		expect(failing.sent).toHaveLength(1);
		expect(deepText(error)).not.toContain('S3CRETVALUE');
	});

	it('retries a JSON answer cut short into text', async () => {
		const { transport, sent } = transportWith([
			{ statusCode: 200, body: '{"results":[{"a":' },
			{ statusCode: 200, body: { results: [] } },
		]);

		expect((await transport.request({ method: 'GET', url: '/x' })).body).toEqual({ results: [] });
		expect(sent).toHaveLength(2);
	});

	it('waits for the reset before the next request once the quota is used up', async () => {
		const { transport, waits } = transportWith([
			{ statusCode: 200, body: {}, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '2' } },
			{ statusCode: 200, body: {} },
		]);

		await transport.request({ method: 'GET', url: '/x' });
		expect(waits).toEqual([]);
		await transport.request({ method: 'GET', url: '/x' });
		expect(waits).toEqual([2_000]);
	});

	it('keeps at most requestsPerSecond request starts in any second', async () => {
		const { transport, waits } = transportWith(Array(5).fill({ statusCode: 200, body: {} }), { requestsPerSecond: 2 });

		for (let i = 0; i < 5; i++) await transport.request({ method: 'GET', url: '/x' });

		expect(waits).toEqual([1_000, 1_000]);
	});
});
