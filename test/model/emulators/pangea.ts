// Pangea Secure Audit Log search/results in memory (vendor-apis.md §4.4): result sets of at most 10 000.
import { canonicalJson, sha256Hex } from '../../../nodes/shared/canonical';
import type { History, ModelEvent } from '../history';
import {
	ACTIONS,
	isObject,
	json,
	parseIsoMs,
	RecordStore,
	USERS,
	type Built,
	type ModelVendor,
	type ServerRequest,
	type ServerResponse,
	type StoredRecord,
	type VendorServer,
	type View,
} from './store';

const MAX_RESULTS = 10_000;
/** Largest `limit` accepted (not in the spec; the vendor's own dump tool uses 1 000). */
const MAX_LIMIT = 1000;
const DAY = 86_400_000;

type Envelope = { status: string; result: unknown; summary?: string };

function envelope(httpStatus: number, body: Envelope, n: number): ServerResponse {
	const at = new Date(0).toISOString();
	return json(httpStatus, {
		request_id: `prq_model${n}`,
		request_time: at,
		response_time: at,
		summary: '',
		...body,
	});
}

function receivedAt(event: ModelEvent): string {
	return new Date(event.time)
		.toISOString()
		.replace('Z', `${String(event.micros).padStart(3, '0')}Z`);
}

/** `hash` is the SHA-256 of the envelope: identical envelopes are identical records. */
function build(event: ModelEvent): Built {
	const c = event.content;
	const env = {
		event: {
			message: `${ACTIONS[c % ACTIONS.length]} #${c}`,
			actor: USERS[c % USERS.length],
			action: ACTIONS[c % ACTIONS.length],
			status: c % 9 === 0 ? 'failure' : 'success',
		},
		received_at: receivedAt(event),
	};
	const raw = { envelope: env, hash: sha256Hex(canonicalJson(env)), published: false };
	return { raw, identity: `c${c}` };
}

type Search = { from: number; to: number; desc: boolean; limit: number; maxResults: number };

function intField(
	body: Record<string, unknown>,
	name: string,
	fallback: number,
	max: number,
): number | string {
	const value = body[name] ?? fallback;
	if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
		return `${name} must be an integer between 1 and ${max}`;
	}
	return value;
}

function timeField(body: Record<string, unknown>, name: string, fallback: number): number | string {
	if (body[name] === undefined) return fallback;
	const ms = parseIsoMs(body[name]);
	return Number.isNaN(ms) ? `${name} must be RFC 3339 (the model has no relative times)` : ms;
}

export function createPangeaServer(history: History): VendorServer {
	const store = new RecordStore(history.events, build, (event) => event.time + event.micros / 1000);
	// A search's result set is fixed when it is made: later pages come from the same snapshot.
	const sets = new Map<string, StoredRecord[]>();
	let requests = 0;

	const invalid = (detail: string) =>
		envelope(
			400,
			{
				status: 'ValidationError',
				summary: detail,
				result: { errors: [{ code: 'OutOfRange', detail }] },
			},
			requests,
		);
	const success = (result: unknown) => envelope(200, { status: 'Success', result }, requests);

	function parseSearch(body: unknown, now: number): Search | ServerResponse {
		if (!isObject(body)) return invalid('body must be an object');
		const fields = [
			intField(body, 'limit', 20, MAX_LIMIT),
			intField(body, 'max_results', MAX_RESULTS, MAX_RESULTS),
			timeField(body, 'start', now - 14 * DAY),
			timeField(body, 'end', now),
		];
		const bad = fields.find((f) => typeof f === 'string');
		if (bad !== undefined) return invalid(bad as string);
		const order = body.order ?? 'desc';
		if (order !== 'asc' && order !== 'desc') return invalid('order must be asc or desc');
		if ((body.order_by ?? 'received_at') !== 'received_at')
			return invalid('the model orders by received_at only');
		const [limit, maxResults, from, to] = fields as number[];
		return { from, to, desc: order === 'desc', limit, maxResults };
	}

	function search(body: unknown, view: View): ServerResponse {
		const q = parseSearch(body, view.now);
		if ('status' in q) return q;
		const matches = store.select(q.from, q.to, view);
		if (q.desc) matches.reverse();
		const set = matches.slice(0, q.maxResults);
		const id = `pas_model${sets.size}`;
		sets.set(id, set);
		const events = set.slice(0, q.limit).map((r) => r.raw);
		return success({
			id,
			count: set.length,
			expires_at: new Date(view.now + DAY).toISOString(),
			events,
		});
	}

	function results(body: unknown): ServerResponse {
		if (!isObject(body)) return invalid('body must be an object');
		const set = sets.get(String(body.id));
		if (!set)
			return envelope(
				400,
				{
					status: 'NotFound',
					result: null,
					summary: `Search results ${String(body.id)} not found`,
				},
				requests,
			);
		const limit = intField(body, 'limit', 20, MAX_LIMIT);
		if (typeof limit === 'string') return invalid(limit);
		const offset = body.offset ?? 0;
		if (typeof offset !== 'number' || offset < 0)
			return invalid('offset must be a non-negative integer');
		return success({
			count: set.length,
			events: set.slice(offset, offset + limit).map((r) => r.raw),
		});
	}

	return {
		get queries() {
			return sets.size;
		},
		handle(req: ServerRequest, view: View): ServerResponse {
			requests++;
			if (req.method !== 'POST')
				return envelope(404, { status: 'NotFound', result: null }, requests);
			if (req.path === '/v1/search') return search(req.body, view);
			if (req.path === '/v1/results') return results(req.body);
			return envelope(
				404,
				{ status: 'NotFound', result: null, summary: `No route for ${req.path}` },
				requests,
			);
		},
		identityOf: (raw) => store.identityOf(raw),
		identityOfEvent: (event) => store.identityOfEvent(event),
	};
}

export const pangeaModel: ModelVendor = {
	id: 'pangea',
	traits: { precisionMs: 1 },
	baseUrl: 'https://audit.model.pangea.test',
	credentialType: 'pangeaAuditApi',
	credentials: {
		domain: 'model.pangea.test',
		baseUrl: 'https://audit.model.pangea.test',
		token: 'pts_model0000',
	},
	createServer: createPangeaServer,
};
