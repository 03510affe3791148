// An in-memory Cisco Secure Endpoint behind nock: newest-first offset pages with next links, inclusive time filters, quota headers.
import nock from 'nock';
import type { IDataObject } from 'n8n-workflow';

import { CiscoSecureEndpointApi } from '../../credentials/CiscoSecureEndpointApi.credentials';
import { contentId as ciscoId } from '../../nodes/shared/canonical';
import { AuditLog } from '../../nodes/AuditLog/AuditLog.node';
import { runNode, type RunNodeOptions } from '../harness/n8n';
import { whileHeld } from '../support/virtualClock';

export const CLIENT_ID = '0a1b2c3d4e5f60718293';
export const API_KEY = 'dummy-cisco-key-4711-abcdef';
export const EU_HOST = 'https://api.eu.amp.cisco.com';

export type CiscoCredential = {
	region: string;
	baseUrl?: string;
	clientId: string;
	apiKey: string;
};
export const euCredential = (): CiscoCredential => ({
	region: 'eu',
	clientId: CLIENT_ID,
	apiKey: API_KEY,
});

export type RecordedRequest = {
	at: number;
	path: string;
	params: Record<string, string>;
	headers: Record<string, string>;
	status: number;
};
type Scripted = { status: number; body: IDataObject; headers?: Record<string, string> };

const GROUPS = ['0b6c1a2e-4f5d-4c3b-9a8e-7d6c5b4a3f21', '7d1e2f30-1111-4c3b-9a8e-000000000002'];
const USERS = ['alice@example.com', 'bob@example.com', 'zoë.müller@example.com'];
const STRICT_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$/;

/** `2024-05-01T09:00:05Z`: how Cisco writes created_at (whole seconds). */
export const isoSeconds = (ms: number) =>
	new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

let sequence = 0;

/** A record shaped like the vendor's (vendor-apis.md 3.3), created at `ms` (kept to the second). */
export function ciscoRecord(ms: number, overrides: IDataObject = {}): IDataObject {
	const n = sequence++;
	const user = USERS[n % USERS.length];
	const base: IDataObject =
		n % 3 === 0
			? { event: 'login', audit_log_type: 'User', audit_log_id: GROUPS[1], audit_log_user: user }
			: {
					event: 'update',
					audit_log_type: 'Group',
					audit_log_id: GROUPS[0],
					audit_log_user: user,
					old_attributes: { name: `Lab ${n}` },
					new_attributes: { name: `Lab ${n + 1}` },
				};
	return { ...base, created_at: isoSeconds(ms), ...overrides };
}

/** `count` records `stepMs` apart, the newest `endAgoMs` before now, oldest first. */
export function recordsBefore(count: number, endAgoMs = 60 * 60_000, stepMs = 1000): IDataObject[] {
	const last = Date.now() - endAgoMs;
	return Array.from({ length: count }, (_, i) => ciscoRecord(last - (count - 1 - i) * stepMs));
}

const timeOf = (record: IDataObject) => Date.parse(record.created_at as string);
const FILTERS = ['audit_log_type', 'audit_log_id', 'event', 'audit_log_user'];

function envelopeError(status: number, description: string, details: string[]): IDataObject {
	return { version: 'v1.2.0', data: {}, errors: [{ error_code: status, description, details }] };
}

export class FakeCisco {
	/** Oldest first; served newest first. */
	readonly records: IDataObject[] = [];
	readonly requests: RecordedRequest[] = [];
	readonly script = new Map<number, Scripted>();
	/** An answer chosen by the request's parameters (an offset), before `script`'s by number. */
	scriptFor?: (params: Record<string, string>) => Scripted | undefined;
	/**
	 * Holds the delivery of an answer (built when the request came) until the promise settles: to
	 * make pages fetched together complete in another order.
	 */
	hold?: (request: RecordedRequest) => Promise<void> | undefined;
	/** Runs after the answer to request n (1-based) is built: to add records between two pages. */
	afterRequest?: (n: number) => void;
	/**
	 * Offsets answered, that many times, with the whole answer of the page before (a stale cache or
	 * proxy repeating a page: its records, links and metadata.results.index are the previous page's).
	 */
	readonly staleAt = new Map<number, number>();
	/** Models a client that does not pin end_time: the filter is dropped. */
	ignoreEndTime = false;
	/** Models an answer without metadata.results.total: the client cannot see a shift. */
	hideTotal = false;
	/** What GET /v1/audit_log_types answers (the tenant's types). */
	auditLogTypes: unknown[] = ['User', 'Computer', 'Group', 'Policy', 'ApplicationBlockingList'];
	/** The hourly quota: each answered request takes one (as Cisco counts them). */
	quota = { limit: 3000, remaining: 2000, reset: 906, resetDate: '2024-05-01T13:00:00Z' };

