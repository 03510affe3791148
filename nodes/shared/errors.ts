// The one place that builds parameter errors: every bad input names its parameter and says how to fix it.
import { NodeOperationError } from 'n8n-workflow';
import type { RequestFunctions } from './types';

/**
 * A NodeOperationError for a bad parameter value. `parameter` is the path the user sees
 * (e.g. "Filters > Range"); `fix` says what a valid value looks like.
 */
export function parameterError(
	fn: Pick<RequestFunctions, 'getNode'>,
	parameter: string,
	problem: string,
	fix: string,
	itemIndex = 0,
): NodeOperationError {
	return new NodeOperationError(fn.getNode(), `${parameter}: ${problem}`, {
		description: fix,
		itemIndex,
	});
}
