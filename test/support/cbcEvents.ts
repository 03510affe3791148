// Synthetic Carbon Black Cloud audit records, oldest first, with bursts of events sharing one millisecond.
import type { CbcRecord } from '../../nodes/shared/sources/carbonBlackCloud/normalize';

/** `size` consecutive records (from index `at` of the ascending order) share one create_time. */
export type Burst = { at: number; size: number };

export type CbcEventOptions = {
	bursts?: Burst[];
	/** create_time of the first record. */
	startMs?: number;
	orgKey?: string;
};

export const CBC_EPOCH = Date.parse('2024-05-01T00:00:00.000Z');

const DESCRIPTIONS = [
	'Logged in successfully',
	'Failed login attempt for alice@example.com',
	'Logged out',
	'Updated policy "Standard"',
	'Created API key "SIEM"',
	'Connector requested audit logs',
];

function burstStarts(bursts: Burst[]): Map<number, number> {
	const starts = new Map<number, number>();
	for (const burst of bursts) starts.set(burst.at, burst.size);
	return starts;
}

/**
 * `count` records in ascending create_time; each differs in content (so content ids are unique).
 * Outside bursts every record has its own millisecond, 1 to 3 ms after the previous one.
 */
export function cbcEvents(count: number, options: CbcEventOptions = {}): CbcRecord[] {
	const starts = burstStarts(options.bursts ?? []);
	const records: CbcRecord[] = new Array<CbcRecord>(count);
	let time = options.startMs ?? CBC_EPOCH;
	let left = 0;
	for (let i = 0; i < count; i++) {
		if (left > 0) left--;
		else {
			if (i > 0) time += 1 + (i % 3);
			left = (starts.get(i) ?? 1) - 1;
		}
		records[i] = cbcRecord(i, time, options.orgKey ?? 'ORGKEY01');
	}
	return records;
}

export function cbcRecord(i: number, time: number, orgKey = 'ORGKEY01'): CbcRecord {
	return {
		org_key: orgKey,
		actor: i % 5 === 0 ? `APIKEY${i % 7}` : `user${i % 13}@example.com`,
		actor_ip: `198.51.100.${i % 250}`,
		request_url: i % 4 === 0 ? `/appservices/v6/orgs/${orgKey}/devices/${i}` : null,
		description: `${DESCRIPTIONS[i % DESCRIPTIONS.length]} #${i}`,
		flagged: i % 17 === 0,
		verbose: i % 2 === 0,
		create_time: new Date(time).toISOString(),
	};
}
