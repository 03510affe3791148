// A stopped execution ends a slow download at once: n8n's cancel signal reaches the unauthenticated
// pre-signed download too (it used to wait for n8n's 300 s timeout). Driven by events, not time:
// the execution is cancelled when the server has sent the first bytes and stalls.
import { NodeOperationError } from 'n8n-workflow';
import { isDeadlineError } from '../../nodes/shared/transport';
import { failureOf } from '../support/auditLog';
import { contextWith } from '../support/sourceContext';
import { tally } from '../support/tally';
import { json, runVendor, startServer, VENDORS, type LocalServer, type Response } from './servers';

const [CBC, , , PANGEA] = VENDORS;

let server: LocalServer;
let stalled: () => void = () => undefined;
let closed: Promise<void> = Promise.resolve();

/** Sends headers and a first chunk, then nothing: `stalled` fires, `closed` settles when the client hangs up. */
function stall(res: Response): void {
	res.writeHead(200, { 'content-type': 'text/csv' });
	closed = new Promise((resolve) => res.on('close', resolve));
	res.write('id,time\n', () => stalled());
}

beforeAll(async () => {
	server = await startServer((req, res) => {
		if (req.path === '/v1/search') {
			json(res, 200, { status: 'Success', request_id: 'prq_1', result: { id: 'pas_slow', count: 3, events: [] } });
			return;
		}
		if (req.path === '/v1/download_results') {
			return json(res, 200, { status: 'Success', request_id: 'prq_2', result: { dest_url: `${server.origin}/files/slow.csv` } });
		}
		// CBC counts the matches before the export job (the file is checked against the count).
		if (req.path.endsWith('/logs/_search')) return json(res, 200, { num_found: 3, num_available: 3, results: [] });
		if (req.path.endsWith('/logs/_export')) return json(res, 200, { job_id: 9 });
		if (req.path.endsWith('/jobs/9')) return json(res, 200, { id: 9, status: 'COMPLETED' });
		if (req.path.endsWith('/jobs/9/download')) {
			res.writeHead(303, { location: `${server.origin}/files/slow.csv` });
			res.end();
			return;
		}
		stall(res);
	});
});
afterAll(async () => await server.close());

describe.each([
	['Pangea', PANGEA],
	['Carbon Black Cloud', CBC],
] as const)('%s export download', (_name, vendor) => {
	it('ends when the execution is stopped mid-download', async () => {
		const cancel = new AbortController();
		stalled = () => cancel.abort();

		const error = await failureOf(
			runVendor(vendor, server.origin, { operation: 'exportAndWait', format: 'csv', filters: { range: '-1d' } }, { abortSignal: cancel.signal }),
		);

		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe('The execution was cancelled');
		// The download's connection was dropped, not left to n8n's timeout.
		await closed;
		expect(server.requests.at(-1)?.path).toBe('/files/slow.csv');
		tally('hostile', { cases: 1 });
	});
});

describe('the source context', () => {
	it('a write cancelled after it was sent still says the events may have been written', async () => {
		const { ctx, cancel } = contextWith(async () => {
			cancel.abort();
			throw Object.assign(new Error('aborted'), { code: 'ERR_CANCELED' });
		});

		const error = await failureOf(ctx.request({ method: 'POST', url: '/v2/log', body: {}, nonIdempotent: true }));

		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe('The execution was cancelled');
		expect(String(error.description)).toContain('may have been written');
		tally('hostile', { cases: 1 });
	});

	it("begins no source wait that would end past the run's deadline (injected clock and sleep)", async () => {
		const slept: number[] = [];
		const { ctx } = contextWith(async () => ({ statusCode: 200, headers: {}, body: {} }), {
			now: () => 1_000,
			deadline: 5_000,
			sleep: async (ms) => {
				slept.push(ms);
			},
		});

		await ctx.sleep(4_000);
		const error = await failureOf(ctx.sleep(4_001));

		expect(slept).toEqual([250, 250, 250, 250, 250, 250, 250, 250, 250, 250, 250, 250, 250, 250, 250, 250]);
		expect(isDeadlineError(error)).toBe(true);
		expect(error.message).toContain('waiting 5 s');
	});
});
