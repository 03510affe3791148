/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test-only: setImmediate lets answers arrive between two waits */
// The transport's pure parts (requested waits, backoff, redaction) and its retry loop, bodies, deadline
// and write semantics over a stubbed n8n helper, on an injected clock.
import { NodeApiError, NodeOperationError, type IDataObject, type IHttpRequestOptions } from 'n8n-workflow';
import {
	backoffMs,
	DeadlineError,
	DEFAULT_TRANSPORT,
	failedAnswerWaitMs,
	isDeadlineError,
	redactSecrets,
	requestedWaitMs,
	Transport,
	type TransportSettings,
} from '../../nodes/shared/transport';
import type { AuditSource, BodyStream, NodeFunctions } from '../../nodes/shared/types';
import { deepText, failureOf, STUB_NODE } from '../support/auditLog';
import { bodyStream } from '../hostile/localServer';
import { tally } from '../support/tally';

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

/** `data` cut into chunks of `size` bytes, as a body arrives. */
const chunksOf = (data: Buffer, size: number) =>
	Array.from({ length: Math.ceil(data.length / size) }, (_, i) => data.subarray(i * size, (i + 1) * size));

let clock = NOW;
beforeEach(() => (clock = NOW));

type Reply = ({ statusCode: number; body?: unknown; headers?: Record<string, string> } | { error: IDataObject }) & {
	/** How long the attempt takes on the test's clock. */
	takesMs?: number;
	/** The answer comes only once this settles (requests in flight side by side). */
	after?: Promise<void>;
};

/** A Transport whose HTTP answers come from `replies` in turn and whose waits are only recorded. */
function transportWith(
	replies: Reply[],
	settings: Partial<TransportSettings> & { onPause?: (count: number) => Promise<void> | void } = {},
) {
	const sent: IHttpRequestOptions[] = [];
	const sentAt: number[] = [];
	const waits: number[] = [];
	const answer = async (options: IHttpRequestOptions) => {
		sent.push(options);
		sentAt.push(clock);
		const reply = replies.shift();
		if (!reply) throw new Error('no reply left');
		if (reply.after) await reply.after;
		clock += reply.takesMs ?? 0;
		if ('error' in reply) throw Object.assign(new Error(String(reply.error.message)), reply.error);
		return { headers: {}, ...reply, takesMs: undefined };
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
	const transport = new Transport(
		fn,
		source,
		0,
		async () => ({ apiSecretKey: 'S3CRETVALUE', apiId: 'APIID1' }),
		{ ...DEFAULT_TRANSPORT, random: () => 0, now: () => clock, ...settings },
		async (ms) => {
			waits.push(ms);
			clock += ms;
			await settings.onPause?.(waits.length);
		},
	);
	return { transport, sent, sentAt, waits, clock: () => clock };
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

	it('requests side by side: the last free slot goes to one of them, the other waits its second', async () => {
		const { transport, sentAt } = transportWith(Array(3).fill({ statusCode: 200, body: {} }), { requestsPerSecond: 1 });
		await transport.request({ method: 'GET', url: '/x' });

		// Both wait for the first one's second, wake in the same turn, and find one free slot.
		await Promise.all([transport.request({ method: 'GET', url: '/x' }), transport.request({ method: 'GET', url: '/x' })]);

		expect(sentAt).toHaveLength(3);
		for (let i = 1; i < sentAt.length; i++) expect(sentAt[i] - sentAt[i - 1]).toBeGreaterThanOrEqual(1000);
	});

	it('a request still waiting for its answer keeps its slot, however long ago it was sent', async () => {
		let answerBoth: () => void = () => undefined;
		const both = new Promise<void>((resolve) => (answerBoth = resolve));
		const { transport, sentAt, waits } = transportWith(
			[
				{ statusCode: 200, body: {}, after: both },
				{ statusCode: 200, body: {}, after: both },
				{ statusCode: 200, body: {} },
			],
			{
				requestsPerSecond: 2,
				// The two slow answers arrive during the third request's first wait.
				onPause: async (count) => {
					if (count === 1) answerBoth();
					await new Promise<void>((turn) => setImmediate(turn));
				},
			},
		);
		const slow = [transport.request({ method: 'GET', url: '/a' }), transport.request({ method: 'GET', url: '/b' })];
		await new Promise<void>((turn) => setImmediate(turn));
		clock += 1500;

		await transport.request({ method: 'GET', url: '/c' });
		answerBoth();
		await Promise.all(slow);

		// Sent 1.5 s after the others, but while the vendor was still answering them: it waited
		// for their answers and then a second more.
		expect(waits).toEqual([1000, 1000]);
		expect(sentAt[2] - (NOW + 1500)).toBe(2000);
	});

	it('keeps at most requestsPerSecond request starts in any second', async () => {
		const { transport, waits } = transportWith(Array(5).fill({ statusCode: 200, body: {} }), { requestsPerSecond: 2 });

		for (let i = 0; i < 5; i++) await transport.request({ method: 'GET', url: '/x' });

		expect(waits).toEqual([1_000, 1_000]);
	});
});

