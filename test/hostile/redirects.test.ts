// Redirects against two real local servers (different ports, different origins), through n8n-core's
// real request helpers: a same-origin redirect is followed (303 as a GET without body, the others
// with method and body kept), a cross-origin one fails naming the host and sends it nothing.
import { NodeApiError } from 'n8n-workflow';
import { failureOf, jsonOf } from '../support/auditLog';
import { tally } from '../support/tally';
import { carriesCredential, json, runVendor, SEARCH, startServer, VENDORS, type LocalServer } from './servers';

const STATUSES = [301, 302, 303, 307, 308];

let home: LocalServer;
let foreign: LocalServer;
/** Where the next redirect points: the home server itself, or the foreign one. */
let target: 'same' | 'cross' = 'same';
let status = 307;
let vendor = VENDORS[0];

beforeAll(async () => {
	foreign = await startServer((_req, res) => json(res, 200, vendor.page([])));
	home = await startServer((req, res) => {
		if (req.path.startsWith('/moved')) return json(res, 200, vendor.page([]));
		const origin = target === 'same' ? home.origin : foreign.origin;
		res.writeHead(status, { location: `${origin}/moved${req.path}` });
		res.end();
	});
});

afterAll(async () => {
	await home.close();
	await foreign.close();
});

beforeEach(() => {
	home.requests.length = 0;
	foreign.requests.length = 0;
});

describe.each(VENDORS.map((v) => [v.id, v] as const))('%s', (_id, v) => {
	it.each(STATUSES)('follows a same-origin %i itself, keeping the credential at home', async (code) => {
		vendor = v;
		status = code;
		target = 'same';

		const result = await runVendor(v, home.origin, SEARCH);

		expect(jsonOf(result)).toEqual([]);
		const [first, moved] = home.requests;
		expect(home.requests).toHaveLength(2);
		expect(moved.path).toBe(`/moved${first.path}`);
		expect(carriesCredential(moved, v)).toBe(true);
		if (code === 303) {
			expect(moved.method).toBe('GET');
			expect(moved.body).toBe('');
		} else {
			expect(moved.method).toBe(first.method);
			expect(moved.body).toBe(first.body);
		}
		expect(foreign.requests).toHaveLength(0);
		tally('hostile', { cases: 1, offOrigin: 0 });
	});

	it.each(STATUSES)('refuses a cross-origin %i, naming the host, and sends it nothing', async (code) => {
		vendor = v;
		status = code;
		target = 'cross';

		// Settled either way, so a run that did follow the redirect is still counted.
		const error = await runVendor(v, home.origin, SEARCH).then(
			() => undefined,
			(failure: Error) => failure,
		);

		const offOrigin = foreign.requests.filter((req) => carriesCredential(req, v)).length;
		tally('hostile', { cases: 1, offOrigin });
		expect(offOrigin).toBe(0);
		expect(error).toBeInstanceOf(NodeApiError);
		if (!error) return;
		expect(error.message).toContain(foreign.host);
		expect(error.message).toContain('the credential was not sent there');
		expect(foreign.requests).toHaveLength(0);
		expect(home.requests).toHaveLength(1);
	});
});

describe('redirect loops', () => {
	it('stop after a bounded number of same-origin hops', async () => {
		const v = VENDORS[3];
		const loop = await startServer((req, res) => {
			res.writeHead(302, { location: `/loop${home.requests.length}${req.path}`.slice(0, 200) });
			res.end();
		});
		try {
			const error = await failureOf(runVendor(v, loop.origin, SEARCH));
			expect(error).toBeInstanceOf(NodeApiError);
			expect(error.message).toMatch(/redirected POST \/v1\/search more than 5 times/);
			expect(loop.requests).toHaveLength(6);
			tally('hostile', { cases: 1, offOrigin: 0 });
		} finally {
			await loop.close();
		}
	});
});
