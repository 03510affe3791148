// jest reporter: prints the run's tallies (see tally.ts) as one line per kind after the summary.
const { readdirSync, readFileSync, rmSync } = require('node:fs');
const { join } = require('node:path');

const LINES = {
	faults: (c) => `faults: ${c.cases ?? 0} cases, ${c.lost ?? 0} lost, ${c.duplicated ?? 0} duplicated, ${c.silentPartials ?? 0} silent partials${c.open ? `, ${c.open} open (todo, see test/faults/suite.ts)` : ''}`,
	badInputs: (c) => `bad inputs: ${c.rejected ?? 0} rejected with ${c.requests ?? 0} requests`,
	secrets: (c) => `secrets: ${c.leaks ?? 0} leaks in ${c.outputs ?? 0} outputs`,
	model: (c) =>
		`model: ${c.histories ?? 0} histories exactly once, hazards met: ${c.overlappingPolls ?? 0} overlapping polls, ${c.skewedPolls ?? 0} polls on a skewed vendor clock, ${c.lateRecords ?? 0} late records, ${c.cappedPolls ?? 0} capped polls; state ${c.stateMaxBytes ?? 0} bytes at most over ${c.statePolls ?? 0} polls`,
	hostile: (c) => `hostile: ${c.cases ?? 0} cases, ${c.offOrigin ?? 0} credentials sent off-origin, ${c.forged ?? 0} forged verdicts`,
};

class TallyReporter {
	onRunComplete() {
		const dir = process.env.AUDIT_LOG_TALLY_DIR;
		if (!dir) return;
		const totals = {};
		for (const file of readdirSync(dir)) {
			for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
				if (!line) continue;
				const { kind, counts } = JSON.parse(line);
				const sum = (totals[kind] ??= {});
				for (const [key, value] of Object.entries(counts)) sum[key] = (sum[key] ?? 0) + value;
			}
		}
		rmSync(dir, { recursive: true, force: true });
		for (const kind of Object.keys(LINES)) if (totals[kind]) console.log(LINES[kind](totals[kind]));
	}
}

module.exports = TallyReporter;
