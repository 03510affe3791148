// The steps of a vendor's native export (CBC's job, Pangea's search → download_results → file):
// a failed step says where it failed (the job or result it concerns), and Max Wait bounds the
// whole export — every search, job poll, 202 wait and download — not each call on its own.
import { NodeApiError, type JsonObject } from 'n8n-workflow';
import { locateError } from '../reader';
import type { SourceContext } from '../types';

/** A failure of one step says which job it concerns (or that none was created yet). */
export async function located<T>(step: Promise<T>, where: string): Promise<T> {
	try {
		return await step;
	} catch (error) {
		throw locateError(error, where);
	}
}

/** The time an export has left, and what it has used: see `exportBudget`. */
export type ExportBudget = {
	/** The ms left before `step`; throws a NodeApiError naming the step when none is. */
	left(step: string): number;
	/** "N s into Max Wait (M s)": for a failed step's location. */
	spent(): string;
};

/** Max Wait from the export's start, never past the run's deadline. */
export function exportBudget(ctx: SourceContext, vendor: string, maxWaitMs: number): ExportBudget {
	const start = ctx.now();
	const deadline = Math.min(start + maxWaitMs, ctx.deadline ?? Number.POSITIVE_INFINITY);
	const maxWait = `Max Wait (${Math.round(maxWaitMs / 1000)} s)`;
	return {
		left(step: string): number {
			const left = deadline - ctx.now();
			if (left > 0) return left;
			const message = ctx.redact(`The ${vendor} export ran out of its ${maxWait} before ${step}`);
			throw new NodeApiError(ctx.fn.getNode(), { message } as JsonObject, {
				message,
				description: 'Raise Options > Max Wait, or export a shorter time range.',
				itemIndex: ctx.itemIndex,
			});
		},
		spent: () => `${Math.round((ctx.now() - start) / 1000)} s into its ${maxWait}`,
	};
}

/**
 * One step of an export, started only with time left, bounded by it (`call` gets the ms left), and
 * failing with where: the step, the job or result it concerns, how far into Max Wait it was.
 */
export async function boundedStep<T>(budget: ExportBudget, where: string, call: (leftMs: number) => Promise<T>): Promise<T> {
	const left = budget.left(where);
	try {
		return await call(left);
	} catch (error) {
		throw locateError(error, `Failed at the export step ${where}, ${budget.spent()}.`);
	}
}
