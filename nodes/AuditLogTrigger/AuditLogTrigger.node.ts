// The Audit Log Trigger: polls a source and emits every new audit event once, oldest first.
import {
	deepCopy,
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type INodeExecutionData,
	type INodeProperties,
	type INodeType,
	type INodeTypeDescription,
	type IPollFunctions,
} from 'n8n-workflow';
import { shapeOutput } from '../shared/auditItem';
import { createSourceContext } from '../shared/context';
import {
	filtersFor,
	optionsFor,
	OUTPUT_OPTION_FIELDS,
	sourceCredentials,
	sourceInWords,
	sourceNotices,
	sourceParameter,
	TIME_RANGE_FILTERS,
} from '../shared/fields';
import { readDurationOption, readLimit, readOverlapMs, readQuery, type ReadSettings } from '../shared/query';
import {
	newCounters,
	noDataError,
	openCursor,
	partialQueueError,
	previewRecent,
	queueItemMatches,
	readCursorQueue,
	readNativeQueue,
	VERIFICATION_MEMORY_KEY,
} from '../shared/queue';
import { getSource, SOURCE_LOAD_OPTIONS, SOURCES } from '../shared/sources';
import { saveCursor } from '../shared/cursor';
import type { AuditItem, AuditSource, TimedItem } from '../shared/types';
import { acquirePollLease, LEASE_GRACE_MS } from '../shared/lease';
import { pollDeadline } from './schedule';

export const CURSOR_KEY = 'triggerCursor';
/** How many events a manual "Fetch Test Event" shows. */
export const SAMPLE_SIZE = 5;
export const DEFAULT_MAX_EVENTS_PER_POLL = 1000;

const TRIGGER_OPTION_FIELDS: INodeProperties[] = [
	...OUTPUT_OPTION_FIELDS,
	{
		displayName: 'Initial Lookback',
		name: 'initialLookback',
		type: 'string',
		default: '',
		placeholder: 'e.g. 1h',
		description:
			'On first activation, also emit events this far back (s, m, h, d or w). Empty: start from now and emit nothing at activation.',
	},
	{
		displayName: 'Max Events per Poll',
		name: 'maxEventsPerPoll',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: DEFAULT_MAX_EVENTS_PER_POLL,
		description: 'Emit at most this many events per poll; the rest follow on the next polls, oldest first',
	},
	{
		displayName: 'Overlap',
		name: 'overlap',
		type: 'string',
		default: '1m',
		placeholder: 'e.g. 5m',
		description:
			'Safety window for late-arriving records: every poll re-reads this far behind its cursor and drops what it already emitted',
	},
];

/** Carbon Black Cloud can also be read through its queue: opt-in, shown only for sources that have one. */
const QUEUE_MODE: INodeProperties = {
	displayName: 'Read Mode',
	name: 'cbcMode',
	type: 'options',
	options: [
		{ name: 'Search With Cursor', value: 'search', description: 'Search from a saved cursor (recommended)' },
		{ name: 'Queue', value: 'queue', description: 'Read-once queue per API key: events read here are gone for that key' },
	],
	default: 'search',
	displayOptions: { show: { source: SOURCES.filter((s) => s.nativeQueue).map((s) => s.id) } },
};

