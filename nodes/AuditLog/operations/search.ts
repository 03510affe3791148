// Search: the source's pages, split past its result window, until the limit or the end.
// This file owns the operation's parameters (`description`) and its run (`execute`).
import { readItems } from '../../shared/reader';
import { readLimit, readQuery } from '../../shared/query';
import type { IDataObject } from 'n8n-workflow';
import {
	filtersFor,
	optionsFor,
	OUTPUT_OPTION_FIELDS,
	returnAllAndLimit,
	SORT_OPTION,
	type OperationDescription,
} from '../../shared/fields';
import { SOURCES } from '../../shared/sources';
import { contextFor, countNotes, newCounters, paired, shapeItems, verifyItems, type Operation } from './common';

const show = { operation: ['search'] };

export const description: OperationDescription = {
	option: {
		name: 'Search',
		value: 'search',
		action: 'Search audit events',
		description: 'Search the audit log in a time range with filters. Read-only: changes nothing at the vendor.',
	},
	properties: [
		...returnAllAndLimit(show.operation),
		...SOURCES.flatMap((s) => [
			filtersFor(s, show, [], 'resource'),
			optionsFor(s, [...OUTPUT_OPTION_FIELDS, SORT_OPTION], show, 'resource'),
		]),
	],
};

export const execute: Operation = async (run) => {
	const { fn, source, itemIndex } = run;
	const returnAll = fn.getNodeParameter('returnAll', itemIndex, false) as boolean;
	const limit = returnAll ? Infinity : readLimit(fn, itemIndex);
	const settings = readQuery(fn, source, itemIndex, Date.now(), 'desc', returnAll ? source.pageSize : limit);
	// Filters applied here, not by the vendor, may drop most of a page: ask for full pages then.
	const filteredHere = settings.clientFilters.some((key) => {
		const value = settings.query.common[key];
		return value !== undefined && value !== '' && value !== false;
	});
	if (filteredHere) settings.query.pageSize = source.pageSize;
	settings.query.readAhead = returnAll;
	// Pages past the Limit are never fetched ahead; a client-side filter makes the need unknown.
	if (!returnAll && !filteredHere) settings.query.maxRecords = limit;
	const ctx = contextFor(run, settings);
	const counters = newCounters();
	const stats = { pages: 0, records: 0, queries: 0, untimed: 0 };
	const out: IDataObject[] = [];
	for await (const { items, page } of readItems(ctx, source, settings.query, stats)) {
		await verifyItems(ctx, source, settings, page, items, counters);
		const shaped = shapeItems(source, settings, items, counters);
		for (const json of shaped) {
			out.push(json);
			if (out.length >= limit) break;
		}
		if (out.length >= limit) break;
	}
	// Hints are kept for what a user must know (fallbacks, verification failures), not for counts.
	countNotes(run.notes, counters);
	return paired(out, itemIndex);
};
