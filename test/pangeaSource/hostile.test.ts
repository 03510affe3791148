// A hostile Pangea: forged roots, a lying leaf index, missing proofs and rewritten history must never earn a pass.
import nock from 'nock';
import type { IDataObject } from 'n8n-workflow';
import { AuditLogTrigger } from '../../nodes/AuditLogTrigger/AuditLogTrigger.node';
import { runPoll } from '../harness/n8n';
import { CREDENTIAL_TYPES, jsonOf } from '../support/auditLog';
import { tally } from '../support/tally';
import { buildTree } from '../pangea/tree';
import { startSimProcess, type SimProcess } from './simProcess';
import { GATEWAY, PangeaBackend, pangeaRecord, runPangea, serveGateway, serverRoots } from './fixture';

type Verdicts = { status?: string; hash: string; signature: string; membership: string; consistency: string };

const DAY = { start: '2024-05-01T00:00:00.000Z', end: '2024-05-02T00:00:00.000Z' };

/** Verdicts that say `pass` about where a record sits in the log (membership, consistency). */
function passes(verdicts: Verdicts[]): number {
	return verdicts.reduce((n, v) => n + (v.membership === 'pass' ? 1 : 0) + (v.consistency === 'pass' ? 1 : 0), 0);
}

async function verifiedSearch(): Promise<Verdicts[]> {
	const result = await runPangea({ operation: 'search', returnAll: true, filters: DAY, options: { sortOrder: 'asc', verify: true } });
	return jsonOf(result).map((item) => item.verification as Verdicts);
}

function genuineTree() {
	return buildTree({ events: 40, layout: 'random', seed: 21, pendingBuffers: 1 });
}

describe('with nock: one forged answer at a time', () => {
	beforeAll(() => nock.disableNetConnect());
	afterEach(() => nock.cleanAll());
	afterAll(() => nock.enableNetConnect());

	/** A record the server invents, proved by a root it also invents: leaf 0 of a tree of size 1. */
	function forgedPage(treeName: IDataObject[string]) {
		const record = pangeaRecord(Date.parse('2024-05-01T09:00:00Z') * 1000, { message: 'forged: nothing happened here', actor: 'mallory' });
		Object.assign(record, { leaf_index: 0, membership_proof: '' });
		const root: IDataObject = { tree_name: treeName, size: 1, root_hash: record.hash };
		return { records: [record], context: { root } };
	}

	it('a forged record with a forged root fails against the published roots', async () => {
		const genuine = genuineTree();
		const { records, context } = forgedPage(genuine.context.root?.tree_name);
		new PangeaBackend(records, { context, roots: new Map([[1, context.root]]) }).install();
		serveGateway(genuine.publishedRoots);

		const [verdict] = await verifiedSearch();

		tally('hostile', { cases: 1, forged: passes([verdict]) });
		expect(verdict).toMatchObject({ status: 'failed', hash: 'pass', membership: 'fail', consistency: 'fail' });
	});

	it('a forged record in a tree the gateway does not know, or with the gateway down, is pending, never pass', async () => {
		const { records, context } = forgedPage('f'.repeat(64));
		new PangeaBackend(records, { context, roots: new Map([[1, context.root]]) }).install();
		serveGateway(genuineTree().publishedRoots);
		const [unknownTree] = await verifiedSearch();

		nock.cleanAll();
		new PangeaBackend(records, { context, roots: new Map([[1, context.root]]) }).install();
		nock(GATEWAY).post('/graphql').reply(503, 'down').persist();
		const [gatewayDown] = await verifiedSearch();

		tally('hostile', { cases: 2, forged: passes([unknownTree, gatewayDown]) });
		expect(unknownTree).toMatchObject({ status: 'pending', membership: 'pending', consistency: 'pending' });
		expect(gatewayDown).toMatchObject({ status: 'pending', membership: 'pending', consistency: 'pending' });
	}, 60_000);

	it('a genuine record whose leaf index is changed to 0 fails membership', async () => {
		const tree = genuineTree();
		const moved = tree.records.findIndex((r) => r.published === true && Number(r.leaf_index) >= 3);
		const records = structuredClone(tree.records);
		records[moved].leaf_index = 0;
		new PangeaBackend(records, { context: tree.context, roots: await serverRoots(tree) }).install();
		serveGateway(tree.publishedRoots);

		const verdicts = await verifiedSearch();

		tally('hostile', { cases: 1, forged: passes([verdicts[moved]]) === 2 ? 1 : 0 });
		expect(verdicts[moved]).toMatchObject({ status: 'failed', hash: 'pass', membership: 'fail' });
		expect(verdicts.filter((v) => v.status === 'failed')).toHaveLength(1);
	});

	it('records without their proofs are unverified, with Verify on', async () => {
		const tree = genuineTree();
		const records = structuredClone(tree.records).map((record, i) => {
			if (i % 2 === 0) return record;
			const rest = { ...record };
			delete rest.membership_proof;
			delete rest.leaf_index;
			return rest;
		});
		new PangeaBackend(records, { context: tree.context, roots: await serverRoots(tree) }).install();
		serveGateway(tree.publishedRoots);

		const verdicts = await verifiedSearch();

		const stripped = verdicts.filter((_, i) => i % 2 === 1);
		tally('hostile', { cases: 1, forged: stripped.filter((v) => v.status !== 'unverified').length });
		expect(stripped.every((v) => v.status === 'unverified' && v.membership === 'none')).toBe(true);
		expect(verdicts.filter((_, i) => i % 2 === 0).every((v) => v.status !== 'unverified')).toBe(true);
	});
});

