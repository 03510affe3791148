// The Carbon Black Cloud-only filters, read once into the criteria/exclusions CBC's _search takes, and
// the same filters checked on a record read from the _queue (which takes none): one definition, so a
// filter means the same in Search, Export, Fetch Queue and the trigger's queue mode.
import type { IDataObject } from 'n8n-workflow';
import { parameterError } from '../../errors';
import { isoMillis, parseInstant } from '../../timeRange';
import type { AuditItem, AuditQuery, NodeFunctions } from '../../types';
import type { CbcRecord } from './normalize';

const FLAG_FIELDS = ['flagged', 'verbose'] as const;

type ListField = 'actor' | 'actor_ip' | 'description' | 'request_url';
type FlagField = (typeof FLAG_FIELDS)[number];

/** One side of the body (criteria or exclusions), without the event-time window of the run. */
export type CbcClauses = Partial<Record<ListField, string[]>> &
	Partial<Record<FlagField, boolean>> & { create_time?: { start: string; end: string } };

/** Comma-separated text → its non-empty trimmed parts, or undefined when there are none. */
export function csvList(value: unknown): string[] | undefined {
	if (typeof value !== 'string') return undefined;
	const parts = value.split(',').map((p) => p.trim()).filter((p) => p !== '');
	return parts.length > 0 ? parts : undefined;
}

/** Vendor filter name → the list field it fills, and on which side. */
const LISTS: Array<[string, ListField, 'criteria' | 'exclusions']> = [
	['description', 'description', 'criteria'],
	['requestUrls', 'request_url', 'criteria'],
	['excludeActors', 'actor', 'exclusions'],
	['excludeActorIps', 'actor_ip', 'exclusions'],
	['excludeDescriptions', 'description', 'exclusions'],
	['excludeRequestUrls', 'request_url', 'exclusions'],
];

/** The excluded time window, or undefined when none is set (validate() has checked the values). */
function excludedWindow(vendor: IDataObject): { start: number; end: number } | undefined {
	if (!vendor.excludeStart && !vendor.excludeEnd) return undefined;
	return { start: parseInstant(vendor.excludeStart), end: parseInstant(vendor.excludeEnd) };
}

/** The vendor-only filters as CBC's criteria and exclusions. */
export function cbcClauses(vendor: IDataObject): { criteria: CbcClauses; exclusions: CbcClauses } {
	const criteria: CbcClauses = {};
	const exclusions: CbcClauses = {};
	for (const [name, field, side] of LISTS) {
		const values = csvList(vendor[name]);
		if (values) (side === 'criteria' ? criteria : exclusions)[field] = values;
	}
	if (vendor.verboseOnly === true) criteria.verbose = true;
	if (vendor.excludeVerbose === true) exclusions.verbose = true;
	if (vendor.excludeFlagged === true) exclusions.flagged = true;
	const window = excludedWindow(vendor);
	if (window) exclusions.create_time = { start: isoMillis(window.start), end: isoMillis(window.end) };
	return { criteria, exclusions };
}

/** Whether a record satisfies one clause (a field's list, a flag, the time window). */
function holds(record: CbcRecord, key: string, wanted: unknown): boolean {
	if (key === 'create_time') {
		const window = wanted as { start: string; end: string };
		const t = Date.parse(String(record.create_time ?? ''));
		return t >= Date.parse(window.start) && t <= Date.parse(window.end);
	}
	if ((FLAG_FIELDS as readonly string[]).includes(key)) return (record[key as FlagField] === true) === wanted;
	const value = record[key as ListField];
	if (value === null || value === undefined) return false;
	// Keyword fields compared whole and without case, as CBC's search does.
	const text = String(value).toLowerCase();
	return (wanted as string[]).some((w) => w.toLowerCase() === text);
}

/** Criteria all hold and no exclusion does: CBC's search semantics, on one record. */
export function recordMatches(record: CbcRecord, clauses: { criteria: CbcClauses; exclusions: CbcClauses }): boolean {
	for (const [key, wanted] of Object.entries(clauses.criteria)) if (!holds(record, key, wanted)) return false;
	for (const [key, wanted] of Object.entries(clauses.exclusions)) if (holds(record, key, wanted)) return false;
	return true;
}

/**
 * NativeQueue.matches: the vendor-only filters on an item read from the queue. It reads the vendor's
 * record (normalizers always attach it; `verbose` exists nowhere else) and falls back to the item.
 */
export function cbcQueueMatches(query: AuditQuery, item: AuditItem): boolean {
	const record: CbcRecord = (item.raw as CbcRecord | undefined) ?? {
		actor: item.actor.name ?? undefined,
		actor_ip: item.actor.ip ?? undefined,
		description: item.description ?? undefined,
		request_url: item.requestUrl,
		flagged: item.flagged,
		create_time: item.time ?? undefined,
	};
	return recordMatches(record, cbcClauses(query.vendor));
}

/** Checks the vendor-only filters before any request; a bad one names its field and the fix. */
export function validateCbcFilters(query: AuditQuery, fn: NodeFunctions, itemIndex: number): void {
	const { vendor, common } = query;
	if (vendor.excludeStart || vendor.excludeEnd) {
		for (const [name, label] of [
			['excludeStart', 'Exclude From'],
			['excludeEnd', 'Exclude Until'],
		] as const) {
			if (!vendor[name]) {
				throw parameterError(fn, `Filters > ${label}`, 'is empty', 'Carbon Black Cloud excludes a time window only with both Exclude From and Exclude Until; set both or neither.', itemIndex);
			}
			if (Number.isNaN(parseInstant(vendor[name]))) {
				throw parameterError(fn, `Filters > ${label}`, `"${String(vendor[name])}" is not a date-time`, 'Use an ISO 8601 date-time such as 2024-05-01T00:00:00Z.', itemIndex);
			}
		}
		if (parseInstant(vendor.excludeStart) >= parseInstant(vendor.excludeEnd)) {
			throw parameterError(fn, 'Filters > Exclude From', 'is not before Exclude Until', 'Set Exclude From earlier than Exclude Until.', itemIndex);
		}
	}
	if (common.flaggedOnly && vendor.excludeFlagged === true) {
		throw parameterError(fn, 'Filters > Only Unflagged', 'contradicts Flagged Only: no event can match both', 'Turn off one of Flagged Only and Only Unflagged.', itemIndex);
	}
	if (vendor.verboseOnly === true && vendor.excludeVerbose === true) {
		throw parameterError(fn, 'Filters > Drop Verbose Events', 'contradicts Verbose Only: no event can match both', 'Turn off one of Verbose Only and Drop Verbose Events.', itemIndex);
	}
}
