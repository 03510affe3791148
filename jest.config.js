// Tests live in test/ (outside the shipped tsconfig); swc strips types for speed, `npm run typecheck` checks them.
// The tally reporter prints the fault, bad-input, secret and hostile-server counts after the summary.
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
	testTimeout: 60000,
	// One worker runs many files on a 2-core machine: restart it once it holds this much, so memory
	// left by the hostile-server and fault suites cannot add up to the heap limit.
	workerIdleMemoryLimit: '1GB',
	globalSetup: '<rootDir>/test/support/tallySetup.js',
	reporters: ['default', '<rootDir>/test/support/tallyReporter.js'],
};
