// Verification wiring: roots from Pangea and from an independent gateway, the remembered root, verdicts per item.
import type { IDataObject } from 'n8n-workflow';
import type { AuditItem, Page, RawRecord, SourceContext } from '../../types';
import { pangeaPost } from './request';
import {
	memoizeRoots,
	RootTrust,
	sizesNeeded,
	verifyRecords,
	type PageRoots,
	type PangeaRoot,
	type RootData,
	type RootLookup,
	type RootSources,
	type TrustedRoot,
} from './verify';

/** The public Arweave gateway, where Pangea publishes its roots (what pangea-node-sdk queries). */
export const DEFAULT_ROOT_GATEWAY = 'https://arweave.net';
/** Key of `verifyPage`'s memory under which the newest verified root of each tree is kept. */
export const MEMORY_KEY = 'pangeaRoots';
/** Trees remembered at once (a credential switched to another audit config keeps its old entry). */
const MEMORY_TREES = 4;
/** Sizes asked per GraphQL query; the gateway's page limit. */
const GRAPHQL_BATCH = 100;
/**
 * Root lookups in flight at once while a page is verified. Every published buffer needs the roots
 * of two tree sizes, so a page may need hundreds; one at a time, the round trips dominate.
 */
const ROOT_CONCURRENCY = 6;
// A tree name or transaction id goes into a GraphQL query or a URL: anything else is refused.
const TREE_NAME = /^[A-Za-z0-9_-]{1,128}$/;
const TRANSACTION_ID = /^[A-Za-z0-9_-]{1,128}$/;

export type RootSource = (ctx: SourceContext) => RootLookup;

/**
 * Roots from `POST /v1/root {tree_size}`. The spec puts the root in `result`, the SDKs read
 * `result.data`: both are accepted. A root Pangea cannot give leaves the checks that need it
 * `pending`, with a note, rather than failing the run or the record.
 */
export const pangeaApiRoots: RootSource = (ctx) => {
	let noted = false;
	return async (treeSize) => {
		try {
			const result = await pangeaPost<IDataObject>(ctx, '/v1/root', { tree_size: treeSize });
			const data = result.data;
			const root = (data && typeof data === 'object' && !Array.isArray(data) ? data : result) as PangeaRoot;
			return typeof root.root_hash === 'string' ? root : undefined;
		} catch (error) {
			ctx.throwIfCancelled();
			if (!noted) {
				noted = true;
				ctx.note(`Pangea: a root could not be read from /v1/root (${(error as Error).message}); checks that needed it are "pending"`);
			}
			return undefined;
		}
	};
};

/** The credential's gateway URL: the public one when the field was never saved, none when emptied. */
export function rootGatewayUrl(credentials: IDataObject): string | undefined {
	const value = credentials.rootGatewayUrl;
	if (value === undefined || value === null) return DEFAULT_ROOT_GATEWAY;
	const text = String(value).trim().replace(/\/+$/, '');
	return text === '' ? undefined : text;
}

/** Why a gateway URL cannot be used, or undefined when it can (checked before any request). */
export function gatewayUrlProblem(url: string): string | undefined {
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		return `"${url}" is not a URL`;
	}
	if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return 'it must start with https://';
	if (parsed.username || parsed.password) return 'it must not hold a user name or password';
	if (parsed.search || parsed.hash) return 'it must not hold a query or a fragment';
	return undefined;
}

type GatewayEdge = { node?: { id?: unknown; tags?: Array<{ name?: unknown; value?: unknown }> } };
/** A size the gateway holds several different roots for: nothing can be trusted there. */
type Conflict = { conflict: true; size: number };

function parseJson(body: Buffer): unknown {
	try {
		return JSON.parse(body.toString('utf8'));
	} catch {
		// "Pending" (not mined yet) or an error page: no root.
		return undefined;
	}
}

function tagValue(edge: GatewayEdge, name: string): string | undefined {
	const tag = edge.node?.tags?.find((t) => t?.name === name);
	return typeof tag?.value === 'string' ? tag.value : undefined;
}

async function inBatches<T>(items: T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
	const queue = [...items];
	const worker = async () => {
		for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
	};
	await Promise.all(Array.from({ length: Math.min(width, queue.length) }, worker));
}

