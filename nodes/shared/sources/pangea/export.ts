// Pangea Export and Wait: search → download_results → pre-signed dest_url (no auth) → gunzip → one
// file, every part inflated under the run's body cap, which the joined file also stays under.
// Max Wait bounds the whole export (each call's 202 wait gets what is left of it), every request
// is bounded by the transport's timeout, and a failed step names itself and the result id.
import { NodeApiError, NodeOperationError, type IDataObject, type JsonObject } from 'n8n-workflow';
import { countRecords, MIME_TYPES } from '../../files';
import { BodyTooLarge, bodyTooLargeError } from '../../limits';
import type { AuditQuery, ExportedFile, ExportSettings, RawRecord, SourceContext } from '../../types';
import { boundedStep, checkedRecordCount, exportBudget, type ExportBudget as Budget } from '../exportSteps';
import { gunzipIfNeeded } from './gzip';
import { pangeaPost } from './request';
import { MAX_RESULTS, searchBody, type SearchResult } from './search';

type DownloadResult = { dest_url?: string; expires_at?: string };
type ExportFormat = 'csv' | 'json';
/** One search that fits under the cap: its id and how many events it holds. */
type Part = { id: string; count: number };

/** A Pangea call of one export step: its 202 wait gets what is left of Max Wait. */
async function step<T>(ctx: SourceContext, budget: Budget, path: string, body: IDataObject, what: string): Promise<T> {
	const where = ctx.redact(`${what} (POST ${path})`);
	return await boundedStep(budget, where, async (left) => await pangeaPost<T>(ctx, path, body, left));
}

function receivedMs(record: RawRecord | undefined): number {
	const envelope = record?.envelope as { received_at?: unknown } | undefined;
	return typeof envelope?.received_at === 'string' ? Date.parse(envelope.received_at) : NaN;
}

async function runSearch(ctx: SourceContext, query: AuditQuery, budget: Budget, window: number): Promise<Part> {
	// The first page is not needed: the file holds the whole result set.
	const what = `search of time window ${window}, before any result id (export job) existed`;
	const result = await step<SearchResult>(ctx, budget, '/v1/search', searchBody(query, 1), what);
	if (typeof result.id !== 'string' || result.id === '') {
		throw new NodeApiError(ctx.fn.getNode(), { message: 'search without id' } as JsonObject, {
			message: 'Pangea answered the search without a result id to download',
			itemIndex: ctx.itemIndex,
		});
	}
	return { id: result.id, count: Number(result.count ?? 0) };
}

/** The time of the last record of a full result set: where the next window begins. */
async function lastInstant(ctx: SourceContext, part: Part, budget: Budget): Promise<number> {
	const offset = part.count - 1;
	const what = `reading the last record of result ${part.id} (offset ${offset})`;
	const last = await step<SearchResult>(ctx, budget, '/v1/results', { id: part.id, limit: 1, offset }, what);
	const ms = receivedMs(last.events?.[0]);
	if (Number.isNaN(ms)) {
		throw new NodeApiError(ctx.fn.getNode(), { message: 'no received_at' } as JsonObject, {
			message: 'Pangea returned a record without a readable received_at, so the export cannot be split by time',
			description: 'Export a time range holding fewer than 10 000 events, or use the NDJSON format (built from search pages).',
			itemIndex: ctx.itemIndex,
		});
	}
	return ms;
}

/**
 * Searches that together hold every match once. A result set is capped at 10 000: a full one is
 * searched again without its last millisecond (which then holds fewer), and the next window starts
 * at that millisecond. Windows never overlap, so the files need no deduplication.
 */
async function searchParts(ctx: SourceContext, query: AuditQuery, budget: Budget): Promise<Part[]> {
	const ascending = query.order === 'asc';
	const parts: Part[] = [];
	let window: AuditQuery = { ...query };
	for (;;) {
		ctx.throwIfCancelled();
		const part = await runSearch(ctx, window, budget, parts.length + 1);
		if (part.count < MAX_RESULTS) {
			parts.push(part);
			return parts;
		}
		const edge = await lastInstant(ctx, part, budget);
		const before: AuditQuery = ascending ? { ...window, end: edge - 1 } : { ...window, start: edge + 1 };
		const empty = before.start !== undefined && before.start > before.end;
		const trimmed = empty ? { id: '', count: 0 } : await runSearch(ctx, before, budget, parts.length + 1);
		if (trimmed.count === 0) {
			throw new NodeOperationError(ctx.fn.getNode(), `More than ${MAX_RESULTS} events share the instant ${new Date(edge).toISOString()}`, {
				description: 'Pangea cannot export past this many events at one millisecond. Narrow the export with a filter (actor, Text, a restriction).',
				itemIndex: ctx.itemIndex,
			});
		}
		parts.push(trimmed);
		window = ascending ? { ...window, start: edge } : { ...window, end: edge };
	}
}

