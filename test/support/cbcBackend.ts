// A fake Carbon Black Cloud (vendor-apis.md §1): _search with its 10 000-row window, _queue, _export and
// the Job Service, served through nock or called in memory. Every rule a client breaks is recorded.
import nock from 'nock';
import type { IDataObject } from 'n8n-workflow';
import type { CbcRecord } from '../../nodes/shared/sources/carbonBlackCloud/normalize';

export const CBC_WINDOW = 10_000;

export type CbcCredentials = { baseUrl: string; orgKey: string; apiId: string; apiSecretKey: string };

export const CBC_CREDENTIALS: CbcCredentials = {
	baseUrl: 'https://defense.cbc.test',
	orgKey: 'ORGKEY01',
	apiId: 'APIID7QX2',
	apiSecretKey: 'DUMMY-SECRET-9ZPL4M8QWERTY',
};

/** Where a 303 from the job download points: a pre-signed URL on another host. */
export const PRESIGNED_HOST = 'https://cbc-exports.presigned.test';

export type FakeRequest = {
	method: string;
	path: string;
	headers: Record<string, string | string[] | undefined>;
	body?: unknown;
};

export type FakeResponse = { status: number; body: unknown; headers?: Record<string, string> };

/** One _search as the backend saw it (the window rule is checked on these). */
export type SearchCall = {
	rows: number | undefined;
	start: number | undefined;
	order: string;
	criteria: IDataObject;
	body: IDataObject;
	returned: number;
	numFound: number;
};

/** A job status poll answer: a status, or 404 while the job is not visible yet. */
export type JobStep = 'CREATED' | 'COMPLETED' | 'FAILED' | 404;

export type CbcBackendOptions = {
	events?: CbcRecord[];
	credentials?: CbcCredentials;
	/** Batches `_queue` hands out, one per call; then empty answers. */
	queue?: CbcRecord[][];
	/** Status answers of each new job, one per poll; the last one repeats. */
	jobSteps?: JobStep[];
	/**
	 * How `/download` answers: the file itself, a 303 to a pre-signed URL on PRESIGNED_HOST, or a
	 * 303 to another path of the API host (which, like every API path, wants the X-Auth-Token).
	 */
	download?: 'direct' | 'redirect' | 'sameHostRedirect';
	/** 'capped': num_found stops at 10 000, as a search engine's default total tracking does. */
	numFound?: 'exact' | 'capped';
	/** Errors the Job Service reports for a FAILED job. */
	jobErrors?: unknown;
	/** Ties at one millisecond come back in an order that depends on the query (still stable across its pages). */
	shuffleTies?: boolean;
	/** Canned answers served (in order) before the real handler, e.g. a 429 with Retry-After. */
	failFirst?: FakeResponse[];
	/** CSP-managed org: `Authorization: Bearer <token>` is accepted when this says the token is valid. */
	acceptBearer?: (token: string) => boolean;
};

type Selection = { records: CbcRecord[]; order: string };

type Job = { id: number; steps: JobStep[]; polls: number; format: string; records: CbcRecord[] };

const unauthorized = (): FakeResponse => ({
	status: 401,
	body: { success: false, message: 'User is not authenticated' },
});
const badRequest = (message: string, args: string[] = []): FakeResponse => ({
	status: 400,
	body: { error_code: 'INVALID_ARGUMENT', message, args },
});

function headerValue(headers: FakeRequest['headers'], name: string): string | undefined {
	const value = headers[name] ?? headers[name.toLowerCase()];
	return Array.isArray(value) ? value[0] : value;
}

function parseBody(body: unknown): IDataObject {
	if (typeof body === 'string') return body === '' ? {} : (JSON.parse(body) as IDataObject);
	return (body as IDataObject | undefined) ?? {};
}

/** A cheap deterministic integer hash: the tie order of one query. */
function mix(value: number, seed: number): number {
	let h = Math.imul(value ^ seed, 0x9e3779b1);
	h ^= h >>> 15;
	return Math.imul(h, 0x85ebca77) >>> 0;
}

function seedOf(text: string): number {
	let h = 7;
	for (let i = 0; i < text.length; i++) h = Math.imul(h, 31) + text.charCodeAt(i);
	return h >>> 0;
}

const LIST_FIELDS = ['actor', 'actor_ip', 'description', 'request_url'] as const;

