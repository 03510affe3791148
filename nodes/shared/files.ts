// Export files built page by page: CSV, a JSON array or NDJSON, held once as encoded chunks, never
// past the run's body cap.
import type { IDataObject } from 'n8n-workflow';
import type { ExportFormat } from './types';

export const MIME_TYPES: Record<ExportFormat, string> = {
	csv: 'text/csv',
	json: 'application/json',
	ndjson: 'application/x-ndjson',
};

/** The columns of the CSV form of a normalized audit item (nested keys joined with dots). */
export const CSV_COLUMNS = [
	'id',
	'source',
	'time',
	'actor.name',
	'actor.email',
	'actor.ip',
	'action',
	'category',
	'description',
	'outcome',
	'flagged',
	'target.type',
	'target.id',
	'target.name',
	'changes',
	'organization',
	'requestUrl',
	'verification',
	'raw',
];

function pick(item: IDataObject, path: string): unknown {
	const dot = path.indexOf('.');
	if (dot < 0) return item[path];
	const parent = item[path.slice(0, dot)] as IDataObject | null | undefined;
	return parent ? parent[path.slice(dot + 1)] : undefined;
}

export function csvCell(value: unknown): string {
	if (value === null || value === undefined) return '';
	const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
	return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
}

/** Past the cap the writer calls `tooLarge` and throws what it returns (an error naming the cap). */
export type WriterLimit = { maxBytes: number; tooLarge: () => Error };

/**
 * Accumulates one export. Each page becomes one Buffer chunk as it arrives; `finish` joins them
 * once, so the file exists as chunks or as the final buffer, never as a second copy of items.
 * CSV always uses the normalized columns; JSON and NDJSON write the items as they are emitted.
 */
export class ExportWriter {
	private readonly chunks: Buffer[] = [];
	private count = 0;
	private bytes = 0;

	constructor(
		readonly format: ExportFormat,
		private readonly limit?: WriterLimit,
	) {
		if (format === 'csv') this.push(CSV_COLUMNS.join(',') + '\n');
		if (format === 'json') this.push('[');
	}

	get eventCount(): number {
		return this.count;
	}

	add(items: IDataObject[]): void {
		if (items.length === 0) return;
		let text = '';
		for (const item of items) {
			if (this.format === 'csv') text += CSV_COLUMNS.map((c) => csvCell(pick(item, c))).join(',') + '\n';
			else if (this.format === 'ndjson') text += JSON.stringify(item) + '\n';
			else text += (this.count === 0 && text === '' ? '' : ',') + JSON.stringify(item);
		}
		this.count += items.length;
		this.push(text);
	}

	finish(): Buffer {
		if (this.format === 'json') this.push(']');
		const data = Buffer.concat(this.chunks, this.bytes);
		this.chunks.length = 0;
		return data;
	}

	private push(text: string): void {
		// The closing "]" is let through: the cap is kept on the pages, one byte more holds nothing.
		if (this.limit && this.bytes + Buffer.byteLength(text, 'utf8') > this.limit.maxBytes && text !== ']') {
			throw this.limit.tooLarge();
		}
		const chunk = Buffer.from(text, 'utf8');
		this.chunks.push(chunk);
		this.bytes += chunk.length;
	}
}

/**
 * Counts the items of a top-level JSON array by scanning its bytes: no string copy and no parse,
 * so counting a 200 MB export costs no memory. NaN when the data is not an array.
 */
export function countJsonArrayItems(data: Buffer): number {
	let depth = 0;
	let inString = false;
	let items = 0;
	let sawValue = false;
	let started = false;
	for (let i = 0; i < data.length; i++) {
		const byte = data[i];
		if (inString) {
			if (byte === 0x5c) i++; // backslash: skip the escaped byte
			else if (byte === 0x22) inString = false;
			continue;
		}
		if (byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09) continue;
		if (!started) {
			if (byte !== 0x5b) return NaN; // not "["
			started = true;
			depth = 1;
			continue;
		}
		if (depth === 1 && !sawValue && byte !== 0x5d) sawValue = true;
		if (byte === 0x22) inString = true;
		else if (byte === 0x5b || byte === 0x7b) depth++;
		else if (byte === 0x5d || byte === 0x7d) depth--;
		else if (byte === 0x2c && depth === 1) items++;
	}
	// A cut-off file (unclosed array or string) is not counted as if it were whole.
	if (!started || depth !== 0 || inString) return NaN;
	return sawValue ? items + 1 : 0;
}

/** Counts the records of a vendor-made export: CSV rows after the header, JSON array items, or lines. */
export function countRecords(data: Buffer, format: ExportFormat): number {
	// A JSON export is an array (counted, NaN when cut off) or JSON Lines (counted as lines below).
	if (format === 'json' && data.toString('latin1', 0, 64).trimStart().startsWith('[')) {
		return countJsonArrayItems(data);
	}
	// Only CSV quotes span lines; in JSON lines a quote may be escaped (\") and a line break never is raw.
	const csv = format === 'csv';
	let rows = 0;
	let inQuotes = false;
	let lineHasContent = false;
	for (let i = 0; i < data.length; i++) {
		const byte = data[i];
		if (csv && byte === 0x22) inQuotes = !inQuotes;
		if (byte === 0x0a && !inQuotes) {
			if (lineHasContent) rows++;
			lineHasContent = false;
		} else if (byte !== 0x0d) lineHasContent = true;
	}
	if (lineHasContent) rows++;
	return format === 'csv' ? Math.max(0, rows - 1) : rows;
}
