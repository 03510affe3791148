// Gunzip without node:zlib (not allowed in community nodes): the WHATWG DecompressionStream Node ships.
/** The two magic bytes every gzip member starts with. */
const GZIP_MAGIC = [0x1f, 0x8b];

export function isGzip(data: Buffer): boolean {
	return data.length >= 2 && data[0] === GZIP_MAGIC[0] && data[1] === GZIP_MAGIC[1];
}

/**
 * The bytes of a gzip file, decompressed; anything else is returned as it is. A pre-signed
 * download may arrive already decompressed: HTTP clients undo `Content-Encoding: gzip` themselves,
 * while a stored `.gz` object comes as its raw bytes.
 */
export async function gunzipIfNeeded(data: Buffer): Promise<Buffer> {
	if (!isGzip(data)) return data;
	const stream = new Blob([new Uint8Array(data)]).stream().pipeThrough(new DecompressionStream('gzip'));
	return Buffer.from(await new Response(stream).arrayBuffer());
}
