// Reads Export and Wait files back (CSV, JSON array, NDJSON) for comparison with Search items; shared by the source tests.
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { CSV_COLUMNS } from '../../nodes/shared/files';
import type { ExportFormat } from '../../nodes/shared/types';
import { binaryToBuffer } from '../harness/n8n';
import { parseCsv } from './csv';

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
	return items.map((item) => CSV_COLUMNS.map((c) => cellText(column(item, c))));
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
		expect(header).toEqual(CSV_COLUMNS);
		expect(rows).toEqual(csvRowsOf(searchItems));
	} else {
		expect(rows).toEqual(searchItems);
	}
	expect(out.json.eventCount).toBe(searchItems.length);
	expect(out.json.format).toBe(format);
}
