// canonicalJson (sorted keys at every depth, no whitespace) and the content ids built on it.
import { createHash } from 'node:crypto';
import { canonicalJson, contentId, isPlainJson, sha256Hex } from '../../nodes/shared/canonical';

describe('canonicalJson', () => {
	it('sorts keys at every depth, inside arrays too, and writes no whitespace', () => {
		const value = { b: 1, a: { d: [{ z: 1, y: 2 }, 3], c: null }, ' ': true };
		expect(canonicalJson(value)).toBe('{" ":true,"a":{"c":null,"d":[{"y":2,"z":1},3]},"b":1}');
	});

	it('sorts by UTF-16 code unit, not by locale', () => {
		expect(canonicalJson({ b: 0, B: 0, é: 0, a: 0, _: 0, '10': 0, '9': 0 })).toBe(
			'{"10":0,"9":0,"B":0,"_":0,"a":0,"b":0,"é":0}',
		);
	});

	it('keeps array order', () => {
		expect(canonicalJson([3, 1, 2, ['b', 'a']])).toBe('[3,1,2,["b","a"]]');
	});

	it('leaves non-ASCII text unescaped and escapes what JSON requires', () => {
		expect(canonicalJson({ name: 'zoë.müller – 日本 😀', q: 'say "hi"\n\\' })).toBe(
			'{"name":"zoë.müller – 日本 😀","q":"say \\"hi\\"\\n\\\\"}',
		);
	});

	it('writes numbers as JSON.stringify does', () => {
		expect(canonicalJson({ n: [1.0, -0, 1e21, 0.1, -5, 1.5e-7, 123456789012345680000] })).toBe(
			'{"n":[1,0,1e+21,0.1,-5,1.5e-7,123456789012345680000]}',
		);
	});

	it('drops undefined and function members, and writes them as null inside arrays', () => {
		expect(canonicalJson({ a: undefined, b: () => 1, c: [undefined, 1] })).toBe('{"c":[null,1]}');
		expect(canonicalJson(undefined)).toBe('null');
	});

	it('writes scalars and empty containers', () => {
		expect([null, true, false, 'x', 0, {}, []].map((v) => canonicalJson(v))).toEqual([
			'null',
			'true',
			'false',
			'"x"',
			'0',
			'{}',
			'[]',
		]);
	});

	it('agrees with JSON.stringify on a value whose keys are already sorted', () => {
		const sorted = { actor: 'a@b.c', create_time: '2024-05-01T00:00:00.000Z', flagged: false, list: [1, { x: 'y' }] };
		expect(canonicalJson(sorted)).toBe(JSON.stringify(sorted));
	});
});

/** canonicalJson's rules written as plainly as possible, to hold both of its ways against. */
function reference(value: unknown): string {
	if (typeof value === 'string') return JSON.stringify(value);
	if (typeof value === 'number') return Number.isFinite(value) ? String(value === 0 ? 0 : JSON.stringify(value)) : 'null';
	if (typeof value === 'boolean') return String(value);
	if (value === null || typeof value !== 'object') return 'null';
	if (Array.isArray(value)) return `[${Array.from(value, (v) => reference(v)).join(',')}]`;
	const record = value as Record<string, unknown>;
	const members = Object.keys(record)
		.sort()
		.filter((k) => record[k] !== undefined && typeof record[k] !== 'function')
		.map((k) => `${JSON.stringify(k)}:${reference(record[k])}`);
	return `{${members.join(',')}}`;
}

/** A seeded generator of JSON-like values: shapes that repeat, keys out of order, integer keys, nesting. */
function randomValues(count: number, seed: number): unknown[] {
	let state = seed;
	const next = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
	const pick = <T,>(items: T[]): T => items[Math.floor(next() * items.length)];
	const KEYS = ['b', 'a', 'actor', 'actor_ip', 'Z', '_x', 'é', '10', '9', '0', 'create_time', 'k' + 'ey', ' ', 'toJSON', 'constructor'];
	const scalar = () => pick<unknown>(['x', 'zoë 😀', '\u0000"\\', 0, -0, 1.5, 1e21, -7, true, false, null, undefined, '']);
	const make = (depth: number): unknown => {
		const roll = next();
		if (depth > 3 || roll < 0.45) return scalar();
		if (roll < 0.65) return Array.from({ length: Math.floor(next() * 4) }, () => make(depth + 1));
		const keys = Array.from({ length: Math.floor(next() * (next() < 0.2 ? 24 : 6)) }, (_, i) => (i < KEYS.length && next() < 0.7 ? pick(KEYS) : `f${Math.floor(next() * 40)}`));
		const record: Record<string, unknown> = next() < 0.1 ? Object.create(null) : {};
		for (const key of keys) record[key] = make(depth + 1);
		return record;
	};
	return Array.from({ length: count }, () => make(0));
}

