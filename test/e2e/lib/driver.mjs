// What both e2e drivers (test/e2e/run.mjs and test/e2e/queue/run.mjs) share: the timed log, the
// per-case result list, the "N passed, M failed" summary, the run's work folder and its global
// timeout. One copy, so that both print and fail the same way.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { stopAll, tearDownOnExit } from './proc.mjs';

export class Driver {
	/** `phaseWidth`: the column the phase names are padded to. */
	constructor({ phaseWidth = 6 } = {}) {
		this.started = Date.now();
		this.results = [];
		this.phaseWidth = phaseWidth;
	}

	elapsed(since = this.started) {
		return `${((Date.now() - since) / 1000).toFixed(1)} s`;
	}

	log(phase, message) {
		console.log(`[${this.elapsed().padStart(7)}] ${phase.padEnd(this.phaseWidth)} ${message}`);
	}

	/** One case's verdict: printed at once, counted in the summary. */
	record(phase, name, failures, ms) {
		this.results.push({ phase, name, failures });
		this.log(
			phase,
			`${failures.length === 0 ? 'ok  ' : 'FAIL'} ${name} (${(ms / 1000).toFixed(1)} s)`,
		);
		for (const failure of failures) this.log(phase, `       - ${failure}`);
	}

	/** `work` if given, else a fresh `.e2e/<prefix>-<time>` under the repo. */
	async workDir(repo, prefix, work) {
		const dir =
			work ?? join(repo, '.e2e', `${prefix}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
		await mkdir(dir, { recursive: true });
		this.dir = dir;
		return dir;
	}

	/**
	 * Stops everything on SIGINT/SIGTERM, and after `timeoutMs` records the timeout as a failure,
	 * prints the summary and exits 1. Returns the timer's cancel.
	 */
	guard(timeoutMs) {
		tearDownOnExit(() => console.log(`interrupted: stopping everything (${this.elapsed()})`));
		const timer = setTimeout(async () => {
			this.record(
				'all',
				`global timeout of ${timeoutMs / 1000} s`,
				['the run took too long; unfinished cases did not report'],
				timeoutMs,
			);
			await stopAll();
			this.summary();
			process.exit(1);
		}, timeoutMs);
		return () => clearTimeout(timer);
	}

	/** Prints the failures and the counts; true when every recorded case passed (and there was one). */
	summary() {
		const failed = this.results.filter((r) => r.failures.length > 0);
		console.log('');
		for (const r of failed)
			console.log(`FAILED [${r.phase}] ${r.name}\n  - ${r.failures.join('\n  - ')}`);
		if (failed.length > 0) console.log(`\nlogs: ${this.dir}`);
		console.log(
			`${this.results.length - failed.length} passed, ${failed.length} failed (${this.elapsed()})`,
		);
		return failed.length === 0 && this.results.length > 0;
	}
}
