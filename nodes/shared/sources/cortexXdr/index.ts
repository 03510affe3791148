// Palo Alto Cortex XDR "Get Audit Management Log": offset pages of 100, either order, a tenant-wide rate budget.
import { NodeApiError, type IDataObject, type JsonObject } from 'n8n-workflow';
import { pagesAhead, PAGES_IN_FLIGHT, type PagesAhead } from '../../pagesAhead';
import type { ApiResponse, AuditQuery, AuditSource, Page, SourceContext, VendorError } from '../../types';
import { CORTEX_FILTER_FIELDS, CORTEX_OPTION_FIELDS, TENANT_REQUESTS_PER_SECOND } from './fields';
import { cortexInsertTime, normalizeCortex } from './normalize';
import {
	CORTEX_MAX_PAGE,
	cortexBaseUrl,
	cortexRequestData,
	cortexRequestsPerSecond,
	MANAGEMENT_LOGS_PATH,
	validateCortex,
} from './request';

type Reply = {
	reply?: { total_count?: number; result_count?: number; data?: IDataObject[]; endpoints?: IDataObject[] };
};

/** The reply's list: `data` in the vendor's examples, `endpoints` in its field table. Either is read. */
function replyList(reply: NonNullable<Reply['reply']>): IDataObject[] | undefined {
	if (Array.isArray(reply.data)) return reply.data;
	if (Array.isArray(reply.endpoints)) return reply.endpoints;
	return undefined;
}

/**
 * Offset pages, with the run's range fixed by the query. A record written late (its time inside
 * the range) between two requests shifts the later offsets by one, so the next page repeats the
 * last records of the previous one; AUDIT_ID is unique, so those repeats are dropped. A shift
 * never skips a record: it only pushes records further down. Once the first reply gives the total,
 * the next pages are fetched ahead (the transport's per-run budget still paces them to the
 * tenant's requests per second) and handed out in order; a total that moves between two pages
 * drops what was fetched ahead, so the repeats are only ever checked between pages served in order.
 */
async function* managementLogPages(ctx: SourceContext, query: AuditQuery): AsyncIterable<Page> {
	const requestData = cortexRequestData(query);
	const size = Math.min(query.pageSize, CORTEX_MAX_PAGE);
	const fetchAt = (from: number) =>
		ctx.request<Reply>({
			method: 'POST',
			url: MANAGEMENT_LOGS_PATH,
			body: { request_data: { ...requestData, search_from: from, search_to: from + size } },
		});
	let previous = new Set<string>();
	let ahead: PagesAhead<ApiResponse<Reply>> | undefined;
	let lastTotal: number | undefined;
	try {
		for (let from = 0; ; ) {
			const response = await (ahead?.take(from) ?? fetchAt(from));
			const reply = response.body?.reply;
			const data = reply ? replyList(reply) : undefined;
			if (!reply || !data) {
				throw new NodeApiError(ctx.fn.getNode(), { message: 'no reply.data' } as JsonObject, {
					message: 'Cortex XDR answered without a list in reply.data (or reply.endpoints)',
					description:
						'Check that the API URL is the tenant API URL (Settings > API Keys > Copy API URL).',
					itemIndex: ctx.itemIndex,
				});
			}
			const ids = data.map((record) =>
				record.AUDIT_ID === undefined || record.AUDIT_ID === null ? undefined : String(record.AUDIT_ID),
			);
			const records = data.filter((_, i) => ids[i] === undefined || !previous.has(ids[i]!));
			previous = new Set(ids.filter((id): id is string => id !== undefined));
			const total = typeof reply.total_count === 'number' ? reply.total_count : undefined;
			if (ahead !== undefined && total !== lastTotal) {
				// The log changed between two pages. A server need not serve requests in order: a
				// page fetched ahead may predate the change while this one follows it, and the repeat
				// check only holds between pages served in order. None of them is used; the read
				// goes on from here.
				await ahead.close();
				ahead = undefined;
			}
			lastTotal = total;
			yield { records, total };
			from += data.length;
			if (data.length < size || (total !== undefined && from >= total)) return;
			if (ahead === undefined && total !== undefined) {
				// Never more in flight than the per-second budget: a request waiting for its answer
				// holds its slot, so a fuller window would only queue in the transport.
				const width = Math.min(PAGES_IN_FLIGHT, Math.floor(cortexRequestsPerSecond(query.vendorOptions)));
				ahead = pagesAhead(query, fetchAt, { start: from, step: size, total }, () => width);
			}
		}
	} finally {
		await ahead?.close();
	}
}

const STATUS_HELP: Record<number, string> = {
	400: 'Cortex XDR refused the request body: check the Cortex filters (Email, Type, Sub Type, Result) of this node.',
	401: "Check the API Key ID, the API Key and the Security Level in the credential: an Advanced key must be set to Advanced, a Standard key to Standard. An Advanced key also needs this machine's clock to be right, and the key may have expired.",
	402: 'The tenant has no license that includes the public API: audit logs need Cortex XDR Prevent, Pro per Endpoint or Pro per TB. Ask your Palo Alto Networks administrator to check the license.',
	403: "The API key's role may not read audit logs: give the key a role that can view the Management Audit Logs.",
	429: `The tenant allows ${TENANT_REQUESTS_PER_SECOND} requests per second for all API callers together: lower Options > Requests per Second, or run when other integrations are quieter.`,
};

const STATUS_MESSAGE: Record<number, string> = {
	401: 'the API key was not accepted',
	402: 'license required',
	403: 'the API key is not allowed to read audit logs',
	429: 'too many requests',
};

function extraText(extra: unknown): string | undefined {
	if (extra === null || extra === undefined || extra === '') return undefined;
	return typeof extra === 'string' ? extra : JSON.stringify(extra);
}

export function describeCortexError(status: number, body: unknown): VendorError | undefined {
	const reply = (
		body as { reply?: { err_code?: unknown; err_msg?: unknown; err_extra?: unknown } } | null
	)?.reply;
	const message =
		typeof reply?.err_msg === 'string' && reply.err_msg !== ''
			? reply.err_msg
			: STATUS_MESSAGE[status];
	if (!message) return undefined;
	const code =
		reply?.err_code !== undefined && reply.err_code !== null
			? ` (error ${String(reply.err_code)})`
			: '';
	const extra = extraText(reply?.err_extra);
	return {
		message: `${message}${code}${extra ? `: ${extra}` : ''}`,
		description: STATUS_HELP[status],
		// The rate limit is sometimes reported in the body of another status.
		retryable: /too many requests|rate limit/i.test(message),
	};
}

export const cortexXdr: AuditSource = {
	id: 'cortexXdr',
	displayName: 'Cortex XDR',
	description: 'Palo Alto Networks Cortex XDR management audit logs',
	credentialType: 'cortexXdrApi',
	filterFields: CORTEX_FILTER_FIELDS,
	optionFields: CORTEX_OPTION_FIELDS,
	pageSize: CORTEX_MAX_PAGE,
	orders: ['asc', 'desc'],
	// Actor is narrowed on the server only when it is an email, so it is also matched locally.
	serverFilters: [],
	validate: validateCortex,
	pages: managementLogPages,
	normalize: normalizeCortex,
	// The `timestamp` filter and sort are on AUDIT_INSERT_TIME, the time the record reached the
	// tenant's log: the cursor follows the same time, so a record that arrives late still lands
	// after the cursor and is read.
	cursorTime: cortexInsertTime,
	describeError: describeCortexError,
	baseUrl: (credentials) => cortexBaseUrl(credentials.baseUrl),
	requestsPerSecond: cortexRequestsPerSecond,
};
