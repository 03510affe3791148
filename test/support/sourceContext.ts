// A real SourceContext (createSourceContext) over n8n functions whose request helper is the test's own.
import type { IDataObject } from 'n8n-workflow';
import { createSourceContext } from '../../nodes/shared/context';
import type { AuditSource, NodeFunctions } from '../../nodes/shared/types';
import { STUB_NODE } from './auditLog';

/** The context of a minimal source; `helper` answers every request, `cancel` stops the execution. */
export function contextWith(helper: () => Promise<unknown>, options: Parameters<typeof createSourceContext>[3] = {}) {
	const cancel = new AbortController();
	const fn = {
		getNode: () => STUB_NODE,
		getExecutionCancelSignal: () => cancel.signal,
		getCredentials: async () => ({ baseUrl: 'https://vendor.test', token: 'dummy-token-0001' }),
		helpers: { httpRequestWithAuthentication: helper, httpRequest: helper },
	} as unknown as NodeFunctions;
	const source = {
		displayName: 'Vendor',
		credentialType: 'pangeaAuditApi',
		baseUrl: (c: IDataObject) => String(c.baseUrl),
		describeError: () => undefined,
	} as unknown as AuditSource;
	return { ctx: createSourceContext(fn, source, 0, options), cancel };
}
