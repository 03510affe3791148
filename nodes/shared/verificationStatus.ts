// Counts of the one-word verification summaries, for the run's hints (any source that verifies).
import type { AuditItem, VerificationStatus } from './types';

export type VerificationCounts = Record<VerificationStatus, number>;

/** How many items carry each `verification.status`; items without verification are not counted. */
export function countVerificationStatuses(items: Iterable<Pick<AuditItem, 'verification'>>): VerificationCounts {
	const counts: VerificationCounts = { verified: 0, unverified: 0, pending: 0, failed: 0 };
	for (const { verification } of items) {
		if (verification?.status && verification.status in counts) counts[verification.status]++;
	}
	return counts;
}
