// Tests live in test/ (outside the shipped tsconfig); swc strips types for speed, `npm run typecheck` checks them.
// The tally reporter prints the fault, bad-input, secret and hostile-server counts after the summary.
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
	testTimeout: 60000,
	globalSetup: '<rootDir>/test/support/tallySetup.js',
	reporters: ['default', '<rootDir>/test/support/tallyReporter.js'],
};