describe('Transport: what it asks n8n for', () => {
	it('every request: our timeout, a stream body, the cancel signal, and no redirect n8n follows with the credential', async () => {
		const signal = new AbortController().signal;
		const { transport, sent } = transportWith(
			[
				{ statusCode: 200, body: {} },
				{ statusCode: 200, body: Buffer.from('x') },
			],
			{ signal },
		);

		await transport.request({ method: 'GET', url: '/x' });
		await transport.request({ method: 'GET', url: 'https://files.test/presigned', binary: true }, false);

		expect(sent[0]).toMatchObject({ timeout: 60_000, encoding: 'stream', abortSignal: signal, disableFollowRedirect: true });
		// Unauthenticated pre-signed downloads carry no credential: n8n follows their redirects as before.
		expect(sent[1]).toMatchObject({ timeout: 60_000, encoding: 'stream', abortSignal: signal, disableFollowRedirect: false });
		tally('hostile', { cases: 1 });
	});

	it('never sends an authenticated request to an absolute URL on another origin', async () => {
		const { transport, sent } = transportWith([{ statusCode: 200, body: {} }]);

		const error = await failureOf(transport.request({ method: 'GET', url: 'https://elsewhere.test/x' }));

		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toContain('refused to send the credential to elsewhere.test');
		expect(sent).toHaveLength(0);
		tally('hostile', { cases: 1 });
	});
});

