// Pangea failures: error envelopes become clear NodeApiErrors without the token; bad inputs stop before any request.
import nock from 'nock';
import { NodeApiError, NodeOperationError, type IDataObject } from 'n8n-workflow';
import { describePangeaError } from '../../nodes/shared/sources/pangea/request';
import { deepText, failureOf, jsonOf } from '../support/auditLog';
import { BASE, loginRecords, ok, runPangea, TOKEN } from './fixture';
import { offline } from '../support/offline';

const DAY = { start: '2024-05-01T00:00:00.000Z', end: '2024-05-02T00:00:00.000Z' };
const search = { operation: 'search', returnAll: true, filters: DAY };

offline();

function envelope(status: string, summary: string, result: unknown = null): IDataObject {
	return { request_id: 'prq_err1', request_time: 'now', response_time: 'now', status, summary, result } as IDataObject;
}

/** The error a search run throws when /v1/search answers this. */
async function searchFailure(httpStatus: number, body: IDataObject): Promise<Error & IDataObject> {
	nock(BASE).post('/v1/search').reply(httpStatus, body);
	const error = await failureOf(runPangea(search));
	expect(error).toBeInstanceOf(NodeApiError);
	expect(deepText(error)).not.toContain(TOKEN);
	expect(JSON.stringify(error)).not.toContain(TOKEN);
	return error;
}

describe('Pangea errors', () => {
	it('ValidationError: every errors[] entry with its source, detail and code', async () => {
		const error = await searchFailure(
			400,
			envelope('ValidationError', 'There were 2 error(s) in the given payload.', {
				errors: [
					{ code: 'InvalidDateTime', detail: 'start must be RFC 3339 or a duration like 7d', source: '/start' },
					{ code: 'OutOfRange', detail: 'limit must be an integer between 1 and 1000', source: '/limit' },
				],
			}),
		);

		expect(error.message).toBe(
			'Pangea Secure Audit Log: ValidationError: There were 2 error(s) in the given payload. (/start: start must be RFC 3339 or a duration like 7d (InvalidDateTime); /limit: limit must be an integer between 1 and 1000 (OutOfRange))',
		);
		expect(error.httpCode).toBe('400');
		expect(error.description).toContain('prq_err1');
	});

	it('MissingConfigID: says to set Config ID in the credential', async () => {
		const error = await searchFailure(400, envelope('MissingConfigID', 'Token is assigned to multiple configs: config_id is required'));

		expect(error.message).toContain('MissingConfigID: Token is assigned to multiple configs');
		expect(error.description).toMatch(/set Config ID .* in the Pangea Audit API credential/);
	});

	it('401 Unauthorized: points at the Token, never shows it', async () => {
		const error = await searchFailure(401, envelope('Unauthorized', 'Not authorized to access this resource'));

		expect(error.message).toContain('Unauthorized: Not authorized to access this resource');
		expect(error.httpCode).toBe('401');
		expect(error.description).toContain('check Token in the Pangea Audit API credential');
	});

	it('TooManyRequests is retried, even when Pangea sends it with a 400', async () => {
		nock(BASE).post('/v1/search').reply(400, envelope('TooManyRequests', 'Slow down'));
		nock(BASE)
			.post('/v1/search')
			.reply(200, ok({ id: 'pas_1', count: 1, events: loginRecords(1, Date.UTC(2024, 4, 1, 8) * 1000) }));

		expect(jsonOf(await runPangea(search))).toHaveLength(1);
	});

	it('gives Continue On Fail an error item', async () => {
		nock(BASE).post('/v1/search').reply(401, envelope('Unauthorized', 'Not authorized'));

		const result = await runPangea(search, { continueOnFail: true });

		expect(jsonOf(result)).toEqual([{ error: 'Pangea Secure Audit Log: Unauthorized: Not authorized' }]);
	});

	it('describes only Pangea envelopes', () => {
		expect(describePangeaError(502, '<html>Bad gateway</html>')).toBeUndefined();
		expect(describePangeaError(500, { message: 'no status' })).toBeUndefined();
		expect(describePangeaError(400, envelope('TooManyRequests', 'x'))?.retryable).toBe(true);
		expect(describePangeaError(400, envelope('ValidationError', 'x'))?.retryable).toBe(false);
	});
});

describe('bad inputs fail before any request', () => {
	let unmatched: string[];
	const record = (req: { method?: string; path?: string }) => unmatched.push(`${req.method} ${req.path}`);
	beforeEach(() => {
		unmatched = [];
		nock.emitter.on('no match', record);
	});
	afterEach(() => {
		nock.emitter.removeListener('no match', record);
		expect(unmatched).toEqual([]);
	});

	it.each([
		[{ ...DAY, actor: 'alice "the admin"' }, 'Filters > Actor: a double quote cannot be searched for'],
		[{ ...DAY, actorIp: '10.0.0.1"' }, 'Filters > Actor IP: a double quote cannot be searched for'],
		[{ start: DAY.end, end: DAY.start }, 'Filters > Start: Start (2024-05-02T00:00:00.000Z) is not before End'],
	])('%j', async (filters, message) => {
		const error = await failureOf(runPangea({ ...search, filters }));

		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toContain(message);
	});
});
