// Assertions of the e2e cases: audit item shape, id uniqueness, marker events, and a failure collector.
import { isDeepStrictEqual } from 'node:util';

/** Collects failed checks of one case; a case passes when it threw nothing and collected nothing. */
export class Checks {
	constructor() {
		this.failures = [];
	}

	ok(condition, message) {
		if (!condition) this.failures.push(message);
		return Boolean(condition);
	}

	equal(actual, expected, message) {
		return this.ok(
			isDeepStrictEqual(actual, expected),
			`${message}: expected ${show(expected)}, got ${show(actual)}`,
		);
	}

	/** An n8n execution finished with `success`; if not, the failure names its node and n8n's message. */
	succeeded(execution, message) {
		if (execution?.status === 'success') return true;
		const error = execution?.data?.resultData?.error;
		const node = error?.node?.name ?? execution?.data?.resultData?.lastNodeExecuted ?? '?';
		const why = error ? `${error.message ?? error.name ?? 'error'}${error.description ? ` (${error.description})` : ''}` : 'no error recorded';
		return this.ok(false, `${message}: expected "success", got ${show(execution?.status)} at node "${node}": ${why}`);
	}

	/** Problems from a helper that returns a list of them. */
	none(problems, message) {
		const list = problems.slice(0, 5);
		if (problems.length > 5) list.push(`… and ${problems.length - 5} more`);
		return this.ok(problems.length === 0, `${message}: ${list.join('; ')}`);
	}
}

function show(value) {
	const text = JSON.stringify(value);
	return text && text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

export const AUDIT_ITEM_KEYS = [
	'id',
	'source',
	'time',
	'actor',
	'action',
	'category',
	'description',
	'outcome',
	'flagged',
	'target',
	'changes',
	'organization',
	'requestUrl',
];
const CATEGORIES = ['authentication', 'account', 'configuration', 'policy', 'api', 'other'];
const OUTCOMES = ['success', 'failure', 'unknown'];

/** What is wrong with one normalized audit item (docs/audit-item.md), as a list of sentences. */
export function auditItemProblems(json, { source, withRaw = true }) {
	const problems = [];
	const where = `item ${json?.id ?? '?'}`;
	for (const key of AUDIT_ITEM_KEYS) if (!(key in json)) problems.push(`${where} lacks ${key}`);
	if (withRaw && (typeof json.raw !== 'object' || json.raw === null))
		problems.push(`${where} lacks raw`);
	if (!withRaw && 'raw' in json)
		problems.push(`${where} has raw although Include Raw Event is off`);
	if (json.source !== source) problems.push(`${where} has source ${json.source}, not ${source}`);
	if (typeof json.id !== 'string' || json.id === '') problems.push(`${where} has no string id`);
	if (json.time !== null && !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(json.time)) {
		problems.push(`${where} time ${json.time} is not ISO 8601 UTC with milliseconds`);
	}
	for (const key of ['name', 'email', 'ip'])
		if (!(key in (json.actor ?? {}))) problems.push(`${where} lacks actor.${key}`);
	for (const key of ['type', 'id', 'name'])
		if (!(key in (json.target ?? {}))) problems.push(`${where} lacks target.${key}`);
	if (!CATEGORIES.includes(json.category)) problems.push(`${where} has category ${json.category}`);
	if (!OUTCOMES.includes(json.outcome)) problems.push(`${where} has outcome ${json.outcome}`);
	if (typeof json.flagged !== 'boolean') problems.push(`${where} has a non-boolean flagged`);
	return problems;
}

/**
 * Ids must be unique, except where the id is a content hash and the vendor really sent the same
 * record twice (the simulator seeds such pairs): then the raw records must be identical.
 */
export function idProblems(items, { vendorIds }) {
	const byId = new Map();
	for (const json of items) byId.set(json.id, [...(byId.get(json.id) ?? []), json]);
	const problems = [];
	for (const [id, group] of byId) {
		if (group.length === 1) continue;
		if (vendorIds) problems.push(`id ${id} appears ${group.length} times`);
		else if (!group.every((j) => isDeepStrictEqual(j.raw, group[0].raw))) {
			problems.push(`id ${id} is shared by ${group.length} different records`);
		}
	}
	return problems;
}

/** Times in the order asked; null times (unparseable vendor times) are not compared. */
export function orderProblems(items, order) {
	const times = items.map((j) => j.time).filter((t) => t !== null);
	const problems = [];
	for (let i = 1; i < times.length; i++) {
		const wrong = order === 'asc' ? times[i] < times[i - 1] : times[i] > times[i - 1];
		if (wrong) problems.push(`${times[i - 1]} then ${times[i]} at ${i} is not ${order}`);
	}
	return problems;
}

/**
 * A unique text put into an appended event, found again in the normalized item: proves which
 * output items are the events the test added (a field each vendor lets the simulator override).
 */
const MARKER_FIELDS = {
	cbc: { set: 'description', get: (j) => j.description },
	cortex: { set: 'AUDIT_DESCRIPTION', get: (j) => j.description },
	cisco: { set: 'audit_log_user', get: (j) => j.actor?.name },
	pangea: { set: 'message', get: (j) => j.description },
};

export function markerOverride(source, tag, extra = {}) {
	return { ...extra, [MARKER_FIELDS[source.vendor].set]: tag };
}

export function markerOf(source, json) {
	return MARKER_FIELDS[source.vendor].get(json) ?? null;
}

/**
 * The items that are this case's to count: its own (marker starting with `prefix`) and untagged
 * ones. Activated cases run at once, so events another case added to the same vendor are left out.
 */
export function ownItems(source, items, prefix) {
	return items.filter((j) => {
		const marker = markerOf(source, j);
		return !(typeof marker === 'string' && marker.startsWith('e2e-') && !marker.startsWith(prefix));
	});
}

/** Markers found in items, in item order, among those that start with `prefix`. */
export function markersIn(source, items, prefix) {
	return items
		.map((j) => markerOf(source, j))
		.filter((m) => typeof m === 'string' && m.startsWith(prefix));
}