function matchesLists(record: CbcRecord, filter: IDataObject, wanted: boolean): boolean {
	for (const field of LIST_FIELDS) {
		const values = filter[field];
		if (!Array.isArray(values)) continue;
		const hit = values.includes(record[field] as never);
		if (hit !== wanted) return false;
	}
	for (const field of ['flagged', 'verbose'] as const) {
		if (typeof filter[field] === 'boolean' && (record[field] === filter[field]) !== wanted) return false;
	}
	return true;
}

export function csvOf(records: CbcRecord[]): string {
	const columns = ['create_time', 'org_key', 'actor', 'actor_ip', 'description', 'request_url', 'flagged', 'verbose'] as const;
	const cell = (value: unknown) => {
		const text = value === null || value === undefined ? '' : String(value);
		return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
	};
	return [columns.join(','), ...records.map((r) => columns.map((c) => cell(r[c])).join(','))].join('\n') + '\n';
}

export class CbcBackend {
	readonly events: CbcRecord[];
	readonly credentials: CbcCredentials;
	readonly searches: SearchCall[] = [];
	readonly queueCalls: number[] = [];
	readonly statusPolls: number[] = [];
	/** Every rule a client broke: the tests assert this stays empty. */
	readonly violations: string[] = [];
	readonly requests: FakeRequest[] = [];
	readonly jobs = new Map<number, Job>();
	private readonly queue: CbcRecord[][];
	private readonly failFirst: FakeResponse[];
	private nextJobId = 4_100_017;
	/** The pages of one query share its sorted selection, as a search engine's would. */
	private readonly selections = new Map<string, Selection>();

	constructor(private readonly options: CbcBackendOptions = {}) {
		this.credentials = options.credentials ?? CBC_CREDENTIALS;
		this.events = [...(options.events ?? [])].sort((a, b) => Date.parse(a.create_time!) - Date.parse(b.create_time!));
		this.queue = (options.queue ?? []).map((batch) => [...batch]);
		this.failFirst = [...(options.failFirst ?? [])];
	}

	get logsPath(): string {
		return `/audit_log/v1/orgs/${this.credentials.orgKey}/logs`;
	}

	get jobsPath(): string {
		return `/jobs/v1/orgs/${this.credentials.orgKey}/jobs`;
	}

	/** Records still waiting in the queue (not yet handed out). */
	get queueLeft(): number {
		return this.queue.reduce((sum, batch) => sum + batch.length, 0);
	}

	handle(request: FakeRequest): FakeResponse {
		this.requests.push(request);
		const token = headerValue(request.headers, 'x-auth-token');
		const bearer = /^Bearer (.+)$/i.exec(headerValue(request.headers, 'authorization') ?? '')?.[1];
		// A same-host redirect target is a pre-signed location too: it must come without the token.
		const fileOnApiHost = new RegExp(`^${this.jobsPath}/(\\d+)/file$`).exec(request.path.split('?')[0]);
		if (fileOnApiHost) {
			if (token !== undefined || bearer !== undefined) {
				this.violations.push(`X-Auth-Token sent to the pre-signed location ${request.path}`);
				return { status: 403, body: { message: 'Signed URLs take no auth header' } };
			}
			return this.file(Number(fileOnApiHost[1]));
		}
		const authorized =
			this.options.acceptBearer && bearer !== undefined
				? this.options.acceptBearer(bearer)
				: token === `${this.credentials.apiSecretKey}/${this.credentials.apiId}`;
		if (!authorized) return unauthorized();
		const canned = this.failFirst.shift();
		if (canned) return canned;
		const path = request.path.split('?')[0];
		const route = `${request.method.toUpperCase()} ${path}`;
		if (route === `POST ${this.logsPath}/_search`) return this.search(request);
		if (route === `GET ${this.logsPath}/_queue`) return this.takeQueue();
		if (route === `POST ${this.logsPath}/_export`) return this.startExport(request);
		const job = new RegExp(`^GET ${this.jobsPath}/(\\d+)(/download|/file)?$`).exec(route);
		if (job?.[2] === '/file') return this.file(Number(job[1]));
		if (job) return job[2] ? this.download(Number(job[1])) : this.poll(Number(job[1]));
		return { status: 404, body: { error_code: 'NOT_FOUND', message: `${route} not found`, args: [] } };
	}

	/** Matching events in the order asked; ties ordered per query when `shuffleTies` is on. */
	select(body: IDataObject): Selection | FakeResponse {
		const key = JSON.stringify([body.criteria, body.exclusions, body.sort]);
		const cached = this.selections.get(key);
		if (cached) return cached;
		const selection = this.selectUncached(body);
		if (!('status' in selection)) this.selections.set(key, selection);
		return selection;
	}

