// HTTP plumbing: body reading, JSON parsing, and the one place responses are written (so the
// truncate fault and gzip apply to every vendor alike).
import { setTimeout as delay } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';

const MAX_BODY = 64 * 1024 * 1024;

export function readBody(req) {
	return new Promise((resolve, reject) => {
		const chunks = [];
		let size = 0;
		req.on('data', (chunk) => {
			size += chunk.length;
			if (size > MAX_BODY) {
				reject(new Error('body too large'));
				req.destroy();
				return;
			}
			chunks.push(chunk);
		});
		req.on('end', () => resolve(Buffer.concat(chunks)));
		req.on('error', reject);
	});
}

/** `{ ok: true, value }` or `{ ok: false }`; an empty body parses as `undefined`. */
export function parseJson(buffer) {
	if (buffer.length === 0) return { ok: true, value: undefined };
	try {
		return { ok: true, value: JSON.parse(buffer.toString('utf8')) };
	} catch {
		return { ok: false };
	}
}

export const isObject = (value) =>
	value !== null && typeof value === 'object' && !Array.isArray(value);

/** Response descriptors the handlers return; `respond` turns them into bytes. */
export const json = (status, value, headers = {}) => ({ status, json: value, headers });
/** Already-serialized JSON (hot paths build the string from cached per-record JSON). */
export const rawJson = (status, text, headers = {}) => ({ status, rawJson: text, headers });
export const text = (status, value, contentType = 'text/plain; charset=utf-8', headers = {}) => ({
	status,
	body: Buffer.from(value, 'utf8'),
	headers: { 'content-type': contentType, ...headers },
});
export const redirect = (status, location) => ({
	status,
	body: Buffer.alloc(0),
	headers: { location },
});

function encode(desc) {
	if (desc.rawJson !== undefined || desc.json !== undefined) {
		const textBody = desc.rawJson !== undefined ? desc.rawJson : JSON.stringify(desc.json);
		return {
			body: Buffer.from(textBody, 'utf8'),
			headers: { 'content-type': 'application/json; charset=utf-8', ...desc.headers },
		};
	}
	return { body: desc.body ?? Buffer.alloc(0), headers: { ...desc.headers } };
}

/** Bytes per paced write when the bandwidth is bounded. */
const PACE_CHUNK = 16 * 1024;

/**
 * Writes `body` at `kbps` kilobits per second: 16 KiB at a time, each chunk no earlier than the
 * bandwidth allows since the first byte (a slow link, not a slow server: the headers go at once).
 */
async function writePaced(res, body, kbps) {
	const bytesPerMs = (kbps * 1000) / 8 / 1000;
	const started = performance.now();
	for (let sent = 0; sent < body.length; ) {
		const chunk = body.subarray(sent, sent + PACE_CHUNK);
		const due = started + (sent + chunk.length) / bytesPerMs;
		const wait = due - performance.now();
		if (wait > 0) await delay(wait);
		if (res.destroyed) return;
		res.write(chunk);
		sent += chunk.length;
	}
	res.end();
}

/**
 * Writes a descriptor. `ctx.truncate` (fault) announces the full length, sends half and cuts the
 * socket; `desc.gzip` compresses when the client accepts gzip; `ctx.bandwidthKbps` > 0 paces the
 * body (resolves once it is written).
 */
export function respond(ctx, desc) {
	const { res } = ctx;
	let { body, headers } = encode(desc);
	if (desc.gzip && /\bgzip\b/.test(String(ctx.req.headers['accept-encoding'] ?? ''))) {
		body = gzipSync(body);
		headers['content-encoding'] = 'gzip';
		headers.vary = 'Accept-Encoding';
	}
	headers['content-length'] = String(body.length);
	if (ctx.truncate) {
		res.writeHead(desc.status, headers);
		res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.destroy());
		return;
	}
	res.writeHead(desc.status, headers);
	if (ctx.bandwidthKbps > 0 && body.length > 0) return writePaced(res, body, ctx.bandwidthKbps);
	res.end(body);
}

/** The absolute origin the client used (Host header), so links and redirects point back here. */
export function originOf(req, fallback) {
	const host = req.headers.host;
	return host ? `http://${host}` : fallback;
}
