// Carbon Black Cloud Audit Log API: _search (10 000-row window), the read-once _queue, _export + Job Service.
import type { IDataObject } from 'n8n-workflow';
import type { AuditQuery, AuditSource, Page, SourceContext, VendorError } from '../../types';
import { CBC_WINDOW, cbcPaths, cbcSearchBody } from './request';
import { exportAndDownload } from './export';
import { cbcAuthentication, cbcBaseUrl } from './environments';
import { CBC_FILTER_FIELDS } from './fields';
import { cbcQueueMatches, validateCbcFilters } from './filters';
import { normalizeCbc } from './normalize';

export { CBC_WINDOW };

type SearchResponse = { num_found?: number; num_available?: number; results?: IDataObject[] };

async function* searchPages(ctx: SourceContext, query: AuditQuery): AsyncIterable<Page> {
	const { logs } = await cbcPaths(ctx);
	const body = cbcSearchBody(query);
	for (let start = 0; start < CBC_WINDOW; ) {
		// rows is always explicit: the API's default is 20.
		const rows = Math.min(query.pageSize, CBC_WINDOW - start);
		const response = await ctx.request<SearchResponse>({
			method: 'POST',
			url: `${logs}/_search`,
			body: { ...body, rows, start },
		});
		const results = response.body.results ?? [];
		yield { records: results, total: response.body.num_found };
		start += results.length;
		if (results.length < rows) return;
	}
}

async function* queuePages(ctx: SourceContext): AsyncIterable<Page> {
	const { logs } = await cbcPaths(ctx);
	for (;;) {
		// Read-once: a batch whose answer is lost cannot be asked for again, so it is never retried blindly.
		const response = await ctx.request<SearchResponse>({ method: 'GET', url: `${logs}/_queue`, nonIdempotent: true });
		const results = response.body.results ?? [];
		if (results.length === 0) return;
		yield { records: results };
	}
}

export function describeCbcError(status: number, body: unknown): VendorError | undefined {
	if (!body || typeof body !== 'object') return undefined;
	const b = body as { message?: unknown; error_code?: unknown; reason?: unknown };
	const message = typeof b.message === 'string' ? b.message : undefined;
	if (!message) return undefined;
	const code = typeof b.error_code === 'string' ? ` (${b.error_code})` : '';
	let description: string | undefined;
	if (status === 401)
		description =
			'Check the credential: the API ID and API Secret Key, or for CSP sign-in the app or API token (an access token CSP just issued was refused: check the Environment).';
	if (status === 403)
		description =
			"The key's role needs org.audits READ (and jobs.status READ for Export and Wait); with CSP sign-in, _API.Audits:org.audits:READ.";
	if (b.reason === 'query_malformed_syntax') description = 'Fix the Lucene syntax of Filters > Text.';
	return { message: message + code, description };
}

export const carbonBlackCloud: AuditSource = {
	id: 'carbonBlackCloud',
	displayName: 'Carbon Black Cloud',
	description: 'VMware / Broadcom Carbon Black Cloud Audit Log API',
	credentialType: 'carbonBlackCloudApi',
	filterFields: CBC_FILTER_FIELDS,
	optionFields: [],
	pageSize: CBC_WINDOW,
	searchWindow: CBC_WINDOW,
	orders: ['asc', 'desc'],
	flags: true,
	serverFilters: ['actor', 'actorIp', 'flaggedOnly', 'query'],
	pages: searchPages,
	validate: validateCbcFilters,
	// _queue takes no criteria: the caller applies the common filters, matches the vendor-only ones.
	nativeQueue: { read: queuePages, matches: cbcQueueMatches },
	nativeExport: exportAndDownload,
	nativeExportFormats: ['csv', 'json'],
	normalize: normalizeCbc,
	describeError: describeCbcError,
	baseUrl: cbcBaseUrl,
	refreshesTokenOn401: (credentials) => cbcAuthentication(credentials) !== 'apiKey',
};
