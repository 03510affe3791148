// Proves the harness: dummy nodes and credentials run through n8n-core's real helpers against nock.
import nock from 'nock';
import { NodeApiError } from 'n8n-workflow';
import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IPollFunctions,
	JsonObject,
} from 'n8n-workflow';

import { binaryToBuffer, runNode, runPoll, testCredential } from './n8n';

const HEADER_API = 'https://header.example.test';
const TOKEN_API = 'https://token.example.test';

class DummyHeaderApi implements ICredentialType {
	name = 'dummyHeaderApi';
	displayName = 'Dummy Header API';
	properties: ICredentialType['properties'] = [
		{ displayName: 'Base URL', name: 'baseUrl', type: 'string', default: HEADER_API },
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
		},
		{ displayName: 'Tenant', name: 'tenant', type: 'string', default: 'acme' },
	];
	authenticate = {
		type: 'generic' as const,
		properties: {
			headers: { 'X-Api-Key': '={{$credentials.apiKey}}' },
			qs: { tenant: '={{$credentials.tenant}}' },
		},
	};
	test = { request: { baseURL: '={{$credentials.baseUrl}}', url: '/ping' } };
}

class DummyTokenApi implements ICredentialType {
	name = 'dummyTokenApi';
	displayName = 'Dummy Token API';
	properties: ICredentialType['properties'] = [
		{
			displayName: 'Client Secret',
			name: 'secret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
		},
		{
			displayName: 'Token',
			name: 'token',
			type: 'hidden',
			typeOptions: { expirable: true, password: true },
			default: '',
		},
	];

	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		const { access_token } = (await this.helpers.httpRequest({
			method: 'POST',
			url: `${TOKEN_API}/oauth/token`,
			body: { secret: credentials.secret },
			json: true,
		})) as { access_token: string };
		return { token: access_token };
	}

	async authenticate(credentials: ICredentialDataDecryptedObject, options: IHttpRequestOptions) {
		return {
			...options,
			headers: { ...options.headers, Authorization: `Bearer ${credentials.token}` },
		};
	}
}

const credentialTypes = [new DummyHeaderApi(), new DummyTokenApi()];

const baseDescription: Omit<INodeTypeDescription, 'name' | 'displayName' | 'properties'> = {
	group: ['transform'],
	version: 1,
	description: 'Harness test node',
	defaults: {},
	inputs: ['main'],
	outputs: ['main'],
	credentials: [
		{ name: 'dummyHeaderApi', required: true, displayOptions: { show: { auth: ['header'] } } },
		{ name: 'dummyTokenApi', required: true, displayOptions: { show: { auth: ['token'] } } },
	],
};

type Operation = 'list' | 'create' | 'download' | 'context';

async function perform(ctx: IExecuteFunctions, i: number): Promise<INodeExecutionData[]> {
	const operation = ctx.getNodeParameter('operation', i) as Operation;
	const auth = ctx.getNodeParameter('auth', i) as 'header' | 'token';
	const credentialType = auth === 'header' ? 'dummyHeaderApi' : 'dummyTokenApi';
	const call = async (options: IHttpRequestOptions) =>
		await ctx.helpers.httpRequestWithAuthentication.call(ctx, credentialType, options);
	if (operation === 'list') {
		const { baseUrl } = await ctx.getCredentials<{ baseUrl: string }>(credentialType, i);
		const limit = ctx.getNodeParameter('limit', i) as number;
		const body = (await call({
			url: `${baseUrl}/items`,
			qs: { limit },
			json: true,
		})) as IDataObject[];
		if (body.length > 1)
			ctx.addExecutionHints({ message: `${body.length} items`, location: 'outputPane' });
		return ctx.helpers.constructExecutionMetaData(ctx.helpers.returnJsonArray(body), {
			itemData: { item: i },
		});
	}
	if (operation === 'create') {
		const name = ctx.getNodeParameter('name', i) as string;
		const body = (await call({
			method: 'POST',
			url: `${TOKEN_API}/items`,
			body: { name },
			json: true,
		})) as IDataObject;
		return [{ json: body, pairedItem: { item: i } }];
	}
	if (operation === 'download') {
		const response = (await call({
			url: `${HEADER_API}/report`,
			encoding: 'arraybuffer',
			json: false,
			returnFullResponse: true,
		})) as { body: ArrayBuffer };
		const data = await ctx.helpers.prepareBinaryData(
			Buffer.from(response.body),
			'report.csv',
			'text/csv',
		);
		return [{ json: { fileName: data.fileName ?? '' }, binary: { data }, pairedItem: { item: i } }];
	}
	const counter = ctx.getWorkflowStaticData('node');
	counter.runs = ((counter.runs as number | undefined) ?? 0) + 1;
	const signal = ctx.getExecutionCancelSignal();
	return [
		{
			json: { mode: ctx.getMode(), runs: counter.runs, aborted: signal?.aborted ?? null },
			pairedItem: { item: i },
		},
	];
}

