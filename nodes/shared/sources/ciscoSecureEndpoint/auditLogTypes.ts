// Cisco GET /v1/audit_log_types: the Audit Log Type list the editor shows, loaded through the transport.
import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';
import { createSourceContext } from '../../context';
import type { AuditSource } from '../../types';

export const AUDIT_LOG_TYPES_PATH = '/v1/audit_log_types';
/** The method name a field's `typeOptions.loadOptionsMethod` gives; unique across all sources. */
export const AUDIT_LOG_TYPES_METHOD = 'ciscoSecureEndpointAuditLogTypes';

/** One entry of the answer's `data`: a type name, or an object naming one (both shapes are read). */
function typeName(entry: unknown): string | undefined {
	if (typeof entry === 'string') return entry.trim() || undefined;
	if (entry && typeof entry === 'object') {
		for (const key of ['name', 'audit_log_type', 'type']) {
			const value = (entry as Record<string, unknown>)[key];
			if (typeof value === 'string' && value.trim() !== '') return value.trim();
		}
	}
	return undefined;
}

/** "ApplicationBlockingList" → "Application Blocking List": the type as words, for the dropdown. */
function words(type: string): string {
	return type.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/_/g, ' ');
}

/**
 * The tenant's audit log types, sorted by name. The request runs with the node's credential
 * through the same transport as every read (retries, quota waits, the vendor's error words).
 */
export async function loadAuditLogTypes(
	fn: ILoadOptionsFunctions,
	source: AuditSource,
): Promise<INodePropertyOptions[]> {
	const ctx = createSourceContext(fn, source, 0);
	const response = await ctx.request<{ data?: unknown }>({ method: 'GET', url: AUDIT_LOG_TYPES_PATH });
	const data = response.body?.data;
	const names = new Set<string>();
	for (const entry of Array.isArray(data) ? data : []) {
		const name = typeName(entry);
		if (name) names.add(name);
	}
	return [...names]
		.map((value) => ({ name: words(value), value }))
		.sort((a, b) => a.name.localeCompare(b.name));
}
