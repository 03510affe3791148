// Builds the one-node Workflow and the additional data n8n-core's contexts run a node against.
import type {
	ICredentialsHelper,
	IDataObject,
	INode,
	INodeCredentials,
	INodeParameters,
	INodeType,
	INodeTypes,
	IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';
import { UnexpectedError, Workflow } from 'n8n-workflow';
import { ExternalSecretsProxy } from 'n8n-core';

import { ensureN8nServices } from './services';

/** Community nodes are registered as `<package>.<description.name>`. */
export const PACKAGE_NAME = 'n8n-nodes-audit-log';

export type WorkflowSpec = {
	nodeType: INodeType;
	parameters: INodeParameters;
	credentialTypeNames: string[];
	active: boolean;
	/** The node's `getWorkflowStaticData('node')` object; mutated in place by the node. */
	staticData?: IDataObject;
	/** Node type name override, e.g. `n8n-nodes-base.noOp` for the credential test. */
	typeName?: string;
	continueOnFail?: boolean;
};

export type BuiltWorkflow = { workflow: Workflow; node: INode };

const latestVersion = (nodeType: INodeType): number => {
	const { version } = nodeType.description;
	return Array.isArray(version) ? Math.max(...version) : version;
};

function singleNodeTypes(typeName: string, nodeType: INodeType): INodeTypes {
	const lookup = (name: string): INodeType => {
		if (name !== typeName) throw new UnexpectedError(`Unknown node type "${name}" in the harness`);
		return nodeType;
	};
	return {
		getByName: lookup,
		getByNameAndVersion: lookup,
		getKnownTypes: () => ({ [typeName]: { className: nodeType.constructor.name, sourcePath: '' } }),
	};
}

/** Node credentials as a saved workflow holds them: one reference per credential type. */
function credentialReferences(typeNames: string[]): INodeCredentials | undefined {
	if (typeNames.length === 0) return undefined;
	return Object.fromEntries(typeNames.map((name) => [name, { id: `${name}-id`, name }]));
}

export function buildWorkflow(spec: WorkflowSpec): BuiltWorkflow {
	ensureN8nServices();
	const { description } = spec.nodeType;
	const typeName = spec.typeName ?? `${PACKAGE_NAME}.${description.name}`;
	const node: INode = {
		id: 'harness-node',
		name: description.defaults.name ?? description.displayName,
		type: typeName,
		typeVersion: latestVersion(spec.nodeType),
		position: [0, 0],
		// A copy: the Workflow constructor replaces it with defaults filled in, as n8n does on load.
		parameters: structuredClone(spec.parameters),
		credentials: credentialReferences(spec.credentialTypeNames),
		...(spec.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
	};
	const workflow = new Workflow({
		id: 'harness-workflow',
		name: 'Harness workflow',
		nodes: [node],
		connections: {},
		active: spec.active,
		nodeTypes: singleNodeTypes(typeName, spec.nodeType),
		// Workflow keys node static data by `node:<name>` and wraps (not copies) the object.
		staticData: spec.staticData ? { [`node:${node.name}`]: spec.staticData } : undefined,
		settings: { executionOrder: 'v1' },
	});
	return { workflow, node: workflow.nodes[node.name] };
}

const unavailable = (what: string) => () => {
	throw new UnexpectedError(`${what} is not available in the test harness`);
};

/**
 * A plain object, not a deep mock: n8n-core branches on optional members being undefined
 * (`evalLlmMockHandler`, `encryptedRunnerIdentity`), which a deep mock would fill in.
 */
export function buildAdditionalData(
	credentialsHelper: ICredentialsHelper,
): IWorkflowExecuteAdditionalData {
	const baseUrl = 'http://localhost:5678';
	return {
		credentialsHelper,
		executionId: 'harness-execution',
		currentNodeExecutionIndex: 0,
		restApiUrl: `${baseUrl}/rest`,
		instanceBaseUrl: baseUrl,
		formBaseUrl: `${baseUrl}/form`,
		formWaitingBaseUrl: `${baseUrl}/form-waiting`,
		formTestBaseUrl: `${baseUrl}/form-test`,
		webhookBaseUrl: `${baseUrl}/webhook`,
		webhookWaitingBaseUrl: `${baseUrl}/webhook-waiting`,
		webhookTestBaseUrl: `${baseUrl}/webhook-test`,
		mcpBaseUrl: `${baseUrl}/mcp`,
		mcpTestBaseUrl: `${baseUrl}/mcp-test`,
		variables: {},
		// No secrets manager: `$secrets` in credentials resolves to nothing, as with none configured.
		externalSecretsProxy: new ExternalSecretsProxy(),
		executeWorkflow: unavailable('executeWorkflow'),
		getRunExecutionData: unavailable('getRunExecutionData'),
		getRuntimeCredential: unavailable('getRuntimeCredential'),
		logAiEvent: () => {},
		startRunnerTask: unavailable('startRunnerTask'),
	};
}
