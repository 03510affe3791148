// Credential base URLs with user info, a query, a fragment or a non-http(s) scheme are refused by the
// transport before any request, for every vendor (the server counts what reached it: nothing).
import { NodeOperationError } from 'n8n-workflow';
import { baseUrlProblem } from '../../nodes/shared/transport';
import { failureOf, jsonOf } from '../support/auditLog';
import { tally } from '../support/tally';
import { json, runVendor, SEARCH, startServer, VENDORS, type LocalServer } from './servers';

let server: LocalServer;
let vendor = VENDORS[0];

beforeAll(async () => {
	server = await startServer((_req, res) => json(res, 200, vendor.page([])));
});
afterAll(async () => await server.close());
beforeEach(() => (server.requests.length = 0));

const BAD: Array<[string, (origin: string) => string, RegExp]> = [
	['user info', (origin) => origin.replace('http://', 'http://admin:hunter2@'), /user info/],
	['a query', (origin) => `${origin}/?tenant=other`, /query/],
	['a fragment', (origin) => `${origin}/#/dashboard`, /fragment/],
	['a non-http scheme', (origin) => origin.replace('http://', 'ftp://'), /scheme "ftp:"/],
];

describe.each(VENDORS.map((v) => [v.id, v] as const))('%s', (_id, v) => {
	it.each(BAD)('refuses a base URL with %s before any request', async (_what, build, problem) => {
		vendor = v;
		const error = await failureOf(runVendor(v, server.origin, SEARCH, {}, v.credentials(build(server.origin))));

		const requests = server.requests.length;
		tally('hostile', { cases: 1, offOrigin: 0 });
		tally('badInputs', { rejected: 1, requests });
		expect(requests).toBe(0);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toMatch(/credential/);
		expect(error.message).toMatch(problem);
		expect(String(error.description)).toMatch(/Edit the credential/);
		// The password in the URL is not repeated back.
		expect(error.message).not.toContain('hunter2');
	});

	it('accepts the plain origin, with or without a trailing slash', async () => {
		vendor = v;
		expect(jsonOf(await runVendor(v, `${server.origin}/`, SEARCH))).toEqual([]);
		expect(server.requests).toHaveLength(1);
	});
});

describe('baseUrlProblem', () => {
	it('reads a bare host as https and names each problem', () => {
		expect(baseUrlProblem('aws.us.pangea.cloud')).toBeUndefined();
		expect(baseUrlProblem('https://api-acme.xdr.eu.paloaltonetworks.com/')).toBeUndefined();
		expect(baseUrlProblem('http://127.0.0.1:8600/cbc')).toBeUndefined();
		expect(baseUrlProblem('')).toBe('is empty');
		expect(baseUrlProblem('user@aws.us.pangea.cloud')).toMatch(/user info/);
		expect(baseUrlProblem('https://a@b.test')).toMatch(/user info/);
		expect(baseUrlProblem('https://b.test?x')).toMatch(/query/);
		expect(baseUrlProblem('https://b.test#x')).toMatch(/fragment/);
		expect(baseUrlProblem('file:///etc/passwd')).toMatch(/scheme "file:"/);
		expect(baseUrlProblem('javascript://x')).toMatch(/scheme/);
		expect(baseUrlProblem('https://exa mple.test')).toBe('is not a valid URL');
	});
});
