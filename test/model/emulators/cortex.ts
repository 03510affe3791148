// Cortex XDR management_logs in memory (vendor-apis.md §2): request_data filters, pages of at most 100.
import type { History, ModelEvent } from '../history';
import {
	ACTIONS,
	isObject,
	json,
	RecordStore,
	USERS,
	type Built,
	type ModelVendor,
	type ServerRequest,
	type ServerResponse,
	type VendorServer,
	type View,
} from './store';

const MAX_PAGE = 100;
const FIELDS = ['timestamp', 'email', 'type', 'sub_type', 'result'];

const reply = (status: number, message: string) =>
	json(status, { reply: { err_code: status, err_msg: message, err_extra: null } });

/** AUDIT_ID is unique per record; a record without one is identified by its content alone. */
function build(event: ModelEvent): Built {
	const c = event.content;
	const raw = {
		AUDIT_ID: event.noId ? null : 100_000 + event.index,
		AUDIT_OWNER_NAME: `User ${c % 5}`,
		AUDIT_OWNER_EMAIL: USERS[c % USERS.length],
		AUDIT_RESULT: c % 9 === 0 ? 'FAIL' : 'SUCCESS',
		AUDIT_REASON: null,
		AUDIT_DESCRIPTION: `${ACTIONS[c % ACTIONS.length]} #${c}`,
		AUDIT_ENTITY: c % 2 === 0 ? 'AUTH' : 'POLICY_PROFILES',
		AUDIT_ENTITY_SUBTYPE: c % 2 === 0 ? 'Login' : 'Edit',
		AUDIT_HOSTNAME: null,
		AUDIT_SESSION_ID: null,
		AUDIT_CASE_ID: null,
		AUDIT_INSERT_TIME: event.time,
	};
	return { raw, identity: event.noId ? `c${c}` : `e${event.index}` };
}

type Query = { from: number; to: number; desc: boolean; searchFrom: number; searchTo: number };

function parseQuery(body: unknown): Query | ServerResponse {
	if (!isObject(body) || !isObject(body.request_data))
		return reply(400, 'Request is missing the request_data object');
	const data = body.request_data;
	let from = -Infinity;
	let to = Infinity;
	const filters = data.filters ?? [];
	if (!Array.isArray(filters)) return reply(400, 'filters must be an array');
	for (const filter of filters as unknown[]) {
		if (!isObject(filter) || !FIELDS.includes(String(filter.field)))
			return reply(400, 'Unsupported filter');
		if (filter.field !== 'timestamp') continue;
		if (!Number.isInteger(filter.value))
			return reply(400, 'timestamp value must be epoch ms (integer)');
		if (filter.operator === 'gte') from = Math.max(from, filter.value as number);
		else if (filter.operator === 'lte') to = Math.min(to, filter.value as number);
		else return reply(400, `Unsupported operator ${String(filter.operator)} for timestamp`);
	}
	const searchFrom = data.search_from ?? 0;
	const searchTo = data.search_to ?? MAX_PAGE;
	if (
		!Number.isInteger(searchFrom) ||
		!Number.isInteger(searchTo) ||
		(searchFrom as number) < 0 ||
		searchTo < searchFrom
	) {
		return reply(
			400,
			'search_from and search_to must be integers with 0 <= search_from <= search_to',
		);
	}
	if ((searchTo as number) - (searchFrom as number) > MAX_PAGE)
		return reply(400, `The maximum number of results is ${MAX_PAGE}`);
	const sort = isObject(data.sort) ? data.sort : { field: 'timestamp', keyword: 'desc' };
	if (sort.field !== 'timestamp' || !['asc', 'desc'].includes(String(sort.keyword))) {
		return reply(400, 'the model sorts by timestamp asc|desc only');
	}
	return {
		from,
		to,
		desc: sort.keyword === 'desc',
		searchFrom: searchFrom as number,
		searchTo: searchTo as number,
	};
}

export function createCortexServer(history: History): VendorServer {
	const store = new RecordStore(history.events, build);
	let queries = 0;
	return {
		get queries() {
			return queries;
		},
		handle(req: ServerRequest, view: View): ServerResponse {
			if (!/^\/public_api\/v1\/audits\/management_logs\/?$/.test(req.path))
				return reply(404, 'Not found');
			if (req.method !== 'POST') return reply(405, 'Method not allowed');
			const q = parseQuery(req.body);
			if ('status' in q) return q;
			if (q.searchFrom === 0) queries++;
			const matches = store.select(q.from, q.to, view);
			if (q.desc) matches.reverse();
			const data = matches.slice(q.searchFrom, q.searchTo).map((r) => r.raw);
			return json(200, { reply: { total_count: matches.length, result_count: data.length, data } });
		},
		identityOf: (raw) => store.identityOf(raw),
		identityOfEvent: (event) => store.identityOfEvent(event),
	};
}

export const cortexModel: ModelVendor = {
	id: 'cortexXdr',
	traits: { precisionMs: 1 },
	baseUrl: 'https://api-model.xdr.eu.paloaltonetworks.com',
	credentialType: 'cortexXdrApi',
	credentials: {
		baseUrl: 'https://api-model.xdr.eu.paloaltonetworks.com',
		apiKeyId: '7',
		apiKey: 'dummy-cortex-key',
		securityLevel: 'standard',
	},
	createServer: createCortexServer,
};
