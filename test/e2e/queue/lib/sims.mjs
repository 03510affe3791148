// One vendor simulator per queue-mode case: each case gets its own tenants (Cortex's rate limit, CBC's
// queue), its own counters and its own n8n credentials pointing at it.
import { join } from 'node:path';
import { freePort } from '../../lib/proc.mjs';
import { startSimulator } from '../../lib/simulator.mjs';
import { E2E_SOURCES } from '../../lib/sources.mjs';

/**
 * Starts a simulator for case `key` (a short word); its sources are E2E_SOURCES rows whose
 * credential ids and names are the case's own, so workflows built from them use this simulator.
 */
export async function caseSimulator(key, dir, args = []) {
	const sim = await startSimulator({
		port: await freePort(),
		logFile: join(dir, `simulator-${key}.log`),
		args,
	});
	const sources = Object.fromEntries(
		E2E_SOURCES.map((source) => [
			source.id,
			{
				...source,
				credentialId: `qm${key}${source.short}`.padEnd(16, '0').slice(0, 16),
				label: `${source.label} [${key}]`,
			},
		]),
	);
	const credentials = Object.values(sources).map((source) => ({
		id: source.credentialId,
		name: `${source.label} (simulator)`,
		type: source.credentialType,
		data: source.credential(sim),
	}));
	return { key, sim, sources, credentials };
}
