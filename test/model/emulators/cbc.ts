// Carbon Black Cloud audit log API in memory (vendor-apis.md §1): _search with its 10 000 window, _queue.
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

export const CBC_ORG = 'ORGMODEL';
const WINDOW = 10_000;
/** Records one _queue call hands out (undocumented; small so tests see several pages). */
export const CBC_QUEUE_BATCH = 50;
const CRITERIA = [
	'create_time',
	'actor',
	'actor_ip',
	'request_url',
	'description',
	'flagged',
	'verbose',
];

const error = (status: number, code: string, message: string) =>
	json(status, { error_code: code, message, args: [] });

/** No id field: two records of one content class at one instant are byte-identical. */
function build(event: ModelEvent): Built {
	const c = event.content;
	const raw = {
		org_key: CBC_ORG,
		actor: USERS[c % USERS.length],
		actor_ip: `198.51.100.${c % 250}`,
		request_url: c % 3 === 0 ? `/appservices/v6/orgs/${CBC_ORG}/devices/${c}` : null,
		description: `${ACTIONS[c % ACTIONS.length]} #${c}`,
		flagged: c % 7 === 0,
		verbose: false,
		create_time: new Date(event.time).toISOString(),
	};
	return { raw, identity: `c${c}` };
}

type Search = { from: number; to: number; desc: boolean; rows: number; start: number };

function parseSearch(body: unknown): Search | ServerResponse {
	if (!isObject(body)) return error(400, 'REQUEST_NOT_READABLE', 'Failed to read request');
	const criteria = body.criteria ?? {};
	if (!isObject(criteria)) return error(400, 'INVALID_ARGUMENT', 'criteria must be an object');
	const unknown = Object.keys(criteria).find((key) => !CRITERIA.includes(key));
	if (unknown) return error(400, 'INVALID_ARGUMENT', `Unknown criteria field: ${unknown}`);
	const time = criteria.create_time;
	if (!isObject(time))
		return error(400, 'INVALID_ARGUMENT', 'the model expects criteria.create_time');
	const from = parseIsoMs(time.start);
	const to = parseIsoMs(time.end);
	if (Number.isNaN(from) || Number.isNaN(to))
		return error(400, 'INVALID_ARGUMENT', 'create_time needs start and end');
	if (from >= to) return error(400, 'INVALID_ARGUMENT', 'create_time: start must be before end');
	const rows = body.rows ?? 20;
	const start = body.start ?? 0;
	if (typeof rows !== 'number' || typeof start !== 'number' || rows < 0 || start < 0) {
		return error(400, 'INVALID_ARGUMENT', 'rows and start must be non-negative integers');
	}
	if (start + rows > WINDOW)
		return error(400, 'INVALID_ARGUMENT', `start + rows must not exceed ${WINDOW}`);
	const sort = Array.isArray(body.sort)
		? (body.sort[0] as { field?: string; order?: string })
		: undefined;
	if (sort && sort.field !== 'create_time')
		return error(400, 'INVALID_ARGUMENT', 'the model sorts by create_time only');
	return { from, to, desc: String(sort?.order ?? 'DESC').toUpperCase() === 'DESC', rows, start };
}

export function createCbcServer(
	history: History,
): VendorServer & { queueLeft(view: View): number } {
	const store = new RecordStore(history.events, build);
	const delivered = new Set<StoredRecord>();
	let queries = 0;

	function search(body: unknown, view: View): ServerResponse {
		const q = parseSearch(body);
		if ('status' in q) return q;
		if (q.start === 0) queries++;
		const matches = store.select(q.from, q.to, view);
		if (q.desc) matches.reverse();
		const results = matches.slice(q.start, q.start + q.rows).map((r) => r.raw);
		return json(200, {
			num_found: matches.length,
			num_available: Math.min(matches.length, WINDOW),
			results,
		});
	}

	// Read-once: what one call returns is gone for good (per API key; the model has one key).
	function queue(view: View): ServerResponse {
		const results: StoredRecord[] = [];
		for (const record of store.records) {
			if (results.length >= CBC_QUEUE_BATCH) break;
			if (!delivered.has(record) && view.visible(record.event)) results.push(record);
		}
		for (const record of results) delivered.add(record);
		return json(200, {
			num_found: results.length,
			num_available: results.length,
			results: results.map((r) => r.raw),
		});
	}

	return {
		get queries() {
			return queries;
		},
		handle(req: ServerRequest, view: View): ServerResponse {
			const match = /^\/audit_log\/v1\/orgs\/([^/]+)\/logs\/(_search|_queue)$/.exec(req.path);
			if (!match) return error(404, 'NOT_FOUND', `No route for ${req.path}`);
			if (match[1] !== CBC_ORG) return error(403, 'FORBIDDEN', 'Access is denied');
			if (match[2] === '_search' && req.method === 'POST') return search(req.body, view);
			if (match[2] === '_queue' && req.method === 'GET') return queue(view);
			return error(405, 'METHOD_NOT_ALLOWED', `${req.method} ${match[2]} is not supported`);
		},
		identityOf: (raw) => store.identityOf(raw),
		identityOfEvent: (event) => store.identityOfEvent(event),
		queueLeft: (view) =>
			store.records.filter((r) => !delivered.has(r) && view.visible(r.event)).length,
	};
}

export const cbcModel: ModelVendor = {
	id: 'carbonBlackCloud',
	traits: { precisionMs: 1 },
	baseUrl: 'https://defense.model.test',
	credentialType: 'carbonBlackCloudApi',
	credentials: {
		baseUrl: 'https://defense.model.test',
		orgKey: CBC_ORG,
		apiId: 'MODELAPIID',
		apiSecretKey: 'dummy-cbc-secret',
	},
	createServer: createCbcServer,
};
