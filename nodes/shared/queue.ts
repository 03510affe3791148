// The one reader of "what is new" for the trigger and Fetch Queue: the vendor's read-once queue
// (CBC `_queue`), the node's cursor queue over Search, the preview a manual run shows instead of
// either, verification with its memory, and the hints that matter. Both nodes go through here so
// that one fix reaches both (the trigger once carried its own copy of the queue drain, and the two
// copies differed).
import { deepCopy, NodeApiError, NodeOperationError, type IDataObject, type INode, type JsonObject } from 'n8n-workflow';
import { matchesCommonFilters, timed } from './auditItem';
import { loadCursor, readNewEvents, saveCursor, seedCursor, type CursorState } from './cursor';
import type { ReadSettings } from './query';
import { asNodeError, locateError, pastDeadline, readItems } from './reader';
import type {
	AuditItem,
	AuditSource,
	CommonFilters,
	Page,
	SourceContext,
	TimedItem,
	Verification,
	VerificationStatus,
} from './types';

/** Static data key of the verifier's memory (e.g. the last verified root), kept between runs. */
export const VERIFICATION_MEMORY_KEY = 'verificationMemory';

/** The common filters, every one of them: a read-once queue takes no criteria, so all apply here. */
const ALL_COMMON_FILTERS: Array<keyof CommonFilters> = ['actor', 'actorIp', 'query', 'flaggedOnly'];

export type QueueCounters = {
	untimed: number;
	failed: number;
	unverified: number;
	pending: number;
};

export function newCounters(): QueueCounters {
	return { untimed: 0, failed: 0, unverified: 0, pending: 0 };
}

/** One word for a verification: the source's own, else read from the verdicts. */
export function verificationStatus(v: Verification): VerificationStatus {
	if (v.status) return v.status;
	if ([v.hash, v.signature, v.membership, v.consistency].includes('fail')) return 'failed';
	if (v.membership === 'pending' || v.consistency === 'pending') return 'pending';
	if (v.membership === 'none') return 'unverified';
	return 'verified';
}

/**
 * Adds a `verification` to each item when the user asked and the source can verify, and counts
 * what did not verify. `memory` is the verifier's state between runs (Search passes `{}`).
 */
export async function verifyEntries(
	ctx: SourceContext,
	source: AuditSource,
	settings: ReadSettings,
	page: Page,
	entries: TimedItem[],
	memory: IDataObject,
	counters: QueueCounters,
): Promise<void> {
	if (!settings.query.verify || !source.verifyPage) return;
	const items = entries.map((e) => e.item);
	await source.verifyPage(ctx, page, items, memory);
	countVerification(items, counters);
}

function countVerification(items: AuditItem[], counters: QueueCounters): void {
	for (const { verification } of items) {
		if (!verification) continue;
		const status = verificationStatus(verification);
		if (status !== 'verified') counters[status]++;
	}
}

/** The hints that matter: unread times and verification that did not pass. Never a plain count. */
export function counterHints(counters: QueueCounters): string[] {
	const hints: string[] = [];
	if (counters.untimed > 0) {
		hints.push(`${counters.untimed} event(s) had a time that could not be read; they are emitted with time: null`);
	}
	if (counters.failed > 0) {
		hints.push(`${counters.failed} event(s) FAILED tamper-proof verification; see each item's verification`);
	}
	if (counters.pending > 0) {
		hints.push(
			`${counters.pending} event(s) could not be verified yet: the vendor has not published their proof (verification.status: pending)`,
		);
	}
	if (counters.unverified > 0) {
		hints.push(`${counters.unverified} event(s) carried nothing to verify against (verification.status: unverified)`);
	}
	return hints;
}

/** Whether an item taken from the vendor's read-once queue passes every filter the editor shows. */
export function queueItemMatches(source: AuditSource, settings: ReadSettings, item: AuditItem): boolean {
	if (!matchesCommonFilters(item, settings.query.common, ALL_COMMON_FILTERS)) return false;
	return source.nativeQueue ? source.nativeQueue.matches(settings.query, item) : true;
}

