// Fetch Queue: the vendor's read-once queue where it has one (CBC), else the node's cursor queue.
// Both are read through shared/queue.ts, as the trigger reads them. This file owns the operation's
// parameters (`description`) and its run.
import type { IDataObject, INodeProperties } from 'n8n-workflow';
import { shapeOutput } from '../../shared/auditItem';
import { filtersFor, optionsFor, OUTPUT_OPTION_FIELDS, returnAllAndLimit, type OperationDescription } from '../../shared/fields';
import { SOURCES } from '../../shared/sources';
import { parameterError } from '../../shared/errors';
import { readLimit, readOverlapMs, readQuery, type ReadSettings } from '../../shared/query';
import {
	counterHints,
	newCounters,
	openCursor,
	partialQueueMessage,
	previewRecent,
	queueItemMatches,
	readCursorQueue,
	readNativeQueue,
} from '../../shared/queue';
import { loadCursor } from '../../shared/cursor';
import { LEDGER_RUN_MAX, ledgerStore, readLedgerQueue, resetKey, seedLedger, type LedgerStore } from '../../shared/ledger';
import { parseDurationMs, parseInstant } from '../../shared/timeRange';
import type { TimedItem } from '../../shared/types';
import { acquirePollLease } from '../../shared/lease';
import { contextFor, paired, type Operation, type OperationRun } from './common';

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
		...startFromFields({ show: { ...show, resource: cursorQueueSources.map((s) => s.id) } }),
		// Every filter shown holds in every mode: on a vendor queue they are applied to what was read.
		...SOURCES.map((s) => filtersFor(s, show, [], 'resource')),
		...SOURCES.map((s) =>
			optionsFor(s, s.nativeQueue ? OUTPUT_OPTION_FIELDS : [...OUTPUT_OPTION_FIELDS, ...QUEUE_OPTION_FIELDS], show, 'resource'),
		),
	],
};

/** How long one Fetch Queue run holds its node's cursor before another run may take it over. */
const RUN_LEASE_MS = 15 * 60_000;

/** Return All still stops here: a queue that never empties must not fill n8n's memory. */
export const QUEUE_SAFETY_CAP = 100_000;
const CURSOR_KEY = 'fetchQueueCursor';

/**
 * Where the cursor queue's first run starts (no cursor saved yet). Top-level parameters, shown for
 * the sources without a vendor queue; `displayOptions` is the node's show rule for those.
 */
export function startFromFields(displayOptions: INodeProperties['displayOptions']): INodeProperties[] {
	const show = displayOptions?.show ?? {};
	return [
		{
			displayName: 'Start From',
			name: 'startFrom',
			type: 'options',
			options: [
				{ name: 'Now', value: 'now', description: 'The first run returns nothing and the cursor starts now' },
				{ name: 'Lookback', value: 'lookback', description: 'The first run returns the events of this last stretch of time' },
				{ name: 'Date', value: 'date', description: 'The first run returns the events since this date' },
				{
					name: 'The Beginning',
					value: 'beginning',
					description: "The first run returns the oldest events on (up to Limit, or Return All's safety cap)",
				},
			],
			// The Beginning is what every Fetch Queue did before this parameter existed, and n8n does not
			// save a parameter left at its default: any other default would change saved workflows.
			default: 'beginning',
			description: 'Where the first run starts; later runs carry on from the cursor',
			displayOptions,
		},
		{
			displayName: 'Lookback',
			name: 'startLookback',
			type: 'string',
			default: '1h',
			placeholder: 'e.g. 24h',
			description: 'How far back the first run reads: a number and a unit (s, m, h, d or w)',
			displayOptions: { show: { ...show, startFrom: ['lookback'] } },
		},
		{
			displayName: 'Start Date',
			name: 'startDate',
			type: 'dateTime',
			default: '',
			description: 'The first run returns the events from this date on',
			displayOptions: { show: { ...show, startFrom: ['date'] } },
		},
	];
}

const START_FROM_LABELS: Record<string, string> = {
	now: 'Now',
	lookback: 'Lookback',
	date: 'Date',
	beginning: 'The Beginning',
};

export const fetchQueue: Operation = async (run) => {
	const returnAll = run.fn.getNodeParameter('returnAll', run.itemIndex, false) as boolean;
	const limit = returnAll ? QUEUE_SAFETY_CAP : readLimit(run.fn, run.itemIndex);
	return run.source.nativeQueue ? await drainNativeQueue(run, limit, returnAll) : await readCursorQueueRun(run, limit);
};

