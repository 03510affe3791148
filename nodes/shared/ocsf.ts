// The "OCSF" output format: a normalized audit item as an OCSF 1.8.0 event of its category's class.
import type { IDataObject } from 'n8n-workflow';

import { BoundedMemo } from './memo';
import { utcMillis } from './utcMillis';
import type { AuditCategory, AuditItem, AuditOutcome } from './types';

export const OCSF_VERSION = '1.8.0';

/**
 * Stands in where OCSF requires a value the vendor did not report (API Activity's actor and
 * source endpoint, the user of Authentication and Account Change, the managed entity): an event
 * without them fails schema validation, and null is not allowed for typed attributes.
 */
export const OCSF_UNKNOWN = 'unknown';

/** What an audit action means, whatever words the vendor used for it. */
export type Verb =
	| 'create'
	| 'read'
	| 'update'
	| 'delete'
	| 'login'
	| 'logout'
	| 'enable'
	| 'disable'
	| 'lock'
	| 'unlock'
	| 'passwordChange'
	| 'passwordReset'
	| 'attachPolicy'
	| 'detachPolicy'
	| 'mfaEnable'
	| 'mfaDisable'
	| 'move'
	| 'enroll'
	| 'unenroll'
	| 'activate'
	| 'deactivate'
	| 'suspend'
	| 'resume';

const VERB_WORDS: Record<Verb, string[]> = {
	create: ['create', 'created', 'add', 'added', 'insert', 'inserted', 'register', 'registered'],
	// An export or download reads the data it hands out: CRUD classes file it under Read.
	read: ['read', 'view', 'viewed', 'get', 'list', 'search', 'export', 'exported', 'download'],
	update: ['update', 'updated', 'edit', 'edited', 'modify', 'modified', 'change', 'changed'],
	delete: ['delete', 'deleted', 'remove', 'removed', 'destroy', 'destroyed', 'purge', 'purged'],
	login: ['login', 'logon', 'log_in', 'log_on', 'logged_in', 'signin', 'sign_in', 'signed_in'],
	logout: ['logout', 'logoff', 'log_out', 'log_off', 'logged_out', 'signout', 'sign_out'],
	enable: ['enable', 'enabled'],
	disable: ['disable', 'disabled'],
	lock: ['lock', 'locked', 'lockout', 'locked_out'],
	unlock: ['unlock', 'unlocked'],
	passwordChange: ['password_change', 'password_changed', 'change_password', 'set_password'],
	passwordReset: ['password_reset', 'reset_password'],
	attachPolicy: ['attach_policy', 'policy_attached'],
	detachPolicy: ['detach_policy', 'policy_detached'],
	mfaEnable: ['mfa_enable', 'mfa_enabled', 'enable_mfa'],
	mfaDisable: ['mfa_disable', 'mfa_disabled', 'disable_mfa'],
	move: ['move', 'moved', 'rename', 'renamed'],
	enroll: ['enroll', 'enrolled'],
	unenroll: ['unenroll', 'unenrolled'],
	activate: ['activate', 'activated'],
	deactivate: ['deactivate', 'deactivated'],
	suspend: ['suspend', 'suspended'],
	resume: ['resume', 'resumed'],
};

const VERB_BY_WORD = new Map<string, Verb>(
	(Object.keys(VERB_WORDS) as Verb[]).flatMap((verb) =>
		VERB_WORDS[verb].map((word): [string, Verb] => [word, verb]),
	),
);

/**
 * The verb an action names: the whole action first ("change_password"), then any two adjacent
 * words ("user_sign_in"), then any single word ("user.created", "login_failed").
 */
export function verbOf(action: string): Verb | undefined {
	const words = action
		.toLowerCase()
		.split(/[^a-z0-9]+/)
		.filter(Boolean);
	const whole = VERB_BY_WORD.get(words.join('_'));
	if (whole) return whole;
	for (let i = 0; i < words.length; i++) {
		const verb = VERB_BY_WORD.get(`${words[i]}_${words[i + 1]}`) ?? VERB_BY_WORD.get(words[i]);
		if (verb) return verb;
	}
	return undefined;
}

type Activity = { id: number; caption: string };

type Mapped = { [key: string]: IDataObject | IDataObject[] | string | undefined };

