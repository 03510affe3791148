// The OCSF output format checked against the official OCSF 1.8.0 schema data, plus exact outputs.
import type { IDataObject } from 'n8n-workflow';

import { OCSF_UNKNOWN, isOcsfIp, toOcsf, verbOf } from '../../nodes/shared/ocsf';
import type { AuditCategory, AuditItem, AuditOutcome } from '../../nodes/shared/types';
import { OcsfSchema, OcsfValidator } from './schema';

// Events are read and broken by path in these tests; typing every path would hide nothing.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = Record<string, any>;

const schema = new OcsfSchema();
const validator = new OcsfValidator(schema);

const NOW = Date.UTC(2024, 0, 2, 3, 4, 5, 6);
const now = () => NOW;
const ID = 'sha256:' + 'ab'.repeat(32);

function makeItem(overrides: Partial<AuditItem> = {}): AuditItem {
	return {
		id: ID,
		source: 'carbonBlackCloud',
		time: '2023-11-02T18:13:44.276Z',
		actor: { name: null, email: null, ip: null },
		action: null,
		category: 'other',
		description: null,
		outcome: 'unknown',
		flagged: false,
		target: { type: null, id: null, name: null },
		changes: null,
		organization: null,
		requestUrl: null,
		...overrides,
	};
}

const convert = (item: AuditItem) => toOcsf(item, 'Acme', 'Acme Audit', now);

function requiredOf(className: string): string[] {
	const cls = schema.classes.find((c) => c.name === className)!;
	return Object.values(cls.attributes)
		.filter((attr) => attr.requirement === 'required' && attr.profile === undefined)
		.map((attr) => attr.name)
		.sort();
}

const BASE_REQUIRED = [
	'activity_id',
	'category_uid',
	'class_uid',
	'metadata',
	'severity_id',
	'time',
	'type_uid',
];

describe('the OCSF schema model', () => {
	it('is the 1.8.0 data', () => {
		expect(schema.version).toBe('1.8.0');
		expect(schema.classes.map((c) => [c.name, c.uid, c.categoryUid])).toEqual([
			['authentication', 3002, 3],
			['account_change', 3001, 3],
			['entity_management', 3004, 3],
			['api_activity', 6003, 6],
		]);
	});

	it('resolves the required attributes of each class through extends', () => {
		expect(requiredOf('authentication')).toEqual([...BASE_REQUIRED, 'user'].sort());
		expect(requiredOf('account_change')).toEqual([...BASE_REQUIRED, 'user'].sort());
		expect(requiredOf('entity_management')).toEqual([...BASE_REQUIRED, 'entity'].sort());
		expect(requiredOf('api_activity')).toEqual(
			[...BASE_REQUIRED, 'actor', 'api', 'src_endpoint'].sort(),
		);
	});

	it('merges class activity enums with the base Unknown and Other', () => {
		const auth = schema.classByUid(3002)!;
		expect(
			Object.keys(auth.attributes.activity_id.enum!)
				.map(Number)
				.sort((a, b) => a - b),
		).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 99]);
	});

	it('keeps profile attributes behind their profile unless a class takes them over', () => {
		const api = schema.classByUid(6003)!;
		expect(api.attributes.cloud).toMatchObject({ requirement: 'required', profile: 'cloud' });
		expect(api.attributes.trace.profile).toBe('trace');
		expect(api.attributes.actor.profile).toBeUndefined();
		expect(api.attributes.api.profile).toBeUndefined();
		expect(schema.classByUid(3002)!.attributes.actor.profile).toBeUndefined();
	});

	it('resolves objects through extends with their own types and constraints', () => {
		const user = schema.object('user');
		expect(user.attributes.name.type).toBe('username_t');
		expect(user.attributes.email_addr.type).toBe('email_t');
		expect(user.attributes.uid.requirement).toBe('recommended');
		expect(user.constraints.at_least_one).toEqual(['account', 'name', 'uid']);
		expect(schema.object('api').attributes.operation.requirement).toBe('required');
		expect(schema.object('metadata').attributes.product.type).toBe('product');
	});
});

