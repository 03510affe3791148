// Cortex XDR management-log record → normalized audit item (AUDIT_ID names the event itself).
import { asIp, asObject, baseItem, categoryFrom, isoTime, str } from '../../auditItem';
import { contentId } from '../../canonical';
import type { AuditCategory, AuditItem, AuditOutcome, RawRecord } from '../../types';

/** The fields of a management-log record this package reads (upper case, many of them null). */
export type CortexRecord = {
	AUDIT_ID?: number | string;
	AUDIT_OWNER_NAME?: string | null;
	AUDIT_OWNER_EMAIL?: string | null;
	AUDIT_ASSET_JSON?: string | Record<string, unknown> | null;
	AUDIT_ASSET_NAMES?: string | string[] | null;
	AUDIT_HOSTNAME?: string | null;
	AUDIT_RESULT?: string | null;
	AUDIT_REASON?: string | null;
	AUDIT_DESCRIPTION?: string | null;
	AUDIT_ENTITY?: string | null;
	AUDIT_ENTITY_SUBTYPE?: string | null;
	AUDIT_INSERT_TIME?: number | string | null;
	AUDIT_SOURCE_IP?: string | null;
};

/** Entities whose names say nothing the generic rules recognise. */
const ENTITY_CATEGORIES: Record<string, AuditCategory> = {
	AUTH: 'authentication',
	LOGIN: 'authentication',
	SSO: 'authentication',
	PUBLIC_API: 'api',
	API_KEYS: 'api',
	RBAC: 'account',
	USERS: 'account',
	USER_MANAGEMENT: 'account',
	DISTRIBUTIONS: 'configuration',
	AGENT_INSTALLATIONS: 'configuration',
	ENDPOINTS: 'configuration',
	SETTINGS: 'configuration',
	INTEGRATIONS: 'configuration',
	BROKER: 'configuration',
};

export function cortexCategory(entity: string | null, action: string | null): AuditCategory {
	const known = entity ? ENTITY_CATEGORIES[entity.toUpperCase()] : undefined;
	return known ?? categoryFrom(action, entity ? entity.replace(/_/g, ' ') : null);
}

export function cortexOutcome(result: unknown): AuditOutcome {
	const text = typeof result === 'string' ? result.toUpperCase() : '';
	if (text === 'SUCCESS' || text === 'SUCCEEDED') return 'success';
	if (/^FAIL/.test(text)) return 'failure';
	return 'unknown';
}

/**
 * AUDIT_INSERT_TIME as epoch ms (NaN when absent or unreadable): the time the API's `timestamp`
 * filter and sort use, whatever time the item shows.
 */
export function cortexInsertTime(raw: RawRecord): number {
	const value = (raw as CortexRecord).AUDIT_INSERT_TIME;
	if (typeof value === 'number') return Number.isFinite(value) ? value : NaN;
	if (typeof value !== 'string' || value === '') return NaN;
	return /^\d+$/.test(value) ? Number(value) : Date.parse(value);
}

function assetNames(value: CortexRecord['AUDIT_ASSET_NAMES']): string | null {
	if (Array.isArray(value))
		return value.filter((v) => typeof v === 'string' && v !== '').join(', ') || null;
	return str(value);
}

export function normalizeCortex(raw: RawRecord): AuditItem {
	const record = raw as CortexRecord;
	const id = str(record.AUDIT_ID) ?? contentId(raw);
	const item = baseItem('cortexXdr', id, raw);
	const entity = str(record.AUDIT_ENTITY);
	const subtype = str(record.AUDIT_ENTITY_SUBTYPE);
	const action = subtype ? subtype.trim().toLowerCase() : null;
	item.time = isoTime(record.AUDIT_INSERT_TIME);
	item.actor = {
		name: str(record.AUDIT_OWNER_NAME),
		email: str(record.AUDIT_OWNER_EMAIL),
		ip: asIp(record.AUDIT_SOURCE_IP),
	};
	item.action = action;
	item.category = cortexCategory(entity, action);
	item.description =
		str(record.AUDIT_DESCRIPTION) ?? ([entity, subtype].filter(Boolean).join(' ') || null);
	item.outcome = cortexOutcome(record.AUDIT_RESULT);
	const asset = asObject(record.AUDIT_ASSET_JSON);
	const names = assetNames(record.AUDIT_ASSET_NAMES) ?? str(record.AUDIT_HOSTNAME);
	item.target = {
		// The audited entity names what kind of thing the asset is (an endpoint, a profile, …).
		type: names && entity ? entity.toLowerCase() : null,
		id: asset ? str(asset.id) : null,
		name: names,
	};
	return item;
}