/** How many recent events a manual run shows instead of reading a read-once queue. */
export const MANUAL_SAMPLE = 10;

function shape(run: OperationRun, settings: ReadSettings, events: TimedItem[]): IDataObject[] {
	return events.map(({ item }) => shapeOutput(item, settings.output, run.source.displayName));
}

async function drainNativeQueue(run: OperationRun, limit: number, returnAll: boolean) {
	const { fn, source, itemIndex } = run;
	const settings = readQuery(fn, source, itemIndex, Date.now(), 'asc', limit);
	const ctx = contextFor(run, settings);
	const counters = newCounters();
	const keep = (item: Parameters<typeof queueItemMatches>[2]) => queueItemMatches(source, settings, item);
	if (fn.getMode() === 'manual') {
		// Building a workflow must not consume the queue: show recent events from Search instead.
		const sample = await previewRecent(ctx, source, settings, Math.min(limit, MANUAL_SAMPLE), keep, counters);
		run.notes.push(
			`Manual run: ${sample.length} recent event(s) from Search as a preview. The read-once queue was not touched; an active or scheduled run reads it.`,
		);
		run.notes.push(...counterHints(counters));
		return paired(shape(run, settings, sample), itemIndex);
	}
	// A page taken from a read-once queue is returned whole, even past Limit: cutting it would lose events.
	const read = await readNativeQueue(ctx, source, settings, limit, {}, counters);
	const out = paired(shape(run, settings, read.events), itemIndex);
	if (read.failure) {
		// The events taken are gone from the vendor: they are output whatever else happens. With Continue
		// On Fail the failure also becomes an error item; without, it is this hint (a failure that
		// persists fails the next run before anything is taken, so it cannot stay hidden).
		const message = partialQueueMessage(source, read, read.failure);
		run.notes.push(message);
		if (fn.continueOnFail()) out.push({ json: { error: message }, pairedItem: { item: itemIndex } });
	} else if (returnAll && read.full) {
		run.notes.push(`Stopped at the safety cap of ${QUEUE_SAFETY_CAP} events; run again to read the rest of the queue`);
	}
	run.notes.push(...counterHints(counters));
	return out;
}

/** The instant a first run starts at, from Start From; checked before any request. */
function startOf(run: OperationRun, settings: ReadSettings, now: number): { at: number; how: string; mode: string } {
	const { fn, itemIndex } = run;
	const startFrom = fn.getNodeParameter('startFrom', itemIndex, 'beginning') as string;
	switch (startFrom) {
		case 'now':
			return { at: now, how: 'Now', mode: startFrom };
		case 'lookback': {
			const text = String(fn.getNodeParameter('startLookback', itemIndex, '1h')).trim();
			const ms = parseDurationMs(text);
			if (ms === null) {
				throw parameterError(fn, 'Lookback', `"${text}" is not a duration`, 'Write a number and a unit: s, m, h, d or w, e.g. 24h.', itemIndex);
			}
			return { at: now - ms, how: `Lookback ${text}`, mode: startFrom };
		}
		case 'date': {
			const text = String(fn.getNodeParameter('startDate', itemIndex, '') ?? '');
			const at = parseInstant(text);
			if (Number.isNaN(at)) {
				throw parameterError(fn, 'Start Date', `"${text}" is not a date-time`, 'Pick a date-time, or choose another Start From.', itemIndex);
			}
			return { at, how: 'Date', mode: startFrom };
		}
		case 'beginning':
			return { at: settings.query.start ?? 0, how: START_FROM_LABELS.beginning, mode: startFrom };
		default:
			throw parameterError(fn, 'Start From', `"${startFrom}" is not a choice`, 'Choose Now, Lookback, Date or The Beginning.', itemIndex);
	}
}