describe('the validator', () => {
	const valid = () =>
		convert(
			makeItem({
				category: 'authentication',
				action: 'login',
				actor: { name: 'alice', email: 'alice@example.com', ip: '10.1.2.3' },
				outcome: 'success',
				description: 'Logged in',
			}),
		) as Loose;

	const errorsAfter = (change: (event: Loose) => void) => {
		const event = valid();
		change(event);
		return validator.validate(event);
	};

	it('accepts a conforming event', () => {
		expect(validator.validate(valid())).toEqual([]);
	});

	it('reports missing required attributes, at any depth', () => {
		expect(errorsAfter((e) => delete e.user)).toEqual([
			'user: required by authentication, missing',
		]);
		expect(errorsAfter((e) => delete e.metadata.product)).toEqual([
			'metadata.product: required by metadata, missing',
		]);
		expect(errorsAfter((e) => delete e.time)).toEqual([
			'time: required by authentication, missing',
		]);
	});

	it('reports attributes the class or object does not define', () => {
		expect(errorsAfter((e) => (e.flagged = true))).toEqual([
			'flagged: not an attribute of authentication',
		]);
		expect(errorsAfter((e) => (e.actor.user.ip = '10.1.2.3'))).toEqual([
			'actor.user.ip: not an attribute of user',
		]);
		expect(errorsAfter((e) => (e.entity = { name: 'x' }))).toEqual([
			'entity: not an attribute of authentication',
		]);
	});

	it('reports profile attributes used without declaring the profile', () => {
		expect(errorsAfter((e) => (e.is_alert = true))).toEqual([
			'is_alert: needs profile security_control',
		]);
		expect(
			errorsAfter((e) => {
				e.is_alert = true;
				e.metadata.profiles = ['security_control'];
			}),
		).toEqual([]);
		expect(errorsAfter((e) => (e.metadata.profiles = ['cloud']))).toEqual([
			'cloud: required by authentication, missing',
		]);
	});

	it('reports nulls, wrong types and malformed scalars', () => {
		expect(errorsAfter((e) => (e.message = null))).toEqual(['message: null']);
		expect(errorsAfter((e) => (e.time = '2023-11-02T18:13:44.276Z'))).toEqual([
			'time: "2023-11-02T18:13:44.276Z" is not timestamp_t',
		]);
		expect(errorsAfter((e) => (e.time = 1698948824))).toEqual([
			'time: 1698948824 is not epoch milliseconds',
		]);
		expect(errorsAfter((e) => (e.actor.user.email_addr = 'alice@localhost'))).toEqual([
			'actor.user.email_addr: "alice@localhost" does not match email_t',
		]);
		expect(errorsAfter((e) => (e.src_endpoint.ip = 'gateway'))).toEqual([
			'src_endpoint.ip: "gateway" does not match ip_t',
		]);
		expect(errorsAfter((e) => (e.metadata.product = 'Acme'))).toEqual([
			'metadata.product: not a product object',
		]);
		expect(errorsAfter((e) => (e.metadata.profiles = 'cloud'))).toEqual([
			'metadata.profiles: not an array',
		]);
	});

	it('reports enum values the class does not define and inconsistent classification', () => {
		expect(errorsAfter((e) => (e.status_id = 7))).toEqual([
			'status_id: 7 not in enum of status_id',
		]);
		expect(errorsAfter((e) => (e.status = 'Failure'))).toEqual([
			'status: "Failure", expected "Success"',
		]);
		expect(errorsAfter((e) => (e.type_uid = 300202))).toEqual([
			'type_uid: 300202, expected 300201',
		]);
		expect(errorsAfter((e) => (e.category_uid = 6))).toEqual([
			'category_uid: 6 not in enum of category_uid',
		]);
		expect(errorsAfter((e) => (e.class_name = 'Account Change'))).toEqual([
			'class_name: "Account Change", expected "Authentication"',
		]);
		expect(errorsAfter((e) => (e.class_uid = 3001)).sort()).toEqual([
			'activity_name: "Logon", expected "Create"',
			'class_name: "Authentication", expected "Account Change"',
			'service: not an attribute of account_change',
			'type_name: "Authentication: Logon", expected "Account Change: Create"',
			'type_uid: 300201, expected 300101',
		]);
		expect(errorsAfter((e) => (e.metadata.version = '1.3.0'))).toEqual([
			'metadata.version: "1.3.0", expected "1.8.0"',
		]);
		expect(
			errorsAfter((e) => {
				e.activity_id = 8;
				e.type_uid = 300208;
			}),
		).toEqual(['activity_id: 8 not in enum of activity_id']);
	});

	it('reports broken constraints and deprecated attributes', () => {
		expect(errorsAfter((e) => (e.user = { email_addr: 'alice@example.com' }))).toEqual([
			'user: needs at least one of account, name, uid',
		]);
		expect(errorsAfter((e) => delete e.service)).toEqual([
			'authentication: needs at least one of service, dst_endpoint',
		]);
		const change = convert(makeItem({ category: 'account' })) as IDataObject;
		change.policy = { name: 'admins', uid: 'p-1' };
		expect(validator.validate(change)).toEqual(['policy: deprecated']);
	});
});

