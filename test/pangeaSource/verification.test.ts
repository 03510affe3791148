// Verify Tamper-Proofing wiring: verbose search, a verification object per item, roots from /v1/root once each.
import nock from 'nock';
import { sleep, type IDataObject } from 'n8n-workflow';
import { jsonOf } from '../support/auditLog';
import { buildTree } from '../pangea/tree';
import { BASE, CREDENTIALS, GATEWAY, ok, PangeaBackend, runPangea, serveGateway, serverRoots } from './fixture';
import { offline } from '../support/offline';

const DAY = { start: '2024-05-01T00:00:00.000Z', end: '2024-05-02T00:00:00.000Z' };

offline();

type Verdicts = { status: string; hash: string; signature: string; membership: string; consistency: string };

function tree() {
	const built = buildTree({ events: 60, layout: 'random', seed: 7, pendingBuffers: 2, signedShare: 0.5 });
	// A record of the first buffer checks no consistency; make sure later ones are present too.
	expect(built.publishedBuffers).toBeGreaterThan(3);
	return built;
}

async function verifiedSearch(options: IDataObject = { verify: true }) {
	return await runPangea({ operation: 'search', returnAll: true, filters: DAY, options: { sortOrder: 'asc', ...options } });
}

describe('Verify Tamper-Proofing', () => {
	it.each([
		['result.data', 'data'],
		['result', 'flat'],
	] as const)(
		'asks for verbose records and marks every item (/v1/root in %s), published roots from the gateway without the token',
		async (_where, rootShape) => {
			const built = tree();
			const { records, context, publishedRoots } = built;
			const backend = new PangeaBackend(records, { context, roots: await serverRoots(built), rootShape }).install();
			const gateway = serveGateway(publishedRoots);

			const result = await verifiedSearch();

			expect(backend.callsTo('/v1/search')[0].body.verbose).toBe(true);
			const items = jsonOf(result);
			expect(items.map((item) => item.id)).toEqual(records.map((r) => r.hash));
			items.forEach((item, i) => {
				const v = item.verification as Verdicts;
				const signed = (records[i].envelope as IDataObject).signature !== undefined;
				expect(v).toEqual({
					status: records[i].published ? 'verified' : 'pending',
					hash: 'pass',
					signature: signed ? 'pass' : 'none',
					membership: 'pass',
					consistency: records[i].published ? 'pass' : 'pending',
				});
			});
			// Pangea is asked only for the unpublished sizes that link its latest root to the gateway's.
			const sizes = backend.callsTo('/v1/root').map((call) => call.body.tree_size);
			expect(sizes.sort()).toEqual([built.publishedBuffers + 1, built.publishedBuffers + 2]);
			expect(gateway.graphql).toBe(1);
			expect(gateway.transactions).toBe(built.publishedBuffers);
			expect(gateway.authorization.every((header) => header === undefined)).toBe(true);
			expect(result.hints.map((hint) => hint.message).join('\n')).not.toContain('FAILED');
		},
	);

	it('without a gateway, looks Pangea\'s roots up a few at a time and never says pass', async () => {
		const { records, context, publishedRoots } = tree();
		new PangeaBackend(records, { context }).install();
		let inFlight = 0;
		let most = 0;
		nock(BASE)
			.persist()
			.post('/v1/root')
			.reply(async (_uri, body) => {
				most = Math.max(most, ++inFlight);
				await sleep(15);
				inFlight--;
				return [200, ok({ data: publishedRoots.get(Number((body as IDataObject).tree_size)) })];
			});

		const result = await runPangea(
			{ operation: 'search', returnAll: true, filters: DAY, options: { sortOrder: 'asc', verify: true } },
			{ credentials: { pangeaAuditApi: { ...CREDENTIALS, rootGatewayUrl: '' } } },
		);

		const verdicts = jsonOf(result).map((item) => item.verification as Verdicts);
		expect(verdicts.every((v) => v.status === 'pending' && v.membership !== 'pass' && v.consistency !== 'pass')).toBe(true);
		expect(most).toBeGreaterThan(1);
		expect(most).toBeLessThanOrEqual(6);
		expect(result.hints.map((hint) => hint.message).join('\n')).toContain('no Root Gateway URL');
	});

	it('emits a tampered record marked fail and counts it in the hints', async () => {
		const built = tree();
		const { records, context, publishedRoots } = built;
		const tampered = structuredClone(records);
		((tampered[20].envelope as IDataObject).event as IDataObject).message = 'nothing to see here';
		new PangeaBackend(tampered, { context, roots: await serverRoots(built) }).install();
		serveGateway(publishedRoots);

		const result = await verifiedSearch();

		const items = jsonOf(result);
		expect(items).toHaveLength(records.length);
		expect(items[20].verification).toMatchObject({ status: 'failed', hash: 'fail', membership: 'pass' });
		expect(items[20].description).toBe('nothing to see here');
		expect(items.filter((item) => (item.verification as Verdicts).hash === 'fail')).toHaveLength(1);
		expect(result.hints.map((hint) => hint.message)).toContain(
			'1 event(s) FAILED tamper-proof verification; see each item\'s verification',
		);
	});

	it('an unreachable gateway and missing Pangea roots leave the checks pending, with notes', async () => {
		const { records, context } = tree();
		new PangeaBackend(records, { context, roots: new Map() }).install();
		nock(GATEWAY).post('/graphql').reply(404, '<html>Not Found</html>');

		const result = await verifiedSearch();

		const verdicts = jsonOf(result).map((item) => item.verification as Verdicts);
		expect(verdicts.every((v) => v.status === 'pending')).toBe(true);
		const hints = result.hints.map((hint) => hint.message).join('\n');
		expect(hints).toMatch(/root gateway https:\/\/gateway\.pangea\.test could not be read/);
		expect(hints).toMatch(/a root could not be read from \/v1\/root \(.*tree_size too large/);
	});

	it('a gateway URL that cannot be used fails before any request', async () => {
		const { records, context } = tree();
		const backend = new PangeaBackend(records, { context }).install();

		const run = runPangea(
			{ operation: 'search', returnAll: true, filters: DAY, options: { verify: true } },
			{ credentials: { pangeaAuditApi: { ...CREDENTIALS, rootGatewayUrl: 'https://user:pw@gw.test' } } },
		);

		await expect(run).rejects.toThrow('Root Gateway URL (Pangea Audit API credential): it must not hold a user name or password');
		expect(backend.calls).toEqual([]);
	});

	it.each([
		['normalized', (item: IDataObject) => item.verification],
		['raw', (item: IDataObject) => item.verification],
		['ocsf', (item: IDataObject) => (item.unmapped as IDataObject).verification],
	] as const)('the status is on the item in the %s output', async (outputFormat, verificationOf) => {
		const built = tree();
		new PangeaBackend(built.records, { context: built.context, roots: await serverRoots(built) }).install();
		serveGateway(built.publishedRoots);

		const result = await verifiedSearch({ verify: true, outputFormat });

		const statuses = jsonOf(result).map((item) => (verificationOf(item) as Verdicts).status);
		expect(statuses).toEqual(built.records.map((r) => (r.published ? 'verified' : 'pending')));
	});

	it('without the option: terse records, no verification, no root lookups', async () => {
		const { records, context, publishedRoots } = tree();
		const backend = new PangeaBackend(records, { context, roots: publishedRoots }).install();

		const result = await verifiedSearch({});

		expect(backend.callsTo('/v1/search')[0].body.verbose).toBe(false);
		expect(jsonOf(result).every((item) => !('verification' in item))).toBe(true);
		expect(backend.callsTo('/v1/root')).toEqual([]);
	});
});
