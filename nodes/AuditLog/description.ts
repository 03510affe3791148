// The Audit Log node's parameters, assembled from the operation files (each owns its parameters and
// its run) and the source registry, so neither a new operation nor a new vendor needs an edit here.
//
// n8n's node panel builds its actions from `resource` × `operation`: per Source option it takes the
// first `operation` property whose `displayOptions.show.resource` lists that source, and an action
// added from the panel sets every `show` condition of that property to its FIRST value. So each
// source gets an `operation` property of its own (show: { resource: [that source] }): an action
// listed under "Cisco Secure Endpoint Actions" then opens a node with resource = ciscoSecureEndpoint,
// and a source's property can list Log only where that source writes.
import type { INodeProperties } from 'n8n-workflow';
import { sourceInWords, sourceNotices, sourceParameter, inWords, type OperationDescription } from '../shared/fields';
import { SOURCES } from '../shared/sources';
import type { AuditSource } from '../shared/types';
import * as exportAndWait from './operations/exportAndWait';
import * as fetchQueue from './operations/fetchQueue';
import * as log from './operations/log';
import * as search from './operations/search';

/** Every operation's description, in the order the Operation dropdown lists them. */
export const OPERATION_DESCRIPTIONS: OperationDescription[] = [
	exportAndWait.description,
	fetchQueue.description,
	log.description,
	search.description,
];

export function operationsOf(source: AuditSource): OperationDescription[] {
	return OPERATION_DESCRIPTIONS.filter((op) => op.availableFor?.(source) ?? true);
}

/** The Operation parameter of one source: only the operations that source offers. */
export function operationParameter(source: AuditSource): INodeProperties {
	return {
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: [source.id] } },
		options: operationsOf(source).map((op) => ({ ...op.option })),
		default: 'search',
	};
}

/** "Search: Cisco Secure Endpoint". */
export const SUBTITLE = `={{ ${inWords(
	'operation',
	OPERATION_DESCRIPTIONS.map((op) => op.option),
)} + ": " + ${sourceInWords(SOURCES, 'resource')} }}`;

export const auditLogProperties: INodeProperties[] = [
	...sourceNotices(SOURCES, 'resource'),
	sourceParameter(SOURCES, 'resource'),
	...SOURCES.map(operationParameter),
	...OPERATION_DESCRIPTIONS.flatMap((op) => op.properties),
];