	constructor(
		readonly origin: string = EU_HOST,
		records: IDataObject[] = [],
	) {
		this.add(...records);
		const answer = (uri: string, headers: Record<string, string>) => this.answer(uri, headers);
		const hold = (request: RecordedRequest) => this.hold?.(request);
		const requests = this.requests;
		nock(origin)
			.persist()
			.get(/^\/v1\/audit_log(s|_types)(\?.*)?$/)
			.reply(function (uri, _body, callback) {
				const reply = answer(uri, this.req.headers as Record<string, string>);
				const held = hold(requests[requests.length - 1]);
				if (held) void whileHeld(held).then(() => callback(null, reply));
				else callback(null, reply);
			});
	}

	add(...records: IDataObject[]): void {
		this.records.push(...records);
		this.records.sort((a, b) => timeOf(a) - timeOf(b));
	}

	private answer(
		uri: string,
		headers: Record<string, string>,
	): [number, IDataObject, Record<string, string>] {
		const url = new URL(uri, this.origin);
		const params = Object.fromEntries(url.searchParams);
		const recorded: RecordedRequest = { at: Date.now(), path: url.pathname, params, headers, status: 200 };
		this.requests.push(recorded);
		const n = this.requests.length;
		this.quota.remaining = Math.max(0, this.quota.remaining - 1);
		const quotaHeaders = {
			'x-ratelimit-limit': String(this.quota.limit),
			'x-ratelimit-remaining': String(this.quota.remaining),
			'x-ratelimit-reset': String(this.quota.reset),
			'x-ratelimit-resetdate': this.quota.resetDate,
		};
		const scripted = this.scriptFor?.(params) ?? this.script.get(n);
		const [status, body, extra] = scripted
			? [scripted.status, scripted.body, scripted.headers]
			: this.authorized(headers)
				? url.pathname === '/v1/audit_log_types'
					? this.types(url)
					: this.page(url)
				: [401, envelopeError(401, 'Unauthorized', ['Unknown API key or Client ID'])];
		recorded.status = status;
		this.afterRequest?.(n);
		// A scripted answer brings its own quota headers (possibly in the other spelling).
		return [status, body, extra ?? quotaHeaders];
	}

	private authorized(headers: Record<string, string>): boolean {
		return (
			headers.authorization === `Basic ${Buffer.from(`${CLIENT_ID}:${API_KEY}`).toString('base64')}`
		);
	}

	private types(url: URL): [number, IDataObject] {
		return [
			200,
			{
				version: 'v1.2.0',
				metadata: { links: { self: url.toString() } },
				data: this.auditLogTypes as IDataObject[],
			},
		];
	}

	private page(url: URL): [number, IDataObject] {
		const params = url.searchParams;
		const bad = ['start_time', 'end_time'].filter(
			(p) => params.has(p) && !STRICT_ISO.test(params.get(p)!),
		);
		if (bad.length > 0)
			return [
				400,
				envelopeError(
					400,
					'Bad Request',
					bad.map((p) => `${p} is not a valid ISO-8601 time`),
				),
			];
		const from = params.has('start_time') ? Date.parse(params.get('start_time')!) : -Infinity;
		const to =
			params.has('end_time') && !this.ignoreEndTime
				? Date.parse(params.get('end_time')!)
				: Infinity;
		const limit = Number(params.get('limit') ?? 500);
		const asked = Number(params.get('offset') ?? 0);
		const stale = this.staleAt.get(asked) ?? 0;
		if (stale > 0) this.staleAt.set(asked, stale - 1);
		const offset = stale > 0 ? Math.max(0, asked - limit) : asked;
		if (offset !== asked) url.searchParams.set('offset', String(offset));
		const matches = this.records
			.filter((r) => timeOf(r) >= from && timeOf(r) <= to)
			.filter((r) => FILTERS.every((f) => !params.has(f) || r[f] === params.get(f)))
			.reverse();
		const data = matches.slice(offset, offset + limit);
		const links: IDataObject = { self: url.toString() };
		if (offset + limit < matches.length) {
			const next = new URL(url);
			next.searchParams.set('offset', String(offset + limit));
			next.searchParams.set('limit', String(limit));
			links.next = next.toString();
		}
		return [
			200,
			{
				version: 'v1.2.0',
				metadata: {
					links,
					results: {
						...(this.hideTotal ? {} : { total: matches.length }),
						current_item_count: data.length,
						index: offset,
						items_per_page: limit,
					},
				},
				data,
			},
		];
	}
}

export const credentialTypes = [new CiscoSecureEndpointApi()];

/** Runs the Audit Log node on Cisco Secure Endpoint with the EU credential (or the one given). */
export async function runCisco(parameters: IDataObject, extra: Partial<RunNodeOptions> = {}) {
	return await runNode({
		nodeType: new AuditLog(),
		parameters: { resource: 'ciscoSecureEndpoint', ...parameters } as RunNodeOptions['parameters'],
		credentials: { ciscoSecureEndpointApi: { ...euCredential() } },
		credentialTypes,
		...extra,
	});
}

/** The item id a record gets: its content hash. */
export { ciscoId };

/** Output items → their ids, and vendor records → the ids their items should carry. */
export const ids = (items: Array<{ json: IDataObject }>) => items.map((item) => item.json.id);
export const idsOf = (records: IDataObject[]) => records.map((record) => ciscoId(record));
