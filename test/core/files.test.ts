// ExportWriter (CSV, JSON, NDJSON built page by page) parsed back, and countRecords on vendor files,
// whole or fed chunk by chunk as a download passes (RecordCounter).
import type { IDataObject } from 'n8n-workflow';
import {
	countJsonArrayItems,
	countRecords,
	csvCell,
	RecordCounter,
	ExportWriter,
	MIME_TYPES,
} from '../../nodes/shared/files';
import { EXPORT_CSV_COLUMNS, expectCsvRowsMatch, ITEM_FIELD_PATHS } from '../support/exportFiles';
import { normalizeCbc } from '../../nodes/shared/sources/carbonBlackCloud/normalize';
import { cbcEvents } from '../support/cbcEvents';
import { csvRecords, parseCsv } from '../support/csv';

const events = cbcEvents(25);
events[3] = { ...events[3], description: 'Renamed "Lab, old"\r\nto Lab – ünïcode' };
const items = events.map((event) => normalizeCbc(event) as unknown as IDataObject);
const withChanges: IDataObject = {
	...items[0],
	changes: { before: { name: 'a,b' }, after: { name: 'c"d' } },
	target: { type: 'policy', id: '42', name: 'Lab' },
};
const pages = [items.slice(0, 10), [], items.slice(10, 11), [withChanges, ...items.slice(11)]];
const all = pages.flat();

function write(format: 'csv' | 'json' | 'ndjson'): Buffer {
	const writer = new ExportWriter(format);
	for (const page of pages) writer.add(page);
	expect(writer.eventCount).toBe(all.length);
	return writer.finish();
}

describe('ExportWriter', () => {
	it('CSV: the normalized columns, one row per item, every cell read back', () => {
		const data = write('csv');
		const text = data.toString('utf8');
		const [header, ...cells] = parseCsv(text);
		// The pinned contract, and every field of every row read back in its column.
		expectCsvRowsMatch(header, cells, all as IDataObject[]);
		expect(ITEM_FIELD_PATHS.filter((path) => !header.includes(path))).toEqual([]);
		const rows = csvRecords(text);
		expect(rows).toHaveLength(all.length);
		rows.forEach((row, i) => {
			const item = all[i] as IDataObject & { actor: IDataObject; target: IDataObject };
			expect(row.id).toBe(item.id);
			expect(row.time).toBe(item.time);
			expect(row['actor.name']).toBe(item.actor.name ?? '');
			expect(row['actor.email']).toBe(item.actor.email ?? '');
			expect(row['actor.ip']).toBe(item.actor.ip ?? '');
			expect(row.description).toBe(item.description);
			expect(row.flagged).toBe(String(item.flagged));
			expect(row.source).toBe(item.source);
			expect(row.action).toBe(item.action ?? '');
			expect(row.category).toBe(item.category ?? '');
			expect(row.outcome).toBe(item.outcome ?? '');
			expect(row.organization).toBe(item.organization ?? '');
			expect(row['target.id']).toBe(item.target.id ?? '');
			expect(row['target.name']).toBe(item.target.name ?? '');
			expect(row.requestUrl).toBe(item.requestUrl ?? '');
			expect(row['target.type']).toBe(item.target.type ?? '');
			expect(row.changes === '' ? null : JSON.parse(row.changes)).toEqual(item.changes);
			expect(JSON.parse(row.raw)).toEqual(item.raw);
			expect(row.verification).toBe('');
		});
		expect(countRecords(data, 'csv')).toBe(all.length);
	});

	it('JSON: one array of the items, across pages and empty pages', () => {
		const data = write('json');
		expect(JSON.parse(data.toString('utf8'))).toEqual(all);
		expect(countRecords(data, 'json')).toBe(all.length);
	});

	it('NDJSON: one item per line', () => {
		const data = write('ndjson');
		const lines = data.toString('utf8').split('\n');
		expect(lines.pop()).toBe('');
		expect(lines.map((line) => JSON.parse(line) as IDataObject)).toEqual(all);
		expect(countRecords(data, 'ndjson')).toBe(all.length);
	});

	it('an export without events is a valid, empty file', () => {
		expect(new ExportWriter('json').finish().toString()).toBe('[]');
		expect(new ExportWriter('ndjson').finish().toString()).toBe('');
		const csv = new ExportWriter('csv').finish();
		expect(csv.toString()).toBe(EXPORT_CSV_COLUMNS.join(',') + '\n');
		expect(countRecords(csv, 'csv')).toBe(0);
	});

	it('names the MIME type of each format', () => {
		expect(MIME_TYPES).toEqual({
			csv: 'text/csv',
			json: 'application/json',
			ndjson: 'application/x-ndjson',
		});
	});
});

