// Counting for the queue-mode cases: events appended to the simulator, found again in executions, per
// workflow; "exactly once" is every appended event found once, nothing found twice, nothing unexpected.
import { nodeItems } from '../../lib/n8n.mjs';
import { markerOf, orderProblems } from '../../lib/checks.mjs';

/**
 * The items a node emitted in one execution. A trigger's items are in its run data once a worker
 * ran the execution; an execution that never got that far (killed worker) still holds them as the
 * input n8n stored for it when the main process created it (`executionData.nodeExecutionStack`).
 */
export function itemsOf(execution, node) {
	const data = execution?.data;
	const ran = data?.resultData?.runData?.[node] ?? [];
	const all = [];
	for (let run = 0; run < ran.length; run++)
		all.push(...nodeItems(data.resultData.runData, node, 0, run).map((i) => i.json));
	// n8n's crash recovery rebuilds the run data of a crashed execution from its event log, with a
	// placeholder item per node that ran: the real items are then only in the stored input.
	if (ran.length > 0 && !all.every((json) => json?.isArtificialRecoveredEventItem)) return all;
	const stacked = (data?.executionData?.nodeExecutionStack ?? []).find(
		(e) => e.node?.name === node,
	);
	return (stacked?.data?.main?.[0] ?? []).map((i) => i.json);
}

/** Tags of events appended to one vendor, in order, with the time the simulator gave each. */
export class Appended {
	constructor(source, prefix) {
		this.source = source;
		this.prefix = prefix;
		this.tags = [];
	}

	async append(sim, count, fields = {}) {
		const tags = Array.from({ length: count }, (_, i) => `${this.prefix}-${this.tags.length + i}`);
		const events = tags.map((tag) => ({ ...fields, ...markerField(this.source, tag) }));
		await sim.control.appendEvents(this.source.vendor, { events });
		this.tags.push(...tags);
		return tags;
	}
}

function markerField(source, tag) {
	const field = {
		cbc: 'description',
		cortex: 'AUDIT_DESCRIPTION',
		cisco: 'audit_log_user',
		pangea: 'message',
	};
	return { [field[source.vendor]]: tag };
}

/**
 * Appended vs found: `found` is the list of items in delivery order (across executions). Returns
 * the figures the run prints and the problems that fail the case.
 */
export function tally(source, appended, found, { ordered = true, expectOnly = true } = {}) {
	const seen = new Map();
	const unexpected = [];
	for (const json of found) {
		const marker = markerOf(source, json);
		if (typeof marker === 'string' && marker.startsWith(`${appended.prefix}-`)) {
			seen.set(marker, (seen.get(marker) ?? 0) + 1);
		} else unexpected.push(json.id);
	}
	const missing = appended.tags.filter((tag) => !seen.has(tag));
	const duplicated = [...seen].filter(([, n]) => n > 1).map(([tag, n]) => `${tag}×${n}`);
	const ids = new Map();
	for (const json of found) ids.set(json.id, (ids.get(json.id) ?? 0) + 1);
	const duplicatedIds = [...ids].filter(([, n]) => n > 1).length;
	const problems = [];
	if (missing.length)
		problems.push(
			`${missing.length} appended event(s) never emitted: ${missing.slice(0, 5).join(', ')}`,
		);
	if (duplicated.length)
		problems.push(
			`${duplicated.length} event(s) emitted more than once: ${duplicated.slice(0, 5).join(', ')}`,
		);
	if (duplicatedIds && !duplicated.length)
		problems.push(`${duplicatedIds} id(s) emitted more than once`);
	if (expectOnly && unexpected.length)
		problems.push(
			`${unexpected.length} item(s) that no test appended: ${unexpected.slice(0, 3).join(', ')}`,
		);
	if (ordered)
		problems.push(
			...orderProblems(found, 'asc')
				.slice(0, 3)
				.map((p) => `not oldest first: ${p}`),
		);
	return {
		missing,
		figures: {
			appended: appended.tags.length,
			emitted: seen.size,
			duplicated: duplicated.length + (duplicated.length ? 0 : duplicatedIds),
			items: found.length,
		},
		problems,
	};
}

export function showFigures({ appended, emitted, duplicated, items }) {
	return `appended ${appended}, emitted ${emitted}, duplicated ${duplicated} (${items} items)`;
}