class DummyNode implements INodeType {
	description: INodeTypeDescription = {
		...baseDescription,
		displayName: 'Dummy',
		name: 'dummy',
		usableAsTool: true,
		properties: [
			{
				displayName: 'Auth',
				name: 'auth',
				type: 'options',
				options: [
					{ name: 'Header', value: 'header' },
					{ name: 'Token', value: 'token' },
				],
				default: 'header',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: ['list', 'create', 'download', 'context'].map((value) => ({ name: value, value })),
				default: 'list',
			},
			{ displayName: 'Limit', name: 'limit', type: 'number', default: 50 },
			{ displayName: 'Name', name: 'name', type: 'string', default: '' },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const returnData: INodeExecutionData[] = [];
		const items = this.getInputData();
		for (let i = 0; i < items.length; i++) {
			try {
				returnData.push(...(await perform(this, i)));
			} catch (error) {
				if (!this.continueOnFail())
					throw new NodeApiError(this.getNode(), error as JsonObject, { itemIndex: i });
				returnData.push({ json: { error: (error as Error).message }, pairedItem: { item: i } });
			}
		}
		return [returnData];
	}
}

class DummyTrigger implements INodeType {
	description: INodeTypeDescription = {
		...baseDescription,
		displayName: 'Dummy Trigger',
		name: 'dummyTrigger',
		group: ['trigger'],
		polling: true,
		inputs: [],
		credentials: [{ name: 'dummyHeaderApi', required: true }],
		properties: [],
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const cursor = this.getWorkflowStaticData('node');
		const fetch = async (qs: IDataObject) =>
			(await this.helpers.httpRequestWithAuthentication.call(this, 'dummyHeaderApi', {
				url: `${HEADER_API}/events`,
				qs,
				json: true,
			})) as Array<{ id: number }>;
		if (this.getMode() === 'manual')
			return [this.helpers.returnJsonArray(await fetch({ limit: 1 }))];
		if (cursor.lastId === undefined) {
			cursor.lastId = 0;
			return null;
		}
		const events = await fetch({ after: cursor.lastId as number });
		if (events.length === 0) return null;
		cursor.lastId = events[events.length - 1].id;
		return [this.helpers.returnJsonArray(events)];
	}
}

const headerCredentials = () => ({ dummyHeaderApi: { apiKey: 'key-123' } });
const tokenCredentials = () => ({ dummyTokenApi: { secret: 's3cret', token: '' } });

const header = nock(HEADER_API);
const tokens = nock(TOKEN_API);

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
	const pending = nock.pendingMocks();
	nock.cleanAll();
	expect(pending).toEqual([]);
});
afterAll(() => nock.enableNetConnect());

