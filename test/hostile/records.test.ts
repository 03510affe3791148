// Vendor records with fields named __proto__, constructor and prototype (JSON.parse makes them own
// keys) stay plain data through the real node, in every output format: in `raw`, in canonical JSON
// and content ids, in changes, and no object anywhere gains a property or a prototype from them.
import type { IDataObject, INodeParameters } from 'n8n-workflow';
import { canonicalJson, contentId } from '../../nodes/shared/canonical';
import { jsonOf } from '../support/auditLog';
import { tally } from '../support/tally';
import { runVendor, startServer, VENDORS, type LocalServer, type Vendor } from './servers';

/** The hostile members, as JSON text: parsing it is what makes `__proto__` an own key. */
const HOSTILE_TEXT = '{"__proto__":{"polluted":"yes","isAdmin":true},"constructor":{"prototype":{"polluted":"yes"}},"prototype":{"polluted":"yes"}}';
const hostile = (): IDataObject => JSON.parse(HOSTILE_TEXT) as IDataObject;
const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype'];

const time = new Date(Date.now() - 3_600_000);
const iso = time.toISOString();

/** One record per vendor, hostile at the top and inside what the normalizer reads. */
const RECORDS: Record<Vendor['id'], () => IDataObject> = {
	carbonBlackCloud: () => ({
		...hostile(),
		org_key: 'HOSTORG1',
		actor: 'alice@example.com',
		actor_ip: '198.51.100.7',
		description: 'Logged in successfully',
		flagged: false,
		verbose: false,
		request_url: null,
		create_time: iso,
	}),
	cortexXdr: () => ({
		...hostile(),
		AUDIT_ID: 4711,
		AUDIT_OWNER_EMAIL: 'alice@example.com',
		AUDIT_DESCRIPTION: 'User logged in',
		AUDIT_ENTITY: 'AUTH',
		AUDIT_ENTITY_SUBTYPE: 'Login',
		AUDIT_RESULT: 'SUCCESS',
		AUDIT_ASSET_JSON: hostile(),
		AUDIT_INSERT_TIME: time.getTime(),
	}),
	ciscoSecureEndpoint: () => ({
		...hostile(),
		event: 'update',
		audit_log_type: 'Group',
		audit_log_id: '2f8d4c2e-1111-4222-8333-444455556666',
		audit_log_user: 'alice@example.com',
		old_attributes: hostile(),
		new_attributes: { ...hostile(), name: 'Lab' },
		created_at: iso.replace(/\.\d{3}Z$/, '+00:00'),
	}),
	pangea: () => ({
		...hostile(),
		envelope: {
			...hostile(),
			event: { ...hostile(), actor: 'alice@example.com', action: 'constructor', message: 'hostile', new: HOSTILE_TEXT },
			received_at: iso,
		},
		hash: 'a'.repeat(64),
	}),
};

let server: LocalServer;
let vendor = VENDORS[0];

beforeAll(async () => {
	server = await startServer((_req, res) => {
		// Serialized with the hostile keys as own members: exactly the JSON a server would send.
		res.writeHead(200, { 'content-type': 'application/json' });
		res.end(JSON.stringify(vendor.page([RECORDS[vendor.id]()])));
	});
});
afterAll(async () => await server.close());

function expectNothingPolluted(): void {
	const probe: IDataObject = {};
	expect(probe.polluted).toBeUndefined();
	expect(probe.isAdmin).toBeUndefined();
	expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
	expect((Object as unknown as IDataObject).polluted).toBeUndefined();
}

/** Own hostile keys with their data, and the ordinary prototype (or none): plain data. */
function expectPlainHostile(value: unknown): void {
	const object = value as IDataObject;
	for (const key of HOSTILE_KEYS) expect(Object.prototype.hasOwnProperty.call(object, key)).toBe(true);
	expect([Object.prototype, null]).toContain(Object.getPrototypeOf(object));
	expect(JSON.stringify(object.__proto__)).toBe('{"polluted":"yes","isAdmin":true}');
	expect(object.isAdmin).toBeUndefined();
}

describe.each(VENDORS.map((v) => [v.id, v] as const))('%s', (_id, v) => {
	const search = (options: INodeParameters): INodeParameters => ({ operation: 'search', returnAll: false, limit: 10, filters: { range: '-1d' }, options });

	it('keeps the fields as plain data in raw, in canonical JSON and in the id', async () => {
		vendor = v;
		const [item] = jsonOf(await runVendor(v, server.origin, search({ includeRaw: true })));

		expectNothingPolluted();
		expect(Object.getPrototypeOf(item)).toBe(Object.prototype);
		const raw = item.raw as IDataObject;
		expectPlainHostile(raw);
		const sent = JSON.parse(JSON.stringify(v.page([RECORDS[v.id]()]))) as IDataObject;
		const record = JSON.parse(JSON.stringify(raw)) as IDataObject;
		expect(canonicalJson(raw)).toBe(canonicalJson(record));
		expect(canonicalJson(raw)).toContain('"__proto__":{"isAdmin":true,"polluted":"yes"}');
		if (v.id === 'carbonBlackCloud' || v.id === 'ciscoSecureEndpoint') {
			expect(item.id).toBe(contentId(record));
			// The hostile members are part of the id: the same record without them has another.
			const plain = Object.fromEntries(Object.entries(record).filter(([key]) => !HOSTILE_KEYS.includes(key)));
			expect(contentId(plain)).not.toBe(item.id);
		}
		if (v.id === 'ciscoSecureEndpoint') expectPlainHostile((item.changes as IDataObject).after);
		if (v.id === 'pangea') {
			expectPlainHostile((raw.envelope as IDataObject).event);
			expectPlainHostile(((item.changes as IDataObject).after as IDataObject).value ?? (item.changes as IDataObject).after);
		}
		expect(JSON.stringify(sent)).toContain('"__proto__"');
		tally('hostile', { cases: 1 });
	});

	it.each(['raw', 'ocsf'])('pollutes nothing in the %s output format', async (outputFormat) => {
		vendor = v;
		const [item] = jsonOf(await runVendor(v, server.origin, search({ outputFormat, includeRaw: true })));

		expectNothingPolluted();
		expect(Object.getPrototypeOf(item)).toBe(Object.prototype);
		if (outputFormat === 'raw') expectPlainHostile(item);
		expect(JSON.stringify(item)).toContain('"__proto__"');
		tally('hostile', { cases: 1 });
	});
});

describe('canonicalJson', () => {
	it('writes own __proto__ / constructor / prototype keys like any other, sorted', () => {
		const value = JSON.parse('{"b":1,"__proto__":{"x":1},"constructor":2,"prototype":[3]}') as IDataObject;
		expect(canonicalJson(value)).toBe('{"__proto__":{"x":1},"b":1,"constructor":2,"prototype":[3]}');
		expect(contentId(value)).not.toBe(contentId({ b: 1 }));
		expectNothingPolluted();
	});
});
