// Reads the node's filters and options into an AuditQuery, checking every input before any request.
import type { IDataObject, IExecuteFunctions, IPollFunctions } from 'n8n-workflow';
import type { OutputFormat, OutputOptions } from './auditItem';
import { vendorFieldNames } from './fields';
import { parameterError } from './errors';
import { parseDurationMs, resolveTimeRange } from './timeRange';
import type { AuditQuery, AuditSource, CommonFilters, NodeFunctions, SortOrder } from './types';

export type ReadSettings = {
	query: AuditQuery;
	output: OutputOptions;
	options: IDataObject;
	/** Common filters the source cannot apply itself, applied to normalized items. */
	clientFilters: Array<keyof CommonFilters>;
};

/**
 * Reads a parameter from either kind of node: an action node's getNodeParameter takes an item
 * index, a polling trigger's does not (its second argument is the fallback).
 */
export function nodeParameter<T>(fn: NodeFunctions, name: string, itemIndex: number, fallback: T): T {
	const isPoll = typeof (fn as { __emit?: unknown }).__emit === 'function';
	const value = isPoll
		? (fn as IPollFunctions).getNodeParameter(name, fallback)
		: (fn as IExecuteFunctions).getNodeParameter(name, itemIndex, fallback);
	return (value ?? fallback) as T;
}

/** Splits a collection's values into [common, vendor]: vendor keys are those the source declares. */
function split(values: IDataObject, vendorNames: string[]): [IDataObject, IDataObject] {
	const common: IDataObject = {};
	const vendor: IDataObject = {};
	for (const [key, value] of Object.entries(values)) {
		if (value === '' || value === undefined || value === null) continue;
		(vendorNames.includes(key) ? vendor : common)[key] = value;
	}
	return [common, vendor];
}

/** The workflow's time zone (Settings > Timezone, else the instance's), for times given without an offset. */
export function workflowTimeZone(fn: NodeFunctions): string {
	const zone = typeof fn.getTimezone === 'function' ? fn.getTimezone() : undefined;
	return typeof zone === 'string' && zone !== '' ? zone : 'UTC';
}

/** Whether the node runs as an AI agent's tool (n8n gives the tool variant a type ending in "Tool"). */
export function runsAsTool(fn: NodeFunctions): boolean {
	const type = (fn.getNode() as { type?: unknown }).type;
	return typeof type === 'string' && type.endsWith('Tool');
}

/** Validates Limit: a whole number of at least 1. */
export function readLimit(
	fn: NodeFunctions,
	itemIndex: number,
	parameter = 'limit',
	label = 'Limit',
	fallback = 50,
): number {
	const limit = nodeParameter<number>(fn, parameter, itemIndex, fallback);
	if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1) {
		throw parameterError(fn, label, `${String(limit)} is not a valid number of events`, `Set ${label} to a whole number of 1 or more${label === 'Limit' ? ', or turn on Return All' : ''}.`, itemIndex);
	}
	return limit;
}

/**
 * Builds the query of one run. `defaultOrder` is what the operation wants when the user did not
 * choose a sort order (Search: newest first; the cursor always reads oldest first itself).
 */
export function readQuery(
	fn: NodeFunctions,
	source: AuditSource,
	itemIndex: number,
	now: number,
	defaultOrder: SortOrder,
	pageSize = source.pageSize,
): ReadSettings {
	const filters = nodeParameter<IDataObject>(fn, 'filters', itemIndex, {});
	const options = nodeParameter<IDataObject>(fn, 'options', itemIndex, {});
	const declared = vendorFieldNames(source);
	const [commonRaw, vendor] = split(filters, declared.filters);
	const [commonOptions, vendorOptions] = split(options, declared.options);
	const range = resolveTimeRange(
		fn,
		{
			start: commonRaw.start as string,
			end: commonRaw.end as string,
			range: commonRaw.range as string,
			customRange: commonRaw.customRange as string,
		},
		now,
		itemIndex,
		workflowTimeZone(fn),
	);
	if (commonRaw.flaggedOnly === true && !source.flags) {
		// Hidden for this source, but a value saved under another source can remain.
		throw parameterError(
			fn,
			'Filters > Flagged Only',
			`${source.displayName} does not flag events, so this filter would return nothing`,
			'Remove Flagged Only from Filters: it is shown only for sources that flag events, so switch the node to such a source, remove the filter and switch back. To alert on something else, use an IF node on outcome.',
			itemIndex,
		);
	}
	const common: CommonFilters = {
		actor: commonRaw.actor as string | undefined,
		actorIp: commonRaw.actorIp as string | undefined,
		query: commonRaw.query as string | undefined,
		flaggedOnly: commonRaw.flaggedOnly === true,
	};
	const outputFormat = (commonOptions.outputFormat as OutputFormat | undefined) ?? 'normalized';
	if (!['normalized', 'ocsf', 'raw'].includes(outputFormat)) {
		throw parameterError(fn, 'Options > Output Format', `"${outputFormat}" is not a format`, 'Choose Normalized, OCSF or Raw.', itemIndex);
	}
	const sortOrder = commonOptions.sortOrder as string | undefined;
	if (sortOrder !== undefined && sortOrder !== 'asc' && sortOrder !== 'desc') {
		throw parameterError(fn, 'Options > Sort Order', `"${sortOrder}" is not an order`, 'Choose Newest First or Oldest First.', itemIndex);
	}
	const query: AuditQuery = {
		start: range.start,
		end: range.end,
		order: (commonOptions.sortOrder as SortOrder | undefined) ?? defaultOrder,
		common,
		vendor,
		vendorOptions,
		pageSize: Math.max(1, Math.min(source.pageSize, pageSize)),
		// Verify is declared by the sources that can verify (Pangea) but read here, for every source.
		verify: options.verify === true,
	};
	source.validate?.(query, fn, itemIndex);
	return {
		query,
		// As an AI tool, items are compact: the vendor's raw record only when asked for explicitly.
		output: {
			includeRaw: runsAsTool(fn) ? commonOptions.includeRaw === true : commonOptions.includeRaw !== false,
			outputFormat,
		},
		options: commonOptions,
		clientFilters: (['actor', 'actorIp', 'query', 'flaggedOnly'] as Array<keyof CommonFilters>).filter(
			(key) => !source.serverFilters.includes(key),
		),
	};
}

/** Default safety window for late-arriving records, re-read behind the cursor on every run. */
export const DEFAULT_OVERLAP = '1m';

/** Reads a duration option such as "5m" (Overlap, Initial Lookback) into ms. */
export function readDurationOption(
	fn: NodeFunctions,
	options: IDataObject,
	name: string,
	label: string,
	fallback: string,
	itemIndex: number,
): number {
	const text = String(options[name] ?? fallback).trim();
	const ms = parseDurationMs(text);
	if (ms === null) {
		throw parameterError(fn, `Options > ${label}`, `"${text}" is not a duration`, 'Write a number and a unit: s, m, h, d or w, e.g. 5m or 2h.', itemIndex);
	}
	return ms;
}

export function readOverlapMs(fn: NodeFunctions, options: IDataObject, itemIndex: number): number {
	return readDurationOption(fn, options, 'overlap', 'Overlap', DEFAULT_OVERLAP, itemIndex);
}
