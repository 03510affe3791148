// The only code that performs HTTP: retries with backoff, rate-limit waits, a request budget, error mapping.
import {
	NodeApiError,
	type ICredentialDataDecryptedObject,
	type IHttpRequestOptions,
	type JsonObject,
} from 'n8n-workflow';
import type { ApiRequest, ApiResponse, AuditSource, NodeFunctions, VendorError } from './types';

export type TransportSettings = {
	/** Attempts per request, the first included. */
	maxAttempts: number;
	/** Upper bound on all waiting one run may do for retries and rate limits. */
	maxTotalWaitMs: number;
	/** First backoff step; doubles per attempt, with full jitter above half of it. */
	baseDelayMs: number;
	maxDelayMs: number;
	/** Client-side budget: at most this many requests in any one-second window. */
	requestsPerSecond?: number;
	random: () => number;
	now: () => number;
};

export const DEFAULT_TRANSPORT: TransportSettings = {
	maxAttempts: 6,
	maxTotalWaitMs: 5 * 60_000,
	baseDelayMs: 500,
	maxDelayMs: 30_000,
	random: Math.random,
	now: Date.now,
};

const RETRYABLE_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);
const RETRYABLE_CODES = new Set([
	'ECONNRESET',
	'ETIMEDOUT',
	'EPIPE',
	'EAI_AGAIN',
	'ECONNABORTED',
	'ERR_BAD_RESPONSE',
	'UND_ERR_SOCKET',
	'ESOCKETTIMEDOUT',
]);
/** Credential fields whose values must never appear in an error: matched by name. */
const SECRET_FIELD = /secret|token|password|privatekey|^apikey$/i;

type Header = string | string[] | undefined;

function header(headers: Record<string, Header>, ...names: string[]): string | undefined {
	for (const name of names) {
		const value = headers[name] ?? headers[name.toLowerCase()];
		if (value !== undefined) return Array.isArray(value) ? value[0] : value;
	}
	return undefined;
}

/**
 * The wait a vendor asks for, in ms: `Retry-After` (seconds or an HTTP date), else the reset
 * headers (Cisco: relative seconds, both spellings). Undefined when it asks for none.
 */
export function requestedWaitMs(headers: Record<string, Header>, now: number): number | undefined {
	const retryAfter = header(headers, 'retry-after');
	if (retryAfter !== undefined) {
		const seconds = Number(retryAfter);
		if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
		const date = Date.parse(retryAfter);
		if (!Number.isNaN(date)) return Math.max(0, date - now);
	}
	const reset = header(headers, 'x-ratelimit-reset', 'x-rate-limit-reset');
	if (reset !== undefined && Number.isFinite(Number(reset))) {
		const value = Number(reset);
		// An epoch timestamp (seconds) rather than a delay: some gateways send one.
		if (value > 1_000_000_000) return Math.max(0, value * 1000 - now);
		return Math.max(0, value * 1000);
	}
	return undefined;
}

/** Exponential backoff with jitter: attempt 1 → [base/2, base], attempt 2 → [base, 2·base], … */
export function backoffMs(attempt: number, settings: TransportSettings): number {
	const ceiling = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** (attempt - 1));
	return Math.round(ceiling / 2 + (settings.random() * ceiling) / 2);
}

/** Removes credential secrets from text that may reach a user (error messages, hints). */
export function redactSecrets(text: string, credentials: ICredentialDataDecryptedObject | undefined): string {
	if (!credentials) return text;
	let out = text;
	for (const [key, value] of Object.entries(credentials)) {
		if (typeof value === 'string' && value.length >= 4 && SECRET_FIELD.test(key)) {
			out = out.split(value).join('[redacted]');
		}
	}
	return out;
}

/**
 * Sliding one-second window: never more than `perSecond` requests in any 1 000 ms as the vendor
 * sees them. A request holds its slot from the moment it is sent until its answer arrives (the
 * slot's time moves to the answer), so arrival delays and read-ahead cannot squeeze an extra
 * request into the vendor's window.
 */
class RequestBudget {
	private readonly slots: Array<{ at: number }> = [];

	constructor(private readonly perSecond: number) {}

	/** How long to wait before the next request may be sent. */
	waitMs(now: number): number {
		for (let i = this.slots.length - 1; i >= 0; i--) if (now - this.slots[i].at >= 1000) this.slots.splice(i, 1);
		if (this.slots.length < this.perSecond) return 0;
		return Math.min(...this.slots.map((slot) => slot.at)) + 1000 - now;
	}

	reserve(now: number): { at: number } {
		const slot = { at: now };
		this.slots.push(slot);
		return slot;
	}
}

type Failure = { kind: 'status'; response: ApiResponse } | { kind: 'network'; code: string; message: string };

/**
 * One transport per source per run (never module state: n8n queue mode runs polls on any worker).
 * It owns the run's wait budget, the request budget and the "wait until reset" note a vendor left.
 */
