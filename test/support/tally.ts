/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test-only: tallies are written to files by jest workers */
// Counts that `npm test` prints as one line per kind at the end of the run (faults, bad inputs,
// secrets, hostile servers). Tests run in jest workers, so each count is appended as a JSON line to
// a file in the run's tally folder (set up by tallySetup.js); tallyReporter.js adds them up.
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';

export type TallyCounts = {
	/** `faults: N cases, L lost, D duplicated, S silent partials` */
	faults: { cases: number; lost: number; duplicated: number; silentPartials: number; open: number };
	/** `bad inputs: M rejected with R requests` */
	badInputs: { rejected: number; requests: number };
	/** `secrets: L leaks in N outputs` */
	secrets: { outputs: number; leaks: number };
	/** `hostile: K cases, X credentials sent off-origin, F forged verdicts` */
	hostile: { cases: number; offOrigin: number; forged: number };
	/** `model: H histories, hazards met: …; state S bytes after P polls` (test/model) */
	model: {
		histories: number;
		overlappingPolls: number;
		skewedPolls: number;
		lateRecords: number;
		cappedPolls: number;
		statePolls: number;
		stateFinalBytes: number;
		stateMaxBytes: number;
	};
};

/** Adds counts of one kind to this run's tally. Outside a jest run with the setup, does nothing. */
export function tally<K extends keyof TallyCounts>(kind: K, counts: Partial<TallyCounts[K]>): void {
	const dir = process.env.AUDIT_LOG_TALLY_DIR;
	if (!dir) return;
	appendFileSync(join(dir, `${process.pid}.jsonl`), JSON.stringify({ kind, counts }) + '\n');
}
