/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test-only: real-time bounds of the fault cases */
// The fault table and the jest cases built from it: every operation of one source × every fault,
// each scored against the fault-free run and counted into `tally('faults', …)`.
import type { IDataObject } from 'n8n-workflow';

import { getSource } from '../../nodes/shared/sources';
import { DEFAULT_TRANSPORT } from '../../nodes/shared/transport';
import { tally } from '../support/tally';
import {
	BOUND_MS,
	describeError,
	elapsedSince,
	FaultRunner,
	isApiError,
	score,
	searchRange,
	SOURCE_ROWS,
	WHERE,
	type Case,
	type Operation,
	type Outcome,
} from './run';
import { SimChild, virtualTime, type FaultSpec, type Vendor } from './sim';

/** The request timeout the suite runs with, and an answer well past it. */
export const TIMEOUT_MS = 400;
export const SLOW_MS = 3000;

export type SuiteSpec = {
	vendor: Vendor;
	/** The describe titles' and OPEN_CASES keys' prefix (default: the source id), for a second suite of one source. */
	label?: string;
	/** Keeps only these cases (a second suite that adds what the first cannot reach). */
	only?: (c: Case) => boolean;
	/** Simulator flags: sizes small enough to be quick, pages small enough to be several. */
	args: string[];
	config?: Record<string, unknown>;
	/** The path of each operation's page requests (a fault on a later page targets these). */
	readPath: Partial<Record<ReadOperation, string>>;
	operations: ReadOperation[];
	/** Whether the operation reads more than one page of the seeded data (mid-result faults apply). */
	multiPage: Partial<Record<ReadOperation, boolean>>;
	/** Faults only this vendor has (a failed export job, a 202 answered later), per operation. */
	vendorFaults?: Partial<Record<ReadOperation, Case[]>>;
	/** Export and Wait downloads the vendor's file from the pre-signed host: faults there too. */
	downloads?: boolean;
	/** More cases on the same simulator (Pangea Log). */
	log?: (getSim: () => SimChild) => void;
};

type ReadOperation = Exclude<Operation, 'log'> | 'queueTrigger';
const CURSOR_OPS: ReadOperation[] = ['fetchQueue', 'trigger', 'queueTrigger'];

const FAULT_COUNT_PAST_RETRIES = 10;

/** Faults every read operation meets: `path` is the operation's page route. */
function readFaults(vendor: Vendor, path: string, multiPage: boolean, readOnce: boolean): Case[] {
	const at = (spec: Omit<FaultSpec, 'vendor' | 'path'>): FaultSpec => ({ vendor, path, ...spec });
	const later = multiPage ? 1 : 0;
	const cases: Case[] = [
		{ name: '429 with Retry-After, once', faults: [at({ kind: '429', retryAfter: 2 })] },
		{
			name: '429 with Retry-After, past the retries',
			faults: [at({ kind: '429', retryAfter: 1, count: FAULT_COUNT_PAST_RETRIES })],
		},
		{
			name: '429 with only reset headers',
			faults: [
				at({ kind: '429', headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '3' } }),
			],
		},
		{ name: '5xx burst shorter than the retries', faults: [at({ kind: '503', count: 2 })] },
		{
			name: '5xx burst longer than the retries',
			faults: [at({ kind: '502', count: FAULT_COUNT_PAST_RETRIES })],
		},
		{
			name: '503 carrying quota headers with quota left',
			faults: [
				at({
					kind: '503',
					headers: { 'x-ratelimit-remaining': '2950', 'x-ratelimit-reset': '906' },
				}),
			],
		},
		{ name: 'connection reset before the answer', faults: [at({ kind: 'reset' })] },
		{ name: 'connection reset mid-body', faults: [at({ kind: 'truncate', skip: later })] },
		{
			name: 'an answer slower than the timeout',
			faults: [at({ kind: 'slow', delayMs: SLOW_MS })],
			slow: true,
		},
		{ name: 'a truncated JSON body', faults: [at({ kind: 'truncatedJson', skip: later })] },
		{ name: 'an HTML error page with status 200', faults: [at({ kind: 'html', skip: later })] },
		{ name: 'an empty page mid-result', faults: [at({ kind: 'emptyPage', skip: later })] },
		{
			name: 'a 500 on a later page, past the retries',
			faults: [at({ kind: '500', skip: later, count: FAULT_COUNT_PAST_RETRIES })],
		},
	];
	if (multiPage)
		cases.push({ name: 'a repeated page', faults: [at({ kind: 'repeatPage', skip: 1 })] });
	// A read-once queue's empty batch is its end, and a batch served twice is the vendor's redelivery.
	if (readOnce)
		return [
			...cases.filter((c) => !c.faults.some((f) => ['emptyPage', 'repeatPage'].includes(f.kind))),
			// The vendor takes the batch, then answers after the node gave up: it is gone, and must be reported.
			{
				name: 'a batch taken, its answer slower than the timeout',
				faults: [at({ kind: 'slowAfter', delayMs: SLOW_MS, skip: later })],
				slow: true,
			},
		];
	return cases;
}