export class Transport {
	private waitedMs = 0;
	private notBefore = 0;
	private readonly budget?: RequestBudget;

	constructor(
		private readonly fn: NodeFunctions,
		private readonly source: AuditSource,
		private readonly itemIndex: number,
		private readonly credentials: () => Promise<ICredentialDataDecryptedObject>,
		private readonly settings: TransportSettings,
		private readonly pause: (ms: number) => Promise<void>,
	) {
		if (settings.requestsPerSecond && settings.requestsPerSecond > 0) {
			this.budget = new RequestBudget(settings.requestsPerSecond);
		}
	}

	async request<T>(req: ApiRequest, authenticated = true): Promise<ApiResponse<T>> {
		const credentials = await this.credentials();
		const url = /^https?:\/\//i.test(req.url) ? req.url : joinUrl(this.source.baseUrl(credentials), req.url);
		let lastFailure: Failure | undefined;
		let attemptReq = req;
		for (let attempt = 1; attempt <= this.settings.maxAttempts; attempt++) {
			await this.waitForTurn();
			const outcome = await this.send(attemptReq, url, authenticated, credentials);
			if (outcome.kind === 'ok') {
				this.rememberQuota(outcome.response.headers);
				return outcome.response as ApiResponse<T>;
			}
			lastFailure = outcome;
			const vendor = outcome.kind === 'status' ? this.vendorError(outcome.response) : undefined;
			const retryable =
				outcome.kind === 'network'
					? RETRYABLE_CODES.has(outcome.code)
					: RETRYABLE_STATUS.has(outcome.response.status) || vendor?.retryable === true;
			if (!retryable || attempt === this.settings.maxAttempts) break;
			const extra = outcome.kind === 'status' ? req.retryHeaders?.(outcome.response) : undefined;
			if (extra) attemptReq = { ...attemptReq, headers: { ...attemptReq.headers, ...extra } };
			const asked =
				outcome.kind === 'status' ? requestedWaitMs(outcome.response.headers, this.settings.now()) : undefined;
			await this.wait(asked ?? backoffMs(attempt, this.settings), asked !== undefined, lastFailure);
		}
		throw this.toError(lastFailure as Failure, credentials);
	}

	private async send(
		req: ApiRequest,
		url: string,
		authenticated: boolean,
		credentials: ICredentialDataDecryptedObject,
	): Promise<{ kind: 'ok'; response: ApiResponse } | Failure> {
		// A stored token (CBC CSP sign-in) expires: a 401 must throw inside n8n's helper, which signs in
		// again and resends once (n8n 1.x and 2.x alike). Every answer then throws; it is read back below.
		const refreshOn401 = authenticated && this.source.refreshesTokenOn401?.(credentials) === true;
		const options: IHttpRequestOptions = {
			method: req.method,
			url,
			qs: req.qs,
			body: req.body,
			headers: { Accept: req.binary ? '*/*' : 'application/json', ...req.headers },
			json: !req.binary,
			returnFullResponse: true,
			ignoreHttpStatusErrors: !refreshOn401,
			disableFollowRedirect: req.noRedirect === true,
		};
		if (req.binary) options.encoding = 'arraybuffer';
		const slot = this.budget?.reserve(this.settings.now());
		let raw: { body: unknown; headers: Record<string, Header>; statusCode: number };
		try {
			raw = authenticated
				? await this.fn.helpers.httpRequestWithAuthentication.call(this.fn, this.source.credentialType, options)
				: await this.fn.helpers.httpRequest(options);
		} catch (error) {
			const answer = refreshOn401 ? thrownAnswer(error) : undefined;
			if (!answer) {
				if (signInRefused(error)) throw new NodeApiError(this.fn.getNode(), error as JsonObject);
				const cause = (error as { cause?: { code?: string } }).cause;
				const code = (error as { code?: string }).code ?? cause?.code ?? 'UNKNOWN';
				const message = (error as Error).message ?? String(error);
				return { kind: 'network', code, message };
			}
			raw = answer;
		} finally {
			if (slot) slot.at = this.settings.now();
		}
		const response: ApiResponse = { status: raw.statusCode, headers: raw.headers ?? {}, body: raw.body };
		if (req.binary && response.body !== undefined && !Buffer.isBuffer(response.body)) {
			response.body = Buffer.from(response.body as ArrayBuffer);
		}
		const accepted = (response.status >= 200 && response.status < 300) || req.acceptStatus?.includes(response.status);
		const redirect = req.noRedirect && response.status >= 300 && response.status < 400;
		if (accepted || redirect) {
			// A JSON answer that arrives as text was cut short: retry rather than hand a string on.
			if (!req.binary && typeof response.body === 'string' && response.body.trim() !== '') {
				return { kind: 'network', code: 'ERR_BAD_RESPONSE', message: 'The response body was not complete JSON' };
			}
			return { kind: 'ok', response };
		}
		return { kind: 'status', response };
	}

