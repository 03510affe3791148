// The credentials' `authenticate`: code, never a generic template. n8n evaluates a template's
// `={{…}}` values as expressions on every request (in n8n 2.x through its expression runtime), which
// cost more than reading a Cisco page; code adds the same headers for nothing.
import type { ICredentialDataDecryptedObject, IHttpRequestOptions } from 'n8n-workflow';

/** What a credential adds to each request: headers over the request's own, or HTTP Basic. */
export type Authentication = {
	headers?: Record<string, string>;
	auth?: { username: string; password: string };
};

/** An `authenticate` for a credential type: the request with what `from(credentials)` adds. */
export function authenticateWith(
	from: (credentials: ICredentialDataDecryptedObject) => Authentication,
): (credentials: ICredentialDataDecryptedObject, requestOptions: IHttpRequestOptions) => Promise<IHttpRequestOptions> {
	return async (credentials, requestOptions) => {
		const { headers, auth } = from(credentials);
		return {
			...requestOptions,
			...(headers ? { headers: { ...requestOptions.headers, ...headers } } : {}),
			...(auth ? { auth } : {}),
		};
	};
}
