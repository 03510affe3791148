// The cap on what one run holds in memory (a download, an inflated gzip, a joined export, one JSON
// page): the node option that sets it, its default, and the error a body past it becomes.
import { NodeApiError, type IDataObject, type INodeProperties, type JsonObject } from 'n8n-workflow';
import { parameterError } from './errors';
import type { NodeFunctions, RequestFunctions } from './types';

const MB = 1024 * 1024;

/**
 * 256 MB. n8n's default binary mode keeps a file in memory and an export is briefly held twice
 * (the download and the binary entry n8n makes of it), so the default stays well under the ~2 GB
 * heap of a default n8n. The largest honest bodies are far smaller: a JSON page of 10 000 audit
 * records is ~30 MB, a Pangea part of 10 000 events ~20 MB inflated, and a month of CBC audit
 * logs from a busy org a few tens of MB. Larger exports raise the option; a bomb fails at the cap.
 */
export const DEFAULT_MAX_DOWNLOAD_MB = 256;
export const DEFAULT_MAX_BODY_BYTES = DEFAULT_MAX_DOWNLOAD_MB * MB;

/** Shown with the export options: the cap a vendor's answer, download or export file must stay under. */
export const MAX_DOWNLOAD_OPTION: INodeProperties = {
	displayName: 'Max Download Size (MB)',
	name: 'maxDownloadMb',
	type: 'number',
	typeOptions: { minValue: 1 },
	default: DEFAULT_MAX_DOWNLOAD_MB,
	description:
		'Largest file, page or inflated download one run may take (an export file the vendor prepares goes to n8n\'s binary data as it arrives, and counts too); a larger one fails with an error instead of exhausting n8n',
};

/** The cap in bytes from the node's options; a bad value fails before any request. */
export function maxBodyBytesFrom(fn: NodeFunctions, options: IDataObject, itemIndex = 0): number {
	const value = options[MAX_DOWNLOAD_OPTION.name];
	if (value === undefined || value === null || value === '') return DEFAULT_MAX_BODY_BYTES;
	if (typeof value !== 'number' || !Number.isFinite(value) || value < 1) {
		throw parameterError(
			fn,
			`Options > ${MAX_DOWNLOAD_OPTION.displayName}`,
			`${String(value)} is not a size in MB`,
			`Set it to a number of 1 or more (default ${DEFAULT_MAX_DOWNLOAD_MB}).`,
			itemIndex,
		);
	}
	return Math.floor(value * MB);
}

/** "256 MB" (or bytes for caps under 1 MB, as tests set them). */
export function formatCap(bytes: number): string {
	return bytes >= MB ? `${Math.round((bytes / MB) * 100) / 100} MB` : `${bytes} bytes`;
}

/** A body that went past the cap: names the cap and the option that raises it. */
export function bodyTooLargeError(
	fn: Pick<RequestFunctions, 'getNode'>,
	what: string,
	cap: number,
	itemIndex: number,
): NodeApiError {
	const message = `${what} is larger than the Max Download Size (${formatCap(cap)}); it was not read further`;
	return new NodeApiError(fn.getNode(), { message } as JsonObject, {
		message,
		description: `Raise Options > ${MAX_DOWNLOAD_OPTION.displayName} if the data is expected to be this large, or read less per run (a shorter time range).`,
		itemIndex,
	});
}

/** Thrown inside the byte counters; turned into `bodyTooLargeError` where the node is known. */
export class BodyTooLarge extends Error {
	constructor(readonly cap: number) {
		super(`body larger than ${cap} bytes`);
	}
}