/**
 * Published roots through an Arweave-style gateway, as pangea-node-sdk finds them: a GraphQL query
 * for transactions tagged with the tree's name and the sizes wanted, then each transaction's data
 * (the root as Pangea published it). Requests carry no credential. Throws when the gateway fails.
 */
export async function fetchGatewayRoots(
	ctx: SourceContext,
	gateway: string,
	treeName: string,
	sizes: number[],
): Promise<Map<number, RootData | Conflict>> {
	const found = new Map<number, RootData | Conflict>();
	for (let from = 0; from < sizes.length; from += GRAPHQL_BATCH) {
		const batch = sizes.slice(from, from + GRAPHQL_BATCH);
		const query = `{ transactions(first: ${GRAPHQL_BATCH}, tags: [{ name: "tree_size", values: [${batch.map((s) => `"${s}"`).join(', ')}] }, { name: "tree_name", values: ["${treeName}"] }]) { edges { node { id tags { name value } } } } }`;
		const answer = await ctx.requestWithoutAuth({
			method: 'POST',
			url: `${gateway}/graphql`,
			body: { query },
			headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
		});
		const edges = (parseJson(answer.body) as { data?: { transactions?: { edges?: unknown } } } | undefined)?.data
			?.transactions?.edges;
		const wanted = new Set(batch);
		const transactions: Array<{ id: string; size: number }> = [];
		for (const edge of Array.isArray(edges) ? (edges as GatewayEdge[]) : []) {
			const id = edge?.node?.id;
			const size = Number(tagValue(edge, 'tree_size'));
			if (typeof id !== 'string' || !TRANSACTION_ID.test(id) || !wanted.has(size)) continue;
			if (tagValue(edge, 'tree_name') !== treeName) continue;
			transactions.push({ id, size });
		}
		await inBatches(transactions, ROOT_CONCURRENCY, async ({ id, size }) => {
			const data = await ctx.requestWithoutAuth({ method: 'GET', url: `${gateway}/${id}/` });
			const root = parseJson(data.body) as Record<string, unknown> | undefined;
			if (!root || typeof root !== 'object' || typeof root.root_hash !== 'string') return;
			if (root.size != null && Number(root.size) !== size) return;
			if (root.tree_name != null && root.tree_name !== treeName) return;
			const before = found.get(size);
			if (before && (before as Record<string, unknown>).root_hash !== root.root_hash) {
				found.set(size, { conflict: true, size });
			} else if (!before) {
				found.set(size, { size, ...root });
			}
		});
	}
	return found;
}

type RememberedRoot = TrustedRoot & { tree: string };

function remembered(memory: IDataObject, tree: string): TrustedRoot | undefined {
	const list = memory[MEMORY_KEY];
	if (!Array.isArray(list)) return undefined;
	const entry = (list as RememberedRoot[]).find((e) => e && e.tree === tree);
	if (!entry || !Number.isSafeInteger(entry.size) || typeof entry.root_hash !== 'string') return undefined;
	return { size: entry.size, root_hash: entry.root_hash };
}

function remember(memory: IDataObject, tree: string, root: TrustedRoot): void {
	const list = Array.isArray(memory[MEMORY_KEY]) ? (memory[MEMORY_KEY] as RememberedRoot[]) : [];
	const others = list.filter((e) => e && e.tree !== tree);
	memory[MEMORY_KEY] = [{ tree, size: root.size, root_hash: root.root_hash }, ...others].slice(0, MEMORY_TREES) as IDataObject[];
}

function treeNameOf(context: PageRoots): string | undefined {
	for (const root of [context.root, context.unpublished_root]) {
		const name = (root as PangeaRoot | undefined)?.tree_name;
		if (typeof name === 'string') return name;
	}
	return undefined;
}

/** What one run keeps: Pangea's roots, the gateway's answers per tree, whether the gateway failed. */
type RunState = {
	server: RootLookup;
	gateway: Map<string, Map<number, RootData | Conflict | null>>;
	gatewayDown: boolean;
	noted: Set<string>;
};

function noteOnce(ctx: SourceContext, run: RunState, key: string, message: string): void {
	if (run.noted.has(key)) return;
	run.noted.add(key);
	ctx.note(message);
}

