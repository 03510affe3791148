// Pangea Log writes: never twice (nonIdempotent semantics), Verify on the answers, async batches, and Search's Sort By.
import { createHash } from 'node:crypto';
import nock from 'nock';
import { NodeApiError, type IDataObject, type JsonObject } from 'n8n-workflow';
import { DEFAULT_MAX_BODY_BYTES } from '../../nodes/shared/context';
import { logPangeaEvents } from '../../nodes/shared/sources/pangea/log';
import type { ApiRequest, ApiResponse, SourceContext } from '../../nodes/shared/types';
import { PangeaAuditApi } from '../../credentials/PangeaAuditApi.credentials';
import { testCredential } from '../harness/n8n';
import { failureOf, jsonOf, stubFunctions } from '../support/auditLog';
import { BASE, CONFIG_ID, PangeaBackend, loginRecords, runPangea } from './fixture';

type Outcome = { kind: 'answer'; status: number; body: IDataObject } | { kind: 'cut' };

/**
 * A SourceContext whose transport follows the `nonIdempotent` contract: a failed answer is retried
 * only when it is a status the vendor sent (and then with `retryHeaders`), never after a cut
 * answer or a dropped connection, which fails saying the write may have happened.
 */
function writeContext(outcomes: Outcome[]) {
	const sent: Array<{ req: ApiRequest; headers: Record<string, string> }> = [];
	const fn = stubFunctions();
	const request = async <T>(req: ApiRequest): Promise<ApiResponse<T>> => {
		let headers = { ...req.headers };
		for (;;) {
			sent.push({ req, headers });
			const outcome = outcomes.shift() ?? { kind: 'answer', status: 200, body: success(req) };
			if (outcome.kind === 'cut') {
				if (!req.nonIdempotent) continue;
				throw new NodeApiError(fn.getNode(), { message: 'cut' } as JsonObject, {
					message: `Pangea Secure Audit Log: the answer to POST ${req.url} was cut short; the request may have been written`,
				});
			}
			const response = { status: outcome.status, headers: {}, body: outcome.body };
			if (outcome.status < 300) return response as ApiResponse<T>;
			const marked = req.retryHeaders?.(response);
			if (outcome.status < 500 || (req.nonIdempotent && !marked)) {
				throw new NodeApiError(fn.getNode(), outcome.body as JsonObject, { message: String(outcome.body.summary), httpCode: String(outcome.status) });
			}
			headers = { ...headers, ...marked };
		}
	};
	const ctx: SourceContext = {
		fn,
		itemIndex: 0,
		request,
		requestWithoutAuth: async () => {
			throw new Error('not used');
		},
		credentials: async () => ({ token: 'pts_dummy', configId: CONFIG_ID }),
		sleep: async () => undefined,
		turn: async () => undefined,
		throwIfCancelled: () => undefined,
		now: () => 0,
		note: () => undefined,
		maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
		redact: (text) => text,
	};
	return { ctx, sent };
}

function success(req: ApiRequest): IDataObject {
	const events = ((req.body as IDataObject).events as IDataObject[]) ?? [];
	return { status: 'Success', request_id: 'prq_ok', result: { results: events.map((_, i) => ({ hash: `h${i}` })) } };
}

const events = (n: number) => Array.from({ length: n }, (_, i) => ({ message: `event ${i}` }));

describe('Log is never written twice', () => {
	it('marks the write nonIdempotent; a cut answer is not sent again and the error says what may be logged', async () => {
		// The first batch is logged; the answer to the second is cut short.
		const { ctx: fresh, sent: calls } = writeContext([
			{ kind: 'answer', status: 200, body: success({ method: 'POST', url: '/v2/log', body: { events: events(1000) } }) },
			{ kind: 'cut' },
		]);

		const error = await failureOf(logPangeaEvents(fresh, events(1500), {}));

		expect(calls).toHaveLength(2);
		expect(calls.every(({ req }) => req.nonIdempotent === true && req.url === '/v2/log')).toBe(true);
		expect(error.message).toContain('may have been written');
		expect(error.description).toContain('Pangea may have logged events 1001–1500 of 1500 (POST /v2/log, call 2 of 2)');
		expect(error.description).toContain('The 1000 event(s) before them were logged.');
	});

	it('a 503 naming its request id is retried with X-Pangea-Retried-Request-Ids; a refusal says nothing was logged', async () => {
		const { ctx, sent } = writeContext([{ kind: 'answer', status: 503, body: { status: 'ServiceNotAvailable', summary: 'busy', request_id: 'prq_1' } }]);
		const logged = await logPangeaEvents(ctx, events(2), {});
		expect(logged.map((l) => l.hash)).toEqual(['h0', 'h1']);
		expect(sent.map((s) => s.headers['X-Pangea-Retried-Request-Ids'])).toEqual([undefined, 'prq_1']);

		const refused = writeContext([{ kind: 'answer', status: 400, body: { status: 'ValidationError', summary: 'bad event' } }]);
		const error = await failureOf(logPangeaEvents(refused.ctx, events(2), {}));
		expect(error.description).toContain('Pangea did not log events 1–2 of 2 (POST /v2/log, call 1 of 1).');
		expect(refused.sent).toHaveLength(1);
	});
});