/**
 * Hazards of the operations that keep a cursor or read a queue across runs. What they owe is every
 * record the vendor holds at the end of the case, the ones these hazards add included.
 */
function cursorHazards(vendor: Vendor, path: string): Case[] {
	const append = async (runner: FaultRunner, spec: { count: number; time?: number }) => {
		await runner.sim.appendEvents(vendor, spec);
	};
	const midRead = (spec: Omit<FaultSpec, 'vendor' | 'path' | 'kind'>): FaultSpec => ({
		vendor,
		path,
		kind: 'append',
		...spec,
	});
	return [
		{
			name: 'vendor clock 10 s ahead, records written between runs',
			faults: [],
			config: { clockOffsetMs: 10_000 },
			between: async (runner, run) => {
				if (run >= 2) return;
				await append(runner, { count: 3 });
				// The next poll comes when the node's clock has passed the vendor's stamps.
				virtualTime.advance(15_000);
			},
		},
		{
			name: 'vendor clock 10 s behind, records written between runs',
			faults: [],
			config: { clockOffsetMs: -10_000 },
			between: async (runner, run) => {
				if (run < 2) await append(runner, { count: 3 });
			},
		},
		{
			name: 'records written mid-read (between two page requests)',
			faults: [midRead({ skip: 1, events: 2 })],
		},
		{
			name: 'records written mid-read, vendor clock 10 s behind',
			faults: [midRead({ skip: 1, events: 2 })],
			config: { clockOffsetMs: -10_000 },
		},
		{
			name: 'a record arriving 20 s late (inside the overlap)',
			faults: [],
			between: async (runner, run) => {
				if (run === 0) await append(runner, { count: 1, time: Date.now() - 20_000 });
			},
		},
		{
			name: 'a restart between polls (static data reloaded from JSON)',
			faults: [],
			between: async (runner, run) => {
				if (run === 0) await append(runner, { count: 2 });
				runner.staticData = JSON.parse(JSON.stringify(runner.staticData)) as IDataObject;
			},
		},
		{
			name: 'a failed run followed by a restart',
			faults: [{ vendor, kind: '503', count: FAULT_COUNT_PAST_RETRIES }],
			between: async (runner) => {
				runner.staticData = JSON.parse(JSON.stringify(runner.staticData)) as IDataObject;
			},
		},
		{ name: 'two polls in flight on the same state', faults: [], overlapping: true },
		{
			name: 'Max Events per Poll a third of the backlog, records written between runs',
			faults: [],
			capShare: 1 / 3,
			between: async (runner, run) => {
				if (run === 0) await append(runner, { count: 2, time: Date.now() - 5_000 });
			},
		},
		{
			name: 'Max Events per Poll a third of the backlog, a 5xx burst past the retries on a later poll',
			faults: [{ vendor, path, kind: '503', skip: 2, count: FAULT_COUNT_PAST_RETRIES }],
			capShare: 1 / 3,
		},
	];
}

