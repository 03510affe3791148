// Cisco Secure Endpoint pure parts: documented record shapes → audit items, content ids, error bodies, hosts.
import type { IDataObject } from 'n8n-workflow';

import { canonicalJson, sha256Hex } from '../../nodes/shared/canonical';
import {
	ciscoSecureEndpoint,
	describeCiscoError,
} from '../../nodes/shared/sources/ciscoSecureEndpoint';
import {
	ciscoBaseUrl,
	ciscoTime,
	nextOffset,
} from '../../nodes/shared/sources/ciscoSecureEndpoint/request';
import { ciscoCategory } from '../../nodes/shared/sources/ciscoSecureEndpoint/normalize';
import { expectEveryKey } from '../support/auditItemKeys';

const normalize = (raw: IDataObject) => {
	const item = ciscoSecureEndpoint.normalize(raw);
	expectEveryKey(item);
	expect(item.raw).toBe(raw);
	return item;
};

// The two records of vendor-apis.md 3.3.
const GROUP_UPDATE = {
	event: 'update',
	audit_log_type: 'Group',
	audit_log_id: '0b6c…',
	audit_log_user: 'bob@example.com',
	created_at: '2024-05-01T09:00:05Z',
	old_attributes: { name: 'Lab' },
	new_attributes: { name: 'Lab-2' },
};
const USER_LOGIN = {
	event: 'login',
	audit_log_type: 'User',
	audit_log_id: '7d1e…',
	audit_log_user: 'bob@example.com',
	created_at: '2024-05-01T08:59:40Z',
};

describe('Cisco Secure Endpoint normalization', () => {
	it('maps a change with its old and new attributes', () => {
		expect(normalize(GROUP_UPDATE)).toEqual({
			id: `sha256:${sha256Hex(canonicalJson(GROUP_UPDATE))}`,
			source: 'ciscoSecureEndpoint',
			time: '2024-05-01T09:00:05.000Z',
			actor: { name: 'bob@example.com', email: 'bob@example.com', ip: null },
			action: 'update',
			category: 'configuration',
			description: 'update Group "Lab-2"',
			outcome: 'unknown',
			flagged: false,
			target: { type: 'Group', id: '0b6c…', name: 'Lab-2' },
			changes: { before: { name: 'Lab' }, after: { name: 'Lab-2' } },
			organization: null,
			requestUrl: null,
			raw: GROUP_UPDATE,
		});
	});

	it('maps a login without attributes', () => {
		expect(normalize(USER_LOGIN)).toMatchObject({
			time: '2024-05-01T08:59:40.000Z',
			action: 'login',
			category: 'authentication',
			description: 'login User',
			target: { type: 'User', id: '7d1e…', name: null },
			changes: null,
		});
	});

	it('maps a connector acting on itself: no email, the GUID as actor and target', () => {
		const guid = '5e6f7a8b-1234-4c3b-9a8e-0123456789ab';
		const item = normalize({
			event: 'update',
			audit_log_type: 'Computer',
			audit_log_id: guid,
			audit_log_user: guid,
			created_at: '2024-05-01T10:00:00Z',
			old_attributes: { group_guid: 'a' },
			new_attributes: { group_guid: 'b', hostname: 'LAPTOP-07' },
		});

		expect(item).toMatchObject({
			actor: { name: guid, email: null, ip: null },
			category: 'configuration',
			target: { type: 'Computer', id: guid, name: 'LAPTOP-07' },
			changes: { before: { group_guid: 'a' }, after: { group_guid: 'b', hostname: 'LAPTOP-07' } },
		});
	});

	it('names a deleted object from its old attributes and puts blocking lists under policy', () => {
		const item = normalize({
			event: 'delete',
			audit_log_type: 'ApplicationBlockingList',
			audit_log_id: 'c0ffee00-0000-4000-8000-000000000001',
			audit_log_user: 'alice@example.com',
			created_at: '2024-05-01T11:00:00Z',
			old_attributes: { name: 'Old list', description: 'x' },
			new_attributes: { name: null, description: null },
		});

		expect(item).toMatchObject({
			category: 'policy',
			target: { name: 'Old list' },
			description: 'delete ApplicationBlockingList "Old list"',
		});
	});

	it('gives the same id to the same record whatever its key order, and another to one a second later', () => {
		const reordered = Object.fromEntries(Object.entries(GROUP_UPDATE).reverse()) as IDataObject;
		const later = { ...GROUP_UPDATE, created_at: '2024-05-01T09:00:06Z' };

		expect(normalize(reordered).id).toBe(normalize(GROUP_UPDATE).id);
		expect(normalize(later).id).not.toBe(normalize(GROUP_UPDATE).id);
	});

	it.each([
		['update', 'User', 'account'],
		['update', 'Policy', 'policy'],
		['create', 'ApplicationAllowedList', 'policy'],
		['move', 'Computer', 'configuration'],
		['create', 'ApiCredential', 'api'],
		['logout', 'User', 'authentication'],
	])('puts a %s of a %s in %s', (event, type, category) => {
		expect(
			normalize({ event, audit_log_type: type, created_at: '2024-05-01T11:00:00Z' }).category,
		).toBe(category);
	});

	it('keeps a record whose time does not parse', () => {
		const item = normalize({ event: 'login', created_at: 'not a time' });

		expect(item.time).toBeNull();
		expect(item.actor).toEqual({ name: null, email: null, ip: null });
	});
});