/** Who did it, as OCSF can say it, plus what OCSF would reject (kept under `unmapped`). */
type ActorParts = { user?: IDataObject; ip?: string; leftover?: IDataObject };

type ClassContext = { item: AuditItem; actor: ActorParts; productName: string };

type OcsfClass = {
	uid: number;
	caption: string;
	categoryUid: number;
	categoryCaption: string;
	activities: Partial<Record<Verb, Activity>>;
	/** The attributes this class adds or requires beyond those every class gets. */
	fields(ctx: ClassContext): Mapped;
};

const IAM = { categoryUid: 3, categoryCaption: 'Identity & Access Management' };
const APPLICATION = { categoryUid: 6, categoryCaption: 'Application Activity' };

const CRUD: Partial<Record<Verb, Activity>> = {
	create: { id: 1, caption: 'Create' },
	read: { id: 2, caption: 'Read' },
	update: { id: 3, caption: 'Update' },
	delete: { id: 4, caption: 'Delete' },
};

const AUTHENTICATION: OcsfClass = {
	uid: 3002,
	caption: 'Authentication',
	...IAM,
	activities: { login: { id: 1, caption: 'Logon' }, logout: { id: 2, caption: 'Logoff' } },
	// The subject of a console login is the one who logged in; the service is the vendor's console.
	fields: ({ actor, productName }) => ({
		user: actor.user ?? unknownUser(),
		service: { name: productName },
		actor: actorOf(actor),
	}),
};

const ACCOUNT_CHANGE: OcsfClass = {
	uid: 3001,
	caption: 'Account Change',
	...IAM,
	activities: {
		create: { id: 1, caption: 'Create' },
		enable: { id: 2, caption: 'Enable' },
		passwordChange: { id: 3, caption: 'Password Change' },
		passwordReset: { id: 4, caption: 'Password Reset' },
		disable: { id: 5, caption: 'Disable' },
		delete: { id: 6, caption: 'Delete' },
		attachPolicy: { id: 7, caption: 'Attach Policy' },
		detachPolicy: { id: 8, caption: 'Detach Policy' },
		lock: { id: 9, caption: 'Lock' },
		mfaEnable: { id: 10, caption: 'MFA Factor Enable' },
		mfaDisable: { id: 11, caption: 'MFA Factor Disable' },
		unlock: { id: 12, caption: 'Unlock' },
	},
	// `user` is the account acted on: the item's target.
	fields: ({ item, actor }) => ({
		user: targetIdentity(item) ?? unknownUser(),
		actor: actorOf(actor),
	}),
};

const ENTITY_MANAGEMENT: OcsfClass = {
	uid: 3004,
	caption: 'Entity Management',
	...IAM,
	activities: {
		...CRUD,
		move: { id: 5, caption: 'Move' },
		enroll: { id: 6, caption: 'Enroll' },
		unenroll: { id: 7, caption: 'Unenroll' },
		enable: { id: 8, caption: 'Enable' },
		disable: { id: 9, caption: 'Disable' },
		activate: { id: 10, caption: 'Activate' },
		deactivate: { id: 11, caption: 'Deactivate' },
		suspend: { id: 12, caption: 'Suspend' },
		resume: { id: 13, caption: 'Resume' },
	},
	fields: ({ item, actor }) => ({
		entity: {
			...(targetIdentity(item) ?? { name: OCSF_UNKNOWN }),
			// The category still says what kind of thing changed when the vendor names no type.
			type: given(item.target.type) ?? item.category,
		},
		actor: actorOf(actor),
	}),
};

const API_ACTIVITY: OcsfClass = {
	uid: 6003,
	caption: 'API Activity',
	...APPLICATION,
	activities: CRUD,
	fields: ({ item, actor }) => {
		const target = targetIdentity(item);
		return {
			actor: { user: actor.user ?? unknownUser() },
			api: { operation: item.action ?? OCSF_UNKNOWN },
			src_endpoint: actor.ip ? { ip: actor.ip } : { name: OCSF_UNKNOWN },
			resources: target && [
				withoutNulls({ ...target, type: given(item.target.type), role_id: 1, role: 'Target' }),
			],
		};
	},
};

