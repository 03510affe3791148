// Pangea request plumbing: base URL, config_id, the response envelope, 202 Accepted polling, error
// text (vendor words go through the context's redactor before they reach a user).
import {
	NodeApiError,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type JsonObject,
} from 'n8n-workflow';
import type { ApiRequest, ApiResponse, SourceContext, VendorError } from '../../types';

/** Every Pangea answer: `result` holds the call's own data when `status` is Success. */
export type PangeaEnvelope<T = IDataObject> = {
	request_id?: string;
	status?: string;
	summary?: string;
	result?: T;
};

type ValidationDetail = { code?: unknown; detail?: unknown; source?: unknown; path?: unknown };

export const DEFAULT_DOMAIN = 'aws.us.pangea.cloud';
/** The Node SDK's budget for one asynchronous call; Export and Wait passes its own Max Wait. */
export const DEFAULT_ASYNC_WAIT_MS = 120_000;
/** Longest pause between two polls of `/request/{id}`: the SDK's retry² seconds, capped. */
const MAX_POLL_DELAY_MS = 30_000;

export function pangeaBaseUrl(credentials: ICredentialDataDecryptedObject): string {
	const override = String(credentials.baseUrl ?? '').trim();
	if (override !== '') return override.replace(/\/+$/, '');
	// Users paste what the console shows; tolerate a scheme or the service prefix around the domain.
	const domain = String(credentials.domain ?? '')
		.trim()
		.replace(/^https?:\/\//i, '')
		.replace(/^audit\./i, '')
		.replace(/\/+$/, '');
	return `https://audit.${domain === '' ? DEFAULT_DOMAIN : domain}`;
}

/** Delay before poll number `attempt` (1-based): 1 s, 4 s, 9 s, … as the SDKs do, capped. */
export function pollDelayMs(attempt: number): number {
	return Math.min(attempt * attempt * 1000, MAX_POLL_DELAY_MS);
}

function isAccepted(response: ApiResponse<PangeaEnvelope<unknown>>): boolean {
	return response.status === 202 || response.body?.status === 'Accepted';
}

function apiError(ctx: SourceContext, status: number, body: unknown, fallback: string): NodeApiError {
	const vendor = describePangeaError(status, body);
	const message = ctx.redact(vendor?.message ?? fallback);
	return new NodeApiError(ctx.fn.getNode(), { message } as JsonObject, {
		message: `Pangea: ${message}`,
		description: vendor?.description === undefined ? undefined : ctx.redact(vendor.description),
		httpCode: String(status),
		itemIndex: ctx.itemIndex,
	});
}

/** Polls `GET /request/{id}` until the call is done, within `maxWaitMs`; cancel ends the wait. */
async function waitForResult<T>(
	ctx: SourceContext,
	accepted: ApiResponse<PangeaEnvelope<T>>,
	path: string,
	maxWaitMs: number,
): Promise<ApiResponse<PangeaEnvelope<T>>> {
	const requestId = accepted.body?.request_id;
	if (typeof requestId !== 'string' || requestId === '') {
		throw apiError(ctx, accepted.status, accepted.body, `${path} was accepted without a request_id to poll`);
	}
	const deadline = ctx.now() + maxWaitMs;
	let response = accepted;
	for (let attempt = 1; isAccepted(response); attempt++) {
		const left = deadline - ctx.now();
		if (left <= 0) {
			const message = ctx.redact(`Pangea is still processing ${path} (request ${requestId}) after ${Math.round(maxWaitMs / 1000)} s`);
			throw new NodeApiError(ctx.fn.getNode(), { message: 'still processing', request_id: ctx.redact(requestId) } as JsonObject, {
				message,
				description:
					'Pangea keeps the result for a while: run again later, or read less per run (a shorter time range, a Limit). For Export and Wait, raise Options > Max Wait.',
				httpCode: '202',
				itemIndex: ctx.itemIndex,
			});
		}
		await ctx.sleep(Math.min(pollDelayMs(attempt), left));
		response = await ctx.request<PangeaEnvelope<T>>({
			method: 'GET',
			url: `/request/${encodeURIComponent(requestId)}`,
			acceptStatus: [202],
		});
	}
	return response;
}

/**
 * POSTs a Pangea call and returns its `result`: `config_id` added when the credential has one,
 * a 202 Accepted answer polled to its end. A non-Success envelope becomes a NodeApiError.
 */
export async function pangeaPost<T = IDataObject>(
	ctx: SourceContext,
	path: string,
	body: IDataObject,
	maxWaitMs = DEFAULT_ASYNC_WAIT_MS,
	extra: Pick<ApiRequest, 'nonIdempotent'> = {},
): Promise<T> {
	return await pangeaFinish<T>(ctx, await pangeaSend<T>(ctx, path, body, extra), path, maxWaitMs);
}

/**
 * POSTs a Pangea call and returns the answer as it came, a 202 Accepted not polled yet (see
 * pangeaFinish), so several asynchronous calls can be in flight at once.
 */
export async function pangeaSend<T = IDataObject>(
	ctx: SourceContext,
	path: string,
	body: IDataObject,
	extra: Pick<ApiRequest, 'nonIdempotent'> = {},
): Promise<ApiResponse<PangeaEnvelope<T>>> {
	const credentials = await ctx.credentials();
	const configId = String(credentials.configId ?? '').trim();
	const payload = configId === '' ? body : { ...body, config_id: configId };
	// Like Pangea's SDKs: a retry names the failed attempts, so a write (log) is not applied twice.
	const failedIds: string[] = [];
	return await ctx.request<PangeaEnvelope<T>>({
		method: 'POST',
		url: path,
		body: payload,
		acceptStatus: [202],
		...extra,
		retryHeaders: (failed) => {
			const id = (failed.body as { request_id?: unknown } | undefined)?.request_id;
			if (typeof id === 'string' && id !== '') failedIds.push(id);
			return failedIds.length > 0 ? { 'X-Pangea-Retried-Request-Ids': failedIds.join(',') } : undefined;
		},
	});
}

/** A Pangea answer's `result`: a 202 Accepted polled to its end first; a non-Success envelope throws. */
export async function pangeaFinish<T = IDataObject>(
	ctx: SourceContext,
	answer: ApiResponse<PangeaEnvelope<T>>,
	path: string,
	maxWaitMs = DEFAULT_ASYNC_WAIT_MS,
): Promise<T> {
	let response = answer;
	if (isAccepted(response)) response = await waitForResult(ctx, response, path, maxWaitMs);
	const envelope = response.body;
	if (envelope?.status !== 'Success') {
		throw apiError(ctx, response.status, envelope, `${path} answered without a Success status`);
	}
	return (envelope.result ?? {}) as T;
}

function validationDetails(result: unknown): string[] {
	const errors = (result as { errors?: unknown } | undefined)?.errors;
	if (!Array.isArray(errors)) return [];
	return errors.map((raw: ValidationDetail) => {
		const where = typeof raw.source === 'string' && raw.source !== '' ? `${raw.source}: ` : '';
		const detail = typeof raw.detail === 'string' ? raw.detail : 'invalid value';
		const code = typeof raw.code === 'string' ? ` (${raw.code})` : '';
		return `${where}${detail}${code}`;
	});
}

const HOW_TO_FIX: Record<string, string> = {
	MissingConfigID:
		'The token can reach several audit configurations, so Pangea needs to know which one: set Config ID (pci_…, in the Pangea console under Secure Audit Log > Settings) in the Pangea Audit API credential.',
	MissingConfigIDScope:
		'The Config ID in the Pangea Audit API credential is not one this token may use: copy the Config ID of the right audit configuration, or give the token access to it.',
	Unauthorized:
		'Pangea refused the token: check Token in the Pangea Audit API credential, that it is enabled for Secure Audit Log and not expired, and that Domain is the one shown in the console.',
	ServiceNotEnabled: 'Secure Audit Log is not enabled for this token or project: enable it in the Pangea console.',
	NoCredit: 'The Pangea project has no credit left for this call: check its plan and usage in the console.',
	TooManyRequests: 'Pangea kept rate-limiting this run: run again later or read less per run.',
	NotFound:
		'Pangea did not find it: search results expire after a while, and Domain / Base URL must point at the Secure Audit Log service.',
	ServiceNotAvailable: 'Pangea is temporarily unavailable: try again later.',
};

/** A Pangea error envelope in the vendor's own words, with how to fix the common ones. */
export function describePangeaError(status: number, body: unknown): VendorError | undefined {
	if (!body || typeof body !== 'object') return undefined;
	const envelope = body as PangeaEnvelope<unknown>;
	if (typeof envelope.status !== 'string' || envelope.status === '') return undefined;
	const summary = typeof envelope.summary === 'string' && envelope.summary !== '' ? `: ${envelope.summary}` : '';
	const details = validationDetails(envelope.result);
	const message = `${envelope.status}${summary}${details.length > 0 ? ` (${details.join('; ')})` : ''}`;
	let description = HOW_TO_FIX[envelope.status];
	if (envelope.status === 'ValidationError') {
		description = 'Pangea rejected a field of the request (named above as a JSON pointer): check the filters or the event fields.';
	}
	if (!description && status === 401) description = HOW_TO_FIX.Unauthorized;
	if (typeof envelope.request_id === 'string' && envelope.request_id !== '') {
		description = `${description ?? 'See the Pangea console for details.'} Pangea request id: ${envelope.request_id}.`;
	}
	return { message, description, retryable: envelope.status === 'TooManyRequests' };
}
