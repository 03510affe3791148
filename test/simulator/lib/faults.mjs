// Fault switches that change a vendor's real answer instead of replacing it: an empty page, a repeated
// page, an HTML page with status 200, a JSON body cut short with a consistent length. Kept apart from
// server.mjs so the per-vendor knowledge (where a page's records are) lives in one table.
import { text } from './http.mjs';

/** Where each vendor's page keeps its records (search and queue answers alike). */
const RECORD_PATHS = {
	cbc: [['results']],
	cortex: [['reply', 'data']],
	cisco: [['data']],
	pangea: [
		['result', 'events'],
		['result', 'data', 'events'],
	],
};

/** Kinds applied to the vendor's answer after it handled the request (so writes still happen). */
export const ANSWER_KINDS = ['emptyPage', 'repeatPage', 'truncatedJson', 'resetAfter', 'slowAfter'];

function bodyOf(desc) {
	if (desc.rawJson !== undefined) return JSON.parse(desc.rawJson);
	if (desc.json !== undefined) return structuredClone(desc.json);
	return undefined;
}

function recordsArray(vendor, body) {
	for (const path of RECORD_PATHS[vendor] ?? []) {
		let node = body;
		for (const key of path.slice(0, -1)) node = node?.[key];
		const last = path.at(-1);
		if (node && Array.isArray(node[last])) return { holder: node, key: last };
	}
	return null;
}

/** A 200 page that keeps its envelope (totals, links) but lists no records. */
export function emptyPage(vendor, desc) {
	const body = bodyOf(desc);
	const found = body && recordsArray(vendor, body);
	if (!found) return desc;
	found.holder[found.key] = [];
	const { rawJson: _raw, json: _json, ...rest } = desc;
	return { ...rest, json: body };
}

/** A proxy's error page served with status 200 (captive portals and WAFs do this). */
export function htmlPage() {
	return text(
		200,
		'<!DOCTYPE html><html><head><title>Service Unavailable</title></head><body><h1>Service Unavailable</h1><p>The gateway could not reach the upstream server.</p></body></html>',
		'text/html; charset=utf-8',
	);
}

/**
 * The same status and headers, half the JSON text (or half of any other body: a download), and a
 * Content-Length that matches it: a complete HTTP answer whose content is cut short.
 */
export function truncatedJson(desc) {
	if (desc.json === undefined && desc.rawJson === undefined && Buffer.isBuffer(desc.body))
		return { ...desc, body: desc.body.subarray(0, Math.floor(desc.body.length / 2)) };
	const full = desc.rawJson ?? (desc.json !== undefined ? JSON.stringify(desc.json) : undefined);
	if (full === undefined) return desc;
	const { rawJson: _raw, json: _json, gzip: _gzip, ...rest } = desc;
	return {
		...rest,
		body: Buffer.from(full.slice(0, Math.floor(full.length / 2)), 'utf8'),
		headers: { 'content-type': 'application/json; charset=utf-8', ...desc.headers },
	};
}

/**
 * Remembers the last successful answer per vendor and path, so `repeatPage` can serve the previous
 * page again in place of the one asked for (a cursor or offset the vendor ignored).
 */
export function createPageMemory() {
	const last = new Map();
	return {
		remember(vendor, path, desc) {
			if (
				desc.status >= 200 &&
				desc.status < 300 &&
				(desc.json !== undefined || desc.rawJson !== undefined)
			)
				last.set(`${vendor} ${path}`, desc);
		},
		previous(vendor, path) {
			return last.get(`${vendor} ${path}`);
		},
		clear() {
			last.clear();
		},
	};
}