const CLASS_BY_CATEGORY: Record<AuditCategory, OcsfClass> = {
	authentication: AUTHENTICATION,
	account: ACCOUNT_CHANGE,
	configuration: ENTITY_MANAGEMENT,
	policy: ENTITY_MANAGEMENT,
	api: API_ACTIVITY,
	other: API_ACTIVITY,
};

const STATUS: Record<AuditOutcome, Activity> = {
	success: { id: 1, caption: 'Success' },
	failure: { id: 2, caption: 'Failure' },
	unknown: { id: 0, caption: 'Unknown' },
};

// The vendor's own flag asks for a look; everything else an audit log records is informational.
const FLAGGED: Activity = { id: 3, caption: 'Medium' };
const ROUTINE: Activity = { id: 1, caption: 'Informational' };

// The email_t pattern of the OCSF 1.8.0 dictionary, so that what we emit is what validators accept.
const EMAIL = /^[a-zA-Z0-9!#$%&'*+-/=?^_`{|}~.]+@[a-zA-Z0-9-]+\.[a-zA-Z0-9-.]+$/;
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const HEXTET = /^[0-9a-fA-F]{1,4}$/;
/** ip_t allows at most 40 characters. */
const IP_MAX_LENGTH = 40;

function isIpv6(text: string): boolean {
	const halves = text.split('::');
	if (halves.length > 2) return false;
	const groups = halves.map((half) => (half === '' ? [] : half.split(':')));
	const all = groups.flat();
	// An embedded IPv4 address may end the address and counts as two groups.
	const last = all[all.length - 1];
	const tailIsIpv4 = last !== undefined && IPV4.test(last);
	const hextets = tailIsIpv4 ? all.slice(0, -1) : all;
	if (!hextets.every((group) => HEXTET.test(group))) return false;
	const count = hextets.length + (tailIsIpv4 ? 2 : 0);
	return halves.length === 2 ? count < 8 : count === 8;
}

export function isOcsfIp(text: string): boolean {
	return text.length <= IP_MAX_LENGTH && (IPV4.test(text) || isIpv6(text));
}

// A copy, so that a workflow editing `user` does not also edit `actor.user`.
function actorOf(actor: ActorParts): IDataObject | undefined {
	return actor.user && { user: { ...actor.user } };
}

function unknownUser(): IDataObject {
	return { name: OCSF_UNKNOWN };
}

/** An empty string names nothing; OCSF would show it as a blank user or entity. */
function given(text: string | null): string | null {
	return text === '' ? null : text;
}

function actorParts(actor: AuditItem['actor']): ActorParts {
	const parts: ActorParts = {};
	const leftover: IDataObject = {};
	const [name, email, ip] = [given(actor.name), given(actor.email), given(actor.ip)];
	const validEmail = email !== null && EMAIL.test(email) ? email : undefined;
	if (email !== null && !validEmail) leftover.email = email;
	const userName = name ?? email;
	if (userName !== null) {
		parts.user = validEmail ? { name: userName, email_addr: validEmail } : { name: userName };
	}
	if (ip !== null) {
		if (isOcsfIp(ip)) parts.ip = ip;
		else leftover.ip = ip;
	}
	if (Object.keys(leftover).length > 0) parts.leftover = leftover;
	return parts;
}

function targetIdentity(item: AuditItem): IDataObject | undefined {
	const [uid, name] = [given(item.target.id), given(item.target.name)];
	if (uid === null && name === null) return undefined;
	return withoutNulls({ uid, name });
}

type NamedActivity = Activity & { name: string };

const UNKNOWN_ACTIVITY: NamedActivity = { id: 0, caption: 'Unknown', name: 'Unknown' };

function activityFor(cls: OcsfClass, action: string): NamedActivity {
	const verb = verbOf(action);
	const known = verb && cls.activities[verb];
	// "Other" keeps the vendor's word in activity_name, as OCSF asks for id 99.
	return known ? { ...known, name: known.caption } : { id: 99, caption: 'Other', name: action };
}

/**
 * A tenant uses a few dozen actions, and reading one is a split and several lookups: each
 * (class, action) is worked out once. Read only; bounded, as actions are vendor text.
 */
const activities = new Map<OcsfClass, BoundedMemo<NamedActivity>>();

function activityOf(cls: OcsfClass, action: string | null): NamedActivity {
	if (action === null) return UNKNOWN_ACTIVITY;
	let byAction = activities.get(cls);
	if (byAction === undefined) activities.set(cls, (byAction = new BoundedMemo(2048, (known) => activityFor(cls, known))));
	return byAction.get(action);
}

/** Sets `key` unless the value is null or undefined: the members OCSF leaves out. */
function put(out: IDataObject, key: string, value: unknown): void {
	if (value !== null && value !== undefined) out[key] = value as IDataObject[string];
}

function withoutNulls(record: Record<string, unknown>): IDataObject {
	const out: IDataObject = {};
	for (const key of Object.keys(record)) put(out, key, record[key]);
	return out;
}

function nonEmpty(record: IDataObject): IDataObject | undefined {
	return Object.keys(record).length > 0 ? record : undefined;
}

/** What of the normalized item OCSF has no attribute for, null members left out. */
function unmappedOf(item: AuditItem, actor: ActorParts, timeKnown: boolean): IDataObject {
	const out: IDataObject = {};
	put(out, 'source', item.source);
	put(out, 'category', item.category);
	put(out, 'flagged', item.flagged);
	put(out, 'target', nonEmpty(withoutNulls(item.target)));
	put(out, 'changes', item.changes);
	put(out, 'organization', item.organization);
	put(out, 'requestUrl', item.requestUrl);
	put(out, 'actor', actor.leftover);
	put(out, 'timeUnknown', timeKnown ? undefined : true);
	put(out, 'verification', item.verification);
	put(out, 'raw', item.raw);
	return out;
}

/**
 * The members every class gets, in their order in the event. A class's own attribute with one of
 * these names takes that member's place (as it would spread over an object literal).
 */
const COMMON_MEMBERS = new Set(['src_endpoint', 'http_request']);

/**
 * The normalized item as an OCSF 1.8.0 event. Pure for items with a time; an item whose vendor
 * time did not parse gets `now()` as its (required) event time and `unmapped.timeUnknown`.
 * Built member by member, null members never set: it runs once per event in OCSF output.
 */
export function toOcsf(
	item: AuditItem,
	vendorName: string,
	productName: string,
	now: () => number = Date.now,
): IDataObject {
	const cls = CLASS_BY_CATEGORY[item.category] ?? API_ACTIVITY;
	const activity = activityOf(cls, item.action);
	const parsed = item.time === null ? NaN : utcMillis(item.time);
	const timeKnown = !Number.isNaN(parsed);
	const status = STATUS[item.outcome] ?? STATUS.unknown;
	const severity = item.flagged ? FLAGGED : ROUTINE;
	const actor = actorParts(item.actor);
	const fields = cls.fields({ item, actor, productName });
	const common = (key: string, value: unknown) => (key in fields ? fields[key] : value);
	const event: IDataObject = {
		category_uid: cls.categoryUid,
		category_name: cls.categoryCaption,
		class_uid: cls.uid,
		class_name: cls.caption,
		activity_id: activity.id,
		activity_name: activity.name,
		type_uid: cls.uid * 100 + activity.id,
		type_name: `${cls.caption}: ${activity.caption}`,
		severity_id: severity.id,
		severity: severity.caption,
		time: timeKnown ? parsed : now(),
		status_id: status.id,
		status: status.caption,
	};
	put(event, 'message', item.description);
	const metadata: IDataObject = { version: OCSF_VERSION, product: { name: productName, vendor_name: vendorName } };
	put(metadata, 'uid', item.id);
	put(metadata, 'original_time', timeKnown ? item.time : null);
	put(metadata, 'tenant_uid', item.organization);
	event.metadata = metadata;
	put(event, 'src_endpoint', common('src_endpoint', actor.ip ? { ip: actor.ip } : undefined));
	put(
		event,
		'http_request',
		common('http_request', item.requestUrl === null ? undefined : { url: { url_string: item.requestUrl } }),
	);
	for (const key of Object.keys(fields)) if (!COMMON_MEMBERS.has(key)) put(event, key, fields[key]);
	event.unmapped = unmappedOf(item, actor, timeKnown);
	return event;
}
