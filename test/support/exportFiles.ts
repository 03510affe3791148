// Reads Export and Wait files back (CSV, JSON array, NDJSON) for comparison with Search items; shared by the source tests.
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import type { ExportFormat } from '../../nodes/shared/types';
import { binaryToBuffer } from '../harness/n8n';
import { AUDIT_ITEM_KEYS } from './auditItemKeys';
import { parseCsv } from './csv';

/**
 * The CSV export's columns, written out here on purpose: the contract users' spreadsheets and SIEM
 * mappings read, pinned literally so that dropping or renaming a column in the code fails the
 * tests (comparing with the code's own list would not). Changing it is a breaking change.
 */
export const EXPORT_CSV_COLUMNS = [
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
] as const;

/** Every field of the audit item (audit-item.md), nested ones by path, has its column. */
export const ITEM_FIELD_PATHS = AUDIT_ITEM_KEYS.flatMap((key) =>
	key === 'actor'
		? ['actor.name', 'actor.email', 'actor.ip']
		: key === 'target'
			? ['target.type', 'target.id', 'target.name']
			: [key],
);

/** What a CSV cell holds for a value of an item: empty for null, JSON for objects. */
function cellText(value: unknown): string {
	if (value === null || value === undefined) return '';
	return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function column(item: IDataObject, path: string): unknown {
	const [head, tail] = path.split('.');
	const value = item[head];
	return tail === undefined ? value : (value as IDataObject | null | undefined)?.[tail];
}

/** The rows Search items should give in the CSV export. */
export function csvRowsOf(items: IDataObject[]): string[][] {
	return items.map((item) => EXPORT_CSV_COLUMNS.map((c) => cellText(column(item, c))));
}

/**
 * Each CSV row read back field by field against its item: a value in the wrong column, a column
 * shifted by one or a field written as something else names the row and the column that differ.
 */
export function expectCsvRowsMatch(
	header: string[] | undefined,
	rows: unknown[],
	items: IDataObject[],
): void {
	expect(header).toEqual([...EXPORT_CSV_COLUMNS]);
	expect(rows).toHaveLength(items.length);
	const differences: string[] = [];
	rows.forEach((row, r) => {
		const cells = row as string[];
		if (cells.length !== EXPORT_CSV_COLUMNS.length)
			differences.push(`row ${r}: ${cells.length} cells`);
		EXPORT_CSV_COLUMNS.forEach((name, c) => {
			const want = cellText(column(items[r], name));
			if (cells[c] !== want)
				differences.push(`row ${r} ${name}: ${JSON.stringify(cells[c])} ≠ ${JSON.stringify(want)}`);
		});
	});
	expect(differences.slice(0, 10)).toEqual([]);
}

/** The file of an Export and Wait output item, decoded into what each format holds. */
export async function readExport(
	out: INodeExecutionData,
	format: ExportFormat,
): Promise<{ header?: string[]; rows: unknown[] }> {
	const text = (await binaryToBuffer(out.binary!.data)).toString('utf8');
	if (format === 'json') return { rows: JSON.parse(text) as unknown[] };
	if (format === 'ndjson') {
		return {
			rows: text
				.split('\n')
				.filter((line) => line !== '')
				.map((line) => JSON.parse(line) as unknown),
		};
	}
	const [header, ...rows] = parseCsv(text);
	return { header, rows };
}

/** Compares an export file with the Search items over the same range, in the same order. */
export async function expectExportMatchesSearch(
	out: INodeExecutionData,
	format: ExportFormat,
	searchItems: IDataObject[],
): Promise<void> {
	const { header, rows } = await readExport(out, format);
	if (format === 'csv') {
		expectCsvRowsMatch(header, rows, searchItems);
	} else {
		expect(rows).toEqual(searchItems);
		// Every row has every field of the audit item, whatever the items compared with have.
		for (const row of rows as IDataObject[])
			for (const key of AUDIT_ITEM_KEYS.filter((k) => k !== 'raw' || 'raw' in row))
				expect(row).toHaveProperty(key);
	}
	expect(out.json.eventCount).toBe(searchItems.length);
	expect(out.json.format).toBe(format);
}
