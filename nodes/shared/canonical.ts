// Canonical JSON (keys sorted at every depth, no whitespace) and the content-hash ids built on it.
import { createHash } from 'node:crypto';

/**
 * Serializes a JSON value with object keys sorted by UTF-16 code unit at every depth and no
 * insignificant whitespace. Strings use JSON.stringify's escaping, so non-ASCII stays unescaped
 * (what Pangea's envelope hash expects). `undefined` members are left out, as JSON.stringify does.
 */
export function canonicalJson(value: unknown): string {
	if (value === null || typeof value !== 'object') {
		// Numbers, booleans, strings, null; undefined and functions become null like JSON.stringify in arrays.
		const text = JSON.stringify(value);
		return text === undefined ? 'null' : text;
	}
	if (Array.isArray(value)) {
		let out = '[';
		for (let i = 0; i < value.length; i++) {
			if (i > 0) out += ',';
			out += canonicalJson(value[i]);
		}
		return out + ']';
	}
	const record = value as Record<string, unknown>;
	const keys = Object.keys(record).sort();
	let out = '{';
	let first = true;
	for (const key of keys) {
		const member = record[key];
		if (member === undefined || typeof member === 'function') continue;
		if (!first) out += ',';
		first = false;
		out += JSON.stringify(key) + ':' + canonicalJson(member);
	}
	return out + '}';
}

export function sha256Hex(text: string | Buffer): string {
	return createHash('sha256').update(text).digest('hex');
}

/** The id of a record whose vendor has no event id: `sha256:` + hash of its canonical JSON. */
export function contentId(raw: unknown): string {
	return 'sha256:' + sha256Hex(canonicalJson(raw));
}
