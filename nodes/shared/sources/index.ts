// The one list of vendors: source id → AuditSource. Adding a vendor is one line here.
import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';
import type { AuditSource } from '../types';
import { carbonBlackCloud } from './carbonBlackCloud';
import { ciscoSecureEndpoint } from './ciscoSecureEndpoint';
import { cortexXdr } from './cortexXdr';
import { pangea } from './pangea';

export const SOURCES: AuditSource[] = [carbonBlackCloud, cortexXdr, ciscoSecureEndpoint, pangea];

export function getSource(id: string): AuditSource | undefined {
	return SOURCES.find((source) => source.id === id);
}

/** Every source's `loadOptions` methods in one map: both nodes register it as `methods.loadOptions`. */
export const SOURCE_LOAD_OPTIONS: Record<string, (this: ILoadOptionsFunctions) => Promise<INodePropertyOptions[]>> =
	Object.fromEntries(
		SOURCES.flatMap((source) =>
			Object.entries(source.loadOptions ?? {}).map(([name, load]) => [
				name,
				async function (this: ILoadOptionsFunctions) {
					return await load(this);
				},
			]),
		),
	);
