// The only code that performs HTTP: base-URL checks, redirects it follows itself (credentials never
// leave their origin), timeouts and the run's deadline, capped bodies, retries with backoff,
// rate-limit waits, a request budget, writes never repeated blindly, and error mapping.
import {
	NodeApiError,
	NodeOperationError,
	type IAdditionalCredentialOptions,
	type ICredentialDataDecryptedObject,
	type IHttpRequestMethods,
	type IHttpRequestOptions,
	type IDataObject,
	type JsonObject,
} from 'n8n-workflow';
import { BodyTooLarge, bodyTooLargeError, DEFAULT_MAX_BODY_BYTES } from './limits';
import type { ApiRequest, ApiResponse, AuditSource, BodyStream, RequestFunctions, VendorError } from './types';

export type TransportSettings = {
	/** Attempts per request after failed answers (429, 5xx), the first included. */
	maxAttempts: number;
	/** Attempts per request after failures without an answer (reset connection, cut-short body). */
	maxNetworkAttempts: number;
	/**
	 * Upper bound on the time one run may lose to failures: every pause (backoff, rate limits) and
	 * the time spent in failed attempts (a request that timed out costs its whole timeout).
	 */
	maxTotalWaitMs: number;
	/** First backoff step; doubles per attempt, with full jitter above half of it. */
	baseDelayMs: number;
	maxDelayMs: number;
	/** Client-side budget: at most this many requests in any one-second window. */
	requestsPerSecond?: number;
	/** Longest wait for an answer's headers, and longest silence while its body arrives. */
	requestTimeoutMs: number;
	/** Same-origin redirects followed per request. */
	maxRedirects: number;
	/** Largest body one answer may have (decoded bytes). */
	maxBodyBytes: number;
	/** Epoch ms after which no request starts and no wait begins (a poll's deadline). */
	deadline?: number;
	/** n8n's execution cancel signal, passed to every request. */
	signal?: AbortSignal;
	/** Arms a timer (the body's silence timeout); returns its disarm. Injected by tests. */
	timer: (ms: number, fire: () => void) => () => void;
	random: () => number;
	now: () => number;
};

/**
 * 60 s: a page of 10 000 audit records answers in a few seconds from every vendor, so a minute
 * is generous, and it is well under n8n's own 300 s (which would let one stuck request outlast
 * a poll interval) and under the 5-minute failure budget (a timeout costs its full minute).
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

export const DEFAULT_TRANSPORT: TransportSettings = {
	maxAttempts: 6,
	maxNetworkAttempts: 3,
	maxTotalWaitMs: 5 * 60_000,
	baseDelayMs: 500,
	maxDelayMs: 30_000,
	requestTimeoutMs: DEFAULT_REQUEST_TIMEOUT_MS,
	maxRedirects: 5,
	maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
	timer: (ms, fire) => {
		// A timeout signal rather than n8n's sleep: tests replace sleep with a virtual clock.
		const signal = AbortSignal.timeout(ms);
		const onTimeout = () => fire();
		signal.addEventListener('abort', onTimeout);
		return () => signal.removeEventListener('abort', onTimeout);
	},
	random: Math.random,
	now: Date.now,
};

const RETRYABLE_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);
/** Failures without an answer worth one more try. Timeouts are not: a slow server stays slow. */
const RETRYABLE_CODES = new Set([
	'ECONNRESET',
	'EPIPE',
	'EAI_AGAIN',
	'ERR_BAD_RESPONSE',
	'UND_ERR_SOCKET',
]);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ECONNABORTED', 'ESOCKETTIMEDOUT']);
/**
 * The network error's code (ECONNABORTED, ECONNREFUSED…) wherever n8n's helpers left it: on the error,
 * on its `cause` (n8n 2.x's NodeApiError), or in `errorResponse` / `httpCode` (n8n 1.x's NodeApiError,
 * whose `cause` has none; without this a timeout cut by the deadline failed the poll on n8n 1.x).
 */
function networkCode(error: unknown): string {
	const e = error as { code?: unknown; cause?: { code?: unknown }; errorResponse?: { code?: unknown }; httpCode?: unknown };
	for (const code of [e?.code, e?.cause?.code, e?.errorResponse?.code]) if (typeof code === 'string' && code !== '') return code;
	// `httpCode` also holds HTTP statuses ("404"): only a system error name counts here.
	return typeof e?.httpCode === 'string' && /^E[A-Z_]+$/.test(e.httpCode) ? e.httpCode : 'UNKNOWN';
}

/** Failures that happen before a byte of the request reached the server. */
const NOT_SENT_CODES = new Set([
	'ECONNREFUSED',
	'ENOTFOUND',
	'EAI_AGAIN',
	'ENETUNREACH',
	'EHOSTUNREACH',
]);
const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308]);
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

/**
 * The wait a failed answer asks for. `Retry-After` always counts; the reset headers only on a 429
 * or with the quota at zero: Cisco sends them on every answer, and a 503 with quota left is a
 * plain failure to back off from, not an order to wait for the quota window.
 */
