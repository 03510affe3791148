// The Pangea-only parameters: search restrictions, the Verify option, and the Log operation's fields.
import type { INodeProperties } from 'n8n-workflow';
import { textField } from '../../fields';

const restriction = (label: string, name: string, key: string, example: string): INodeProperties =>
	textField(
		`Restrict to ${label}`,
		name,
		`Only events whose ${key} is exactly one of these values (comma-separated); Pangea applies it as a hard search restriction`,
		`e.g. ${example}`,
	);

export const PANGEA_FILTER_FIELDS: INodeProperties[] = [
	restriction('Actions', 'restrictAction', 'action', 'login, logout'),
	restriction('Actors', 'restrictActor', 'actor', 'alice@example.com'),
	restriction('Sources', 'restrictSource', 'source', '10.0.0.12, web'),
	restriction('Statuses', 'restrictStatus', 'status', 'failure'),
	restriction('Targets', 'restrictTarget', 'target', 'user:bob'),
	restriction('Tenant IDs', 'restrictTenantId', 'tenant_id', 't-42'),
];

/** Fields Pangea's search sorts on (order_by); the cursor-read operations keep received_at. */
export const ORDER_BY_FIELDS = ['received_at', 'timestamp', 'actor', 'action', 'message', 'source', 'status', 'target'];

export const PANGEA_OPTION_FIELDS: INodeProperties[] = [
	{
		displayName: 'Sort By',
		name: 'orderBy',
		type: 'options',
		default: 'received_at',
		// Only where the result is not read by a cursor, which follows received_at.
		displayOptions: { show: { '/operation': ['search'] } },
		options: ORDER_BY_FIELDS.map((field) => ({ name: field === 'received_at' ? 'Received Time' : field, value: field })),
		description:
			'The field Pangea sorts the events on, in the Sort Order. Another field than Received Time reads at most 10,000 events (one search).',
	},
	{
		displayName: 'Verify Tamper-Proofing',
		name: 'verify',
		type: 'boolean',
		default: false,
		description:
			"Whether to check each event's hash, signature and Merkle proofs and add a verification object to it (slower: asks Pangea for the records with proofs and for the published roots). Not applied to a file Pangea exports itself.",
	},
];

const show = { show: { resource: ['pangea'], operation: ['log'] } };

const eventField = textField;

/** Names Pangea gives the standard event fields; each may come from the item or the node. */
export const EVENT_FIELDS = ['message', 'actor', 'action', 'new', 'old', 'source', 'status', 'target', 'tenant_id', 'timestamp'] as const;
export type EventField = (typeof EVENT_FIELDS)[number];

export const PANGEA_LOG_FIELDS: INodeProperties[] = [
	{
		displayName:
			"Each input item becomes one event: its fields named like Pangea's (message, actor, action, new, old, source, status, target, tenant_id, timestamp) are sent, and the fields set below replace them.",
		name: 'pangeaLogNotice',
		type: 'notice',
		default: '',
		displayOptions: show,
	},
	{
		displayName: 'Message',
		name: 'logMessage',
		type: 'string',
		default: '',
		placeholder: 'e.g. User signed in',
		description: "The event's message. Empty: the input item's message field, which must then exist.",
		displayOptions: show,
	},
	{
		displayName: 'Event Fields',
		name: 'logEventFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		description: "Values that replace the input item's fields of the same Pangea name",
		displayOptions: show,
		options: [
			eventField('Action', 'action', 'What happened (up to 32 characters)', 'e.g. login'),
			eventField('Actor', 'actor', 'Who did it (up to 128 characters)', 'e.g. alice@example.com'),
			eventField('New', 'new', 'The value after the change; an object is sent as its canonical JSON text', 'e.g. {"role":"admin"}'),
			eventField('Old', 'old', 'The value before the change; an object is sent as its canonical JSON text', 'e.g. {"role":"viewer"}'),
			eventField('Source', 'source', 'Where it came from, such as an IP address (up to 128 characters)', 'e.g. 198.51.100.7'),
			eventField('Status', 'status', 'The outcome (up to 32 characters)', 'e.g. success'),
			eventField('Target', 'target', 'What it was done to (up to 128 characters)', 'e.g. user:bob'),
			eventField('Tenant ID', 'tenant_id', 'The tenant the event belongs to (up to 128 characters)', 'e.g. t-42'),
			{
				displayName: 'Timestamp',
				name: 'timestamp',
				type: 'dateTime',
				default: '',
				description: 'When the event happened, by your clock (Pangea adds its own received time)',
			},
		],
	},
	{
		displayName: 'Log Options',
		name: 'logOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: show,
		options: [
			{
				displayName: 'Sign Locally',
				name: 'signLocally',
				type: 'boolean',
				default: false,
				description:
					"Whether to sign each event with the Ed25519 private key of the credential (Signing Private Key), so readers can prove it came from you",
			},
			{
				displayName: 'Asynchronous',
				name: 'async',
				type: 'boolean',
				default: false,
				description:
					'Whether to send every batch of 1,000 to /v2/log_async first and then wait for all of them, instead of waiting on each batch in turn (faster for large writes)',
			},
			{
				displayName: 'Verify',
				name: 'verify',
				type: 'boolean',
				default: false,
				description:
					"Whether to check Pangea's answer for each event (its envelope holds the event sent and hashes to its hash, and the signature when signed) and add a verification object to each item",
			},
			{
				displayName: 'Verbose',
				name: 'verbose',
				type: 'boolean',
				default: false,
				description: 'Whether to return the envelope Pangea stored for each event (event, received time, signature) next to its hash',
			},
		],
	},
];
