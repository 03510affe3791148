// Tests live in test/ (outside the shipped tsconfig); swc strips types for speed, `npm run typecheck` checks them.
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
	testTimeout: 60000,
};