export function failedAnswerWaitMs(response: ApiResponse, now: number): number | undefined {
	const remaining = header(response.headers, 'x-ratelimit-remaining', 'x-rate-limit-remaining');
	const quotaOut = remaining !== undefined && Number(remaining) <= 0;
	if (response.status === 429 || quotaOut) return requestedWaitMs(response.headers, now);
	const retryAfter = header(response.headers, 'retry-after');
	return retryAfter === undefined ? undefined : requestedWaitMs({ 'retry-after': retryAfter }, now);
}

/** Exponential backoff with jitter: attempt 1 → [base/2, base], attempt 2 → [base, 2·base], … */
export function backoffMs(
	attempt: number,
	settings: Pick<TransportSettings, 'baseDelayMs' | 'maxDelayMs' | 'random'>,
): number {
	const ceiling = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** (attempt - 1));
	return Math.round(ceiling / 2 + (settings.random() * ceiling) / 2);
}

/** The forms a secret may take in text: as is, base64 (Basic auth, tokens), URL-encoded. */
function secretForms(value: string, others: string[]): string[] {
	const forms = [
		value,
		encodeURIComponent(value),
		Buffer.from(value).toString('base64'),
		Buffer.from(value).toString('base64url'),
	];
	// Basic auth: base64 of "user:secret" hides the secret inside one token.
	for (const other of others) forms.push(Buffer.from(`${other}:${value}`).toString('base64'));
	return forms.filter((form) => form.length >= 4).sort((a, b) => b.length - a.length);
}

/** Removes credential secrets from text that may reach a user (error messages, hints). */
export function redactSecrets(
	text: string,
	credentials: ICredentialDataDecryptedObject | undefined,
): string {
	if (!credentials) return text;
	const values = Object.values(credentials).filter(
		(v): v is string => typeof v === 'string' && v !== '',
	);
	let out = text;
	for (const [key, value] of Object.entries(credentials)) {
		if (typeof value === 'string' && value.length >= 4 && SECRET_FIELD.test(key)) {
			for (const form of secretForms(value, values)) out = out.split(form).join('[redacted]');
		}
	}
	return out;
}

/** A stop at the run's deadline: the caller hands back what it has (see `isDeadlineError`). */
export class DeadlineError extends NodeOperationError {
	readonly deadlineExceeded = true;
}

/**
 * Whether an error is the transport's (or the context's) stop at `SourceContext.deadline`: no
 * request was started and no wait begun that would end past it. Cursor code catches it, emits
 * what it read and moves the cursor only over that.
 */
export function isDeadlineError(error: unknown): error is DeadlineError {
	return (
		error instanceof DeadlineError ||
		(error as { deadlineExceeded?: unknown } | null)?.deadlineExceeded === true
	);
}

export function deadlineError(fn: RequestFunctions, itemIndex: number, what: string): DeadlineError {
	return new DeadlineError(fn.getNode(), `Stopped at the run's deadline before ${what}`, {
		description: 'The run hands back what it read so far; the next run continues from there.',
		itemIndex,
	});
}

/** Whether an error is a write that failed after it was sent (see ApiRequest.nonIdempotent). */
export function isMayHaveWritten(error: unknown): boolean {
	return (error as { mayHaveWritten?: unknown } | null)?.mayHaveWritten === true;
}

function originOf(url: string): string | undefined {
	try {
		return new URL(url).origin;
	} catch {
		return undefined;
	}
}

/**
 * What is wrong with a base URL as the credential gives it, or undefined when nothing is. A URL
 * with user info, a query or a fragment would send secrets or parameters nobody meant, and a
 * scheme other than http(s) is not an API. A bare host (Pangea's Domain) is read as https.
 */
