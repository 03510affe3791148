// Normalization alone: events per second on one core, per source and per output format, over the
// simulator's records as each vendor returns them; the per-event work a search does after parsing.
import { startSimulator } from '../../simulator/server.mjs';
import { loadPackage } from './inprocess.mjs';
import { fmt, measureRounds } from './stats.mjs';

const VENDOR_OF = {
	carbonBlackCloud: 'cbc',
	cortexXdr: 'cortex',
	ciscoSecureEndpoint: 'cisco',
	pangea: 'pangea',
};
const FORMATS = ['normalized', 'ocsf'];
const TARGET = 200_000;

/** The records of one vendor as it serves them (Pangea: the envelope fields the reader sees). */
function recordsOf(sim, vendor) {
	return (sim.state.vendors[vendor]?.events ?? []).map((e) =>
		typeof e.json === 'string' ? JSON.parse(e.json) : (e.data ?? e),
	);
}

export async function benchNormalize({ rounds, quick, log }) {
	const { sources, auditItem, canonical } = loadPackage();
	const size = quick ? 10_000 : 50_000;
	const sim = await startSimulator({
		port: 0,
		sizes: { cbc: size, cortex: size, cisco: size, pangea: Math.min(size, 20_000) },
	});
	const rows = [];
	try {
		for (const source of sources) {
			const records = recordsOf(sim, VENDOR_OF[source.id]);
			if (records.length === 0)
				throw new Error(`${source.displayName}: the simulator has no records`);
			// The content id alone (canonical JSON and SHA-256): CBC and Cisco records have no other id.
			const ids = await measureRounds(rounds, () => {
				const started = performance.now();
				for (const record of records) canonical.contentId(record);
				return { us: ((performance.now() - started) * 1000) / records.length };
			});
			log(`content id ${source.id}: ${ids.us.median.toFixed(2)} µs per record`);
			rows.push({
				figure: `Content id alone (canonical JSON + SHA-256), ${source.displayName} (${records.length.toLocaleString('en-US')} records, 1 core)`,
				ours: `${ids.us.median.toFixed(2)} µs per record (${ids.us.min.toFixed(2)}–${ids.us.max.toFixed(2)})`,
				other: '–',
				ratio: '–',
				target: '–',
			});
			for (const outputFormat of FORMATS) {
				const output = { includeRaw: true, outputFormat };
				// What the reader and the operation do per record: normalize, cursor time, shape.
				const r = await measureRounds(rounds, () => {
					const started = performance.now();
					for (const record of records) {
						const entry = auditItem.timed(source.normalize(record, {}));
						if (source.cursorTime) entry.timeMs = source.cursorTime(record, entry.item);
						auditItem.shapeOutput(entry.item, output, source.displayName);
					}
					return { rate: records.length / ((performance.now() - started) / 1000) };
				});
				log(`normalize ${source.id} ${outputFormat}: ${fmt(r.rate, 'rate')}`);
				rows.push({
					figure: `Normalization, ${source.displayName}, ${outputFormat} (${records.length.toLocaleString('en-US')} records, 1 core)`,
					ours: `${fmt(r.rate, 'rate')} events/s`,
					other: '–',
					ratio: '–',
					target: '≥ 200k/s',
					met: r.rate.median >= TARGET,
				});
			}
		}
	} finally {
		await sim.stop();
	}
	return rows;
}
