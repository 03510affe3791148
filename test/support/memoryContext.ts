// A SourceContext served by a fake backend in memory: the reader and a source without HTTP or n8n.
import { DEFAULT_MAX_BODY_BYTES } from '../../nodes/shared/context';
import type { ApiRequest, ApiResponse, SourceContext } from '../../nodes/shared/types';
import { stubFunctions } from './auditLog';
import type { CbcBackend } from './cbcBackend';

/** Requests go straight to `backend.handle` with the CBC auth header; any non-2xx answer throws. */
export function memoryContext(backend: CbcBackend): SourceContext {
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
		throwIfCancelled: () => undefined,
		now: () => Date.parse('2024-06-01T00:00:00.000Z'),
		note: () => undefined,
		maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
		redact: (text: string) => text,
	};
}
