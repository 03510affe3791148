// CBC Fetch Queue: the read-once _queue drained to empty (Return All) or until Limit is reached.
import nock from 'nock';
import { contentId } from '../../nodes/shared/canonical';
import { jsonOf, runCbc } from '../support/auditLog';
import { CbcBackend } from '../support/cbcBackend';
import { cbcEvents } from '../support/cbcEvents';

const events = cbcEvents(200);
const batches = (...sizes: number[]) => {
	let at = 0;
	return sizes.map((size) => events.slice(at, (at += size)));
};

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

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
		expect(result.hints.map((hint) => hint.message)).toContain('Carbon Black Cloud queue: 130 event(s)');
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
		const backend = new CbcBackend({ events: events.slice(0, 40), queue: batches(5) }).install();

		const result = await runCbc({ operation: 'fetchQueue', returnAll: true }, { mode: 'manual' });

		const items = jsonOf(result);
		expect(items).toHaveLength(10);
		// Newest first: the preview shows the latest events the search knows.
		expect(items[0].id).toBe(contentId(events[39]));
		expect(backend.queueCalls).toEqual([]);
		expect(backend.queueLeft).toBe(5);
		expect(result.hints.map((hint) => hint.message).join('\n')).toMatch(/queue was not touched/);
	});
});
