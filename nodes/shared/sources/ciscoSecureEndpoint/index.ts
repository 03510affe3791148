// Cisco Secure Endpoint GET /v1/audit_logs: a newest-first offset API read in either order, within a pinned range.
import type { AuditSource, VendorError } from '../../types';
import { AUDIT_LOG_TYPES_METHOD, loadAuditLogTypes } from './auditLogTypes';
import { CISCO_FILTER_FIELDS } from './fields';
import { normalizeCisco } from './normalize';
import { auditLogPages } from './pages';
import { ciscoBaseUrl, CISCO_PAGE_SIZE, validateCisco } from './request';

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
	// The API has no sort parameter and answers newest first; oldest first is read from the total
	// backwards (pages.ts), so a read that stops early never pages through the whole range.
	orders: ['asc', 'desc'],
	serverFilters: ['actor'],
	validate: validateCisco,
	pages: auditLogPages,
	normalize: normalizeCisco,
	describeError: describeCiscoError,
	baseUrl: ciscoBaseUrl,
	loadOptions: {
		[AUDIT_LOG_TYPES_METHOD]: async (fn) => await loadAuditLogTypes(fn, ciscoSecureEndpoint),
	},
};
