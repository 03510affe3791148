// CBC failures through n8n-core: retries on 429/503, a wrong key without the secret, bad inputs, continueOnFail.
import nock from 'nock';
import { NodeApiError, NodeOperationError, type INodeParameters } from 'n8n-workflow';
import { deepText, failureOf, jsonOf, runCbc, trackUnmatched } from '../support/auditLog';
import { CBC_CREDENTIALS, CbcBackend, type CbcBackendOptions } from '../support/cbcBackend';
import { cbcEvents } from '../support/cbcEvents';
import { useVirtualClock, virtualClock } from '../support/virtualClock';
import { DEFAULT_TRANSPORT, Transport } from '../../nodes/shared/transport';
import { offline } from '../support/offline';

// Waits move a virtual clock: what a retry waited is read exactly, whatever the machine's load.
jest.mock('n8n-workflow', () =>
	jest.requireActual<typeof import('../support/virtualClock')>('../support/virtualClock').withVirtualSleep(),
);

const RANGE = { start: '2024-05-01T00:00:00.000Z', end: '2024-05-02T00:00:00.000Z' };
const events = cbcEvents(30);
const WRONG_SECRET = 'DUMMY-WRONG-SECRET-k3y55';
const wrongKey = { carbonBlackCloudApi: { ...CBC_CREDENTIALS, apiSecretKey: WRONG_SECRET } };

let unmatched: string[];

offline();
beforeEach(() => {
	nock.emitter.removeAllListeners('no match');
	unmatched = trackUnmatched();
	useVirtualClock(Date.parse('2024-05-02T12:00:00.000Z'), DEFAULT_TRANSPORT, Transport);
});

const searchFive = { operation: 'search', returnAll: false, limit: 5, filters: RANGE };

/** Virtual ms slept in the run (long waits are slept in slices). */
const waited = () => virtualClock.slept.reduce((sum, ms) => sum + ms, 0);

function backendWith(options: CbcBackendOptions): CbcBackend {
	return new CbcBackend({ events, ...options }).install();
}

describe('retries', () => {
	it('waits the Retry-After of a 429 (1 s), then succeeds', async () => {
		const backend = backendWith({
			failFirst: [{ status: 429, body: { message: 'Too many requests' }, headers: { 'Retry-After': '1' } }],
		});

		const result = await runCbc(searchFive);

		expect(jsonOf(result)).toHaveLength(5);
		expect(backend.requests).toHaveLength(2);
		expect(waited()).toBe(1000);
	});

	it('retries a 503 after a short backoff, then succeeds', async () => {
		const backend = backendWith({ failFirst: [{ status: 503, body: 'Service Unavailable' }] });

		const result = await runCbc(searchFive);

		expect(jsonOf(result)).toHaveLength(5);
		expect(backend.requests).toHaveLength(2);
		// One backoff: the first step is 500 ms, with full jitter above half of it.
		expect(waited()).toBeGreaterThanOrEqual(250);
		expect(waited()).toBeLessThanOrEqual(500);
	});
});

describe('a wrong key', () => {
	it('is a NodeApiError with the vendor message and HTTP 401, tried once, and never shows the secret', async () => {
		const backend = backendWith({});

		const error = await failureOf(runCbc(searchFive, { credentials: wrongKey }));

		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toContain('User is not authenticated');
		expect(error.httpCode).toBe('401');
		expect(backend.requests).toHaveLength(1);
		const text = deepText(error);
		expect(text).toContain('User is not authenticated');
		expect(text).not.toContain(WRONG_SECRET);
		expect(text).not.toContain(CBC_CREDENTIALS.apiSecretKey);
	});

	it('redacts the secret even when the vendor echoes it in its error body', async () => {
		backendWith({
			failFirst: [
				{
					status: 400,
					body: { error_code: 'INVALID_ARGUMENT', message: `token ${CBC_CREDENTIALS.apiSecretKey}/x is malformed`, args: [] },
				},
			],
		});

		const error = await failureOf(runCbc(searchFive));

		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.httpCode).toBe('400');
		expect(error.message).toContain('is malformed');
		expect(deepText(error)).not.toContain(CBC_CREDENTIALS.apiSecretKey);
	});
});

describe('bad inputs fail before any request with a NodeOperationError naming the parameter', () => {
	const cases: Array<[string, INodeParameters, string]> = [
		['range -2x', { ...searchFive, filters: { range: '-2x' } }, 'Filters > Range'],
		['range with start', { ...searchFive, filters: { range: '-2d', start: '2024-05-01T00:00:00Z' } }, 'Filters > Range'],
		['start after end', { ...searchFive, filters: { start: '2024-05-02T00:00:00Z', end: '2024-05-01T00:00:00Z' } }, 'Filters > Start'],
		['limit 0', { ...searchFive, limit: 0 }, 'Limit'],
		['limit 0 on the queue', { operation: 'fetchQueue', returnAll: false, limit: 0 }, 'Limit'],
		['range -2x on an export', { operation: 'exportAndWait', format: 'csv', filters: { range: '-2x' } }, 'Filters > Range'],
	];

	it.each(cases)('%s', async (_name, parameters, parameter) => {
		const base = nock(CBC_CREDENTIALS.baseUrl).post(/.*/).reply(200, {}).get(/.*/).reply(200, {});

		const error = await failureOf(runCbc(parameters));

		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message.startsWith(`${parameter}:`)).toBe(true);
		expect(String(error.description)).not.toBe('');
		expect(base.isDone()).toBe(false);
		expect(base.pendingMocks()).toHaveLength(2);
		expect(unmatched).toEqual([]);
	});
});

describe('continueOnFail', () => {
	it('gives an error item paired to the input that failed, and the others their events', async () => {
		const recent = cbcEvents(3, { startMs: Date.now() - 60_000 });
		new CbcBackend({ events: recent }).install();

		const result = await runCbc(
			{ operation: 'search', returnAll: true, filters: { range: '={{ $json.range }}' } },
			{ continueOnFail: true, input: [{ json: { range: '-1h' } }, { json: { range: '-2x' } }] },
		);

		const out = result.output[0];
		expect(out).toHaveLength(4);
		expect(out.slice(0, 3).map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 0 }, { item: 0 }]);
		expect(out[3].pairedItem).toEqual({ item: 1 });
		expect(String(out[3].json.error)).toContain('Filters > Range');
	});

	it('turns a vendor error into an error item without the secret', async () => {
		backendWith({});

		const result = await runCbc(searchFive, { continueOnFail: true, credentials: wrongKey });

		expect(result.output[0]).toHaveLength(1);
		expect(result.output[0][0].pairedItem).toEqual({ item: 0 });
		expect(String(result.output[0][0].json.error)).toContain('User is not authenticated');
		expect(deepText(result)).not.toContain(WRONG_SECRET);
	});
});
