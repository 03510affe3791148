// Fetch Queue: the vendor's read-once queue where it has one (CBC), else the node's cursor queue.
import type { IDataObject } from 'n8n-workflow';
import { timed } from '../../shared/auditItem';
import { loadCursor, readNewEvents, saveCursor, seedCursor } from '../../shared/cursor';
import { parameterError } from '../../shared/errors';
import { readLimit, readOverlapMs, readQuery } from '../../shared/query';
import { readItems } from '../../shared/reader';
import { parseInstant } from '../../shared/timeRange';
import {
	contextFor,
	countNotes,
	newCounters,
	paired,
	shapeItems,
	verifyItems,
	type Operation,
	type OperationRun,
} from './common';

/** Return All still stops here: a queue that never empties must not fill n8n's memory. */
export const QUEUE_SAFETY_CAP = 100_000;
const CURSOR_KEY = 'fetchQueueCursor';

export const fetchQueue: Operation = async (run) => {
	const returnAll = run.fn.getNodeParameter('returnAll', run.itemIndex, false) as boolean;
	const limit = returnAll ? QUEUE_SAFETY_CAP : readLimit(run.fn, run.itemIndex);
	return run.source.nativeQueue ? await drainNativeQueue(run, limit, returnAll) : await readCursorQueue(run, limit);
};

/** How many recent events a manual run shows instead of reading a read-once queue. */
export const MANUAL_SAMPLE = 10;

async function drainNativeQueue(run: OperationRun, limit: number, returnAll: boolean) {
	const { fn, source, itemIndex } = run;
	const settings = readQuery(fn, source, itemIndex, Date.now(), 'asc', limit);
	const ctx = contextFor(run, settings);
	const counters = newCounters();
	const out: IDataObject[] = [];
	if (fn.getMode() === 'manual') {
		// Building a workflow must not consume the queue: show recent events from Search instead.
		const sampleQuery = { ...settings.query, order: 'desc' as const, pageSize: Math.min(limit, MANUAL_SAMPLE) };
		for await (const { items } of readItems(ctx, source, sampleQuery)) {
			out.push(...shapeItems(source, settings, items, counters).slice(0, sampleQuery.pageSize - out.length));
			if (out.length >= sampleQuery.pageSize) break;
		}
		run.notes.push(
			`Manual run: ${out.length} recent event(s) from Search as a preview. The read-once queue was not touched; an active or scheduled run reads it.`,
		);
		return paired(out, itemIndex);
	}
	for await (const page of source.nativeQueue!.read(ctx)) {
		const entries = page.records.map((record) => timed(source.normalize(record, page.context)));
		await verifyItems(ctx, source, settings, page, entries, counters);
		// A page taken from a read-once queue is returned whole, even past Limit: cutting it would lose events.
		out.push(...shapeItems(source, settings, entries, counters));
		if (out.length >= limit) break;
	}
	if (returnAll && out.length >= limit) {
		run.notes.push(`Stopped at the safety cap of ${QUEUE_SAFETY_CAP} events; run again to read the rest of the queue`);
	}
	run.notes.push(`${source.displayName} queue: ${out.length} event(s)`);
	countNotes(run.notes, counters);
	return paired(out, itemIndex);
}

async function readCursorQueue(run: OperationRun, limit: number) {
	const { fn, source, itemIndex } = run;
	const settings = readQuery(fn, source, itemIndex, Date.now(), 'asc');
	const ctx = contextFor(run, settings);
	const counters = newCounters();
	const staticData = fn.getWorkflowStaticData('node');
	const resetTo = settings.options.resetCursor as string | undefined;
	let state = loadCursor(staticData, CURSOR_KEY);
	if (resetTo) {
		const at = parseInstant(resetTo);
		if (Number.isNaN(at)) {
			throw parameterError(fn, 'Options > Reset Cursor To', `"${resetTo}" is not a date-time`, 'Pick a date-time, or remove the option.', itemIndex);
		}
		state = seedCursor(at, source.timePrecisionMs);
	}
	// First run: everything from the filters' start (or the vendor's oldest record).
	state ??= seedCursor(settings.query.start ?? 0, source.timePrecisionMs);
	// What verification remembers across runs (Pangea: the newest verified root); a manual run keeps nothing.
	const memory = fn.getMode() === 'manual' ? {} : ((staticData.verificationMemory ??= {}) as IDataObject);
	const { events, next, full } = await readNewEvents(
		ctx,
		source,
		settings.query,
		state,
		{ overlapMs: readOverlapMs(fn, settings.options, itemIndex), maxEvents: limit },
		async (page, entries) => await verifyItems(ctx, source, settings, page, entries, counters, memory),
	);
	const shaped = shapeItems(source, settings, events, counters);
	if (fn.getMode() === 'manual') {
		run.notes.push('Manual run: showing the queue without moving the cursor; an active or scheduled run consumes it');
	} else {
		saveCursor(staticData, CURSOR_KEY, next);
	}
	run.notes.push(
		`${source.displayName}: ${shaped.length} new event(s) after ${new Date(state.watermark).toISOString()}` +
			(full ? '; more are waiting for the next run' : ''),
	);
	countNotes(run.notes, counters);
	return paired(shaped, itemIndex);
}