describe('canonicalJson: through the engine\'s JSON.stringify or written out, one text', () => {
	it('agrees with the plain rules on 3,000 generated values (both ways, shapes repeating)', () => {
		for (const value of randomValues(3000, 7)) expect(canonicalJson(value)).toBe(reference(value));
	});

	it('takes the engine\'s way for the vendors\' records as parsed (nulls, nesting, arrays, shapes in turn)', () => {
		const records = [
			{ org_key: 'K', actor: 'a@b.c', actor_ip: '10.0.0.1', request_url: null, description: 'Logged in', flagged: false, verbose: false, create_time: '2024-05-01T08:00:01.120Z' },
			{ event: 'update', audit_log_type: 'Group', audit_log_id: 'g', audit_log_user: 'bob', created_at: '2024-05-01T08:00:01Z', old_attributes: { name: 'A' }, new_attributes: { name: 'B', list: [null, { z: 1, y: 2 }] } },
			{ event: 'create', audit_log_type: 'Policy', audit_log_id: 'p', audit_log_user: 'bob', created_at: '2024-05-01T08:00:02Z' },
			{ envelope: { event: { actor: 'svc', status: 'success', message: null }, received_at: '2024-05-01T08:00:03.000001Z' }, hash: 'ab', leafIndex: 0 },
		];
		for (const record of [...records, ...records]) {
			const parsed: unknown = JSON.parse(JSON.stringify(record));
			expect(isPlainJson(parsed)).toBe(true);
			expect(canonicalJson(parsed)).toBe(reference(parsed));
		}
		expect(isPlainJson({ when: new Date(0) })).toBe(false);
	});

	it('sorts integer keys as text, which an object copy cannot hold', () => {
		expect(canonicalJson({ b: 1, '10': 2, '9': 3, a: { '2': 0, '11': 0, x: 0 } })).toBe('{"10":2,"9":3,"a":{"11":0,"2":0,"x":0},"b":1}');
	});

	it('sorts a large object out of order, and the same keys met again in another order', () => {
		const keys = Array.from({ length: 20 }, (_, i) => `K${String(19 - i).padStart(2, '0')}`);
		const big = Object.fromEntries(keys.map((k, i) => [k, i]));
		const text = `{${[...keys].sort().map((k) => `"${k}":${keys.indexOf(k)}`).join(',')}}`;
		expect(canonicalJson(big)).toBe(text);
		expect(canonicalJson(Object.fromEntries(Object.entries(big).reverse()))).toBe(text);
		expect(canonicalJson({ b: 1, a: 2 })).toBe('{"a":2,"b":1}');
		expect(canonicalJson({ a: 2, b: 1 })).toBe('{"a":2,"b":1}');
		expect(canonicalJson({ b: 1, a: 2 })).toBe('{"a":2,"b":1}');
	});

	it('writes what JSON.stringify would write otherwise as data: dates, symbols, bigints, class instances, null prototypes', () => {
		const bare = Object.assign(Object.create(null) as Record<string, unknown>, { b: 1, a: [2] });
		expect(canonicalJson({ when: new Date(0), list: [Symbol('s'), 1] })).toBe('{"list":[null,1],"when":{}}');
		expect(canonicalJson({ s: Symbol('s'), n: BigInt(1) })).toBe('{"n":null,"s":null}');
		expect(canonicalJson(new (class { b = 1; a = 2 })())).toBe('{"a":2,"b":1}');
		expect(canonicalJson(bare)).toBe('{"a":[2],"b":1}');
		expect(canonicalJson({ toJSON: () => 'no', a: 1 })).toBe('{"a":1}');
		expect(canonicalJson(JSON.parse('{"b":0,"__proto__":{"y":1,"x":2}}'))).toBe('{"__proto__":{"x":2,"y":1},"b":0}');
	});
});

describe('contentId', () => {
	const record = {
		org_key: 'ABCD1234',
		actor: 'alice@example.com',
		actor_ip: '198.51.100.7',
		request_url: null,
		description: 'Logged in successfully',
		flagged: false,
		verbose: false,
		create_time: '2024-05-01T08:00:01.120Z',
	};

	it('is sha256: + the hex digest of the canonical JSON', () => {
		const expected = createHash('sha256')
			.update(
				'{"actor":"alice@example.com","actor_ip":"198.51.100.7","create_time":"2024-05-01T08:00:01.120Z",' +
					'"description":"Logged in successfully","flagged":false,"org_key":"ABCD1234","request_url":null,"verbose":false}',
			)
			.digest('hex');
		expect(contentId(record)).toBe(`sha256:${expected}`);
		expect(contentId(record)).toMatch(/^sha256:[0-9a-f]{64}$/);
	});

	it('does not depend on key order or on a JSON round trip', () => {
		const reversed = Object.fromEntries(Object.entries(record).reverse());
		expect(contentId(reversed)).toBe(contentId(record));
		expect(contentId(JSON.parse(JSON.stringify(record)))).toBe(contentId(record));
	});

	it('changes with any value', () => {
		expect(contentId({ ...record, flagged: true })).not.toBe(contentId(record));
		expect(contentId({ ...record, create_time: '2024-05-01T08:00:01.121Z' })).not.toBe(contentId(record));
	});

	it('sha256Hex hashes text and bytes alike', () => {
		expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
		expect(sha256Hex(Buffer.from('abc'))).toBe(sha256Hex('abc'));
	});
});
