// The top entries of a V8 CPU profile (`node --cpu-prof`) by self time: what `npm run bench --
// --cpu-prof` prints for each in-process worker, so that a missed target names where time goes.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';

/** `[{name, where, ms, share}]`, the `top` functions by self time. */
export async function topEntries(file, top = 8) {
	const profile = JSON.parse(await readFile(file, 'utf8'));
	const byId = new Map(profile.nodes.map((n) => [n.id, n]));
	const self = new Map();
	let total = 0;
	profile.samples.forEach((id, i) => {
		const ms = (profile.timeDeltas[i] ?? 0) / 1000;
		total += ms;
		const { functionName, url, lineNumber } = byId.get(id).callFrame;
		const key = `${functionName || '(anonymous)'}\t${url ? `${basename(url)}:${lineNumber + 1}` : ''}`;
		self.set(key, (self.get(key) ?? 0) + ms);
	});
	return [...self.entries()]
		.sort((a, b) => b[1] - a[1])
		.slice(0, top)
		.map(([key, ms]) => {
			const [name, where] = key.split('\t');
			return { name, where, ms, share: ms / total };
		});
}

/** The entries as markdown list lines. */
export function formatEntries(entries) {
	return entries
		.map((e) => `  - ${(e.share * 100).toFixed(1)} % ${e.name}${e.where ? ` (${e.where})` : ''}`)
		.join('\n');
}
