// Cisco Secure Endpoint bad inputs: each fails with a NodeOperationError naming the parameter, before any request.
import nock from 'nock';
import { NodeOperationError, type IDataObject } from 'n8n-workflow';

import { runCisco } from './fakeCisco';
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
	await runCisco({ operation: 'search', ...parameters });

describe('Cisco Secure Endpoint bad inputs', () => {
	it.each<[string, IDataObject, string]>([
		[
			'a truncated audit log id',
			{ filters: { auditLogId: '0b6c…' } },
			'Filters > Audit Log ID: "0b6c…" is not one object id',
		],
		[
			'two audit log ids',
			{ filters: { auditLogId: '16db5cf986eec6f44422, 0b6c1a2e' } },
			'Filters > Audit Log ID',
		],
		['an audit log id with a space', { filters: { auditLogId: 'Lab 1' } }, 'Filters > Audit Log ID'],
		['two events at once', { filters: { event: 'login, logout' } }, 'Filters > Event'],
		[
			'a type with a space',
			{ filters: { auditLogType: 'User Group' } },
			'Filters > Audit Log Type',
		],
		[
			'an actor that contradicts Audit Log User',
			{ filters: { actor: 'a@example.com', auditLogUser: 'b@example.com' } },
			'Filters > Actor',
		],
		['Limit 0', { limit: 0 }, 'Limit'],
		['a malformed relative range', { filters: { range: '-2x' } }, 'Filters > Range'],
		['an End that is not a date', { filters: { end: 'tomorrow' } }, 'Filters > End'],
	])('rejects %s', async (_case, parameters, named) => {
		const error = await run(parameters).catch((e: unknown) => e);

		expect(error).toBeInstanceOf(NodeOperationError);
		expect((error as Error).message).toContain(named);
		expect((error as NodeOperationError).description).toBeTruthy();
		expect(attempts).toEqual([]);
		tally('badInputs', { rejected: 1, requests: attempts.length });
	});

	it('rejects the same inputs in Fetch Queue and Export and Wait', async () => {
		for (const operation of ['fetchQueue', 'exportAndWait']) {
			const error = await run({ operation, filters: { auditLogId: 'no pe' } }).catch(
				(e: unknown) => e,
			);
			expect((error as Error).message).toContain('Filters > Audit Log ID');
		}
		expect(attempts).toEqual([]);
	});

	it('would see a request if one were made (the detector works)', async () => {
		await run({ limit: 3 }).catch(() => undefined);

		expect(attempts).not.toEqual([]);
	});
});
