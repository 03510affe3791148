// The "pre-signed download" host: blobs behind signed, expiring URLs that refuse vendor credentials,
// so a client that forwards its auth headers across a redirect or to a dest_url is caught.
import { createHmac, randomBytes } from 'node:crypto';

import { text } from './http.mjs';

const AUTH_HEADERS = ['x-auth-token', 'authorization', 'x-xdr-auth-id'];

function s3Error(code, message) {
	return text(
		403,
		`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`,
		'application/xml',
	);
}

export function createBlobStore(sim) {
	const secret = randomBytes(16);
	const blobs = new Map();
	let counter = 0;
	const sign = (id, expires) =>
		createHmac('sha256', secret).update(`${id}:${expires}`).digest('hex');

	return {
		/** Stores a blob and returns its absolute signed URL (origin = where the client reached us). */
		put(origin, vendor, { body, contentType, filename }) {
			const id = `${vendor}-${++counter}-${randomBytes(6).toString('hex')}`;
			const expires = Math.floor((Date.now() + sim.config.presignedTtlMs) / 1000);
			blobs.set(id, { body, contentType, filename });
			const base = sim.config.presignedBaseUrl ?? origin;
			return {
				url: `${base}/presigned/${vendor}/${id}/${filename}?expires=${expires}&signature=${sign(id, expires)}`,
				expiresAt: new Date(expires * 1000).toISOString(),
			};
		},

		handle(ctx) {
			const sent = AUTH_HEADERS.filter((name) => ctx.req.headers[name] !== undefined);
			if (sent.length > 0) {
				sim.violation('presigned', 'auth-header-forwarded', {
					headers: sent,
					path: ctx.path,
				});
				return s3Error(
					'InvalidArgument',
					`Only one auth mechanism allowed; got ${sent.join(', ')}`,
				);
			}
			if (ctx.method !== 'GET' && ctx.method !== 'HEAD')
				return s3Error('MethodNotAllowed', 'GET only');
			const [, , id] = ctx.path.split('/').slice(1);
			const expires = Number(ctx.url.searchParams.get('expires'));
			const signature = ctx.url.searchParams.get('signature') ?? '';
			const blob = blobs.get(id);
			if (!blob || signature !== sign(id, expires)) {
				return s3Error(
					'SignatureDoesNotMatch',
					'The request signature we calculated does not match',
				);
			}
			if (expires * 1000 < Date.now()) return s3Error('AccessDenied', 'Request has expired');
			return {
				status: 200,
				body: blob.body,
				headers: {
					'content-type': blob.contentType,
					'content-disposition': `attachment; filename="${blob.filename}"`,
				},
			};
		},

		clear() {
			blobs.clear();
		},
	};
}
