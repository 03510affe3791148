// Pangea Log: events from items and node fields, bulk batches of 1 000, local Ed25519 signing, input checks.
import { createHash, createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import nock from 'nock';
import { NodeOperationError, type IDataObject, type INodeExecutionData } from 'n8n-workflow';
import { verifySignature } from '../../nodes/shared/sources/pangea/verify';
import { deepText, failureOf, jsonOf } from '../support/auditLog';
import { BASE, CONFIG_ID, CREDENTIALS, runPangea, type PangeaRun } from './fixture';
import { offline } from '../support/offline';

const RECEIVED_AT = '2024-05-01T08:00:00.000001Z';

offline();

/** Sorted-key JSON, written apart from the package's canonicalJson so a shared bug cannot hide. */
function sortedJson(value: unknown): string {
	if (value === null || typeof value !== 'object') return JSON.stringify(value);
	if (Array.isArray(value)) return `[${value.map(sortedJson).join(',')}]`;
	const entries = Object.keys(value)
		.sort()
		.map((key) => `${JSON.stringify(key)}:${sortedJson((value as IDataObject)[key])}`);
	return `{${entries.join(',')}}`;
}

/** /v2/log as Pangea answers it: the envelope of each event and its hash; every body recorded. */
function logBackend(): IDataObject[] {
	const bodies: IDataObject[] = [];
	nock(BASE)
		.persist()
		.post('/v2/log')
		.reply((_uri, body) => {
			const request = body as IDataObject;
			bodies.push(request);
			const results = (request.events as IDataObject[]).map((entry) => {
				const envelope = { ...entry, received_at: RECEIVED_AT };
				const hash = createHash('sha256').update(sortedJson(envelope)).digest('hex');
				return request.verbose ? { hash, envelope } : { hash };
			});
			return [200, { status: 'Success', summary: 'Logged', request_id: 'prq_log', result: { results } }];
		});
	return bodies;
}

const items = (jsons: IDataObject[]): INodeExecutionData[] => jsons.map((json) => ({ json }));

async function runLog(input: IDataObject[], parameters: IDataObject = {}, run: PangeaRun = {}) {
	return await runPangea({ operation: 'log', ...parameters }, { input: items(input), ...run });
}

describe('Log', () => {
	it('retries a failed /v2/log naming the failed request, so Pangea does not write the events twice', async () => {
		const retriedHeaders: Array<string | undefined> = [];
		nock(BASE)
			.post('/v2/log')
			.reply(function () {
				retriedHeaders.push(this.req.headers['x-pangea-retried-request-ids'] as string | undefined);
				return [503, { status: 'ServiceNotAvailable', summary: 'try again', request_id: 'prq_failed_1' }];
			})
			.post('/v2/log')
			.reply(function () {
				retriedHeaders.push(this.req.headers['x-pangea-retried-request-ids'] as string | undefined);
				return [200, { status: 'Success', request_id: 'prq_ok', result: { results: [{ hash: 'a'.repeat(64) }] } }];
			});

		const result = await runLog([{ message: 'one event' }]);

		expect(jsonOf(result)).toEqual([{ hash: 'a'.repeat(64) }]);
		expect(retriedHeaders).toEqual([undefined, 'prq_failed_1']);
	});

	it('sends 2 500 items in 3 calls of at most 1 000 and returns one hash per item, in order', async () => {
		const bodies = logBackend();
		const input = Array.from({ length: 2500 }, (_, i) => ({
			message: `Exported report ${i}`,
			actor: 'alice',
			action: 'export',
			new: { rows: i, format: 'csv' },
			tenant_id: 42,
			unrelated: 'not sent',
		}));

		const result = await runLog(input, { logEventFields: { actor: 'n8n-bot', status: 'success' } });

		expect(bodies.map((body) => (body.events as IDataObject[]).length)).toEqual([1000, 1000, 500]);
		expect(bodies.every((body) => body.config_id === CONFIG_ID && body.verbose === undefined)).toBe(true);
		const sent = bodies.flatMap((body) => body.events as IDataObject[]);
		expect(sent[1234]).toEqual({
			event: {
				message: 'Exported report 1234',
				actor: 'n8n-bot',
				action: 'export',
				new: '{"format":"csv","rows":1234}',
				status: 'success',
				tenant_id: '42',
			},
		});
		const output = result.output[0];
		expect(output).toHaveLength(2500);
		expect(output.map((item) => item.pairedItem)).toEqual(input.map((_, i) => ({ item: i })));
		const expectedHash = (k: number) =>
			createHash('sha256').update(sortedJson({ event: sent[k].event, received_at: RECEIVED_AT })).digest('hex');
		expect(output[0].json).toEqual({ hash: expectedHash(0) });
		expect(output[2499].json).toEqual({ hash: expectedHash(2499) });
		expect(result.hints.map((hint) => hint.message)).toEqual(
			expect.arrayContaining(['Pangea: 2500 events sent in 3 calls', 'Pangea Secure Audit Log: logged 2500 event(s)']),
		);
	});

	it.each([
		['PEM as generated', (pem: string) => pem],
		['PEM pasted on one line', (pem: string) => pem.replace(/\n/g, '')],
	])('signs each event locally with the credential key (%s), verifiable with node:crypto', async (_label, paste) => {
		const { privateKey, publicKey } = generateKeyPairSync('ed25519');
		const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
		const bodies = logBackend();
		const input = [
			{ message: 'Changed role', actor: 'zoë', old: { role: 'viewer' }, new: { role: 'admin' } },
			{ message: 'Signed in', actor: 'alice', timestamp: Date.UTC(2024, 4, 1, 7, 59) },
		];

		const result = await runLog(
			input,
			{ logOptions: { signLocally: true, verbose: true } },
			{ credentials: { pangeaAuditApi: { ...CREDENTIALS, signingPrivateKey: paste(pem) } } },
		);

		const sent = bodies[0].events as IDataObject[];
		expect(bodies[0].verbose).toBe(true);
		expect(sent[1].event).toEqual({ message: 'Signed in', actor: 'alice', timestamp: '2024-05-01T07:59:00.000Z' });
		const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
		for (const entry of sent) {
			expect(JSON.parse(entry.public_key as string)).toEqual({ algorithm: 'ED25519', key: publicPem });
			const signature = Buffer.from(entry.signature as string, 'base64');
			const data = Buffer.from(sortedJson(entry.event));
			expect(verify(null, data, publicKey, signature)).toBe(true);
			expect(verify(null, data, createPublicKey(publicPem), signature)).toBe(true);
			// The reading side accepts what the writing side produced.
			expect(verifySignature({ ...entry, received_at: RECEIVED_AT })).toBe('pass');
		}
		const out = jsonOf(result);
		expect(out[0].envelope).toEqual({ ...sent[0], received_at: RECEIVED_AT });
		expect(typeof out[0].hash).toBe('string');
	});

	it('takes the message from the node over the item, and refuses an item without one before any request', async () => {
		const bodies = logBackend();

		const result = await runLog([{ text: 'no message' }, { message: 'kept' }], { logMessage: 'From the node' });
		expect((bodies[0].events as IDataObject[]).map((entry) => (entry.event as IDataObject).message)).toEqual([
			'From the node',
			'From the node',
		]);
		expect(jsonOf(result)).toHaveLength(2);

		const error = await failureOf(runLog([{ message: 'ok' }, { text: 'no message' }]));
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe('Message: input item 1 has no message');
		expect(bodies).toHaveLength(1);
	});

	it('with Continue On Fail, logs the good items and pairs an error item with the bad one', async () => {
		const bodies = logBackend();

		const result = await runLog([{ message: 'a' }, { action: 'x'.repeat(33), message: 'b' }, { message: 'c' }], {}, { continueOnFail: true });

		expect((bodies[0].events as IDataObject[]).map((entry) => (entry.event as IDataObject).message)).toEqual(['a', 'c']);
		const output = result.output[0];
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(output[1].json).toEqual({
			error: 'Input field action: 33 characters is longer than Pangea allows (32)',
		});
	});

	describe('bad inputs fail before any request', () => {
		it.each([
			[{ message: 'm', timestamp: 'yesterday' }, {}, 'Input field timestamp: "yesterday" is not a date-time'],
			[{ message: 'm' }, { logEventFields: { target: 't'.repeat(129) } }, 'Event Fields > target: 129 characters is longer'],
			[{ message: 'm' }, { logOptions: { signLocally: true } }, 'Log Options > Sign Locally: the Pangea Audit API credential has no Signing Private Key'],
		])('%j %j', async (json, parameters, message) => {
			const error = await failureOf(runLog([json], parameters));

			expect(error).toBeInstanceOf(NodeOperationError);
			expect(error.message).toContain(message);
		});

		it('an unreadable signing key, without echoing it', async () => {
			const key = 'not-a-key-but-secret-looking-material';

			const error = await failureOf(
				runLog([{ message: 'm' }], { logOptions: { signLocally: true } }, { credentials: { pangeaAuditApi: { ...CREDENTIALS, signingPrivateKey: key } } }),
			);

			expect(error).toBeInstanceOf(NodeOperationError);
			expect(error.message).toContain("the credential's Signing Private Key is not an Ed25519 private key");
			expect(deepText(error)).not.toContain(key);
		});
	});
});
