// Canonical JSON (keys sorted at every depth, no whitespace) and the content-hash ids built on it.
import * as crypto from 'node:crypto';
import { BoundedMemo } from './memo';

/**
 * Serializes a JSON value with object keys sorted by UTF-16 code unit at every depth and no
 * insignificant whitespace. Strings use JSON.stringify's escaping, so non-ASCII stays unescaped
 * (what Pangea's envelope hash expects). `undefined` members are left out, as JSON.stringify does.
 *
 * It runs once per event and is most of the cost of a content id, so plain data (what JSON.parse
 * gives) goes to the engine's own JSON.stringify with its objects in sorted key order. A CBC
 * record's content id: about 1.2 µs from 1.65 (`npm run bench -- --only normalize`), and about a
 * third of the time for the first 10,000 in a fresh process, where JavaScript is not compiled yet
 * (what each `n8n execute` is). test/core/canonical.test.ts holds the two ways to one text.
 * Anything else is written here.
 */
export function canonicalJson(value: unknown): string {
	const sorted = sortedPlain(value);
	if (sorted === NOT_PLAIN) return written(value);
	return JSON.stringify(sorted) ?? 'null';
}

/** Whether canonicalJson takes the engine's way for `value` (for the tests: vendor records must). */
export function isPlainJson(value: unknown): boolean {
	return sortedPlain(value) !== NOT_PLAIN;
}

const NOT_PLAIN = Symbol('not plain JSON data');

/**
 * An object that must be copied into sorted order with more keys than this is written by
 * `written` instead: V8 keeps a fresh object that size in dictionary mode, which JSON.stringify
 * reads more slowly than the writer runs (Cortex's 20-key records: 2.5 µs against 2.1).
 */
const MAX_KEYS_TO_COPY = 16;

/**
 * `value` with every object's keys in sorted order, as JSON.stringify will write them: an object
 * already in order is kept as it is, one out of order is copied in order. NOT_PLAIN for anything
 * JSON.stringify writes otherwise than `written` (a prototype other than Object's, toJSON, a
 * symbol, a bigint, a function), for a `__proto__` key (a copy cannot hold it as data) and for
 * an object to reorder that is large or has integer keys.
 */
function sortedPlain(value: unknown): unknown {
	if (typeof value !== 'object' || value === null) return plainScalar(value);
	if (Array.isArray(value)) {
		if (Object.getPrototypeOf(value) !== Array.prototype) return NOT_PLAIN;
		let copy: unknown[] | undefined;
		for (let i = 0; i < value.length; i++) {
			const element: unknown = value[i];
			const plain = sortedPlain(element);
			if (plain === NOT_PLAIN) return NOT_PLAIN;
			if (plain !== element && copy === undefined) copy = value.slice(0, i);
			if (copy !== undefined) copy.push(plain);
		}
		return copy ?? value;
	}
	const prototype: unknown = Object.getPrototypeOf(value);
	if (prototype !== Object.prototype && prototype !== null) return NOT_PLAIN;
	const record = value as Record<string, unknown>;
	const keys = Object.keys(record);
	// A large object is only checked: reordering it is left to the writer.
	const order = keys.length <= MAX_KEYS_TO_COPY ? sortedKeys(keys) : inOrder(keys) ? keys : undefined;
	if (order === undefined) return NOT_PLAIN;
	const reordered = order !== keys;
	// Copied from the start when reordered, else from the first member that changed (if one does).
	let copy: Record<string, unknown> | undefined = reordered ? {} : undefined;
	for (let i = 0; i < order.length; i++) {
		const key = order[i];
		if (key === '__proto__') return NOT_PLAIN;
		// An object lists integer keys first, whatever order they were added in: a copy cannot sort them as text.
		if (reordered && isDigit(key.charCodeAt(0))) return NOT_PLAIN;
		const member = record[key];
		const plain = sortedPlain(member);
		if (plain === NOT_PLAIN) return NOT_PLAIN;
		if (copy === undefined && plain !== member) {
			copy = {};
			for (let j = 0; j < i; j++) copy[order[j]] = record[order[j]];
		}
		if (copy !== undefined) copy[key] = plain;
	}
	return copy ?? value;
}