	private vendorError(response: ApiResponse): VendorError | undefined {
		try {
			return this.source.describeError(response.status, response.body);
		} catch {
			return undefined;
		}
	}

	/** Before each request: the vendor's "wait until reset" note, then the per-second budget. */
	private async waitForTurn(): Promise<void> {
		const now = this.settings.now();
		if (this.notBefore > now) {
			const ms = this.notBefore - now;
			this.notBefore = 0;
			await this.wait(ms, true, undefined);
		}
		if (this.budget) {
			let ms = this.budget.waitMs(this.settings.now());
			while (ms > 0) {
				await this.pause(ms);
				ms = this.budget.waitMs(this.settings.now());
			}
		}
	}

	/** A quota at zero with a reset time: the next request waits for the reset instead of drawing a 429. */
	private rememberQuota(headers: Record<string, Header>): void {
		const remaining = header(headers, 'x-ratelimit-remaining', 'x-rate-limit-remaining');
		if (remaining === undefined || Number(remaining) > 0) return;
		const reset = requestedWaitMs(headers, this.settings.now());
		if (reset !== undefined) this.notBefore = this.settings.now() + reset;
	}

	private async wait(ms: number, vendorAsked: boolean, failure: Failure | undefined): Promise<void> {
		const left = this.settings.maxTotalWaitMs - this.waitedMs;
		if (ms > left) {
			const seconds = Math.ceil(ms / 1000);
			const why = vendorAsked
				? `${this.source.displayName} asks to wait ${seconds} s before the next request (rate limit)`
				: `${this.source.displayName} kept failing`;
			throw new NodeApiError(
				this.fn.getNode(),
				{ message: why } as JsonObject,
				{
					message: `${why}, longer than the retry budget left (${Math.floor(left / 1000)} s)`,
					description:
						'Run again later, lower how much one run reads (Limit, a shorter time range), or for Cortex XDR lower Requests per Second.',
					httpCode: failure?.kind === 'status' ? String(failure.response.status) : undefined,
					itemIndex: this.itemIndex,
				},
			);
		}
		this.waitedMs += ms;
		await this.pause(ms);
	}

	private toError(failure: Failure, credentials: ICredentialDataDecryptedObject): NodeApiError {
		const node = this.fn.getNode();
		if (failure.kind === 'network') {
			const message = redactSecrets(`Could not reach ${this.source.displayName}: ${failure.message}`, credentials);
			return new NodeApiError(node, { message, code: failure.code } as JsonObject, {
				message,
				description: 'Check the Base URL / region in the credential and that this n8n can reach the host.',
				itemIndex: this.itemIndex,
			});
		}
		const { status, body } = failure.response;
		const vendor = this.vendorError(failure.response);
		const message = redactSecrets(vendor?.message ?? `${this.source.displayName} answered HTTP ${status}`, credentials);
		const description = redactSecrets(vendor?.description ?? defaultDescription(status), credentials);
		const safeBody = redactSecrets(typeof body === 'string' ? body : JSON.stringify(body ?? null), credentials);
		return new NodeApiError(node, { message, httpCode: String(status), body: safeBody.slice(0, 2000) } as JsonObject, {
			message: `${this.source.displayName}: ${message}`,
			description,
			httpCode: String(status),
			itemIndex: this.itemIndex,
		});
	}
}

function defaultDescription(status: number): string {
	if (status === 401) return 'The credential was refused: check the API key and ID (and that the key is not expired).';
	if (status === 403) return 'The API key lacks a permission this operation needs: see the README for the permissions per vendor.';
	if (status === 404) return 'The URL was not found: check the Base URL / region (and the org key for Carbon Black Cloud).';
	if (status === 429) return 'The vendor kept rate-limiting this run: run again later or read less per run.';
	if (status >= 500) return 'The vendor failed to answer after several retries: try again later.';
	return 'The vendor refused the request: check the filters of this node.';
}

type ThrownResponse = { status?: unknown; headers?: Record<string, Header>; data?: unknown };

/** An HTTP answer n8n's helper threw (a 401 after signing in again, or any other non-2xx), as an answer. */
function thrownAnswer(error: unknown): { body: unknown; headers: Record<string, Header>; statusCode: number } | undefined {
	const outer = error as { response?: ThrownResponse; cause?: { response?: ThrownResponse } };
	const response = outer.cause?.response ?? outer.response;
	if (typeof response?.status !== 'number') return undefined;
	return { statusCode: response.status, headers: { ...(response.headers ?? {}) }, body: response.data };
}

/** A credential's sign-in step refused the secret (CBC CSP): already in the vendor's words, handed on as it is. */
function signInRefused(error: unknown): boolean {
	const cause = (error as { cause?: { signIn?: unknown; code?: unknown } }).cause;
	return cause?.signIn === true && cause.code === undefined;
}

export function joinUrl(base: string, path: string): string {
	return base.replace(/\/+$/, '') + '/' + path.replace(/^\/+/, '');
}

