// Parameter definitions shared by the action node and the trigger: Source, Filters, Options.
import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import type { AuditSource } from './types';

/** A plain text parameter: what most vendor filters and event fields are. */
export function textField(
	displayName: string,
	name: string,
	description: string,
	placeholder: string,
): INodeProperties {
	return { displayName, name, type: 'string', default: '', placeholder, description };
}

/**
 * The parameter that picks the vendor: `resource` on the Audit Log node (n8n builds its node-panel
 * actions from `resource` × `operation`, so each vendor lists its own), `source` on the trigger.
 */
export type SourceKey = 'source' | 'resource';

export function sourceParameter(sources: AuditSource[], key: SourceKey = 'source'): INodeProperties {
	const options: INodePropertyOptions[] = sources
		.map((s) => ({ name: s.displayName, value: s.id, description: s.description }))
		.sort((a, b) => a.name.localeCompare(b.name));
	return {
		displayName: 'Source',
		name: key,
		type: 'options',
		noDataExpression: true,
		options,
		default: 'carbonBlackCloud',
		description: 'The product whose audit log to read; it decides which credential the node uses',
	};
}

/** One credential entry per source, shown when that source is chosen. */
export function sourceCredentials(sources: AuditSource[], key: SourceKey = 'source') {
	return sources.map((s) => ({
		name: s.credentialType,
		required: true,
		displayOptions: { show: { [key]: [s.id] } },
	}));
}

/**
 * An expression that shows a parameter's value in words: `{ search: 'Search' }` turns "search" into
 * "Search". For subtitles, which n8n evaluates as expressions; an unknown value is shown as it is.
 */
export function inWords(parameter: string, words: Array<{ value: string; name: string }>): string {
	const value = `$parameter[${JSON.stringify(parameter)}]`;
	return words.reduceRight(
		(rest, w) => `(${value} === ${JSON.stringify(w.value)} ? ${JSON.stringify(w.name)} : ${rest})`,
		value,
	);
}

/** The source's name in words, for a subtitle such as "Search: Cisco Secure Endpoint". */
export function sourceInWords(sources: AuditSource[], key: SourceKey): string {
	return inWords(key, sources.map((s) => ({ value: s.id, name: s.displayName })));
}

/**
 * n8n hides the Source parameter (every value has its own credential type, so the editor makes it the
 * node's main authentication field and picks it with the Credential dropdown). This notice at the
 * top of the parameters says which vendor the node reads, one per source.
 */
export function sourceNotices(sources: AuditSource[], key: SourceKey): INodeProperties[] {
	return sources.map((s) => ({
		displayName: `Source: ${s.displayName} — set by the credential`,
		name: 'sourceNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { [key]: [s.id] } },
	}));
}

/** Range's presets; any other relative range (a saved "-12h", a Custom Range) works as well. */
export const RANGE_PRESETS = [
	{ name: 'Last Hour', value: '-1h' },
	{ name: 'Last 24 Hours', value: '-24h' },
	{ name: 'Last 7 Days', value: '-7d' },
	{ name: 'Last 30 Days', value: '-30d' },
	{ name: 'Custom', value: 'custom', description: 'The relative range written in Custom Range' },
];

export const COMMON_FILTER_FIELDS: INodeProperties[] = [
	{
		displayName: 'Actor',
		name: 'actor',
		type: 'string',
		default: '',
		placeholder: 'e.g. alice@example.com',
		description: 'Only events by this user, email or API key (exact match; on Carbon Black Cloud several, comma-separated)',
	},
	{
		displayName: 'Actor IP',
		name: 'actorIp',
		type: 'string',
		default: '',
		placeholder: 'e.g. 198.51.100.7',
		description: 'Only events from this source IP address (on Carbon Black Cloud several, comma-separated)',
	},
	{
		displayName: 'Custom Range',
		name: 'customRange',
		type: 'string',
		default: '',
		placeholder: 'e.g. -12h',
		description:
			'With Range set to Custom: a relative range ending now, a minus sign, a number and a unit M (months), w, d, h, m (minutes) or s',
	},
	{
		displayName: 'End',
		name: 'end',
		type: 'dateTime',
		default: '',
		description:
			"Latest event time to include; empty means now. Without an offset it is read in the workflow's time zone. Use with Start, not with Range.",
	},
	{
		displayName: 'Flagged Only',
		name: 'flaggedOnly',
		type: 'boolean',
		default: false,
		description: 'Whether to return only the events the vendor flagged',
	},
	{
		displayName: 'Range',
		name: 'range',
		type: 'options',
		options: RANGE_PRESETS,
		// A saved free-text value (e.g. "-12h", from before the presets) stays valid.
		allowArbitraryValues: true,
		default: '-24h',
		description: 'A time range ending now. Not with Start/End.',
	},
	{
		displayName: 'Start',
		name: 'start',
		type: 'dateTime',
		default: '',
		description:
			"Earliest event time to include. Without an offset it is read in the workflow's time zone. Use with End (or alone), not with Range.",
	},
	{
		displayName: 'Text',
		name: 'query',
		type: 'string',
		default: '',
		placeholder: 'e.g. description:"Logged in"',
		description:
			"Search text: the vendor's query language where it has one (Carbon Black Lucene, Pangea terms), else a case-insensitive substring match",
	},
];

