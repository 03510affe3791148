// Pangea Log: events from input items (node fields override), local Ed25519 signing, bulk /v2/log batches, sync or async, verified.
import { createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { NodeApiError, type IDataObject, type IExecuteFunctions, type JsonObject } from 'n8n-workflow';
import { canonicalJson } from '../../canonical';
import { parameterError } from '../../errors';
import { parseInstant } from '../../timeRange';
import type { ApiResponse, LoggedEvent, ProofVerdict, SourceContext, Verification } from '../../types';
import { EVENT_FIELDS, type EventField } from './fields';
import { pangeaFinish, pangeaPost, pangeaSend, type PangeaEnvelope } from './request';
import { verificationStatus, verifyEnvelopeHash, verifyMembership, verifySignature } from './verify';

/** Events per /v2/log call: the API takes 1 to 1 000. */
export const MAX_BULK = 1000;

/** Pangea's length limits of the standard schema, checked before any request. */
const MAX_LENGTH: Record<Exclude<EventField, 'timestamp'>, number> = {
	message: 32_766,
	actor: 128,
	action: 32,
	new: 32_766,
	old: 32_766,
	source: 128,
	status: 32,
	target: 128,
	tenant_id: 128,
};
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

type LogResultEntry = { hash?: string; envelope?: IDataObject; membership_proof?: string; unpublished_root?: string };
type LogResult = { results?: LogResultEntry[] };
type Signed = { signature: string; public_key: string };

/** Where a value came from, for error messages that name what to fix. */
function label(field: EventField, fromNode: boolean): string {
	if (field === 'message') return fromNode ? 'Message' : 'Input field message';
	return fromNode ? `Event Fields > ${field}` : `Input field ${field}`;
}

/**
 * A value as Pangea stores it: objects become their canonical JSON text (what the SDKs do before
 * logging and signing), numbers and booleans text, a timestamp an RFC 3339 date-time.
 */
function wireValue(
	fn: IExecuteFunctions,
	field: EventField,
	value: unknown,
	fromNode: boolean,
	itemIndex: number,
): string | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	if (field === 'timestamp') {
		const ms = typeof value === 'number' ? value : parseInstant(value);
		if (Number.isNaN(ms) || !Number.isFinite(ms)) {
			throw parameterError(fn, label(field, fromNode), `"${String(value)}" is not a date-time`, 'Use an ISO 8601 date-time such as 2024-05-01T08:00:00Z, or epoch milliseconds.', itemIndex);
		}
		// A time with its offset is kept as written (it may carry microseconds); others become UTC.
		const written = typeof value === 'string' ? value.trim() : '';
		return /([zZ]|[+-]\d{2}:?\d{2})$/.test(written) ? written : new Date(ms).toISOString();
	}
	const text = typeof value === 'object' ? canonicalJson(value) : String(value);
	if (text.length > MAX_LENGTH[field]) {
		throw parameterError(fn, label(field, fromNode), `${text.length} characters is longer than Pangea allows (${MAX_LENGTH[field]})`, `Shorten ${field} to at most ${MAX_LENGTH[field]} characters.`, itemIndex);
	}
	return text;
}

/** One event from an input item: its Pangea-named fields, replaced by the node's fields that are set. */
export function pangeaEventFrom(fn: IExecuteFunctions, itemIndex: number): IDataObject {
	const json = fn.getInputData()[itemIndex]?.json ?? {};
	const overrides = {
		...(fn.getNodeParameter('logEventFields', itemIndex, {}) as IDataObject),
		message: fn.getNodeParameter('logMessage', itemIndex, '') as unknown,
	} as IDataObject;
	const event: IDataObject = {};
	for (const field of EVENT_FIELDS) {
		const fromNode = overrides[field] !== undefined && overrides[field] !== null && overrides[field] !== '';
		const value = wireValue(fn, field, fromNode ? overrides[field] : json[field], fromNode, itemIndex);
		if (value !== undefined) event[field] = value;
	}
	if (event.message === undefined) {
		throw parameterError(fn, 'Message', `input item ${itemIndex} has no message`, 'Set Message, or give every input item a message field.', itemIndex);
	}
	return event;
}

