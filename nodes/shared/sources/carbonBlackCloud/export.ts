// Carbon Black Cloud export: a count of the matches → _export → Job Service status with backoff →
// download (auth never sent to a redirect; the body capped by the transport, and written to n8n's
// binary store as it arrives) → the file checked against the count. Vendor words reach users only redacted.
import { NodeApiError, NodeOperationError, type IDataObject, type JsonObject } from 'n8n-workflow';
import { MIME_TYPES } from '../../files';
import { joinUrl } from '../../transport';
import type { AuditQuery, BodyStream, ExportedFile, ExportSettings, SourceContext } from '../../types';
import { checkedRecordCount, located, storeCounted, type StoredDownload } from '../exportSteps';
import { cbcPaths, cbcSearchBody } from './request';
import { cbcBaseUrl } from './environments';

type Job = { id?: number | string; status?: string; errors?: unknown; progress?: { num_total?: number; num_completed?: number } };

/** First wait between status polls; doubles up to the Poll Interval, back to this on a status change. */
const FIRST_POLL_MS = 250;
/** 404s tolerated while a fresh job becomes visible (the SDK tolerates two errors). */
const TOLERATED_NOT_FOUND = 2;

export async function exportAndDownload(
	ctx: SourceContext,
	query: AuditQuery,
	settings: ExportSettings,
): Promise<ExportedFile> {
	const { logs, jobs } = await cbcPaths(ctx);
	const searchBody = cbcSearchBody(query);
	const found = await located(
		countMatches(ctx, logs, searchBody),
		'Failed while counting the records to export (POST _search; no job was created).',
	);
	const body = { ...searchBody, format: settings.format };
	const started = await located(
		ctx.request<{ job_id?: number | string }>({ method: 'POST', url: `${logs}/_export`, body }),
		'Failed while starting the export job (POST _export; no job was created).',
	);
	const jobId = String(started.body.job_id ?? '');
	if (jobId === '') {
		throw new NodeApiError(ctx.fn.getNode(), { message: 'no job_id' } as JsonObject, {
			message: 'Carbon Black Cloud accepted the export but returned no job id',
			itemIndex: ctx.itemIndex,
		});
	}
	await located(waitForJob(ctx, jobs, jobId, settings), ctx.redact(`Failed while waiting for export job ${jobId}.`));
	const fileName = `carbonBlackCloud-audit-export-${jobId}.${settings.format}`;
	const stored = await located(
		download(ctx, `${jobs}/${jobId}/download`, storeCounted(settings, fileName)),
		ctx.redact(`Failed while downloading export job ${jobId}.`),
	);
	// The job was created after the count, from the same criteria: it holds at least those records.
	const eventCount = checkedRecordCount(ctx, stored, settings.format, {
		count: found,
		of: `Carbon Black Cloud export job ${jobId}`,
		counted: 'its search matched',
	});
	return {
		binary: stored.binary,
		bytes: stored.bytes,
		fileName,
		mimeType: MIME_TYPES[settings.format],
		eventCount,
		jobId,
	};
}

/**
 * How many records match the export's criteria, from `num_found` of a one-row search. A lower
 * bound of what the job will hold: the count can stop at 10 000, and records may arrive between.
 */
async function countMatches(ctx: SourceContext, logs: string, searchBody: IDataObject): Promise<number> {
	const response = await ctx.request<{ num_found?: unknown }>({ method: 'POST', url: `${logs}/_search`, body: { ...searchBody, rows: 1 } });
	const found = Number(response.body?.num_found);
	return Number.isFinite(found) && found >= 0 ? found : 0;
}

async function waitForJob(ctx: SourceContext, jobs: string, jobId: string, settings: ExportSettings): Promise<void> {
	const deadline = ctx.now() + settings.maxWaitMs;
	let delay = Math.min(FIRST_POLL_MS, settings.pollIntervalMs);
	let lastStatus = '';
	let notFound = 0;
	for (;;) {
		const response = await ctx.request<Job>({ method: 'GET', url: `${jobs}/${jobId}`, acceptStatus: [404] });
		if (response.status === 404) {
			if (++notFound > TOLERATED_NOT_FOUND) {
				throw new NodeApiError(ctx.fn.getNode(), { message: 'job not found' } as JsonObject, {
					message: ctx.redact(`Carbon Black Cloud export job ${jobId} was not found`),
					description: 'Jobs are visible only to the API key that created them; check that the key has jobs.status READ.',
					httpCode: '404',
					itemIndex: ctx.itemIndex,
				});
			}
		}
		const status = String(response.body?.status ?? '');
		if (status === 'COMPLETED') return;
		if (status === 'FAILED') {
			throw new NodeApiError(ctx.fn.getNode(), { message: 'export job failed' } as JsonObject, {
				message: ctx.redact(`Carbon Black Cloud export job ${jobId} failed`),
				description: ctx.redact(`The Job Service reported: ${JSON.stringify(response.body.errors ?? 'no detail').slice(0, 2000)}`),
				itemIndex: ctx.itemIndex,
			});
		}
		if (status !== lastStatus) {
			lastStatus = status;
			delay = Math.min(FIRST_POLL_MS, settings.pollIntervalMs);
		}
		const left = deadline - ctx.now();
		if (left <= 0) {
			throw new NodeOperationError(
				ctx.fn.getNode(),
				ctx.redact(`Carbon Black Cloud export job ${jobId} did not finish within Max Wait (${Math.round(settings.maxWaitMs / 1000)} s)`),
				{
					description: ctx.redact(
						`The job is still ${status || 'running'} and can be downloaded later from the Job Service (job id ${jobId}). Raise Options > Max Wait, or export a shorter time range.`,
					),
					itemIndex: ctx.itemIndex,
				},
			);
		}
		await ctx.sleep(Math.min(delay, left));
		delay = Math.min(delay * 2, settings.pollIntervalMs);
	}
}

/**
 * The download answers with the file, or redirects to where the file lies: a pre-signed location,
 * on another host or not, which is fetched without the X-Auth-Token (and follows its own redirects
 * without it too). The token only ever goes to the API's own download path. Either way the file
 * goes to n8n's binary store as it arrives (`keep`), so an export of any size is never held whole.
 */
async function download(
	ctx: SourceContext,
	url: string,
	keep: (body: BodyStream) => Promise<StoredDownload>,
): Promise<StoredDownload> {
	const response = await ctx.request<StoredDownload | Buffer>({ method: 'GET', url, binary: true, noRedirect: true, sink: keep });
	if (response.status < 300 || response.status >= 400) return response.body as StoredDownload;
	const location = response.headers.location;
	const target = Array.isArray(location) ? location[0] : location;
	if (!target) throw downloadError(ctx, 'redirected the export download without a Location');
	const absolute = new URL(target, joinUrl(cbcBaseUrl(await ctx.credentials()), url)).toString();
	return (await ctx.requestWithoutAuth<StoredDownload>({ method: 'GET', url: absolute, sink: keep })).body;
}

function downloadError(ctx: SourceContext, problem: string): NodeApiError {
	return new NodeApiError(ctx.fn.getNode(), { message: problem } as JsonObject, {
		message: ctx.redact(`Carbon Black Cloud ${problem}`),
		itemIndex: ctx.itemIndex,
	});
}
