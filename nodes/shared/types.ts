// The types that every source, every operation and the trigger agree on: the seam of the package.
import type {
	IBinaryData,
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	ILoadOptionsFunctions,
	INodeProperties,
	INodePropertyOptions,
	IPollFunctions,
} from 'n8n-workflow';

/**
 * The value of the node's `source` parameter, a public contract (saved workflows use it): today
 * carbonBlackCloud, cortexXdr, ciscoSecureEndpoint or pangea. A plain string, so that a new vendor
 * is added in its folder and the registry alone (sources/index.ts), not here.
 */
export type SourceId = string;

/** A vendor record exactly as received (parsed JSON). */
export type RawRecord = IDataObject;

export type AuditCategory = 'authentication' | 'account' | 'configuration' | 'policy' | 'api' | 'other';
export type AuditOutcome = 'success' | 'failure' | 'unknown';

export type Verdict = 'pass' | 'fail';
export type ProofVerdict = 'pass' | 'fail' | 'pending' | 'none';
/**
 * One record's tamper-proof checks, and their one-word summary `status`: `verified` (every check
 * passed against roots from an independent source), `unverified` (a proof was missing), `pending`
 * (a root cannot be checked independently yet), `failed` (a check failed).
 */
export type VerificationStatus = 'verified' | 'unverified' | 'pending' | 'failed';
export type Verification = {
	/** Always set by a source's verifyPage; optional only so older literals still type-check. */
	status?: VerificationStatus;
	hash: Verdict;
	signature: Verdict | 'none';
	membership: ProofVerdict;
	consistency: ProofVerdict;
};

/** The normalized audit item of docs/audit-item.md: every key always present, null when unknown. */
export type AuditItem = {
	id: string;
	source: SourceId;
	time: string | null;
	actor: { name: string | null; email: string | null; ip: string | null };
	action: string | null;
	category: AuditCategory;
	description: string | null;
	outcome: AuditOutcome;
	flagged: boolean;
	target: { type: string | null; id: string | null; name: string | null };
	changes: { before: IDataObject | null; after: IDataObject | null } | null;
	organization: string | null;
	requestUrl: string | null;
	raw?: RawRecord;
	verification?: Verification;
};

/** An audit item with its event time as epoch ms (NaN when the vendor time did not parse). */
export type TimedItem = { item: AuditItem; timeMs: number };

/** The n8n functions a source may run under: the action node or the polling trigger. */
export type NodeFunctions = IExecuteFunctions | IPollFunctions;

/**
 * What a source's requests run under: a node run, or the editor asking a `loadOptions` method for
 * a list. All three have the node, its credentials and n8n's request helpers, which is all the
 * transport uses.
 */
export type RequestFunctions = NodeFunctions | ILoadOptionsFunctions;

export type SortOrder = 'asc' | 'desc';

/** The common filters of the `filters` collection, resolved. Vendor-only fields stay in `vendor`. */
export type CommonFilters = {
	actor?: string;
	actorIp?: string;
	query?: string;
	flaggedOnly?: boolean;
};

/** One time-bounded read of a source. Times are epoch ms, both ends inclusive. */
export type AuditQuery = {
	start?: number;
	end: number;
	order: SortOrder;
	common: CommonFilters;
	/** The vendor-only fields of the `filters` collection (names as the source declared them). */
	vendor: IDataObject;
	/** Vendor-only settings from the `options` collection (e.g. Cortex requests per second). */
	vendorOptions: IDataObject;
	/** Largest page wanted; a source asks for min(pageSize, this). */
	pageSize: number;
	/** Pangea: ask for the verbose records that carry proofs. */
	verify?: boolean;
	/** Request the next page while the current one is processed (set when all pages will be read). */
	readAhead?: boolean;
	/**
	 * The caller takes at most this many records (a Limit with no filter applied here): offset
	 * pages below it may be fetched ahead, none past it. Unset: no such bound is known.
	 */
	maxRecords?: number;
};

