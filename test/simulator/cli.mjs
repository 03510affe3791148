// Command-line entry of the vendor simulator: parses flags, starts it, prints the URLs, stops on a signal.
// node test/simulator/cli.mjs --port 8600 --seed 1 --cbc 2000 --cortex 500 --set ciscoQuota=100
import { parseArgs } from 'node:util';

import { SIM_CREDENTIALS, startSimulator, VENDORS } from './server.mjs';

const USAGE = `Usage: node test/simulator/cli.mjs [options]
  --port N            listen port (default 0 = random)
  --host H            listen host (default 127.0.0.1)
  --seed N            PRNG seed (default 1)
  --cbc N --cortex N --cisco N --pangea N   seeded events per vendor (default 300 each)
  --now T             clock of the generated data, ISO-8601 or epoch ms (default: now)
  --span-days D       how far back seeded events go (default 4)
  --burst N           events sharing one millisecond in each burst (default 25)
  --fault JSON        a fault switch, e.g. '{"vendor":"cisco","kind":"429","count":2}' (repeatable)
  --latency-ms N      delay added to every vendor answer (a WAN; default 0)
  --bandwidth-kbps N  vendor answers' bodies written at N kilobits per second (default 0 = unbounded)
  --set KEY=VALUE     a runtime setting, e.g. cortexRateLimit=10, ciscoQuota=3000 (repeatable)
  --json              print the start-up info as one JSON line (for scripts)`;

function parseValue(raw) {
	if (raw === 'true' || raw === 'false') return raw === 'true';
	return /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
}

function optionsFrom(values) {
	const options = { sizes: {}, config: {}, faults: [] };
	if (values.port !== undefined) options.port = Number(values.port);
	if (values.host !== undefined) options.host = values.host;
	if (values.seed !== undefined) options.seed = Number(values.seed);
	for (const vendor of VENDORS)
		if (values[vendor] !== undefined) options.sizes[vendor] = Number(values[vendor]);
	if (values.now !== undefined)
		options.now = /^\d+$/.test(values.now) ? Number(values.now) : Date.parse(values.now);
	if (values['span-days'] !== undefined) options.spanMs = Number(values['span-days']) * 86400000;
	if (values.burst !== undefined) options.burstSize = Number(values.burst);
	if (values['latency-ms'] !== undefined) options.config.latencyMs = Number(values['latency-ms']);
	if (values['bandwidth-kbps'] !== undefined)
		options.config.bandwidthKbps = Number(values['bandwidth-kbps']);
	for (const fault of values.fault ?? []) options.faults.push(JSON.parse(fault));
	for (const pair of values.set ?? []) {
		const at = pair.indexOf('=');
		if (at < 1) throw new Error(`--set needs KEY=VALUE, got ${pair}`);
		options.config[pair.slice(0, at)] = parseValue(pair.slice(at + 1));
	}
	if (Number.isNaN(options.now)) throw new Error(`--now is not a date: ${values.now}`);
	for (const key of ['latencyMs', 'bandwidthKbps']) {
		const value = options.config[key];
		if (value !== undefined && !(value >= 0)) throw new Error(`${key} must be a number >= 0`);
	}
	return options;
}

async function main() {
	const { values } = parseArgs({
		options: {
			port: { type: 'string' },
			host: { type: 'string' },
			seed: { type: 'string' },
			cbc: { type: 'string' },
			cortex: { type: 'string' },
			cisco: { type: 'string' },
			pangea: { type: 'string' },
			now: { type: 'string' },
			'span-days': { type: 'string' },
			burst: { type: 'string' },
			'latency-ms': { type: 'string' },
			'bandwidth-kbps': { type: 'string' },
			fault: { type: 'string', multiple: true },
			set: { type: 'string', multiple: true },
			json: { type: 'boolean' },
			help: { type: 'boolean', short: 'h' },
		},
	});
	if (values.help) {
		console.log(USAGE);
		return;
	}
	const sim = await startSimulator(optionsFrom(values));
	if (values.json) {
		console.log(
			JSON.stringify({
				url: sim.url,
				port: sim.port,
				urls: sim.urls,
				credentials: SIM_CREDENTIALS,
			}),
		);
	} else {
		console.log(`vendor simulator listening on ${sim.url}`);
		for (const [vendor, url] of Object.entries(sim.urls))
			console.log(`  ${vendor.padEnd(8)} ${url}`);
		console.log(`  control  ${sim.url}/_sim (stats, faults, events, webhooks)`);
	}
	let stopping = false;
	const stop = async () => {
		if (stopping) return;
		stopping = true;
		await sim.stop();
		process.exit(0);
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

main().catch((err) => {
	console.error(`simulator: ${err.message}`);
	process.exit(1);
});
