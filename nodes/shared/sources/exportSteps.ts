// The steps of a vendor's native export (CBC's job, Pangea's search → download_results → file):
// a failed step says where it failed (the job or result it concerns), and a file holding fewer
// records than the vendor counted for it is never presented as the export. `exportBudget` makes Max
// Wait bound a whole export — every search, 202 wait and download — not each call on its own;
// Pangea's export runs on it, CBC's Job Service wait still applies Max Wait to the job alone.
import { NodeApiError, type IBinaryData, type JsonObject } from 'n8n-workflow';
import { MIME_TYPES, RecordCounter } from '../files';
import { locateError } from '../reader';
import type { BodyStream, ExportFormat, ExportSettings, SourceContext } from '../types';

/** A failure of one step says which job it concerns (or that none was created yet). */
export async function located<T>(step: Promise<T>, where: string): Promise<T> {
	try {
		return await step;
	} catch (error) {
		throw locateError(error, where);
	}
}

/** The time an export has left, and what it has used: see `exportBudget`. */
export type ExportBudget = {
	/** The ms left before `step`; throws a NodeApiError naming the step when none is. */
	left(step: string): number;
	/** "N s into Max Wait (M s)": for a failed step's location. */
	spent(): string;
};

/** Max Wait from the export's start, never past the run's deadline. */
export function exportBudget(ctx: SourceContext, vendor: string, maxWaitMs: number): ExportBudget {
	const start = ctx.now();
	const deadline = Math.min(start + maxWaitMs, ctx.deadline ?? Number.POSITIVE_INFINITY);
	const maxWait = `Max Wait (${Math.round(maxWaitMs / 1000)} s)`;
	return {
		left(step: string): number {
			const left = deadline - ctx.now();
			if (left > 0) return left;
			const message = ctx.redact(`The ${vendor} export ran out of its ${maxWait} before ${step}`);
			throw new NodeApiError(ctx.fn.getNode(), { message } as JsonObject, {
				message,
				description: 'Raise Options > Max Wait, or export a shorter time range.',
				itemIndex: ctx.itemIndex,
			});
		},
		spent: () => `${Math.round((ctx.now() - start) / 1000)} s into its ${maxWait}`,
	};
}

/**
 * One step of an export, started only with time left, bounded by it (`call` gets the ms left), and
 * failing with where: the step, the job or result it concerns, how far into Max Wait it was.
 */
export async function boundedStep<T>(budget: ExportBudget, where: string, call: (leftMs: number) => Promise<T>): Promise<T> {
	const left = budget.left(where);
	try {
		return await call(left);
	} catch (error) {
		throw locateError(error, `Failed at the export step ${where}, ${budget.spent()}.`);
	}
}

/**
 * The records in a downloaded file (counted as it arrived), checked against what the vendor counted
 * for it (a lower bound: records arriving later only add). Fewer, or a JSON array that never
 * closes (NaN), is a download cut short or something else served in its place: a NodeApiError
 * saying which file (job or result id).
 */
export function checkedRecordCount(
	ctx: SourceContext,
	file: { records: number; bytes: number },
	format: ExportFormat,
	/** `of`: whose file ("Carbon Black Cloud export job 42"); `counted`: "its search matched". */
	expected: { count: number; of: string; counted: string },
): number {
	const held = file.records;
	if (held >= expected.count) return held;
	const what = Number.isNaN(held) ? `a ${format.toUpperCase()} file that ends before its last record` : `${held} record(s)`;
	const message = ctx.redact(`The file of ${expected.of} holds ${what} (${file.bytes} bytes), but ${expected.counted} ${expected.count}`);
	throw new NodeApiError(ctx.fn.getNode(), { message: 'export file short of its count' } as JsonObject, {
		message,
		description: ctx.redact(
			`The download of ${expected.of} ended early or something else was served in its place, so it is not presented as the export. Run the export again.`,
		),
		itemIndex: ctx.itemIndex,
	});
}

/** A download kept in n8n's binary store, with its records and bytes counted as they passed. */
export type StoredDownload = { binary: IBinaryData; records: number; bytes: number };

/**
 * The `sink` of a file's download: the body goes to n8n's binary store as it arrives (never held
 * whole), its records counted on the way for `checkedRecordCount`. A retried download starts over.
 */
export function storeCounted(settings: ExportSettings, fileName: string): (body: BodyStream) => Promise<StoredDownload> {
	return async (body) => {
		const counter = new RecordCounter(settings.format);
		let bytes = 0;
		body.observe((chunk) => {
			counter.add(chunk);
			bytes += chunk.length;
		});
		const binary = await settings.store(body.stream, fileName, MIME_TYPES[settings.format]);
		return { binary, records: counter.total(), bytes };
	};
}
