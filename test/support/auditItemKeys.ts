// The audit-item.md contract as a test assertion: every key present, nested ones too, nothing undefined.
import type { AuditItem } from '../../nodes/shared/types';

export const AUDIT_ITEM_KEYS = [
	'action',
	'actor',
	'category',
	'changes',
	'description',
	'flagged',
	'id',
	'organization',
	'outcome',
	'raw',
	'requestUrl',
	'source',
	'target',
	'time',
];

/** Every key of audit-item.md present, none undefined (JSON keeps what expressions will see). */
export function expectEveryKey(item: AuditItem): void {
	expect(Object.keys(item).sort()).toEqual(AUDIT_ITEM_KEYS);
	expect(Object.keys(item.actor).sort()).toEqual(['email', 'ip', 'name']);
	expect(Object.keys(item.target).sort()).toEqual(['id', 'name', 'type']);
	expect(JSON.parse(JSON.stringify(item))).toEqual(item);
}
