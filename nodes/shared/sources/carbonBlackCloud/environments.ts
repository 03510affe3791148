// Carbon Black Cloud consoles (vendor-apis.md §1.1) and the CSP sign-in hosts: where a credential points.
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

/** The `environment` values of the credential, a public contract; `custom` means "use Base URL". */
export const CBC_ENVIRONMENTS: ReadonlyArray<{ value: string; name: string; url: string }> = [
	{ value: 'prod01', name: 'Prod 01 (US)', url: 'https://dashboard.confer.net' },
	{ value: 'prod02', name: 'Prod 02 (US)', url: 'https://defense.conferdeploy.net' },
	{ value: 'prod05', name: 'Prod 05 (US)', url: 'https://defense-prod05.conferdeploy.net' },
	{ value: 'prod06', name: 'Prod 06 (EU, Frankfurt)', url: 'https://defense-eu.conferdeploy.net' },
	{ value: 'prodnrt', name: 'Prod NRT (Tokyo)', url: 'https://defense-prodnrt.conferdeploy.net' },
	{ value: 'prodsyd', name: 'Prod SYD (Sydney)', url: 'https://defense-prodsyd.conferdeploy.net' },
	{ value: 'produk', name: 'UK (CSP-Managed)', url: 'https://ew2.carbonblackcloud.vmware.com' },
	{ value: 'govcloud', name: 'AWS GovCloud US (CSP-Managed)', url: 'https://gprd1usgw1.carbonblack-us-gov.vmware.com' },
];

/** Where CSP hands out access tokens (the SDK's default); the credential lets a user change it. */
export const DEFAULT_CSP_HOST = 'https://console.cloud.vmware.com';

/** The console URL in a credential-test expression: the same table, so the Test reads where the node reads. */
export const CBC_BASE_URL_EXPRESSION = `={{$credentials.environment && $credentials.environment !== "custom" ? ${JSON.stringify(
	Object.fromEntries(CBC_ENVIRONMENTS.map((e) => [e.value, e.url])),
)}[$credentials.environment] : $credentials.baseUrl.trim().replace(/\\/+$/, "")}}`;

function trimUrl(value: unknown): string {
	return String(value ?? '').trim().replace(/\/+$/, '');
}

/**
 * The API host of a credential. One saved before the picker existed has a Base URL and no
 * `environment` (or n8n filled in the default, `custom`): its Base URL is used, as before.
 */
export function cbcBaseUrl(credentials: ICredentialDataDecryptedObject): string {
	const environment = String(credentials.environment ?? 'custom');
	const known = CBC_ENVIRONMENTS.find((e) => e.value === environment);
	return known ? known.url : trimUrl(credentials.baseUrl);
}

/** The CSP host of a credential, without a trailing slash. */
export function cspHost(credentials: ICredentialDataDecryptedObject): string {
	return trimUrl(credentials.cspHost) || DEFAULT_CSP_HOST;
}

/** `apiKey` (X-Auth-Token, the default), `oauthApp` or `apiToken` (both CSP bearer tokens). */
export function cbcAuthentication(credentials: ICredentialDataDecryptedObject): 'apiKey' | 'oauthApp' | 'apiToken' {
	const mode = credentials.authentication;
	return mode === 'oauthApp' || mode === 'apiToken' ? mode : 'apiKey';
}