const isDigit = (code: number) => code >= 48 && code <= 57;

function plainScalar(value: unknown): unknown {
	if (value === null) return null;
	switch (typeof value) {
		case 'string':
		case 'number':
		case 'boolean':
		case 'undefined':
			return value;
		default:
			return NOT_PLAIN;
	}
}

/**
 * The key orders met lately, each with its sorted order (the same array when already sorted): a
 * vendor's records come in a few shapes, so a record's keys are sorted once per shape, not once
 * per record. Compared key by key; bounded, the oldest dropped.
 */
const recentOrders: Array<{ keys: string[]; sorted: string[] }> = [];
const RECENT_ORDERS = 16;

function sortedKeys(keys: string[]): string[] {
	search: for (const entry of recentOrders) {
		if (entry.keys.length !== keys.length) continue;
		for (let i = 0; i < keys.length; i++) if (entry.keys[i] !== keys[i]) continue search;
		return entry.sorted === entry.keys ? keys : entry.sorted;
	}
	const sorted = inOrder(keys) ? keys : [...keys].sort();
	if (recentOrders.length >= RECENT_ORDERS) recentOrders.pop();
	recentOrders.unshift({ keys, sorted });
	return sorted;
}

function inOrder(keys: string[]): boolean {
	for (let i = 1; i < keys.length; i++) if (keys[i - 1] > keys[i]) return false;
	return true;
}

/** The writer for any value: canonicalJson's text, built here (what the fast path cannot take). */
function written(value: unknown): string {
	switch (typeof value) {
		case 'string':
			return JSON.stringify(value);
		case 'number':
			return Number.isFinite(value) ? JSON.stringify(value) : 'null';
		case 'boolean':
			return value ? 'true' : 'false';
		case 'object': {
			if (value === null) return 'null';
			if (Array.isArray(value)) {
				let out = '[';
				for (let i = 0; i < value.length; i++) {
					if (i > 0) out += ',';
					out += written(value[i]);
				}
				return out + ']';
			}
			const record = value as Record<string, unknown>;
			const keys = Object.keys(record);
			// Nested maps often arrive sorted already; a check is cheaper than a sort.
			for (let i = 1; i < keys.length; i++) {
				if (keys[i - 1] > keys[i]) {
					keys.sort();
					break;
				}
			}
			let out = '{';
			let first = true;
			for (let i = 0; i < keys.length; i++) {
				const member = record[keys[i]];
				if (member === undefined || typeof member === 'function') continue;
				if (!first) out += ',';
				first = false;
				out += quotedKey(keys[i]) + ':' + written(member);
			}
			return out + '}';
		}
		default:
			// undefined, functions and symbols: JSON.stringify writes null for them inside arrays.
			return 'null';
	}
}

/**
 * A vendor's records use a few dozen keys over and over: each is quoted once. Bounded, as a
 * record may carry any keys (free-form attribute maps).
 */
const quotedKeys = new BoundedMemo<string>(4096, (key) => JSON.stringify(key));

function quotedKey(key: string): string {
	return quotedKeys.get(key);
}

type OneShotHash = (algorithm: string, data: string | Buffer, encoding: 'hex') => string;
// crypto.hash (Node ≥ 21.7) skips the Hash object: about 1.4× faster per id than createHash.
const oneShot = (crypto as unknown as { hash?: OneShotHash }).hash;

export function sha256Hex(text: string | Buffer): string {
	if (oneShot) return oneShot('sha256', text, 'hex');
	return crypto.createHash('sha256').update(text).digest('hex');
}

/** The id of a record whose vendor has no event id: `sha256:` + hash of its canonical JSON. */
export function contentId(raw: unknown): string {
	return 'sha256:' + sha256Hex(canonicalJson(raw));
}