const CATEGORIES: AuditCategory[] = [
	'authentication',
	'account',
	'configuration',
	'policy',
	'api',
	'other',
];
const OUTCOMES: AuditOutcome[] = ['success', 'failure', 'unknown'];
const ACTIONS = [
	null,
	'login',
	'logout',
	'create',
	'read',
	'update',
	'delete',
	'export',
	'enable',
	'disable',
	'lock',
	'unlock',
	'change_password',
	'reset_password',
	'attach_policy',
	'enable_mfa',
	'rename',
	'enroll',
	'unenroll',
	'activate',
	'suspend',
	'Log In',
	'user.created',
	'frobnicate',
];
const ACTORS: AuditItem['actor'][] = [
	{ name: null, email: null, ip: null },
	{ name: 'alice', email: null, ip: '50.215.71.123' },
	{ name: 'bob@example.com', email: 'bob@example.com', ip: '2001:db8::8a2e:370:7334' },
	{ name: null, email: 'carol@example.org', ip: '::ffff:10.0.0.1' },
	{ name: 'dave', email: 'dave@localhost', ip: 'not-an-ip' },
	// Valid IPv6, but longer than the 40 characters ip_t allows.
	{ name: null, email: null, ip: '0000:0000:0000:0000:0000:ffff:192.168.100.200' },
];
const TIMES = ['2024-03-05T09:10:11.120Z', null];
const EXTRAS: Partial<AuditItem>[] = [
	{},
	{
		flagged: true,
		description: 'Changed the default policy',
		target: { type: 'policy', id: 'p-7', name: 'Default' },
		changes: { before: { mode: 'audit' }, after: { mode: 'block' } },
		organization: 'ORG1',
		requestUrl: 'https://defense.example.com/appservices/v6/orgs/ORG1/policies/7',
		raw: { any: ['vendor', { shape: null }] },
		verification: { hash: 'pass', signature: 'none', membership: 'pending', consistency: 'none' },
	},
	{ target: { type: null, id: null, name: 'host-1' } },
];

const CLASS_BY_CATEGORY: Record<AuditCategory, number> = {
	authentication: 3002,
	account: 3001,
	configuration: 3004,
	policy: 3004,
	api: 6003,
	other: 6003,
};
const STATUS_BY_OUTCOME: Record<AuditOutcome, number> = { success: 1, failure: 2, unknown: 0 };

function* generatedItems(): Generator<AuditItem> {
	for (const category of CATEGORIES)
		for (const outcome of OUTCOMES)
			for (const action of ACTIONS)
				for (const actor of ACTORS)
					for (const time of TIMES)
						for (const extra of EXTRAS)
							yield makeItem({ category, outcome, action, actor, time, ...extra });
}

