// Gunzip without node:zlib (not allowed in community nodes): the WHATWG DecompressionStream Node
// ships, read chunk by chunk with a running byte count so a gzip bomb stops at the cap.
import { BodyTooLarge } from '../../limits';

/** The two magic bytes every gzip member starts with. */
const GZIP_MAGIC = [0x1f, 0x8b];

export function isGzip(data: Buffer): boolean {
	return data.length >= 2 && data[0] === GZIP_MAGIC[0] && data[1] === GZIP_MAGIC[1];
}

/**
 * The bytes of a gzip file, decompressed; anything else is returned as it is (checked against the
 * cap too). A pre-signed download may arrive already decompressed: HTTP clients undo
 * `Content-Encoding: gzip` themselves, while a stored `.gz` object comes as its raw bytes.
 * Past `maxBytes` of output the inflation is cancelled and BodyTooLarge thrown: no more than the
 * cap (plus one chunk) is ever held.
 */
export async function gunzipIfNeeded(data: Buffer, maxBytes = Number.POSITIVE_INFINITY): Promise<Buffer> {
	if (!isGzip(data)) {
		if (data.length > maxBytes) throw new BodyTooLarge(maxBytes);
		return data;
	}
	const stream = new Blob([new Uint8Array(data)]).stream().pipeThrough(new DecompressionStream('gzip'));
	const reader = stream.getReader();
	const chunks: Uint8Array[] = [];
	let total = 0;
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		total += value.byteLength;
		if (total > maxBytes) {
			await reader.cancel().catch(() => undefined);
			throw new BodyTooLarge(maxBytes);
		}
		chunks.push(value);
	}
	return Buffer.concat(chunks, total);
}
