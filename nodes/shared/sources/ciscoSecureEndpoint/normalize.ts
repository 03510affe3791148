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
	item.time = isoTime(record.created_at);
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
