// Serves an emulated vendor through nock, so the whole trigger node (n8n-core, transport) can poll it.
import nock from 'nock';

import { DEFAULT_TRANSPORT } from '../../nodes/shared/transport';

import type { ModelVendor, VendorServer } from './emulators/store';
import { viewAt } from './run';

/**
 * The one "now" of a test: Date.now, the transport's clock and the vendor's clock all read it. It
 * jumps ahead on each request and, when `running`, also runs in real time from the instant it is
 * set: the transport waits in real time (the Cortex request budget sleeps until its clock moved on).
 */
export class VirtualClock {
	private base = 0;
	private realStart = 0;

	constructor(private readonly running = true) {}

	set(at: number): void {
		this.base = at;
		this.realStart = performance.now();
	}

	advance(ms: number): void {
		this.base += ms;
	}

	read = (): number =>
		this.base + (this.running ? Math.floor(performance.now() - this.realStart) : 0);
}

/**
 * Installs a test file's hooks: no real network (nock), and Date.now and the transport's clock read
 * `clock` in every test. Returns the clock.
 */
export function useVirtualClock(clock: VirtualClock, extra?: () => void): VirtualClock {
	beforeAll(() => nock.disableNetConnect());
	beforeEach(() => {
		jest.spyOn(Date, 'now').mockImplementation(clock.read);
		jest.spyOn(DEFAULT_TRANSPORT, 'now').mockImplementation(clock.read);
		extra?.();
	});
	afterEach(() => {
		jest.restoreAllMocks();
		nock.cleanAll();
	});
	afterAll(() => nock.enableNetConnect());
	return clock;
}

/** The poll's `atRequest`-th request and the `times - 1` after it fail (Retry-After: 0, no real wait). */
export type HttpFault = { atRequest: number; status: number; times: number };

type Method = 'GET' | 'POST';

export class VendorOverHttp {
	/** Requests of the current poll, and every request so far as "METHOD /path". */
	requests = 0;
	readonly calls: string[] = [];
	faultsServed = 0;
	private pollStart = 0;
	private fault?: HttpFault;
	/** The vendor's clock minus n8n's (History.skewMs). */
	skewMs = 0;

	constructor(
		private readonly vendor: ModelVendor,
		readonly server: VendorServer,
		private readonly clock: VirtualClock,
		/** Only paths matching this are served; nock refuses any other request (the poll then fails). */
		routes: RegExp = /./,
		/** Virtual ms one request takes: records keep arriving while a poll pages. */
		private readonly requestMs = 7,
	) {
		for (const method of ['GET', 'POST'] as const) {
			nock(vendor.baseUrl)
				.persist()
				.intercept((uri) => routes.test(new URL(uri, vendor.baseUrl).pathname), method)
				.reply((uri, body) => this.answer(method, uri, body));
		}
	}

	/** Sets the clock to the poll's start; the next requests count from 1. */
	beginPoll(at: number, fault?: HttpFault): void {
		this.clock.set(at);
		this.pollStart = at;
		this.requests = 0;
		this.fault = fault;
	}

	private answer(method: Method, uri: string, body: unknown): nock.ReplyFnResult {
		this.requests++;
		this.clock.advance(this.requestMs);
		const url = new URL(uri, this.vendor.baseUrl);
		this.calls.push(`${method} ${url.pathname}`);
		const fault = this.fault;
		if (
			fault &&
			this.requests >= fault.atRequest &&
			this.requests < fault.atRequest + fault.times
		) {
			this.faultsServed++;
			return [fault.status, { message: `injected ${fault.status}` }, { 'Retry-After': '0' }];
		}
		const parsed =
			typeof body === 'string' && body !== '' ? (JSON.parse(body) as unknown) : body || undefined;
		const res = this.server.handle(
			{
				method,
				path: url.pathname,
				query: Object.fromEntries(url.searchParams),
				body: parsed,
				origin: url.origin,
			},
			viewAt(this.pollStart + this.skewMs, this.clock.read() + this.skewMs, this.vendor.traits.precisionMs),
		);
		return [res.status, res.body as nock.Body, res.headers ?? {}];
	}
}
