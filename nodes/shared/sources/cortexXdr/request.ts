// Cortex XDR request shapes: the tenant API URL, the request_data body, and the checks on its inputs.
import type { IDataObject } from 'n8n-workflow';
import { asEmail } from '../../auditItem';
import { parameterError } from '../../errors';
import type { AuditQuery, NodeFunctions } from '../../types';
import {
	CORTEX_LIST_FILTERS,
	DEFAULT_REQUESTS_PER_SECOND,
	TENANT_REQUESTS_PER_SECOND,
	type CortexListFilter,
} from './fields';

export const MANAGEMENT_LOGS_PATH = '/public_api/v1/audits/management_logs/';
/** `search_to - search_from` may not exceed this. */
export const CORTEX_MAX_PAGE = 100;

const IP_OR_LOCAL = /^(\d{1,3}(\.\d{1,3}){3}|localhost|\[[0-9a-f:]+\])$/i;
const RESULT_WORD = /^[A-Z_]+$/;

/**
 * The pasted API URL as the API wants it: `https://api-<fqdn>`. Keys' "Copy API URL" gives that
 * form, but users often paste the console URL, so `api-` is added when missing (never to an IP
 * or localhost, which are proxies and test servers). A pasted API path is dropped.
 */
export function cortexBaseUrl(value: unknown): string {
	const text = String(value ?? '').trim();
	if (text === '') return '';
	let url: URL;
	try {
		url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`);
	} catch {
		return text.replace(/\/+$/, '');
	}
	if (!url.hostname.toLowerCase().startsWith('api-') && !IP_OR_LOCAL.test(url.hostname)) {
		url.hostname = `api-${url.hostname}`;
	}
	const path = url.pathname.replace(/\/public_api(\/.*)?$/i, '').replace(/\/+$/, '');
	return `${url.protocol}//${url.host}${path}`;
}

/**
 * A comma-separated string (a workflow saved before the lists, or an expression) or a list of
 * strings (the multi-selects) → trimmed non-empty items; null when malformed.
 */
function listOf(value: unknown): string[] | null {
	const parts = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value : null;
	if (!parts || parts.some((part) => typeof part !== 'string')) return null;
	return (parts as string[]).map((part) => part.trim()).filter((part) => part !== '');
}

/** A multi-select added to the filters with nothing picked filters nothing. */
const unset = (value: unknown) => value === undefined || (Array.isArray(value) && value.length === 0);

/** The vendor filter lists as they will be sent (Result upper-cased, as Cortex spells it). */
export function cortexFilterLists(
	vendor: IDataObject,
): Partial<Record<CortexListFilter, string[]>> {
	const lists: Partial<Record<CortexListFilter, string[]>> = {};
	for (const name of Object.keys(CORTEX_LIST_FILTERS) as CortexListFilter[]) {
		if (unset(vendor[name])) continue;
		const items = listOf(vendor[name]) ?? [];
		lists[name] = name === 'result' ? items.map((item) => item.toUpperCase()) : items;
	}
	return lists;
}

/** Checks the Cortex-only filters and options before any request; throws naming the field. */
export function validateCortex(query: AuditQuery, fn: NodeFunctions, itemIndex: number): void {
	for (const name of Object.keys(CORTEX_LIST_FILTERS) as CortexListFilter[]) {
		const value = query.vendor[name];
		if (unset(value)) continue;
		const { label } = CORTEX_LIST_FILTERS[name];
		const items = listOf(value);
		if (!items || items.length === 0) {
			throw parameterError(
				fn,
				label,
				`${JSON.stringify(value)} holds no value`,
				'Write one or more values separated by commas, or remove the filter.',
				itemIndex,
			);
		}
		const bad =
			name === 'email'
				? items.find((item) => asEmail(item) === null)
				: name === 'result'
					? items.find((item) => !RESULT_WORD.test(item.toUpperCase()))
					: undefined;
		if (bad !== undefined) {
			const fix =
				name === 'email'
					? 'Write email addresses separated by commas, e.g. alice@example.com, bob@example.com.'
					: 'Write results as Cortex spells them, separated by commas, e.g. SUCCESS, FAIL.';
			throw parameterError(
				fn,
				label,
				`"${bad}" is not ${name === 'email' ? 'an email address' : 'a result'}`,
				fix,
				itemIndex,
			);
		}
	}
	const actor = query.common.actor?.trim();
	const emails = cortexFilterLists(query.vendor).email;
	if (
		actor &&
		asEmail(actor) &&
		emails &&
		!emails.some((email) => email.toLowerCase() === actor.toLowerCase())
	) {
		throw parameterError(
			fn,
			'Filters > Actor',
			`"${actor}" is not among Filters > Email, so no event could match both`,
			'Remove one of the two filters, or add the actor to Filters > Email.',
			itemIndex,
		);
	}
	const rate = query.vendorOptions.requestsPerSecond;
	if (
		rate !== undefined &&
		(typeof rate !== 'number' ||
			!Number.isInteger(rate) ||
			rate < 1 ||
			rate > TENANT_REQUESTS_PER_SECOND)
	) {
		throw parameterError(
			fn,
			'Options > Requests per Second',
			`${String(rate)} is not a whole number from 1 to ${TENANT_REQUESTS_PER_SECOND}`,
			`Cortex XDR allows ${TENANT_REQUESTS_PER_SECOND} requests per second for the whole tenant; ${DEFAULT_REQUESTS_PER_SECOND} leaves room for other callers.`,
			itemIndex,
		);
	}
}

export function cortexRequestsPerSecond(vendorOptions: IDataObject): number {
	const rate = vendorOptions.requestsPerSecond;
	return typeof rate === 'number' && rate >= 1
		? Math.min(rate, TENANT_REQUESTS_PER_SECOND)
		: DEFAULT_REQUESTS_PER_SECOND;
}

/**
 * The filters and sort of `request_data` (without the page offsets). The time bounds are always
 * sent: `end` pins the run, so records written while it pages never shift the offsets.
 */
export function cortexRequestData(query: AuditQuery): IDataObject {
	const filters: IDataObject[] = [];
	const lists = cortexFilterLists(query.vendor);
	const actor = query.common.actor?.trim();
	// An actor that is an address narrows on the server; a key name ("Public API - 1") has no
	// email, so it is matched on the normalized items instead.
	if (actor && asEmail(actor)) {
		const listed = lists.email?.find((email) => email.toLowerCase() === actor.toLowerCase());
		lists.email = [listed ?? actor];
	}
	for (const name of Object.keys(lists) as CortexListFilter[]) {
		filters.push({ field: CORTEX_LIST_FILTERS[name].field, operator: 'in', value: lists[name] });
	}
	if (query.start !== undefined)
		filters.push({ field: 'timestamp', operator: 'gte', value: Math.floor(query.start) });
	filters.push({ field: 'timestamp', operator: 'lte', value: Math.floor(query.end) });
	return { filters, sort: { field: 'timestamp', keyword: query.order } };
}
