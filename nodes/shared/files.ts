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
 * Counts the records of a vendor-made export as its bytes pass, chunk by chunk (a download handed
 * to n8n's binary store is never held whole): CSV rows after the header, the items of a top-level
 * JSON array, or lines (NDJSON, and JSON Lines served for JSON). No string copy and no parse, so
 * counting a 200 MB export costs no memory; the state carries across chunk boundaries.
 */
export class RecordCounter {
	/** Undecided until the first byte that is not whitespace: a JSON export may be an array or lines. */
	private mode: 'array' | 'lines' | 'notArray' | undefined;
	// Lines: rows ended so far, inside a CSV quote, the current line has content.
	private rows = 0;
	private inQuotes = false;
	private lineHasContent = false;
	// Array: nesting depth, inside a string, the byte after a backslash, items separated at depth 1.
	private depth = 1;
	private inString = false;
	private escaped = false;
	private commas = 0;
	private sawValue = false;

	/** `arrayOnly`: JSON that is not an array counts as NaN (instead of as lines). */
	constructor(
		private readonly format: ExportFormat,
		private readonly arrayOnly = false,
	) {}

	add(data: Buffer): this {
		let i = 0;
		if (this.mode === undefined) {
			while (i < data.length && isJsonSpace(data[i])) i++;
			if (i === data.length) return this; // only whitespace so far: nothing to count yet
			if (this.format === 'json' && data[i] === 0x5b) {
				this.mode = 'array';
				i++; // past the opening "["
			} else {
				this.mode = this.arrayOnly ? 'notArray' : 'lines';
				i = 0;
			}
		}
		if (this.mode === 'array') this.scanArray(data, i);
		else if (this.mode === 'lines') this.scanLines(data, i);
		return this;
	}

	/** The records counted; NaN for a JSON array cut off before it closes (or, `arrayOnly`, none). */
	total(): number {
		if (this.mode === 'array') {
			// A cut-off file (unclosed array or string) is not counted as if it were whole.
			if (this.depth !== 0 || this.inString) return NaN;
			return this.sawValue ? this.commas + 1 : 0;
		}
		if (this.arrayOnly) return NaN;
		const rows = this.rows + (this.lineHasContent ? 1 : 0);
		return this.format === 'csv' ? Math.max(0, rows - 1) : rows;
	}

	private scanArray(data: Buffer, from: number): void {
		for (let i = from; i < data.length; i++) {
			const byte = data[i];
			if (this.inString) {
				if (this.escaped) this.escaped = false;
				else if (byte === 0x5c) this.escaped = true;
				else if (byte === 0x22) this.inString = false;
				continue;
			}
			if (isJsonSpace(byte)) continue;
			if (this.depth === 1 && !this.sawValue && byte !== 0x5d) this.sawValue = true;
			if (byte === 0x22) this.inString = true;
			else if (byte === 0x5b || byte === 0x7b) this.depth++;
			else if (byte === 0x5d || byte === 0x7d) this.depth--;
			else if (byte === 0x2c && this.depth === 1) this.commas++;
		}
	}

	private scanLines(data: Buffer, from: number): void {
		// Only CSV quotes span lines; in JSON lines a quote may be escaped (\") and a line break never is raw.
		const csv = this.format === 'csv';
		for (let i = from; i < data.length; i++) {
			const byte = data[i];
			if (csv && byte === 0x22) this.inQuotes = !this.inQuotes;
			if (byte === 0x0a && !this.inQuotes) {
				if (this.lineHasContent) this.rows++;
				this.lineHasContent = false;
			} else if (byte !== 0x0d) this.lineHasContent = true;
		}
	}
}

function isJsonSpace(byte: number): boolean {
	return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/** The items of a top-level JSON array held whole; NaN when the data is not one or is cut off. */
export function countJsonArrayItems(data: Buffer): number {
	return new RecordCounter('json', true).add(data).total();
}

/** Counts the records of a vendor-made export held whole: see RecordCounter. */
export function countRecords(data: Buffer, format: ExportFormat): number {
	return new RecordCounter(format).add(data).total();
}
