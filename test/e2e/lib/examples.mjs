// The example workflows of examples/, and their rewrite for a local n8n wired to the vendor simulator.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { E2E_SOURCES } from './sources.mjs';
import { MANUAL_TRIGGER } from './workflows.mjs';

export const EXAMPLES_DIR = fileURLToPath(new URL('../../../examples/', import.meta.url));

/** Where the shipped examples write files: n8n's default allowed folder in its Docker image. */
export const EXAMPLE_FILES_DIR = '/home/node/.n8n-files/';

/** Placeholder URLs in the examples → the simulator webhook that records what would be sent. */
const WEBHOOKS = [
	{ match: /^https:\/\/hooks\.slack\.com\//, name: 'slack' },
	{ match: /\/services\/collector/, name: 'splunk' },
];

export async function loadExamples() {
	const files = (await readdir(EXAMPLES_DIR)).filter((f) => f.endsWith('.json')).sort();
	return await Promise.all(
		files.map(async (file) => ({
			file,
			workflow: JSON.parse(await readFile(join(EXAMPLES_DIR, file), 'utf8')),
		})),
	);
}

/**
 * A copy of an example for a local n8n: credentials → the simulator credentials of the same type,
 * Slack / Splunk URLs → simulator webhooks, file paths → `filesDir`. With `manualStart`, Schedule
 * Triggers become Manual Triggers of the same name (what `n8n execute` can start).
 */
export function rewriteExample(example, { simUrl, filesDir, manualStart = false }) {
	const workflow = structuredClone(example);
	for (const node of workflow.nodes) {
		for (const type of Object.keys(node.credentials ?? {})) {
			const source = E2E_SOURCES.find((s) => s.credentialType === type);
			if (source)
				node.credentials[type] = { id: source.credentialId, name: `${source.label} (simulator)` };
		}
		const params = node.parameters ?? {};
		if (node.type === 'n8n-nodes-base.httpRequest' && typeof params.url === 'string') {
			const hook = WEBHOOKS.find((w) => w.match.test(params.url));
			if (hook) params.url = `${simUrl}/_sim/webhook/${hook.name}`;
		}
		if (node.type === 'n8n-nodes-base.readWriteFile' && typeof params.fileName === 'string') {
			params.fileName = params.fileName.replace(
				EXAMPLE_FILES_DIR,
				`${filesDir.replace(/\/$/, '')}/`,
			);
		}
		if (manualStart && node.type === 'n8n-nodes-base.scheduleTrigger') {
			Object.assign(node, { type: MANUAL_TRIGGER, typeVersion: 1, parameters: {} });
		}
	}
	return workflow;
}

/** Node names of one type in a workflow. */
export function nodesOfType(workflow, type) {
	return workflow.nodes.filter((n) => n.type === type).map((n) => n.name);
}