/** What the output must say about the item, beyond conforming to the schema. */
function semanticProblems(item: AuditItem, event: Loose): string[] {
	const problems: string[] = [];
	const check = (what: string, ok: boolean) => ok || problems.push(what);
	check('class', event.class_uid === CLASS_BY_CATEGORY[item.category]);
	check('status', event.status_id === STATUS_BY_OUTCOME[item.outcome]);
	check('time', event.time === (item.time ? Date.parse(item.time) : NOW));
	check('original_time', event.metadata.original_time === (item.time ?? undefined));
	check('uid', event.metadata.uid === item.id);
	check('vendor', event.metadata.product.vendor_name === 'Acme');
	check('severity', event.severity_id === (item.flagged ? 3 : 1));
	check('message', event.message === (item.description ?? undefined));
	const ip = item.actor.ip;
	check('ip', event.src_endpoint?.ip === (ip && isOcsfIp(ip) ? ip : undefined));
	check('ip kept', !ip || isOcsfIp(ip) || event.unmapped.actor?.ip === ip);
	const name = item.actor.name ?? item.actor.email;
	const actorName = event.actor?.user?.name;
	check('actor', actorName === (name ?? (event.class_uid === 6003 ? OCSF_UNKNOWN : undefined)));
	check('flagged', event.unmapped.flagged === item.flagged);
	check('changes', event.unmapped.changes === (item.changes ?? undefined));
	check('organization', event.unmapped.organization === (item.organization ?? undefined));
	check('requestUrl', event.unmapped.requestUrl === (item.requestUrl ?? undefined));
	check('raw', event.unmapped.raw === item.raw);
	check('activity 0 only without action', (event.activity_id === 0) === (item.action === null));
	check('other keeps the action', event.activity_id !== 99 || event.activity_name === item.action);
	return problems;
}

describe('toOcsf on generated items', () => {
	it('emits schema-conforming events that say what the item says, for every combination', () => {
		const failures: string[] = [];
		let count = 0;
		for (const item of generatedItems()) {
			count++;
			const event = convert(item);
			const problems = [...validator.validate(event), ...semanticProblems(item, event)];
			if (problems.length > 0 && failures.length < 10) {
				failures.push(`${JSON.stringify(item)}\n  -> ${problems.join('; ')}`);
			}
		}
		expect(failures).toEqual([]);
		expect(count).toBe(
			CATEGORIES.length * OUTCOMES.length * ACTIONS.length * ACTORS.length * 2 * EXTRAS.length,
		);
	});

	it('puts the activity each class defines for the action', () => {
		const activity = (category: AuditCategory, action: string | null) =>
			convert(makeItem({ category, action })).activity_id;
		expect(activity('authentication', 'login')).toBe(1);
		expect(activity('authentication', 'Log In')).toBe(1);
		expect(activity('authentication', 'user_sign_in')).toBe(1);
		expect(activity('authentication', 'logout')).toBe(2);
		expect(activity('authentication', 'create')).toBe(99);
		expect(activity('authentication', null)).toBe(0);
		expect(activity('account', 'user.created')).toBe(1);
		expect(activity('account', 'change_password')).toBe(3);
		expect(activity('account', 'reset_password')).toBe(4);
		expect(activity('account', 'delete')).toBe(6);
		expect(activity('account', 'enable_mfa')).toBe(10);
		expect(activity('account', 'unlock')).toBe(12);
		expect(activity('account', 'update')).toBe(99);
		expect(activity('configuration', 'Edit')).toBe(3);
		expect(activity('policy', 'rename')).toBe(5);
		expect(activity('policy', 'resume')).toBe(13);
		expect(activity('api', 'export')).toBe(2);
		expect(activity('other', 'removed')).toBe(4);
		expect(activity('other', 'enroll')).toBe(99);
	});

	it('finds the verb inside vendor action words', () => {
		expect(verbOf('Change Password')).toBe('passwordChange');
		expect(verbOf('user_password_changed')).toBe('passwordChange');
		expect(verbOf('LOGIN_FAILED')).toBe('login');
		expect(verbOf('policy.attached')).toBe('attachPolicy');
		expect(verbOf('heartbeat')).toBeUndefined();
		expect(verbOf('')).toBeUndefined();
	});

	it('accepts only IP addresses that ip_t accepts', () => {
		const ipT = new RegExp(schema.types.ip_t.regex);
		for (const ip of ['0.0.0.0', '255.255.255.255', '::', '::1', 'fe80::1', '1:2:3:4:5:6:7:8']) {
			expect([ip, isOcsfIp(ip), ipT.test(ip)]).toEqual([ip, true, true]);
		}
		for (const ip of [
			'256.1.1.1',
			'10.0.0.256',
			'1.2.3',
			'1:2:3:4:5:6:7:8:9',
			'1::2::3',
			'fe80::1%eth0',
			'x',
		]) {
			expect([ip, isOcsfIp(ip)]).toEqual([ip, false]);
		}
	});

	it('treats empty strings from a vendor as missing', () => {
		const event = convert(
			makeItem({
				category: 'account',
				actor: { name: '', email: 'eve@example.com', ip: '' },
				target: { type: 'user', id: '', name: '' },
			}),
		);
		expect(event.actor).toEqual({
			user: { name: 'eve@example.com', email_addr: 'eve@example.com' },
		});
		expect(event.user).toEqual({ name: OCSF_UNKNOWN });
		expect(event).not.toHaveProperty('src_endpoint');
		expect(validator.validate(event)).toEqual([]);
	});

	it('is pure for items with a time', () => {
		const item = makeItem({ category: 'api', action: 'read', actor: ACTORS[2] });
		expect(toOcsf(item, 'Acme', 'Acme Audit', () => 1)).toEqual(toOcsf(item, 'Acme', 'Acme Audit'));
	});
});

