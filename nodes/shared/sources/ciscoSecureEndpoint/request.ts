// Cisco Secure Endpoint request shapes: region hosts, the pinned second-precision time range, filters, next offsets.
import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';
import { parameterError } from '../../errors';
import type { AuditQuery, NodeFunctions } from '../../types';
import { CISCO_FILTERS, type CiscoFilter } from './fields';

export const AUDIT_LOGS_PATH = '/v1/audit_logs';
/** The page the API serves by default; asked explicitly (its maximum is not documented). */
export const CISCO_PAGE_SIZE = 500;

export const REGION_HOSTS: Record<string, string> = {
	nam: 'https://api.amp.cisco.com',
	eu: 'https://api.eu.amp.cisco.com',
	apjc: 'https://api.apjc.amp.cisco.com',
};

const SECOND = 1000;
/**
 * One object id as Cisco writes them: GUIDs, but also shorter hex ids such as the vendor's own
 * example "16db5cf986eec6f44422". One token: no spaces, lists, quotes or pasted ellipses.
 */
const OBJECT_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const WORD = /^[A-Za-z][A-Za-z0-9_-]*$/;

export function ciscoBaseUrl(credentials: ICredentialDataDecryptedObject): string {
	const region = String(credentials.region ?? 'nam');
	if (region !== 'custom') return REGION_HOSTS[region] ?? REGION_HOSTS.nam;
	const text = String(credentials.baseUrl ?? '').trim();
	if (text === '') return '';
	const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`;
	// A pasted endpoint URL keeps only its host (and any proxy prefix).
	return withScheme.replace(/\/+$/, '').replace(/\/v1(\/audit_logs)?$/i, '');
}

/** `2024-05-01T09:00:05+00:00`: the documented form, whole seconds, explicit offset. */
export function ciscoTime(ms: number): string {
	return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

export const floorSecond = (ms: number): number => Math.floor(ms / SECOND) * SECOND;
export const ceilSecond = (ms: number): number => Math.ceil(ms / SECOND) * SECOND;

/**
 * The time bounds of one run, fixed before its first page. Cisco keeps whole seconds, so the start
 * is rounded down and the end up (nothing lost at the edges; records outside the asked range are
 * dropped after reading). The end never reaches the second still being written when the run
 * starts: newest-first offsets shift under any record added inside the range between two pages,
 * and the current second is the one place new records land. Its records come on the next run.
 */
export function pinnedRange(query: AuditQuery, now: number): { start?: number; end: number } {
	const end = Math.min(ceilSecond(query.end), floorSecond(now) - SECOND);
	return {
		start: query.start !== undefined && query.start > 0 ? floorSecond(query.start) : undefined,
		end,
	};
}

/** The filters shared by every page of a run (the time bounds are set per request). */
export function ciscoParams(query: AuditQuery): IDataObject {
	const qs: IDataObject = {};
	for (const name of Object.keys(CISCO_FILTERS) as CiscoFilter[]) {
		const value = query.vendor[name];
		if (typeof value === 'string' && value.trim() !== '')
			qs[CISCO_FILTERS[name].param] = value.trim();
	}
	const actor = query.common.actor?.trim();
	if (actor) qs.audit_log_user = actor;
	return qs;
}

/** The offset a `links.next` URL asks for, or undefined when it names none. */
export function nextOffset(next: unknown): number | undefined {
	if (typeof next !== 'string' || next === '') return undefined;
	try {
		const offset = Number(new URL(next, 'https://placeholder.invalid').searchParams.get('offset'));
		return Number.isInteger(offset) && offset > 0 ? offset : undefined;
	} catch {
		return undefined;
	}
}

/** Checks the Cisco-only filters before any request; throws naming the field. */
export function validateCisco(query: AuditQuery, fn: NodeFunctions, itemIndex: number): void {
	for (const name of Object.keys(CISCO_FILTERS) as CiscoFilter[]) {
		const value = query.vendor[name];
		if (value === undefined) continue;
		const { label } = CISCO_FILTERS[name];
		if (typeof value !== 'string' || value.trim() === '') {
			throw parameterError(
				fn,
				label,
				`${JSON.stringify(value)} is not a text value`,
				'Write one value, or remove the filter.',
				itemIndex,
			);
		}
		const text = value.trim();
		if (name === 'auditLogId' && !OBJECT_ID.test(text)) {
			throw parameterError(
				fn,
				label,
				`"${text}" is not one object id`,
				"Paste one audited object's id as Cisco writes it (an item's target.id), e.g. 16db5cf986eec6f44422 or 0b6c1a2e-4f5d-4c3b-9a8e-7d6c5b4a3f21.",
				itemIndex,
			);
		}
		if ((name === 'auditLogType' || name === 'event') && !WORD.test(text)) {
			const example = name === 'event' ? 'update' : 'Computer';
			throw parameterError(
				fn,
				label,
				`"${text}" is not one ${name === 'event' ? 'event' : 'type'}`,
				`Cisco filters on one value at a time, written as one word, e.g. ${example}.`,
				itemIndex,
			);
		}
	}
	const actor = query.common.actor?.trim();
	const user =
		typeof query.vendor.auditLogUser === 'string' ? query.vendor.auditLogUser.trim() : undefined;
	if (actor && user && actor !== user) {
		throw parameterError(
			fn,
			'Filters > Actor',
			`"${actor}" differs from Filters > Audit Log User "${user}", so no event could match both`,
			'Cisco filters on one user: keep only one of the two filters.',
			itemIndex,
		);
	}
}
