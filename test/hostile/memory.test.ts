// Bounded memory against real local servers through n8n-core: a gzip bomb (Pangea's pre-signed
// .gz, CBC's download with Content-Encoding: gzip), an endless JSON page and a paged export past
// the cap all fail with an error naming Max Download Size, holding little more than the cap.
import { NodeApiError, type IDataObject } from 'n8n-workflow';
import { failureOf } from '../support/auditLog';
import { tally } from '../support/tally';
import { gzipBomb, json, runVendor, sampleMemory, startServer, streamBytes, VENDORS, type LocalServer } from './servers';

const MB = 1024 * 1024;
const [CBC, CORTEX, , PANGEA] = VENDORS;
/** Inflates to 256 MB: what the old code held whole. */
const BOMB_MB = 256;
const CAP_MB = 8;
/** Peak Buffer memory allowed for a run capped at 8 MB: the cap, the bomb's bytes, and slack. */
const PEAK_BOUND = 64 * MB;
/** The oversized page's bound: under the page's 128 MB, with room for the in-process server's buffers. */
const PAGE_PEAK_BOUND = 100 * MB;

let bomb: Buffer;
let server: LocalServer;
let route: (path: string, method: string, res: Parameters<Parameters<typeof startServer>[0]>[1]) => Promise<void> | void;

beforeAll(async () => {
	bomb = await gzipBomb(BOMB_MB);
	server = await startServer(async (req, res) => await route(req.path, req.method, res));
});
afterAll(async () => await server.close());
beforeEach(() => (server.requests.length = 0));

const exportWith = (format: string, maxDownloadMb = CAP_MB) => ({
	operation: 'exportAndWait',
	format,
	filters: { range: '-1d' },
	options: { maxDownloadMb, pollInterval: 1 },
});

function expectCapError(error: Error & IDataObject, capText: string): void {
	expect(error).toBeInstanceOf(NodeApiError);
	expect(error.message).toContain(`larger than the Max Download Size (${capText})`);
	expect(String(error.description)).toContain('Options > Max Download Size (MB)');
}

describe('a gzip bomb', () => {
	it(`Pangea's pre-signed .gz (under 1 MB, inflating to ${BOMB_MB} MB) stops at the cap`, async () => {
		expect(bomb.length).toBeLessThan(MB);
		route = (path, _method, res) => {
			if (path === '/v1/search') return json(res, 200, PANGEA.page([]) && { status: 'Success', request_id: 'prq_1', result: { id: 'pas_bomb', count: 5, events: [] } });
			if (path === '/v1/download_results') return json(res, 200, { status: 'Success', request_id: 'prq_2', result: { dest_url: `${server.origin}/files/bomb.gz` } });
			res.writeHead(200, { 'content-type': 'application/gzip' });
			res.end(bomb);
		};
		const memory = sampleMemory();

		const error = await failureOf(runVendor(PANGEA, server.origin, exportWith('json')));

		const peak = memory.stop();
		expectCapError(error, `${CAP_MB} MB`);
		expect(error.message).toContain('pas_bomb');
		expect(peak).toBeLessThan(PEAK_BOUND);
		tally('hostile', { cases: 1 });
	});

	it("CBC's job download with Content-Encoding: gzip stops at the cap", async () => {
		route = (path, _method, res) => {
			// The count the file is checked against (none here: the download fails first).
			if (path.endsWith('/logs/_search')) return json(res, 200, { num_found: 0, num_available: 0, results: [] });
			if (path.endsWith('/logs/_export')) return json(res, 200, { job_id: 7 });
			if (path.endsWith('/jobs/7')) return json(res, 200, { id: 7, status: 'COMPLETED' });
			res.writeHead(200, { 'content-type': 'text/csv', 'content-encoding': 'gzip' });
			res.end(bomb);
		};
		const memory = sampleMemory();

		const error = await failureOf(runVendor(CBC, server.origin, exportWith('csv')));

		const peak = memory.stop();
		expectCapError(error, `${CAP_MB} MB`);
		expect(error.message).toContain('/jobs/v1/orgs/HOSTORG1/jobs/7/download');
		expect(peak).toBeLessThan(PEAK_BOUND);
		tally('hostile', { cases: 1 });
	});
});

describe('an oversized page', () => {
	it('a JSON page of 128 MB is held only up to the cap, then the answer is dropped', async () => {
		route = (_path, _method, res) => {
			res.writeHead(200, { 'content-type': 'application/json' });
			void streamBytes(res, 128 * MB);
		};
		const memory = sampleMemory();

		const error = await failureOf(runVendor(CORTEX, server.origin, exportWith('json', 4)));

		const peak = memory.stop();
		expectCapError(error, '4 MB');
		expect(error.message).toContain('Cortex XDR to POST /public_api/v1/audits/management_logs');
		// The test's own server streams from this process, and on a busy machine the socket keeps
		// draining a while before it closes: bounded below the 128 MB the old code held whole.
		expect(peak).toBeLessThan(PAGE_PEAK_BOUND);
		// One answer, not retried. (Whether the socket closes at once is n8n's stream wrapper's
		// business; the bytes held are what is bounded, above. afterAll closes what is left.)
		expect(server.requests).toHaveLength(1);
		tally('hostile', { cases: 1 });
	});

	it('an export built from pages stops growing at the cap', async () => {
		let next = 1;
		const start = Date.now() - 3_600_000;
		route = (_path, _method, res) => {
			const data = Array.from({ length: 100 }, () => {
				const id = next++;
				return {
					AUDIT_ID: id,
					AUDIT_OWNER_EMAIL: 'a@example.com',
					AUDIT_DESCRIPTION: 'x'.repeat(4000),
					AUDIT_ENTITY: 'AUTH',
					AUDIT_RESULT: 'SUCCESS',
					AUDIT_INSERT_TIME: start - id * 1000,
				};
			});
			json(res, 200, CORTEX.page(data) && { reply: { total_count: 100_000, result_count: 100, data } });
		};

		const error = await failureOf(runVendor(CORTEX, server.origin, exportWith('ndjson', 1)));

		expectCapError(error, '1 MB');
		expect(error.message).toContain('The NDJSON export file');
		// 1 MB of ~4 KB events: stopped after a few pages, not at the 1 000 pages on offer.
		expect(server.requests.length).toBeLessThan(10);
		tally('hostile', { cases: 1 });
	});
});
