// Cisco Secure Endpoint /v1/audit_logs in memory (vendor-apis.md §3): newest first, offset links.next.
import type { History, ModelEvent } from '../history';
import {
	ACTIONS,
	json,
	parseIsoMs,
	RecordStore,
	USERS,
	type Built,
	type ModelVendor,
	type ServerRequest,
	type ServerResponse,
	type VendorServer,
	type View,
} from './store';

const VERSION = 'v1.2.0';
// Below the 500 a client asks for: Cisco documents no maximum, so a smaller page must hold too (and
// polls then page, which the mid-pagination hazard needs).
const MAX_LIMIT = 100;
const PARAMS = [
	'start_time',
	'end_time',
	'audit_log_type',
	'event',
	'audit_log_id',
	'audit_log_user',
	'limit',
	'offset',
];

const failure = (status: number, description: string, details: string[]) =>
	json(status, {
		version: VERSION,
		data: {},
		errors: [{ error_code: status, description, details }],
	});

/** No event id, times in whole seconds: many records share an instant, some byte-identical. */
function build(event: ModelEvent): Built {
	const c = event.content;
	const raw = {
		event: ACTIONS[c % ACTIONS.length],
		audit_log_type: c % 2 === 0 ? 'User' : 'Group',
		audit_log_id: `0b6c${String(c % 97).padStart(4, '0')}-1111-2222-3333-444455556666`,
		audit_log_user: USERS[c % USERS.length],
		created_at: new Date(event.time).toISOString().replace('.000Z', 'Z'),
		old_attributes: { name: `Lab ${c}` },
		new_attributes: { name: `Lab ${c + 1}` },
	};
	return { raw, identity: `c${c}` };
}

function integer(
	query: Record<string, string>,
	name: string,
	fallback: number,
	details: string[],
): number {
	const raw = query[name];
	if (raw === undefined) return fallback;
	if (!/^\d+$/.test(raw)) details.push(`${name} must be a non-negative integer`);
	return Number(raw);
}

function time(
	query: Record<string, string>,
	name: string,
	fallback: number,
	details: string[],
): number {
	const raw = query[name];
	if (raw === undefined) return fallback;
	const ms = parseIsoMs(raw);
	if (Number.isNaN(ms)) details.push(`${name} is not a valid ISO-8601 time: ${raw}`);
	return ms;
}

export function createCiscoServer(history: History): VendorServer {
	const store = new RecordStore(history.events, build);
	let queries = 0;

	function auditLogs(req: ServerRequest, view: View): ServerResponse {
		const details = Object.keys(req.query)
			.filter((name) => !PARAMS.includes(name))
			.map((name) => `Unknown parameter: ${name}`);
		const limit = Math.min(integer(req.query, 'limit', MAX_LIMIT, details), MAX_LIMIT);
		const offset = integer(req.query, 'offset', 0, details);
		const from = time(req.query, 'start_time', -Infinity, details);
		const to = time(req.query, 'end_time', Infinity, details);
		if (limit < 1) details.push('limit must be at least 1');
		if (details.length > 0) return failure(400, 'Bad Request', details);
		if (offset === 0) queries++;
		const matches = store.select(from, to, view).reverse();
		const page = matches.slice(offset, offset + limit);
		const link = (at: number) => {
			const params = new URLSearchParams({
				...req.query,
				limit: String(limit),
				offset: String(at),
			});
			return `${req.origin}/v1/audit_logs?${params.toString()}`;
		};
		const links: Record<string, string> = { self: link(offset) };
		if (offset + limit < matches.length) links.next = link(offset + limit);
		if (offset > 0) links.prev = link(Math.max(0, offset - limit));
		return json(200, {
			version: VERSION,
			metadata: {
				links,
				results: {
					total: matches.length,
					current_item_count: page.length,
					index: offset,
					items_per_page: limit,
				},
			},
			data: page.map((r) => r.raw),
		});
	}

	return {
		get queries() {
			return queries;
		},
		handle(req: ServerRequest, view: View): ServerResponse {
			if (req.path !== '/v1/audit_logs')
				return failure(404, 'Not Found', [`No route for ${req.path}`]);
			if (req.method !== 'GET') return failure(405, 'Method Not Allowed', ['GET only']);
			return auditLogs(req, view);
		},
		identityOf: (raw) => store.identityOf(raw),
		identityOfEvent: (event) => store.identityOfEvent(event),
	};
}

export const ciscoModel: ModelVendor = {
	id: 'ciscoSecureEndpoint',
	traits: { precisionMs: 1000 },
	baseUrl: 'https://api.model.amp.cisco.com',
	credentialType: 'ciscoSecureEndpointApi',
	credentials: {
		region: 'custom',
		baseUrl: 'https://api.model.amp.cisco.com',
		clientId: 'model-client-id',
		apiKey: 'dummy-cisco-key',
	},
	createServer: createCiscoServer,
};