async function askGateway(ctx: SourceContext, run: RunState, tree: string | undefined, sizes: number[]): Promise<void> {
	const credentials = await ctx.credentials();
	const gateway = rootGatewayUrl(credentials);
	if (!gateway) {
		noteOnce(ctx, run, 'off', 'Pangea: no Root Gateway URL in the credential, so published roots are not checked independently; verdicts that need them stay "pending"');
		return;
	}
	if (run.gatewayDown || tree === undefined) return;
	if (!TREE_NAME.test(tree)) {
		noteOnce(ctx, run, 'tree', 'Pangea: the tree name in the answer is not one a gateway can be asked about; verdicts that need published roots stay "pending"');
		return;
	}
	let cache = run.gateway.get(tree);
	if (!cache) {
		cache = new Map();
		run.gateway.set(tree, cache);
	}
	const missing = sizes.filter((size) => !cache.has(size));
	if (missing.length === 0) return;
	try {
		const found = await fetchGatewayRoots(ctx, gateway, tree, missing);
		for (const size of missing) cache.set(size, found.get(size) ?? null);
	} catch (error) {
		ctx.throwIfCancelled();
		run.gatewayDown = true;
		noteOnce(ctx, run, 'down', `Pangea: the root gateway ${gateway} could not be read (${ctx.redact((error as Error).message)}); verdicts that need published roots are "pending"`);
	}
}

/**
 * A `verifyPage` over the given Pangea root source. Per run: Pangea's roots memoized, the
 * gateway asked once per size. Across runs: the newest anchored root of each tree is kept in
 * `memory`, and every later root must prove consistent with it.
 */
export function pageVerifier(rootSource: RootSource) {
	const runs = new WeakMap<SourceContext, RunState>();
	return async (ctx: SourceContext, page: Page, items: AuditItem[], memory: IDataObject): Promise<void> => {
		let run = runs.get(ctx);
		if (!run) {
			run = { server: memoizeRoots(rootSource(ctx)), gateway: new Map(), gatewayDown: false, noted: new Set() };
			runs.set(ctx, run);
		}
		const state = run;
		// Items, not page records: the reader may have dropped records already emitted by a previous window.
		const records: RawRecord[] = items.map((item) => item.raw ?? {});
		const context = (page.context ?? {}) as PageRoots;
		const tree = treeNameOf(context);
		const before = tree === undefined ? undefined : remembered(memory, tree);
		const needed = sizesNeeded(records, context);
		if (before) needed.push(before.size);
		await askGateway(ctx, state, tree, needed);
		const gatewayRoots = tree === undefined ? undefined : state.gateway.get(tree);
		const sources: RootSources = {
			independent: (size) => gatewayRoots?.get(size) ?? undefined,
			server: state.server,
		};
		const trust = new RootTrust(sources, before);
		// Fetch ahead, a few at a time, what the checks will walk through on Pangea's side.
		const ahead = new Set<number>();
		// Everything after the remembered root is chained from it (bounded: far behind, later runs go on).
		if (before && needed.length > 0) {
			const last = Math.min(Math.max(...needed), before.size + 5 * trust.maxChain);
			for (let size = before.size + 1; size <= last; size++) ahead.add(size);
		}
		for (const size of needed) {
			if (!sources.independent(size)) ahead.add(size);
			for (const step of trust.chainSizes(size)) ahead.add(step);
		}
		await inBatches([...ahead], ROOT_CONCURRENCY, async (size) => void (await state.server(size)));

		const verdicts = await verifyRecords(records, context, sources, trust);
		items.forEach((item, i) => {
			item.verification = verdicts[i];
		});
		const published = Number((context.root as PangeaRoot | undefined)?.size);
		const newest = trust.newest(Number.isSafeInteger(published) ? published : 0);
		if (tree !== undefined && newest && (!before || newest.size >= before.size)) remember(memory, tree, newest);
		if (before && verdicts.some((v) => v.status === 'failed') && !trust.newest()) {
			noteOnce(ctx, state, `rewrite:${tree}`, `Pangea: a root in this answer contradicts the root of size ${before.size} verified before: history may have been rewritten`);
		}
	};
}
