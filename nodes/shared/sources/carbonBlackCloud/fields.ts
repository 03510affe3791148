// The Carbon Black Cloud-only filters: more criteria and the exclusions of the _search body (see filters.ts).
import type { INodeProperties } from 'n8n-workflow';
import { textField } from '../../fields';

const list = textField;

const flag = (displayName: string, name: string, description: string): INodeProperties => ({
	displayName,
	name,
	type: 'boolean',
	default: false,
	description,
});

export const CBC_FILTER_FIELDS: INodeProperties[] = [
	list('Description', 'description', 'Only events with one of these exact descriptions (comma-separated)', 'e.g. Logged in successfully'),
	flag('Drop Verbose Events', 'excludeVerbose', 'Whether to leave out the events Carbon Black marks verbose (routine API reads and the like)'),
	list('Exclude Actors', 'excludeActors', 'Leave out events by these actors (comma-separated)', 'e.g. svc-scanner@example.com'),
	list('Exclude Actor IPs', 'excludeActorIps', 'Leave out events from these IP addresses (comma-separated)', 'e.g. 10.0.0.5'),
	list('Exclude Descriptions', 'excludeDescriptions', 'Leave out events with these descriptions (comma-separated)', 'e.g. Logged out'),
	{
		displayName: 'Exclude From',
		name: 'excludeStart',
		type: 'dateTime',
		default: '',
		description: 'Leave out events from this time on, up to Exclude Until (set both), e.g. a maintenance window',
	},
	list('Exclude Request URLs', 'excludeRequestUrls', 'Leave out events with these request URLs (comma-separated)', 'e.g. /appservices/v6/orgs/ABCD/alerts/_search'),
	{
		displayName: 'Exclude Until',
		name: 'excludeEnd',
		type: 'dateTime',
		default: '',
		description: 'End of the left-out time window started by Exclude From (set both)',
	},
	flag('Only Unflagged', 'excludeFlagged', 'Whether to leave out the events Carbon Black flagged'),
	list('Request URLs', 'requestUrls', 'Only events with one of these request URLs (comma-separated)', 'e.g. /integrationServices/v3/device'),
	flag('Verbose Only', 'verboseOnly', 'Whether to return only events Carbon Black marks verbose'),
];
