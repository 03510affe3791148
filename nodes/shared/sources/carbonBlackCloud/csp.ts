// CSP sign-in for Carbon Black Cloud on CSP-managed identity: an OAuth app or a user API token → an access token.
// Called by the credential's preAuthentication, which n8n runs when the stored token is empty, when a
// request answered 401 (once, then it resends), and on the credential's Test; n8n stores the token.
import type { ICredentialDataDecryptedObject, IDataObject, IHttpRequestHelper, IHttpRequestOptions } from 'n8n-workflow';
import { cbcAuthentication, cspHost } from './environments';

/** The fields of the credential whose values never reach a message. */
const SECRET_FIELDS = ['apiSecretKey', 'cspAppSecret', 'cspApiToken', 'accessToken'];

/**
 * A refused sign-in, in CSP's words and without any secret. Deliberately carries no `response`:
 * n8n would read a 401 there as an expired token and sign in a second time with the same secret.
 * `signIn` tells the transport to hand it on as it is (it is not a network failure).
 */
export class CspSignInError extends Error {
	readonly signIn = true;

	constructor(
		message: string,
		readonly description: string,
		/** CSP's status. Not `httpCode`: n8n would replace the message with its generic one for it. */
		readonly signInStatus: number,
		/** A transient refusal (429, 5xx): the transport may retry the request, sign-in included. */
		readonly code?: string,
	) {
		super(message);
		this.name = 'CspSignInError';
	}
}

function redact(text: string, credentials: ICredentialDataDecryptedObject): string {
	let out = text;
	for (const field of SECRET_FIELDS) {
		const value = credentials[field];
		if (typeof value === 'string' && value.length >= 4) out = out.split(value).join('[redacted]');
	}
	return out;
}

function vendorMessage(body: unknown): string | undefined {
	if (!body || typeof body !== 'object') return typeof body === 'string' && body.trim() !== '' ? body.slice(0, 300) : undefined;
	const b = body as IDataObject;
	for (const key of ['message', 'error_description', 'error']) {
		if (typeof b[key] === 'string' && b[key] !== '') return b[key] as string;
	}
	return undefined;
}

/** The token request of the credential's sign-in choice. */
export function cspTokenRequest(credentials: ICredentialDataDecryptedObject): IHttpRequestOptions {
	const host = cspHost(credentials);
	const form = { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' };
	if (cbcAuthentication(credentials) === 'oauthApp') {
		const basic = Buffer.from(`${String(credentials.cspAppId ?? '').trim()}:${String(credentials.cspAppSecret ?? '')}`).toString('base64');
		return {
			method: 'POST',
			url: `${host}/csp/gateway/am/api/auth/token`,
			headers: { ...form, Authorization: `Basic ${basic}` },
			body: new URLSearchParams({ grant_type: 'client_credentials' }).toString(),
		};
	}
	return {
		method: 'POST',
		url: `${host}/csp/gateway/am/api/auth/api-tokens/authorize`,
		headers: form,
		body: new URLSearchParams({ api_token: String(credentials.cspApiToken ?? '').trim() }).toString(),
	};
}

/** Signs in to CSP and returns the access token; throws a CspSignInError when CSP refuses. */
export async function cspAccessToken(helper: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject): Promise<string> {
	const mode = cbcAuthentication(credentials);
	const what = mode === 'oauthApp' ? 'OAuth app' : 'API token';
	const request = cspTokenRequest(credentials);
	const response = (await helper.helpers.httpRequest({
		...request,
		json: true,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
	})) as { statusCode: number; body: unknown };
	const body = response.body as IDataObject | undefined;
	const token = body && typeof body === 'object' ? body.access_token : undefined;
	if (response.statusCode >= 200 && response.statusCode < 300 && typeof token === 'string' && token !== '') return token;
	const status = response.statusCode;
	const said = vendorMessage(response.body);
	const message = redact(
		status >= 200 && status < 300
			? `Carbon Black Cloud sign-in (CSP ${what}) answered without an access token`
			: `Carbon Black Cloud sign-in (CSP ${what}) was refused: ${said ?? `HTTP ${status}`}`,
		credentials,
	);
	const fix =
		mode === 'oauthApp'
			? `Check the App ID and App Secret of the credential and that the OAuth app belongs to the org; its role needs _API.Audits:org.audits:READ. CSP host: ${cspHost(credentials)}.`
			: `Check the API token of the credential (not expired or revoked); its role needs _API.Audits:org.audits:READ. CSP host: ${cspHost(credentials)}.`;
	const transient = status === 429 || status >= 500;
	throw new CspSignInError(message, fix, status, transient ? 'ERR_BAD_RESPONSE' : undefined);
}