/** One page as a source returns it: records in the order asked, plus the total when the vendor says. */
export type Page = {
	records: RawRecord[];
	/** Matches of the whole query as the vendor reports them (CBC num_found, Pangea count), if known. */
	total?: number;
	/** Extra context the normalizer or verifier needs for the records of this page (Pangea roots). */
	context?: IDataObject;
};

export type ExportFormat = 'csv' | 'json' | 'ndjson';

/** What n8n's binary store takes: a Buffer, or a readable stream it reads to its end. */
export type BinaryInput = Parameters<IExecuteFunctions['helpers']['prepareBinaryData']>[0];

/** An export file, kept in n8n's binary store (by `ExportSettings.store`). */
export type ExportedFile = {
	binary: IBinaryData;
	/** Its size in bytes. */
	bytes: number;
	fileName: string;
	mimeType: string;
	eventCount: number | null;
	jobId?: string;
};

export type ExportSettings = {
	format: ExportFormat;
	pollIntervalMs: number;
	maxWaitMs: number;
	/**
	 * Hands a file to n8n's binary store: a Buffer, or a download's body as it arrives
	 * (`BodyStream.stream`), so that a large export is written out, never held whole.
	 */
	store(data: BinaryInput, fileName: string, mimeType: string): Promise<IBinaryData>;
};

/** A 2xx answer's body handed on unread (`ApiRequest.sink`). */
export type BodyStream = {
	/** The body: for one reader (n8n's binary store) that reads it to its end. */
	readonly stream: Exclude<BinaryInput, Buffer>;
	/** Sees each chunk as the reader takes it, in order: call before handing `stream` on. */
	observe(onChunk: (chunk: Buffer) => void): void;
};

/** An HTTP request as a source describes it; the transport adds retries, auth and error mapping. */
export type ApiRequest = {
	method: IHttpRequestMethods;
	/** Absolute URL, or a path joined to the source's base URL. */
	url: string;
	qs?: IDataObject;
	body?: IDataObject | IDataObject[];
	headers?: Record<string, string>;
	/** Return the body as a Buffer instead of parsed JSON. */
	binary?: boolean;
	/**
	 * Hand a 2xx answer's body, unread, to this reader (n8n's binary store) instead of holding it:
	 * the answer's body becomes what it returns. The bytes still count against the body cap and
	 * the silence timeout as they pass, and a body cut short is retried like one read here (the
	 * reader is called again with the new answer). Other answers are read as usual.
	 */
	sink?(body: BodyStream): Promise<unknown>;
	/** Return 3xx answers instead of following them (to strip auth from a pre-signed redirect). */
	noRedirect?: boolean;
	/** Statuses that are answers, not failures (e.g. Pangea 202 Accepted). 2xx always are. */
	acceptStatus?: number[];
	/**
	 * A write that must not be repeated blindly (Pangea /v2/log): retried only after an answer that
	 * proves nothing was written, or when `retryHeaders` marks the retry for the vendor; otherwise
	 * a failure says the events may have been written and names the request.
	 */
	nonIdempotent?: boolean;
	/**
	 * Headers for a retry after a failed answer, so the vendor can tell a retried write from a new
	 * one (Pangea: X-Pangea-Retried-Request-Ids). Called once per failed attempt, in order.
	 */
	retryHeaders?(failed: ApiResponse): Record<string, string> | undefined;
};

export type ApiResponse<T = unknown> = {
	status: number;
	headers: Record<string, string | string[] | undefined>;
	body: T;
};

/** What a source tells the transport about a failed answer, in the vendor's own words. */
export type VendorError = {
	message: string;
	/** How to fix it, in plain words (shown as the error's description). */
	description?: string;
	/** True when retrying the same request can succeed (e.g. Pangea TooManyRequests on a 400). */
	retryable?: boolean;
};