describe('toOcsf exact output', () => {
	it('maps a Carbon Black Cloud login to Authentication: Logon', () => {
		const raw = { org_key: 'ABCD1234', actor: 'user1@mydomain.com', flagged: false };
		const item = makeItem({
			actor: { name: 'user1@mydomain.com', email: 'user1@mydomain.com', ip: '50.215.71.123' },
			action: 'login',
			category: 'authentication',
			description: 'Logged in successfully',
			outcome: 'success',
			organization: 'ABCD1234',
			raw,
		});
		const user = { name: 'user1@mydomain.com', email_addr: 'user1@mydomain.com' };
		expect(toOcsf(item, 'Broadcom', 'Carbon Black Cloud')).toEqual({
			category_uid: 3,
			category_name: 'Identity & Access Management',
			class_uid: 3002,
			class_name: 'Authentication',
			activity_id: 1,
			activity_name: 'Logon',
			type_uid: 300201,
			type_name: 'Authentication: Logon',
			severity_id: 1,
			severity: 'Informational',
			time: 1698948824276,
			status_id: 1,
			status: 'Success',
			message: 'Logged in successfully',
			metadata: {
				version: '1.8.0',
				product: { name: 'Carbon Black Cloud', vendor_name: 'Broadcom' },
				uid: ID,
				original_time: '2023-11-02T18:13:44.276Z',
				tenant_uid: 'ABCD1234',
			},
			src_endpoint: { ip: '50.215.71.123' },
			user,
			service: { name: 'Carbon Black Cloud' },
			actor: { user },
			unmapped: {
				source: 'carbonBlackCloud',
				category: 'authentication',
				flagged: false,
				organization: 'ABCD1234',
				raw,
			},
		});
	});

	it('maps a failed Cortex XDR configuration edit to Entity Management: Update', () => {
		const item = makeItem({
			id: '4711',
			source: 'cortexXdr',
			time: '2024-03-05T09:10:11.120Z',
			actor: { name: 'Jane Doe', email: 'jane@corp.example', ip: null },
			action: 'edit',
			category: 'configuration',
			description: 'Edited the exclusion list',
			outcome: 'failure',
			target: { type: null, id: null, name: 'host-1' },
		});
		expect(toOcsf(item, 'Palo Alto Networks', 'Cortex XDR')).toEqual({
			category_uid: 3,
			category_name: 'Identity & Access Management',
			class_uid: 3004,
			class_name: 'Entity Management',
			activity_id: 3,
			activity_name: 'Update',
			type_uid: 300403,
			type_name: 'Entity Management: Update',
			severity_id: 1,
			severity: 'Informational',
			time: 1709629811120,
			status_id: 2,
			status: 'Failure',
			message: 'Edited the exclusion list',
			metadata: {
				version: '1.8.0',
				product: { name: 'Cortex XDR', vendor_name: 'Palo Alto Networks' },
				uid: '4711',
				original_time: '2024-03-05T09:10:11.120Z',
			},
			entity: { name: 'host-1', type: 'configuration' },
			actor: { user: { name: 'Jane Doe', email_addr: 'jane@corp.example' } },
			unmapped: {
				source: 'cortexXdr',
				category: 'configuration',
				flagged: false,
				target: { name: 'host-1' },
			},
		});
	});

	it('maps a Cisco Secure Endpoint user deletion to Account Change: Delete of the target', () => {
		const changes = { before: { email: 'bob@corp.example' }, after: null };
		const item = makeItem({
			source: 'ciscoSecureEndpoint',
			time: '2024-05-06T07:08:09.000Z',
			actor: { name: 'admin@corp.example', email: 'admin@corp.example', ip: null },
			action: 'delete',
			category: 'account',
			description: 'delete user',
			target: { type: 'user', id: '1234', name: 'bob@corp.example' },
			changes,
		});
		const event = toOcsf(item, 'Cisco', 'Cisco Secure Endpoint');
		expect(event).toMatchObject({
			class_uid: 3001,
			class_name: 'Account Change',
			activity_id: 6,
			activity_name: 'Delete',
			type_uid: 300106,
			type_name: 'Account Change: Delete',
			time: 1714979289000,
			status_id: 0,
			status: 'Unknown',
			user: { uid: '1234', name: 'bob@corp.example' },
			actor: { user: { name: 'admin@corp.example', email_addr: 'admin@corp.example' } },
		});
		expect(event.unmapped).toEqual({
			source: 'ciscoSecureEndpoint',
			category: 'account',
			flagged: false,
			target: { type: 'user', id: '1234', name: 'bob@corp.example' },
			changes,
		});
		expect(event).not.toHaveProperty('src_endpoint');
		expect(validator.validate(event)).toEqual([]);
	});

	it('fills what API Activity requires when a Pangea event has no actor, ip or time', () => {
		const verification = {
			hash: 'pass',
			signature: 'none',
			membership: 'pending',
			consistency: 'none',
		} as const;
		const item = makeItem({
			id: 'pangea-hash',
			source: 'pangea',
			time: null,
			actor: { name: null, email: null, ip: 'fe80::1%eth0' },
			action: 'export',
			category: 'api',
			flagged: true,
			target: { type: 'report', id: 'r-1', name: null },
			requestUrl: '/v1/export',
			verification,
		});
		expect(convert(item)).toEqual({
			category_uid: 6,
			category_name: 'Application Activity',
			class_uid: 6003,
			class_name: 'API Activity',
			activity_id: 2,
			activity_name: 'Read',
			type_uid: 600302,
			type_name: 'API Activity: Read',
			severity_id: 3,
			severity: 'Medium',
			time: NOW,
			status_id: 0,
			status: 'Unknown',
			metadata: {
				version: '1.8.0',
				product: { name: 'Acme Audit', vendor_name: 'Acme' },
				uid: 'pangea-hash',
			},
			http_request: { url: { url_string: '/v1/export' } },
			actor: { user: { name: OCSF_UNKNOWN } },
			api: { operation: 'export' },
			src_endpoint: { name: OCSF_UNKNOWN },
			resources: [{ uid: 'r-1', type: 'report', role_id: 1, role: 'Target' }],
			unmapped: {
				source: 'pangea',
				category: 'api',
				flagged: true,
				target: { type: 'report', id: 'r-1' },
				requestUrl: '/v1/export',
				actor: { ip: 'fe80::1%eth0' },
				timeUnknown: true,
				verification,
			},
		});
	});

	it('keeps an action no activity fits as Other with the vendor word', () => {
		const event = convert(makeItem({ action: 'frobnicate', actor: ACTORS[1] }));
		expect(event).toMatchObject({
			class_uid: 6003,
			activity_id: 99,
			activity_name: 'frobnicate',
			type_uid: 600399,
			type_name: 'API Activity: Other',
			api: { operation: 'frobnicate' },
			actor: { user: { name: 'alice' } },
			src_endpoint: { ip: '50.215.71.123' },
		});
	});
});
