// An in-memory Cortex XDR tenant behind nock: filters, sort, offsets of at most 100, advanced-key checks, scripted failures.
import { createHash } from 'node:crypto';
import nock from 'nock';
import type { IDataObject } from 'n8n-workflow';

import { CortexXdrApi } from '../../credentials/CortexXdrApi.credentials';
import { AuditLog } from '../../nodes/AuditLog/AuditLog.node';
import { runNode, type RunNodeOptions } from '../harness/n8n';
import { whileHeld } from '../support/virtualClock';

export const CORTEX_URL = 'https://api-acme.xdr.eu.paloaltonetworks.com';
export const CORTEX_PATH = '/public_api/v1/audits/management_logs/';
export const API_KEY = 'dummy-advanced-key-0123456789abcdef';
export const API_KEY_ID = '17';

export type CortexCredential = {
	baseUrl: string;
	apiKeyId: string;
	apiKey: string;
	securityLevel: string;
};

export const advancedCredential = (baseUrl = CORTEX_URL): CortexCredential => ({
	baseUrl,
	apiKeyId: API_KEY_ID,
	apiKey: API_KEY,
	securityLevel: 'advanced',
});

export type RecordedRequest = {
	at: number;
	headers: Record<string, string>;
	requestData: IDataObject;
	status: number;
	/** AUDIT_IDs of the records answered, in order. */
	returned: number[];
};

type Scripted = { status: number; body: IDataObject; headers?: Record<string, string> };

const ENTITIES: Array<[string, string, string]> = [
	['AUTH', 'Login', 'User logged in'],
	['DISTRIBUTIONS', 'Create', 'Created installer package "Windows 8.4"'],
	['POLICY_PROFILES', 'Edit', 'Edited prevention profile "Default Windows"'],
	['RBAC', 'Edit Role', 'Changed role of bob@example.com to "Investigator"'],
];
const USERS = ['alice@example.com', 'bob@example.com', 'carol@example.com'];

let nextAuditId = 5000;

/** A record shaped like the vendor's (vendor-apis.md 2.4), at the given epoch ms. */
export function cortexRecord(time: number, overrides: IDataObject = {}): IDataObject {
	const id = nextAuditId++;
	const [entity, subtype, description] = ENTITIES[id % ENTITIES.length];
	const email = USERS[id % USERS.length];
	return {
		AUDIT_ID: id,
		AUDIT_OWNER_NAME: email.split('@')[0],
		AUDIT_OWNER_EMAIL: email,
		AUDIT_ASSET_JSON: null,
		AUDIT_ASSET_NAMES: '',
		AUDIT_HOSTNAME: null,
		AUDIT_RESULT: id % 7 === 0 ? 'FAIL' : 'SUCCESS',
		AUDIT_REASON: null,
		AUDIT_DESCRIPTION: description,
		AUDIT_ENTITY: entity,
		AUDIT_ENTITY_SUBTYPE: subtype,
		AUDIT_SESSION_ID: null,
		AUDIT_CASE_ID: null,
		AUDIT_INSERT_TIME: time,
		...overrides,
	};
}

/** `count` records one second apart, the last `endAgoMs` before now. */
export function recordsBefore(count: number, endAgoMs = 60 * 60_000, stepMs = 1000): IDataObject[] {
	const last = Date.now() - endAgoMs;
	return Array.from({ length: count }, (_, i) => cortexRecord(last - (count - 1 - i) * stepMs));
}

const FILTER_KEYS: Record<string, string> = {
	email: 'AUDIT_OWNER_EMAIL',
	type: 'AUDIT_ENTITY',
	sub_type: 'AUDIT_ENTITY_SUBTYPE',
	result: 'AUDIT_RESULT',
};

function errorReply(status: number, message: string): [number, IDataObject] {
	return [status, { reply: { err_code: status, err_msg: message, err_extra: null } }];
}

/** True when the headers carry a valid key: standard as is, advanced as sha256(key + nonce + timestamp). */
export function validAuth(headers: Record<string, string>, credential: CortexCredential): boolean {
	if (headers['x-xdr-auth-id'] !== credential.apiKeyId) return false;
	if (credential.securityLevel !== 'advanced') return headers.authorization === credential.apiKey;
	const nonce = headers['x-xdr-nonce'] ?? '';
	const timestamp = headers['x-xdr-timestamp'] ?? '';
	const expected = createHash('sha256')
		.update(credential.apiKey + nonce + timestamp)
		.digest('hex');
	return (
		/^[A-Za-z0-9]{64}$/.test(nonce) &&
		/^\d{13}$/.test(timestamp) &&
		headers.authorization === expected
	);
}

