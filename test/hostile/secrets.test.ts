// Secrets: every error path and bad-credential run, against a server that echoes the credential it
// received (raw, base64, URL-encoded, the whole auth header) into its answers. Everything a user or
// a log can see (error message, description, the whole error object, items, hints) is scanned for
// each secret in each form: `secrets: 0 leaks in N outputs`.
import type { IDataObject, INodeParameters } from 'n8n-workflow';
import { redactSecrets } from '../../nodes/shared/transport';
import { deepText } from '../support/auditLog';
import { tally } from '../support/tally';
import { json, runVendor, SEARCH, secretForms, startServer, VENDORS, type LocalServer, type Recorded, type Response, type Vendor } from './servers';

let server: LocalServer;
let elsewhere: LocalServer;
let vendor = VENDORS[0];
let scenario: (req: Recorded, res: Response) => void = () => undefined;

/** The credential as the server saw it, in every form, for a hostile server to echo back. */
function echo(req: Recorded): string {
	const [secret] = vendor.secrets;
	const headers = ['authorization', 'x-auth-token', 'x-xdr-auth-id'].map((name) => String(req.headers[name] ?? ''));
	return `${secret} ${headers.join(' ')} ${encodeURIComponent(secret)} ${Buffer.from(secret).toString('base64')}`;
}

/** An error body every vendor's parser reads a message from, each carrying the echo. */
function errorBody(req: Recorded): IDataObject {
	const text = `refused: ${echo(req)}`;
	return {
		message: text,
		error_code: text,
		reply: { err_code: 401, err_msg: text, err_extra: text },
		errors: [{ error_code: 401, description: text, details: [text] }],
		status: 'Unauthorized',
		summary: text,
		request_id: `prq_${vendor.secrets[0]}`,
	};
}

const SCENARIOS: Array<[string, (req: Recorded, res: Response) => void]> = [
	['401 echoing the credential', (req, res) => json(res, 401, errorBody(req))],
	['403 echoing the credential', (req, res) => json(res, 403, errorBody(req))],
	['400 echoing the credential', (req, res) => json(res, 400, errorBody(req))],
	['404 as text echoing the credential', (req, res) => {
		res.writeHead(404, { 'content-type': 'text/plain' });
		res.end(`not found ${echo(req)}`);
	}],
	['429 asking a wait past the budget', (req, res) => json(res, 429, errorBody(req), { 'retry-after': '99999' })],
	['an HTML page with status 200', (req, res) => {
		res.writeHead(200, { 'content-type': 'text/html' });
		res.end(`<html><body>Sign in again ${echo(req)}</body></html>`);
	}],
	['a cross-origin redirect carrying the secret in its URL', (req, res) => {
		res.writeHead(307, { location: `${elsewhere.origin}/steal/${encodeURIComponent(echo(req))}?k=${encodeURIComponent(echo(req))}` });
		res.end();
	}],
];

beforeAll(async () => {
	server = await startServer((req, res) => scenario(req, res));
	elsewhere = await startServer((_req, res) => json(res, 200, {}));
});
afterAll(async () => {
	await server.close();
	await elsewhere.close();
});

type Seen = { outputs: number; leaks: string[] };

/** Scans each text for each form of each secret; every text is one output. */
function scan(v: Vendor, texts: Array<[string, string]>): Seen {
	const forms = secretForms(v);
	const leaks: string[] = [];
	for (const [where, text] of texts) for (const form of forms) if (text.includes(form)) leaks.push(`${where}: ${form}`);
	return { outputs: texts.length, leaks };
}

async function runAndScan(v: Vendor, parameters: INodeParameters, continueOnFail = false): Promise<Seen> {
	const texts: Array<[string, string]> = [];
	try {
		const result = await runVendor(v, server.origin, parameters, { continueOnFail });
		texts.push(['items', deepText(result.output)], ['hints', deepText(result.hints)]);
	} catch (error) {
		const e = error as Error & IDataObject;
		texts.push(['message', e.message], ['description', String(e.description ?? '')], ['error', deepText(e)]);
	}
	const seen = scan(v, texts);
	tally('secrets', { outputs: seen.outputs, leaks: seen.leaks.length });
	return seen;
}

describe.each(VENDORS.map((v) => [v.id, v] as const))('%s', (_id, v) => {
	it.each(SCENARIOS)('%s: no secret in any form reaches the user', async (_what, answer) => {
		vendor = v;
		scenario = answer;

		const failed = await runAndScan(v, SEARCH);
		const asItem = await runAndScan(v, SEARCH, true);

		expect(failed.leaks).toEqual([]);
		expect(asItem.leaks).toEqual([]);
		expect(elsewhere.requests).toHaveLength(0);
	});
});

describe('export paths', () => {
	it('a CBC export job that failed with the credential in its errors', async () => {
		vendor = VENDORS[0];
		scenario = (req, res) => {
			if (req.path.endsWith('/_export')) return json(res, 200, { job_id: `job-${vendor.secrets[0]}` });
			json(res, 200, { status: 'FAILED', errors: [errorBody(req)] });
		};
		const seen = await runAndScan(vendor, { operation: 'exportAndWait', format: 'csv', filters: { range: '-1d' } });
		expect(seen.leaks).toEqual([]);
		expect(seen.outputs).toBe(3);
	});

	it('a Pangea export whose result id and download answer carry the token', async () => {
		vendor = VENDORS[3];
		scenario = (req, res) => {
			if (req.path === '/v1/search') {
				return json(res, 200, { status: 'Success', request_id: 'prq_1', result: { id: `pas_${echo(req)}`, count: 2, events: [] } });
			}
			json(res, 200, { status: 'Success', request_id: `prq_${echo(req)}`, result: { dest_url: `ftp://${vendor.secrets[0]}` } });
		};
		const seen = await runAndScan(vendor, { operation: 'exportAndWait', format: 'csv', filters: { range: '-1d' } });
		expect(seen.leaks).toEqual([]);
	});

	it('a Pangea asynchronous call still processing, its request id the token', async () => {
		vendor = VENDORS[3];
		scenario = (req, res) => json(res, 202, { status: 'Accepted', request_id: `prq_${echo(req)}`, summary: echo(req) });
		const seen = await runAndScan(vendor, { operation: 'exportAndWait', format: 'csv', filters: { range: '-1d' }, options: { maxWait: 1 } });
		expect(seen.leaks).toEqual([]);
	});
});

describe('redactSecrets', () => {
	it('removes each secret as is, URL-encoded, in base64 and inside a Basic pair', () => {
		const secret = 'dummy/key+with=chars';
		const credentials = { clientId: 'client-0001', apiKey: secret };
		const text = [
			secret,
			encodeURIComponent(secret),
			Buffer.from(secret).toString('base64'),
			`Basic ${Buffer.from(`client-0001:${secret}`).toString('base64')}`,
		].join(' | ');
		const out = redactSecrets(text, credentials);
		expect(out).toBe('[redacted] | [redacted] | [redacted] | Basic [redacted]');
	});
});
