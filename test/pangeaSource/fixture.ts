// A small fake Pangea Secure Audit Log on nock (search, results, root, log), records and a runner.
import nock from 'nock';
import type { IDataObject, INodeParameters } from 'n8n-workflow';
import { AuditLog } from '../../nodes/AuditLog/AuditLog.node';
import { canonicalJson, sha256Hex } from '../../nodes/shared/canonical';
import { runNode, type RunNodeOptions, type RunNodeResult } from '../harness/n8n';
import { CREDENTIAL_TYPES } from '../support/auditLog';

export const BASE = 'https://audit.pangea.test';
/** Looks like a real token (so a leak would show), marked dummy for the secret scanner. */
export const TOKEN = 'pts_dummy7f3c9b2e4d1a8f6e5c0b3a2d9e8f7a6b';
export const CONFIG_ID = 'pci_c0nf1gc0nf1gc0nf1g';
/** A fake Arweave gateway (see serveGateway); nothing answers there unless a test installs it. */
export const GATEWAY = 'https://gateway.pangea.test';
export const CREDENTIALS = { baseUrl: BASE, token: TOKEN, configId: CONFIG_ID, rootGatewayUrl: GATEWAY };

export type GatewayLog = { graphql: number; transactions: number; authorization: Array<string | undefined> };

/**
 * An Arweave gateway on nock serving `roots` (published roots by size) the way arweave.net does:
 * GraphQL for transactions tagged tree_name and tree_size, then each transaction's data.
 */
export function serveGateway(roots: Map<number, IDataObject>): GatewayLog {
	const seen: GatewayLog = { graphql: 0, transactions: 0, authorization: [] };
	nock(GATEWAY)
		.persist()
		.post('/graphql')
		.reply(function (_uri, body) {
			seen.graphql++;
			seen.authorization.push(authorizationOf(this.req.headers));
			const query = String((body as IDataObject).query);
			const values = (tag: string) =>
				[...(new RegExp(`"${tag}", values: \\[([^\\]]*)\\]`).exec(query)?.[1] ?? '').matchAll(/"([^"]*)"/g)].map((m) => m[1]);
			const names = values('tree_name');
			const edges = values('tree_size')
				.map(Number)
				.filter((size) => roots.has(size) && names.includes(String(roots.get(size)?.tree_name)))
				.map((size) => ({
					node: {
						id: `tx-${size}`,
						tags: [
							{ name: 'tree_size', value: String(size) },
							{ name: 'tree_name', value: String(roots.get(size)?.tree_name) },
						],
					},
				}));
			return [200, { data: { transactions: { edges } } }];
		})
		.get(/^\/tx-\d+\/$/)
		.reply(function (uri) {
			seen.transactions++;
			seen.authorization.push(authorizationOf(this.req.headers));
			return [200, roots.get(Number(/tx-(\d+)/.exec(uri)?.[1]))];
		});
	return seen;
}

/** Every root Pangea's /v1/root gives for a tree, unpublished sizes included. */
export async function serverRoots(tree: { serverLookup: (size: number) => Promise<IDataObject | undefined>; bufferSizes: number[] }) {
	const roots = new Map<number, IDataObject>();
	for (let size = 1; size <= tree.bufferSizes.length; size++) roots.set(size, (await tree.serverLookup(size)) as IDataObject);
	return roots;
}

export type Call = { method: string; path: string; body: IDataObject; authorization?: string };
type Headers = Record<string, string | string[] | undefined>;

export type PangeaRun = Partial<Omit<RunNodeOptions, 'nodeType' | 'parameters'>>;

/** The Audit Log node on Pangea with the given parameters. */
export async function runPangea(parameters: INodeParameters, run: PangeaRun = {}): Promise<RunNodeResult> {
	return await runNode({
		nodeType: new AuditLog(),
		parameters: { resource: 'pangea', ...parameters },
		credentials: { pangeaAuditApi: { ...CREDENTIALS } },
		credentialTypes: CREDENTIAL_TYPES,
		...run,
	});
}

export function ok(result: unknown, requestId = 'prq_ok'): IDataObject {
	return { request_id: requestId, status: 'Success', summary: 'ok', result } as IDataObject;
}

/** RFC 3339 with microseconds, as Pangea writes `received_at`. */
export function isoMicros(us: number): string {
	const ms = Math.floor(us / 1000);
	return new Date(ms).toISOString().replace('Z', String(us - ms * 1000).padStart(3, '0') + 'Z');
}

