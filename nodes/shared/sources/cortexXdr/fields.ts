// The Cortex XDR-only filters (email, type, sub_type, result) and the client-side request budget option.
import type { INodeProperties } from 'n8n-workflow';
import { textField } from '../../fields';

/** The tenant serves 10 requests per second to all its API callers together. */
export const TENANT_REQUESTS_PER_SECOND = 10;
/** Half the tenant's budget: room for other integrations (SIEM, SOAR) on the same tenant. */
export const DEFAULT_REQUESTS_PER_SECOND = 5;

/** Node parameter name → the vendor's filter field; all use operator `in` with a list of strings. */
export const CORTEX_LIST_FILTERS = {
	email: { field: 'email', label: 'Filters > Email' },
	type: { field: 'type', label: 'Filters > Type' },
	subType: { field: 'sub_type', label: 'Filters > Sub Type' },
	result: { field: 'result', label: 'Filters > Result' },
} as const;

export type CortexListFilter = keyof typeof CORTEX_LIST_FILTERS;

/**
 * The audit log types the API documents for the `type` filter (Palo Alto's XSOAR integration for
 * "Get Audit Management Log" lists them as the possible values).
 */
export const CORTEX_TYPES = [
	'ALERT_WHITELIST',
	'AUTH',
	'BROKER_VM',
	'DASHBOARD',
	'DEVICE_CONTROL_GLOBAL_EXCEPTIONS',
	'DEVICE_CONTROL_PROFILE',
	'DEVICE_CONTROL_TEMP_EXCEPTIONS',
	'DISTRIBUTIONS',
	'ENDPOINT_MANAGEMENT',
	'GLOBAL_EXCEPTIONS',
	'HOST_FIREWALL_PROFILE',
	'INCIDENT_MANAGEMENT',
	'LIVE_TERMINAL',
	'MSSP',
	'POLICY_PROFILES',
	'POLICY_RULES',
	'PROTECTION_POLICY',
	'PUBLIC_API',
	'REPORTING',
	'RESPONSE',
	'RULES',
	'STARRED_INCIDENTS',
];

/** The documented results. */
export const CORTEX_RESULTS = ['SUCCESS', 'FAIL', 'PARTIAL'];

/**
 * Sub-types are not enumerated by the vendor (its examples: Login, Create): these are the common
 * ones. Another one is written through an expression, as Cortex spells it.
 */
export const CORTEX_SUB_TYPES = [
	'Login',
	'Logout',
	'Create',
	'Edit',
	'Delete',
	'Change Status',
	'Create Key',
	'Edit Role',
	'Isolate',
	'Scan',
];

const ACRONYMS = new Set(['API', 'MSSP', 'VM']);

/** AUTH → "Auth", PUBLIC_API → "Public API": how the editor shows a vendor value. */
function label(value: string): string {
	return value
		.split(/[_ ]/)
		.map((word) => (ACRONYMS.has(word.toUpperCase()) ? word.toUpperCase() : word[0].toUpperCase() + word.slice(1).toLowerCase()))
		.join(' ');
}

const choices = (values: string[]) =>
	values.map((value) => ({ name: label(value), value })).sort((a, b) => a.name.localeCompare(b.name));

/**
 * A list filter picked from the documented values. A workflow saved when these were text fields
 * holds a comma-separated string: still read as the same list (request.ts `listOf`).
 */
const multi = (
	displayName: string,
	name: CortexListFilter,
	values: string[],
	description: string,
): INodeProperties => ({
	displayName,
	name,
	type: 'multiOptions',
	options: choices(values),
	default: [],
	description,
});

export const CORTEX_FILTER_FIELDS: INodeProperties[] = [
	textField(
		'Email',
		'email',
		'Only events by these user emails (comma-separated, exact match)',
		'e.g. alice@example.com, bob@example.com',
	),
	multi('Result', 'result', CORTEX_RESULTS, 'Only events with these results'),
	multi(
		'Sub Type',
		'subType',
		CORTEX_SUB_TYPES,
		'Only events with these entity sub-types. For one not listed, use an expression giving the names comma-separated, as Cortex spells them.',
	),
	multi(
		'Type',
		'type',
		CORTEX_TYPES,
		'Only events of these audited entities. For one not listed, use an expression giving the names comma-separated.',
	),
];

export const CORTEX_OPTION_FIELDS: INodeProperties[] = [
	{
		displayName: 'Requests per Second',
		name: 'requestsPerSecond',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: TENANT_REQUESTS_PER_SECOND, numberPrecision: 0 },
		default: DEFAULT_REQUESTS_PER_SECOND,
		description:
			'Most requests this node sends in any one second. The tenant allows 10 per second for all API callers together (every workflow, SIEM and script using it), so keep room for them.',
	},
];
