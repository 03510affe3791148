// The offline community-package scan: packs the package as npm would publish it and runs
// @n8n/scan-community-package's analyzePackage on the tarball's files and on the sources
// (the two legs the verification scanner lints), then checks the tarball holds only what n8n needs.
// Usage: npm run build && npm run scan
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { analyzePackage, SOURCE_FILE_PATTERNS } from '@n8n/scan-community-package/scanner/scanner.mjs';

const root = resolve(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'audit-log-scan-'));
let failed = 0;
let passed = 0;

function check(name, ok, detail = '') {
	if (ok) passed++;
	else failed++;
	console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? `\n${detail}` : ''}`);
}

try {
	const packed = JSON.parse(
		execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
	)[0];
	const files = packed.files.map((f) => f.path);
	const unexpected = files.filter(
		(f) => !/^(package\.json|README\.md|LICENSE(\.md)?|dist\/.+\.(js|json|svg))$/.test(f),
	);
	check(`tarball holds only dist/, package.json, README and LICENSE (${files.length} files, ${packed.size} bytes)`, unexpected.length === 0, unexpected.join('\n'));
	check('tarball has no .d.ts, source maps or tests', !files.some((f) => /\.d\.ts$|\.map$|test/.test(f)));

	execFileSync('tar', ['-xzf', join(work, packed.filename), '-C', work]);
	const tarball = await analyzePackage(join(work, 'package'));
	check('scanner on the packed tarball', tarball.passed, tarball.details ?? tarball.message ?? '');

	const sources = await analyzePackage(root, SOURCE_FILE_PATTERNS);
	check('scanner on the sources (package.json, nodes/, credentials/)', sources.passed, sources.details ?? sources.message ?? '');
	console.log(`\nscanned files in ${readdirSync(work).join(', ')}`);
} finally {
	rmSync(work, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
