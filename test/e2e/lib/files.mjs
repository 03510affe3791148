// Reading exported files back: record counts of CSV, JSON and NDJSON, and binary data n8n stored.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Data records of an RFC 4180 CSV text with a header row (quoted line breaks stay in their cell). */
export function csvRecordCount(text) {
	let rows = 0;
	let quoted = false;
	let rowHasContent = false;
	for (let i = 0; i < text.length; i++) {
		const c = text[i];
		if (c === '"') quoted = !quoted;
		if (!quoted && (c === '\n' || c === '\r')) {
			if (c === '\r' && text[i + 1] === '\n') i++;
			if (rowHasContent) rows++;
			rowHasContent = false;
		} else rowHasContent = true;
	}
	if (rowHasContent) rows++;
	return Math.max(0, rows - 1);
}

export function recordCount(text, format) {
	if (format === 'csv') return csvRecordCount(text);
	if (format === 'json') return JSON.parse(text).length;
	return text.split('\n').filter((line) => line.trim() !== '').length;
}

/**
 * The bytes of a binary property from a run's output: inline base64, or the file n8n's
 * filesystem mode wrote under the user folder (`filesystem-v2:<path>`).
 */
export async function binaryContent(binary, userFolder) {
	if (binary.data && binary.data !== 'filesystem-v2' && !binary.id)
		return Buffer.from(binary.data, 'base64');
	const match = /^filesystem(?:-v2)?:(.+)$/.exec(binary.id ?? '');
	if (!match)
		throw new Error(`binary data with id ${binary.id} is neither inline nor on the filesystem`);
	return await readFile(join(userFolder, '.n8n', 'storage', match[1]));
}
