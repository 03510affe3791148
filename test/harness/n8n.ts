// Runs a node's execute() or poll() through n8n-core's real contexts and request helpers.
import { isEngineRequest, PollContext, WorkflowExecute } from 'n8n-core';
import { createRunExecutionData, UnexpectedError } from 'n8n-workflow';
import type {
	IBinaryData,
	ICredentialDataDecryptedObject,
	ICredentialType,
	IDataObject,
	IExecuteData,
	INodeExecutionData,
	INodeParameters,
	INodeType,
	NodeExecutionHint,
	WorkflowExecuteMode,
} from 'n8n-workflow';

import { HarnessCredentialsHelper } from './credentials';
import { binaryDataService } from './services';
import { buildAdditionalData, buildWorkflow } from './workflow';

export { testCredential } from './credentials';

export type RunNodeOptions = {
	/** e.g. `new AuditLog()`; registered as `n8n-nodes-audit-log.<description.name>`. */
	nodeType: INodeType;
	/** As a saved workflow holds them; n8n fills in the defaults. */
	parameters: INodeParameters;
	/**
	 * Decrypted credentials by credential type name. Plays n8n's credentials table: a token
	 * fetched by `preAuthentication` is written back into these objects, as n8n persists it.
	 */
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	credentialTypes: ICredentialType[];
	/** Default `[{ json: {} }]`, what a trigger hands its first node. */
	input?: INodeExecutionData[];
	/** Default 'trigger': an active workflow started by a trigger. Pass 'manual' for an editor run. */
	mode?: WorkflowExecuteMode;
	/** `getWorkflowStaticData('node')`, mutated in place; JSON round-trip it to simulate a restart. */
	staticData?: IDataObject;
	/** Sets the node's "On Error" to "Continue" so `this.continueOnFail()` is true. */
	continueOnFail?: boolean;
	/** Becomes `this.getExecutionCancelSignal()` and every helper request's abort signal. */
	abortSignal?: AbortSignal;
};

export type RunPollOptions = Omit<
	RunNodeOptions,
	'input' | 'continueOnFail' | 'abortSignal' | 'mode'
> & {
	mode: 'trigger' | 'manual';
	/** Plays n8n's `__emitError` (a failed trigger execution); default: n8n-core's, which throws. */
	emitError?: (error: Error) => void;
	/** Plays the durable scheduler's `getPollBudgetMs`; default: n8n-core's 5 minutes. */
	pollBudgetMs?: number;
	/** The workflow's id, for tests of state shared across workflows (default `harness-workflow`). */
	workflowId?: string;
};

export type RunNodeResult = { output: INodeExecutionData[][]; hints: NodeExecutionHint[] };

function prepare(o: RunNodeOptions, active: boolean) {
	const credentials = o.credentials ?? {};
	const { workflow, node } = buildWorkflow({
		nodeType: o.nodeType,
		parameters: o.parameters,
		credentialTypeNames: Object.keys(credentials),
		active,
		staticData: o.staticData,
		continueOnFail: o.continueOnFail,
	});
	const helper = new HarnessCredentialsHelper(o.credentialTypes, credentials);
	return { workflow, node, additionalData: buildAdditionalData(helper) };
}

/**
 * Runs `execute()` the way n8n's WorkflowExecute.runNode does (ExecuteContext, close functions,
 * execute-once). Throws whatever the node throws; with continueOnFail the node reports instead.
 */
export async function runNode(o: RunNodeOptions): Promise<RunNodeResult> {
	const mode = o.mode ?? 'trigger';
	const { workflow, node, additionalData } = prepare(o, mode !== 'manual');
	const runExecutionData = createRunExecutionData();
	const executeData: IExecuteData = {
		node,
		data: { main: [o.input ?? [{ json: {} }]] },
		source: null,
	};
	const response = await new WorkflowExecute(additionalData, mode, runExecutionData).runNode(
		workflow,
		executeData,
		runExecutionData,
		0,
		additionalData,
		mode,
		o.abortSignal,
	);
	if (isEngineRequest(response)) {
		throw new UnexpectedError(
			'The node asked the engine to run sub-nodes; the harness runs one node',
		);
	}
	return { output: response.data ?? [], hints: response.hints ?? [] };
}

/**
 * Runs `poll()` with n8n-core's PollContext: mode 'trigger' is an active workflow's scheduled
 * poll, 'manual' is "Fetch Test Event". Static data is shared in both modes (n8n would not
 * save it after a manual run), so a test can assert a manual run left the cursor alone.
 */
export async function runPoll(o: RunPollOptions): Promise<INodeExecutionData[][] | null> {
	const { poll } = o.nodeType;
	if (!poll) throw new UnexpectedError(`Node "${o.nodeType.description.name}" has no poll()`);
	const { workflow, node, additionalData } = prepare(o, o.mode === 'trigger');
	const activation = o.mode === 'manual' ? 'manual' : 'activate';
	if (o.workflowId !== undefined) workflow.id = o.workflowId;
	const budget = o.pollBudgetMs;
	const context = new PollContext(
		workflow,
		node,
		additionalData,
		o.mode,
		activation,
		undefined,
		o.emitError,
		undefined,
		undefined,
		undefined,
		budget === undefined ? undefined : () => budget,
	);
	return await poll.call(context);
}

/** The bytes behind a `binary` entry that `prepareBinaryData` produced. */
export async function binaryToBuffer(binary: IBinaryData): Promise<Buffer> {
	return await binaryDataService().getAsBuffer(binary);
}
