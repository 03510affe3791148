// Verification wiring: verify.ts verdicts on each item of a page, published roots looked up once per run.
import type { IDataObject } from 'n8n-workflow';
import type { AuditItem, Page, RawRecord, SourceContext } from '../../types';
import { pangeaPost } from './request';
import { memoizeRoots, verifyRecords, type PageRoots, type PangeaRoot, type RootLookup } from './verify';

/**
 * Where one run finds published roots by tree size. Pangea's own /v1/root is the default; a root
 * source the user trusts independently (their own archive, the public Arweave ledger, which this
 * offline-first package does not call) plugs in here.
 */
export type RootSource = (ctx: SourceContext) => RootLookup;

/**
 * Roots from `POST /v1/root {tree_size}`. The spec puts the root in `result`, the SDKs read
 * `result.data`: both are accepted. A root Pangea cannot give leaves consistency at `none`
 * (not checked) with a note, rather than failing the run or the record.
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
				ctx.note(`Pangea: a published root could not be read (${(error as Error).message}); consistency is "none" where it was needed`);
			}
			return undefined;
		}
	};
};

/**
 * Root lookups in flight at once while a page is verified. Every published buffer needs the roots
 * of two tree sizes, so a page may need hundreds; one at a time, the round trips dominate.
 */
const ROOT_CONCURRENCY = 6;

/** Fills the memoized lookup with the roots the page's consistency checks will ask for. */
async function warmRoots(records: RawRecord[], roots: RootLookup): Promise<void> {
	const sizes = new Set<number>();
	for (const record of records) {
		const index = Number(record.leaf_index);
		if (record.published !== true || !Number.isSafeInteger(index) || index < 1) continue;
		sizes.add(index);
		sizes.add(index + 1);
	}
	const queue = [...sizes];
	const worker = async () => {
		for (let size = queue.shift(); size !== undefined; size = queue.shift()) await roots(size);
	};
	await Promise.all(Array.from({ length: Math.min(ROOT_CONCURRENCY, queue.length) }, worker));
}

/** A `verifyPage` over the given root source; roots are memoized for as long as the run's context lives. */
export function pageVerifier(rootSource: RootSource) {
	const runs = new WeakMap<SourceContext, RootLookup>();
	return async (ctx: SourceContext, page: Page, items: AuditItem[]): Promise<void> => {
		let roots = runs.get(ctx);
		if (!roots) {
			roots = memoizeRoots(rootSource(ctx));
			runs.set(ctx, roots);
		}
		// Items, not page records: the reader may have dropped records already emitted by a previous window.
		const records = items.map((item) => item.raw ?? {});
		await warmRoots(records, roots);
		const verdicts = await verifyRecords(records, (page.context ?? {}) as PageRoots, roots);
		items.forEach((item, i) => {
			item.verification = verdicts[i];
		});
	};
}