/** Microseconds since the epoch of an RFC 3339 time with up to 6 fraction digits. */
export function parseMicros(text: string): number {
	const fraction = /\.(\d+)/.exec(text)?.[1] ?? '';
	return Date.parse(text) * 1000 + Number((fraction + '000000').slice(3, 6));
}

/** A stored record as /v1/search returns it, with its real envelope hash. */
export function pangeaRecord(us: number, event: IDataObject, extra: IDataObject = {}): IDataObject {
	const envelope = { event, received_at: isoMicros(us) };
	return { envelope, hash: sha256Hex(canonicalJson(envelope)), published: true, ...extra };
}

/** `count` login events from `startUs`, `stepUs` apart. */
export function loginRecords(count: number, startUs: number, stepUs = 1000): IDataObject[] {
	return Array.from({ length: count }, (_, i) =>
		pangeaRecord(startUs + i * stepUs, {
			message: `Signed in #${i}`,
			actor: 'alice@example.com',
			action: 'login',
			status: 'success',
			source: '198.51.100.7',
			tenant_id: 't-42',
		}),
	);
}

function authorizationOf(headers: Headers): string | undefined {
	const value = headers.authorization;
	return Array.isArray(value) ? value[0] : value;
}

/**
 * Search and results over a fixed list of records sorted by `received_at`: start/end at the
 * microsecond, both inclusive, order, `max_results`, `limit`/`offset`. Every call is recorded.
 */
export class PangeaBackend {
	readonly calls: Call[] = [];
	/** Holds a call until the promise settles, its answer built only then: pages served out of order. */
	hold?: (path: string, body: IDataObject) => Promise<void> | undefined;
	/** An answer given instead of the data (an error envelope), chosen by the call's body. */
	scriptFor?: (path: string, body: IDataObject) => IDataObject | undefined;
	private readonly results = new Map<string, IDataObject[]>();

	constructor(
		private readonly records: IDataObject[],
		private readonly options: { context?: IDataObject; roots?: Map<number, IDataObject>; rootShape?: 'data' | 'flat' } = {},
	) {}

	install(): this {
		const calls = this.calls;
		const scope = nock(BASE).persist();
		const hold = (path: string, body: IDataObject) => this.hold?.(path, body);
		const scripted = (path: string, body: IDataObject) => this.scriptFor?.(path, body);
		const route = (path: string, handle: (body: IDataObject) => IDataObject) =>
			scope.post(path).reply(function (_uri, body, callback) {
				const parsed = (body ?? {}) as IDataObject;
				const authorization = authorizationOf(this.req.headers);
				const reply = () => {
					calls.push({ method: 'POST', path, body: parsed, authorization });
					const answer = scripted(path, parsed) ?? handle(parsed);
					callback(null, [answer.status === 'Success' ? 200 : 400, answer]);
				};
				const held = hold(path, parsed);
				if (held) void held.then(reply);
				else reply();
			});
		route('/v1/search', (body) => this.search(body));
		route('/v1/results', (body) => this.page(body));
		// Without roots, a test serves /v1/root itself.
		if (this.options.roots) route('/v1/root', (body) => this.root(body));
		return this;
	}

	callsTo(path: string): Call[] {
		return this.calls.filter((call) => call.path === path);
	}

	private search(body: IDataObject): IDataObject {
		const start = body.start === undefined ? -Infinity : parseMicros(String(body.start));
		const end = parseMicros(String(body.end));
		let matches = this.records.filter((r) => {
			const us = parseMicros(String((r.envelope as IDataObject).received_at));
			return us >= start && us <= end;
		});
		if (body.order !== 'asc') matches = [...matches].reverse();
		matches = matches.slice(0, Number(body.max_results ?? 10_000));
		const id = `pas_${this.results.size + 1}`;
		this.results.set(id, matches);
		return ok({ id, count: matches.length, events: matches.slice(0, Number(body.limit ?? 20)), ...this.options.context });
	}

	private page(body: IDataObject): IDataObject {
		const matches = this.results.get(String(body.id)) ?? [];
		const offset = Number(body.offset ?? 0);
		return ok({ count: matches.length, events: matches.slice(offset, offset + Number(body.limit ?? 20)), ...this.options.context });
	}

	private root(body: IDataObject): IDataObject {
		const root = this.options.roots?.get(Number(body.tree_size));
		if (!root) {
			return { status: 'ValidationError', summary: 'bad tree_size', result: { errors: [{ code: 'OutOfRange', detail: 'tree_size too large', source: '/tree_size' }] } };
		}
		return ok(this.options.rootShape === 'flat' ? root : { data: root });
	}
}