/** The export file's download (from the pre-signed host): never a partial file presented as the export. */
const DOWNLOAD_FAULTS: Case[] = [
	{ name: 'download: 503 once', faults: [{ vendor: 'presigned', kind: '503' }] },
	{
		name: 'download: connection reset before the answer',
		faults: [{ vendor: 'presigned', kind: 'reset' }],
	},
	{
		name: 'download: connection reset mid-body',
		faults: [{ vendor: 'presigned', kind: 'truncate' }],
	},
	{
		name: 'download: a complete answer holding half the file',
		faults: [{ vendor: 'presigned', kind: 'truncatedJson' }],
	},
	{
		name: 'download: 5xx past the retries',
		faults: [{ vendor: 'presigned', kind: '503', count: FAULT_COUNT_PAST_RETRIES }],
	},
	{
		name: 'download: an HTML error page with status 200',
		faults: [{ vendor: 'presigned', kind: 'html' }],
	},
	{
		name: 'download: an answer slower than the timeout',
		faults: [{ vendor: 'presigned', kind: 'slow', delayMs: SLOW_MS }],
		slow: true,
	},
];

const isNativeQueue = (vendor: Vendor, operation: ReadOperation) =>
	vendor === 'cbc' && (operation === 'fetchQueue' || operation === 'queueTrigger');

type SourceRowLike = (typeof SOURCE_ROWS)[Vendor];

function idOf(row: SourceRowLike, record: IDataObject): string {
	return getSource(row.id)!.normalize(record).id;
}

/** The jest cases of one source: a describe per operation, a test per fault. */
/**
 * Cases that still fail, each with what it needs: reported as `todo` and counted as open in the
 * tally line, never as passing. Remove an entry with its fix.
 */
export const OPEN_CASES: Record<string, string> = {
};

