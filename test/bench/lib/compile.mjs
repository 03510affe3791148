// Compiles a few of the repository's TypeScript files with @swc/core so that plain Node 24 can load
// them from the benchmarks (the Pangea verification bench, the n8n-core harness the search bench runs).
import { transformFileSync } from '@swc/core';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * `files` (paths relative to the repository) as CommonJS under `outDir`, same layout; returns a
 * `require` rooted there. Bare imports resolve from wherever `outDir` lies: put it inside the
 * repository (e.g. node_modules/.cache) when the files import packages.
 */
export function compileTs(files, outDir) {
	for (const file of files) {
		const { code } = transformFileSync(join(REPO, file), {
			jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
			module: { type: 'commonjs' },
		});
		const target = join(outDir, file.replace(/\.ts$/, '.js'));
		mkdirSync(dirname(target), { recursive: true });
		writeFileSync(target, code);
	}
	return createRequire(join(outDir, 'index.js'));
}
