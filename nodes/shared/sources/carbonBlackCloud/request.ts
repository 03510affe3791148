// Carbon Black Cloud request shapes: the _search/_export body and the org-scoped paths.
import type { IDataObject } from 'n8n-workflow';
import { isoMillis } from '../../timeRange';
import type { AuditQuery, SourceContext } from '../../types';

/** `start + rows` may not exceed this: the search window of one query. */
export const CBC_WINDOW = 10_000;

function csv(value: unknown): string[] | undefined {
	if (typeof value !== 'string') return undefined;
	const parts = value.split(',').map((p) => p.trim()).filter((p) => p !== '');
	return parts.length > 0 ? parts : undefined;
}

/** The criteria/exclusions/query/sort part shared by _search and _export. */
export function cbcSearchBody(query: AuditQuery): IDataObject {
	const criteria: IDataObject = {
		create_time: { start: isoMillis(query.start ?? 0), end: isoMillis(query.end) },
	};
	const { common, vendor } = query;
	if (common.actor) criteria.actor = [common.actor];
	if (common.actorIp) criteria.actor_ip = [common.actorIp];
	if (common.flaggedOnly) criteria.flagged = true;
	if (vendor.verboseOnly === true) criteria.verbose = true;
	const description = csv(vendor.description);
	if (description) criteria.description = description;
	const requestUrls = csv(vendor.requestUrls);
	if (requestUrls) criteria.request_url = requestUrls;
	const exclusions: IDataObject = {};
	const excluded: Array<[string, string]> = [
		['excludeActors', 'actor'],
		['excludeActorIps', 'actor_ip'],
		['excludeDescriptions', 'description'],
		['excludeRequestUrls', 'request_url'],
	];
	for (const [field, key] of excluded) {
		const values = csv(vendor[field]);
		if (values) exclusions[key] = values;
	}
	const body: IDataObject = {
		criteria,
		sort: [{ field: 'create_time', order: query.order === 'asc' ? 'ASC' : 'DESC' }],
	};
	if (Object.keys(exclusions).length > 0) body.exclusions = exclusions;
	if (common.query) body.query = common.query;
	return body;
}

export async function cbcPaths(ctx: SourceContext) {
	const credentials = await ctx.credentials();
	const org = encodeURIComponent(String(credentials.orgKey ?? '').trim());
	return { logs: `/audit_log/v1/orgs/${org}/logs`, jobs: `/jobs/v1/orgs/${org}/jobs` };
}
