// What the operations share: the source context of one item, output shaping and execution hints.
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { matchesCommonFilters, shapeOutput } from '../../shared/auditItem';
import { createSourceContext } from '../../shared/context';
import { maxBodyBytesFrom } from '../../shared/limits';
import type { ReadSettings } from '../../shared/query';
import { counterHints, newCounters, verifyEntries, type QueueCounters } from '../../shared/queue';
import type { AuditSource, Page, SourceContext, TimedItem } from '../../shared/types';

export type OperationRun = {
	fn: IExecuteFunctions;
	source: AuditSource;
	itemIndex: number;
	/** Collected for the execution hints (progress, counts); never secrets. */
	notes: string[];
};

export type Operation = (run: OperationRun) => Promise<INodeExecutionData[]>;

export function contextFor(run: OperationRun, settings?: ReadSettings): SourceContext {
	return createSourceContext(run.fn, run.source, run.itemIndex, {
		notes: run.notes,
		requestsPerSecond: settings ? run.source.requestsPerSecond?.(settings.query.vendorOptions) : undefined,
		maxBodyBytes: settings ? maxBodyBytesFrom(run.fn, settings.options, run.itemIndex) : undefined,
	});
}

/** What a run counts for its hints: unread times and verification that did not pass (see queue.ts). */
export type Counters = QueueCounters;

export { newCounters };

/** Adds a `verification` object to each item when the user asked and the source can verify (Search: no memory). */
export async function verifyItems(
	ctx: SourceContext,
	source: AuditSource,
	settings: ReadSettings,
	page: Page,
	entries: TimedItem[],
	counters: Counters,
): Promise<void> {
	await verifyEntries(ctx, source, settings, page, entries, {}, counters);
}

/** Applies the client-side filters and shapes the items into output objects, in order. */
export function shapeItems(
	source: AuditSource,
	settings: ReadSettings,
	entries: TimedItem[],
	counters: Counters,
): IDataObject[] {
	const out: IDataObject[] = [];
	for (const entry of entries) {
		if (Number.isNaN(entry.timeMs)) counters.untimed++;
		if (!matchesCommonFilters(entry.item, settings.query.common, settings.clientFilters)) continue;
		out.push(shapeOutput(entry.item, settings.output, source.displayName));
	}
	return out;
}

/** Adds the hints that matter (unread times, verification that did not pass); never a plain count. */
export function countNotes(notes: string[], counters: Counters): void {
	notes.push(...counterHints(counters));
}

export function paired(json: IDataObject[], itemIndex: number): INodeExecutionData[] {
	return json.map((j) => ({ json: j, pairedItem: { item: itemIndex } }));
}
