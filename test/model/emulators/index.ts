// The model's vendors: one entry per source. A source added to the registry needs one entry here.
import { getSource } from '../../../nodes/shared/sources';
import type { AuditSource } from '../../../nodes/shared/types';
import { cbcModel } from './cbc';
import { ciscoModel } from './cisco';
import { cortexModel } from './cortex';
import { pangeaModel } from './pangea';
import type { ModelVendor } from './store';

export type { ModelVendor } from './store';

export const MODEL_VENDORS: ModelVendor[] = [cbcModel, cortexModel, ciscoModel, pangeaModel];

/** The vendors whose source is in the registry now, each with its real AuditSource. */
export function registeredVendors(): Array<{ vendor: ModelVendor; source: AuditSource }> {
	return MODEL_VENDORS.flatMap((vendor) => {
		const source = getSource(vendor.id);
		return source ? [{ vendor, source }] : [];
	});
}