/** Names of the common filters, from their definitions: every other key of `filters` is the vendor's. */
export const COMMON_FILTER_NAMES: string[] = COMMON_FILTER_FIELDS.map((field) => field.name);

/** The time-range filters: the trigger has none, its cursor decides where each poll starts. */
export const TIME_RANGE_FILTERS = ['start', 'end', 'range', 'customRange'];

/** Common filters a source cannot honour: Flagged Only where the vendor flags nothing. */
function unsupportedFilters(source: AuditSource): string[] {
	return source.flags ? [] : ['flaggedOnly'];
}

/** The `filters` collection for one source: the common filters it can honour plus the vendor's own. */
export function filtersFor(
	source: AuditSource,
	show: Record<string, string[]>,
	omit: string[] = [],
	key: SourceKey = 'source',
): INodeProperties {
	const left = [...omit, ...unsupportedFilters(source)];
	const options = [...COMMON_FILTER_FIELDS, ...source.filterFields]
		.filter((field) => !left.includes(field.name))
		.sort((a, b) => a.displayName.localeCompare(b.displayName));
	return {
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		displayOptions: { show: { ...show, [key]: [source.id] } },
		options,
	};
}

/**
 * Names of the vendor's own fields in `filters` and `options`, from the source's definitions. Every
 * other key is common: an option added to an operation can never be taken for the vendor's.
 */
export function vendorFieldNames(source: AuditSource): { filters: string[]; options: string[] } {
	return {
		filters: source.filterFields.map((field) => field.name),
		options: source.optionFields.map((field) => field.name),
	};
}

export const OUTPUT_OPTION_FIELDS: INodeProperties[] = [
	{
		displayName: 'Include Raw Event',
		name: 'includeRaw',
		type: 'boolean',
		default: true,
		description: "Whether to keep the vendor's record, exactly as received, under raw",
	},
	{
		displayName: 'Output Format',
		name: 'outputFormat',
		type: 'options',
		options: [
			{ name: 'Normalized', value: 'normalized', description: 'The same audit item shape for every source' },
			{ name: 'OCSF', value: 'ocsf', description: 'An OCSF 1.8.0 event (Authentication, Account Change, Entity Management or API Activity)' },
			{ name: 'Raw', value: 'raw', description: "The vendor's record as received" },
		],
		default: 'normalized',
	},
];

export const SORT_OPTION: INodeProperties = {
	displayName: 'Sort Order',
	name: 'sortOrder',
	type: 'options',
	options: [
		{ name: 'Newest First', value: 'desc' },
		{ name: 'Oldest First', value: 'asc' },
	],
	default: 'desc',
	description: 'Order of the events; with a Limit it decides whether the newest or the oldest are returned',
};

/** An `options` collection for one source: the given common options plus the vendor's own. */
export function optionsFor(
	source: AuditSource,
	common: INodeProperties[],
	show: Record<string, string[]>,
	key: SourceKey = 'source',
): INodeProperties {
	const options = [...common, ...source.optionFields].sort((a, b) => a.displayName.localeCompare(b.displayName));
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { ...show, [key]: [source.id] } },
		options,
	};
}

/** Return All and Limit, shown for the given operations of the action node. */
export function returnAllAndLimit(operations: string[]): INodeProperties[] {
	return [
		{
			displayName: 'Return All',
			name: 'returnAll',
			type: 'boolean',
			default: false,
			description: 'Whether to return all results or only up to a given limit',
			displayOptions: { show: { operation: operations } },
		},
		{
			displayName: 'Limit',
			name: 'limit',
			type: 'number',
			default: 50,
			typeOptions: { minValue: 1 },
			description: 'Max number of results to return',
			displayOptions: { show: { operation: operations, returnAll: [false] } },
		},
	];
}

/** What an operation file gives the node's description: its entry in Operation and its parameters. */
export type OperationDescription = {
	/** The Operation option; `action` is what the node panel lists per source. */
	option: { name: string; value: string; action: string; description: string };
	/** Its parameters, each shown only for this operation. */
	properties: INodeProperties[];
	/** Sources that offer it; default every source. */
	availableFor?(source: AuditSource): boolean;
};