describe('csvCell', () => {
	it('quotes only what needs quoting and doubles quotes', () => {
		expect(
			[null, undefined, 'plain', 'a,b', 'say "x"', 'two\nlines', 'cr\r', 3, true].map((v) =>
				csvCell(v),
			),
		).toEqual(['', '', 'plain', '"a,b"', '"say ""x"""', '"two\nlines"', '"cr\r"', '3', 'true']);
		expect(csvCell({ a: 'b' })).toBe('"{""a"":""b""}"');
	});
});

describe('countRecords on vendor files', () => {
	const b = (text: string) => Buffer.from(text, 'utf8');

	it('CSV: rows after the header, quoted line breaks, CRLF, blank lines and no final newline', () => {
		expect(countRecords(b('a,b\n1,2\n3,4\n'), 'csv')).toBe(2);
		expect(countRecords(b('a,b\r\n1,2\r\n3,4'), 'csv')).toBe(2);
		expect(countRecords(b('a,b\n"x\ny",2\n\n"q""\n",4\n'), 'csv')).toBe(2);
		expect(countRecords(b('a,b\n'), 'csv')).toBe(0);
		expect(countRecords(b(''), 'csv')).toBe(0);
	});

	it('JSON: the array length, NaN for a broken array, lines for JSON Lines', () => {
		expect(countRecords(b(' [{"a":1},{"a":"]"}] '), 'json')).toBe(2);
		expect(countRecords(b('[]'), 'json')).toBe(0);
		expect(countRecords(b('[{"a":1},'), 'json')).toBeNaN();
		expect(countRecords(b('{"a":1}\n{"a":2}\n'), 'json')).toBe(2);
	});

	it('NDJSON and JSON Lines: non-empty lines, whatever escaped quotes the strings hold', () => {
		expect(countRecords(b('{"a":1}\n\n{"a":"x\\ny"}'), 'ndjson')).toBe(2);
		expect(countRecords(b('{"a":"say \\"hi"}\n{"a":2}\n{"a":3}\n'), 'ndjson')).toBe(3);
		expect(countRecords(b('{"a":"\\""}\n{"a":2}'), 'json')).toBe(2);
	});
});

describe('countJsonArrayItems', () => {
	it.each([
		['[]', 0],
		[' [ ] ', 0],
		['[1]', 1],
		['[{"a":[1,2,3]},{"b":"x,y]"},"q\\"uote,"]', 3],
		['[\n {"nested": {"deep": [ {"x": 1}, {"y": 2} ]}},\n {"s": "\\\\"}\n]', 2],
		['{"not": "an array"}', NaN],
	])('counts %s as %s without parsing', (text, expected) => {
		expect(countJsonArrayItems(Buffer.from(text))).toBe(expected);
	});

	it('agrees with JSON.parse on a generated export', () => {
		const rows = Array.from({ length: 500 }, (_, i) => ({
			i,
			text: `a,b]"} ${'\\'.repeat(i % 3)}`,
			list: [i, { i }],
		}));
		const text = JSON.stringify(rows, null, 2);
		expect(countJsonArrayItems(Buffer.from(text))).toBe(JSON.parse(text).length);
	});
});

describe('RecordCounter fed as a download arrives', () => {
	// Every split a chunk boundary can make: inside a quote, an escape, a CRLF, before the "[".
	const tricky: Array<[string, 'csv' | 'json' | 'ndjson']> = [
		['a,b\r\n"x\r\ny",2\r\n\r\n"q""\n",4', 'csv'],
		['  \n [{"a":"]\\"},{"b":[1,{"c":"\\\\"}]}, "x,y"]\n', 'json'],
		['{"a":1}\n\n{"a":"x\\ny"}\n{"a":"say \\"hi"}', 'json'],
		['{"a":"\\""}\r\n\r\n{"a":2}', 'ndjson'],
		['[{"a":1},', 'json'],
		['   ', 'json'],
	];

	it.each(tricky)('counts %j the same split at every byte', (text, format) => {
		const data = Buffer.from(text, 'utf8');
		const whole = countRecords(data, format);
		for (let cut = 0; cut <= data.length; cut++) {
			const counter = new RecordCounter(format).add(data.subarray(0, cut)).add(data.subarray(cut));
			expect([cut, counter.total()]).toEqual([cut, whole]);
		}
	});

	it.each(['csv', 'json', 'ndjson'] as const)('counts a written %s export fed in uneven chunks', (format) => {
		const data = write(format);
		let seed = 7;
		const counter = new RecordCounter(format);
		for (let at = 0; at < data.length; ) {
			seed = (seed * 1103515245 + 12345) % 2 ** 31;
			const size = 1 + (seed % 97);
			counter.add(data.subarray(at, at + size));
			at += size;
		}
		expect(counter.total()).toBe(all.length);
	});
});
