// Export and Wait: the vendor's own export job where it has one, else the search pages written into a file.
// This file owns the operation's parameters (`description`) and its run (`execute`).
import type { IDataObject, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { filtersFor, optionsFor, OUTPUT_OPTION_FIELDS, SORT_OPTION, type OperationDescription } from '../../shared/fields';
import { SOURCES } from '../../shared/sources';
import { parameterError } from '../../shared/errors';
import { ExportWriter, MIME_TYPES } from '../../shared/files';
import { bodyTooLargeError, MAX_DOWNLOAD_OPTION } from '../../shared/limits';
import { readQuery } from '../../shared/query';
import { readItems } from '../../shared/reader';
import type { ExportedFile, ExportFormat, ExportSettings } from '../../shared/types';
import { contextFor, countNotes, newCounters, shapeItems, verifyItems, type Operation } from './common';

const FORMATS: ExportFormat[] = ['csv', 'json', 'ndjson'];

const show = { operation: ['exportAndWait'] };

const EXPORT_OPTION_FIELDS: INodeProperties[] = [
	{
		displayName: 'Emit Events as Items',
		name: 'emitEvents',
		type: 'boolean',
		default: false,
		description: 'Whether to also output each exported event as an item (the file is then built from the search pages)',
	},
	MAX_DOWNLOAD_OPTION,
	{
		displayName: 'Max Wait (Seconds)',
		name: 'maxWait',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 300,
		description: 'How long to wait for a vendor export job before failing with its job ID',
	},
	{
		displayName: 'Poll Interval (Seconds)',
		name: 'pollInterval',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 2,
		description: 'Longest pause between two checks of a vendor export job',
	},
];

export const description: OperationDescription = {
	option: {
		name: 'Export and Wait',
		value: 'exportAndWait',
		action: 'Export and wait for audit events',
		description:
			'Export the filtered events into one CSV, JSON or NDJSON file and wait for it. Read-only; on Carbon Black Cloud and Pangea it starts an export job at the vendor.',
	},
	properties: [
		{
			displayName: 'Format',
			name: 'format',
			type: 'options',
			options: [
				{ name: 'CSV', value: 'csv' },
				{ name: 'JSON', value: 'json', description: 'One JSON array' },
				{ name: 'NDJSON', value: 'ndjson', description: 'One JSON object per line' },
			],
			default: 'csv',
			displayOptions: { show },
		},
		{
			displayName: 'Put Output File in Field',
			name: 'binaryPropertyName',
			type: 'string',
			default: 'data',
			hint: 'The name of the output binary field to put the file in',
			displayOptions: { show },
		},
		...SOURCES.flatMap((s) => [
			filtersFor(s, show, [], 'resource'),
			optionsFor(s, [...OUTPUT_OPTION_FIELDS, SORT_OPTION, ...EXPORT_OPTION_FIELDS], show, 'resource'),
		]),
	],
};

function seconds(options: IDataObject, name: string, fallback: number): number {
	const value = options[name];
	return typeof value === 'number' && value > 0 ? value : fallback;
}

export const execute: Operation = async (run) => {
	const { fn, source, itemIndex } = run;
	const format = fn.getNodeParameter('format', itemIndex, 'csv') as ExportFormat;
	if (!FORMATS.includes(format)) {
		throw parameterError(fn, 'Format', `"${format}" is not an export format`, 'Choose CSV, JSON or NDJSON.', itemIndex);
	}
	const binaryPropertyName = (fn.getNodeParameter('binaryPropertyName', itemIndex, 'data') as string).trim();
	if (binaryPropertyName === '') {
		throw parameterError(fn, 'Put Output File in Field', 'the field name is empty', 'Enter a binary field name such as data.', itemIndex);
	}
	const settings = readQuery(fn, source, itemIndex, Date.now(), 'asc');
	settings.query.readAhead = true;
	const ctx = contextFor(run, settings);
	const emitEvents = settings.options.emitEvents === true;
	const exportSettings: ExportSettings = {
		format,
		pollIntervalMs: seconds(settings.options, 'pollInterval', 2) * 1000,
		maxWaitMs: seconds(settings.options, 'maxWait', 300) * 1000,
		store: async (data, fileName, mimeType) => await fn.helpers.prepareBinaryData(data, fileName, mimeType),
	};
	const native = !emitEvents && source.nativeExport && source.nativeExportFormats?.includes(format);
	const events: IDataObject[] = [];
	let file: ExportedFile;
	if (native) {
		file = await source.nativeExport!(ctx, settings.query, exportSettings);
	} else {
		// Pages are encoded into the file as they arrive; only the file's bytes are kept.
		const writer = new ExportWriter(format, {
			maxBytes: ctx.maxBodyBytes,
			tooLarge: () => bodyTooLargeError(fn, `The ${format.toUpperCase()} export file`, ctx.maxBodyBytes, itemIndex),
		});
		const counters = newCounters();
		for await (const { items, page } of readItems(ctx, source, settings.query)) {
			await verifyItems(ctx, source, settings, page, items, counters);
			const shaped = shapeItems(source, settings, items, counters);
			writer.add(shaped);
			if (emitEvents) events.push(...shaped);
		}
		countNotes(run.notes, counters);
		const data = writer.finish();
		const fileName = `${source.id}-audit-${new Date(ctx.now()).toISOString().replace(/[:.]/g, '-')}.${format}`;
		file = {
			binary: await exportSettings.store(data, fileName, MIME_TYPES[format]),
			bytes: data.length,
			fileName,
			mimeType: MIME_TYPES[format],
			eventCount: writer.eventCount,
		};
	}
	const summary: IDataObject = {
		source: source.id,
		format,
		eventCount: file.eventCount,
		jobId: file.jobId ?? null,
		fileName: file.fileName,
		fileSize: file.bytes,
		timeRange: {
			start: settings.query.start === undefined ? null : new Date(settings.query.start).toISOString(),
			end: new Date(settings.query.end).toISOString(),
		},
		exportedBy: native ? 'vendor' : 'pages',
	};
	// The summary item carries the count and size; hints are kept for what a user must know.
	const out: INodeExecutionData[] = [
		{ json: summary, binary: { [binaryPropertyName]: file.binary }, pairedItem: { item: itemIndex } },
	];
	for (const json of events) out.push({ json, pairedItem: { item: itemIndex } });
	return out;
};
