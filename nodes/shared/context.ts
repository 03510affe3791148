// Builds the SourceContext a source runs with: the transport, cached credentials, cancel- and
// deadline-aware waits, the body cap, redacted notes.
import {
	NodeApiError,
	NodeOperationError,
	sleep,
	type ICredentialDataDecryptedObject,
	type JsonObject,
} from 'n8n-workflow';
import { DEFAULT_MAX_BODY_BYTES } from './limits';
import {
	DEFAULT_TRANSPORT,
	deadlineError,
	isMayHaveWritten,
	redactSecrets,
	Transport,
	type TransportSettings,
} from './transport';
import type { ApiRequest, AuditSource, RequestFunctions, SourceContext } from './types';

/** Longest single sleep slice, so a cancel is noticed within this many ms even during long waits. */
const SLEEP_SLICE_MS = 250;

function cancelSignal(fn: RequestFunctions): AbortSignal | undefined {
	const getter = (fn as { getExecutionCancelSignal?: () => AbortSignal | undefined })
		.getExecutionCancelSignal;
	return typeof getter === 'function' ? getter.call(fn) : undefined;
}

/** Default cap on one body a run holds (download, inflated gzip, joined export parts): see limits.ts. */
export { DEFAULT_MAX_BODY_BYTES };

export type ContextOptions = Partial<TransportSettings> & {
	/** Collects notes for the execution hints; the caller decides where they go. */
	notes?: string[];
	/** Epoch ms by which the run hands back what it has (a poll's deadline). */
	deadline?: number;
	/** Cap on one body, in bytes. */
	maxBodyBytes?: number;
	/** Replaces the real sleep (tests drive time with it); still sliced and cancel-aware. */
	sleep?: (ms: number) => Promise<void>;
};

export function createSourceContext(
	fn: RequestFunctions,
	source: AuditSource,
	itemIndex: number,
	options: ContextOptions = {},
): SourceContext {
	const settings: TransportSettings = {
		...DEFAULT_TRANSPORT,
		...definedOnly({ ...options, notes: undefined, sleep: undefined }),
		signal: cancelSignal(fn),
	};
	// The transport reads the deadline on every request: a cursor read holds it while it only
	// re-reads what it already emitted (see `holdDeadline`).
	let deadlineHeld = false;
	Object.defineProperty(settings, 'deadline', {
		get: () => (deadlineHeld ? undefined : options.deadline),
		enumerable: true,
	});
	const realSleep = options.sleep ?? sleep;
	const notes = options.notes ?? [];
	let credentialsPromise: Promise<ICredentialDataDecryptedObject> | undefined;
	let loaded: ICredentialDataDecryptedObject | undefined;
	const credentials = async () =>
		(credentialsPromise ??= fn
			.getCredentials(source.credentialType, itemIndex)
			.then((c) => (loaded = c)));

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
			await realSleep(slice);
			left -= slice;
		}
		throwIfCancelled();
	};
	// A request aborted by n8n's cancel signal fails as a network error: report the cancel instead,
	// keeping a write's "may have been written" (the user must know before sending it again).
	let inFlight = 0;
	const cancellable = async <T>(call: () => Promise<T>): Promise<T> => {
		throwIfCancelled();
		inFlight++;
		try {
			return await call();
		} catch (error) {
			if (cancelSignal(fn)?.aborted && isMayHaveWritten(error)) {
				throw new NodeOperationError(fn.getNode(), 'The execution was cancelled', {
					description: (error as Error).message,
					itemIndex,
				});
			}
			throwIfCancelled();
			// Both constructors hand back an error of their own class unchanged.
			if (error instanceof NodeOperationError) throw new NodeOperationError(fn.getNode(), error);
			throw new NodeApiError(fn.getNode(), error as JsonObject);
		} finally {
			inFlight--;
		}
	};
	const transport = new Transport(fn, source, itemIndex, credentials, settings, pause);
	// A source's own waits (export job polls, 202 polls) end at the deadline like the transport's.
	const sleepUntilDeadline = async (ms: number) => {
		if (settings.deadline !== undefined && settings.now() + ms > settings.deadline) {
			throw deadlineError(fn, itemIndex, `waiting ${Math.ceil(ms / 1000)} s`);
		}
		await pause(ms);
	};

	return {
		fn,
		itemIndex,
		request: async <T>(req: ApiRequest) =>
			await cancellable(async () => await transport.request<T>(req)),
		requestWithoutAuth: async <T = Buffer>(req: ApiRequest) =>
			await cancellable(async () => await transport.request<T>({ ...req, binary: true }, false)),
		credentials,
		sleep: sleepUntilDeadline,
		// n8n's own sleep, not the injected one: a turn of the event loop, not a span of time.
		turn: async (asked = false) => (asked || inFlight > 0 ? await sleep(0) : undefined),
		throwIfCancelled,
		now: settings.now,
		note: (message: string) => {
			notes.push(redactSecrets(message, loaded));
		},
		deadline: options.deadline,
		holdDeadline: (held: boolean) => {
			deadlineHeld = held;
		},
		maxBodyBytes: settings.maxBodyBytes,
		redact: (text: string) => redactSecrets(text, loaded),
	};
}

function definedOnly<T extends object>(value: T): Partial<T> {
	return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
