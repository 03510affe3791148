// canonicalJson (sorted keys at every depth, no whitespace) and the content ids built on it.
import { createHash } from 'node:crypto';
import { canonicalJson, contentId, sha256Hex } from '../../nodes/shared/canonical';

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
