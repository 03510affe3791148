// n8n CLI's credentials helper rebuilt over in-memory credentials, and the credential Test runner.
import {
	createEmptyRunExecutionData,
	ICredentialsHelper,
	isExpression,
	NodeHelpers,
	UnexpectedError,
} from 'n8n-workflow';
import type {
	ICredentialDataDecryptedObject,
	ICredentials,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INode,
	INodeCredentialTestResult,
	INodeCredentialsDetails,
	INodeParameters,
	INodeProperties,
	INodeType,
	IRequestOptionsSimplified,
	Workflow,
} from 'n8n-workflow';
import { ExecuteContext, RoutingNode } from 'n8n-core';

import { buildAdditionalData, buildWorkflow } from './workflow';

/** By credential type name; n8n's credentials table, so preAuthentication writes back here. */
export type CredentialStore = Record<string, ICredentialDataDecryptedObject>;

type RequestTarget = Record<string, Record<string, unknown> | undefined>;

export class HarnessCredentialsHelper extends ICredentialsHelper {
	private readonly types: Map<string, ICredentialType>;

	constructor(
		credentialTypes: ICredentialType[],
		private readonly store: CredentialStore,
	) {
		super();
		this.types = new Map(credentialTypes.map((type) => [type.name, type]));
	}

	getCredentialType(name: string): ICredentialType {
		const type = this.types.get(name);
		if (!type) throw new UnexpectedError(`Credential type "${name}" was not given to the harness`);
		return type;
	}

	/** Like n8n: stored data plus the type's defaults; undeclared fields are dropped. */
	withDefaults(
		typeName: string,
		data: ICredentialDataDecryptedObject,
	): ICredentialDataDecryptedObject {
		const { properties } = this.getCredentialType(typeName);
		// Credential fields are node properties to n8n, hence the type bridge both ways.
		const filled = NodeHelpers.getNodeParameters(
			properties,
			data as INodeParameters,
			true,
			false,
			null,
			null,
		);
		return (filled ?? {}) as ICredentialDataDecryptedObject;
	}

	async getDecrypted(
		_additionalData: unknown,
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
	): Promise<ICredentialDataDecryptedObject> {
		const stored = this.store[type];
		if (!stored)
			throw new UnexpectedError(`No credentials of type "${type}" were given to the harness`);
		return this.withDefaults(type, stored);
	}

	/** n8n CLI's CredentialsHelper.authenticate: call a function, or apply a generic template. */
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		incoming: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const requestOptions = incoming as IHttpRequestOptions;
		const { authenticate } = this.getCredentialType(typeName);
		if (typeof authenticate === 'function') return await authenticate(credentials, requestOptions);
		if (authenticate?.type !== 'generic') return requestOptions;
		if (!workflow || !node) {
			throw new UnexpectedError(
				'Workflow and node are required for declarative credential authentication',
			);
		}
		requestOptions.headers ??= {};
		const target = requestOptions as unknown as RequestTarget;
		const resolve = (value: unknown) => resolveTemplate(value, credentials, workflow, node);
		for (const [outerKey, entries] of Object.entries(authenticate.properties)) {
			for (const [key, value] of Object.entries(entries as object)) {
				target[outerKey] ??= {};
				(target[outerKey] as Record<string, unknown>)[String(resolve(key))] = resolve(value);
			}
		}
		return requestOptions;
	}

	/** n8n CLI: refresh the type's `expirable` hidden field when empty, expired, or under test. */
	async preAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		node: INode,
		credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const type = this.getCredentialType(typeName);
		const expirable = type.properties.find(
			(property) => property.type === 'hidden' && property.typeOptions?.expirable === true,
		);
		if (!expirable || typeof type.preAuthentication !== 'function') return undefined;
		const isCredentialTest = node.parameters?.temp === '' && node.type === 'n8n-nodes-base.noOp';
		if (credentials[expirable.name] !== '' && !credentialsExpired && !isCredentialTest) {
			return undefined;
		}
		const output = (await type.preAuthentication.call(
			helpers,
			credentials,
		)) as ICredentialDataDecryptedObject;
		if (output[expirable.name] === undefined) return undefined;
		// n8n persists the new token to the credential row, so the next request reuses it.
		const stored = this.store[typeName];
		if (stored) {
			for (const [key, value] of Object.entries(output)) {
				if (key === expirable.name || !isExpression(stored[key])) stored[key] = value;
			}
		}
		return Object.assign(credentials, output);
	}

	async runPreAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const { preAuthentication } = this.getCredentialType(typeName);
		if (typeof preAuthentication !== 'function') return undefined;
		const output = await preAuthentication.call(helpers, credentials);
		return (output as ICredentialDataDecryptedObject | undefined) ?? undefined;
	}

	getParentTypes(typeName: string): string[] {
		const parents = this.types.get(typeName)?.extends ?? [];
		return parents.flatMap((parent) => [parent, ...this.getParentTypes(parent)]);
	}

	isCredentialUsableByNode(credentialType: string, nodeType: string): boolean {
		const type = this.types.get(credentialType);
		if (!type?.restrictToSupportedNodes) return true;
		return (type.supportedNodes ?? []).some(
			(name) => nodeType === name || nodeType.endsWith(`.${name}`),
		);
	}

	getCredentialsProperties(type: string): INodeProperties[] {
		return this.getCredentialType(type).properties;
	}

	async getCredentials(): Promise<ICredentials> {
		// Only the CLI's own preAuthentication reads encrypted rows; n8n-core never does.
		throw new UnexpectedError('Encrypted credentials are not available in the test harness');
	}

	async updateCredentials(
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		this.store[type] = data;
	}

	async updateCredentialsOauthTokenData(
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		Object.assign(this.store[type] ?? {}, { oauthTokenData: data.oauthTokenData });
	}
}

