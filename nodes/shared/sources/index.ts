// The one list of vendors: source id → AuditSource. Adding a vendor is one line here.
import type { AuditSource } from '../types';
import { carbonBlackCloud } from './carbonBlackCloud';
import { ciscoSecureEndpoint } from './ciscoSecureEndpoint';
import { cortexXdr } from './cortexXdr';
import { pangea } from './pangea';

export const SOURCES: AuditSource[] = [carbonBlackCloud, cortexXdr, ciscoSecureEndpoint, pangea];

export function getSource(id: string): AuditSource | undefined {
	return SOURCES.find((source) => source.id === id);
}
