// The Arweave gateway client: what it asks, what it accepts as a published root, and conflicts.
import type { IDataObject } from 'n8n-workflow';
import { DEFAULT_MAX_BODY_BYTES } from '../../nodes/shared/context';
import { fetchGatewayRoots, rootGatewayUrl, gatewayUrlProblem } from '../../nodes/shared/sources/pangea/verification';
import { RootTrust } from '../../nodes/shared/sources/pangea/verify';
import type { ApiRequest, SourceContext } from '../../nodes/shared/types';
import { stubFunctions } from '../support/auditLog';

const TREE = 'e86b4f6d3b0c1f2a9d8e7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f';
const hash = (c: string) => c.repeat(64);

/** A context whose unauthenticated requests hit an in-memory gateway holding `transactions`. */
function gatewayContext(transactions: Array<{ id: string; size: number; tree?: string; root: unknown }>) {
	const asked: ApiRequest[] = [];
	const ctx = {
		fn: stubFunctions(),
		itemIndex: 0,
		request: async () => {
			throw new Error('the gateway is asked without auth');
		},
		requestWithoutAuth: async (req: ApiRequest) => {
			asked.push(req);
			if (req.method === 'POST') {
				const edges = transactions.map((t) => ({
					node: { id: t.id, tags: [{ name: 'tree_size', value: String(t.size) }, { name: 'tree_name', value: t.tree ?? TREE }] },
				}));
				return { status: 200, headers: {}, body: Buffer.from(JSON.stringify({ data: { transactions: { edges } } })) };
			}
			const found = transactions.find((t) => req.url.endsWith(`/${t.id}/`));
			const body = typeof found?.root === 'string' ? found.root : JSON.stringify(found?.root ?? {});
			return { status: 200, headers: {}, body: Buffer.from(body) };
		},
		credentials: async () => ({}),
		sleep: async () => undefined,
		turn: async () => undefined,
		throwIfCancelled: () => undefined,
		now: () => 0,
		note: () => undefined,
		maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
		redact: (text: string) => text,
	} as SourceContext;
	return { ctx, asked };
}

describe('Arweave gateway roots', () => {
	it('asks GraphQL for the tree and sizes, then each transaction; keeps only roots that fit their tags', async () => {
		const { ctx, asked } = gatewayContext([
			{ id: 'tx1', size: 1, root: { size: 1, root_hash: hash('a'), tree_name: TREE } },
			{ id: 'tx2', size: 2, root: { size: 3, root_hash: hash('b') } },
			{ id: 'tx3', size: 3, tree: 'other', root: { size: 3, root_hash: hash('c') } },
			{ id: 'tx4', size: 4, root: 'Pending' },
		]);
		const roots = await fetchGatewayRoots(ctx, 'https://gw.test', TREE, [1, 2, 3, 4]);
		expect([...roots.keys()]).toEqual([1]);
		const query = String((asked[0].body as IDataObject).query);
		expect(asked[0]).toMatchObject({ method: 'POST', url: 'https://gw.test/graphql' });
		expect(query).toContain(`{ name: "tree_size", values: ["1", "2", "3", "4"] }, { name: "tree_name", values: ["${TREE}"] }`);
		expect(asked.slice(1).map((r) => r.url).sort()).toEqual(['https://gw.test/tx1/', 'https://gw.test/tx2/', 'https://gw.test/tx4/']);
	});

	it('two different roots published for one size: nothing there can be trusted, the check fails', async () => {
		const { ctx } = gatewayContext([
			{ id: 'txA', size: 5, root: { size: 5, root_hash: hash('a') } },
			{ id: 'txB', size: 5, root: { size: 5, root_hash: hash('b') } },
		]);
		const roots = await fetchGatewayRoots(ctx, 'https://gw.test', TREE, [5]);
		const trust = new RootTrust({ independent: (size) => roots.get(size), server: async () => undefined });
		expect(await trust.check(5, hash('a'))).toBe('fail');
		expect(await trust.check(5, hash('b'))).toBe('fail');
		expect(trust.newest()).toBeUndefined();
	});

	it('the URL: default when never saved, off when emptied, refused with credentials, a query or another scheme', () => {
		expect(rootGatewayUrl({})).toBe('https://arweave.net');
		expect(rootGatewayUrl({ rootGatewayUrl: ' ' })).toBeUndefined();
		expect(rootGatewayUrl({ rootGatewayUrl: 'https://mirror.example/ar/' })).toBe('https://mirror.example/ar');
		expect(gatewayUrlProblem('https://mirror.example/ar')).toBeUndefined();
		expect(gatewayUrlProblem('https://u:p@mirror.example')).toMatch(/user name/);
		expect(gatewayUrlProblem('https://mirror.example/?token=1')).toMatch(/query/);
		expect(gatewayUrlProblem('ftp://mirror.example')).toMatch(/https/);
		expect(gatewayUrlProblem('mirror.example')).toMatch(/not a URL/);
	});
});
