// The hooks every nock-backed test file needs: no real network while it runs, and no interceptor or
// spy left behind for the next test.
import nock from 'nock';

export function offline(): void {
	beforeAll(() => nock.disableNetConnect());
	afterEach(() => {
		jest.restoreAllMocks();
		nock.cleanAll();
	});
	afterAll(() => nock.enableNetConnect());
}