async function readCursorQueueRun(run: OperationRun, limit: number) {
	const { fn, source, itemIndex } = run;
	const now = Date.now();
	const settings = readQuery(fn, source, itemIndex, now, 'asc');
	const staticData = fn.getWorkflowStaticData('node');
	const resetText = settings.options.resetCursor as string | undefined;
	let reset: { text: string; at: number } | undefined;
	if (resetText) {
		const at = parseInstant(resetText);
		if (Number.isNaN(at)) {
			throw parameterError(fn, 'Options > Reset Cursor To', `"${resetText}" is not a date-time`, 'Pick a date-time, or remove the option.', itemIndex);
		}
		reset = { text: resetText, at };
	}
	const start = startOf(run, settings, now);
	const overlapMs = readOverlapMs(fn, settings.options, itemIndex);
	const ctx = contextFor(run, settings);
	const counters = newCounters();
	const manual = fn.getMode() === 'manual';
	// No cursor in static data on an active run: a first run, or a queue-mode worker, which n8n 2.x
	// hands no static data. n8n's deduplication store tells them apart (see shared/ledger.ts).
	const ledger = manual || loadCursor(staticData, CURSOR_KEY) ? undefined : await ledgerStore(fn);
	const onLedger = ledger !== undefined && ledger.count > 0;
	// Two runs of one node on one cursor (a schedule faster than a slow vendor) would both return
	// the same new events: the run that finds another one reading returns nothing and changes nothing.
	// A run on the store leaves static data alone (a worker would save it over the workflow's), so its
	// lease is the in-process half only; the store itself keeps two workers apart.
	const lease = manual ? undefined : acquirePollLease(fn, onLedger ? undefined : staticData, now, now + RUN_LEASE_MS);
	if (!manual && !lease) {
		run.notes.push('Another run of this node is still reading its queue: this run returned nothing and left the cursor as it was');
		return [];
	}
	let shaped: ReturnType<typeof paired>;
	let read: Awaited<ReturnType<typeof readCursorQueue>>;
	let opened: ReturnType<typeof openCursor>;
	try {
		const seedKeys = reset ? [resetKey(reset.text)] : [];
		if (onLedger) {
			const applyReset = reset !== undefined && (await ledger.store.claim(seedKeys)).size > 0;
			if (applyReset) await ledger.store.clear();
			else {
				const lowerBound = ['beginning', 'date'].includes(start.mode) ? start.at : undefined;
				return await readLedgerRun(run, settings, ledger.store, { maxEvents: limit, overlapMs, lowerBound }, counters);
			}
		}
		opened = openCursor(staticData, CURSOR_KEY, source.timePrecisionMs, () => start.at, reset);
		read = await readCursorQueue(ctx, source, settings, staticData, CURSOR_KEY, opened.state, { maxEvents: limit, overlapMs }, counters);
		shaped = paired(shape(run, settings, read.events), itemIndex);
		if (manual) {
			run.notes.push('Manual run: showing the queue without moving the cursor; an active or scheduled run consumes it');
		} else if (lease!.holds()) {
			opened.commit();
			read.commit();
			// The first run also leaves its place in the store, for a next run that gets no static data.
			if (ledger) await seedLedger(ctx, source, settings, ledger.store, loadCursor(staticData, CURSOR_KEY)!, overlapMs, seedKeys);
		} else {
			// Outlived its lease and another run took over: it must not move the cursor under that one.
			return [];
		}
	} finally {
		lease?.release();
	}
	const from = new Date(opened.startedAt).toISOString();
	if (opened.seeded) {
		run.notes.push(`First run: started from ${from} (Start From: ${start.how}); the next runs carry on from here`);
	} else if (opened.reset) {
		run.notes.push(`Cursor reset to ${from} (Reset Cursor To); the next runs carry on from here and do not reset again`);
	}
	if (read.full) run.notes.push(`Stopped at ${returnLabel(limit)}; more events are waiting for the next run`);
	run.notes.push(...counterHints(counters));
	return shaped;
}

/** A run on the deduplication store (queue-mode workers): what it takes is recorded before it is output. */
async function readLedgerRun(
	run: OperationRun,
	settings: ReadSettings,
	store: LedgerStore,
	limits: Parameters<typeof readLedgerQueue>[4],
	counters: ReturnType<typeof newCounters>,
) {
	const read = await readLedgerQueue(contextFor(run, settings), run.source, settings, store, limits, counters);
	let shaped: ReturnType<typeof paired> | undefined;
	try {
		shaped = paired(shape(run, settings, read.events), run.itemIndex);
	} finally {
		// Taken but not output: give them back for the next run.
		if (!shaped) await read.undo();
	}
	if (read.full) {
		const at = limits.maxEvents > LEDGER_RUN_MAX ? `${LEDGER_RUN_MAX} events, the most one run takes in queue mode` : returnLabel(limits.maxEvents);
		run.notes.push(`Stopped at ${at}; more events are waiting for the next run`);
	}
	run.notes.push(...counterHints(counters));
	return shaped;
}

function returnLabel(limit: number): string {
	return limit === QUEUE_SAFETY_CAP ? `the safety cap of ${QUEUE_SAFETY_CAP} events` : `Limit (${limit})`;
}
