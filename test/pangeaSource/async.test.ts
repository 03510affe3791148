// Pangea 202 Accepted: GET /request/{id} polled at 1 s, 4 s, 9 s…, within a bounded wait, cancel respected.
import nock from 'nock';
import { NodeApiError, NodeOperationError, type IDataObject } from 'n8n-workflow';
import { pollDelayMs } from '../../nodes/shared/sources/pangea/request';
import { DEFAULT_TRANSPORT } from '../../nodes/shared/transport';
import { failureOf, jsonOf } from '../support/auditLog';
import { BASE, loginRecords, ok, runPangea, TOKEN } from './fixture';
import { offline } from '../support/offline';

/**
 * A virtual clock: every wait of the run returns at once and moves it forward, so the minutes of
 * backoff take no real time and poll times are exact.
 */
const mockClock: { now: number; onSleep?: () => void } = { now: 0 };
jest.mock('n8n-workflow', () => ({
	...jest.requireActual<object>('n8n-workflow'),
	sleep: async (ms: number) => {
		mockClock.now += ms;
		mockClock.onSleep?.();
	},
}));

const DAY = { start: '2024-05-01T00:00:00.000Z', end: '2024-05-02T00:00:00.000Z' };
const RECORDS = loginRecords(2, Date.UTC(2024, 4, 1, 8) * 1000);
const ACCEPTED = {
	request_id: 'prq_42',
	status: 'Accepted',
	summary: 'Your request is in progress',
	result: { ttl_mins: 5760, retry_counter: 0, location: `${BASE}/request/prq_42` },
};

offline();
beforeEach(() => {
	mockClock.now = Date.UTC(2024, 4, 3);
	mockClock.onSleep = undefined;
	jest.spyOn(DEFAULT_TRANSPORT, 'now').mockImplementation(() => mockClock.now);
});

/** The search answers 202; polls answer 202 `pending` times, then the search result. */
function acceptedSearch(pending: number) {
	const polls: Array<{ at: number; authorization: unknown }> = [];
	let acceptedAt = 0;
	nock(BASE)
		.post('/v1/search')
		.reply(() => {
			acceptedAt = mockClock.now;
			return [202, ACCEPTED];
		});
	nock(BASE)
		.persist()
		.get('/request/prq_42')
		.reply(function () {
			polls.push({ at: mockClock.now - acceptedAt, authorization: this.req.headers.authorization });
			if (polls.length <= pending) return [202, { ...ACCEPTED, result: { ...ACCEPTED.result, retry_counter: polls.length } }];
			return [200, ok({ id: 'pas_1', count: 2, events: RECORDS })];
		});
	return polls;
}

describe('202 Accepted', () => {
	it('polls /request/{id} with the token at 1 s, 4 s, 9 s… and uses the final answer', async () => {
		const polls = acceptedSearch(2);

		const result = await runPangea({ operation: 'search', returnAll: true, filters: DAY });

		expect(jsonOf(result).map((item) => item.id)).toEqual(RECORDS.map((r) => r.hash));
		expect(polls.map((poll) => poll.at)).toEqual([1000, 5000, 14000]);
		expect(polls.every((poll) => poll.authorization === `Bearer ${TOKEN}`)).toBe(true);
	});

	it('gives up after the bounded wait with the request id to come back to', async () => {
		const polls = acceptedSearch(Infinity);

		const error = await failureOf(runPangea({ operation: 'search', returnAll: true, filters: DAY }));

		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toMatch(/still processing \/v1\/search \(request prq_42\) after 120 s/);
		// 1, 4, 9, 16, 25 s, then the 30 s cap, then the 5 s left of the 120 s budget.
		expect(polls.map((poll) => poll.at)).toEqual([1000, 5000, 14000, 30000, 55000, 85000, 115000, 120000]);
	});

	it('stops waiting when the execution is cancelled', async () => {
		const controller = new AbortController();
		const polls = acceptedSearch(Infinity);
		// Cancelled while waiting for the third poll.
		mockClock.onSleep = () => polls.length === 2 && controller.abort();

		const error = await failureOf(
			runPangea({ operation: 'search', returnAll: true, filters: DAY }, { abortSignal: controller.signal }),
		);

		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe('The execution was cancelled');
		expect(polls).toHaveLength(2);
	});

	it('follows the SDK schedule, capped at 30 s', () => {
		expect([1, 2, 3, 4, 5, 6, 7].map(pollDelayMs)).toEqual([1000, 4000, 9000, 16000, 25000, 30000, 30000]);
	});

	it('maps a failed final answer like a direct one', async () => {
		nock(BASE).post('/v1/search').reply(202, ACCEPTED);
		nock(BASE)
			.get('/request/prq_42')
			.reply(400, {
				request_id: 'prq_42',
				status: 'ValidationError',
				summary: 'There was 1 error(s) in the given payload.',
				result: { errors: [{ code: 'InvalidQuery', detail: 'unbalanced quote', source: '/query' }] },
			} as IDataObject);

		const error = await failureOf(runPangea({ operation: 'search', returnAll: true, filters: { ...DAY, query: 'a"' } }));

		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toContain('/query: unbalanced quote (InvalidQuery)');
	});
});
