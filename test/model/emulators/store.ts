// What every in-memory vendor emulation shares: the record store, the request/response shapes, views.
import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';

import { canonicalJson } from '../../../nodes/shared/canonical';
import type { RawRecord, SourceId } from '../../../nodes/shared/types';
import type { History, ModelEvent, VendorTraits } from '../history';

/** A request as the vendor's server sees it: path, query parameters (query string + qs), JSON body. */
export type ServerRequest = {
	method: string;
	path: string;
	query: Record<string, string>;
	body: unknown;
	/** The origin the request was sent to, for absolute links the vendor hands back. */
	origin: string;
};

export type ServerResponse = { status: number; headers?: Record<string, string>; body: unknown };

/** What the server can see at the moment a request arrives. */
export type View = {
	now: number;
	visible: (event: ModelEvent) => boolean;
};

export interface VendorServer {
	handle(req: ServerRequest, view: View): ServerResponse;
	/** Queries started so far (a first page, not a next page): two in one poll = a split window. */
	readonly queries: number;
	/** The identity of a record this server returned: equal identities are indistinguishable events. */
	identityOf(raw: unknown): string | undefined;
	identityOfEvent(event: ModelEvent): string;
}

/** One vendor in the model: its traits, credential and emulated API. Adding a source is one of these. */
export type ModelVendor = {
	id: SourceId;
	traits: VendorTraits;
	baseUrl: string;
	credentialType: string;
	credentials: ICredentialDataDecryptedObject;
	createServer(history: History): VendorServer;
};

export type StoredRecord = { event: ModelEvent; raw: RawRecord; identity: string; key: number };

/** A built record and its identity: the content class, or the event when the vendor gave it an id. */
export type Built = { raw: RawRecord; identity: string };

/**
 * All records of a history, sorted the way the vendor sorts by time (ties in the vendor's own
 * stable order). Records are built once, so a returned record maps back to its event by identity.
 */
export class RecordStore {
	readonly records: StoredRecord[];
	private readonly byRaw = new WeakMap<object, StoredRecord>();
	private readonly byEvent: StoredRecord[];
	private byJson?: Map<string, string>;

	constructor(
		events: ModelEvent[],
		build: (event: ModelEvent) => Built,
		/** The sort key the vendor filters on (ms, or fractional ms for microsecond vendors). */
		keyOf: (event: ModelEvent) => number = (event) => event.time,
	) {
		this.records = events.map((event) => ({ event, ...build(event), key: keyOf(event) }));
		this.byEvent = [...this.records];
		this.records.sort((a, b) => a.key - b.key || a.event.tie - b.event.tie);
		for (const record of this.records) this.byRaw.set(record.raw, record);
	}

	/** Ascending: the visible records whose key lies in [from, to]. */
	select(from: number, to: number, view: View): StoredRecord[] {
		const out: StoredRecord[] = [];
		for (let i = this.lowerBound(from); i < this.records.length; i++) {
			const record = this.records[i];
			if (record.key > to) break;
			if (view.visible(record.event)) out.push(record);
		}
		return out;
	}

	/** By object when the record never left memory, else by its canonical JSON (it crossed HTTP). */
	identityOf(raw: unknown): string | undefined {
		if (!raw || typeof raw !== 'object') return undefined;
		const known = this.byRaw.get(raw);
		if (known) return known.identity;
		this.byJson ??= new Map(this.records.map((r) => [canonicalJson(r.raw), r.identity]));
		return this.byJson.get(canonicalJson(raw));
	}

	identityOfEvent(event: ModelEvent): string {
		return this.byEvent[event.index].identity;
	}

	private lowerBound(key: number): number {
		let lo = 0;
		let hi = this.records.length;
		while (lo < hi) {
			const mid = (lo + hi) >>> 1;
			if (this.records[mid].key < key) lo = mid + 1;
			else hi = mid;
		}
		return lo;
	}
}

export const json = (
	status: number,
	body: unknown,
	headers?: Record<string, string>,
): ServerResponse => ({
	status,
	body,
	headers,
});

export const isObject = (value: unknown): value is IDataObject =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

/** A strict ISO 8601 / RFC 3339 time with a zone, in ms (fractions past ms kept), or NaN. */
export function parseIsoMs(value: unknown): number {
	if (typeof value !== 'string') return NaN;
	const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(value);
	if (!match) return NaN;
	const whole = Date.parse(match[1] + match[3]);
	const fraction = match[2] ? Number(`0.${match[2]}`) * 1000 : 0;
	return whole + fraction;
}

/** Small deterministic vocabularies, indexed by content class so identical classes stay identical. */
export const USERS = [
	'alice@example.com',
	'bob@example.com',
	'carol@example.com',
	'zoë.müller@example.com',
];
export const ACTIONS = ['login', 'logout', 'create', 'update', 'delete'];