export function defineFaultSuite(spec: SuiteSpec): void {
	const row = SOURCE_ROWS[spec.vendor];
	let sim: SimChild;
	const baseline = new Map<ReadOperation, string[]>();
	let savedTimeout: unknown;

	beforeAll(async () => {
		sim = await SimChild.start(spec.args);
		const settings = DEFAULT_TRANSPORT as unknown as Record<string, unknown>;
		savedTimeout = settings.requestTimeoutMs;
		settings.requestTimeoutMs = TIMEOUT_MS;
	});
	afterAll(async () => {
		(DEFAULT_TRANSPORT as unknown as Record<string, unknown>).requestTimeoutMs = savedTimeout;
		await sim?.stop();
	});
	beforeEach(() => {
		// Each case starts with the node's clock on the simulator's (both real time).
		virtualTime.reset();
		jest.spyOn(Date, 'now').mockImplementation(virtualTime.now);
		jest.spyOn(DEFAULT_TRANSPORT, 'now').mockImplementation(virtualTime.now);
	});
	afterEach(() => jest.restoreAllMocks());

	const range = searchRange();

	async function fresh(config: Record<string, unknown> = {}): Promise<FaultRunner> {
		await sim.reset({ ...spec.config, ...config });
		return new FaultRunner(sim, row, range, Number(config.clockOffsetMs ?? 0));
	}

	async function allIds(): Promise<string[]> {
		return (await sim.records(spec.vendor)).map((r) => idOf(row, r as IDataObject));
	}

	async function droppedIds(): Promise<string[]> {
		const reads = await sim.queueReads(spec.vendor);
		return reads
			.filter((read) => !read.delivered)
			.flatMap((read) => read.records.map((r) => idOf(row, r as IDataObject)));
	}

	async function expected(operation: ReadOperation): Promise<string[]> {
		const known = baseline.get(operation);
		if (known) return known;
		const runner = await fresh();
		const outcome = await runner.outcome(operation);
		if (outcome.errors.length > 0) throw outcome.errors[0];
		baseline.set(operation, outcome.ids);
		return outcome.ids;
	}

	spec.log?.(() => sim);

	const label = spec.label ?? row.id;
	describe.each(spec.operations)(`${label} %s`, (operation) => {
		it('fault-free: reads every seeded record once', async () => {
			const ids = await expected(operation);
			expect(ids.length).toBeGreaterThan(0);
			// The baseline the faults are scored against is itself checked against the vendor's store.
			expect([...ids].sort()).toEqual((await allIds()).sort());
		});

		const path = spec.readPath[operation === 'queueTrigger' ? 'fetchQueue' : operation] ?? '';
		const cases = [
			...readFaults(
				spec.vendor,
				path,
				spec.multiPage[operation] === true,
				isNativeQueue(spec.vendor, operation),
			),
			...(CURSOR_OPS.includes(operation) ? cursorHazards(spec.vendor, path) : []),
			...(operation === 'exportAndWait' && spec.downloads ? DOWNLOAD_FAULTS : []),
			...(spec.vendorFaults?.[operation] ?? []),
		].filter((c) => spec.only?.(c) ?? true);
		for (const c of cases) {
			const open = OPEN_CASES[`${label} ${operation} › ${c.name}`];
			if (open) {
				tally('faults', { open: 1 });
				it.todo(`${c.name} — OPEN: ${open}`);
			}
		}
		const run = cases.filter((c) => !OPEN_CASES[`${label} ${operation} › ${c.name}`]);
		it.each(run.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
			const wanted = await expected(operation);
			const runner = await fresh(c.config);
			if (c.capShare) runner.maxEvents = Math.ceil(wanted.length * c.capShare);
			await sim.addFaults(c.faults);
			const start = virtualTime.now();
			const realStart = performance.now();
			let outcome: Outcome;
			if (c.overlapping) {
				outcome = await overlappingPolls(runner, operation, spec.vendor);
			} else {
				outcome = await runner.outcome(
					operation,
					c.between && (async (run) => await c.between!(runner, run)),
				);
			}
			const elapsed = elapsedSince(start);
			const realElapsed = performance.now() - realStart;
			const readsOnce = operation === 'search' || operation === 'exportAndWait';
			// What a read-once queue handed out in answers that never reached the node whole is gone.
			const dropped = isNativeQueue(spec.vendor, operation) ? await droppedIds() : [];
			// Search and Export read a pinned past range; the cursor operations owe all the vendor holds.
			const owed = readsOnce ? wanted : await allIds();
			const counts = score(owed, outcome, { readsOnce, dropped });
			tally('faults', {
				cases: 1,
				lost: counts.lost,
				duplicated: counts.duplicated,
				silentPartials: counts.silentPartial ? 1 : 0,
			});
			const errors = outcome.errors.map(describeError);
			expect({ ...counts, errors }).toEqual({
				lost: 0,
				duplicated: 0,
				silentPartial: false,
				errors,
			});
			for (const error of outcome.errors) {
				expect(isApiError(error)).toBe(true);
				expect(describeError(error)).toMatch(WHERE);
			}
			// A failure shown beside delivered events (a hint, emitError) says where it happened too.
			for (const report of outcome.reported) expect(report).toMatch(WHERE);
			expect(elapsed).toBeLessThanOrEqual(c.boundMs ?? BOUND_MS);
			// The node gave up on the slow answer at its timeout instead of waiting for it (10× apart).
			if (c.slow) expect(realElapsed).toBeLessThan(SLOW_MS);
		});
	});
}

/** Two polls (or Fetch Queue runs) started together on one static data, the vendor slow to answer. */
async function overlappingPolls(
	runner: FaultRunner,
	operation: ReadOperation,
	vendor: Vendor,
): Promise<Outcome> {
	await runner.sim.addFaults([{ vendor, kind: 'slow', delayMs: 150, count: 1000 }]);
	const first = await runner.together(operation, 2);
	await runner.sim.clearFaults();
	const rest = await runner.outcome(operation);
	return {
		ids: [...first.ids, ...rest.ids],
		errors: [...first.errors, ...rest.errors],
		errorItems: first.errorItems + rest.errorItems,
		reported: [...first.reported, ...rest.reported],
		runs: first.runs + rest.runs,
	};
}