export type NativeQueueRead = {
	/** The items taken that pass the filters, in queue order. */
	events: TimedItem[];
	/** Records taken from the queue (filtered out or not): they are gone from the vendor. */
	taken: number;
	/** Stopped at `max` records taken; the rest stays queued. */
	full: boolean;
	stoppedAtDeadline: boolean;
	/**
	 * The failure that ended the read after pages were taken, and the queue batch (1-based) it
	 * failed at. Those pages are in `events` (a page taken from a read-once queue is delivered,
	 * never discarded) and the caller reports the failure (`partialQueueMessage`/`partialQueueError`).
	 */
	failure?: QueueFailure;
};

export type QueueFailure = { error: Error; batch: number };

/**
 * Reads the vendor's read-once queue until it is empty, `max` records were taken, or the run's
 * deadline. A page is taken whole (cutting it would lose events). A failure before anything was
 * taken is thrown; after, it is returned with what was taken.
 */
export async function readNativeQueue(
	ctx: SourceContext,
	source: AuditSource,
	settings: ReadSettings,
	max: number,
	memory: IDataObject,
	counters: QueueCounters,
): Promise<NativeQueueRead> {
	const result: NativeQueueRead = { events: [], taken: 0, full: false, stoppedAtDeadline: false };
	let batches = 0;
	try {
		for await (const page of source.nativeQueue!.read(ctx)) {
			batches++;
			const entries = page.records.map((record) => timed(source.normalize(record, page.context)));
			result.taken += entries.length;
			// Kept before anything else can fail: from here on these events are owed to the workflow.
			for (const entry of entries) {
				if (!queueItemMatches(source, settings, entry.item)) continue;
				if (Number.isNaN(entry.timeMs)) counters.untimed++;
				result.events.push(entry);
			}
			await verifyEntries(ctx, source, settings, page, entries, memory, counters);
			if (result.taken >= max) {
				result.full = true;
				break;
			}
			if (pastDeadline(ctx)) {
				result.stoppedAtDeadline = true;
				break;
			}
		}
	} catch (failure) {
		const error = locateError(
			failure,
			`Failed at queue batch ${batches + 1} (${result.taken} event(s) taken before it).`,
		);
		if (result.taken === 0) throw asNodeError(ctx, error);
		result.failure = { error: error as Error, batch: batches + 1 };
	}
	return result;
}

/** How a read-once queue failure is told once its taken events have been delivered. */
export function partialQueueMessage(source: AuditSource, read: NativeQueueRead, failure: QueueFailure): string {
	return (
		`${source.displayName} queue read failed after ${read.taken} event(s) were taken: ${failure.error.message} (at queue batch ${failure.batch}). ` +
		`The ${read.events.length} event(s) taken that pass the filters are in the output (the queue cannot give them back); run again to read the rest.`
	);
}

/**
 * The same failure as an error (the trigger's failed execution): a vendor's failure stays a
 * NodeApiError with the vendor's status, anything else is wrapped once.
 */
export function partialQueueError(node: INode, source: AuditSource, read: NativeQueueRead, failure: QueueFailure): NodeApiError | NodeOperationError {
	const message = partialQueueMessage(source, read, failure);
	const cause = failure.error;
	if (cause instanceof NodeApiError) {
		return new NodeApiError(node, { message } as JsonObject, {
			message,
			description: cause.description ?? undefined,
			httpCode: cause.httpCode ?? undefined,
		});
	}
	return new NodeOperationError(node, message, { description: cause.message });
}

export type CursorRead = {
	/** New events that pass the client-side filters, oldest first. */
	events: TimedItem[];
	/** Stopped at Max Events (or Limit): more are waiting. */
	full: boolean;
	stoppedAtDeadline: boolean;
	/** Saves the moved cursor and the verifier's memory: call once the output is built, never in manual mode. */
	commit(): void;
};

/**
 * One run of the node's cursor queue: new events since `state`, filtered, verified with the memory
 * kept in static data. Nothing is written until `commit`, so a failed run leaves everything as it was.
 */
export async function readCursorQueue(
	ctx: SourceContext,
	source: AuditSource,
	settings: ReadSettings,
	staticData: IDataObject,
	key: string,
	state: CursorState,
	limits: { maxEvents: number; overlapMs: number },
	counters: QueueCounters,
): Promise<CursorRead> {
	const memory = deepCopy((staticData[VERIFICATION_MEMORY_KEY] as IDataObject | undefined) ?? {});
	const result = await readNewEvents(
		ctx,
		source,
		settings.query,
		state,
		limits,
		async (page, entries) => await verifyEntries(ctx, source, settings, page, entries, memory, counters),
	);
	const events: TimedItem[] = [];
	for (const entry of result.events) {
		if (!matchesCommonFilters(entry.item, settings.query.common, settings.clientFilters)) continue;
		if (Number.isNaN(entry.timeMs)) counters.untimed++;
		events.push(entry);
	}
	return {
		events,
		full: result.full,
		stoppedAtDeadline: result.stoppedAtDeadline,
		commit: () => {
			saveCursor(staticData, key, result.next);
			if (settings.query.verify && source.verifyPage) staticData[VERIFICATION_MEMORY_KEY] = memory;
		},
	};
}

