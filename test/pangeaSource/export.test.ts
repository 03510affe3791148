// Pangea Export and Wait: search → download_results → dest_url without auth → gunzip → file; splits past 10 000.
import nock from 'nock';
import { NodeApiError, type IDataObject } from 'n8n-workflow';
import { joinFiles } from '../../nodes/shared/sources/pangea/export';
import { gunzipIfNeeded } from '../../nodes/shared/sources/pangea/gzip';
import { binaryToBuffer } from '../harness/n8n';
import { failureOf } from '../support/auditLog';
import { BASE, CONFIG_ID, isoMicros, ok, pangeaRecord, runPangea } from './fixture';
import { offline } from '../support/offline';

const FILES = 'https://files.pangea.test';
const DAY = { start: '2024-05-01T00:00:00.000Z', end: '2024-05-02T00:00:00.000Z' };
const CSV = 'received_at,hash,actor,message\r\n2024-05-01T08:00:00.000001Z,aa,alice,"Signed in, twice"\r\n2024-05-01T09:00:00.000001Z,bb,bob,Signed out\r\n';

offline();

/** gzip with the WHATWG stream (node:zlib is off limits in .ts files, tests included). */
async function gzip(text: string): Promise<Buffer> {
	const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'));
	return Buffer.from(await new Response(stream).arrayBuffer());
}

/**
 * The pre-signed file host. `badheaders` makes a request that carries Authorization match
 * nothing, so the download fails and with it the test.
 */
function fileHost(path: string, body: Buffer, headers: Record<string, string> = { 'content-type': 'application/gzip' }) {
	const seen: Array<string | string[] | undefined> = [];
	nock(FILES, { badheaders: ['authorization'] })
		.get(path)
		.query({ 'X-Amz-Signature': 'sig' })
		.reply(function () {
			seen.push(this.req.headers.authorization);
			return [200, body, headers];
		});
	return seen;
}

function downloadResults(resultId: string, format: string) {
	nock(BASE)
		.post('/v1/download_results', { result_id: resultId, format, config_id: CONFIG_ID })
		.reply(200, ok({ dest_url: `${FILES}/${resultId}.${format}.gz?X-Amz-Signature=sig`, expires_at: '2024-05-03T00:00:00Z' }));
}

async function exportRun(format: string, filters: Record<string, string> = DAY) {
	return await runPangea({ operation: 'exportAndWait', format, filters, options: { sortOrder: 'asc' } });
}