describe('Transport: bodies', () => {
	it('parses a streamed JSON body, keeping "__proto__" as plain data', async () => {
		const { transport } = transportWith([{ statusCode: 200, body: bodyStream(['{"a":1,"__proto__":{"polluted":', 'true}}']) }]);

		const { body } = await transport.request<IDataObject>({ method: 'GET', url: '/x' });

		expect(Object.keys(body)).toEqual(['a', '__proto__']);
		expect(Object.getPrototypeOf(body)).toBe(Object.prototype);
		expect(({} as IDataObject).polluted).toBeUndefined();
	});

	it('stops reading at the cap and names it and the option', async () => {
		const stream = bodyStream(Array.from({ length: 100 }, () => Buffer.alloc(1024, 0x20)));
		const { transport, sent } = transportWith([{ statusCode: 200, body: stream }], { maxBodyBytes: 4096 });

		const error = await failureOf(transport.request({ method: 'GET', url: '/x' }));

		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toContain('larger than the Max Download Size (4096 bytes)');
		expect(String(error.description)).toContain('Max Download Size (MB)');
		expect(stream.pulled()).toBeLessThan(10);
		expect(stream.destroyed).toBe(true);
		expect(sent).toHaveLength(1);
		tally('hostile', { cases: 1 });
	});

	it('refuses a declared Content-Length past the cap without reading', async () => {
		const stream = bodyStream(['{}']);
		const { transport } = transportWith([{ statusCode: 200, body: stream, headers: { 'content-length': '999999999' } }], {
			maxBodyBytes: 4096,
		});

		await expect(transport.request({ method: 'GET', url: '/x' })).rejects.toThrow('Max Download Size');
		expect(stream.pulled()).toBe(0);
	});

	describe('a declared Content-Length (read into one buffer of that size)', () => {
		const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 251));
		const binaryWith = async (body: Buffer, declared: number, maxBodyBytes = 1 << 20) => {
			const { transport } = transportWith(
				[{ statusCode: 200, body: bodyStream(chunksOf(body, 16_384)), headers: { 'content-length': String(declared) } }],
				{ maxBodyBytes },
			);
			return (await transport.request<Buffer>({ method: 'GET', url: '/file', binary: true })).body;
		};

		it('hands back exactly the bytes that came', async () => {
			expect((await binaryWith(bytes, bytes.length)).equals(bytes)).toBe(true);
		});

		it('keeps bytes past the declared length (a body decoded from gzip is longer)', async () => {
			expect((await binaryWith(bytes, 20_000)).equals(bytes)).toBe(true);
			expect((await binaryWith(bytes, 16_384)).equals(bytes)).toBe(true);
		});

		it('hands back a shorter body as what came, without the unfilled rest', async () => {
			const data = await binaryWith(bytes, 90_000);
			expect(data.length).toBe(bytes.length);
			expect(data.equals(bytes)).toBe(true);
		});

		it('still stops at the cap when the body outgrows what it declared', async () => {
			const error = await failureOf(binaryWith(bytes, 10_000, 50_000));
			expect(error.message).toContain('larger than the Max Download Size (50000 bytes)');
		});
	});

	it('fails a body that goes silent for the timeout (injected timer), without retrying it', async () => {
		const stream = bodyStream(['{"a":'], false);
		const timers: Array<() => void> = [];
		const { transport, sent } = transportWith([{ statusCode: 200, body: stream }], {
			timer: (_ms, fire) => {
				timers.push(fire);
				return () => undefined;
			},
		});

		const pending = failureOf(transport.request({ method: 'GET', url: '/x' }));
		await new Promise((resolve) => stream.once('data', resolve));
		// Half the timeout after the chunk: the timer waits the rest; then the full silence fails it.
		clock += 30_000;
		timers[0]();
		expect(timers).toHaveLength(2);
		clock += 30_000;
		timers[1]();
		const error = await pending;

		expect(error.message).toContain('no data for 60 s');
		expect(sent).toHaveLength(1);
		expect(stream.destroyed).toBe(true);
	});
});