describe('with the simulator: history rewritten after the trigger saw a root', () => {
	let sim: SimProcess;

	beforeEach(async () => {
		sim = await startSimProcess(['--pangea', '120', '--seed', '9']);
	});
	afterEach(async () => await sim.stop());

	const pangea = () => ({
		setGateway: async (up: boolean) => await sim.control('/pangea/_hostile/gateway', { up }),
		rewriteHistory: async () => await sim.control('/pangea/_hostile/rewrite', {}),
		append: async (count: number) => await sim.control('/_sim/events', { vendor: 'pangea', count }),
	});

	async function poll(staticData: IDataObject) {
		const out = await runPoll({
			nodeType: new AuditLogTrigger(),
			parameters: { source: 'pangea', options: { verify: true, initialLookback: '5d', overlap: '0s' } },
			credentials: {
				pangeaAuditApi: { baseUrl: sim.urls.pangea, token: sim.credentials.pangea.token, rootGatewayUrl: `${sim.urls.pangea}/arweave` },
			},
			credentialTypes: CREDENTIAL_TYPES,
			mode: 'trigger',
			staticData,
		});
		return (out?.[0] ?? []).map((item) => item.json.verification as Verdicts);
	}

	it.each([
		['the gateway down on the second poll (only the remembered root can tell)', false],
		['the gateway up on the second poll', true],
	])('the next poll reports it: %s', async (_name, gatewayUp) => {
		const staticData: IDataObject = {};
		const first = await poll(staticData);
		expect(first.length).toBe(120);
		expect(first.every((v) => v.status === 'verified' || v.status === 'pending')).toBe(true);
		expect(first.filter((v) => v.status === 'verified').length).toBeGreaterThan(100);
		const memory = JSON.parse(JSON.stringify(staticData.verificationMemory)) as IDataObject;
		expect(memory.pangeaRoots).toHaveLength(1);

		await pangea().setGateway(gatewayUp);
		await pangea().rewriteHistory();
		await pangea().append(5);
		const second = await poll(staticData);

		tally('hostile', { cases: 1, forged: passes(second) });
		expect(second).toHaveLength(5);
		expect(second.every((v) => v.status === 'failed' && v.membership === 'fail')).toBe(true);
		// The root remembered is the one verified before the rewrite: not replaced by the rewritten one.
		expect(staticData.verificationMemory).toEqual(memory);
	}, 60_000);

	it('Fetch Queue remembers the root too: the next run reports the rewrite', async () => {
		const staticData: IDataObject = {};
		const run = async () => {
			const result = await runPangea(
				{ operation: 'fetchQueue', returnAll: true, startFrom: 'beginning', options: { verify: true, overlap: '0s' } },
				{
					staticData,
					credentials: {
						pangeaAuditApi: { baseUrl: sim.urls.pangea, token: sim.credentials.pangea.token, rootGatewayUrl: `${sim.urls.pangea}/arweave` },
					},
				},
			);
			return jsonOf(result).map((item) => item.verification as Verdicts);
		};
		const first = await run();
		expect(first).toHaveLength(120);
		expect(first.filter((v) => v.status === 'failed')).toEqual([]);

		await pangea().setGateway(false);
		await pangea().rewriteHistory();
		await pangea().append(4);
		const second = await run();

		tally('hostile', { cases: 1, forged: passes(second) });
		expect(second).toHaveLength(4);
		expect(second.every((v) => v.status === 'failed')).toBe(true);
	}, 60_000);

	it('an honest log keeps verifying across polls, the gateway down on the second', async () => {
		const staticData: IDataObject = {};
		await poll(staticData);
		await pangea().setGateway(false);
		for (let i = 0; i < 3; i++) await pangea().append(5);
		const second = await poll(staticData);
		expect(second).toHaveLength(15);
		// The 5 of the oldest new buffer are published now: anchored through the remembered root.
		expect(second.map((v) => v.status)).toEqual([...Array(5).fill('verified'), ...Array(10).fill('pending')]);
		expect(second.every((v) => v.membership === 'pass')).toBe(true);
	}, 60_000);
});
