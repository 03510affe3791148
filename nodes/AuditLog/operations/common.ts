// What the operations share: the source context of one item, output shaping and execution hints.
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { matchesCommonFilters, shapeOutput } from '../../shared/auditItem';
import { createSourceContext } from '../../shared/context';
import { maxBodyBytesFrom } from '../../shared/limits';
import type { ReadSettings } from '../../shared/query';
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

export type Counters = { untimed: number; failedVerification: number };

export function newCounters(): Counters {
	return { untimed: 0, failedVerification: 0 };
}

/** Adds a `verification` object to each item when the user asked and the source can verify. */
export async function verifyItems(
	ctx: SourceContext,
	source: AuditSource,
	settings: ReadSettings,
	page: Page,
	entries: TimedItem[],
	counters: Counters,
	memory: IDataObject = {},
): Promise<void> {
	if (!settings.query.verify || !source.verifyPage) return;
	const items = entries.map((e) => e.item);
	await source.verifyPage(ctx, page, items, memory);
	for (const { verification: v } of items) {
		if (v && (v.hash === 'fail' || v.signature === 'fail' || v.membership === 'fail' || v.consistency === 'fail')) {
			counters.failedVerification++;
		}
	}
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

export function countNotes(notes: string[], counters: Counters): void {
	if (counters.untimed > 0) {
		notes.push(`${counters.untimed} event(s) had a time that could not be read; they are emitted with time: null`);
	}
	if (counters.failedVerification > 0) {
		notes.push(`${counters.failedVerification} event(s) FAILED tamper-proof verification; see each item's verification`);
	}
}

export function paired(json: IDataObject[], itemIndex: number): INodeExecutionData[] {
	return json.map((j) => ({ json: j, pairedItem: { item: itemIndex } }));
}