describe('Transport: a body handed to a sink (an export file to n8n\'s binary store)', () => {
	const file = Buffer.from(Array.from({ length: 50_000 }, (_, i) => 0x20 + (i % 90)));
	/** A body whose chunks come as they are read; with `cut`, the connection is lost after them. */
	const answerOf = (chunks: Buffer[], cut?: IDataObject) =>
		bodyStream(chunks, cut ? Object.assign(new Error(String(cut.message)), cut) : true);
	/** Readers as n8n's binary stores read: async iteration (fs.writeFile) or a 'data' listener. */
	const readers = {
		'async iteration': async (stream: BinaryStream) => {
			const parts: Buffer[] = [];
			for await (const chunk of stream as AsyncIterable<Buffer>) parts.push(chunk);
			return Buffer.concat(parts);
		},
		"a 'data' listener": async (stream: BinaryStream) =>
			await new Promise<Buffer>((resolve, reject) => {
				const parts: Buffer[] = [];
				stream.on('data', (chunk: Buffer) => parts.push(chunk));
				stream.once('end', () => resolve(Buffer.concat(parts)));
				stream.once('error', reject);
			}),
	};
	type BinaryStream = BodyStream['stream'];
	/** A sink that waits a few turns before it reads (n8n's store awaits a folder first), observing every chunk. */
	const sinkWith = (read: (stream: BinaryStream) => Promise<Buffer>, calls: Buffer[][]) =>
		async (body: BodyStream) => {
			const seen: Buffer[] = [];
			calls.push(seen);
			body.observe((chunk) => seen.push(chunk));
			await new Promise((resolve) => setTimeout(resolve, 5));
			return await read(body.stream);
		};

	it.each(Object.keys(readers) as Array<keyof typeof readers>)(
		'the reader (%s) gets every byte, however late it starts, and the observer sees the same bytes',
		async (name) => {
			const calls: Buffer[][] = [];
			const { transport } = transportWith([{ statusCode: 200, body: answerOf(chunksOf(file, 4096)) }]);

			const { body } = await transport.request<Buffer>({ method: 'GET', url: '/file', binary: true, sink: sinkWith(readers[name], calls) });

			expect(body.equals(file)).toBe(true);
			expect(calls).toHaveLength(1);
			expect(Buffer.concat(calls[0]).equals(file)).toBe(true);
		},
	);

	it('a body past the cap fails its reader at the cap, names Max Download Size, and is not fetched again', async () => {
		const calls: Buffer[][] = [];
		const stream = answerOf(chunksOf(file, 4096));
		const { transport, sent } = transportWith([{ statusCode: 200, body: stream }], { maxBodyBytes: 10_000 });

		const error = await failureOf(
			transport.request({ method: 'GET', url: '/file', binary: true, sink: sinkWith(readers['async iteration'], calls) }),
		);

		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toContain('larger than the Max Download Size (10000 bytes)');
		expect(Buffer.concat(calls[0]).length).toBeLessThanOrEqual(10_000);
		expect(stream.destroyed).toBe(true);
		expect(sent).toHaveLength(1);
	});

	it('a body cut short is fetched again and handed to the sink again, from its start', async () => {
		const calls: Buffer[][] = [];
		const half = chunksOf(file, 4096).slice(0, 6);
		const { transport, sent } = transportWith([
			{ statusCode: 200, body: answerOf(half, { message: 'aborted', code: 'ECONNRESET' }) },
			{ statusCode: 200, body: answerOf(chunksOf(file, 4096)) },
		]);

		const { body } = await transport.request<Buffer>({ method: 'GET', url: '/file', binary: true, sink: sinkWith(readers["a 'data' listener"], calls) });

		expect(body.equals(file)).toBe(true);
		expect(sent).toHaveLength(2);
		expect(calls.map((seen) => Buffer.concat(seen).length)).toEqual([6 * 4096, file.length]);
	});

	it('a body lost before its reader starts fails at once (not left to the reader) and is fetched again', async () => {
		const calls: Buffer[][] = [];
		const lost = bodyStream([], false);
		setImmediate(() => lost.destroy(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })));
		const { transport, sent } = transportWith([
			{ statusCode: 200, body: lost },
			{ statusCode: 200, body: answerOf(chunksOf(file, 4096)) },
		]);

		const { body } = await transport.request<Buffer>({ method: 'GET', url: '/file', binary: true, sink: sinkWith(readers["a 'data' listener"], calls) });

		expect(body.equals(file)).toBe(true);
		expect(sent).toHaveLength(2);
		expect(calls.map((seen) => Buffer.concat(seen).length)).toEqual([0, file.length]);
	});

	it("the sink's own failure (the store's disk is full) is not retried, and says n8n could not keep the file", async () => {
		const full = Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
		const stream = answerOf(chunksOf(file, 4096));
		const { transport, sent } = transportWith([{ statusCode: 200, body: stream }]);

		const error = await failureOf(
			transport.request({
				method: 'GET',
				url: '/file',
				binary: true,
				sink: async () => {
					throw full;
				},
			}),
		);

		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe('n8n could not keep the downloaded file: ENOSPC: no space left on device');
		expect(sent).toHaveLength(1);
		expect(stream.destroyed).toBe(true);
	});

	it('other answers are read as usual: the sink only ever sees the 2xx body', async () => {
		const calls: Buffer[][] = [];
		const { transport, sent } = transportWith([
			{ statusCode: 503, body: bodyStream(['{"message":"busy"}']) },
			{ statusCode: 200, body: answerOf([file]) },
		]);

		const { body } = await transport.request<Buffer>({ method: 'GET', url: '/file', binary: true, sink: sinkWith(readers['async iteration'], calls) });

		expect(body.equals(file)).toBe(true);
		expect(sent).toHaveLength(2);
		expect(calls).toHaveLength(1);
	});
});

