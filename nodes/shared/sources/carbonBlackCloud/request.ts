// Carbon Black Cloud request shapes: the _search/_export body and the org-scoped paths.
import { parameterError } from '../../errors';
import type { IDataObject } from 'n8n-workflow';
import { isoMillis } from '../../timeRange';
import type { AuditQuery, SourceContext } from '../../types';
import { cbcClauses, csvList } from './filters';

/** `start + rows` may not exceed this: the search window of one query. */
export const CBC_WINDOW = 10_000;

/** The criteria/exclusions/query/sort part shared by _search and _export. */
export function cbcSearchBody(query: AuditQuery): IDataObject {
	const { common, vendor } = query;
	const { criteria: vendorCriteria, exclusions } = cbcClauses(vendor);
	const criteria: IDataObject = {
		create_time: { start: isoMillis(query.start ?? 0), end: isoMillis(query.end) },
	};
	// Actor and Actor IP: CBC takes lists, so several comma-separated values are one criterion each.
	const actors = csvList(common.actor);
	if (actors) criteria.actor = actors;
	const actorIps = csvList(common.actorIp);
	if (actorIps) criteria.actor_ip = actorIps;
	if (common.flaggedOnly) criteria.flagged = true;
	Object.assign(criteria, vendorCriteria);
	const body: IDataObject = {
		criteria,
		sort: [{ field: 'create_time', order: query.order === 'asc' ? 'ASC' : 'DESC' }],
	};
	if (Object.keys(exclusions).length > 0) body.exclusions = exclusions as IDataObject;
	if (common.query) body.query = common.query;
	return body;
}

export async function cbcPaths(ctx: SourceContext) {
	const credentials = await ctx.credentials();
	const orgKey = String(credentials.orgKey ?? '').trim();
	if (orgKey === '') {
		throw parameterError(
			ctx.fn,
			'Carbon Black Cloud credential > Org Key',
			'is empty',
			'Edit the credential: copy the Org Key from the console (Settings > General).',
			ctx.itemIndex,
		);
	}
	const org = encodeURIComponent(orgKey);
	return { logs: `/audit_log/v1/orgs/${org}/logs`, jobs: `/jobs/v1/orgs/${org}/jobs` };
}