export function baseUrlProblem(text: string): string | undefined {
	const trimmed = text.trim();
	if (trimmed === '') return 'is empty';
	const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(trimmed)?.[1]?.toLowerCase();
	const hasAuthority = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed);
	if (scheme !== undefined && hasAuthority && scheme !== 'http' && scheme !== 'https') {
		return `uses the scheme "${scheme}:"; only http and https are allowed`;
	}
	let url: URL;
	try {
		url = new URL(hasAuthority ? trimmed : `https://${trimmed}`);
	} catch {
		return 'is not a valid URL';
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:')
		return `uses the scheme "${url.protocol}"; only http and https are allowed`;
	if (url.username !== '' || url.password !== '' || /^[^/?#]*\/\/[^/?#]*@/.test(trimmed)) {
		return 'contains user info (user:password@); the credential fields carry the keys';
	}
	if (trimmed.includes('?')) return 'contains a query (?…)';
	if (trimmed.includes('#')) return 'contains a fragment (#…)';
	return undefined;
}

/** A readable body stream (n8n returns one with `encoding: 'stream'`); stubs return plain values. */
function isStream(
	value: unknown,
): value is NodeJS.ReadableStream & { destroy(error?: Error): void } {
	return (
		typeof value === 'object' &&
		value !== null &&
		typeof (value as { on?: unknown }).on === 'function' &&
		typeof (value as { pipe?: unknown }).pipe === 'function'
	);
}

class NetworkFailure extends Error {
	constructor(
		message: string,
		readonly code: string,
	) {
		super(message);
	}
}

type BodyStreamLike = NodeJS.ReadableStream & { destroy(error?: Error): void };

type WatchOptions = {
	idleMs: number;
	timer: TransportSettings['timer'];
	now: () => number;
	signal?: AbortSignal;
};

/**
 * Watches a body stream as it is read: each chunk goes to `onChunk` and counts against `cap`.
 * Resolves with the body's length at its end. Past the cap (BodyTooLarge), after a silence longer
 * than `idleMs`, on a cancel, or when the connection is lost mid-body, the stream is destroyed with
 * the error, so whoever reads it fails too, and this rejects.
 *
 * `byAnother`: the body is read by someone else (n8n's binary store). A 'data' listener makes a
 * stream flow, so this one is only added when that reader adds its own ('data' or 'readable'),
 * just before it: nothing flows before the reader is there, and each chunk it takes (read() emits
 * 'data' too) is seen once, in order.
 */
function watchBody(
	stream: BodyStreamLike,
	cap: number,
	options: WatchOptions,
	onChunk: (chunk: Buffer) => void,
	byAnother = false,
): Promise<number> {
	return new Promise<number>((resolve, reject) => {
		let total = 0;
		let done = false;
		let disarm: () => void = () => undefined;
		const finish = (error: Error | undefined) => {
			if (done) return;
			done = true;
			disarm();
			options.signal?.removeEventListener('abort', onAbort);
			if (error) {
				reject(error);
				stream.destroy(error);
			} else resolve(total);
		};
		let lastData = options.now();
		// One timer at a time: when it fires, the silence so far decides (fail, or wait the rest).
		const arm = (ms: number) => {
			disarm = options.timer(ms, () => {
				const silent = options.now() - lastData;
				if (silent < options.idleMs) return arm(options.idleMs - silent);
				finish(
					new NetworkFailure(
						`no data for ${Math.round(options.idleMs / 1000)} s while reading the answer`,
						'ETIMEDOUT',
					),
				);
			});
		};
		const onAbort = () => finish(new NetworkFailure('the execution was cancelled', 'ERR_CANCELED'));
		if (options.signal?.aborted) return onAbort();
		options.signal?.addEventListener('abort', onAbort);
		arm(options.idleMs);
		const onData = (chunk: Buffer | string) => {
			if (done) return;
			const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
			if (total + bytes.length > cap) return finish(new BodyTooLarge(cap));
			onChunk(bytes);
			total += bytes.length;
			lastData = options.now();
		};
		if (!byAnother) stream.on('data', onData);
		else {
			const onReader = (event: string | symbol) => {
				if (event !== 'data' && event !== 'readable') return;
				stream.removeListener('newListener', onReader);
				stream.on('data', onData);
			};
			stream.on('newListener', onReader);
		}
		stream.on('end', () => finish(undefined));
		stream.on('error', (error: Error & { code?: string }) =>
			finish(
				new NetworkFailure(
					`the answer was cut short: ${error.message}`,
					error.code ?? 'ERR_BAD_RESPONSE',
				),
			),
		);
		stream.on('close', () =>
			finish(
				new NetworkFailure(
					'the connection closed before the answer was complete',
					'ERR_BAD_RESPONSE',
				),
			),
		);
	});
}

/**
 * Reads a body stream into one Buffer, counting bytes as they arrive: past `cap` the stream is
 * destroyed and BodyTooLarge thrown, so no more than the cap is ever held. A silence longer than
 * `idleMs`, a cancel or a connection lost mid-body fail it as a network failure.
 *
 * With `expectedBytes` (a declared Content-Length, within the cap) the bytes are copied into one
 * buffer of that size as they arrive, so a large answer is held once instead of as chunks and then
 * again as their join. An answer longer than it declared (a body decoded from gzip) goes on as
 * chunks; one shorter is handed back as what came.
 */
export async function readCapped(
	stream: BodyStreamLike,
	cap: number,
	options: WatchOptions & { expectedBytes?: number },
): Promise<Buffer> {
	const chunks: Buffer[] = [];
	const expected = options.expectedBytes;
	// Untouched pages of a large allocation are not resident: a length declared and never sent costs no memory.
	let whole = expected !== undefined && expected > 0 && expected <= cap ? Buffer.allocUnsafe(expected) : undefined;
	let held = 0;
	const total = await watchBody(stream, cap, options, (bytes) => {
		if (whole && held + bytes.length <= whole.length) bytes.copy(whole, held);
		else {
			if (whole) chunks.push(whole.subarray(0, held));
			whole = undefined;
			chunks.push(bytes);
		}
		held += bytes.length;
	});
	if (whole) return total === whole.length ? whole : whole.subarray(0, total);
	return Buffer.concat(chunks, total);
}

/**
 * Sliding one-second window: never more than `perSecond` requests in any 1 000 ms as the vendor
 * sees them. A request holds its slot from the moment it is sent until its answer arrives (the
 * slot's time moves to the answer), so arrival delays and requests fetched ahead cannot squeeze
 * an extra request into the vendor's window. A slot still waiting for its answer never expires:
 * the vendor may see that request as late as the answer comes.
 */
type BudgetSlot = { at: number; open: boolean };

class RequestBudget {
	private readonly slots: BudgetSlot[] = [];

	constructor(private readonly perSecond: number) {}

	/** How long to wait before the next request may be sent. */
	waitMs(now: number): number {
		for (let i = this.slots.length - 1; i >= 0; i--)
			if (!this.slots[i].open && now - this.slots[i].at >= 1000) this.slots.splice(i, 1);
		if (this.slots.length < this.perSecond) return 0;
		// An open slot counts as answered now: at least a second from now, checked again then.
		return Math.min(...this.slots.map((slot) => (slot.open ? now : slot.at))) + 1000 - now;
	}

	reserve(now: number): BudgetSlot {
		const slot = { at: now, open: true };
		this.slots.push(slot);
		return slot;
	}

	/** The answer (or the failure) came: the slot's second starts now. */
	static close(slot: BudgetSlot | undefined, now: number): void {
		if (slot === undefined || !slot.open) return;
		slot.at = now;
		slot.open = false;
	}
}

type Failure =
	| { kind: 'status'; response: ApiResponse }
	| {
			kind: 'network';
			code: string;
			message: string;
			sent: boolean;
			timedOut: boolean;
			response?: ApiResponse;
	  };

type Hop = {
	method: IHttpRequestMethods;
	url: string;
	qs?: IDataObject;
	body?: ApiRequest['body'];
};

/**
 * One transport per source per run (never module state: n8n queue mode runs polls on any worker).
 * It owns the run's failure budget, the request budget and the "wait until reset" note a vendor left.
 */
export class Transport {
	private lostMs = 0;
	private notBefore = 0;
	private readonly budget?: RequestBudget;
	private checkedBase?: string;

	constructor(
		private readonly fn: RequestFunctions,
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
		const base = this.baseUrl(credentials);
		const url = /^https?:\/\//i.test(req.url) ? req.url : joinUrl(base, req.url);
		if (authenticated && originOf(url) !== originOf(base)) {
			throw new NodeOperationError(
				this.fn.getNode(),
				`${this.source.displayName}: refused to send the credential to ${hostOf(url)}`,
				{
					description: `Authenticated requests go only to the credential's Base URL (${hostOf(base)}).`,
					itemIndex: this.itemIndex,
				},
			);
		}
		let answers = 0;
		let networkFailures = 0;
		let attemptReq = req;
		for (;;) {
			const slot = await this.waitForTurn();
			const started = this.settings.now();
			let outcome: Awaited<ReturnType<Transport['send']>>;
			try {
				outcome = await this.send(attemptReq, url, authenticated, credentials, slot);
			} finally {
				// Also when it threw before it was sent (the deadline): an open slot would never free.
				RequestBudget.close(slot, this.settings.now());
			}
			if (outcome.kind === 'ok') {
				this.rememberQuota(outcome.response.headers);
				return outcome.response as ApiResponse<T>;
			}
			this.lostMs += Math.max(0, this.settings.now() - started);
			if (outcome.kind === 'network') {
				networkFailures++;
				if (req.nonIdempotent && outcome.sent) throw this.mayHaveWritten(req, outcome, credentials);
				if (
					outcome.timedOut ||
					!RETRYABLE_CODES.has(outcome.code) ||
					networkFailures >= this.settings.maxNetworkAttempts
				) {
					throw this.toError(outcome, credentials);
				}
				await this.wait(backoffMs(networkFailures, this.settings), false, outcome);
				continue;
			}
			answers++;
			const vendor = this.vendorError(outcome.response);
			const retryable = RETRYABLE_STATUS.has(outcome.response.status) || vendor?.retryable === true;
			const extra =
				retryable && answers < this.settings.maxAttempts
					? req.retryHeaders?.(outcome.response)
					: undefined;
			if (req.nonIdempotent && !extra && !provesNothingWritten(outcome.response.status, vendor)) {
				throw this.mayHaveWritten(req, outcome, credentials);
			}
			if (!retryable || answers >= this.settings.maxAttempts)
				throw this.toError(outcome, credentials);
			if (extra) attemptReq = { ...attemptReq, headers: { ...attemptReq.headers, ...extra } };
			const asked = failedAnswerWaitMs(outcome.response, this.settings.now());
			await this.wait(asked ?? backoffMs(answers, this.settings), asked !== undefined, outcome);
		}
	}

	/** The source's base URL, checked once: bad ones fail before any request (see baseUrlProblem). */
	private baseUrl(credentials: ICredentialDataDecryptedObject): string {
		if (this.checkedBase !== undefined) return this.checkedBase;
		const base = this.source.baseUrl(credentials);
		const refuse = (field: string, problem: string) =>
			new NodeOperationError(
				this.fn.getNode(),
				`${this.source.displayName} credential: ${field} ${problem}`,
				{
					description:
						'Edit the credential: give the API address as https://host[:port][/path], without user info, query or fragment.',
					itemIndex: this.itemIndex,
				},
			);
		const problem = baseUrlProblem(base);
		if (problem) throw refuse('the base URL', problem);
		// A source may tidy a pasted URL (drop a path, add a prefix), which could hide a user info
		// or a query from the check above: every credential text that shapes the URL is checked too.
		for (const [field, value] of Object.entries(credentials)) {
			if (typeof value !== 'string' || value.trim() === '') continue;
			let shapes: boolean;
			try {
				shapes = this.source.baseUrl({ ...credentials, [field]: '' }) !== base;
			} catch {
				shapes = true;
			}
			const fieldProblem = shapes ? baseUrlProblem(value) : undefined;
			if (fieldProblem) throw refuse(field === 'baseUrl' ? 'the base URL' : `"${field}"`, fieldProblem);
		}
		this.checkedBase = base;
		return base;
	}

	/**
	 * One attempt: the request and the same-origin redirects it leads to. An authenticated request
	 * never lets n8n follow a redirect (n8n would resend the credential to any host); the transport
	 * follows a same-origin one itself and refuses a cross-origin one. 303 becomes a GET without a
	 * body; 301, 302, 307 and 308 keep the method and body (an API POST turned into a bodiless GET
	 * would silently ask another question). Unauthenticated requests (pre-signed downloads) carry
	 * no credential, so n8n follows their redirects as usual.
	 */
	private async send(
		req: ApiRequest,
		url: string,
		authenticated: boolean,
		credentials: ICredentialDataDecryptedObject,
		slot: BudgetSlot | undefined,
	): Promise<{ kind: 'ok'; response: ApiResponse } | Failure> {
		let hop: Hop = { method: req.method, url, qs: req.qs, body: req.body };
		for (let redirects = 0; ; redirects++) {
			// The slot taken in waitForTurn is the first hop's; a redirect takes one of its own.
			const result = await this.sendOnce(req, hop, authenticated, credentials, redirects === 0 ? slot : undefined);
			if (result.kind !== 'redirect') return result;
			const { response } = result;
			const location = header(response.headers, 'location');
			if (location === undefined) return { kind: 'status', response };
			const next = new URL(location, hop.url);
			if (next.origin !== new URL(hop.url).origin)
				throw this.redirectError(response.status, hop, next);
			if (redirects >= this.settings.maxRedirects) {
				throw new NodeApiError(this.fn.getNode(), { message: 'too many redirects' } as JsonObject, {
					message: `${this.source.displayName} redirected ${hop.method} ${pathOf(url)} more than ${this.settings.maxRedirects} times`,
					description: 'Check the Base URL in the credential: it should be the API address itself.',
					httpCode: String(response.status),
					itemIndex: this.itemIndex,
				});
			}
			const toGet = response.status === 303 && hop.method !== 'HEAD';
			hop = {
				method: toGet ? 'GET' : hop.method,
				url: next.toString(),
				body: toGet ? undefined : hop.body,
			};
		}
	}

	private async sendOnce(
		req: ApiRequest,
		hop: Hop,
		authenticated: boolean,
		credentials: ICredentialDataDecryptedObject,
		reserved: BudgetSlot | undefined,
	): Promise<
		{ kind: 'ok'; response: ApiResponse } | { kind: 'redirect'; response: ApiResponse } | Failure
	> {
		const timeoutMs = this.timeoutMs(`${hop.method} ${pathOf(hop.url)}`);
		// A stored token (CBC CSP sign-in) expires: a 401 must throw inside n8n's helper, which signs in
		// again and resends once (n8n 1.x and 2.x alike). Every answer then throws; it is read back below.
		const refreshOn401 = authenticated && this.source.refreshesTokenOn401?.(credentials) === true;
		const options: IHttpRequestOptions = {
			method: hop.method,
			url: hop.url,
			qs: hop.qs,
			body: hop.body,
			headers: { Accept: req.binary ? '*/*' : 'application/json', ...req.headers },
			json: !req.binary,
			encoding: 'stream',
			timeout: timeoutMs,
			returnFullResponse: true,
			ignoreHttpStatusErrors: !refreshOn401,
			disableFollowRedirect: authenticated || req.noRedirect === true,
		};
		// n8n sets the cancel signal on authenticated requests itself; the others get it here.
		if (this.settings.signal) options.abortSignal = this.settings.signal;
		const slot = reserved ?? this.budget?.reserve(this.settings.now());
		let raw: { body: unknown; headers: Record<string, Header>; statusCode: number };
		try {
			raw = authenticated
				? await this.fn.helpers.httpRequestWithAuthentication.call(
						this.fn,
						this.source.credentialType,
						options,
						this.decrypted(credentials),
					)
				: await this.fn.helpers.httpRequest(options);
		} catch (error) {
			const answer = refreshOn401 ? thrownAnswer(error) : undefined;
			if (!answer) {
				if (signInRefused(error)) throw new NodeApiError(this.fn.getNode(), error as JsonObject);
				RequestBudget.close(slot, this.settings.now());
				return this.networkFailure(error, timeoutMs);
			}
			raw = answer;
		}
		const response: ApiResponse = {
			status: raw.statusCode,
			headers: raw.headers ?? {},
			body: raw.body,
		};
		const sink = req.sink && raw.statusCode >= 200 && raw.statusCode < 300 ? req.sink : undefined;
		try {
			response.body = sink
				? await this.sinkBody(sink, raw.body, response.headers, timeoutMs)
				: await this.readBody(raw.body, response.headers, req.binary === true, timeoutMs);
		} catch (error) {
			// The sink's own failure (n8n's binary store), not the body's: handed back unchanged.
			if (error instanceof NodeOperationError) throw new NodeOperationError(this.fn.getNode(), error);
			if (error instanceof BodyTooLarge) {
				throw bodyTooLargeError(
					this.fn,
					`The answer of ${this.source.displayName} to ${hop.method} ${pathOf(hop.url)}`,
					error.cap,
					this.itemIndex,
				);
			}
			return { ...this.networkFailure(error, timeoutMs), sent: true, response };
		} finally {
			RequestBudget.close(slot, this.settings.now());
		}
		if (req.binary && !sink && response.body !== undefined && !Buffer.isBuffer(response.body)) {
			response.body = Buffer.from(response.body as ArrayBuffer);
		}
		const isRedirect = REDIRECT_STATUS.has(response.status);
		if (isRedirect && authenticated && !req.noRedirect) return { kind: 'redirect', response };
		const accepted =
			(response.status >= 200 && response.status < 300) ||
			req.acceptStatus?.includes(response.status);
		if (accepted || (req.noRedirect && response.status >= 300 && response.status < 400)) {
			// A JSON answer that arrives as text was cut short: retry rather than hand a string on.
			if (!req.binary && typeof response.body === 'string' && response.body.trim() !== '') {
				return {
					kind: 'network',
					code: 'ERR_BAD_RESPONSE',
					message: 'The response body was not complete JSON',
					sent: true,
					timedOut: false,
					response,
				};
			}
			return { kind: 'ok', response };
		}
		return { kind: 'status', response };
	}

	/** The timeout of the next request: ours, shortened to the deadline; none left stops the run. */
	private timeoutMs(what: string): number {
		const { deadline, requestTimeoutMs } = this.settings;
		if (deadline === undefined) return requestTimeoutMs;
		const left = deadline - this.settings.now();
		if (left <= 0) throw deadlineError(this.fn, this.itemIndex, `sending ${what}`);
		return Math.min(requestTimeoutMs, left);
	}

	private async readBody(
		body: unknown,
		headers: Record<string, Header>,
		binary: boolean,
		idleMs: number,
	): Promise<unknown> {
		if (!isStream(body)) return body;
		const declared = this.declaredLength(body, headers);
		const data = await readCapped(body, this.settings.maxBodyBytes, {
			expectedBytes: declared,
			...this.watchOptions(idleMs),
		});
		if (binary) return data;
		const text = data.toString('utf8');
		if (text.trim() === '') return text;
		try {
			// JSON.parse keeps keys such as "__proto__" as plain own data.
			return JSON.parse(text) as unknown;
		} catch {
			return text;
		}
	}

	/**
	 * Hands a body to `sink` unread, watched as it passes (cap, silence, cancel: see watchBody's
	 * `byAnother`). The body's own failure (cut short, too large, silent) is thrown as such, to be
	 * retried or reported; the sink's own is an n8n error, never retried.
	 */
	private async sinkBody(
		sink: NonNullable<ApiRequest['sink']>,
		body: unknown,
		headers: Record<string, Header>,
		idleMs: number,
	): Promise<unknown> {
		if (!isStream(body)) {
			throw new NodeOperationError(this.fn.getNode(), 'n8n answered a download without a body stream', { itemIndex: this.itemIndex });
		}
		this.declaredLength(body, headers);
		const observers: Array<(chunk: Buffer) => void> = [];
		let failure: Error | undefined;
		let bodyFailed: (error: Error) => void = () => undefined;
		// A body that fails before its reader is there (a reset while n8n prepares the file) would
		// leave that reader waiting for events already past: the body's failure does not wait for it.
		const failed = new Promise<never>((_resolve, reject) => (bodyFailed = reject));
		failed.catch(() => undefined);
		const watched = watchBody(body, this.settings.maxBodyBytes, this.watchOptions(idleMs), (chunk) => {
			for (const observe of observers) observe(chunk);
		}, true).catch((error: Error) => {
			failure = error;
			bodyFailed(error);
		});
		const reading = sink({
			stream: body as unknown as BodyStream['stream'],
			observe: (onChunk) => observers.push(onChunk),
		});
		try {
			const stored = await Promise.race([reading, failed]);
			await watched;
			if (failure) throw failure;
			return stored;
		} catch (error) {
			// The watcher's verdict comes first: the reader fails because the body was destroyed. That
			// failure goes to sendOnce as readBody's do (retried, or the cap named).
			const cause = failure;
			reading.catch(() => undefined);
			body.destroy();
			if (cause) return Promise.reject(cause);
			// A NodeOperationError (the store's own words) comes back unchanged; anything else is wrapped once.
			throw new NodeOperationError(this.fn.getNode(), error as Error, {
				message: `n8n could not keep the downloaded file: ${(error as Error).message ?? String(error)}`,
				itemIndex: this.itemIndex,
			});
		}
	}

	/** The Content-Length an answer declares (undefined when none); past the cap, BodyTooLarge at once. */
	private declaredLength(body: BodyStreamLike, headers: Record<string, Header>): number | undefined {
		const declared = Number(header(headers, 'content-length'));
		if (!Number.isFinite(declared) || declared < 0) return undefined;
		if (declared > this.settings.maxBodyBytes) {
			body.destroy();
			throw new BodyTooLarge(this.settings.maxBodyBytes);
		}
		return declared;
	}

	private watchOptions(idleMs: number): WatchOptions {
		const { timer, now, signal } = this.settings;
		return { idleMs, timer, now, signal };
	}

	/**
	 * The run's credentials, read once, handed to n8n's helper with each request. Without them the
	 * helper reads the credential again (n8n: a database query and a decryption) on every request:
	 * about 2 ms each in n8n 2.41, 40 ms of a 20-page Cisco search. n8n's sign-in before a request
	 * (preAuthentication) writes a new token into this same object, so the next request uses it.
	 */
	private decrypted(credentials: ICredentialDataDecryptedObject): IAdditionalCredentialOptions {
		const stored = this.fn.getNode().credentials?.[this.source.credentialType];
		return {
			credentialsDecrypted: {
				id: stored?.id ?? '',
				name: stored?.name ?? '',
				type: this.source.credentialType,
				data: credentials,
			},
		};
	}

	private networkFailure(error: unknown, timeoutMs: number): Failure & { kind: 'network' } {
		if (isDeadlineError(error)) throw error;
		const code = networkCode(error);
		const timedOut = TIMEOUT_CODES.has(code);
		const deadline = this.settings.deadline;
		if (
			timedOut &&
			deadline !== undefined &&
			this.settings.now() >= deadline - 1 &&
			timeoutMs < this.settings.requestTimeoutMs
		) {
			throw deadlineError(this.fn, this.itemIndex, 'an answer arrived');
		}
		const message =
			error instanceof NetworkFailure
				? error.message
				: timedOut
					? `no answer within ${timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`}`
					: ((error as Error).message ?? String(error));
		// A credential's sign-in step (CBC CSP) failing means the request itself was never sent.
		const signIn = (error as { cause?: { signIn?: unknown } }).cause?.signIn === true;
		return { kind: 'network', code, message, sent: !signIn && !NOT_SENT_CODES.has(code), timedOut };
	}

	private vendorError(response: ApiResponse): VendorError | undefined {
		try {
			return this.source.describeError(response.status, response.body);
		} catch {
			return undefined;
		}
	}

	/**
	 * Before each request: the vendor's "wait until reset" note, then the per-second budget. The
	 * budget's slot is taken here, in the same turn as the check that found it free: requests
	 * fetched ahead wait side by side, and two of them must not both take the last free slot.
	 */
	private async waitForTurn(): Promise<BudgetSlot | undefined> {
		const now = this.settings.now();
		if (this.notBefore > now) {
			const ms = this.notBefore - now;
			this.notBefore = 0;
			await this.wait(ms, true, undefined);
		}
		if (this.budget) {
			let ms = this.budget.waitMs(this.settings.now());
			while (ms > 0) {
				this.checkDeadline(ms, 'the next request slot');
				await this.pause(ms);
				ms = this.budget.waitMs(this.settings.now());
			}
			return this.budget.reserve(this.settings.now());
		}
		return undefined;
	}

	/** A quota at zero with a reset time: the next request waits for the reset instead of drawing a 429. */
	private rememberQuota(headers: Record<string, Header>): void {
		const remaining = header(headers, 'x-ratelimit-remaining', 'x-rate-limit-remaining');
		if (remaining === undefined || Number(remaining) > 0) return;
		const reset = requestedWaitMs(headers, this.settings.now());
		if (reset !== undefined) this.notBefore = this.settings.now() + reset;
	}

	private checkDeadline(ms: number, what: string): void {
		const { deadline } = this.settings;
		if (deadline !== undefined && this.settings.now() + ms > deadline) {
			throw deadlineError(this.fn, this.itemIndex, `waiting ${Math.ceil(ms / 1000)} s for ${what}`);
		}
	}

	private async wait(
		ms: number,
		vendorAsked: boolean,
		failure: Failure | undefined,
	): Promise<void> {
		const left = this.settings.maxTotalWaitMs - this.lostMs;
		if (ms > left) {
			const seconds = Math.ceil(ms / 1000);
			const why = vendorAsked
				? `${this.source.displayName} asks to wait ${seconds} s before the next request (rate limit)`
				: `${this.source.displayName} kept failing`;
			throw new NodeApiError(this.fn.getNode(), { message: why } as JsonObject, {
				message: `${why}, longer than the retry budget left (${Math.max(0, Math.floor(left / 1000))} s)`,
				description:
					'Run again later, lower how much one run reads (Limit, a shorter time range), or for Cortex XDR lower Requests per Second.',
				httpCode: failure?.kind === 'status' ? String(failure.response.status) : undefined,
				itemIndex: this.itemIndex,
			});
		}
		this.checkDeadline(ms, vendorAsked ? `${this.source.displayName}'s rate limit` : 'a retry');
		this.lostMs += ms;
		await this.pause(ms);
	}

	/** A write (or a read-once read) that failed in a way that does not prove it was not applied: never sent again. */
	private mayHaveWritten(
		req: ApiRequest,
		failure: Failure,
		credentials: ICredentialDataDecryptedObject,
	): NodeApiError {
		const { response } = failure;
		const id = requestIdOf(response);
		const what =
			failure.kind === 'status'
				? `answered HTTP ${failure.response.status}`
				: `failed (${failure.message})`;
		// A GET sent once is a read-once read (CBC's _queue): its answer is what is lost, not a write.
		const read = req.method === 'GET';
		const effect = read ? 'what it read may be gone from the vendor (a read-once read)' : 'the events may have been written';
		const message = redactSecrets(
			`${this.source.displayName}: ${req.method} ${pathOf(req.url)} ${what} after it was sent; ${effect}${id ? ` (request id ${id})` : ''}`,
			credentials,
		);
		const error = new NodeApiError(
			this.fn.getNode(),
			{ message, request_id: id ?? null } as JsonObject,
			{
				message,
				description: redactSecrets(
					read
						? 'It was not read again: a second read would not return what the lost answer held. The events delivered before it are kept; compare with the vendor console for this time.'
						: `It was not sent again, so nothing is written twice. Check the vendor's log${id ? ` for request ${id}` : ''} before sending these events again.`,
					credentials,
				),
				httpCode: failure.kind === 'status' ? String(failure.response.status) : undefined,
				itemIndex: this.itemIndex,
			},
		);
		return Object.assign(error, { mayHaveWritten: true });
	}

	private redirectError(status: number, from: Hop, to: URL): NodeApiError {
		const message = `${this.source.displayName} redirected ${from.method} ${pathOf(from.url)} to another host (${to.host}); the credential was not sent there`;
		return new NodeApiError(
			this.fn.getNode(),
			{ message, httpCode: String(status) } as JsonObject,
			{
				message,
				description: `Check the Base URL in the credential (it points at ${hostOf(from.url)}): use the API address the vendor documents, not a console, proxy or portal address.`,
				httpCode: String(status),
				itemIndex: this.itemIndex,
			},
		);
	}

	private toError(failure: Failure, credentials: ICredentialDataDecryptedObject): NodeApiError {
		const node = this.fn.getNode();
		if (failure.kind === 'network') {
			const message = redactSecrets(
				`Could not reach ${this.source.displayName}: ${failure.message}`,
				credentials,
			);
			return new NodeApiError(node, { message, networkCode: failure.code } as JsonObject, {
				message,
				description: failure.timedOut
					? 'The vendor did not answer in time: try again later, or read less per run.'
					: 'Check the Base URL / region in the credential and that this n8n can reach the host.',
				itemIndex: this.itemIndex,
			});
		}
		const { status, body } = failure.response;
		const vendor = this.vendorError(failure.response);
		const message = redactSecrets(
			vendor?.message ?? `${this.source.displayName} answered HTTP ${status}`,
			credentials,
		);
		const description = redactSecrets(
			vendor?.description ?? defaultDescription(status),
			credentials,
		);
		const safeBody = redactSecrets(
			typeof body === 'string' ? body : JSON.stringify(body ?? null),
			credentials,
		);
		return new NodeApiError(
			node,
			{ message, httpCode: String(status), body: safeBody.slice(0, 2000) } as JsonObject,
			{
				message: `${this.source.displayName}: ${message}`,
				description,
				httpCode: String(status),
				itemIndex: this.itemIndex,
			},
		);
	}
}