describe('Transport: retries and budgets', () => {
	it('retries a reset connection at most twice', async () => {
		const reset = { error: { message: 'socket hang up', code: 'ECONNRESET' } };
		const { transport, sent } = transportWith([reset, reset, reset, { statusCode: 200, body: {} }]);

		await expect(transport.request({ method: 'GET', url: '/x' })).rejects.toThrow('socket hang up');
		expect(sent).toHaveLength(DEFAULT_TRANSPORT.maxNetworkAttempts);
	});

	it('does not retry a timeout: a slow server stays slow', async () => {
		const { transport, sent } = transportWith([{ error: { message: 'timeout of 60000ms exceeded', code: 'ECONNABORTED' } }]);

		const error = await failureOf(transport.request({ method: 'GET', url: '/x' }));

		expect(error.message).toContain('no answer within 60 s');
		expect(sent).toHaveLength(1);
	});

	it.each([
		['n8n 2.x (the network error as `cause`)', { cause: { code: 'ECONNABORTED' } }],
		// n8n 1.x: NodeApiError keeps the code only in `httpCode` and in `errorResponse` (`cause` has none).
		['n8n 1.x (`httpCode` and `errorResponse`)', { httpCode: 'ECONNABORTED', errorResponse: { code: 'ECONNABORTED' }, cause: {} }],
		['n8n 1.x (`httpCode` only)', { httpCode: 'ECONNABORTED', cause: {} }],
	])('knows a timeout wrapped the way %s wraps it: a deadline cut is a deadline stop, not a failed run', async (_how, wrap) => {
		const n8nMessage = 'The connection was aborted, perhaps the server is offline';
		const cut = transportWith([{ error: { message: n8nMessage, ...wrap }, takesMs: 5_000 }], { deadline: NOW + 5_000 });
		const error = await failureOf(cut.transport.request({ method: 'GET', url: '/x' }));
		expect(isDeadlineError(error)).toBe(true);

		const plain = transportWith([{ error: { message: n8nMessage, ...wrap } }]);
		const timedOut = await failureOf(plain.transport.request({ method: 'GET', url: '/x' }));
		expect(timedOut.message).toContain('no answer within 60 s');
		expect(plain.sent).toHaveLength(1);
	});

	it('counts the time of failed attempts in the budget, not only the pauses', async () => {
		const slow = { statusCode: 502, takesMs: 100_000 };
		const { transport, sent, waits } = transportWith(Array(6).fill(slow));

		const error = await failureOf(transport.request({ method: 'GET', url: '/x' }));

		// 3 × 100 s lost + 0.75 s of pauses: the next pause would pass the 5 minutes.
		expect(error.message).toContain('kept failing, longer than the retry budget left');
		expect(sent).toHaveLength(3);
		expect(waits).toEqual([250, 500]);
	});

	it('reads the reset headers as a wait on a 429 or an empty quota, not on a 503 with quota left', async () => {
		const cisco503 = { statusCode: 503, headers: { 'x-ratelimit-remaining': '2950', 'x-ratelimit-reset': '906' } };
		const plain = transportWith([cisco503, { statusCode: 200, body: {} }]);
		expect((await plain.transport.request({ method: 'GET', url: '/x' })).status).toBe(200);
		expect(plain.waits).toEqual([250]);

		const limited = transportWith([{ statusCode: 429, headers: { 'x-ratelimit-reset': '3' } }, { statusCode: 200, body: {} }]);
		await limited.transport.request({ method: 'GET', url: '/x' });
		expect(limited.waits).toEqual([3_000]);

		const empty = transportWith([
			{ statusCode: 503, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '4' } },
			{ statusCode: 200, body: {} },
		]);
		await empty.transport.request({ method: 'GET', url: '/x' });
		expect(empty.waits).toEqual([4_000]);

		const asked = transportWith([{ statusCode: 503, headers: { 'retry-after': '2', 'x-ratelimit-reset': '906' } }, { statusCode: 200, body: {} }]);
		await asked.transport.request({ method: 'GET', url: '/x' });
		expect(asked.waits).toEqual([2_000]);
	});

	it('failedAnswerWaitMs: Retry-After always, the reset headers only when the quota says so', () => {
		const answer = (status: number, headers: Record<string, string>) => ({ status, headers, body: null });
		expect(failedAnswerWaitMs(answer(503, { 'x-ratelimit-reset': '906', 'x-ratelimit-remaining': '1' }), NOW)).toBeUndefined();
		expect(failedAnswerWaitMs(answer(500, { 'x-rate-limit-reset': '906' }), NOW)).toBeUndefined();
		expect(failedAnswerWaitMs(answer(429, { 'x-rate-limit-reset': '9' }), NOW)).toBe(9_000);
		expect(failedAnswerWaitMs(answer(503, { 'x-rate-limit-reset': '9', 'x-rate-limit-remaining': '0' }), NOW)).toBe(9_000);
	});
});

