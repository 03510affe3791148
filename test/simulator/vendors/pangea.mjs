// Pangea Secure Audit Log (vendor-apis.md section 4): search / results / root / log / download, 202
// async answers, and records with real envelope hashes, Merkle membership and consistency proofs.
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';

import { SIM_CREDENTIALS } from '../credentials.mjs';
import { isObject, json, parseJson } from '../lib/http.mjs';
import { canonicalJson, MerkleLog, sha256Hex } from '../lib/merkle.mjs';
import { parseQuery, queryPredicate, QuerySyntaxError } from '../lib/query.mjs';
import { createRandom, vendorEventTimes } from '../lib/random.mjs';
import {
	DAY,
	insertSorted,
	isoMicros,
	isoMs,
	lowerBound,
	parseDuration,
	parseIsoMicros,
	upperBound,
} from '../lib/time.mjs';

const HTTP_STATUS = {
	Success: 200,
	Accepted: 202,
	ValidationError: 400,
	InvalidPayloadReceived: 400,
	MissingConfigID: 400,
	MissingConfigIDScope: 400,
	Unauthorized: 401,
	NotFound: 404,
	TooManyRequests: 429,
	InternalError: 500,
	ServiceNotAvailable: 503,
};
const MAX_RESULTS = 10000;
const MAX_BULK = 1000;
const FIELD_LIMITS = {
	message: 32766,
	actor: 128,
	action: 32,
	new: 32766,
	old: 32766,
	source: 128,
	status: 32,
	target: 128,
	tenant_id: 128,
};
const QUERY_FIELDS = ['action', 'actor', 'message', 'new', 'old', 'source', 'status', 'target'];
const ORDER_BY = [
	'actor',
	'action',
	'message',
	'received_at',
	'source',
	'status',
	'target',
	'timestamp',
];
const CSV_COLUMNS = [
	'received_at',
	'hash',
	'published',
	'leaf_index',
	'actor',
	'action',
	'message',
	'new',
	'old',
	'source',
	'status',
	'target',
	'tenant_id',
	'timestamp',
];

const ACTORS = ['alice', 'bob', 'carol', 'zoë', 'svc-billing'];
const TARGETS = ['user:bob', 'token:t-93', 'record:cust-1042', 'policy:retention', 'report:q2'];
// action, status, message, change? (new/old as canonical JSON strings)
const ACTIONS = [
	['login', 'success', 'Signed in', null],
	['login', 'failure', 'Sign-in failed: bad password', null],
	['logout', 'success', 'Signed out', null],
	['update_role', 'success', 'Changed role', [{ role: 'viewer' }, { role: 'admin' }]],
	['create_key', 'success', 'Created API token', null],
	['delete_record', 'success', 'Deleted customer record', null],
	['export', 'success', 'Exported report "Q2 – Umsätze" & <summary>', null],
	[
		'config_change',
		'success',
		'Updated retention policy',
		[
			{ days: 30, legal_hold: false },
			{ days: 90, legal_hold: true },
		],
	],
];

const newId = (prefix) => prefix + randomBytes(16).toString('hex');

function envelope(status, summary, result, requestId) {
	const now = new Date().toISOString();
	return json(HTTP_STATUS[status], {
		request_id: requestId,
		request_time: now,
		response_time: now,
		status,
		summary,
		result,
	});
}

