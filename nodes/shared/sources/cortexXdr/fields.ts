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

const list = (displayName: string, name: CortexListFilter, description: string, placeholder: string) =>
	textField(displayName, name, description, placeholder);

export const CORTEX_FILTER_FIELDS: INodeProperties[] = [
	list(
		'Email',
		'email',
		'Only events by these user emails (comma-separated, exact match)',
		'e.g. alice@example.com, bob@example.com',
	),
	list(
		'Result',
		'result',
		'Only events with these results (comma-separated)',
		'e.g. SUCCESS, FAIL',
	),
	list(
		'Sub Type',
		'subType',
		'Only events with these entity sub-types (comma-separated, as Cortex spells them)',
		'e.g. Login, Create',
	),
	list(
		'Type',
		'type',
		'Only events of these audited entities (comma-separated)',
		'e.g. AUTH, DISTRIBUTIONS',
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
