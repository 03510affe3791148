// CBC Fetch Queue: the read-once _queue drained to empty (Return All) or until Limit is reached.
import nock from 'nock';
import type { INodeParameters } from 'n8n-workflow';
import { contentId } from '../../nodes/shared/canonical';
import { carbonBlackCloud } from '../../nodes/shared/sources/carbonBlackCloud';
import type { FakeRequest, FakeResponse } from '../support/cbcBackend';
import { failureOf, jsonOf, runCbc } from '../support/auditLog';
import { CbcBackend } from '../support/cbcBackend';
import { cbcEvents } from '../support/cbcEvents';
import { offline } from '../support/offline';

const events = cbcEvents(200);
const batches = (...sizes: number[]) => {
	let at = 0;
	return sizes.map((size) => events.slice(at, (at += size)));
};

offline();

describe('Fetch Queue', () => {
	it('Return All reads batches until the queue answers empty, oldest first, each event once', async () => {
		const backend = new CbcBackend({ queue: batches(50, 50, 30) }).install();

		const result = await runCbc({ operation: 'fetchQueue', returnAll: true });

		const items = jsonOf(result);
		expect(items.map((item) => item.id)).toEqual(events.slice(0, 130).map((event) => contentId(event)));
		expect(items[0]).toMatchObject({ source: 'carbonBlackCloud', raw: events[0] });
		expect(backend.queueCalls).toEqual([50, 50, 30, 0]);
		expect(backend.queueLeft).toBe(0);
		expect(backend.violations).toEqual([]);
		// Hints are for what matters, not a count on every run.
		expect(result.hints).toEqual([]);
	});

	it('Limit stops reading once that many events arrived and loses none it consumed', async () => {
		const backend = new CbcBackend({ queue: batches(50, 50, 50, 50) }).install();

		const result = await runCbc({ operation: 'fetchQueue', returnAll: false, limit: 120 });

		// The third batch reaches the Limit: no fourth request, the fourth batch stays queued.
		expect(backend.queueCalls).toEqual([50, 50, 50]);
		expect(backend.queueLeft).toBe(50);
		// A read-once queue cannot give back what it handed out: every consumed event is emitted.
		const ids = jsonOf(result).map((item) => item.id);
		expect(ids).toEqual(events.slice(0, 150).map((event) => contentId(event)));
	});

	it('Limit below one batch makes a single request', async () => {
		const backend = new CbcBackend({ queue: batches(50, 50) }).install();

		await runCbc({ operation: 'fetchQueue', returnAll: false, limit: 10 });

		expect(backend.queueCalls).toEqual([50]);
		expect(backend.queueLeft).toBe(50);
	});

	it('an empty queue gives no items after one request', async () => {
		const backend = new CbcBackend({ queue: [] }).install();

		const result = await runCbc({ operation: 'fetchQueue', returnAll: true });

		expect(jsonOf(result)).toEqual([]);
		expect(backend.queueCalls).toEqual([0]);
	});

	it('a manual run previews recent events from Search and never reads the read-once queue', async () => {
		const recent = cbcEvents(40, { startMs: Date.now() - 3_600_000 });
		const backend = new CbcBackend({ events: recent, queue: batches(5) }).install();

		const result = await runCbc({ operation: 'fetchQueue', returnAll: true }, { mode: 'manual' });

		const items = jsonOf(result);
		expect(items).toHaveLength(10);
		// The latest events the search knows, oldest first as the queue would give them.
		expect(items.map((item) => item.id)).toEqual(recent.slice(30).map((event) => contentId(event)));
		expect(backend.queueCalls).toEqual([]);
		expect(backend.queueLeft).toBe(5);
		expect(result.hints.map((hint) => hint.message).join('\n')).toMatch(/queue was not touched/);
	});
});

/** A backend whose `_queue` answers 400 once `okCalls` batches were handed out (issue 9, case 3). */
class FailingQueue extends CbcBackend {
	constructor(
		batchesToServe: ReturnType<typeof batches>,
		private readonly okCalls: number,
	) {
		super({ queue: batchesToServe });
	}

