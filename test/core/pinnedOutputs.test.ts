// Ids and output shapes pinned on real-looking records (test/fixtures/pinned-outputs.json, written
// by the code before the normalization speed-ups): ids are the dedup keys stored in cursors, so a
// change to one re-emits events after an upgrade. Each shape is pinned by the hash of its JSON.
import { createHash } from 'node:crypto';
import type { IDataObject } from 'n8n-workflow';

import { shapeOutput, type OutputFormat } from '../../nodes/shared/auditItem';
import { contentId } from '../../nodes/shared/canonical';
import { SOURCES } from '../../nodes/shared/sources';
import type { RawRecord } from '../../nodes/shared/types';
import pinned from '../fixtures/pinned-outputs.json';

type Pinned = { source: string; raw: RawRecord; id: string; shapes: Record<string, string> };

const FORMATS: Array<[string, OutputFormat, boolean]> = [
	['normalized', 'normalized', false],
	['normalized+raw', 'normalized', true],
	['ocsf', 'ocsf', false],
	['ocsf+raw', 'ocsf', true],
	['raw', 'raw', false],
];

const hashOf = (value: IDataObject) => createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 24);

describe.each((pinned as Pinned[]).map((p, i) => [`${p.source} #${i}`, p] as const))('%s', (_name, record) => {
	const source = SOURCES.find((s) => s.id === record.source)!;

	it('keeps its id', () => {
		expect(source.normalize(structuredClone(record.raw), {}).id).toBe(record.id);
	});

	it.each(FORMATS)('keeps its %s output byte for byte', (name, outputFormat, includeRaw) => {
		const item = source.normalize(structuredClone(record.raw), {});
		expect(hashOf(shapeOutput(item, { outputFormat, includeRaw }, source.displayName))).toBe(record.shapes[name]);
	});
});

it('content ids do not depend on key order or on undefined members', () => {
	const record = (pinned as Pinned[]).find((p) => p.id.startsWith('sha256:') && p.source === 'ciscoSecureEndpoint')!;
	const reversed = Object.fromEntries(Object.entries(record.raw).reverse().concat([['absent', undefined]]));
	expect(contentId(reversed)).toBe(record.id);
});