/** An answer that proves a write was not applied: the vendor refused it (4xx) or was unavailable (503). */
function provesNothingWritten(status: number, vendor: VendorError | undefined): boolean {
	return (status >= 400 && status < 500) || status === 503 || vendor?.retryable === true;
}

/** The vendor's id for a request, from the answer's headers or body, when there is one. */
function requestIdOf(response: ApiResponse | undefined): string | undefined {
	if (!response) return undefined;
	const fromHeader = header(response.headers, 'x-request-id', 'request-id', 'x-amzn-requestid');
	if (fromHeader) return fromHeader;
	const body = response.body;
	if (
		body &&
		typeof body === 'object' &&
		typeof (body as { request_id?: unknown }).request_id === 'string'
	) {
		return (body as { request_id: string }).request_id;
	}
	if (typeof body === 'string') return /"request_id"\s*:\s*"([^"]{1,200})"/.exec(body)?.[1];
	return undefined;
}

function hostOf(url: string): string {
	try {
		return new URL(url).host;
	} catch {
		return url;
	}
}

function pathOf(url: string): string {
	try {
		return new URL(url).pathname;
	} catch {
		return url.split('?')[0];
	}
}

function defaultDescription(status: number): string {
	if (status === 401)
		return 'The credential was refused: check the API key and ID (and that the key is not expired).';
	if (status === 403)
		return 'The API key lacks a permission this operation needs: see the README for the permissions per vendor.';
	if (status === 404)
		return 'The URL was not found: check the Base URL / region (and the org key for Carbon Black Cloud).';
	if (status === 429)
		return 'The vendor kept rate-limiting this run: run again later or read less per run.';
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