	private selectUncached(body: IDataObject): Selection | FakeResponse {
		const criteria = (body.criteria as IDataObject | undefined) ?? {};
		const exclusions = (body.exclusions as IDataObject | undefined) ?? {};
		const time = criteria.create_time as { start?: string; end?: string; range?: string } | undefined;
		let from = -Infinity;
		let to = Infinity;
		if (time) {
			if (time.range !== undefined && (time.start !== undefined || time.end !== undefined)) {
				return badRequest('create_time: range cannot be combined with start/end');
			}
			if (time.range === undefined) {
				from = Date.parse(time.start ?? '');
				to = Date.parse(time.end ?? '');
				if (Number.isNaN(from) || Number.isNaN(to)) return badRequest('create_time needs both start and end');
				if (from >= to) return badRequest('create_time: start must be before end');
			}
		}
		const excludedTime = exclusions.create_time as { start?: string; end?: string } | undefined;
		const [outFrom, outTo] = excludedTime ? [Date.parse(excludedTime.start ?? ''), Date.parse(excludedTime.end ?? '')] : [NaN, NaN];
		if (excludedTime && (Number.isNaN(outFrom) || Number.isNaN(outTo) || outFrom >= outTo)) {
			return badRequest('exclusions.create_time needs start before end');
		}
		const sort = (body.sort as Array<{ field?: string; order?: string }> | undefined)?.[0];
		const order = String(sort?.order ?? 'ASC').toUpperCase();
		if (sort && (sort.field !== 'create_time' || !['ASC', 'DESC'].includes(order))) {
			return badRequest('sort must be [{"field": "create_time", "order": "ASC"|"DESC"}]');
		}
		const seed = this.options.shuffleTies ? seedOf(JSON.stringify(criteria)) : 0;
		const picked: Array<{ record: CbcRecord; t: number; tie: number }> = [];
		this.events.forEach((record, seq) => {
			const t = Date.parse(record.create_time!);
			if (t < from || t > to) return;
			if (t >= outFrom && t <= outTo) return;
			if (!matchesLists(record, criteria, true) || !matchesLists(record, exclusions, false)) return;
			picked.push({ record, t, tie: seed ? mix(seq, seed) : seq });
		});
		const sign = order === 'DESC' ? -1 : 1;
		picked.sort((a, b) => sign * (a.t - b.t) || a.tie - b.tie);
		return { records: picked.map((p) => p.record), order };
	}

	private search(request: FakeRequest): FakeResponse {
		const body = parseBody(request.body);
		const contentType = headerValue(request.headers, 'content-type') ?? '';
		if (!contentType.includes('application/json')) this.violations.push(`_search without JSON content type: ${contentType}`);
		if (body.rows === undefined) this.violations.push('_search without rows (the API would page by 20)');
		const rows = (body.rows as number | undefined) ?? 20;
		const start = (body.start as number | undefined) ?? 0;
		if (!Number.isInteger(rows) || rows < 0 || rows > CBC_WINDOW) return badRequest(`rows must be between 0 and ${CBC_WINDOW}`);
		if (!Number.isInteger(start) || start < 0) return badRequest('start must be a non-negative integer');
		if (start + rows > CBC_WINDOW) {
			this.violations.push(`_search start ${start} + rows ${rows} > ${CBC_WINDOW}`);
			return badRequest(`start + rows must not exceed ${CBC_WINDOW} (got ${start + rows})`, ['start', 'rows']);
		}
		const selection = this.select(body);
		if ('status' in selection) return selection;
		const results = selection.records.slice(start, start + rows);
		const numFound =
			this.options.numFound === 'capped' ? Math.min(selection.records.length, CBC_WINDOW) : selection.records.length;
		this.searches.push({
			rows: body.rows as number | undefined,
			start: body.start as number | undefined,
			order: selection.order,
			criteria: (body.criteria as IDataObject) ?? {},
			body,
			returned: results.length,
			numFound,
		});
		return {
			status: 200,
			body: { num_found: numFound, num_available: Math.min(selection.records.length, CBC_WINDOW), results },
		};
	}

	private takeQueue(): FakeResponse {
		const batch = this.queue.shift() ?? [];
		this.queueCalls.push(batch.length);
		return { status: 200, body: { num_found: batch.length, num_available: batch.length, results: batch } };
	}