describe('runNode with a generic-header credential', () => {
	it('injects header and qs templates beside the node qs and parameter defaults', async () => {
		header
			.get('/items')
			.matchHeader('x-api-key', 'key-123')
			.query({ limit: '50', tenant: 'acme' })
			.reply(200, [{ id: 1 }, { id: 2 }]);

		const { output, hints } = await runNode({
			nodeType: new DummyNode(),
			parameters: { operation: 'list' },
			credentials: headerCredentials(),
			credentialTypes,
		});

		expect(output).toEqual([
			[
				{ json: { id: 1 }, pairedItem: { item: 0 } },
				{ json: { id: 2 }, pairedItem: { item: 0 } },
			],
		]);
		expect(hints).toEqual([{ message: '2 items', location: 'outputPane' }]);
	});

	it('surfaces a 500 answer as the NodeApiError the node throws', async () => {
		header.get('/items').query(true).reply(500, { message: 'boom' });

		const run = runNode({
			nodeType: new DummyNode(),
			parameters: { operation: 'list' },
			credentials: headerCredentials(),
			credentialTypes,
		});

		await expect(run).rejects.toBeInstanceOf(NodeApiError);
		await expect(run).rejects.toMatchObject({ httpCode: '500' });
	});

	it('turns the failure into an error item when continueOnFail is set', async () => {
		header.get('/items').query(true).reply(500, { message: 'boom' });
		header
			.get('/items')
			.query(true)
			.reply(200, [{ id: 3 }]);

		const { output } = await runNode({
			nodeType: new DummyNode(),
			parameters: { operation: 'list' },
			credentials: headerCredentials(),
			credentialTypes,
			input: [{ json: {} }, { json: {} }],
			continueOnFail: true,
		});

		expect(output[0]).toHaveLength(2);
		expect(output[0][0]).toEqual({
			json: { error: 'The service was not able to process your request' },
			pairedItem: { item: 0 },
		});
		expect(output[0][1]).toEqual({ json: { id: 3 }, pairedItem: { item: 1 } });
	});

	it("reports n8n's own error when the node asks for a credential it was not given", async () => {
		const run = runNode({
			nodeType: new DummyNode(),
			parameters: { auth: 'token', operation: 'list' },
			credentials: headerCredentials(),
			credentialTypes,
		});

		await expect(run).rejects.toBeInstanceOf(NodeApiError);
		await expect(run).rejects.toThrow('Node does not have any credentials set for "dummyTokenApi"');
	});
});

describe('runNode with a function-authenticate credential', () => {
	it('fetches the token once, sends it as bearer and resolves item expressions', async () => {
		tokens.post('/oauth/token', { secret: 's3cret' }).once().reply(200, { access_token: 'tok-1' });
		tokens
			.post('/items', { name: 'alpha' })
			.matchHeader('authorization', 'Bearer tok-1')
			.reply(201, { id: 'a' });
		tokens
			.post('/items', { name: 'beta' })
			.matchHeader('authorization', 'Bearer tok-1')
			.reply(201, { id: 'b' });
		const credentials = tokenCredentials();

		const { output } = await runNode({
			nodeType: new DummyNode(),
			parameters: { auth: 'token', operation: 'create', name: '={{ $json.name }}' },
			credentials,
			credentialTypes,
			input: [{ json: { name: 'alpha' } }, { json: { name: 'beta' } }],
		});

		expect(output[0].map((item) => item.json)).toEqual([{ id: 'a' }, { id: 'b' }]);
		expect(credentials.dummyTokenApi.token).toBe('tok-1');
	});

	it('refreshes the token and retries once after a 401', async () => {
		tokens.post('/items').matchHeader('authorization', 'Bearer stale').reply(401, {});
		tokens.post('/oauth/token').reply(200, { access_token: 'fresh' });
		tokens.post('/items').matchHeader('authorization', 'Bearer fresh').reply(201, { id: 'c' });

		const { output } = await runNode({
			nodeType: new DummyNode(),
			parameters: { auth: 'token', operation: 'create', name: 'gamma' },
			credentials: { dummyTokenApi: { secret: 's3cret', token: 'stale' } },
			credentialTypes,
		});

		expect(output[0][0].json).toEqual({ id: 'c' });
	});
});