export function createPangea(sim) {
	const creds = SIM_CREDENTIALS.pangea;
	const rnd = createRandom(sim.options.seed, 'pangea');
	let log = new MerkleLog();
	// The fake Arweave gateway: roots as they were published, kept even if the log is rewritten later.
	const archive = new Map();
	const gateway = { up: true, requests: 0 };
	const events = [];
	const searches = new Map();
	const searchByRequest = new Map();
	const pending = new Map();
	const treeName = sha256Hex(`sim-tree-${sim.options.seed}`);
	let lastUs = 0;

	function content(us) {
		const [action, status, message, change] = rnd.pick(ACTIONS);
		const event = {
			actor: rnd.pick(ACTORS),
			action,
			message: rnd.chance(0.1)
				? `${message} (${rnd.pick(ACTORS)} → ${rnd.pick(TARGETS)})`
				: message,
			source: rnd.pick(['web', 'api', 'cli', '10.0.0.12']),
			status,
			target: rnd.pick(TARGETS),
			tenant_id: rnd.pick(['t-42', 't-7']),
		};
		if (change) {
			event.old = canonicalJson(change[0]);
			event.new = canonicalJson(change[1]);
		}
		if (rnd.chance(0.5)) event.timestamp = isoMs(Math.floor(us / 1000) - rnd.int(0, 900));
		return event;
	}

	function makeEvent(us, event, extra = {}) {
		const env = { event, received_at: isoMicros(us), ...extra };
		return { us, envelope: env, hash: sha256Hex(canonicalJson(env)), leafIndex: -1, position: -1 };
	}

	function seed() {
		const { count, times, burstStarts, duplicates } = vendorEventTimes(rnd, sim.options, 'pangea');
		const us = times.map((t) => t * 1000 + rnd.int(0, 999));
		// Bursts share one received_at down to the microsecond; their events differ, so hashes do.
		for (const start of burstStarts) {
			for (let i = start; i < start + sim.options.burstSize && i < count; i++) us[i] = us[start];
		}
		us.sort((a, b) => a - b);
		let previous = null;
		for (let i = 0; i < count; i++) {
			const same = duplicates.has(i) && previous && us[i] !== us[i - 1];
			const event = same ? previous : content(us[i]);
			events.push(makeEvent(us[i], event));
			previous = event;
		}
		lastUs = us[count - 1] ?? 0;
		for (let i = 0; i < count; ) {
			const size = rnd.int(1, sim.config.pangeaBufferMax);
			log.addBuffer(events.slice(i, i + size));
			i += size;
		}
	}
	seed();

	const publishedSize = () => Math.max(0, log.size - sim.config.pangeaUnpublishedBuffers);

	function rootObject(size) {
		const root = {
			tree_name: treeName,
			size,
			root_hash: log.rootHash(size),
			consistency_proof: log.consistencyProof(size - 1, size),
		};
		if (size <= publishedSize()) {
			const lastEvent = log.buffers[size - 1].events.at(-1);
			root.url = `https://arweave.net/${sha256Hex(`${treeName}:${size}`).slice(0, 43)}`;
			root.published_at = isoMs(
				Math.min(sim.clock(), Math.floor(lastEvent.us / 1000) + 5 * 60 * 1000),
			);
		}
		return root;
	}

	/** `root` (latest published) and `unpublished_root` (whole tree) when any buffer is unpublished. */
	function roots() {
		const published = publishedSize();
		const out = {};
		if (published > 0) out.root = rootObject(published);
		if (log.size > published) out.unpublished_root = rootObject(log.size);
		return out;
	}

	function record(event, verbose) {
		const published = event.leafIndex < publishedSize();
		const out = { envelope: event.envelope, hash: event.hash, published };
		if (verbose) {
			out.leaf_index = event.leafIndex;
			out.membership_proof = log.membershipProof(event, published ? publishedSize() : log.size);
		}
		return out;
	}

	// ---- auth and request plumbing ------------------------------------------------------------

	function authorize(ctx, body) {
		const match = /^Bearer (.+)$/.exec(ctx.req.headers.authorization ?? '');
		const configs =
			match?.[1] === creds.token
				? [creds.configId]
				: match?.[1] === creds.multiConfigToken
					? [creds.configId, creds.otherConfigId]
					: null;
		if (!configs) {
			sim.authFailure('pangea', match ? 'bad-token' : 'missing');
			return envelope(
				'Unauthorized',
				'Not authorized to access this resource',
				null,
				ctx.requestId,
			);
		}
		if (body === undefined) return null;
		const configId = body.config_id;
		if (configId === undefined && (configs.length > 1 || sim.config.pangeaRequireConfigId)) {
			sim.authFailure('pangea', 'missing-config-id');
			return envelope(
				'MissingConfigID',
				'Token is assigned to multiple configs: config_id is required',
				null,
				ctx.requestId,
			);
		}
		if (configId !== undefined && !configs.includes(configId)) {
			sim.authFailure('pangea', 'config-id-out-of-scope');
			return envelope(
				'MissingConfigIDScope',
				`Token is not scoped to config_id ${configId}`,
				null,
				ctx.requestId,
			);
		}
		return null;
	}

	const validation = (ctx, errors) =>
		envelope(
			'ValidationError',
			`There was ${errors.length} error(s) in the given payload.`,
			{ errors },
			ctx.requestId,
		);
	const invalid = (ctx, source, detail, code = 'InvalidValue') =>
		validation(ctx, [{ code, detail, source }]);
	const success = (ctx, summary, result) => envelope('Success', summary, result, ctx.requestId);

	function intField(ctx, body, name, fallback, min, max) {
		const value = body[name];
		if (value === undefined) return { value: fallback };
		if (!Number.isInteger(value) || value < min || value > max) {
			return {
				response: invalid(
					ctx,
					`/${name}`,
					`${name} must be an integer between ${min} and ${max}`,
					'OutOfRange',
				),
			};
		}
		return { value };
	}

	function timeField(ctx, body, name, fallbackUs, nowUs) {
		const value = body[name];
		if (value === undefined) return { value: fallbackUs };
		const relative = parseDuration(value);
		if (!Number.isNaN(relative)) return { value: nowUs - relative * 1000 };
		const absolute = parseIsoMicros(value);
		if (Number.isNaN(absolute)) {
			return {
				response: invalid(
					ctx,
					`/${name}`,
					`${name} must be RFC 3339 or a duration like 7d`,
					'InvalidDateTime',
				),
			};
		}
		return { value: absolute };
	}

	// ---- search, results, download ------------------------------------------------------------

	function compileSearch(ctx, body) {
		const nowUs = sim.clock() * 1000;
		const fields = [
			intField(ctx, body, 'limit', 20, 1, sim.config.pangeaMaxLimit),
			intField(ctx, body, 'max_results', MAX_RESULTS, 1, MAX_RESULTS),
			timeField(ctx, body, 'start', nowUs - 14 * DAY * 1000, nowUs),
			timeField(ctx, body, 'end', nowUs, nowUs),
		];
		const failed = fields.find((f) => f.response);
		if (failed) return failed;
		const [limit, maxResults, start, end] = fields.map((f) => f.value);
		const order = body.order ?? 'desc';
		if (order !== 'asc' && order !== 'desc')
			return { response: invalid(ctx, '/order', 'order must be asc or desc') };
		const orderBy = body.order_by ?? 'received_at';
		if (!ORDER_BY.includes(orderBy))
			return {
				response: invalid(ctx, '/order_by', `order_by must be one of ${ORDER_BY.join(', ')}`),
			};
		let groups;
		try {
			groups = parseQuery(body.query ?? '', { booleans: false });
		} catch (err) {
			if (!(err instanceof QuerySyntaxError)) throw err;
			return { response: invalid(ctx, '/query', err.message, 'InvalidQuery') };
		}
		const restriction = body.search_restriction;
		if (
			restriction !== undefined &&
			(!isObject(restriction) || Object.values(restriction).some((v) => !Array.isArray(v)))
		) {
			return {
				response: invalid(
					ctx,
					'/search_restriction',
					'search_restriction maps fields to arrays of values',
				),
			};
		}
		const tests = [];
		const queryTest = queryPredicate(groups, matchTerm);
		if (queryTest) tests.push(queryTest);
		for (const [field, values] of Object.entries(restriction ?? {})) {
			const allowed = new Set(values);
			tests.push((e) => allowed.has(e.envelope.event[field]));
		}
		return {
			limit,
			maxResults,
			start,
			end,
			order,
			orderBy,
			tests,
			restriction,
			verbose: body.verbose !== false,
		};
	}

	function matchTerm(e, term) {
		const event = e.envelope.event;
		if (term.field !== null && QUERY_FIELDS.includes(term.field)) {
			return typeof event[term.field] === 'string' && event[term.field].includes(term.value);
		}
		const needle = term.field === null ? term.value : `${term.field}:${term.value}`;
		return QUERY_FIELDS.some((f) => typeof event[f] === 'string' && event[f].includes(needle));
	}

	function runSearch(q) {
		const lo = lowerBound(events, q.start, (e) => e.us);
		const hi = upperBound(events, q.end, (e) => e.us);
		let matches = [];
		for (let i = lo; i < hi; i++)
			if (q.tests.every((test) => test(events[i]))) matches.push(events[i]);
		if (q.orderBy !== 'received_at') {
			const f = q.orderBy;
			const key = (e) => String(e.envelope.event[f] ?? '');
			matches = matches.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.us - b.us));
		}
		if (q.order === 'desc') matches.reverse();
		return matches.slice(0, q.maxResults);
	}

	function storeResults(ctx, set, q) {
		const id = newId('pas_');
		const expiresAt = sim.clock() + sim.config.pangeaSearchTtlMs;
		searches.set(id, { events: set, restriction: q.restriction, verbose: q.verbose, expiresAt });
		searchByRequest.set(ctx.requestId, id);
		return { id, expiresAt };
	}

	function search(ctx, body) {
		const q = compileSearch(ctx, body);
		if (q.response) return q.response;
		const set = runSearch(q);
		const { id, expiresAt } = storeResults(ctx, set, q);
		return success(ctx, 'Found ' + set.length + ' event(s)', {
			id,
			count: set.length,
			expires_at: isoMs(expiresAt),
			events: set.slice(0, q.limit).map((e) => record(e, q.verbose)),
			...(q.verbose ? roots() : {}),
		});
	}

	function findSearch(ctx, id) {
		const found = searches.get(id);
		if (!found || found.expiresAt < sim.clock()) {
			return {
				response: envelope(
					'NotFound',
					`Search results ${id} not found or expired`,
					null,
					ctx.requestId,
				),
			};
		}
		return { found };
	}

	function results(ctx, body) {
		if (typeof body.id !== 'string')
			return invalid(ctx, '/id', 'id is required', 'MissingRequiredProperty');
		const lookup = findSearch(ctx, body.id);
		if (lookup.response) return lookup.response;
		const { found } = lookup;
		const limit = intField(ctx, body, 'limit', 20, 1, sim.config.pangeaMaxLimit);
		const offset = intField(ctx, body, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
		if (limit.response) return limit.response;
		if (offset.response) return offset.response;
		const asserted = body.assert_search_restriction;
		if (
			asserted !== undefined &&
			canonicalJson(asserted) !== canonicalJson(found.restriction ?? {})
		) {
			return invalid(
				ctx,
				'/assert_search_restriction',
				'search_restriction differs from the original search',
				'SearchRestrictionMismatch',
			);
		}
		return success(ctx, 'Found ' + found.events.length + ' event(s)', {
			count: found.events.length,
			events: found.events
				.slice(offset.value, offset.value + limit.value)
				.map((e) => record(e, found.verbose)),
			...(found.verbose ? roots() : {}),
		});
	}

	function downloadResults(ctx, body) {
		const hasResult = body.result_id !== undefined;
		const hasRequest = body.request_id !== undefined;
		if (hasResult === hasRequest) {
			return invalid(ctx, '/', 'Exactly one of result_id or request_id is required', 'OneOf');
		}
		const format = body.format ?? 'csv';
		if (format !== 'csv' && format !== 'json')
			return invalid(ctx, '/format', 'format must be csv or json');
		const id = hasResult ? body.result_id : searchByRequest.get(body.request_id);
		const lookup = findSearch(ctx, id ?? body.request_id);
		if (lookup.response) return lookup.response;
		const records = lookup.found.events.map((e) => record(e, true));
		const text =
			format === 'json'
				? JSON.stringify(records)
				: [CSV_COLUMNS.join(','), ...records.map(csvRow)].join('\r\n') + '\r\n';
		const signed = sim.blobs.put(ctx.origin, 'pangea', {
			body: gzipSync(Buffer.from(text, 'utf8')),
			contentType: 'application/gzip',
			filename: `search-${id}.${format}.gz`,
		});
		return success(ctx, 'Download link created', {
			dest_url: signed.url,
			expires_at: signed.expiresAt,
		});
	}

	function root(ctx, body) {
		const published = publishedSize();
		const size = body.tree_size ?? (published > 0 ? published : log.size);
		if (!Number.isInteger(size) || size < 1 || size > log.size) {
			return invalid(
				ctx,
				'/tree_size',
				`tree_size must be an integer between 1 and ${log.size}`,
				'OutOfRange',
			);
		}
		const value = rootObject(size);
		return success(
			ctx,
			'Root retrieved',
			sim.config.pangeaRootShape === 'flat' ? value : { data: value },
		);
	}

	// ---- fake Arweave gateway (/pangea/arweave): published roots, immutable once archived -----

	const transactionId = (size) => sha256Hex(`${treeName}:${size}`).slice(0, 43);

	/** Archives every published root not archived yet, as Pangea publishes each buffer's root. */
	function archiveRoots() {
		for (let size = archive.size + 1; size <= publishedSize(); size++) {
			archive.set(size, { id: transactionId(size), root: rootObject(size) });
		}
	}

	/** Values of `{ name: "<tag>" values: [...] }` in the SDK's GraphQL query text. */
	function tagValues(query, tag) {
		const match = new RegExp(`name:\\s*"${tag}"\\s*,?\\s*values:\\s*\\[([^\\]]*)\\]`).exec(query);
		return match ? [...match[1].matchAll(/"([^"]*)"/g)].map((m) => m[1]) : [];
	}

	function handleGateway(ctx) {
		gateway.requests++;
		if (ctx.req.headers.authorization || ctx.req.headers['x-auth-token']) {
			sim.violation('pangea', 'auth-header-to-gateway', { path: ctx.path });
		}
		if (!gateway.up) return json(404, { error: 'gateway switched off by the test' });
		archiveRoots();
		if (ctx.sub === '/arweave/graphql' && ctx.method === 'POST') {
			const parsed = parseJson(ctx.body);
			const query = parsed.ok && isObject(parsed.value) ? String(parsed.value.query ?? '') : '';
			const names = tagValues(query, 'tree_name');
			const sizes = new Set(tagValues(query, 'tree_size').map(Number));
			const edges = [];
			for (const [size, entry] of archive) {
				if (!sizes.has(size) || !names.includes(entry.root.tree_name)) continue;
				edges.push({
					node: {
						id: entry.id,
						tags: [
							{ name: 'tree_size', value: String(size) },
							{ name: 'tree_name', value: entry.root.tree_name },
						],
					},
				});
			}
			return json(200, { data: { transactions: { edges } } });
		}
		const tx = /^\/arweave\/([A-Za-z0-9_-]+)\/?$/.exec(ctx.sub);
		const entry = tx && ctx.method === 'GET' && [...archive.values()].find((e) => e.id === tx[1]);
		if (!entry) return json(404, { error: 'no such transaction' });
		return json(200, entry.root);
	}

	/**
	 * A hostile Pangea: changes the message of the first event of published buffer `leafIndex`,
	 * re-hashes it and rebuilds the whole tree, so every root from that buffer on changes. The
	 * gateway keeps the roots published before.
	 */
	function rewriteHistory({ leafIndex, message } = {}) {
		archiveRoots();
		const buffer = leafIndex ?? Math.floor(publishedSize() / 2);
		const target = log.buffers[buffer].events[0];
		const event = { ...target.envelope.event, message: message ?? `${target.envelope.event.message} (rewritten)` };
		target.envelope = { ...target.envelope, event };
		target.hash = sha256Hex(canonicalJson(target.envelope));
		const groups = log.buffers.map((b) => b.events);
		log = new MerkleLog();
		for (const group of groups) log.addBuffer(group);
		return { leafIndex: buffer, hash: target.hash };
	}

	// ---- logging ------------------------------------------------------------------------------

	function checkEvent(event, pointer) {
		if (!isObject(event))
			return [{ code: 'InvalidType', detail: 'event must be an object', source: pointer }];
		const errors = [];
		if (event.message === undefined) {
			errors.push({
				code: 'MissingRequiredProperty',
				detail: 'message is required',
				source: `${pointer}/message`,
			});
		}
		for (const [field, max] of Object.entries(FIELD_LIMITS)) {
			const value = event[field];
			if (typeof value === 'string' && value.length > max) {
				errors.push({
					code: 'MaxLength',
					detail: `${field} is longer than ${max}`,
					source: `${pointer}/${field}`,
				});
			}
		}
		return errors;
	}

	/** What the SDKs do before logging: object values become canonical JSON strings. */
	function storedEvent(event) {
		const out = {};
		for (const [key, value] of Object.entries(event))
			out[key] = value !== null && typeof value === 'object' ? canonicalJson(value) : value;
		return out;
	}

	function nextMicros(time) {
		if (time !== undefined) return time * 1000;
		lastUs = Math.max(lastUs + 1, sim.clock() * 1000);
		return lastUs;
	}

	/** Appends one buffer: new events land in the unpublished tail and in later searches. */
	function appendBuffer(items, time) {
		const added = items.map(({ event, extra }) =>
			makeEvent(nextMicros(time), storedEvent(event), extra),
		);
		for (const e of added) insertSorted(events, e, (x) => x.us);
		log.addBuffer(added);
		return added;
	}

	const signatureFields = (item) => {
		const extra = {};
		if (item.signature !== undefined) extra.signature = item.signature;
		if (item.public_key !== undefined) extra.public_key = item.public_key;
		return extra;
	};

	function logOne(ctx, body) {
		const errors = checkEvent(body.event, '/event');
		if (errors.length > 0) return validation(ctx, errors);
		const prevSize = findSize(body.prev_root);
		const [added] = appendBuffer([{ event: body.event, extra: signatureFields(body) }]);
		const result = { hash: added.hash };
		if (body.verbose) {
			result.envelope = added.envelope;
			result.unpublished_root = log.rootHash();
			result.membership_proof = log.membershipProof(added);
			if (prevSize > 0) result.consistency_proof = log.consistencyProof(prevSize);
		}
		return success(ctx, 'Logged 1 record(s)', result);
	}

	/** The tree size whose root hash is `rootHash` (recent sizes first), or 0. */
	function findSize(rootHash) {
		if (typeof rootHash !== 'string') return 0;
		for (let size = log.size; size >= Math.max(1, log.size - 10000); size--) {
			if (log.rootHash(size) === rootHash) return size;
		}
		return 0;
	}

	function logBulk(ctx, body) {
		const list = body.events;
		if (!Array.isArray(list) || list.length < 1 || list.length > MAX_BULK) {
			return invalid(
				ctx,
				'/events',
				`events must hold 1 to ${MAX_BULK} items (got ${Array.isArray(list) ? list.length : typeof list})`,
				list?.length > MAX_BULK ? 'MaxItems' : 'MinItems',
			);
		}
		const errors = list.flatMap((item, i) => checkEvent(item?.event, `/events/${i}/event`));
		if (errors.length > 0) return validation(ctx, errors);
		const added = appendBuffer(
			list.map((item) => ({ event: item.event, extra: signatureFields(item) })),
		);
		return success(ctx, `Logged ${added.length} record(s)`, {
			results: added.map((e) =>
				body.verbose ? { hash: e.hash, envelope: e.envelope } : { hash: e.hash },
			),
		});
	}

	// ---- async (202) --------------------------------------------------------------------------

	function accepted(ctx, requestId, retry = 0) {
		return envelope(
			'Accepted',
			'Your request is in progress. Poll the location for the result.',
			{
				ttl_mins: 5760,
				retry_counter: retry,
				location: `${ctx.origin}/pangea/request/${requestId}`,
			},
			requestId,
		);
	}

	function deferred(ctx, final, polls) {
		pending.set(ctx.requestId, { polls, retry: 0, final });
		return accepted(ctx, ctx.requestId);
	}

	function pollRequest(ctx, requestId) {
		const entry = pending.get(requestId);
		if (!entry) return envelope('NotFound', `Request ${requestId} not found`, null, requestId);
		if (entry.polls > 0) {
			entry.polls--;
			return accepted(ctx, requestId, ++entry.retry);
		}
		return entry.final;
	}

	function exportLog(ctx, body) {
		const q = compileSearch(ctx, { ...body, max_results: MAX_RESULTS, limit: 1 });
		if (q.response) return q.response;
		const set = runSearch(q);
		storeResults(ctx, set, q);
		return deferred(
			ctx,
			success(ctx, 'Export ready: use download_results with this request_id', {}),
			sim.config.pangeaAsyncPolls,
		);
	}

	const ROUTES = {
		'/v1/search': search,
		'/v1/results': results,
		'/v1/root': root,
		'/v1/log': logOne,
		'/v2/log': logBulk,
		'/v2/log_async': (ctx, body) => {
			const final = logBulk(ctx, body);
			return final.status === 200 ? deferred(ctx, final, sim.config.pangeaAsyncPolls) : final;
		},
		'/v1/download_results': downloadResults,
		'/v1/export': exportLog,
	};

	/** Test switches over HTTP (jest cannot import this module): gateway on/off, rewrite history. */
	function hostileControl(ctx) {
		const parsed = parseJson(ctx.body);
		const body = parsed.ok && isObject(parsed.value) ? parsed.value : {};
		if (ctx.sub === '/_hostile/gateway' && ctx.method === 'POST') {
			gateway.up = body.up !== false;
			return json(200, { up: gateway.up });
		}
		if (ctx.sub === '/_hostile/rewrite' && ctx.method === 'POST') return json(200, rewriteHistory(body));
		return json(404, { error: `Unknown control route ${ctx.method} ${ctx.sub}` });
	}

	function handle(ctx) {
		if (ctx.sub.startsWith('/arweave/')) return handleGateway(ctx);
		if (ctx.sub.startsWith('/_hostile/')) return hostileControl(ctx);
		ctx.requestId = newId('prq_');
		const requestPath = /^\/request\/(prq_[A-Za-z0-9]+)$/.exec(ctx.sub);
		if (requestPath && ctx.method === 'GET')
			return authorize(ctx, undefined) ?? pollRequest(ctx, requestPath[1]);
		const route = ROUTES[ctx.sub];
		if (!route)
			return (
				authorize(ctx, undefined) ??
				envelope('NotFound', `No such endpoint ${ctx.sub}`, null, ctx.requestId)
			);
		if (ctx.method !== 'POST')
			return envelope('NotFound', `${ctx.method} ${ctx.sub} is not supported`, null, ctx.requestId);
		const parsed = parseJson(ctx.body);
		if (!parsed.ok || (parsed.value !== undefined && !isObject(parsed.value))) {
			return (
				authorize(ctx, undefined) ??
				envelope('InvalidPayloadReceived', 'Body is not a JSON object', null, ctx.requestId)
			);
		}
		const body = parsed.value ?? {};
		const denied = authorize(ctx, body);
		if (denied) return denied;
		const final = route(ctx, body);
		const async = final.status === 200 ? sim.takeFault('pangea', 'async', ctx.path) : null;
		return async ? deferred(ctx, final, async.polls ?? sim.config.pangeaAsyncPolls) : final;
	}

	function append({ count, overrides, time, sameTime }) {
		const items = [];
		for (let i = 0; i < count; i++) {
			const event = { ...content(sim.clock() * 1000), ...(overrides[i] ?? overrides[0] ?? {}) };
			items.push({ event, extra: {} });
		}
		const base = time ?? (sameTime ? sim.clock() : undefined);
		const added = appendBuffer(items, base);
		return added.map((e) => record(e, true));
	}

	return {
		handle,
		append,
		error: (status, message) => {
			const name =
				Object.keys(HTTP_STATUS).find((k) => HTTP_STATUS[k] === status) ?? 'InternalError';
			return { ...envelope(name, message, null, newId('prq_')), status };
		},
		events,
		get log() {
			return log;
		},
		gateway,
		rewriteHistory,
		summary: () => ({
			events: events.length,
			buffers: log.size,
			published: publishedSize(),
			searches: searches.size,
		}),
	};
}

function csvRow(record) {
	const event = record.envelope.event;
	const values = {
		received_at: record.envelope.received_at,
		hash: record.hash,
		published: record.published,
		leaf_index: record.leaf_index,
		...event,
	};
	return CSV_COLUMNS.map((column) => {
		const value = values[column];
		if (value === undefined || value === null) return '';
		const text = String(value);
		return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
	}).join(',');
}
