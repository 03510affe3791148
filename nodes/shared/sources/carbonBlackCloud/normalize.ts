// Carbon Black Cloud audit record → normalized audit item (ids by content: the v1 API has none).
import { actionFromText, asEmail, asIp, baseItem, categoryFrom, isoTime, str } from '../../auditItem';
import { contentId } from '../../canonical';
import { BoundedMemo } from '../../memo';
import type { AuditCategory, AuditItem, AuditOutcome, RawRecord } from '../../types';

/** The fields of a CBC audit record (all optional: the Data Forwarder omits false and empty ones). */
export type CbcRecord = {
	org_key?: string;
	actor?: string;
	actor_ip?: string;
	request_url?: string | null;
	description?: string;
	flagged?: boolean;
	verbose?: boolean;
	create_time?: string;
};

const FAILURE = /\b(fail(ed|ure)?|denied|invalid|unsuccessful|locked|rejected|unauthori[sz]ed)\b/i;
const SUCCESS = /\b(success(ful(ly)?)?|succeeded)\b/i;

export function cbcOutcome(description: string | null): AuditOutcome {
	if (!description) return 'unknown';
	if (FAILURE.test(description)) return 'failure';
	return SUCCESS.test(description) ? 'success' : 'unknown';
}

type FromDescription = { action: string | null; category: AuditCategory; outcome: AuditOutcome };

/**
 * Audit descriptions repeat ("Logged in successfully"): what the regexes read from one is kept,
 * a pure memo bounded in size, so a page of 10 000 events runs the patterns a few dozen times.
 */
const fromDescriptionMemo = new BoundedMemo<FromDescription>(5000);

function fromDescription(description: string | null): FromDescription {
	return fromDescriptionMemo.get(description ?? '', () => {
		const action = actionFromText(description);
		return { action, category: categoryFrom(action, description), outcome: cbcOutcome(description) };
	});
}

export function normalizeCbc(raw: RawRecord): AuditItem {
	const record = raw as CbcRecord;
	const item = baseItem('carbonBlackCloud', contentId(raw), raw);
	const description = str(record.description);
	const derived = fromDescription(description);
	item.time = isoTime(record.create_time);
	item.actor = { name: str(record.actor), email: asEmail(record.actor), ip: asIp(record.actor_ip) ?? str(record.actor_ip) };
	item.action = derived.action;
	item.category = derived.category;
	item.description = description;
	item.outcome = derived.outcome;
	item.flagged = record.flagged === true;
	item.organization = str(record.org_key);
	item.requestUrl = str(record.request_url);
	return item;
}
