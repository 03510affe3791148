// Cortex XDR bad inputs: each fails with a NodeOperationError naming the parameter, before any request.
import nock from 'nock';
import { NodeOperationError, type IDataObject } from 'n8n-workflow';

import { advancedCredential, credentialTypes } from './fakeCortex';
import { AuditLog } from '../../nodes/AuditLog/AuditLog.node';
import { runNode } from '../harness/n8n';
import { tally } from '../support/tally';

const attempts: string[] = [];
const onNoMatch = (req: { path?: string }) => attempts.push(String(req.path));

beforeAll(() => {
	nock.disableNetConnect();
	nock.emitter.on('no match', onNoMatch);
});
afterAll(() => {
	nock.emitter.removeListener('no match', onNoMatch);
	nock.enableNetConnect();
});
beforeEach(() => {
	attempts.length = 0;
});

const run = async (parameters: IDataObject) =>
	await runNode({
		nodeType: new AuditLog(),
		parameters: { resource: 'cortexXdr', operation: 'search', ...parameters },
		credentials: { cortexXdrApi: { ...advancedCredential() } },
		credentialTypes,
	});

describe('Cortex XDR bad inputs', () => {
	it.each<[string, IDataObject, string]>([
		[
			'an email that is not an address',
			{ filters: { email: 'alice@example.com, bob' } },
			'Filters > Email: "bob" is not an email address',
		],
		['an empty type list', { filters: { type: ' , ' } }, 'Filters > Type'],
		[
			'a result that is not a word',
			{ filters: { result: 'success!' } },
			'Filters > Result: "success!" is not a result',
		],
		[
			'a multi-select result from an expression that is not a word',
			{ filters: { result: ['SUCCESS', 'ok?'] } },
			'Filters > Result: "ok?" is not a result',
		],
		['a multi-select type holding a number', { filters: { type: ['AUTH', 7] } }, 'Filters > Type'],
		[
			'an actor outside the email filter',
			{ filters: { actor: 'eve@example.com', email: 'alice@example.com' } },
			'Filters > Actor',
		],
		[
			'too many requests per second',
			{ returnAll: true, options: { requestsPerSecond: 11 } },
			'Options > Requests per Second',
		],
		[
			'a fractional request budget',
			{ returnAll: true, options: { requestsPerSecond: 2.5 } },
			'Options > Requests per Second',
		],
		['Limit 0', { limit: 0 }, 'Limit'],
		['a malformed relative range', { filters: { range: '-2x' } }, 'Filters > Range'],
		[
			'a range together with Start',
			{ filters: { range: '-2d', start: '2024-05-01T00:00:00Z' } },
			'Filters > Range',
		],
		[
			'Start after End',
			{ filters: { start: '2024-05-02T00:00:00Z', end: '2024-05-01T00:00:00Z' } },
			'Filters > Start',
		],
	])('rejects %s', async (_case, parameters, named) => {
		const error = await run(parameters).catch((e: unknown) => e);

		expect(error).toBeInstanceOf(NodeOperationError);
		expect((error as Error).message).toContain(named);
		expect((error as NodeOperationError).description).toBeTruthy();
		expect(attempts).toEqual([]);
		tally('badInputs', { rejected: 1, requests: attempts.length });
	});

	it('rejects a bad Fetch Queue reset time and a bad export format the same way', async () => {
		for (const parameters of [
			{ operation: 'fetchQueue', options: { resetCursor: 'soon' } },
			{ operation: 'exportAndWait', format: 'xml' },
		]) {
			const error = await run(parameters).catch((e: unknown) => e);
			expect(error).toBeInstanceOf(NodeOperationError);
		}
		expect(attempts).toEqual([]);
	});

	it('would see a request if one were made (the detector works)', async () => {
		await run({ limit: 3 }).catch(() => undefined);

		expect(attempts).not.toEqual([]);
	});
});