/** Everything a source may use while it runs: HTTP through the transport, credentials, time. */
export interface SourceContext {
	readonly fn: RequestFunctions;
	readonly itemIndex: number;
	/** An authenticated request to the vendor, retried on 429/5xx, errors mapped. */
	request<T = unknown>(req: ApiRequest): Promise<ApiResponse<T>>;
	/** A request without the vendor's auth (pre-signed download URLs): a Buffer, or what `sink` returns. */
	requestWithoutAuth<T = Buffer>(req: ApiRequest): Promise<ApiResponse<T>>;
	/** The decrypted credential; read only non-secret fields (base URL, org key, region). */
	credentials(): Promise<ICredentialDataDecryptedObject>;
	/** Waits, returning early with an error when the execution is cancelled. */
	sleep(ms: number): Promise<void>;
	/**
	 * Lets the event loop run once while this context has a request in flight, or when `asked` says
	 * one was just asked for (it may not have reached the transport yet); at once otherwise. A
	 * request asked for ahead is only written to its socket, and its answer only read, in such a
	 * turn, so long synchronous work (a page's normalization) calls this between slices.
	 */
	turn(asked?: boolean): Promise<void>;
	throwIfCancelled(): void;
	now(): number;
	/** A short note for the execution's hints (progress, counts, fallbacks). Never a secret. */
	note(message: string): void;
	/**
	 * Epoch ms by which this run must hand back what it has (a poll's deadline, below its interval),
	 * or undefined for none. Readers stop paging past it; the cursor moves only over what was emitted.
	 */
	readonly deadline?: number;
	/**
	 * While held, the transport lets requests and waits run past `deadline`: a cursor read holds it
	 * until it meets a new event, so re-reading its overlap never uses up a slow vendor's budget.
	 */
	holdDeadline?(held: boolean): void;
	/** Largest body (download, inflated gzip, joined export) this run may hold, in bytes. */
	readonly maxBodyBytes: number;
	/** Removes the credential's secrets from text that may reach a user (vendor messages, hints). */
	redact(text: string): string;
}

/**
 * A vendor-side read-once queue (CBC `_queue`). The vendor applies no filter to it, so every filter
 * the editor shows is applied to what was read: the common ones by the caller, the vendor-only ones
 * by `matches`. Both parts only make sense together, hence one object.
 */
export type NativeQueue = {
	/** Yields pages until the queue is empty; a page yielded is gone from the vendor. */
	read(ctx: SourceContext): AsyncIterable<Page>;
	/** Whether one item read from the queue passes the query's vendor-only filters (`query.vendor`). */
	matches(query: AuditQuery, item: AuditItem): boolean;
};

/** The result of one call to a source's `log` (Pangea): one entry per input event, in order. */
export type LoggedEvent = { hash: string | null; envelope?: IDataObject; verification?: Verification };

/**
 * One vendor. Everything vendor-specific lives behind this interface, in the vendor's folder;
 * operations and the trigger never ask which vendor they run on.
 */
