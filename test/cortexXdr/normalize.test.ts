// Cortex XDR pure parts: records shaped like the documented examples → audit items, error bodies, the API URL.
import type { IDataObject } from 'n8n-workflow';

import { cortexXdr, describeCortexError } from '../../nodes/shared/sources/cortexXdr';
import { cortexBaseUrl } from '../../nodes/shared/sources/cortexXdr/request';
import { expectEveryKey } from '../support/auditItemKeys';

const normalize = (raw: IDataObject) => {
	const item = cortexXdr.normalize(raw);
	expectEveryKey(item);
	expect(item.raw).toBe(raw);
	return item;
};

describe('Cortex XDR normalization', () => {
	it('maps the vendor-apis.md example', () => {
		const raw = {
			AUDIT_ID: 4711,
			AUDIT_OWNER_NAME: 'Alice',
			AUDIT_OWNER_EMAIL: 'alice@example.com',
			AUDIT_RESULT: 'SUCCESS',
			AUDIT_ENTITY: 'AUTH',
			AUDIT_ENTITY_SUBTYPE: 'Login',
			AUDIT_DESCRIPTION: null,
			AUDIT_INSERT_TIME: 1714521601234,
		};

		expect(normalize(raw)).toEqual({
			id: '4711',
			source: 'cortexXdr',
			time: '2024-05-01T00:00:01.234Z',
			actor: { name: 'Alice', email: 'alice@example.com', ip: null },
			action: 'login',
			category: 'authentication',
			description: 'AUTH Login',
			outcome: 'success',
			flagged: false,
			target: { type: null, id: null, name: null },
			changes: null,
			organization: null,
			requestUrl: null,
			raw,
		});
	});

	it('maps an older record whose asset JSON is a string', () => {
		const item = normalize({
			AUDIT_ID: 3,
			AUDIT_OWNER_NAME: 'Moo Moo',
			AUDIT_OWNER_EMAIL: 'moo@example.com',
			AUDIT_ASSET_JSON: '{}',
			AUDIT_ASSET_NAMES: '',
			AUDIT_HOSTNAME: null,
			AUDIT_RESULT: 'SUCCESS',
			AUDIT_REASON: null,
			AUDIT_DESCRIPTION:
				"Created a Windows Standalone installer installation package 'Windows Server 2016' with agent version 7.0.0.27797",
			AUDIT_ENTITY: 'DISTRIBUTIONS',
			AUDIT_ENTITY_SUBTYPE: 'Create',
			AUDIT_SESSION_ID: null,
			AUDIT_CASE_ID: null,
			AUDIT_INSERT_TIME: 1575795537242,
		});

		expect(item).toMatchObject({
			id: '3',
			time: '2019-12-08T08:58:57.242Z',
			action: 'create',
			category: 'configuration',
			description: expect.stringMatching(/^Created a Windows Standalone installer/),
			target: { type: null, id: null, name: null },
		});
	});

	it('maps a newer record by an API key, with a source IP, an asset object and a failure', () => {
		const item = normalize({
			AUDIT_ID: 90210,
			AUDIT_OWNER_NAME: 'Public API - 1',
			AUDIT_OWNER_EMAIL: '',
			AUDIT_ASSET_JSON: { id: 311, name: 'LAPTOP-07' },
			AUDIT_ASSET_NAMES: 'LAPTOP-07',
			AUDIT_HOSTNAME: 'LAPTOP-07',
			AUDIT_RESULT: 'FAIL',
			AUDIT_REASON: 'Permission denied',
			AUDIT_DESCRIPTION: 'Isolated endpoint',
			AUDIT_ENTITY: 'RESPONSE',
			AUDIT_ENTITY_SUBTYPE: 'Isolate',
			AUDIT_INSERT_TIME: 1714521601000,
			AUDIT_SEVERITY: 'SEV_030_MEDIUM',
			AUDIT_LINK: null,
			AUDIT_SOURCE_IP: '198.51.100.7',
			AUDIT_USER_AGENT: 'python-requests/2.31.0',
			AUDIT_USER_ROLES: [],
			AUDIT_ADDITIONAL_INFORMATION: { previous_status: 'New' },
		});

		expect(item).toMatchObject({
			id: '90210',
			actor: { name: 'Public API - 1', email: null, ip: '198.51.100.7' },
			action: 'isolate',
			description: 'Isolated endpoint',
			outcome: 'failure',
			target: { type: 'response', id: '311', name: 'LAPTOP-07' },
		});
	});

	it.each([
		['PUBLIC_API', 'Create Key', 'api'],
		['RBAC', 'Edit Role', 'account'],
		['POLICY_PROFILES', 'Edit', 'policy'],
		['AUTH', 'Logout', 'authentication'],
		['INCIDENT_MANAGEMENT', 'Change Status', 'other'],
	])('puts entity %s in a category', (entity, subtype, category) => {
		expect(
			normalize({
				AUDIT_ID: 1,
				AUDIT_ENTITY: entity,
				AUDIT_ENTITY_SUBTYPE: subtype,
				AUDIT_INSERT_TIME: 0,
			}).category,
		).toBe(category);
	});

	it('keeps a record whose time does not parse, with time null and a content id when AUDIT_ID is missing', () => {
		const item = normalize({
			AUDIT_OWNER_NAME: 'x',
			AUDIT_INSERT_TIME: 'yesterday',
			AUDIT_RESULT: 'PARTIAL',
		});

		expect(item.time).toBeNull();
		expect(item.id).toMatch(/^sha256:[0-9a-f]{64}$/);
		expect(item.outcome).toBe('unknown');
		expect(item.description).toBeNull();
	});
});

describe('Cortex XDR error bodies', () => {
	it('reads reply.err_code, err_msg and err_extra', () => {
		expect(
			describeCortexError(400, {
				reply: { err_code: 500, err_msg: 'Bad filter', err_extra: 'field foo' },
			}),
		).toEqual({
			message: 'Bad filter (error 500): field foo',
			description: expect.stringMatching(/Cortex filters/),
			retryable: false,
		});
	});

	it('treats a rate-limit message as retryable whatever the status', () => {
		expect(describeCortexError(500, { reply: { err_msg: 'Too many requests' } })?.retryable).toBe(
			true,
		);
	});

	it('says nothing for an unknown status without a body', () => {
		expect(describeCortexError(500, '<html>')).toBeUndefined();
	});
});

describe('Cortex XDR API URL', () => {
	it.each([
		['https://acme.xdr.us.paloaltonetworks.com', 'https://api-acme.xdr.us.paloaltonetworks.com'],
		[
			'https://api-acme.xdr.us.paloaltonetworks.com/',
			'https://api-acme.xdr.us.paloaltonetworks.com',
		],
		['acme.xdr.eu.paloaltonetworks.com', 'https://api-acme.xdr.eu.paloaltonetworks.com'],
		[
			'https://api-acme.xdr.us.paloaltonetworks.com/public_api/v1/',
			'https://api-acme.xdr.us.paloaltonetworks.com',
		],
		['http://127.0.0.1:8080/', 'http://127.0.0.1:8080'],
		['http://localhost:3000/cortex', 'http://localhost:3000/cortex'],
	])('%s → %s', (pasted, expected) => {
		expect(cortexBaseUrl(pasted)).toBe(expected);
	});
});
