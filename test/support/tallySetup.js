// jest globalSetup: a fresh tally folder per run, inherited by the workers through the environment.
const { mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

module.exports = async function tallySetup() {
	process.env.AUDIT_LOG_TALLY_DIR = mkdtempSync(join(tmpdir(), 'audit-log-tally-'));
};
