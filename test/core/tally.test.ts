/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test-only: tallies are written to files by jest workers */
// The tally plumbing itself: a count written in a worker reaches the run's folder.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tally } from '../support/tally';

test('a tally count lands in the run folder as a JSON line', () => {
	const dir = process.env.AUDIT_LOG_TALLY_DIR;
	expect(dir).toBeTruthy();
	tally('badInputs', { rejected: 0, requests: 0 });
	const lines = readdirSync(dir!).flatMap((f) => readFileSync(join(dir!, f), 'utf8').trim().split('\n'));
	expect(lines.map((l) => JSON.parse(l))).toContainEqual({ kind: 'badInputs', counts: { rejected: 0, requests: 0 } });
});
