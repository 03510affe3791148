// Builds the SourceContext a source runs with: the transport, cached credentials, cancel-aware waits, notes.
import {
	NodeApiError,
	NodeOperationError,
	sleep,
	type ICredentialDataDecryptedObject,
	type JsonObject,
} from 'n8n-workflow';
import { DEFAULT_TRANSPORT, redactSecrets, Transport, type TransportSettings } from './transport';
import type { ApiRequest, AuditSource, RequestFunctions, SourceContext } from './types';

/** Longest single sleep slice, so a cancel is noticed within this many ms even during long waits. */
const SLEEP_SLICE_MS = 250;

function cancelSignal(fn: RequestFunctions): AbortSignal | undefined {
	const getter = (fn as { getExecutionCancelSignal?: () => AbortSignal | undefined }).getExecutionCancelSignal;
	return typeof getter === 'function' ? getter.call(fn) : undefined;
}

/** Default cap on one body a run holds (download, inflated gzip, joined export parts). */
export const DEFAULT_MAX_BODY_BYTES = 512 * 1024 * 1024;

export type ContextOptions = Partial<TransportSettings> & {
	/** Collects notes for the execution hints; the caller decides where they go. */
	notes?: string[];
	/** Epoch ms by which the run hands back what it has (a poll's deadline). */
	deadline?: number;
	/** Cap on one body, in bytes. */
	maxBodyBytes?: number;
};

export function createSourceContext(
	fn: RequestFunctions,
	source: AuditSource,
	itemIndex: number,
	options: ContextOptions = {},
): SourceContext {
	const settings: TransportSettings = { ...DEFAULT_TRANSPORT, ...definedOnly(options) };
	const notes = options.notes ?? [];
	let credentialsPromise: Promise<ICredentialDataDecryptedObject> | undefined;
	let loaded: ICredentialDataDecryptedObject | undefined;
	const credentials = async () =>
		(credentialsPromise ??= fn.getCredentials(source.credentialType, itemIndex).then((c) => (loaded = c)));

	const throwIfCancelled = () => {
		if (cancelSignal(fn)?.aborted) {
			throw new NodeOperationError(fn.getNode(), 'The execution was cancelled', { itemIndex });
		}
	};
	const pause = async (ms: number) => {
		let left = ms;
		while (left > 0) {
			throwIfCancelled();
			const slice = Math.min(left, SLEEP_SLICE_MS);
			await sleep(slice);
			left -= slice;
		}
		throwIfCancelled();
	};
	// A request aborted by n8n's cancel signal fails as a network error: report the cancel instead.
	const cancellable = async <T>(call: () => Promise<T>): Promise<T> => {
		throwIfCancelled();
		try {
			return await call();
		} catch (error) {
			throwIfCancelled();
			// Both constructors hand back an error of their own class unchanged.
			if (error instanceof NodeOperationError) throw new NodeOperationError(fn.getNode(), error);
			throw new NodeApiError(fn.getNode(), error as JsonObject);
		}
	};
	const transport = new Transport(fn, source, itemIndex, credentials, settings, pause);

	return {
		fn,
		itemIndex,
		request: async <T>(req: ApiRequest) => await cancellable(async () => await transport.request<T>(req)),
		requestWithoutAuth: async (req: ApiRequest) =>
			await cancellable(async () => await transport.request<Buffer>({ ...req, binary: true }, false)),
		credentials,
		sleep: pause,
		throwIfCancelled,
		now: settings.now,
		note: (message: string) => {
			notes.push(redactSecrets(message, loaded));
		},
		deadline: options.deadline,
		maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
		redact: (text: string) => redactSecrets(text, loaded),
	};
}

function definedOnly<T extends object>(value: T): Partial<T> {
	return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