/** The credential's key: PEM (line breaks may be lost in a one-line field), PKCS#8 DER or a raw seed, base64. */
export function readEd25519PrivateKey(text: string): KeyObject | undefined {
	const material = text.trim().replace(/\\n/g, '\n');
	try {
		let key: KeyObject;
		const pem = /-----BEGIN ([A-Z ]+)-----([\s\S]*?)-----END \1-----/.exec(material);
		if (pem) {
			const body = pem[2].replace(/\s+/g, '').replace(/(.{64})/g, '$1\n');
			key = createPrivateKey(`-----BEGIN ${pem[1]}-----\n${body.trim()}\n-----END ${pem[1]}-----\n`);
		} else {
			const bytes = Buffer.from(material.replace(/\s+/g, ''), 'base64');
			const der = bytes.length === 32 ? Buffer.concat([ED25519_PKCS8_PREFIX, bytes]) : bytes;
			key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
		}
		return key.asymmetricKeyType === 'ed25519' ? key : undefined;
	} catch {
		// Unreadable material is reported by the caller, without echoing it.
		return undefined;
	}
}

/** Signs events as the SDKs' sign_local does: Ed25519 over the event's canonical JSON, base64. */
export function eventSigner(privateKey: KeyObject): (event: IDataObject) => Signed {
	const pem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
	const publicKey = JSON.stringify({ algorithm: 'ED25519', key: pem });
	return (event) => ({
		signature: sign(null, Buffer.from(canonicalJson(event), 'utf8'), privateKey).toString('base64'),
		public_key: publicKey,
	});
}

async function signerFor(ctx: SourceContext): Promise<(event: IDataObject) => Signed> {
	const text = String((await ctx.credentials()).signingPrivateKey ?? '');
	if (text.trim() === '') {
		throw parameterError(ctx.fn, 'Log Options > Sign Locally', 'the Pangea Audit API credential has no Signing Private Key', 'Paste an Ed25519 private key (PEM) into Signing Private Key in the credential, or turn Sign Locally off.', ctx.itemIndex);
	}
	const key = readEd25519PrivateKey(text);
	if (!key) {
		throw parameterError(ctx.fn, 'Log Options > Sign Locally', "the credential's Signing Private Key is not an Ed25519 private key", 'Use a PEM key made by `openssl genpkey -algorithm ed25519` (-----BEGIN PRIVATE KEY-----), or turn Sign Locally off.', ctx.itemIndex);
	}
	return eventSigner(key);
}

type Batch = { from: number; body: IDataObject; events: IDataObject[] };
type Sent = IDataObject & { event: IDataObject; signature?: string; public_key?: string };

/** Longest wait for one asynchronous log call to be written (the SDK's 120 s budget). */
const ASYNC_LOG_WAIT_MS = 120_000;
/** Asynchronous log calls polled at once (10 000 events in 10 calls wait together). */
const ASYNC_POLLS_IN_FLIGHT = 10;

/**
 * Adds to a failed batch's error where it failed and what was written, so nothing is sent twice
 * blindly: a vendor refusal (4xx) wrote nothing; anything else (a cut answer, a dropped
 * connection, a 5xx the transport could not retry with the request marked) may have written it.
 * The error itself is rethrown as it is.
 */
function withBatchContext(error: unknown, path: string, batch: Batch, batches: number, total: number): unknown {
	if (!(error instanceof NodeApiError)) return error;
	const status = Number(error.httpCode);
	const refused = status >= 400 && status < 500 && status !== 408;
	const range = `events ${batch.from + 1}–${batch.from + batch.events.length} of ${total}`;
	const call = `POST ${path}, call ${batch.from / MAX_BULK + 1} of ${batches}`;
	const what = refused
		? `Pangea did not log ${range} (${call}).`
		: `Pangea may have logged ${range} (${call}): the answer did not prove otherwise, so they were not sent again.`;
	const before = batch.from > 0 ? ` The ${batch.from} event(s) before them were logged.` : '';
	error.description = `${error.description ? `${error.description} ` : ''}${what}${before} Check the Pangea console before sending them again.`;
	return error;
}

/**
 * What Pangea's answer proves about one logged event: its envelope hashes to its hash and holds
 * the event sent, its signature verifies (and is ours when signed locally), and a membership
 * proof, when given, climbs to its root. Just-written events are not published: membership and
 * consistency stay `pending` until a Search with Verify can check them.
 */
