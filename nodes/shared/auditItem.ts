// Building normalized audit items (docs/audit-item.md) and shaping them into the node's output.
import type { IDataObject } from 'n8n-workflow';
import { toOcsf } from './ocsf';
import { fastUtcMillis, utcMillis } from './utcMillis';
import type { AuditCategory, AuditItem, CommonFilters, RawRecord, SourceId, TimedItem } from './types';

export type OutputFormat = 'normalized' | 'ocsf' | 'raw';
export type OutputOptions = { includeRaw: boolean; outputFormat: OutputFormat };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`^${OCTET}(\\.${OCTET}){3}$`);
const IPV6 = /^[0-9a-f:]+$/i;

/** Fills every key of an audit item; callers set what their vendor knows. */
export function baseItem(source: SourceId, id: string, raw: RawRecord): AuditItem {
	return {
		id,
		source,
		time: null,
		actor: { name: null, email: null, ip: null },
		action: null,
		category: 'other',
		description: null,
		outcome: 'unknown',
		flagged: false,
		target: { type: null, id: null, name: null },
		changes: null,
		organization: null,
		requestUrl: null,
		raw,
	};
}

export function str(value: unknown): string | null {
	if (value === null || value === undefined) return null;
	if (typeof value === 'string') return value === '' ? null : value;
	if (typeof value === 'number' || typeof value === 'boolean') return String(value);
	return null;
}

export function asEmail(value: unknown): string | null {
	return typeof value === 'string' && EMAIL.test(value) ? value : null;
}

export function asIp(value: unknown): string | null {
	if (typeof value !== 'string') return null;
	if (IPV4.test(value)) return value;
	return value.includes(':') && IPV6.test(value) ? value : null;
}

/**
 * The last time text isoTime wrote and its epoch ms: `timed` reads the same text right after, for
 * the same event, and takes the number instead of parsing the text a second time. Still worth it
 * with `utcMillis`: `timed` parsing every time instead made normalization 4–25 % slower per source
 * (two builds alternating in one process, twice).
 */
const lastTime = { iso: '', ms: NaN };

function remembered(iso: string, ms: number): string {
	lastTime.iso = iso;
	lastTime.ms = ms;
	return iso;
}

/** Vendor time (ISO text or epoch ms) → ISO 8601 UTC with milliseconds, or null. */
export function isoTime(value: unknown): string | null {
	if (typeof value === 'string') {
		const fast = fastUtcMillis(value);
		if (!Number.isNaN(fast)) {
			// Already the item's format with milliseconds, or made so from the digits as they are.
			if (value.length === 24) return remembered(value, fast);
			const fraction = `${value.slice(20, value.length - 1)}000`.slice(0, 3);
			return remembered(`${value.slice(0, 19)}.${fraction}Z`, fast);
		}
	}
	let ms: number;
	if (typeof value === 'number') ms = value;
	else if (typeof value === 'string' && value !== '') ms = /^\d{10,}$/.test(value) ? Number(value) : Date.parse(value);
	else return null;
	if (!Number.isFinite(ms)) return null;
	const date = new Date(ms);
	const time = date.getTime();
	return Number.isNaN(time) ? null : remembered(date.toISOString(), time);
}

/** A plain object (not an array), or null: for vendor `old`/`new` attribute maps. */
export function asObject(value: unknown): IDataObject | null {
	if (value && typeof value === 'object' && !Array.isArray(value)) return value as IDataObject;
	if (typeof value === 'string' && value.startsWith('{')) {
		try {
			const parsed: unknown = JSON.parse(value);
			return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as IDataObject) : null;
		} catch {
			return null;
		}
	}
	return null;
}

const ACTION_WORDS: Array<[RegExp, string]> = [
	[/\blog(ged)?\s?in\b|\bsign(ed)?\s?in\b|\blogin\b/i, 'login'],
	[/\blog(ged)?\s?out\b|\bsign(ed)?\s?out\b|\blogout\b/i, 'logout'],
	[/\b(created?|add(ed)?|new)\b/i, 'create'],
	[/\b(deleted?|removed?)\b/i, 'delete'],
	[/\b(updated?|changed?|modified|edit(ed)?|set)\b/i, 'update'],
	[/\bexport(ed)?\b/i, 'export'],
	[/\b(view(ed)?|read|list(ed)?|retrieved?)\b/i, 'read'],
];

/** A lower-case verb from free text (descriptions), or null when none is recognised. */
export function actionFromText(text: string | null): string | null {
	if (!text) return null;
	for (const [pattern, action] of ACTION_WORDS) if (pattern.test(text)) return action;
	return null;
}

/** The audit category from an action and free text (entity, type or description). */
export function categoryFrom(action: string | null, text: string | null): AuditCategory {
	if (action === 'login' || action === 'logout') return 'authentication';
	const t = (text ?? '').toLowerCase();
	if (/log\s?in|log\s?out|authenticat|password|mfa|2fa|sso|session/.test(t)) return 'authentication';
	if (/api[ _-]?key|api client|\bapi\b|token|connector/.test(t)) return 'api';
	if (/user|account|role|group member|permission/.test(t)) return 'account';
	if (/polic|rule|exclusion|allow ?list|block ?list|prevent/.test(t)) return 'policy';
	if (/setting|config|group|computer|device|endpoint|agent|integration|profile|script|asset/.test(t))
		return 'configuration';
	return 'other';
}

/** Epoch ms of an item's time, NaN when the vendor time did not parse. */
export function timed(item: AuditItem): TimedItem {
	if (item.time === null) return { item, timeMs: NaN };
	return { item, timeMs: item.time === lastTime.iso ? lastTime.ms : utcMillis(item.time) };
}

function commaList(value: unknown): string[] {
	return String(value).split(',').map((v) => v.trim()).filter((v) => v !== '');
}

/** Applies the common filters the vendor could not apply itself, on normalized items. */
export function matchesCommonFilters(
	item: AuditItem,
	filters: CommonFilters,
	clientSide: ReadonlyArray<keyof CommonFilters>,
): boolean {
	for (const key of clientSide) {
		const wanted = filters[key];
		if (wanted === undefined || wanted === '' || wanted === false) continue;
		switch (key) {
			case 'flaggedOnly':
				if (!item.flagged) return false;
				break;
			// Actor and Actor IP may list several values, comma-separated (as CBC's API takes them).
			case 'actor': {
				const needles = commaList(wanted).map((v) => v.toLowerCase());
				if (![item.actor.name, item.actor.email].some((v) => v !== null && needles.includes(v.toLowerCase()))) return false;
				break;
			}
			case 'actorIp':
				if (item.actor.ip === null || !commaList(wanted).includes(item.actor.ip)) return false;
				break;
			case 'query': {
				const needle = String(wanted).toLowerCase();
				const haystack = JSON.stringify(item.raw ?? item).toLowerCase();
				if (!haystack.includes(needle)) return false;
				break;
			}
		}
	}
	return true;
}

/** The item as the node emits it: normalized (with or without raw), OCSF, or the raw record. */
export function shapeOutput(item: AuditItem, options: OutputOptions, vendorName: string): IDataObject {
	if (options.outputFormat === 'raw') {
		const raw = { ...(item.raw ?? {}) };
		if (item.verification) raw.verification = item.verification;
		return raw;
	}
	if (options.outputFormat === 'ocsf') {
		const withoutRaw = options.includeRaw ? item : { ...item, raw: undefined };
		return toOcsf(withoutRaw, vendorName, vendorName);
	}
	if (options.includeRaw) return item as IDataObject;
	const { raw: _raw, ...rest } = item;
	void _raw;
	return rest as IDataObject;
}