/** Sorted-key JSON written apart from the package's canonicalJson. */
function sortedJson(value: unknown): string {
	if (value === null || typeof value !== 'object') return JSON.stringify(value);
	if (Array.isArray(value)) return `[${value.map(sortedJson).join(',')}]`;
	return `{${Object.keys(value)
		.sort()
		.map((k) => `${JSON.stringify(k)}:${sortedJson((value as IDataObject)[k])}`)
		.join(',')}}`;
}

/** /v2/log and /v2/log_async on nock; `tamper` edits the stored event of one answer (hash recomputed). */
function logService(options: { tamper?: number; asyncPolls?: number } = {}) {
	const calls: string[] = [];
	let counter = 0;
	const pending = new Map<string, { polls: number; body: IDataObject }>();
	const answer = (request: IDataObject): IDataObject => {
		const results = (request.events as IDataObject[]).map((entry, i) => {
			const event = i === options.tamper ? { ...(entry.event as IDataObject), message: 'rewritten by the server' } : entry.event;
			const envelope = { ...entry, event, received_at: '2024-05-01T08:00:00.000001Z' };
			const hash = createHash('sha256').update(sortedJson(envelope)).digest('hex');
			return request.verbose ? { hash, envelope } : { hash };
		});
		return { status: 'Success', request_id: `prq_${++counter}`, result: { results } };
	};
	const scope = nock(BASE).persist();
	scope.post('/v2/log').reply((_uri, body) => {
		calls.push('log');
		return [200, answer(body as IDataObject)];
	});
	scope.post('/v2/log_async').reply((_uri, body) => {
		const id = `prq_async${++counter}`;
		calls.push(`accepted ${id}`);
		pending.set(id, { polls: options.asyncPolls ?? 1, body: answer(body as IDataObject) });
		return [202, { status: 'Accepted', request_id: id, result: { ttl_mins: 5760, retry_counter: 0 } }];
	});
	scope.get(/^\/request\/prq_async\d+$/).reply((uri) => {
		const id = uri.split('/').pop() as string;
		const entry = pending.get(id) as { polls: number; body: IDataObject };
		calls.push(`poll ${id}`);
		if (entry.polls-- > 0) return [202, { status: 'Accepted', request_id: id, result: {} }];
		return [200, entry.body];
	});
	return calls;
}

describe('Log with Verify and asynchronous writes', () => {
	beforeAll(() => nock.disableNetConnect());
	afterEach(() => nock.cleanAll());
	afterAll(() => nock.enableNetConnect());

	const input = (n: number) => events(n).map((json) => ({ json }));

	it('checks each answer: an honest one is pending (not published yet), a tampered one fails', async () => {
		logService({ tamper: 1 });
		const result = await runPangea({ operation: 'log', logOptions: { verify: true } }, { input: input(3) });
		const verdicts = jsonOf(result).map((item) => item.verification as IDataObject);
		expect(verdicts[0]).toEqual({ status: 'pending', hash: 'pass', signature: 'none', membership: 'pending', consistency: 'pending' });
		expect(verdicts[1]).toMatchObject({ status: 'failed', hash: 'fail' });
		expect(verdicts[2].status).toBe('pending');
		expect(jsonOf(result).every((item) => !('envelope' in item))).toBe(true);
		expect(result.hints.map((h) => h.message).join('\n')).toContain("1 logged event(s) FAILED verification of Pangea's answer");
	});

	it('asynchronous: every batch is accepted before the first poll, results in input order', async () => {
		const calls = logService();
		const result = await runPangea({ operation: 'log', logOptions: { async: true } }, { input: input(2500) });
		const accepted = calls.filter((c) => c.startsWith('accepted'));
		expect(accepted).toHaveLength(3);
		expect(calls.slice(0, 3)).toEqual(accepted);
		expect(jsonOf(result)).toHaveLength(2500);
		expect(jsonOf(result).every((item) => typeof item.hash === 'string')).toBe(true);
	}, 30_000);
});

describe('Search Sort By and the credential Test', () => {
	beforeAll(() => nock.disableNetConnect());
	afterEach(() => nock.cleanAll());
	afterAll(() => nock.enableNetConnect());

	it('sends the chosen order_by; received_at by default', async () => {
		const backend = new PangeaBackend(loginRecords(3, Date.parse('2024-05-01T08:00:00Z') * 1000)).install();
		const filters = { start: '2024-05-01T00:00:00Z', end: '2024-05-02T00:00:00Z' };
		await runPangea({ operation: 'search', returnAll: true, filters, options: { orderBy: 'actor' } });
		await runPangea({ operation: 'search', returnAll: true, filters });
		expect(backend.callsTo('/v1/search').map((c) => c.body.order_by)).toEqual(['actor', 'received_at']);
	});

	it('the credential Test sends the config id when one is set', async () => {
		const bodies: unknown[] = [];
		nock('https://audit.aws.us.pangea.cloud')
			.post('/v1/root')
			.times(2)
			.reply((_uri, body) => {
				bodies.push(body);
				return [200, { status: 'Success', result: {} }];
			});
		const credentials = { domain: 'aws.us.pangea.cloud', token: 'pts_dummy_token_90' };
		expect((await testCredential(new PangeaAuditApi(), { ...credentials, configId: ' pci_abc ' })).status).toBe('OK');
		expect((await testCredential(new PangeaAuditApi(), credentials)).status).toBe('OK');
		// Without one, n8n sends the empty body as it did before.
		expect(bodies).toEqual([{ config_id: 'pci_abc' }, '']);
	});
});
