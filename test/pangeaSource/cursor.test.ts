// Late records: Pangea's cursor follows received_at (what /v1/search filters and sorts on), not the event's own timestamp.
import type { IDataObject } from 'n8n-workflow';
import { jsonOf } from '../support/auditLog';
import { PangeaBackend, pangeaRecord, runPangea } from './fixture';
import { offline } from '../support/offline';

offline();

const us = (iso: string) => Date.parse(iso) * 1000;

describe('Fetch Queue on Pangea: which time the cursor follows', () => {
	it('a record whose own timestamp is hours behind the cursor is still read: it was received after it', async () => {
		const records = [
			pangeaRecord(us('2024-05-01T10:00:00Z'), { message: 'on time', timestamp: '2024-05-01T10:00:00Z' }),
			// Reached Pangea at 10:30, but says it happened at 08:00 (a client that buffered its events).
			pangeaRecord(us('2024-05-01T10:30:00Z'), { message: 'late', timestamp: '2024-05-01T08:00:00Z' }),
		];
		const backend = new PangeaBackend(records).install();
		const staticData: IDataObject = {};

		const result = await runPangea(
			{ operation: 'fetchQueue', returnAll: true, options: { resetCursor: '2024-05-01T10:15:00Z', overlap: '0s' } },
			{ staticData },
		);

		const items = jsonOf(result);
		expect(items.map((item) => item.description)).toEqual(['late']);
		expect(items[0].time).toBe('2024-05-01T10:30:00.000Z');
		// The search itself is bounded and sorted on received_at.
		const search = backend.callsTo('/v1/search')[0].body;
		expect(search.order_by).toBe('received_at');
		expect(search.start).toBe('2024-05-01T10:15:00.000000Z');
	});
});
