// Pangea search record ({envelope, hash, …}) → normalized audit item; the hash is the event's id.
import type { IDataObject } from 'n8n-workflow';
import { asEmail, asIp, asObject, baseItem, categoryFrom, isoTime, str } from '../../auditItem';
import { contentId } from '../../canonical';
import type { AuditItem, AuditOutcome, RawRecord } from '../../types';

/** The standard schema's fields; projects with a custom schema keep theirs in `raw`. */
type PangeaEvent = {
	message?: unknown;
	actor?: unknown;
	action?: unknown;
	new?: unknown;
	old?: unknown;
	source?: unknown;
	status?: unknown;
	target?: unknown;
	tenant_id?: unknown;
	timestamp?: unknown;
};

const SUCCESS = /^(success(ful)?|succeeded|ok|allow(ed)?|pass(ed)?|complete(d)?|done)$/i;
const FAILURE = /^(fail(ed|ure)?|error|denied|deny|blocked|rejected|unauthori[sz]ed|forbidden|invalid)$/i;

export function pangeaOutcome(status: unknown): AuditOutcome {
	const text = str(status)?.trim();
	if (!text) return 'unknown';
	if (SUCCESS.test(text)) return 'success';
	return FAILURE.test(text) ? 'failure' : 'unknown';
}

/** `old`/`new` are strings on the wire: a JSON object is read as one, anything else kept as `value`. */
function changeSide(value: unknown): IDataObject | null {
	if (value === undefined || value === null || value === '') return null;
	const parsed = asObject(value);
	if (parsed) return parsed;
	if (typeof value === 'string') {
		try {
			return { value: JSON.parse(value) as IDataObject[keyof IDataObject] };
		} catch {
			// Not JSON: plain text such as "viewer" is the value itself.
			return { value };
		}
	}
	return { value: value as IDataObject[keyof IDataObject] };
}

export function normalizePangea(raw: RawRecord): AuditItem {
	const envelope = (raw.envelope ?? {}) as IDataObject;
	const event = (envelope.event ?? {}) as PangeaEvent;
	// The hash names the event itself; a record without one (never seen) still gets a stable id.
	const hash = str(raw.hash);
	const item = baseItem('pangea', hash ?? contentId(raw), raw);
	const action = str(event.action)?.toLowerCase() ?? null;
	item.time = isoTime(envelope.received_at);
	item.actor = { name: str(event.actor), email: asEmail(event.actor), ip: asIp(event.source) };
	item.action = action;
	item.category = categoryFrom(action, action?.replace(/[_.-]+/g, ' ') ?? null);
	item.description = str(event.message);
	item.outcome = pangeaOutcome(event.status);
	item.target = { type: null, id: null, name: str(event.target) };
	const before = changeSide(event.old);
	const after = changeSide(event.new);
	item.changes = before || after ? { before, after } : null;
	item.organization = str(event.tenant_id);
	return item;
}