describe('Cisco Secure Endpoint request parts', () => {
	it('reads the error envelope', () => {
		expect(
			describeCiscoError(400, {
				version: 'v1.2.0',
				data: {},
				errors: [
					{
						error_code: 400,
						description: 'Bad Request',
						details: ['Unknown parameter: foo', 'limit must be an integer'],
					},
				],
			}),
		).toEqual({
			message: 'Bad Request: Unknown parameter: foo; limit must be an integer',
			description: expect.stringMatching(/filter/),
		});
		expect(describeCiscoError(403, '')).toEqual({
			message: 'HTTP 403',
			description: expect.stringMatching(/API Credentials/),
		});
		expect(describeCiscoError(502, '<html>')).toBeUndefined();
	});

	it.each([
		[{ region: 'nam' }, 'https://api.amp.cisco.com'],
		[{ region: 'eu' }, 'https://api.eu.amp.cisco.com'],
		[{ region: 'apjc' }, 'https://api.apjc.amp.cisco.com'],
		[{ region: 'custom', baseUrl: 'amp-proxy.example.test/' }, 'https://amp-proxy.example.test'],
		[
			{ region: 'custom', baseUrl: 'https://api.amp.cisco.com/v1/audit_logs' },
			'https://api.amp.cisco.com',
		],
	])('host of %j is %s', (credential, host) => {
		expect(ciscoBaseUrl(credential)).toBe(host);
	});

	it('writes times with an explicit offset and reads offsets from next links', () => {
		expect(ciscoTime(Date.parse('2024-05-01T00:00:00Z'))).toBe('2024-05-01T00:00:00+00:00');
		expect(nextOffset('https://api.eu.amp.cisco.com/v1/audit_logs?limit=2&offset=2')).toBe(2);
		expect(nextOffset('/v1/audit_logs?limit=2')).toBeUndefined();
		expect(nextOffset(undefined)).toBeUndefined();
	});
});

describe('Cisco categories', () => {
	it('works out each (event, type) category once, with the same answer', () => {
		for (const [event, type] of [
			['login', 'User'],
			['update', 'ApplicationBlockingList'],
			['update', 'ApplicationBlockingList'],
			['create', null],
		] as const) {
			const record = { event, audit_log_type: type, created_at: '2024-05-01T11:00:00Z' };
			expect(normalize(record).category).toBe(ciscoCategory(event, type));
		}
	});
});
