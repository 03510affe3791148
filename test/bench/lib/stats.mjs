// Figures of the benchmark: median / min / max of rounds, the one results table, the machine it ran on.
import { cpus, totalmem } from 'node:os';

/** `{median, min, max, n}` of a list of numbers (the upper median for an even count). */
export function summarize(values) {
	const sorted = [...values].sort((a, b) => a - b);
	return {
		median: sorted[Math.floor(sorted.length / 2)],
		min: sorted[0],
		max: sorted[sorted.length - 1],
		n: sorted.length,
	};
}

/** Runs `fn(round)` `warmup + rounds` times; `fn` returns an object of numbers; each key summarized. */
export async function measureRounds(rounds, fn, warmup = 1) {
	const samples = {};
	for (let round = 0; round < warmup + rounds; round++) {
		const result = await fn(round);
		if (round < warmup) continue;
		for (const [key, value] of Object.entries(result)) (samples[key] ??= []).push(value);
	}
	return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, summarize(v)]));
}

const UNITS = {
	ms: (v) =>
		v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v).toLocaleString('en-US')} ms`,
	mb: (v) => `${Math.round(v).toLocaleString('en-US')} MB`,
	rate: (v) => `${Math.round(v / 1000).toLocaleString('en-US')}k/s`,
	count: (v) => Math.round(v).toLocaleString('en-US'),
};

/** "median (min–max)" in a unit: ms, mb, rate (per second), count. */
export function fmt(summary, unit = 'ms') {
	if (summary === undefined || summary === null) return '–';
	const f = UNITS[unit];
	if (typeof summary === 'number') return f(summary);
	if (summary.n <= 1 || summary.min === summary.max) return f(summary.median);
	return `${f(summary.median)} (${f(summary.min)}–${f(summary.max)})`;
}

/**
 * The results table: one row per figure. `met` is true, false, or undefined (no target); a row
 * whose measurement failed carries `error`.
 */
export function table(rows) {
	const head = ['Figure', 'Ours', 'Limit / comparison', 'Ratio', 'Target', 'Met?'];
	const cell = (text) =>
		String(text ?? '–')
			.replace(/\|/g, '\\|')
			.replace(/\n/g, ' ');
	const lines = [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`];
	for (const r of rows) {
		const met = r.error ? 'error' : r.met === undefined ? '–' : r.met ? 'yes' : '**no**';
		const ours = r.error ? `error: ${r.error}` : r.ours;
		lines.push(`| ${[r.figure, ours, r.other, r.ratio, r.target, met].map(cell).join(' | ')} |`);
	}
	return lines.join('\n');
}

/** `a / b` as "2.67 ×", from medians. */
export const ratio = (a, b) => `${(median(a) / median(b)).toFixed(2)} ×`;
export const median = (s) => (typeof s === 'number' ? s : s.median);

/** CPU model, cores, RAM, Node and n8n versions, date, load: what the figures depend on. */
export function machine({ n8nVersion, loadavg }) {
	const cpu = cpus();
	return [
		`- CPU: ${cpu[0]?.model ?? 'unknown'}, ${cpu.length} cores`,
		`- RAM: ${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
		`- Node ${process.version}; n8n ${n8nVersion ?? 'not run'}`,
		`- Date: ${new Date().toISOString()}`,
		`- Load average at the start: ${loadavg.map((l) => l.toFixed(2)).join(', ')}` +
			(loadavg[0] > cpu.length / 2 ? ' (a loaded machine: the figures are noisy)' : ''),
	].join('\n');
}
