// Which sources the packed package really registers: read from its built Audit Log node, as n8n loads it.
import Module, { createRequire } from 'node:module';
import { join } from 'node:path';

/**
 * The `resource` (Source) option values of the installed package's Audit Log node. The package is installed
 * without its peer n8n-workflow, so n8n's copy is put on the resolution path first, as n8n does.
 */
export function registeredSources(packageDir, n8nHome) {
	const nodePath = join(n8nHome, 'node_modules');
	if (!(process.env.NODE_PATH ?? '').split(':').includes(nodePath)) {
		process.env.NODE_PATH = [nodePath, process.env.NODE_PATH].filter(Boolean).join(':');
		Module._initPaths();
	}
	const require = createRequire(import.meta.url);
	const { AuditLog } = require(join(packageDir, 'dist', 'nodes', 'AuditLog', 'AuditLog.node.js'));
	const source = new AuditLog().description.properties.find((p) => p.name === 'resource');
	return new Set(source.options.map((o) => o.value));
}
