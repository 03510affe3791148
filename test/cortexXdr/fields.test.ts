// Cortex XDR filter fields and cursor time: documented values as multi-selects, and the cursor on AUDIT_INSERT_TIME.
import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { AuditLog } from '../../nodes/AuditLog/AuditLog.node';
import { AuditLogTrigger } from '../../nodes/AuditLogTrigger/AuditLogTrigger.node';
import { cortexXdr } from '../../nodes/shared/sources/cortexXdr';

/** The Cortex filters collection a node shows. */
function cortexFilters(properties: INodeProperties[], key: string): INodeProperties[] {
	const filters = properties.find(
		(p) => p.name === 'filters' && p.displayOptions?.show?.[key]?.includes('cortexXdr'),
	);
	return (filters?.options ?? []) as INodeProperties[];
}

describe('Cortex XDR filter fields', () => {
	it.each([
		['Audit Log', new AuditLog().description.properties, 'resource'],
		['Audit Log Trigger', new AuditLogTrigger().description.properties, 'source'],
	])('%s offers Type, Sub Type and Result as multi-selects of the documented values', (_node, properties, key) => {
		const fields = cortexFilters(properties, key);
		const field = (name: string) => fields.find((f) => f.name === name)!;
		const values = (name: string) =>
			(field(name).options as INodePropertyOptions[]).map((o) => o.value);

		for (const name of ['type', 'subType', 'result']) {
			expect(field(name)).toMatchObject({ type: 'multiOptions', default: [] });
		}
		expect(values('result').sort()).toEqual(['FAIL', 'PARTIAL', 'SUCCESS']);
		expect(values('type')).toEqual(
			expect.arrayContaining(['AUTH', 'DISTRIBUTIONS', 'PUBLIC_API', 'LIVE_TERMINAL', 'BROKER_VM']),
		);
		expect(values('type')).toHaveLength(22);
		expect(values('subType')).toEqual(expect.arrayContaining(['Login', 'Create']));
		// Shown by name, sorted by name, as n8n's option lists are.
		const names = (field('type').options as INodePropertyOptions[]).map((o) => o.name);
		expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
		expect(names).toContain('Public API');
		// Email stays free text: addresses are not a list anyone can enumerate.
		expect(field('email').type).toBe('string');
	});
});

describe('Cortex XDR cursor time', () => {
	const raw = { AUDIT_ID: 7, AUDIT_INSERT_TIME: 1714521601234 };

	it('follows AUDIT_INSERT_TIME, the time the API filters and sorts on, whatever time the item shows', () => {
		const item = cortexXdr.normalize(raw);
		expect(cortexXdr.cursorTime!(raw, item)).toBe(1714521601234);
		// Even if the item's time were another (an event time): the cursor stays on the insert time.
		expect(cortexXdr.cursorTime!(raw, { ...item, time: '2024-01-01T00:00:00.000Z' })).toBe(1714521601234);
	});

	it.each<[unknown, number]>([
		['1714521601234', 1714521601234],
		['2024-05-01T00:00:01.234Z', 1714521601234],
		[null, NaN],
		['', NaN],
		['soon', NaN],
		[Infinity, NaN],
	])('reads AUDIT_INSERT_TIME %p as %p', (value, expected) => {
		const record = { AUDIT_ID: 8, AUDIT_INSERT_TIME: value } as never;
		expect(cortexXdr.cursorTime!(record, cortexXdr.normalize(record))).toBe(expected);
	});
});