/** `room` is what is left of the body cap after the parts already held. */
async function download(ctx: SourceContext, part: Part, format: ExportFormat, budget: Budget, room: number): Promise<Buffer> {
	const what = `download_results for result ${part.id}`;
	const { dest_url: url } = await step<DownloadResult>(ctx, budget, '/v1/download_results', { result_id: part.id, format }, what);
	if (typeof url !== 'string' || !/^https?:\/\//i.test(url)) {
		throw new NodeApiError(ctx.fn.getNode(), { message: 'no dest_url' } as JsonObject, {
			message: ctx.redact(`Pangea answered download_results for ${part.id} without a download URL`),
			itemIndex: ctx.itemIndex,
		});
	}
	// A pre-signed URL carries its own authorization: the Pangea token must not travel there.
	const fetching = ctx.redact(`downloading the file of result ${part.id} (GET dest_url)`);
	const response = await boundedStep(budget, fetching, async () => await ctx.requestWithoutAuth({ method: 'GET', url }));
	let file: Buffer;
	try {
		file = await gunzipIfNeeded(response.body, room);
	} catch (error) {
		if (error instanceof BodyTooLarge) {
			throw bodyTooLargeError(ctx.fn, ctx.redact(`The Pangea export (result ${part.id}, inflated)`), ctx.maxBodyBytes, ctx.itemIndex);
		}
		throw new NodeApiError(ctx.fn.getNode(), { message: ctx.redact((error as Error).message) } as JsonObject, {
			message: ctx.redact(`The file Pangea prepared for ${part.id} is not a readable gzip file`),
			description: 'Run the export again; if it keeps failing, use the NDJSON format (built from search pages).',
			itemIndex: ctx.itemIndex,
		});
	}
	// The file holds the search's result set, whose size the search reported.
	checkedRecordCount(ctx, { records: countRecords(file, format), bytes: file.length }, format, {
		count: part.count,
		of: `Pangea result ${part.id}`,
		counted: 'the search found',
	});
	return file;
}

const isSpace = (byte: number) => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;

/** The bytes without leading and trailing JSON whitespace: a view, not a copy. */
function trimBytes(data: Buffer): Buffer {
	let start = 0;
	let end = data.length;
	while (start < end && isSpace(data[start])) start++;
	while (end > start && isSpace(data[end - 1])) end--;
	return data.subarray(start, end);
}

/**
 * Later CSV files repeat the header; later JSON arrays are spliced into the first. Works on views
 * of the parts, so the joined file is the only copy made (no text round trip).
 */
export function joinFiles(files: Buffer[], format: ExportFormat): Buffer {
	if (files.length <= 1) return files[0] ?? Buffer.alloc(0);
	const newline = Buffer.from('\n');
	if (format === 'csv') {
		const rest = files.slice(1).map((file) => {
			const end = file.indexOf(0x0a);
			return end < 0 ? Buffer.alloc(0) : file.subarray(end + 1);
		});
		const first = files[0];
		const separator = first.length > 0 && first[first.length - 1] !== 0x0a ? [newline] : [];
		return Buffer.concat([first, ...separator, ...rest]);
	}
	const trimmed = files.map(trimBytes);
	const isArray = (file: Buffer) => file.length >= 2 && file[0] === 0x5b && file[file.length - 1] === 0x5d;
	if (!trimmed.every(isArray)) {
		// Not arrays (one record per line): lines join as they are.
		const lines = trimmed.filter((file) => file.length > 0).flatMap((file) => [file, newline]);
		return Buffer.concat(lines.length > 0 ? lines : [newline]);
	}
	const inner = trimmed.map((file) => trimBytes(file.subarray(1, -1))).filter((file) => file.length > 0);
	const parts: Buffer[] = [Buffer.from('[')];
	inner.forEach((file, i) => parts.push(...(i > 0 ? [Buffer.from(','), file] : [file])));
	parts.push(Buffer.from(']'));
	return Buffer.concat(parts);
}

export async function exportPangea(
	ctx: SourceContext,
	query: AuditQuery,
	settings: ExportSettings,
): Promise<ExportedFile> {
	if (settings.format !== 'csv' && settings.format !== 'json') {
		throw new NodeOperationError(ctx.fn.getNode(), `Format: Pangea exports CSV or JSON, not ${settings.format}`, {
			description: 'Choose CSV or JSON.',
			itemIndex: ctx.itemIndex,
		});
	}
	const format = settings.format;
	const budget = exportBudget(ctx, 'Pangea', settings.maxWaitMs);
	const parts = await searchParts(ctx, query, budget);
	const files: Buffer[] = [];
	let held = 0;
	for (const part of parts) {
		ctx.throwIfCancelled();
		const skip = part.count === 0 && parts.length > 1;
		const file = skip ? Buffer.alloc(0) : await download(ctx, part, format, budget, ctx.maxBodyBytes - held);
		held += file.length;
		files.push(file);
	}
	if (parts.length > 1) ctx.note(`Pangea: more than ${MAX_RESULTS} events, exported in ${parts.length} searches split by time`);
	// Each part is a gzip file inflated here and joined: held, not streamed (at most the body cap).
	const data = joinFiles(files.filter((file) => file.length > 0), format);
	const fileName = `pangea-audit-export-${parts[0].id}.${format}`;
	return {
		binary: await settings.store(data, fileName, MIME_TYPES[format]),
		bytes: data.length,
		fileName,
		mimeType: MIME_TYPES[format],
		eventCount: parts.reduce((sum, part) => sum + part.count, 0),
		jobId: parts[0].id,
	};
}
