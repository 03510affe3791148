// CBC Export and Wait: _export → Job Service polls → download (direct or a 303 without auth), failures, timeout.
import { NodeApiError, NodeOperationError, type IDataObject, type INodeParameters } from 'n8n-workflow';
import { BinaryDataService } from 'n8n-core';
import { binaryToBuffer } from '../harness/n8n';
import { failureOf, jsonOf, runCbc } from '../support/auditLog';
import { CbcBackend, PRESIGNED_HOST, type CbcBackendOptions } from '../support/cbcBackend';
import { cbcEvents } from '../support/cbcEvents';
import { useVirtualClock, virtualClock } from '../support/virtualClock';
import { DEFAULT_TRANSPORT, Transport } from '../../nodes/shared/transport';
import { offline } from '../support/offline';

// Job polls wait on a virtual clock: Max Wait is measured exactly, whatever the machine's load.
jest.mock('n8n-workflow', () =>
	jest.requireActual<typeof import('../support/virtualClock')>('../support/virtualClock').withVirtualSleep(),
);

const RANGE = { start: '2024-05-01T00:00:00.000Z', end: '2024-05-02T00:00:00.000Z' };
const FAST = { pollInterval: 0.02, maxWait: 5 };

const events = cbcEvents(40);
// A description with a comma, quotes and a line break: one record, however the CSV splits it.
events[7] = { ...events[7], description: 'Renamed policy "Lab, old"\nto "Lab"' };

const T0 = Date.parse('2024-05-02T12:00:00.000Z');

offline();
beforeEach(() => useVirtualClock(T0, DEFAULT_TRANSPORT, Transport));

function backendWith(options: CbcBackendOptions): CbcBackend {
	return new CbcBackend({ events, ...options }).install();
}

async function exportRun(format: string, options: INodeParameters = FAST, binaryPropertyName = 'auditFile') {
	return await runCbc({ operation: 'exportAndWait', format, binaryPropertyName, filters: RANGE, options });
}

