// Verify Tamper-Proofing wiring: verbose search, a verification object per item, roots from /v1/root once each.
import nock from 'nock';
import { sleep, type IDataObject } from 'n8n-workflow';
import { jsonOf } from '../support/auditLog';
import { buildTree } from '../pangea/tree';
import { BASE, ok, PangeaBackend, runPangea } from './fixture';

const DAY = { start: '2024-05-01T00:00:00.000Z', end: '2024-05-02T00:00:00.000Z' };

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

type Verdicts = { hash: string; signature: string; membership: string; consistency: string };

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
		'asks for verbose records and marks every item (/v1/root in %s), looking up each root once',
		async (_where, rootShape) => {
			const { records, context, publishedRoots } = tree();
			const backend = new PangeaBackend(records, { context, roots: publishedRoots, rootShape }).install();

			const result = await verifiedSearch();

			expect(backend.callsTo('/v1/search')[0].body.verbose).toBe(true);
			const items = jsonOf(result);
			expect(items.map((item) => item.id)).toEqual(records.map((r) => r.hash));
			items.forEach((item, i) => {
				const v = item.verification as Verdicts;
				const signed = (records[i].envelope as IDataObject).signature !== undefined;
				expect(v).toEqual({
					hash: 'pass',
					signature: signed ? 'pass' : 'none',
					membership: 'pass',
					consistency: records[i].published ? 'pass' : 'pending',
				});
			});
			const sizes = backend.callsTo('/v1/root').map((call) => call.body.tree_size);
			expect(sizes.length).toBeGreaterThan(0);
			expect(new Set(sizes).size).toBe(sizes.length);
			expect(result.hints.map((hint) => hint.message).join('\n')).not.toContain('FAILED');
		},
	);

	it('looks roots up a few at a time, not one by one nor all at once', async () => {
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

		const result = await verifiedSearch();

		expect(jsonOf(result).every((item) => (item.verification as Verdicts).consistency !== 'none')).toBe(true);
		expect(most).toBeGreaterThan(1);
		expect(most).toBeLessThanOrEqual(6);
	});

	it('emits a tampered record marked fail and counts it in the hints', async () => {
		const { records, context, publishedRoots } = tree();
		const tampered = structuredClone(records);
		((tampered[20].envelope as IDataObject).event as IDataObject).message = 'nothing to see here';
		new PangeaBackend(tampered, { context, roots: publishedRoots }).install();

		const result = await verifiedSearch();

		const items = jsonOf(result);
		expect(items).toHaveLength(records.length);
		expect(items[20].verification).toMatchObject({ hash: 'fail', membership: 'pass' });
		expect(items[20].description).toBe('nothing to see here');
		expect(items.filter((item) => (item.verification as Verdicts).hash === 'fail')).toHaveLength(1);
		expect(result.hints.map((hint) => hint.message)).toContain(
			'1 event(s) FAILED tamper-proof verification; see each item\'s verification',
		);
	});

	it('leaves consistency unchecked ("none") with a note when Pangea cannot give a root', async () => {
		const { records, context } = tree();
		new PangeaBackend(records, { context, roots: new Map() }).install();

		const result = await verifiedSearch();

		const verdicts = jsonOf(result).map((item) => (item.verification as Verdicts).consistency);
		records.forEach((record, i) => {
			const expected = !record.published ? 'pending' : record.leaf_index === 0 ? 'pass' : 'none';
			expect(verdicts[i]).toBe(expected);
		});
		expect(result.hints.map((hint) => hint.message).join('\n')).toMatch(/a published root could not be read \(.*tree_size too large/);
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
