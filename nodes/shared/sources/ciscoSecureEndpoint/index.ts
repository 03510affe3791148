// Cisco Secure Endpoint GET /v1/audit_logs: newest-first offset pages following links.next, within a pinned range.
import { NodeApiError, type IDataObject, type JsonObject } from 'n8n-workflow';
import { isoTime } from '../../auditItem';
import type { AuditQuery, AuditSource, Page, SourceContext, VendorError } from '../../types';
import { CISCO_FILTER_FIELDS } from './fields';
import { normalizeCisco } from './normalize';
import {
	AUDIT_LOGS_PATH,
	ciscoBaseUrl,
	ciscoParams,
	CISCO_PAGE_SIZE,
	nextOffset,
	pinnedRange,
	validateCisco,
} from './request';

type Envelope = {
	metadata?: { links?: { next?: string }; results?: { total?: number } };
	data?: IDataObject[];
};

/** Rounding the range to whole seconds reads a little around it: those records are left out. */
function inRange(record: IDataObject, query: AuditQuery): boolean {
	const timeMs = Date.parse(isoTime(record.created_at) ?? '');
	if (Number.isNaN(timeMs)) return true;
	return timeMs <= query.end && (query.start === undefined || timeMs >= query.start);
}

async function* auditLogPages(ctx: SourceContext, query: AuditQuery): AsyncIterable<Page> {
	const range = pinnedRange(query, ctx.now());
	if (range.start !== undefined && range.start > range.end) return;
	const params = ciscoParams(query, range);
	const limit = Math.min(query.pageSize, CISCO_PAGE_SIZE);
	for (let offset = 0; ; ) {
		const qs = offset > 0 ? { ...params, limit, offset } : { ...params, limit };
		const response = await ctx.request<Envelope>({ method: 'GET', url: AUDIT_LOGS_PATH, qs });
		const data = response.body?.data;
		if (!Array.isArray(data)) {
			throw new NodeApiError(ctx.fn.getNode(), { message: 'no data array' } as JsonObject, {
				message: 'Cisco Secure Endpoint answered without a data list',
				description: 'Check the Region (or the Base URL of a custom region) in the credential.',
				itemIndex: ctx.itemIndex,
			});
		}
		yield {
			records: data.filter((record) => inRange(record, query)),
			total: response.body.metadata?.results?.total,
		};
		const next = response.body.metadata?.links?.next;
		if (!next || data.length === 0) return;
		// Our own request at the link's offset: the filters and the pinned range stay ours, and the
		// credential never goes to a host the link might name.
		offset = Math.max(nextOffset(next) ?? 0, offset + data.length);
	}
}

type ErrorEnvelope = {
	errors?: Array<{ error_code?: unknown; description?: unknown; details?: unknown }>;
};

const STATUS_HELP: Record<number, string> = {
	400: 'Cisco refused a filter: check the Cisco filters and the time range of this node.',
	401: 'Check the Client ID and API Key in the credential, and its Region: API credentials are valid in the region where they were created.',
	403: 'The API credential may not read audit logs: create it in Accounts > API Credentials (read-only scope is enough).',
	429: "The API client's hourly request quota is spent: run again after the reset time, or read less per run.",
};

export function describeCiscoError(status: number, body: unknown): VendorError | undefined {
	const first = (body as ErrorEnvelope | null)?.errors?.[0];
	if (!first) {
		// No envelope (a proxy's page): the status alone still says what to check.
		return STATUS_HELP[status]
			? { message: `HTTP ${status}`, description: STATUS_HELP[status] }
			: undefined;
	}
	const description = typeof first.description === 'string' ? first.description : `HTTP ${status}`;
	const details = Array.isArray(first.details)
		? first.details.filter((d) => typeof d === 'string')
		: [];
	return {
		message: details.length > 0 ? `${description}: ${details.join('; ')}` : description,
		description: STATUS_HELP[status],
	};
}

export const ciscoSecureEndpoint: AuditSource = {
	id: 'ciscoSecureEndpoint',
	displayName: 'Cisco Secure Endpoint',
	description: 'Cisco Secure Endpoint (formerly AMP for Endpoints) audit logs',
	credentialType: 'ciscoSecureEndpointApi',
	filterFields: CISCO_FILTER_FIELDS,
	optionFields: [],
	pageSize: CISCO_PAGE_SIZE,
	// created_at has whole seconds.
	timePrecisionMs: 1000,
	// The API has no sort parameter and answers newest first.
	orders: ['desc'],
	serverFilters: ['actor'],
	validate: validateCisco,
	pages: auditLogPages,
	normalize: normalizeCisco,
	describeError: describeCiscoError,
	baseUrl: ciscoBaseUrl,
};