describe('runNode context', () => {
	const runContext = async (o: {
		mode?: 'manual';
		staticData: IDataObject;
		abortSignal?: AbortSignal;
	}) =>
		(
			await runNode({
				nodeType: new DummyNode(),
				parameters: { operation: 'context' },
				credentials: headerCredentials(),
				credentialTypes,
				...o,
			})
		).output[0][0].json;

	it('shows trigger vs manual mode, the cancel signal and the shared static data', async () => {
		const staticData: IDataObject = {};
		const controller = new AbortController();
		controller.abort();

		expect(await runContext({ staticData })).toEqual({ mode: 'trigger', runs: 1, aborted: null });
		expect(
			await runContext({ mode: 'manual', staticData, abortSignal: controller.signal }),
		).toEqual({
			mode: 'manual',
			runs: 2,
			aborted: true,
		});
		expect(staticData).toEqual({ runs: 2 });
	});

	it('round-trips bytes through prepareBinaryData', async () => {
		const bytes = Buffer.from('id,action\n1,login\n\u00e9\u0000\u00ff', 'latin1');
		header
			.get('/report')
			.query({ tenant: 'acme' })
			.reply(200, bytes, { 'content-type': 'text/csv' });

		const { output } = await runNode({
			nodeType: new DummyNode(),
			parameters: { operation: 'download' },
			credentials: headerCredentials(),
			credentialTypes,
		});

		const { binary, json } = output[0][0];
		expect(json).toEqual({ fileName: 'report.csv' });
		expect(binary?.data).toMatchObject({
			mimeType: 'text/csv',
			fileName: 'report.csv',
			bytes: bytes.length,
		});
		expect((await binaryToBuffer(binary!.data)).equals(bytes)).toBe(true);
	});
});

describe('runPoll', () => {
	const poll = async (mode: 'trigger' | 'manual', staticData: IDataObject) =>
		await runPoll({
			nodeType: new DummyTrigger(),
			parameters: {},
			credentials: headerCredentials(),
			credentialTypes,
			mode,
			staticData,
		});

	it('seeds, advances and keeps the cursor across runs and a simulated restart', async () => {
		const staticData: IDataObject = {};
		expect(await poll('trigger', staticData)).toBeNull();
		expect(staticData).toEqual({ lastId: 0 });

		header
			.get('/events')
			.query({ after: '0', tenant: 'acme' })
			.reply(200, [{ id: 1 }, { id: 2 }]);
		expect(await poll('trigger', staticData)).toEqual([[{ json: { id: 1 } }, { json: { id: 2 } }]]);
		expect(staticData).toEqual({ lastId: 2 });

		const restarted = JSON.parse(JSON.stringify(staticData)) as IDataObject;
		header.get('/events').query({ after: '2', tenant: 'acme' }).reply(200, []);
		expect(await poll('trigger', restarted)).toBeNull();
		expect(restarted).toEqual({ lastId: 2 });
	});

	it('returns a sample in manual mode and leaves the cursor alone', async () => {
		const staticData: IDataObject = { lastId: 7 };
		header
			.get('/events')
			.query({ limit: '1', tenant: 'acme' })
			.reply(200, [{ id: 9 }]);

		expect(await poll('manual', staticData)).toEqual([[{ json: { id: 9 } }]]);
		expect(staticData).toEqual({ lastId: 7 });
	});

	it('throws the request failure for n8n to report', async () => {
		header.get('/events').query(true).reply(403, { message: 'denied' });

		await expect(poll('trigger', { lastId: 1 })).rejects.toMatchObject({ httpCode: '403' });
	});
});

describe('testCredential', () => {
	it('sends the test request to the credential base URL with the authenticate headers', async () => {
		nock('https://eu.example.test')
			.get('/ping')
			.matchHeader('x-api-key', 'key-9')
			.query({ tenant: 'acme' })
			.reply(200, { ok: true });

		const result = await testCredential(new DummyHeaderApi(), {
			baseUrl: 'https://eu.example.test',
			apiKey: 'key-9',
		});

		expect(result).toEqual({ status: 'OK', message: 'Connection successful!' });
	});

	it('reports a rejected key as an error result', async () => {
		header.get('/ping').query(true).times(2).reply(401, { message: 'bad key' });

		const result = await testCredential(new DummyHeaderApi(), { apiKey: 'wrong' });

		expect(result).toEqual({ status: 'Error', message: 'Unauthorized' });
	});

	it('refuses a credential type without a test request', async () => {
		await expect(testCredential(new DummyTokenApi(), {})).rejects.toThrow('has no test request');
	});
});
