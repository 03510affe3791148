/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test-only: setImmediate marks whether a turn of the event loop came */
// ctx.turn: a real turn of the event loop while a request is in flight (so a request asked for ahead
// is written, and its answer read, during a page's normalization), at once otherwise.
import { contextWith } from '../support/sourceContext';

/** True when `step` let the event loop turn (a setImmediate queued before it ran first). */
async function turned(step: () => Promise<void>): Promise<boolean> {
	let ran = false;
	setImmediate(() => (ran = true));
	await step();
	return ran;
}

describe('ctx.turn', () => {
	it('resolves at once with no request in flight, unless a request was just asked for', async () => {
		const { ctx } = contextWith(async () => ({ statusCode: 200, headers: {}, body: {} }));

		expect(await turned(async () => await ctx.turn())).toBe(false);
		expect(await turned(async () => await ctx.turn(true))).toBe(true);
	});

	it('lets the event loop turn while a request is in flight, and no longer once it is answered', async () => {
		let answer: (value: unknown) => void = () => undefined;
		const { ctx } = contextWith(async () => await new Promise((resolve) => (answer = resolve)));

		const request = ctx.request({ method: 'GET', url: '/v1/thing' });
		expect(await turned(async () => await ctx.turn())).toBe(true);
		answer({ statusCode: 200, headers: {}, body: { ok: true } });
		expect((await request).body).toEqual({ ok: true });

		expect(await turned(async () => await ctx.turn())).toBe(false);
	});

	it('counts a failed request as answered', async () => {
		// Retried (with the injected sleep) until the transport gives up.
		const { ctx } = contextWith(
			async () => {
				throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
			},
			{ sleep: async () => undefined },
		);

		await expect(ctx.request({ method: 'GET', url: '/v1/thing' })).rejects.toThrow('refused the connection');

		expect(await turned(async () => await ctx.turn())).toBe(false);
	});
});
