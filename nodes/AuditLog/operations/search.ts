// Search: the source's pages, split past its result window, until the limit or the end.
import { readItems } from '../../shared/reader';
import { readLimit, readQuery } from '../../shared/query';
import type { IDataObject } from 'n8n-workflow';
import { contextFor, countNotes, newCounters, paired, shapeItems, verifyItems, type Operation } from './common';

export const search: Operation = async (run) => {
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
	run.notes.push(
		`${source.displayName}: ${out.length} event(s) from ${stats.records} record(s) in ${stats.pages} page(s)` +
			(stats.queries > 1 ? `, ${stats.queries} time windows` : ''),
	);
	countNotes(run.notes, counters);
	return paired(out, itemIndex);
};