describe('Export and Wait', () => {
	it('CSV: polls CREATED until COMPLETED, downloads the file and summarizes it', async () => {
		const backend = backendWith({ jobSteps: ['CREATED', 'CREATED', 'CREATED', 'COMPLETED'] });

		const result = await exportRun('csv');

		const [jobId] = [...backend.jobs.keys()];
		expect(backend.statusPolls).toEqual([jobId, jobId, jobId, jobId]);
		const [item] = result.output[0];
		expect(result.output[0]).toHaveLength(1);
		expect(item.json).toMatchObject({
			source: 'carbonBlackCloud',
			format: 'csv',
			eventCount: events.length,
			jobId: String(jobId),
			fileName: `carbonBlackCloud-audit-export-${jobId}.csv`,
			exportedBy: 'vendor',
			timeRange: RANGE,
		});
		expect(Object.keys(item.binary ?? {})).toEqual(['auditFile']);
		expect(item.binary!.auditFile).toMatchObject({ mimeType: 'text/csv', fileName: `carbonBlackCloud-audit-export-${jobId}.csv` });
		const bytes = await binaryToBuffer(item.binary!.auditFile);
		expect(bytes.toString('utf8')).toBe(backend.fileOf(jobId));
		expect(item.json.fileSize).toBe(bytes.length);
		expect(item.pairedItem).toEqual({ item: 0 });

		const exportCall = backend.requests.find((request) => request.path.endsWith('/_export'));
		expect(exportCall?.body).toMatchObject({
			format: 'csv',
			criteria: { create_time: RANGE },
			sort: [{ field: 'create_time', order: 'ASC' }],
		});
		expect(backend.violations).toEqual([]);
	});

	it('JSON: follows a 303 to a pre-signed URL on another host without the X-Auth-Token', async () => {
		const backend = backendWith({ download: 'redirect' });

		const result = await exportRun('json', FAST, 'data');

		const [jobId] = [...backend.jobs.keys()];
		const presigned = backend.requests.filter((request) => request.path.startsWith(backend.presignedPath(jobId)));
		expect(presigned).toHaveLength(1);
		expect(presigned[0].headers['x-auth-token']).toBeUndefined();
		expect(backend.violations).toEqual([]);
		const [item] = result.output[0];
		expect(item.json).toMatchObject({ format: 'json', eventCount: events.length, jobId: String(jobId) });
		expect(item.binary!.data).toMatchObject({ mimeType: 'application/json' });
		const parsed = JSON.parse((await binaryToBuffer(item.binary!.data)).toString('utf8')) as IDataObject[];
		expect(parsed).toEqual(events);
	});

	it.each([
		['direct', 'csv'],
		['redirect', 'json'],
	] as const)("a %s download goes to n8n's binary store as it arrives (a stream), never as the whole file in one Buffer", async (download, format) => {
		const store = jest.spyOn(BinaryDataService.prototype, 'store');
		try {
			const backend = backendWith({ download });

			const result = await exportRun(format);

			const [jobId] = [...backend.jobs.keys()];
			expect(store).toHaveBeenCalledTimes(1);
			const given = store.mock.calls[0][1];
			expect(Buffer.isBuffer(given)).toBe(false);
			expect(typeof (given as { pipe?: unknown }).pipe).toBe('function');
			const bytes = await binaryToBuffer(result.output[0][0].binary!.auditFile);
			expect(bytes.toString('utf8')).toBe(backend.fileOf(jobId));
			expect(jsonOf(result)[0]).toMatchObject({ eventCount: events.length, fileSize: bytes.length });
		} finally {
			store.mockRestore();
		}
	});

	it('fetches a redirect to the API host itself without the X-Auth-Token too (it is the file\'s pre-signed location)', async () => {
		const backend = backendWith({ download: 'sameHostRedirect' });

		const result = await exportRun('csv');

		const [jobId] = [...backend.jobs.keys()];
		const file = backend.requests.filter((request) => request.path === `${backend.jobsPath}/${jobId}/file`);
		expect(file).toHaveLength(1);
		expect(backend.violations).toEqual([]);
		expect(jsonOf(result)[0]).toMatchObject({ eventCount: events.length, jobId: String(jobId) });
		const bytes = await binaryToBuffer(result.output[0][0].binary!.auditFile);
		expect(bytes.toString('utf8')).toBe(backend.fileOf(jobId));
	});

	it('the pre-signed host really rejects an X-Auth-Token (the check above can fail)', async () => {
		const backend = backendWith({});
		await fetch(`${PRESIGNED_HOST}/exports/x/1.csv?X-Amz-Signature=f00d`, {
			headers: { 'X-Auth-Token': 'leaked' },
		});
		expect(backend.violations).toEqual([`X-Auth-Token sent to the pre-signed host ${PRESIGNED_HOST}`]);
	});

	it('tolerates a job that is not visible yet (404 twice) before it completes', async () => {
		const backend = backendWith({ jobSteps: [404, 404, 'CREATED', 'COMPLETED'] });

		const result = await exportRun('csv');

		expect(jsonOf(result)[0]).toMatchObject({ eventCount: events.length });
		expect(backend.statusPolls).toHaveLength(4);
	});

	it('a FAILED job fails the node with an error naming the job and the reported errors', async () => {
		const backend = backendWith({ jobSteps: ['CREATED', 'FAILED'], jobErrors: ['Export exceeded the row limit'] });

		const error = await failureOf(exportRun('csv'));

		const [jobId] = [...backend.jobs.keys()];
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toContain(`job ${jobId} failed`);
		expect(String(error.description)).toContain('Export exceeded the row limit');
		expect(backend.requests.some((request) => request.path.endsWith('/download'))).toBe(false);
	});

	it('times out after Max Wait with a NodeOperationError naming the job id', async () => {
		const backend = backendWith({ jobSteps: ['CREATED'] });

		const error = await failureOf(exportRun('csv', { pollInterval: 0.05, maxWait: 0.3 }));

		const [jobId] = [...backend.jobs.keys()];
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toContain(`job ${jobId}`);
		expect(error.message).toContain('Max Wait');
		expect(String(error.description)).toContain(String(jobId));
		// It waited out Max Wait (300 ms) in 50 ms polls, and no longer.
		expect(virtualClock.now - T0).toBeGreaterThanOrEqual(250);
		expect(virtualClock.now - T0).toBeLessThanOrEqual(300);
		expect(backend.statusPolls.length).toBeGreaterThanOrEqual(5);
	});

	it('counts the matches with the export\'s own criteria before creating the job', async () => {
		const backend = backendWith({});

		await exportRun('csv');

		const exportCall = backend.requests.find((request) => request.path.endsWith('/_export'));
		expect(backend.searches).toHaveLength(1);
		expect(backend.searches[0]).toMatchObject({ rows: 1, numFound: events.length });
		// The same body but for rows (the count's) and format (the export's).
		expect({ ...backend.searches[0].body, rows: undefined }).toEqual({ ...(exportCall!.body as IDataObject), format: undefined, rows: undefined });
		expect(backend.requests.findIndex((r) => r.path.endsWith('/_search'))).toBeLessThan(backend.requests.indexOf(exportCall!));
	});

	it.each([
		// The header and ten whole lines with the final newline (nine records: the eighth spans two
		// lines): only the count tells this file from the whole one.
		['csv', (file: string) => file.split('\n').slice(0, 11).join('\n') + '\n', /holds 9 record\(s\) \(\d+ bytes\), but its search matched 40/],
		['json', (file: string) => file.slice(0, Math.floor(file.length / 2)), /holds a JSON file that ends before its last record .*matched 40/],
	])('a %s file short of what the search matched fails naming the job, not presented as the export', async (format, cut, message) => {
		const backend = backendWith({});
		const whole = backend.fileOf.bind(backend);
		backend.fileOf = (id: number) => cut(whole(id));

		const error = await failureOf(exportRun(format));

		const [jobId] = [...backend.jobs.keys()];
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toContain(`The file of Carbon Black Cloud export job ${jobId} holds`);
		expect(error.message).toMatch(message);
		expect(String(error.description)).toContain(`job ${jobId}`);
	});

	it('NDJSON, which CBC cannot export, is written from the search pages', async () => {
		const backend = backendWith({});

		const result = await exportRun('ndjson');

		const [item] = result.output[0];
		expect(item.json).toMatchObject({ format: 'ndjson', eventCount: events.length, jobId: null, exportedBy: 'pages' });
		expect(item.binary!.auditFile).toMatchObject({ mimeType: 'application/x-ndjson' });
		const lines = (await binaryToBuffer(item.binary!.auditFile)).toString('utf8').trim().split('\n');
		expect(lines.map((line) => (JSON.parse(line) as IDataObject).raw)).toEqual(events);
		expect(backend.jobs.size).toBe(0);
	});
});