export function verifyLogged(sent: Sent, result: LogResultEntry): Verification {
	const envelope = (result.envelope ?? {}) as IDataObject;
	const sameEvent = canonicalJson(envelope.event ?? null) === canonicalJson(sent.event);
	const hash = sameEvent ? verifyEnvelopeHash(result.envelope, result.hash) : 'fail';
	let signature = verifySignature(result.envelope);
	if (sent.signature !== undefined && (envelope.signature !== sent.signature || envelope.public_key !== sent.public_key)) {
		signature = 'fail';
	}
	let membership: ProofVerdict = 'pending';
	if (result.membership_proof !== undefined) {
		const climbed = verifyMembership(result.hash, result.membership_proof, result.unpublished_root);
		if (climbed === 'fail') membership = 'fail';
	}
	const checks = { hash, signature, membership, consistency: 'pending' as ProofVerdict };
	return { ...checks, status: verificationStatus(checks) };
}

/**
 * Writes events, up to 1 000 a call; results come back in input order. A write is never repeated
 * blindly (`nonIdempotent`: retried only with the failed request marked). Asynchronous: every
 * call goes to /v2/log_async first (Pangea answers 202 at once), then the calls are polled to
 * their end, instead of holding the execution on each batch.
 */
export async function logPangeaEvents(
	ctx: SourceContext,
	events: IDataObject[],
	options: IDataObject,
): Promise<LoggedEvent[]> {
	const verify = options.verify === true;
	const verbose = options.verbose === true;
	const asynchronous = options.async === true;
	const signer = options.signLocally === true ? await signerFor(ctx) : undefined;
	const path = asynchronous ? '/v2/log_async' : '/v2/log';
	const batches: Batch[] = [];
	for (let from = 0; from < events.length; from += MAX_BULK) {
		const sent = events.slice(from, from + MAX_BULK).map((event) => (signer ? { event, ...signer(event) } : { event }));
		const body: IDataObject = { events: sent };
		// Verification needs the envelope Pangea stored.
		if (verbose || verify) body.verbose = true;
		batches.push({ from, body, events: sent });
	}
	const guarded = async <T>(batch: Batch, call: () => Promise<T>): Promise<T> => {
		try {
			return await call();
		} catch (error) {
			throw withBatchContext(error, path, batch, batches.length, events.length);
		}
	};
	const results: LogResult[] = new Array(batches.length);
	if (!asynchronous) {
		for (const [k, batch] of batches.entries()) {
			results[k] = await guarded(batch, async () => await pangeaPost<LogResult>(ctx, path, batch.body, undefined, { nonIdempotent: true }));
		}
	} else {
		const answers: Array<ApiResponse<PangeaEnvelope<LogResult>>> = [];
		for (const batch of batches) answers.push(await guarded(batch, async () => await pangeaSend<LogResult>(ctx, path, batch.body, { nonIdempotent: true })));
		const queue = [...answers.keys()];
		const worker = async () => {
			for (let k = queue.shift(); k !== undefined; k = queue.shift()) {
				const batch = batches[k];
				results[k] = await guarded(batch, async () => await pangeaFinish<LogResult>(ctx, answers[k], path, ASYNC_LOG_WAIT_MS));
			}
		};
		await Promise.all(Array.from({ length: Math.min(ASYNC_POLLS_IN_FLIGHT, queue.length) }, worker));
	}
	const logged: LoggedEvent[] = [];
	let failed = 0;
	for (const [k, batch] of batches.entries()) {
		const list = results[k].results ?? [];
		if (list.length !== batch.events.length) {
			throw new NodeApiError(ctx.fn.getNode(), { message: 'result count mismatch' } as JsonObject, {
				message: `Pangea answered ${list.length} result(s) for ${batch.events.length} event(s) (events ${batch.from + 1}–${batch.from + batch.events.length})`,
				description: `The ${batch.from} events before these were logged. Check the Pangea console before sending them again.`,
				itemIndex: ctx.itemIndex,
			});
		}
		list.forEach((result, i) => {
			const entry: LoggedEvent = { hash: typeof result.hash === 'string' ? result.hash : null };
			if (verbose && result.envelope) entry.envelope = result.envelope;
			if (verify) {
				entry.verification = verifyLogged(batch.events[i] as Sent, result);
				if (entry.verification.status === 'failed') failed++;
			}
			logged.push(entry);
		});
	}
	if (events.length > MAX_BULK) ctx.note(`Pangea: ${events.length} events sent in ${batches.length} calls${asynchronous ? ' (asynchronous)' : ''}`);
	if (failed > 0) ctx.note(`Pangea: ${failed} logged event(s) FAILED verification of Pangea's answer; see each item's verification`);
	return logged;
}