	handle(request: FakeRequest): FakeResponse {
		if (request.path.endsWith('/_queue') && this.queueCalls.length >= this.okCalls) {
			this.queueCalls.push(-1);
			return { status: 400, body: { error_code: 'INVALID_ARGUMENT', message: 'queue read refused', args: [] } };
		}
		return super.handle(request);
	}
}

describe('Fetch Queue: a failed queue read keeps what it took (issue 9, case 3)', () => {
	it('200 with 50 events then 400, Continue On Fail: the 50 events, then an error item, and a hint', async () => {
		const backend = new FailingQueue(batches(50, 50), 1).install();

		const result = await runCbc({ operation: 'fetchQueue', returnAll: true }, { continueOnFail: true });

		const items = jsonOf(result);
		expect(items.slice(0, 50).map((item) => item.id)).toEqual(events.slice(0, 50).map((event) => contentId(event)));
		expect(items).toHaveLength(51);
		expect(String(items[50].error)).toMatch(/queue read failed after 50 event\(s\) were taken: .*queue read refused/);
		expect(result.hints.map((hint) => hint.message).join('\n')).toMatch(/are in the output \(the queue cannot give them back\)/);
		expect(backend.queueCalls).toEqual([50, -1]);
	});

	it('without Continue On Fail the taken events are still output, and the failure is a hint', async () => {
		new FailingQueue(batches(50, 50), 1).install();

		const result = await runCbc({ operation: 'fetchQueue', returnAll: true });

		expect(jsonOf(result).map((item) => item.id)).toEqual(events.slice(0, 50).map((event) => contentId(event)));
		expect(result.hints.map((hint) => hint.message).join('\n')).toMatch(/queue read failed after 50 event\(s\)/);
	});

	it('a failure before anything was taken fails the run (nothing is lost, nothing is hidden)', async () => {
		new FailingQueue(batches(50), 0).install();

		const error = await failureOf(runCbc({ operation: 'fetchQueue', returnAll: true }));

		expect(error.message).toMatch(/queue read refused/);
	});
});

describe('Fetch Queue: every filter shown holds on the read-once queue (issue 9, case 2)', () => {
	afterEach(() => jest.restoreAllMocks());

	it('Flagged Only, Actor, Actor IP and Text are applied to what the queue returned', async () => {
		const cases: Array<[INodeParameters, (i: number) => boolean]> = [
			[{ flaggedOnly: true }, (i) => i % 17 === 0],
			[{ actor: 'user3@example.com' }, (i) => i % 5 !== 0 && i % 13 === 3],
			[{ actorIp: '198.51.100.7' }, (i) => i % 250 === 7],
			[{ query: '#42' }, (i) => String(i).startsWith('42') && `#${i}`.includes('#42')],
		];
		for (const [filters, wanted] of cases) {
			nock.cleanAll();
			const backend = new CbcBackend({ queue: batches(50, 50, 50) }).install();

			const result = await runCbc({ operation: 'fetchQueue', returnAll: true, filters });

			const expected = events.slice(0, 150).filter((_, i) => wanted(i));
			expect(expected.length).toBeGreaterThan(0);
			expect(jsonOf(result).map((item) => item.id)).toEqual(expected.map((event) => contentId(event)));
			// Filtered out is still consumed: the whole queue was read.
			expect(backend.queueLeft).toBe(0);
		}
	});

	it("consults the source's matches() for the vendor-only filters, with the query and each item", async () => {
		const matches = jest
			.spyOn(carbonBlackCloud.nativeQueue!, 'matches')
			.mockImplementation((_query, item) => item.actor.ip === '198.51.100.2');
		new CbcBackend({ queue: batches(50) }).install();

		const result = await runCbc({ operation: 'fetchQueue', returnAll: true, filters: { verboseOnly: true } });

		expect(matches).toHaveBeenCalledTimes(50);
		expect(matches.mock.calls[0][0].vendor).toEqual({ verboseOnly: true });
		expect(jsonOf(result).map((item) => item.id)).toEqual([contentId(events[2])]);
	});
});
