// Cisco Secure Endpoint audit record → normalized audit item (ids by content: audit_log_id names the object).
import type { IDataObject } from 'n8n-workflow';
import { asEmail, asObject, baseItem, categoryFrom, isoTime, str } from '../../auditItem';
import { contentId } from '../../canonical';
import { BoundedMemo } from '../../memo';
import type { AuditCategory, AuditItem, RawRecord } from '../../types';

/** The fields of a Cisco audit record; the attribute maps are present for changes only. */
export type CiscoRecord = {
	event?: string;
	audit_log_type?: string;
	audit_log_id?: string;
	audit_log_user?: string;
	created_at?: string;
	old_attributes?: IDataObject | null;
	new_attributes?: IDataObject | null;
};

/** Attribute keys that name the audited object, most telling first. */
const NAME_KEYS = ['name', 'hostname', 'title', 'email'];

function objectName(...maps: Array<IDataObject | null>): string | null {
	for (const key of NAME_KEYS) {
		for (const map of maps) {
			const value = str(map?.[key]);
			if (value) return value;
		}
	}
	return null;
}

/**
 * `2024-05-01T09:00:05Z`, as Cisco writes created_at, with a valid clock time: already the item's
 * time but for the milliseconds. Other forms go through `isoTime`.
 */
const CISCO_SECOND = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\dZ$/;

/** Days in a month of the proleptic Gregorian calendar (what Date uses), month 1–12. */
function daysInMonth(year: number, month: number): number {
	if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
	return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * created_at → the item's time; the same as `isoTime`, without a Date round trip for Cisco's form.
 * A day the month does not have (V8 rolls 02-30 over to March) is left to `isoTime`.
 */
export function ciscoItemTime(value: unknown): string | null {
	if (typeof value === 'string' && CISCO_SECOND.test(value)) {
		const day = (value.charCodeAt(8) - 48) * 10 + (value.charCodeAt(9) - 48);
		if (day <= 28 || day <= daysInMonth(Number(value.slice(0, 4)), Number(value.slice(5, 7))))
			return `${value.slice(0, 19)}.000Z`;
	}
	return isoTime(value);
}

/** Blocking, allowed, detection and exclusion lists are policy, however Cisco words the type. */
const POLICY_LIST = /(block|allow|detection|exclusion)\w*\s?list|exclusion/;

/** Login and logout events first, then the type read as words ("ApplicationBlockingList"). */
export function ciscoCategory(action: string | null, type: string | null): AuditCategory {
	const words = type ? type.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase() : null;
	if (action !== 'login' && action !== 'logout' && words && POLICY_LIST.test(words))
		return 'policy';
	return categoryFrom(action, words);
}

/**
 * A tenant has a few dozen (event, type) pairs, and the category rules are a dozen regular
 * expressions: each pair is worked out once. Bounded, as records can carry any text.
 */
const categories = new BoundedMemo<AuditCategory>(1024);

function cachedCategory(action: string | null, type: string | null): AuditCategory {
	return categories.get(`${action ?? ''}\u0000${type ?? ''}`, () => ciscoCategory(action, type));
}

export function normalizeCisco(raw: RawRecord): AuditItem {
	const record = raw as CiscoRecord;
	const item = baseItem('ciscoSecureEndpoint', contentId(raw), raw);
	const event = str(record.event);
	const type = str(record.audit_log_type);
	const user = str(record.audit_log_user);
	const before = asObject(record.old_attributes);
	const after = asObject(record.new_attributes);
	const name = objectName(after, before);
	const action = event ? event.toLowerCase() : null;
	item.time = ciscoItemTime(record.created_at);
	item.actor = { name: user, email: asEmail(user), ip: null };
	item.action = action;
	item.category = cachedCategory(action, type);
	const summary = [event, type].filter(Boolean).join(' ');
	item.description = summary === '' ? null : name ? `${summary} "${name}"` : summary;
	item.target = { type, id: str(record.audit_log_id), name };
	if (record.old_attributes !== undefined || record.new_attributes !== undefined) {
		item.changes = { before, after };
	}
	return item;
}