/** Pangea Log against the faults of a write: each event must be stored once, or the error must say it may have been. */
export function defineLogFaults(getSim: () => SimChild): void {
	const row = SOURCE_ROWS.pangea;
	const at = (spec: Omit<FaultSpec, 'vendor' | 'path'>): FaultSpec => ({
		vendor: 'pangea',
		path: '/log',
		...spec,
	});
	const cases: Array<[string, FaultSpec[]]> = [
		['429 with Retry-After, once', [at({ kind: '429', retryAfter: 2 })]],
		[
			'429 with Retry-After, past the retries',
			[at({ kind: '429', retryAfter: 1, count: FAULT_COUNT_PAST_RETRIES })],
		],
		[
			'429 with only reset headers',
			[at({ kind: '429', headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '3' } })],
		],
		['5xx burst shorter than the retries', [at({ kind: '503', count: 2 })]],
		['5xx burst longer than the retries', [at({ kind: '502', count: FAULT_COUNT_PAST_RETRIES })]],
		['connection reset before the vendor read the request', [at({ kind: 'reset' })]],
		['connection dropped after the vendor stored the events', [at({ kind: 'resetAfter' })]],
		['a 200 answer cut mid-body', [at({ kind: 'truncate' })]],
		['a truncated JSON body', [at({ kind: 'truncatedJson' })]],
		['an HTML error page with status 200', [at({ kind: 'html' })]],
		['an answer slower than the timeout', [at({ kind: 'slow', delayMs: SLOW_MS })]],
		[
			'the events stored, the answer slower than the timeout',
			[at({ kind: 'slowAfter', delayMs: SLOW_MS })],
		],
	];
	describe('pangea log', () => {
		it.each(cases)('%s', async (name, faults) => {
			const sim = getSim();
			await sim.reset();
			await sim.addFaults(faults);
			const tag = `fault-log ${name} ${virtualTime.now()}`;
			const messages = [1, 2, 3].map((i) => `${tag} #${i}`);
			const runner = new FaultRunner(sim, row, {});
			const start = virtualTime.now();
			const realStart = performance.now();
			let error: Error | undefined;
			let items: Awaited<ReturnType<FaultRunner['action']>> = [];
			try {
				items = await runner.action(
					'log',
					messages.map((message) => ({ json: { message } })),
				);
			} catch (e) {
				error = e as Error;
			}
			const elapsed = elapsedSince(start);
			const realElapsed = performance.now() - realStart;
			// The slow answer is still being stored after the client gave up: let it land.
			const slow = faults.some((f) => f.kind === 'slow' || f.kind === 'slowAfter');
			// (`slowAfter` stores first and only answers late.)
			if (faults.some((f) => f.kind === 'slow'))
				await new Promise((resolve) =>
					setTimeout(resolve, Math.max(0, SLOW_MS + 200 - realElapsed)),
				);
			const stored = (await sim.records('pangea')).map(
				(r) => ((r.envelope as IDataObject)?.event as IDataObject | undefined)?.message,
			);
			const counts = messages.map((m) => stored.filter((s) => s === m).length);
			const duplicated = counts.reduce((sum, c) => sum + Math.max(0, c - 1), 0);
			const lost = error ? 0 : counts.filter((c) => c === 0).length;
			const silentPartial = !error && (lost > 0 || items.some((i) => i.json.error !== undefined));
			tally('faults', { cases: 1, lost, duplicated, silentPartials: silentPartial ? 1 : 0 });
			expect({ lost, duplicated, silentPartial, error: error && describeError(error) }).toEqual({
				lost: 0,
				duplicated: 0,
				silentPartial: false,
				error: error && describeError(error),
			});
			if (error) {
				expect(isApiError(error)).toBe(true);
				// Stored or not, the user must not be told it failed when it may have been logged.
				if (counts.some((c) => c > 0))
					expect(describeError(error)).toMatch(/may have (been )?(logged|written)/i);
			} else {
				expect(items.map((i) => typeof i.json.hash)).toEqual(['string', 'string', 'string']);
			}
			expect(elapsed).toBeLessThanOrEqual(BOUND_MS);
			if (slow) expect(realElapsed).toBeLessThan(SLOW_MS);
		});
	});
}
