// The Cisco Secure Endpoint-only filters: the query parameters of GET /v1/audit_logs, one value each.
import type { INodeProperties } from 'n8n-workflow';
import { AUDIT_LOG_TYPES_METHOD } from './auditLogTypes';

/** Node parameter name → the vendor's query parameter, and how the user sees it. */
export const CISCO_FILTERS = {
	auditLogType: { param: 'audit_log_type', label: 'Filters > Audit Log Type' },
	auditLogId: { param: 'audit_log_id', label: 'Filters > Audit Log ID' },
	event: { param: 'event', label: 'Filters > Event' },
	auditLogUser: { param: 'audit_log_user', label: 'Filters > Audit Log User' },
} as const;

export type CiscoFilter = keyof typeof CISCO_FILTERS;

export const CISCO_FILTER_FIELDS: INodeProperties[] = [
	{
		displayName: 'Audit Log ID',
		name: 'auditLogId',
		type: 'string',
		default: '',
		placeholder: 'e.g. 16db5cf986eec6f44422',
		description:
			"Only events about this audited object: its ID as Cisco writes it (the target ID of an item), e.g. the GUID of a user, group, computer or policy",
	},
	{
		// A list the tenant gives (GET /v1/audit_log_types); a value saved as text before still
		// works, since the value is the type's own name.
		displayName: 'Audit Log Type Name or ID',
		name: 'auditLogType',
		type: 'options',
		typeOptions: { loadOptionsMethod: AUDIT_LOG_TYPES_METHOD },
		default: '',
		description:
			'Only events about objects of this type, e.g. User, Computer, Group, Policy. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
	{
		displayName: 'Audit Log User',
		name: 'auditLogUser',
		type: 'string',
		default: '',
		placeholder: 'e.g. alice@example.com',
		description: 'Only events by this user email or connector GUID (the same as Actor)',
	},
	{
		displayName: 'Event',
		name: 'event',
		type: 'string',
		default: '',
		placeholder: 'e.g. update',
		description: 'Only events of this kind, e.g. login, create, update, delete',
	},
];