describe('Transport: the run deadline', () => {
	it('starts no request once the deadline has passed, with an error isDeadlineError knows', async () => {
		const { transport, sent } = transportWith([{ statusCode: 200, body: {} }], { deadline: NOW });

		const error = await failureOf(transport.request({ method: 'GET', url: '/x' }));

		expect(isDeadlineError(error)).toBe(true);
		expect(error).toBeInstanceOf(DeadlineError);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toContain("Stopped at the run's deadline before sending GET /x");
		expect(sent).toHaveLength(0);
	});

	it('shortens the timeout to the deadline, and begins no wait that would end past it', async () => {
		const { transport, sent, waits } = transportWith([{ statusCode: 429, headers: { 'retry-after': '30' } }], {
			deadline: NOW + 10_000,
		});

		const error = await failureOf(transport.request({ method: 'GET', url: '/x' }));

		expect(sent[0].timeout).toBe(10_000);
		expect(isDeadlineError(error)).toBe(true);
		expect(error.message).toContain('waiting 30 s');
		expect(waits).toEqual([]);
	});

	it('turns a timeout cut short by the deadline into the deadline error', async () => {
		const { transport } = transportWith([{ error: { message: 'timeout of 5000ms exceeded', code: 'ECONNABORTED' }, takesMs: 5_000 }], {
			deadline: NOW + 5_000,
		});

		expect(isDeadlineError(await failureOf(transport.request({ method: 'GET', url: '/x' })))).toBe(true);
	});

	it('isDeadlineError is false for other errors', () => {
		expect(isDeadlineError(new Error('x'))).toBe(false);
		expect(isDeadlineError(new NodeOperationError(STUB_NODE, 'x'))).toBe(false);
		expect(isDeadlineError(undefined)).toBe(false);
	});
});

