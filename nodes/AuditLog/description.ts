// The Audit Log node's parameters, built from the source registry so a new vendor needs no edit here.
import type { INodeProperties } from 'n8n-workflow';
import { filtersFor, optionsFor, OUTPUT_OPTION_FIELDS, SORT_OPTION, sourceParameter } from '../shared/fields';
import { MAX_DOWNLOAD_OPTION } from '../shared/limits';
import { SOURCES } from '../shared/sources';
import type { AuditSource } from '../shared/types';
import { startFromFields } from './operations/fetchQueue';

const OPERATION_OPTIONS = {
	exportAndWait: {
		name: 'Export and Wait',
		value: 'exportAndWait',
		action: 'Export audit events to a file',
		description: 'Export the filtered events into one CSV, JSON or NDJSON file and wait for it',
	},
	fetchQueue: {
		name: 'Fetch Queue',
		value: 'fetchQueue',
		action: 'Fetch new audit events from the queue',
		description: "Read the events that are new since the last run (the vendor's queue, or this node's cursor)",
	},
	log: {
		name: 'Log',
		value: 'log',
		action: 'Log events to the tamper-proof audit log',
		description: 'Write each input item as one event',
	},
	search: {
		name: 'Search',
		value: 'search',
		action: 'Search audit events',
		description: 'Search the audit log in a time range with filters',
	},
};

function operationParameter(sources: AuditSource[], withLog: boolean): INodeProperties {
	const { log, ...reading } = OPERATION_OPTIONS;
	const options = withLog ? [...Object.values(reading), log] : Object.values(reading);
	return {
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: sources.map((s) => s.id) } },
		options: options.sort((a, b) => a.name.localeCompare(b.name)),
		default: 'search',
	};
}

const nativeQueueSources = SOURCES.filter((s) => s.nativeQueue).map((s) => s.id);
const cursorQueueSources = SOURCES.filter((s) => !s.nativeQueue).map((s) => s.id);
const logSources = SOURCES.filter((s) => s.log);
const readOnlySources = SOURCES.filter((s) => !s.log);

const queueNotices: INodeProperties[] = [
	{
		displayName:
			"This reads the vendor's own audit queue: it is per API key and read-once. Events returned here are gone from the queue for this key, so use one key per workflow. Limit stops after the queue page that reaches it (a page is returned whole, nothing is lost). A manual run only previews recent events from Search.",
		name: 'nativeQueueNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { operation: ['fetchQueue'], resource: nativeQueueSources } },
	},
	{
		displayName:
			"Returns the events that are new since this node's last run (oldest first, each once). The cursor is kept per node; a manual run only previews and does not move it.",
		name: 'cursorQueueNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { operation: ['fetchQueue'], resource: cursorQueueSources } },
	},
];

const returnAllAndLimit: INodeProperties[] = [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
		displayOptions: { show: { operation: ['search', 'fetchQueue'] } },
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		default: 50,
		typeOptions: { minValue: 1 },
		description: 'Max number of results to return',
		displayOptions: { show: { operation: ['search', 'fetchQueue'], returnAll: [false] } },
	},
];

const exportParameters: INodeProperties[] = [
	{
		displayName: 'Format',
		name: 'format',
		type: 'options',
		options: [
			{ name: 'CSV', value: 'csv' },
			{ name: 'JSON', value: 'json', description: 'One JSON array' },
			{ name: 'NDJSON', value: 'ndjson', description: 'One JSON object per line' },
		],
		default: 'csv',
		displayOptions: { show: { operation: ['exportAndWait'] } },
	},
	{
		displayName: 'Put Output File in Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		hint: 'The name of the output binary field to put the file in',
		displayOptions: { show: { operation: ['exportAndWait'] } },
	},
];

const EXPORT_OPTION_FIELDS: INodeProperties[] = [
	{
		displayName: 'Emit Events as Items',
		name: 'emitEvents',
		type: 'boolean',
		default: false,
		description: 'Whether to also output each exported event as an item (the file is then built from the search pages)',
	},
	MAX_DOWNLOAD_OPTION,
	{
		displayName: 'Max Wait (Seconds)',
		name: 'maxWait',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 300,
		description: 'How long to wait for a vendor export job before failing with its job ID',
	},
	{
		displayName: 'Poll Interval (Seconds)',
		name: 'pollInterval',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 2,
		description: 'Longest pause between two checks of a vendor export job',
	},
];

const QUEUE_OPTION_FIELDS: INodeProperties[] = [
	{
		displayName: 'Overlap',
		name: 'overlap',
		type: 'string',
		default: '1m',
		placeholder: 'e.g. 5m',
		description: 'Safety window for late-arriving records: each run re-reads this far behind its cursor and drops what it already returned',
	},
	{
		displayName: 'Reset Cursor To',
		name: 'resetCursor',
		type: 'dateTime',
		default: '',
		description: 'Start again from this time: events after it are returned as new. Remove the option after one run.',
	},
];

function perSource(build: (source: AuditSource) => INodeProperties[]): INodeProperties[] {
	return SOURCES.flatMap(build);
}

export const auditLogProperties: INodeProperties[] = [
	sourceParameter(SOURCES, 'resource'),
	operationParameter(readOnlySources, false),
	...(logSources.length > 0 ? [operationParameter(logSources, true)] : []),
	...queueNotices,
	...returnAllAndLimit,
	...exportParameters,
	...startFromFields({ show: { operation: ['fetchQueue'], resource: cursorQueueSources } }),
	// Every filter shown holds in every mode: on a vendor queue they are applied to what was read.
	...perSource((s) => [filtersFor(s, { operation: ['search', 'exportAndWait', 'fetchQueue'] }, [], 'resource')]),
	...perSource((s) => [
		optionsFor(s, [...OUTPUT_OPTION_FIELDS, SORT_OPTION], { operation: ['search'] }, 'resource'),
		optionsFor(s, [...OUTPUT_OPTION_FIELDS, SORT_OPTION, ...EXPORT_OPTION_FIELDS], { operation: ['exportAndWait'] }, 'resource'),
		optionsFor(
			s,
			s.nativeQueue ? OUTPUT_OPTION_FIELDS : [...OUTPUT_OPTION_FIELDS, ...QUEUE_OPTION_FIELDS],
			{ operation: ['fetchQueue'] },
			'resource',
		),
	]),
	...logSources.flatMap((s) => s.logFields ?? []),
];