export interface AuditSource {
	id: SourceId;
	/** Shown in the Source dropdown. */
	displayName: string;
	/** Shown under the Source dropdown. */
	description: string;
	credentialType: string;
	/** Vendor-only fields added to the `filters` collection when this source is chosen. */
	filterFields: INodeProperties[];
	/** Vendor-only fields added to the `options` collection when this source is chosen. */
	optionFields: INodeProperties[];
	/** The largest page the vendor serves. */
	pageSize: number;
	/**
	 * Result cap of one query (CBC, Pangea: 10 000); reading past it needs a time split. `pages` stops
	 * at it: the page that fills it is the query's last, so a Return All starts the next query then.
	 */
	searchWindow?: number;
	/** The finest time the vendor records (Cisco: whole seconds); cursors are seeded on it. Default 1 ms. */
	timePrecisionMs?: number;
	/** Which orders `pages` can deliver; a newest-first API is read whole and reversed for asc. */
	orders: SortOrder[];
	/**
	 * Whether the vendor marks some events as flagged (CBC's `flagged`). Only such a source shows the
	 * Flagged Only filter: elsewhere `flagged` is always false and the filter would return nothing.
	 */
	flags?: boolean;
	/** Common filters the vendor applies itself; the rest are applied to normalized items. */
	serverFilters: Array<keyof CommonFilters>;
	/** Checks vendor-only inputs before any request; throws NodeOperationError naming the field. */
	validate?(query: AuditQuery, fn: NodeFunctions, itemIndex: number): void;
	/** Reads the query page by page, in `query.order`. */
	pages(ctx: SourceContext, query: AuditQuery): AsyncIterable<Page>;
	/** A vendor-side read-once queue (CBC `_queue`). */
	nativeQueue?: NativeQueue;
	/** A vendor-side export (CBC job, Pangea download_results). */
	nativeExport?(ctx: SourceContext, query: AuditQuery, settings: ExportSettings): Promise<ExportedFile>;
	/** Formats the vendor can export natively; others fall back to paging into a file. */
	nativeExportFormats?: ExportFormat[];
	/** Parameters of the Log operation, shown only for this source (Pangea). */
	logFields?: INodeProperties[];
	/** One event to log, from an input item and the node's Log parameters; throws on bad input. */
	logEventFrom?(fn: IExecuteFunctions, itemIndex: number): IDataObject;
	/** Writes events, batching as the vendor requires (Pangea: 1 000 a call); results in input order. */
	log?(ctx: SourceContext, events: IDataObject[], options: IDataObject): Promise<LoggedEvent[]>;
	/**
	 * Pure: one vendor record → the normalized item (raw always attached; callers drop it). The
	 * reader may call it twice for one record (a window's last one, for where the next starts).
	 */
	normalize(raw: RawRecord, context?: IDataObject): AuditItem;
	/**
	 * The time (epoch ms, NaN when unknown) that `pages` filters and orders on, when it is not the
	 * event's own time: an ingest time (Cortex AUDIT_INSERT_TIME, Pangea received_at), so the cursor
	 * follows it and a record that reaches the vendor late is still read. Default: the item's time.
	 */
	cursorTime?(raw: RawRecord, item: AuditItem): number;
	/**
	 * Adds a `verification` object to each item of a page (Pangea). `memory` is a small JSON-safe
	 * object the caller keeps across runs (the trigger and Fetch Queue in static data under
	 * `verificationMemory`; Search passes a fresh `{}`): the source remembers what it verified
	 * there (Pangea: the newest root) so a later run can tell when history was rewritten.
	 */
	verifyPage?(ctx: SourceContext, page: Page, items: AuditItem[], memory: IDataObject): Promise<void>;
	/** The vendor's error body → its own message, or undefined when the body says nothing. */
	describeError(status: number, body: unknown): VendorError | undefined;
	/** Fields of the credential the Test request and the transport need, e.g. the base URL. */
	baseUrl(credentials: ICredentialDataDecryptedObject): string;
	/**
	 * True when these credentials sign requests with a token n8n fetches and stores (a credential
	 * `preAuthentication` filling an `expirable` field, e.g. CBC's CSP sign-in): the transport then
	 * lets a 401 reach n8n's request helper, which signs in again once and resends the request.
	 */
	refreshesTokenOn401?(credentials: ICredentialDataDecryptedObject): boolean;
	/** Client-side request budget per second (Cortex), read from the options. */
	requestsPerSecond?(vendorOptions: IDataObject): number | undefined;
	/**
	 * Lists the editor loads from the vendor (Cisco's audit log types), by method name: a field of
	 * this source names one in `typeOptions.loadOptionsMethod`. Both nodes register them all.
	 * Requests go through the transport (`createSourceContext` accepts ILoadOptionsFunctions).
	 */
	loadOptions?: Record<string, (fn: ILoadOptionsFunctions) => Promise<INodePropertyOptions[]>>;
}
