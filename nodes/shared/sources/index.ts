// The one list of vendors: source id → AuditSource. Adding a vendor is one line here.
import type { AuditSource, SourceId } from '../types';
import { carbonBlackCloud } from './carbonBlackCloud';

export const SOURCES: AuditSource[] = [carbonBlackCloud];

export function getSource(id: string): AuditSource | undefined {
	return SOURCES.find((source) => source.id === (id as SourceId));
}
