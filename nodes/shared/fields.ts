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
		displayName: 'End',
		name: 'end',
		type: 'dateTime',
		default: '',
		description: 'Latest event time to include; empty means now. Use with Start, not with Range.',
	},
	{
		displayName: 'Flagged Only',
		name: 'flaggedOnly',
		type: 'boolean',
		default: false,
		description: 'Whether to return only events the vendor flagged (sources without a flag return none)',
	},
	{
		displayName: 'Range',
		name: 'range',
		type: 'string',
		default: '',
		placeholder: 'e.g. -12h',
		description:
			'A relative range ending now: minus, a number and a unit M (months), w, d, h, m (minutes) or s. Not with Start/End.',
	},
	{
		displayName: 'Start',
		name: 'start',
		type: 'dateTime',
		default: '',
		description: 'Earliest event time to include. Use with End (or alone), not with Range.',
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

/** The time-range filters: the trigger has none, its cursor decides where each poll starts. */
export const TIME_RANGE_FILTERS = ['start', 'end', 'range'];

/** The `filters` collection for one source: the common filters plus the vendor's own. */
export function filtersFor(
	source: AuditSource,
	show: Record<string, string[]>,
	omit: string[] = [],
	key: SourceKey = 'source',
): INodeProperties {
	const options = [...COMMON_FILTER_FIELDS, ...source.filterFields]
		.filter((field) => !omit.includes(field.name))
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