/** `={{$credentials.x}}` through the workflow's expression engine, stringified like n8n does. */
function resolveTemplate(
	value: unknown,
	credentials: ICredentialDataDecryptedObject,
	workflow: Workflow,
	node: INode,
): unknown {
	if (!isExpression(value)) return value;
	const resolved = workflow.expression.getSimpleParameterValue(
		node,
		value,
		'internal',
		{ $credentials: credentials },
		undefined,
		'',
	);
	return resolved ? resolved.toString() : '';
}

/** n8n's credential test runs the request on a throwaway "NoOp" node with a `temp` parameter. */
function credentialTestNodeType(typeName: string, test: ICredentialTestRequest): INodeType {
	return {
		description: {
			displayName: 'Temp-Node',
			name: 'n8n-nodes-base.noOp',
			group: ['transform'],
			version: 1,
			description: 'Runs a credential test request',
			defaults: { name: 'Temp-Node' },
			inputs: ['main'],
			outputs: ['main'],
			credentials: [{ name: typeName, required: true }],
			properties: [
				{
					displayName: 'Temp',
					name: 'temp',
					type: 'string',
					routing: { request: test.request },
					default: '',
				},
			],
		},
	};
}

type HttpFailure = {
	cause?: { code?: string; response?: { status: number; statusText?: string } };
};

/** The message n8n's CredentialsTester shows for a failed test request. */
function failedTestResult(
	error: Error & HttpFailure,
	test: ICredentialTestRequest,
): INodeCredentialTestResult {
	const response = error.cause?.response;
	if (response) {
		for (const rule of test.rules ?? []) {
			if (rule.type === 'responseCode' && rule.properties.value === response.status) {
				return { status: 'Error', message: rule.properties.message };
			}
		}
		return {
			status: 'Error',
			message: response.statusText || `Received HTTP status code: ${response.status}`,
		};
	}
	return { status: 'Error', message: error.cause?.code ?? error.message };
}

function succeededTestResult(
	body: unknown,
	test: ICredentialTestRequest,
): INodeCredentialTestResult {
	for (const rule of test.rules ?? []) {
		if (rule.type !== 'responseSuccessBody') continue;
		const value = rule.properties.key
			.split('.')
			.reduce<unknown>((at, key) => (at as Record<string, unknown> | undefined)?.[key], body);
		if (value === rule.properties.value)
			return { status: 'Error', message: rule.properties.message };
	}
	return { status: 'OK', message: 'Connection successful!' };
}

/**
 * Runs the credential type's `test` request the way n8n's Test button does: n8n-core's
 * RoutingNode on a temporary node, through the same authenticate/preAuthentication path.
 */
export async function testCredential(
	credentialType: ICredentialType,
	credentials: ICredentialDataDecryptedObject,
): Promise<INodeCredentialTestResult> {
	const { test } = credentialType;
	if (!test)
		throw new UnexpectedError(`Credential type "${credentialType.name}" has no test request`);
	// A copy: the Test button checks unsaved form data, so a fetched token is not persisted.
	const helper = new HarnessCredentialsHelper([credentialType], {
		[credentialType.name]: { ...credentials },
	});
	const nodeType = credentialTestNodeType(credentialType.name, test);
	const { workflow, node } = buildWorkflow({
		nodeType,
		typeName: nodeType.description.name,
		parameters: {},
		credentialTypeNames: [credentialType.name],
		active: false,
	});
	const context = new ExecuteContext(
		workflow,
		node,
		buildAdditionalData(helper),
		'internal',
		createEmptyRunExecutionData(),
		0,
		[],
		{ main: [[{ json: {} }]] },
		{ node, data: {}, source: null },
		[],
	);
	const decrypted = {
		id: `${credentialType.name}-id`,
		name: credentialType.name,
		type: credentialType.name,
		data: helper.withDefaults(credentialType.name, credentials),
	};
	try {
		const output = await new RoutingNode(context, nodeType, decrypted).runNode();
		return succeededTestResult(output?.[0]?.[0]?.json, test);
	} catch (error) {
		return failedTestResult(error as Error & HttpFailure, test);
	}
}
