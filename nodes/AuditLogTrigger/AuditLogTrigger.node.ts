// The Audit Log Trigger: polls a source and emits every new audit event once, oldest first.
import {
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type INodeExecutionData,
	type INodeProperties,
	type INodeType,
	type INodeTypeDescription,
	type IPollFunctions,
} from 'n8n-workflow';
import { shapeOutput, matchesCommonFilters, timed } from '../shared/auditItem';
import { createSourceContext } from '../shared/context';
import { loadCursor, readNewEvents, saveCursor, seedCursor } from '../shared/cursor';
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
import { readItems } from '../shared/reader';
import { getSource, SOURCES } from '../shared/sources';
import type { AuditSource, SourceContext, TimedItem } from '../shared/types';

const CURSOR_KEY = 'triggerCursor';
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
				message: 'One poll may emit many events (up to Max Events per Poll); each is a separate item.',
				type: 'info',
				location: 'outputPane',
				whenToDisplay: 'beforeExecution',
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

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const source = getSource(this.getNodeParameter('source') as string);
		if (!source) throw new NodeOperationError(this.getNode(), 'Source: choose one of the listed sources');
		const now = Date.now();
		const settings = readQuery(this, source, 0, now, 'asc');
		// The cursor decides where a poll starts, and every poll reads up to now (the trigger shows no
		// time-range filters; a value left from an older version of the workflow is ignored).
		settings.query.start = undefined;
		settings.query.end = now;
		const ctx = createSourceContext(this, source, 0, {
			requestsPerSecond: source.requestsPerSecond?.(settings.query.vendorOptions),
		});
		const manual = this.getMode() === 'manual';
		const queueMode = source.nativeQueue && (this.getNodeParameter('cbcMode', 'search') as string) === 'queue';

		// A manual run shows a recent sample and touches neither the cursor nor a queue.
		if (manual) return emit(await sample(ctx, source, settings), source, settings);
		if (queueMode) return emit(await drainQueue(ctx, source, settings), source, settings);

		const staticData = this.getWorkflowStaticData('node');
		const saved = loadCursor(staticData, CURSOR_KEY);
		if (!saved) {
			const lookback = settings.options.initialLookback
				? readDurationOption(this, settings.options, 'initialLookback', 'Initial Lookback', '0s', 0)
				: 0;
			saveCursor(staticData, CURSOR_KEY, seedCursor(settings.query.end - lookback, source.timePrecisionMs));
			if (lookback === 0) return null;
		}
		const state = loadCursor(staticData, CURSOR_KEY)!;
		const maxEvents = readLimit(this, 0, 'options.maxEventsPerPoll', 'Options > Max Events per Poll', DEFAULT_MAX_EVENTS_PER_POLL);
		const { events, next } = await readNewEvents(
			ctx,
			source,
			settings.query,
			state,
			{ overlapMs: readOverlapMs(this, settings.options, 0), maxEvents },
			async (page, items) => {
				if (settings.query.verify && source.verifyPage) await source.verifyPage(ctx, page, items.map((i) => i.item));
			},
		);
		// Saved only now that the items are built: a failure above leaves the cursor where it was.
		const output = emit(events, source, settings);
		saveCursor(staticData, CURSOR_KEY, next);
		return output;
	}
}

function emit(events: TimedItem[], source: AuditSource, settings: ReadSettings): INodeExecutionData[][] | null {
	const out: INodeExecutionData[] = [];
	for (const { item } of events) {
		if (!matchesCommonFilters(item, settings.query.common, settings.clientFilters)) continue;
		out.push({ json: shapeOutput(item, settings.output, source.displayName) as IDataObject });
	}
	return out.length > 0 ? [out] : null;
}

async function sample(ctx: SourceContext, source: AuditSource, settings: ReadSettings): Promise<TimedItem[]> {
	const query = { ...settings.query, order: 'desc' as const, pageSize: Math.min(source.pageSize, 50) };
	const picked: TimedItem[] = [];
	for await (const { items, page } of readItems(ctx, source, query)) {
		if (query.verify && source.verifyPage) await source.verifyPage(ctx, page, items.map((i) => i.item));
		for (const entry of items) {
			if (matchesCommonFilters(entry.item, query.common, settings.clientFilters)) picked.push(entry);
			if (picked.length >= SAMPLE_SIZE) return picked.reverse();
		}
	}
	return picked.reverse();
}

async function drainQueue(ctx: SourceContext, source: AuditSource, settings: ReadSettings): Promise<TimedItem[]> {
	const max = Number(settings.options.maxEventsPerPoll ?? DEFAULT_MAX_EVENTS_PER_POLL);
	const events: TimedItem[] = [];
	// The queue is read-once: every page read is emitted whole, so the cap is checked between pages.
	for await (const page of source.nativeQueue!.read(ctx)) {
		for (const record of page.records) events.push(timed(source.normalize(record, page.context)));
		if (events.length >= max) break;
	}
	return events;
}
