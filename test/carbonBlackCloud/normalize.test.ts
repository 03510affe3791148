// CBC record → normalized audit item (audit-item.md): every key, flagged, outcome, actor email and IP, time, id.
import { contentId } from '../../nodes/shared/canonical';
import { normalizeCbc, type CbcRecord } from '../../nodes/shared/sources/carbonBlackCloud/normalize';
import type { RawRecord } from '../../nodes/shared/types';
import { AUDIT_ITEM_KEYS } from '../support/auditItemKeys';


const record: CbcRecord = {
	org_key: 'ABCD1234',
	actor: 'alice@example.com',
	actor_ip: '198.51.100.7',
	request_url: null,
	description: 'Logged in successfully',
	flagged: false,
	verbose: false,
	create_time: '2024-05-01T08:00:01.120Z',
};

const normalize = (changes: Partial<CbcRecord> = {}) => normalizeCbc({ ...record, ...changes } as RawRecord);

describe('normalizeCbc', () => {
	it('maps the documented example record', () => {
		expect(normalize()).toEqual({
			id: contentId(record),
			source: 'carbonBlackCloud',
			time: '2024-05-01T08:00:01.120Z',
			actor: { name: 'alice@example.com', email: 'alice@example.com', ip: '198.51.100.7' },
			action: 'login',
			category: 'authentication',
			description: 'Logged in successfully',
			outcome: 'success',
			flagged: false,
			target: { type: null, id: null, name: null },
			changes: null,
			organization: 'ABCD1234',
			requestUrl: null,
			raw: record,
		});
	});

	it('keeps every key, null where unknown, for an empty record (as the Data Forwarder may send)', () => {
		const item = normalizeCbc({});
		expect(Object.keys(item).sort()).toEqual(AUDIT_ITEM_KEYS);
		expect(item).toMatchObject({
			id: contentId({}),
			time: null,
			actor: { name: null, email: null, ip: null },
			action: null,
			category: 'other',
			description: null,
			outcome: 'unknown',
			flagged: false,
			organization: null,
			requestUrl: null,
		});
	});

	it('keeps the raw record as received (the same object, unchanged)', () => {
		const raw = { ...record, extra_field: { nested: [1] } } as RawRecord;
		const copy = structuredClone(raw);
		const item = normalizeCbc(raw);
		expect(item.raw).toBe(raw);
		expect(raw).toEqual(copy);
	});

	it('flagged is true only for flagged: true', () => {
		expect(normalize({ flagged: true }).flagged).toBe(true);
		expect(normalize({ flagged: false }).flagged).toBe(false);
		expect(normalize({ flagged: undefined }).flagged).toBe(false);
		expect(normalizeCbc({ ...record, flagged: 'true' } as RawRecord).flagged).toBe(false);
	});

	it.each([
		['Logged in successfully', 'success', 'login', 'authentication'],
		['Failed login attempt for bob@example.com', 'failure', 'login', 'authentication'],
		['Login denied: account locked', 'failure', 'login', 'authentication'],
		['Logged out', 'unknown', 'logout', 'authentication'],
		['Updated policy "Standard"', 'unknown', 'update', 'policy'],
		['Created API key "SIEM"', 'unknown', 'create', 'api'],
		['Deleted sensor group "Lab 2"', 'unknown', 'delete', 'configuration'],
		['Changed role of carol@example.com to "Analyst"', 'unknown', 'update', 'account'],
		['Invalid API credentials', 'failure', null, 'api'],
		['Connector requested audit logs', 'unknown', null, 'api'],
	])('%s → outcome %s, action %s, category %s', (description, outcome, action, category) => {
		expect(normalize({ description })).toMatchObject({ description, outcome, action, category });
	});

	it('sets actor.email only for an address and keeps API key ids as the name', () => {
		expect(normalize({ actor: 'ABCD1234EF' }).actor).toEqual({ name: 'ABCD1234EF', email: null, ip: '198.51.100.7' });
		expect(normalize({ actor: 'zoë.müller@example.com' }).actor.email).toBe('zoë.müller@example.com');
		expect(normalize({ actor: 'not an@address' }).actor.email).toBeNull();
	});

	it('reads IPv4 and IPv6 addresses', () => {
		expect(normalize({ actor_ip: '2001:db8::7' }).actor.ip).toBe('2001:db8::7');
		expect(normalize({ actor_ip: '203.0.113.9' }).actor.ip).toBe('203.0.113.9');
		expect(normalize({ actor_ip: '' }).actor.ip).toBeNull();
	});

	it('normalizes the time to UTC with milliseconds, and to null when it does not parse', () => {
		expect(normalize({ create_time: '2024-05-01T10:11:12Z' }).time).toBe('2024-05-01T10:11:12.000Z');
		expect(normalize({ create_time: '2024-05-01T12:11:12.345+02:00' }).time).toBe('2024-05-01T10:11:12.345Z');
		expect(normalize({ create_time: 'yesterday' }).time).toBeNull();
	});

	it('carries the request URL and org key', () => {
		expect(normalize({ request_url: '/integrationServices/v3/device', org_key: 'ORG2' })).toMatchObject({
			requestUrl: '/integrationServices/v3/device',
			organization: 'ORG2',
		});
	});

	it('gives the same id to the same record whatever its key order, and another id to another record', () => {
		const reordered = Object.fromEntries(Object.entries(record).reverse()) as RawRecord;
		expect(normalizeCbc(reordered).id).toBe(normalize().id);
		expect(normalize({ verbose: true }).id).not.toBe(normalize().id);
	});
});
