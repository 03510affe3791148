/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test-only: setImmediate is a real turn of the event loop, as ctx.turn is */
// A SourceContext served by a fake backend in memory: the reader and a source without HTTP or n8n.
import { DEFAULT_MAX_BODY_BYTES } from '../../nodes/shared/context';
import type { ApiRequest, ApiResponse, SourceContext } from '../../nodes/shared/types';
import { stubFunctions } from './auditLog';
import type { CbcBackend } from './cbcBackend';

/**
 * Requests go straight to `backend.handle` with the CBC auth header; any non-2xx answer throws.
 * `turn` is a real turn of the event loop (a request asked for before it has been made), each one
 * told to `onTurn` with its `asked` flag.
 */
export function memoryContext(backend: CbcBackend, onTurn?: (asked: boolean) => void): SourceContext {
	const credentials = { ...backend.credentials };
	const token = `${credentials.apiSecretKey}/${credentials.apiId}`;
	const request = async <T>(req: ApiRequest): Promise<ApiResponse<T>> => {
		const answer = backend.handle({
			method: req.method,
			path: req.url,
			headers: { 'x-auth-token': token, 'content-type': 'application/json' },
			body: structuredClone(req.body),
		});
		if (answer.status >= 300) throw new Error(`HTTP ${answer.status}: ${JSON.stringify(answer.body)}`);
		return { status: answer.status, headers: answer.headers ?? {}, body: answer.body as T };
	};
	return {
		fn: stubFunctions(),
		itemIndex: 0,
		request,
		requestWithoutAuth: async () => {
			throw new Error('not used in memory');
		},
		credentials: async () => credentials,
		sleep: async () => undefined,
		turn: async (asked = false) => {
			onTurn?.(asked);
			await new Promise((resolve) => setImmediate(resolve));
		},
		throwIfCancelled: () => undefined,
		now: () => Date.parse('2024-06-01T00:00:00.000Z'),
		note: () => undefined,
		maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
		redact: (text: string) => text,
	};
}

/** What the reader itself uses of a context, for fake sources that make no request. */
export function readerOnlyContext(): SourceContext {
	return {
		throwIfCancelled: () => undefined,
		now: () => 0,
		turn: async () => undefined,
		fn: {},
	} as unknown as SourceContext;
}