describe('Transport: non-idempotent writes', () => {
	const write = { method: 'POST' as const, url: '/v2/log', body: { events: [] }, nonIdempotent: true };

	it('retries after an answer that proves nothing was written (429, 503)', async () => {
		const { transport, sent } = transportWith([
			{ statusCode: 429, headers: { 'retry-after': '1' } },
			{ statusCode: 503 },
			{ statusCode: 200, body: { ok: true } },
		]);

		expect((await transport.request(write)).body).toEqual({ ok: true });
		expect(sent).toHaveLength(3);
	});

	it('does not resend after a 500 unless the retry is marked, and names the request id', async () => {
		const unmarked = transportWith([{ statusCode: 500, body: { request_id: 'prq_500' } }, { statusCode: 200, body: {} }]);
		const error = await failureOf(unmarked.transport.request(write));
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toContain('the events may have been written (request id prq_500)');
		expect(unmarked.sent).toHaveLength(1);

		const marked = transportWith([{ statusCode: 500, body: { request_id: 'prq_500' } }, { statusCode: 200, body: {} }]);
		const retryHeaders = (failed: { body: unknown }) => ({ 'X-Retried': String((failed.body as IDataObject).request_id) });
		expect((await marked.transport.request({ ...write, retryHeaders })).status).toBe(200);
		expect(marked.sent[1].headers).toMatchObject({ 'X-Retried': 'prq_500' });
	});

	it('does not resend after a connection lost once sent, nor after a 200 cut short', async () => {
		const reset = transportWith([{ error: { message: 'socket hang up', code: 'ECONNRESET' } }, { statusCode: 200, body: {} }]);
		const lost = await failureOf(reset.transport.request(write));
		expect(lost.message).toContain('may have been written');
		expect(reset.sent).toHaveLength(1);

		const cut = transportWith([
			{ statusCode: 200, body: bodyStream(['{"request_id":"prq_cut","status":"Succ']), headers: { 'x-request-id': 'hdr_1' } },
			{ statusCode: 200, body: {} },
		]);
		const short = await failureOf(cut.transport.request(write));
		expect(short.message).toContain('the events may have been written (request id hdr_1)');
		expect(cut.sent).toHaveLength(1);

		const bodyOnly = transportWith([{ statusCode: 200, body: '{"request_id":"prq_cut","status":"Succ' }]);
		expect((await failureOf(bodyOnly.transport.request(write))).message).toContain('(request id prq_cut)');
		tally('hostile', { cases: 3 });
	});

	it('a read-once read (a GET never resent) cut short says what it took may be gone, not that something was written', async () => {
		const reset = transportWith([{ error: { message: 'socket hang up', code: 'ECONNRESET' } }, { statusCode: 200, body: {} }]);
		const lost = await failureOf(reset.transport.request({ method: 'GET', url: '/queue', nonIdempotent: true }));
		expect(lost.message).toContain('what it read may be gone from the vendor');
		expect(lost.message).not.toContain('written');
		expect(reset.sent).toHaveLength(1);
	});

	it('says a sub-second timeout in milliseconds', async () => {
		const { transport } = transportWith([{ error: { message: 'timeout of 400ms exceeded', code: 'ECONNABORTED' } }], { requestTimeoutMs: 400 });
		expect((await failureOf(transport.request({ method: 'GET', url: '/x' }))).message).toContain('no answer within 400 ms');
	});

	it('retries a failure before anything was sent (DNS)', async () => {
		const { transport, sent } = transportWith([
			{ error: { message: 'getaddrinfo EAI_AGAIN', code: 'EAI_AGAIN' } },
			{ statusCode: 200, body: {} },
		]);

		expect((await transport.request(write)).status).toBe(200);
		expect(sent).toHaveLength(2);
	});

	it('the same failures are retried for a read', async () => {
		const { transport, sent } = transportWith([
			{ error: { message: 'socket hang up', code: 'ECONNRESET' } },
			{ statusCode: 500 },
			{ statusCode: 200, body: {} },
		]);

		expect((await transport.request({ method: 'POST', url: '/v1/search' })).status).toBe(200);
		expect(sent).toHaveLength(3);
	});
});