export class AuditLogTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Audit Log Trigger',
		name: 'auditLogTrigger',
		icon: { light: 'file:../../icons/auditLog.svg', dark: 'file:../../icons/auditLog.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: `={{ "New events: " + ${sourceInWords(SOURCES, 'source')} }}`,
		description: 'Starts the workflow with each new security audit event, once, oldest first',
		defaults: { name: 'Audit Log Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: sourceCredentials(SOURCES),
		hints: [
			{
				// Only what matters: the queue is read-once for the API key (issue 11: no count on every run).
				message:
					"Queue mode consumes the vendor's read-once queue for this API key: events read here are gone for any other reader of that key. Fetch Test Event only previews recent events from Search.",
				type: 'warning',
				location: 'outputPane',
				whenToDisplay: 'always',
				displayCondition: '={{ $parameter["cbcMode"] === "queue" }}',
			},
		],
		properties: [
			...sourceNotices(SOURCES, 'source'),
			sourceParameter(SOURCES),
			QUEUE_MODE,
			...SOURCES.map((s) => filtersFor(s, {}, TIME_RANGE_FILTERS)),
			...SOURCES.map((s) => optionsFor(s, TRIGGER_OPTION_FIELDS, {})),
		],
	};

	// Lists the editor loads from a vendor (Cisco's audit log types): each source brings its own.
	methods = { loadOptions: SOURCE_LOAD_OPTIONS };

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const source = getSource(this.getNodeParameter('source') as string);
		if (!source) throw new NodeOperationError(this.getNode(), 'Source: choose one of the listed sources');
		const now = Date.now();
		const settings = readQuery(this, source, 0, now, 'asc');
		// The cursor decides where a poll starts, and every poll reads up to now (the trigger shows no
		// time-range filters; a value left from an older version of the workflow is ignored).
		settings.query.start = undefined;
		settings.query.end = now;
		const manual = this.getMode() === 'manual';
		const queueMode = source.nativeQueue !== undefined && (this.getNodeParameter('cbcMode', 'search') as string) === 'queue';
		// Every input is checked before any request, in every mode.
		const maxEvents = readLimit(this, 0, 'options.maxEventsPerPoll', 'Options > Max Events per Poll', DEFAULT_MAX_EVENTS_PER_POLL);
		const overlapMs = readOverlapMs(this, settings.options, 0);
		const lookback = settings.options.initialLookback
			? readDurationOption(this, settings.options, 'initialLookback', 'Initial Lookback', '0s', 0)
			: 0;
		const deadline = manual ? undefined : pollDeadline(this, now);
		const ctx = createSourceContext(this, source, 0, {
			requestsPerSecond: source.requestsPerSecond?.(settings.query.vendorOptions),
			deadline,
		});
		const counters = newCounters();

		// A manual run shows a recent sample and touches neither the cursor nor a queue.
		if (manual) {
			const keep = queueMode ? (item: AuditItem) => queueItemMatches(source, settings, item) : () => true;
			const sample = await previewRecent(ctx, source, settings, SAMPLE_SIZE, keep, counters);
			if (sample.length === 0) throw noDataError(ctx);
			return emit(sample, source, settings);
		}

		const staticData = this.getWorkflowStaticData('node');
		// Another poll of this node is still running on the same state: this one emits nothing and changes nothing.
		const lease = acquirePollLease(this, staticData, now, deadline! + LEASE_GRACE_MS);
		if (!lease) return null;
		try {
			if (queueMode) {
				const memory = deepCopy((staticData[VERIFICATION_MEMORY_KEY] as IDataObject | undefined) ?? {});
				const read = await readNativeQueue(ctx, source, settings, maxEvents, memory, counters);
				if (read.failure) {
					// What was taken from a read-once queue is delivered; the failure is recorded as a failed
					// trigger execution (and the error workflow runs) alongside it.
					reportError(this, partialQueueError(this.getNode(), source, read, read.failure));
				}
				if (settings.query.verify && source.verifyPage) staticData[VERIFICATION_MEMORY_KEY] = memory;
				return emit(read.events, source, settings);
			}

			const opened = openCursor(staticData, CURSOR_KEY, source.timePrecisionMs, () => settings.query.end - lookback);
			if (opened.seeded && lookback === 0) {
				// First activation without lookback: the cursor starts now and nothing is read.
				saveCursor(staticData, CURSOR_KEY, opened.state);
				return null;
			}
			const read = await readCursorQueue(ctx, source, settings, staticData, CURSOR_KEY, opened.state, { maxEvents, overlapMs }, counters);
			// A poll that outlived its lease (another took over) must not move the cursor under it.
			if (!lease.holds()) return null;
			// Saved only now that the items are built: a failure above leaves the cursor where it was.
			const output = emit(read.events, source, settings);
			read.commit();
			return output;
		} finally {
			lease.release();
		}
	}
}

/** Records a failure next to a poll that still delivers its items (n8n: a failed trigger execution). */
function reportError(fn: IPollFunctions, error: Error): void {
	try {
		fn.__emitError(error);
	} catch {
		// A host without the hook (a test harness): the items still go out, the log keeps the failure.
	}
	fn.logger?.warn(error.message);
}

function emit(events: TimedItem[], source: AuditSource, settings: ReadSettings): INodeExecutionData[][] | null {
	const out: INodeExecutionData[] = events.map(({ item }) => ({
		json: shapeOutput(item, settings.output, source.displayName) as IDataObject,
	}));
	return out.length > 0 ? [out] : null;
}
