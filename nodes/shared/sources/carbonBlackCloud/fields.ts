// The Carbon Black Cloud-only filters: more criteria and the exclusions of the _search body.
import type { INodeProperties } from 'n8n-workflow';
import { textField } from '../../fields';

const list = textField;

export const CBC_FILTER_FIELDS: INodeProperties[] = [
	list('Description', 'description', 'Only events with one of these exact descriptions (comma-separated)', 'e.g. Logged in successfully'),
	list('Exclude Actors', 'excludeActors', 'Leave out events by these actors (comma-separated)', 'e.g. svc-scanner@example.com'),
	list('Exclude Actor IPs', 'excludeActorIps', 'Leave out events from these IP addresses (comma-separated)', 'e.g. 10.0.0.5'),
	list('Exclude Descriptions', 'excludeDescriptions', 'Leave out events with these descriptions (comma-separated)', 'e.g. Logged out'),
	list('Exclude Request URLs', 'excludeRequestUrls', 'Leave out events with these request URLs (comma-separated)', 'e.g. /appservices/v6/orgs/ABCD/alerts/_search'),
	list('Request URLs', 'requestUrls', 'Only events with one of these request URLs (comma-separated)', 'e.g. /integrationServices/v3/device'),
	{
		displayName: 'Verbose Only',
		name: 'verboseOnly',
		type: 'boolean',
		default: false,
		description: 'Whether to return only events Carbon Black marks verbose',
	},
];
