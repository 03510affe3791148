// Fetch Queue: the vendor's read-once queue where it has one (CBC), else the node's cursor queue.
import type { IDataObject, INodeProperties } from 'n8n-workflow';
import { filtersFor, optionsFor, OUTPUT_OPTION_FIELDS, returnAllAndLimit, type OperationDescription } from '../../shared/fields';
import { SOURCES } from '../../shared/sources';
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

// The operation's parameters; the node's description assembles them (description.ts).
const show = { operation: ['fetchQueue'] };
const nativeQueueSources = SOURCES.filter((s) => s.nativeQueue);
const cursorQueueSources = SOURCES.filter((s) => !s.nativeQueue);

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

export const description: OperationDescription = {
	option: {
		name: 'Fetch Queue',
		value: 'fetchQueue',
		action: 'Fetch queue of new audit events',
		description:
			`Read the events that are new since the last run, each once. Consumes: on ${nativeQueueSources.map((s) => s.displayName).join(', ')} it empties the vendor's read-once queue for the API key (other readers of that key no longer get those events); elsewhere it moves this node's cursor. A manual run only previews.`,
	},
	properties: [
		{
			displayName:
				"This reads the vendor's own audit queue: it is per API key and read-once. Events returned here are gone from the queue for this key, so use one key per workflow. Limit stops after the queue page that reaches it (a page is returned whole, nothing is lost). A manual run only previews recent events from Search.",
			name: 'nativeQueueNotice',
			type: 'notice',
			default: '',
			displayOptions: { show: { ...show, resource: nativeQueueSources.map((s) => s.id) } },
		},
		{
			displayName:
				"Returns the events that are new since this node's last run (oldest first, each once). The cursor is kept per node; a manual run only previews and does not move it.",
			name: 'cursorQueueNotice',
			type: 'notice',
			default: '',
			displayOptions: { show: { ...show, resource: cursorQueueSources.map((s) => s.id) } },
		},
		...returnAllAndLimit(show.operation),
		...cursorQueueSources.map((s) => filtersFor(s, show, [], 'resource')),
		...SOURCES.map((s) =>
			optionsFor(s, s.nativeQueue ? OUTPUT_OPTION_FIELDS : [...OUTPUT_OPTION_FIELDS, ...QUEUE_OPTION_FIELDS], show, 'resource'),
		),
	],
};

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
	const { events, next, full } = await readNewEvents(
		ctx,
		source,
		settings.query,
		state,
		{ overlapMs: readOverlapMs(fn, settings.options, itemIndex), maxEvents: limit },
		async (page, entries) => await verifyItems(ctx, source, settings, page, entries, counters),
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
