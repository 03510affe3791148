// Runs the Audit Log node through the n8n-core harness, plus the small helpers its tests share.
import nock from 'nock';
import type { IDataObject, INode, INodeParameters } from 'n8n-workflow';
import { CarbonBlackCloudApi } from '../../credentials/CarbonBlackCloudApi.credentials';
import { CiscoSecureEndpointApi } from '../../credentials/CiscoSecureEndpointApi.credentials';
import { CortexXdrApi } from '../../credentials/CortexXdrApi.credentials';
import { PangeaAuditApi } from '../../credentials/PangeaAuditApi.credentials';
import { AuditLog } from '../../nodes/AuditLog/AuditLog.node';
import type { NodeFunctions } from '../../nodes/shared/types';
import { runNode, type RunNodeOptions, type RunNodeResult } from '../harness/n8n';
import { CBC_CREDENTIALS, type CbcCredentials } from './cbcBackend';

export const CREDENTIAL_TYPES = [
	new CarbonBlackCloudApi(),
	new CortexXdrApi(),
	new CiscoSecureEndpointApi(),
	new PangeaAuditApi(),
];

export type CbcRun = Partial<Omit<RunNodeOptions, 'nodeType' | 'parameters'>> & {
	credentials?: { carbonBlackCloudApi: CbcCredentials };
};

/** The Audit Log node on Carbon Black Cloud with the given parameters (source preset). */
export async function runCbc(parameters: INodeParameters, run: CbcRun = {}): Promise<RunNodeResult> {
	return await runNode({
		nodeType: new AuditLog(),
		parameters: { resource: 'carbonBlackCloud', ...parameters },
		credentials: { carbonBlackCloudApi: { ...CBC_CREDENTIALS } },
		credentialTypes: CREDENTIAL_TYPES,
		...run,
	});
}

/** The output items' json of the first output. */
export function jsonOf(result: RunNodeResult): IDataObject[] {
	return (result.output[0] ?? []).map((item) => item.json);
}

/** What a run throws, for asserting on its class and fields. */
export async function failureOf(promise: Promise<unknown>): Promise<Error & IDataObject> {
	try {
		await promise;
	} catch (error) {
		return error as Error & IDataObject;
	}
	throw new Error('expected the run to fail');
}

/**
 * Everything reachable from a value, as text: own properties enumerable or not (message, stack,
 * description, context, cause, node...), so a secret hidden anywhere in an error shows up.
 */
export function deepText(value: unknown): string {
	const seen = new Set<unknown>();
	const parts: string[] = [];
	const walk = (v: unknown, depth: number) => {
		if (v === null || v === undefined || depth > 12) return;
		if (typeof v !== 'object' && typeof v !== 'function') {
			parts.push(String(v));
			return;
		}
		if (seen.has(v)) return;
		seen.add(v);
		if (Buffer.isBuffer(v)) {
			parts.push(v.toString('utf8'));
			return;
		}
		for (const key of Object.getOwnPropertyNames(v)) {
			parts.push(key);
			walk((v as Record<string, unknown>)[key], depth + 1);
		}
	};
	walk(value, 0);
	try {
		parts.push(JSON.stringify(value));
	} catch {
		// Circular structures are covered by the walk above.
	}
	return parts.join('\n');
}

/** Fails a test on any request nock did not expect (disableNetConnect alone only fails the request). */
export function trackUnmatched(): string[] {
	const unmatched: string[] = [];
	nock.emitter.on('no match', (req: { method?: string; path?: string; href?: string }) => {
		unmatched.push(`${req.method ?? ''} ${req.href ?? req.path ?? ''}`);
	});
	return unmatched;
}

export const STUB_NODE: INode = {
	id: 'stub',
	name: 'Audit Log',
	type: 'n8n-nodes-audit-log.auditLog',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

/** Just enough of the n8n functions for pure modules that only build errors or read parameters. */
export function stubFunctions(parameters: IDataObject = {}): NodeFunctions {
	return {
		getNode: () => STUB_NODE,
		getNodeParameter: (name: string, _itemIndex: number, fallback?: unknown) => parameters[name] ?? fallback,
	} as unknown as NodeFunctions;
}