export type OpenedCursor = {
	state: CursorState;
	/** No cursor was saved: this run seeded it (at `startedAt`). */
	seeded: boolean;
	/** Reset Cursor To was applied on this run. */
	reset: boolean;
	startedAt: number;
	/** Writes what opening decided (the remembered reset); call with the cursor's commit. */
	commit(): void;
};

/**
 * The saved cursor, or a fresh one at `seedAt()`. A reset instant (`reset.text`, parsed to
 * `reset.at`) is applied once: the value applied is remembered in static data, so a scheduled
 * run with the option still set carries on from the cursor instead of starting over each time.
 * Changing the value applies it again; removing the option forgets it.
 */
export function openCursor(
	staticData: IDataObject,
	key: string,
	precisionMs: number | undefined,
	seedAt: () => number,
	reset?: { text: string; at: number },
): OpenedCursor {
	const resetKey = `${key}ResetApplied`;
	const saved = loadCursor(staticData, key);
	const applyReset = reset !== undefined && staticData[resetKey] !== reset.text;
	const commitReset = () => {
		if (reset) staticData[resetKey] = reset.text;
		else delete staticData[resetKey];
	};
	if (applyReset) {
		const state = seedCursor(reset.at, precisionMs);
		return { state, seeded: false, reset: true, startedAt: state.floor, commit: commitReset };
	}
	if (saved) return { state: saved, seeded: false, reset: false, startedAt: saved.watermark, commit: commitReset };
	const state = seedCursor(seedAt(), precisionMs);
	return { state, seeded: true, reset: false, startedAt: state.floor, commit: commitReset };
}

/** How far back a manual preview looks, and how many records it reads at most. */
export const PREVIEW_WINDOW_MS = 7 * 24 * 3600_000;
export const PREVIEW_MAX_RECORDS = 1000;

/**
 * A few recent events for a manual run ("Fetch Test Event", Fetch Queue's preview): Search newest
 * first over a bounded window, at most PREVIEW_MAX_RECORDS read, so a filter that matches nothing
 * does not walk the whole history. Touches neither a cursor nor a queue. Oldest first.
 */
export async function previewRecent(
	ctx: SourceContext,
	source: AuditSource,
	settings: ReadSettings,
	size: number,
	keep: (item: AuditItem) => boolean,
	counters: QueueCounters,
): Promise<TimedItem[]> {
	const end = settings.query.end;
	const query = {
		...settings.query,
		order: 'desc' as const,
		start: Math.max(settings.query.start ?? -Infinity, end - PREVIEW_WINDOW_MS),
		pageSize: Math.min(source.pageSize, 100),
	};
	const picked: TimedItem[] = [];
	let read = 0;
	for await (const { items, page } of readItems(ctx, source, query)) {
		read += items.length;
		const kept = items.filter(
			(entry) => matchesCommonFilters(entry.item, query.common, settings.clientFilters) && keep(entry.item),
		);
		// The verifier sees the whole page it belongs to; only what is shown is counted.
		await verifyEntries(ctx, source, settings, page, items, {}, newCounters());
		const shown = kept.slice(0, size - picked.length);
		countVerification(
			shown.map((entry) => entry.item),
			counters,
		);
		picked.push(...shown);
		if (picked.length >= size || read >= PREVIEW_MAX_RECORDS) break;
	}
	return picked.reverse();
}

/** What n8n's own triggers say when a test run finds nothing (Google Calendar, Google Drive). */
export function noDataError(ctx: SourceContext): NodeApiError {
	const message = 'No data with the current filter could be found';
	return new NodeApiError(ctx.fn.getNode(), { message } as JsonObject, {
		message,
		description: `Looked at up to ${PREVIEW_MAX_RECORDS} of the most recent events of the last 7 days. Loosen the filters, or make an event happen and fetch again.`,
	});
}
