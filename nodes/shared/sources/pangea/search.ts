// Pangea search: the /v1/search body from an AuditQuery, then /v1/results pages until the count is read.
import type { IDataObject } from 'n8n-workflow';
import { parameterError } from '../../errors';
import type { AuditQuery, NodeFunctions, Page, RawRecord, SourceContext } from '../../types';
import { pagesAhead } from '../../pagesAhead';
import { pangeaPost } from './request';
import { ORDER_BY_FIELDS } from './fields';
import { gatewayUrlProblem, rootGatewayUrl } from './verification';

/** Largest result set of one search (`max_results`); more needs a time split. */
export const MAX_RESULTS = 10_000;
/** Records per page: the spec sets no maximum; the vendor's own dump tool uses 1 000. */
export const PAGE_LIMIT = 1000;

/** Filters > Restrict … fields → the `search_restriction` key each one fills. */
export const RESTRICTIONS: Array<[field: string, key: string]> = [
	['restrictActor', 'actor'],
	['restrictAction', 'action'],
	['restrictSource', 'source'],
	['restrictStatus', 'status'],
	['restrictTarget', 'target'],
	['restrictTenantId', 'tenant_id'],
];

export type SearchResult = {
	id?: string;
	count?: number;
	expires_at?: string;
	events?: RawRecord[];
	root?: IDataObject;
	unpublished_root?: IDataObject;
};

/**
 * Query times are whole milliseconds, both ends inclusive; `received_at` has microseconds. The
 * end is sent as the last microsecond of its millisecond, or a window split at that instant
 * would lose the records received later within it.
 */
export function rfc3339(ms: number, edge: 'start' | 'end'): string {
	return new Date(ms).toISOString().replace(/Z$/, edge === 'start' ? '000Z' : '999Z');
}

function csv(value: unknown): string[] {
	if (typeof value !== 'string') return [];
	return value
		.split(',')
		.map((part) => part.trim())
		.filter((part) => part !== '');
}

/** A `field:value` term; double quotes keep a value with spaces in one term. */
function qualifier(field: string, value: string): string {
	return /\s/.test(value) ? `${field}:"${value}"` : `${field}:${value}`;
}

/** The Text filter passed through, plus the common filters as field-qualified terms. */
export function queryText(query: AuditQuery): string | undefined {
	const { actor, actorIp, query: text } = query.common;
	const terms = [text?.trim(), actor ? qualifier('actor', actor.trim()) : '', actorIp ? qualifier('source', actorIp.trim()) : ''];
	const joined = terms.filter((term) => term).join(' ');
	return joined === '' ? undefined : joined;
}

export function searchRestriction(vendor: IDataObject): IDataObject | undefined {
	const restriction: IDataObject = {};
	for (const [field, key] of RESTRICTIONS) {
		const values = csv(vendor[field]);
		if (values.length > 0) restriction[key] = values;
	}
	return Object.keys(restriction).length > 0 ? restriction : undefined;
}

/** Sort By (Search only): received_at unless the user picked another field Pangea sorts on. */
export function orderBy(query: AuditQuery): string {
	const field = query.vendorOptions.orderBy;
	return typeof field === 'string' && ORDER_BY_FIELDS.includes(field) ? field : 'received_at';
}

/** The /v1/search body; `limit` is the first page's size. */
export function searchBody(query: AuditQuery, limit = Math.min(query.pageSize, PAGE_LIMIT)): IDataObject {
	const body: IDataObject = {
		order: query.order,
		order_by: orderBy(query),
		max_results: MAX_RESULTS,
		limit,
		// Pangea's default is verbose; proofs and roots are only worth their size when verifying.
		verbose: query.verify === true,
		end: rfc3339(query.end, 'end'),
	};
	// No start: Pangea's own default applies (14 days back).
	if (query.start !== undefined) body.start = rfc3339(query.start, 'start');
	const text = queryText(query);
	if (text) body.query = text;
	const restriction = searchRestriction(query.vendor);
	if (restriction) body.search_restriction = restriction;
	return body;
}

/** A double quote cannot be escaped inside a Pangea term: refuse it before any request. */
export function validatePangeaQuery(query: AuditQuery, fn: NodeFunctions, itemIndex: number): void {
	const quoted: Array<[string, string | undefined]> = [
		['Filters > Actor', query.common.actor],
		['Filters > Actor IP', query.common.actorIp],
	];
	for (const [parameter, value] of quoted) {
		if (value?.includes('"')) {
			throw parameterError(fn, parameter, 'a double quote cannot be searched for', 'Remove the " from the value, or search with Filters > Text.', itemIndex);
		}
	}
}

function pageOf(result: SearchResult, total: number | undefined): Page {
	const context: IDataObject = {};
	if (result.root) context.root = result.root;
	if (result.unpublished_root) context.unpublished_root = result.unpublished_root;
	return { records: result.events ?? [], total, context };
}

/** A gateway URL that cannot be used fails before any request, naming the credential field. */
async function checkGateway(ctx: SourceContext): Promise<void> {
	const gateway = rootGatewayUrl(await ctx.credentials());
	const problem = gateway === undefined ? undefined : gatewayUrlProblem(gateway);
	if (problem) {
		throw parameterError(ctx.fn, 'Root Gateway URL (Pangea Audit API credential)', problem, 'Use the https:// address of an Arweave gateway (default https://arweave.net), or empty the field to skip the independent check.', ctx.itemIndex);
	}
}

/**
 * Reads one search: its first page, then `/v1/results` until `offset ≥ count`. `total` is the
 * count only when it is below the cap: a full result set says nothing about what lies beyond it,
 * and the reader must then open the next time window.
 */
export async function* searchPages(ctx: SourceContext, query: AuditQuery): AsyncIterable<Page> {
	if (query.verify) await checkGateway(ctx);
	const limit = Math.min(query.pageSize, PAGE_LIMIT);
	const first = await pangeaPost<SearchResult>(ctx, '/v1/search', searchBody(query, limit));
	const count = Number(first.count ?? 0);
	// Windows past the cap are split on received_at: another order cannot be continued there.
	if (count >= MAX_RESULTS && orderBy(query) !== 'received_at') {
		throw parameterError(ctx.fn, 'Options > Sort By', `${count} or more events match, more than one search sorted on ${orderBy(query)} can return`, 'Narrow the time range or the filters below 10,000 events, or sort by Received Time.', ctx.itemIndex);
	}
	const total = count < MAX_RESULTS ? count : undefined;
	yield pageOf(first, total);
	const id = first.id;
	if (!id) return;
	const fetchAt = (offset: number) => pangeaPost<SearchResult>(ctx, '/v1/results', { id, limit, offset });
	let offset = first.events?.length ?? 0;
	// The results of one search are stored as they were found: the pages up to the count (at most
	// max_results) can be fetched ahead, a few at a time, and are handed out in order.
	const ahead = offset > 0 ? pagesAhead(query, fetchAt, { start: offset, step: limit, total: Math.min(count, MAX_RESULTS) }) : undefined;
	try {
		while (offset < count) {
			ctx.throwIfCancelled();
			const next = await (ahead?.take(offset) ?? fetchAt(offset));
			const read = next.events?.length ?? 0;
			// An empty page before the count: the result set shrank; stop rather than spin.
			if (read === 0) return;
			yield pageOf(next, total);
			offset += read;
		}
	} finally {
		await ahead?.close();
	}
}