describe('Export and Wait', () => {
	it('CSV: downloads the gzip file from dest_url without the token and puts it in the binary field', async () => {
		const searches: IDataObject[] = [];
		nock(BASE)
			.post('/v1/search', (body: IDataObject) => searches.push(body) > 0)
			.reply(200, ok({ id: 'pas_1', count: 2, events: [] }));
		downloadResults('pas_1', 'csv');
		const seen = fileHost('/pas_1.csv.gz', await gzip(CSV));

		const result = await exportRun('csv');

		expect(seen).toEqual([undefined]);
		expect(searches).toEqual([
			expect.objectContaining({ limit: 1, max_results: 10000, order: 'asc', start: '2024-05-01T00:00:00.000000Z', config_id: CONFIG_ID }),
		]);
		const [item] = result.output[0];
		expect(item.json).toMatchObject({
			source: 'pangea',
			format: 'csv',
			eventCount: 2,
			jobId: 'pas_1',
			fileName: 'pangea-audit-export-pas_1.csv',
			exportedBy: 'vendor',
		});
		expect(item.binary!.data).toMatchObject({ mimeType: 'text/csv', fileName: 'pangea-audit-export-pas_1.csv' });
		expect((await binaryToBuffer(item.binary!.data)).toString('utf8')).toBe(CSV);
	});

	it('JSON: a file the HTTP client already decompressed (Content-Encoding: gzip) is kept as it is', async () => {
		const json = JSON.stringify([pangeaRecord(1e15, { message: 'héllo' })]);
		nock(BASE).post('/v1/search').reply(200, ok({ id: 'pas_9', count: 1, events: [] }));
		downloadResults('pas_9', 'json');
		fileHost('/pas_9.json.gz', await gzip(json), { 'content-type': 'application/json', 'content-encoding': 'gzip' });

		const [item] = (await exportRun('json')).output[0];

		expect(item.json).toMatchObject({ format: 'json', eventCount: 1, fileName: 'pangea-audit-export-pas_9.json' });
		expect((await binaryToBuffer(item.binary!.data)).toString('utf8')).toBe(json);
	});

	it('past 10 000 events, exports windows that do not overlap and joins their files under one header', async () => {
		const edgeUs = Date.UTC(2024, 4, 1, 12) * 1000 + 123_456;
		const edgeMs = Math.floor(edgeUs / 1000);
		const searches: IDataObject[] = [];
		const answers = [
			{ id: 'pas_1', count: 10_000 },
			{ id: 'pas_2', count: 9_990 },
			{ id: 'pas_3', count: 700 },
		];
		nock(BASE)
			.persist()
			.post('/v1/search')
			.reply((_uri, body) => {
				searches.push(body as IDataObject);
				return [200, ok({ ...answers[searches.length - 1], events: [] })];
			});
		nock(BASE)
			.post('/v1/results', { id: 'pas_1', limit: 1, offset: 9_999, config_id: CONFIG_ID })
			.reply(200, ok({ count: 10_000, events: [pangeaRecord(edgeUs, { message: 'last of the first window' })] }));
		const header = 'received_at,hash,message\r\n';
		// Each file holds as many rows as its search counted (the export checks that).
		const rows = (count: number, time: (i: number) => string) =>
			Array.from({ length: count }, (_, i) => `${time(i)},h${i},row ${i}\r\n`).join('');
		const early = rows(9_990, (i) => (i === 0 ? 'early' : 'later'));
		const late = rows(700, () => isoMicros(edgeUs));
		downloadResults('pas_2', 'csv');
		fileHost('/pas_2.csv.gz', await gzip(`${header}${early}`));
		downloadResults('pas_3', 'csv');
		fileHost('/pas_3.csv.gz', await gzip(`${header}${late}`));

		const [item] = (await exportRun('csv')).output[0];

		const iso = (ms: number, tail: string) => new Date(ms).toISOString().replace('Z', `${tail}Z`);
		expect(searches.map((body) => [body.start, body.end])).toEqual([
			['2024-05-01T00:00:00.000000Z', '2024-05-02T00:00:00.000999Z'],
			// Without the last millisecond of the full set: fewer than 10 000 now, nothing shared.
			['2024-05-01T00:00:00.000000Z', iso(edgeMs - 1, '999')],
			[iso(edgeMs, '000'), '2024-05-02T00:00:00.000999Z'],
		]);
		expect(item.json).toMatchObject({ eventCount: 10_690, jobId: 'pas_2' });
		expect((await binaryToBuffer(item.binary!.data)).toString('utf8')).toBe(`${header}${early}${late}`);
		expect(nock.pendingMocks().filter((mock) => !mock.includes('/v1/search'))).toEqual([]);
	});

	it.each([
		['a file cut at a row boundary', `${CSV.split('\r\n').slice(0, 2).join('\r\n')}\r\n`, /holds 1 record\(s\) \(\d+ bytes\), but the search found 2/],
		['a proxy\'s HTML page served as the file', '<html><body>Service Unavailable</body></html>', /holds 0 record\(s\)/],
	])('%s is an error naming the result, not the export', async (_name, file, message) => {
		nock(BASE).post('/v1/search').reply(200, ok({ id: 'pas_1', count: 2, events: [] }));
		downloadResults('pas_1', 'csv');
		fileHost('/pas_1.csv.gz', await gzip(file));

		const error = await failureOf(exportRun('csv'));

		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toContain('The file of Pangea result pas_1 holds');
		expect(error.message).toMatch(message);
	});

	it('a corrupt gzip file is a clear error', async () => {
		nock(BASE).post('/v1/search').reply(200, ok({ id: 'pas_1', count: 2, events: [] }));
		downloadResults('pas_1', 'csv');
		fileHost('/pas_1.csv.gz', Buffer.from([0x1f, 0x8b, 0x08, 0x00, 1, 2, 3, 4, 5, 6, 7, 8, 9]));

		const error = await failureOf(exportRun('csv'));

		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe('The file Pangea prepared for pas_1 is not a readable gzip file');
	});
});

describe('export helpers', () => {
	it('gunzips only gzip bytes', async () => {
		expect((await gunzipIfNeeded(await gzip('é,ü\n'))).toString('utf8')).toBe('é,ü\n');
		expect((await gunzipIfNeeded(Buffer.from('plain'))).toString('utf8')).toBe('plain');
	});

	it('joins JSON arrays, skipping empty ones, and line files as lines', () => {
		const join = (texts: string[], format: 'csv' | 'json') => joinFiles(texts.map((t) => Buffer.from(t)), format).toString('utf8');
		expect(join(['[{"a":1}]', '[]', ' [{"a":2},{"a":3}]\n'], 'json')).toBe('[{"a":1},{"a":2},{"a":3}]');
		expect(join(['{"a":1}\n', '{"a":2}'], 'json')).toBe('{"a":1}\n{"a":2}\n');
		expect(join(['h\n1', 'h\n2\n'], 'csv')).toBe('h\n1\n2\n');
		expect(join(['h\n1\n'], 'csv')).toBe('h\n1\n');
	});
});