	private startExport(request: FakeRequest): FakeResponse {
		const body = parseBody(request.body);
		if (body.format !== 'csv' && body.format !== 'json') return badRequest('format must be csv or json');
		const selection = this.select(body);
		if ('status' in selection) return selection;
		const id = this.nextJobId++;
		const steps = this.options.jobSteps ?? ['CREATED', 'COMPLETED'];
		this.jobs.set(id, { id, steps, polls: 0, format: body.format, records: selection.records });
		return { status: 200, body: { job_id: id } };
	}

	private poll(id: number): FakeResponse {
		const job = this.jobs.get(id);
		if (!job) return { status: 404, body: { error_code: 'NOT_FOUND', message: `Job ${id} not found`, args: [] } };
		const step = job.steps[Math.min(job.polls, job.steps.length - 1)];
		job.polls++;
		this.statusPolls.push(id);
		if (step === 404) return { status: 404, body: { error_code: 'NOT_FOUND', message: `Job ${id} not found`, args: [] } };
		return {
			status: 200,
			body: {
				id,
				type: 'EXTERNAL',
				status: step,
				org_key: this.credentials.orgKey,
				errors: step === 'FAILED' ? this.options.jobErrors ?? null : null,
				progress: { num_total: job.records.length, num_completed: step === 'COMPLETED' ? job.records.length : 0 },
			},
		};
	}

	/** The bytes of a finished job's file. */
	fileOf(id: number): string {
		const job = this.jobs.get(id)!;
		return job.format === 'csv' ? csvOf(job.records) : JSON.stringify(job.records);
	}

	private download(id: number): FakeResponse {
		const job = this.jobs.get(id);
		if (!job) return { status: 404, body: { error_code: 'NOT_FOUND', message: `Job ${id} not found`, args: [] } };
		if (this.options.download === 'redirect') {
			return { status: 303, body: '', headers: { Location: `${PRESIGNED_HOST}${this.presignedPath(id)}?X-Amz-Signature=f00d` } };
		}
		if (this.options.download === 'sameHostRedirect') {
			return { status: 303, body: '', headers: { Location: `${this.jobsPath}/${id}/file` } };
		}
		return this.file(id);
	}

	private file(id: number): FakeResponse {
		const job = this.jobs.get(id);
		if (!job) return { status: 404, body: { error_code: 'NOT_FOUND', message: `Job ${id} not found`, args: [] } };
		return { status: 200, body: this.fileOf(id), headers: { 'Content-Type': job.format === 'csv' ? 'text/csv' : 'application/json' } };
	}

	presignedPath(id: number): string {
		return `/exports/${this.credentials.orgKey}/${id}.${this.jobs.get(id)?.format ?? 'csv'}`;
	}

	/** Serves this backend through nock on the credential's base URL (and the pre-signed host). */
	install(): this {
		const everything = /.*/;
		nock(this.credentials.baseUrl)
			.persist()
			.post(everything)
			.reply(serve(this, 'POST'))
			.get(everything)
			.reply(serve(this, 'GET'));
		nock(PRESIGNED_HOST).persist().get(everything).reply(servePresigned(this));
		return this;
	}
}

function serve(backend: CbcBackend, method: string) {
	return function (this: nock.ReplyFnContext, uri: string, body: nock.Body): nock.ReplyFnResult {
		const answer = backend.handle({ method, path: uri, headers: this.req.headers, body });
		return [answer.status, answer.body as nock.Body, answer.headers ?? {}];
	};
}

/** The pre-signed host refuses, and records, any request that carries X-Auth-Token. */
function servePresigned(backend: CbcBackend) {
	return function (this: nock.ReplyFnContext, uri: string): nock.ReplyFnResult {
		backend.requests.push({ method: 'GET', path: uri, headers: this.req.headers });
		if (this.req.headers['x-auth-token'] !== undefined || this.req.headers.authorization !== undefined) {
			backend.violations.push(`X-Auth-Token sent to the pre-signed host ${PRESIGNED_HOST}`);
			return [400, 'X-Auth-Token must not reach the pre-signed URL'];
		}
		if (!uri.includes('X-Amz-Signature=')) return [403, 'missing signature'];
		const id = Number(/\/(\d+)\.\w+/.exec(uri)?.[1]);
		return [200, backend.fileOf(id), { 'Content-Type': 'application/octet-stream' }];
	};
}