export class FakeCortex {
	readonly records: IDataObject[] = [];
	readonly requests: RecordedRequest[] = [];
	/** Answers given instead of the data, in order, one per request (by request number, 1-based). */
	readonly script = new Map<number, Scripted>();
	/** Runs after the answer to request n (1-based) is built: to add records between two pages. */
	afterRequest?: (n: number) => void;
	/**
	 * Holds a request until the promise settles, its answer built only then: a server that takes
	 * its time over some requests, so pages fetched together are served (and complete) in another order.
	 */
	hold?: (requestData: IDataObject) => Promise<void> | undefined;
	/** The key of the reply's list: `data` as in the vendor's examples, `endpoints` as in its field table. */
	listKey: 'data' | 'endpoints' = 'data';

	constructor(
		readonly credential: CortexCredential = advancedCredential(),
		records: IDataObject[] = [],
	) {
		this.add(...records);
		const answer = (headers: Record<string, string>, body: unknown) => this.answer(headers, body);
		const hold = (body: unknown) => {
			const parsed = (typeof body === 'string' ? JSON.parse(body) : body) as { request_data?: IDataObject };
			return this.hold?.(parsed.request_data ?? {});
		};
		nock(new URL(credential.baseUrl).origin)
			.persist()
			.post(CORTEX_PATH)
			.reply(function (_uri, body, callback) {
				const headers = this.req.headers as Record<string, string>;
				const reply = () => {
					const [status, json, replyHeaders] = answer(headers, body);
					callback(null, [status, json, replyHeaders ?? {}]);
				};
				const held = hold(body);
				if (held) void whileHeld(held).then(reply);
				else reply();
			});
	}

	add(...records: IDataObject[]): void {
		this.records.push(...records);
		this.records.sort((a, b) => (a.AUDIT_INSERT_TIME as number) - (b.AUDIT_INSERT_TIME as number));
	}

	private answer(
		headers: Record<string, string>,
		rawBody: unknown,
	): [number, IDataObject, Record<string, string>?] {
		const body = (typeof rawBody === 'string' ? JSON.parse(rawBody) : rawBody) as {
			request_data?: IDataObject;
		};
		const requestData = body.request_data ?? {};
		const recorded: RecordedRequest = {
			at: Date.now(),
			headers,
			requestData,
			status: 200,
			returned: [],
		};
		this.requests.push(recorded);
		const scripted = this.script.get(this.requests.length);
		const [status, reply, replyHeaders] = scripted
			? [scripted.status, scripted.body, scripted.headers]
			: validAuth(headers, this.credential)
				? this.search(requestData)
				: errorReply(401, 'Public API request unauthorized');
		recorded.status = status;
		const replied = reply.reply as IDataObject | undefined;
		recorded.returned =
			((replied?.data ?? replied?.endpoints) as IDataObject[] | undefined)?.map(
				(r) => r.AUDIT_ID as number,
			) ?? [];
		this.afterRequest?.(this.requests.length);
		return [status, reply, replyHeaders];
	}

	private search(requestData: IDataObject): [number, IDataObject] {
		const from = (requestData.search_from as number | undefined) ?? 0;
		const to = (requestData.search_to as number | undefined) ?? 100;
		if (to - from > 100) return errorReply(400, 'The maximum number of results is 100');
		let matches = this.records.filter((record) =>
			((requestData.filters as IDataObject[] | undefined) ?? []).every((filter) => {
				const { field, operator, value } = filter as {
					field: string;
					operator: string;
					value: unknown;
				};
				if (field === 'timestamp') {
					const t = record.AUDIT_INSERT_TIME as number;
					return operator === 'gte' ? t >= (value as number) : t <= (value as number);
				}
				return (value as unknown[]).includes(record[FILTER_KEYS[field]]);
			}),
		);
		const sort = (requestData.sort as { keyword?: string } | undefined)?.keyword ?? 'desc';
		if (sort === 'desc') matches = [...matches].reverse();
		const page = matches.slice(from, to);
		return [
			200,
			{ reply: { total_count: matches.length, result_count: page.length, [this.listKey]: page } },
		];
	}
}

export const credentialTypes = [new CortexXdrApi()];

/** Runs the Audit Log node on Cortex XDR with the fake's credential. */
export async function runCortex(
	fake: FakeCortex,
	parameters: IDataObject,
	extra: Partial<RunNodeOptions> = {},
) {
	return await runNode({
		nodeType: new AuditLog(),
		parameters: { resource: 'cortexXdr', ...parameters } as RunNodeOptions['parameters'],
		credentials: { cortexXdrApi: { ...fake.credential } },
		credentialTypes,
		...extra,
	});
}

/** Largest number of requests that fell in any window of `windowMs`. */
export function busiestWindow(times: number[], windowMs = 1000): number {
	const sorted = [...times].sort((a, b) => a - b);
	let best = 0;
	for (let i = 0, j = 0; j < sorted.length; j++) {
		while (sorted[j] - sorted[i] >= windowMs) i++;
		best = Math.max(best, j - i + 1);
	}
	return best;
}

/** Output items → their ids, and vendor records → the ids their items should carry. */
export const ids = (items: Array<{ json: IDataObject }>) => items.map((item) => item.json.id);
export const idsOf = (records: IDataObject[]) => records.map((record) => String(record.AUDIT_ID));
