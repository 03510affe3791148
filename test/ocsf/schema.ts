// A small OCSF schema model and event validator built from the official schema JSON, for tests.
/** The OCSF 1.8.0 schema data, relative to this file (jest.requireActual resolves from here). */
// A copy of the official OCSF 1.8.0 schema data (Apache-2.0, LICENSE and NOTICE kept beside it).
const SCHEMA_ROOT = '../fixtures/ocsf-schema';

// The schema files are walked generically; their shapes are checked by the tests that use them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
type EnumMap = Record<string, { caption: string }>;

export type Attribute = {
	name: string;
	/** A scalar type of the dictionary (`string_t`…) or an object name (`user`…). */
	type: string;
	isArray: boolean;
	requirement: 'required' | 'recommended' | 'optional';
	enum?: EnumMap;
	sibling?: string;
	/** The profile that brings the attribute in; it is allowed only when the event declares it. */
	profile?: string;
	deprecated: boolean;
};

export type Constraints = { at_least_one?: string[]; just_one?: string[] };

export type Shape = {
	name: string;
	caption: string;
	attributes: Record<string, Attribute>;
	constraints: Constraints;
};

export type EventClass = Shape & { uid: number; categoryUid: number; categoryCaption: string };

/** The event class files held, by category folder; a category's own base is named after it. */
const CLASS_FOLDERS: Array<[string, string[]]> = [
	['iam', ['iam', 'authentication', 'account_change', 'entity_management']],
	['application', ['application', 'api_activity']],
];

function classFile(name: string): string {
	if (name === 'base_event') return 'events/base_event.json';
	const folder = CLASS_FOLDERS.find(([, names]) => names.includes(name));
	if (!folder) throw new Error(`no event class file for ${name}`);
	return `events/${folder[0]}/${name}.json`;
}

export const CLASS_NAMES = [
	'authentication',
	'account_change',
	'entity_management',
	'api_activity',
];

function load(relative: string): Json {
	return jest.requireActual(`${SCHEMA_ROOT}/${relative}`);
}

function isPlainObject(value: unknown): value is Record<string, Json> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** OCSF's merge: a child's attribute spec refines its parent's key by key, enums included. */
function deepMerge(base: Json, over: Json): Json {
	if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over;
	const out: Record<string, Json> = { ...base };
	for (const key of Object.keys(over)) out[key] = deepMerge(base[key], over[key]);
	return out;
}

/** A file's own attribute specs plus those of its `$include`d profiles, tagged by profile. */
function ownAttributes(file: Json): Record<string, Json> {
	const { $include: includes = [], ...own } = file.attributes ?? {};
	let merged: Record<string, Json> = {};
	for (const path of includes as string[]) {
		const profile = load(path);
		for (const [name, spec] of Object.entries<Json>(profile.attributes)) {
			merged[name] = deepMerge(merged[name], { profile: profile.name, ...spec });
		}
	}
	for (const [name, spec] of Object.entries<Json>(own))
		merged = { ...merged, [name]: deepMerge(merged[name], spec) };
	return merged;
}

type Raw = { caption: string; attributes: Record<string, Json>; constraints: Constraints };

function resolveRaw(file: Json, parent: (name: string) => Raw | undefined): Raw {
	const base = file.extends ? parent(file.extends) : undefined;
	const attributes: Record<string, Json> = { ...(base?.attributes ?? {}) };
	for (const [name, spec] of Object.entries(ownAttributes(file))) {
		attributes[name] = deepMerge(attributes[name], spec);
	}
	return {
		caption: file.caption,
		attributes,
		constraints: { ...(base?.constraints ?? {}), ...(file.constraints ?? {}) },
	};
}

export class OcsfSchema {
	readonly dictionary: Json = load('dictionary.json');
	readonly version: string = load('version.json').version;
	private readonly categories: Json = load('categories.json').attributes;
	private readonly rawClasses = new Map<string, Raw>();
	private readonly rawObjects = new Map<string, Raw>();
	private readonly objects = new Map<string, Shape>();
	readonly classes: EventClass[];

	constructor() {
		this.classes = CLASS_NAMES.map((name) => this.eventClass(name));
	}

	get types(): Record<string, Json> {
		return this.dictionary.types.attributes;
	}

	classByUid(uid: unknown): EventClass | undefined {
		return this.classes.find((cls) => cls.uid === uid);
	}

	/** An object type with `extends` resolved and dictionary definitions applied; memoized. */
	object(name: string): Shape {
		let shape = this.objects.get(name);
		if (!shape) {
			const raw = this.rawObject(name);
			shape = { name, caption: raw.caption, ...this.finish(raw) };
			this.objects.set(name, shape);
		}
		return shape;
	}

	isObjectType(type: string): boolean {
		return !(type in this.types);
	}

	private rawObject(name: string): Raw {
		let raw = this.rawObjects.get(name);
		if (!raw) {
			raw = resolveRaw(load(`objects/${name}.json`), (parent) => this.rawObject(parent));
			this.rawObjects.set(name, raw);
		}
		return raw;
	}

	private rawClass(name: string): Raw {
		let raw = this.rawClasses.get(name);
		if (!raw) {
			raw = resolveRaw(load(classFile(name)), (parent) => this.rawClass(parent));
			this.rawClasses.set(name, raw);
		}
		return raw;
	}

	private eventClass(name: string): EventClass {
		const file = load(classFile(name));
		const categoryName = load(classFile(file.extends)).category;
		const category = this.categories[categoryName];
		const uid = category.uid * 1000 + file.uid;
		const shape = this.finish(this.rawClass(name));
		// As the OCSF server does: a concrete class pins its own class and category ids.
		shape.attributes.class_uid.enum = { [uid]: { caption: file.caption } };
		shape.attributes.category_uid.enum = { [category.uid]: { caption: category.caption } };
		return {
			name,
			caption: file.caption,
			uid,
			categoryUid: category.uid,
			categoryCaption: category.caption,
			...shape,
		};
	}

	/** Applies the dictionary beneath each attribute spec: type, array-ness, enums, siblings. */
	private finish(raw: Raw): Pick<Shape, 'attributes' | 'constraints'> {
		const attributes: Record<string, Attribute> = {};
		for (const [name, spec] of Object.entries(raw.attributes)) {
			const entry = this.dictionary.attributes[name];
			if (!entry) throw new Error(`attribute ${name} is not in the dictionary`);
			const full = deepMerge(entry, spec);
			attributes[name] = {
				name,
				type: full.type,
				isArray: full.is_array === true,
				requirement: full.requirement ?? 'optional',
				enum: full.enum,
				sibling: full.sibling,
				profile: full.profile ?? undefined,
				deprecated: full['@deprecated'] !== undefined,
			};
		}
		return { attributes, constraints: raw.constraints };
	}
}

// OCSF timestamp_t is epoch milliseconds: values outside this band are seconds or nonsense.
const MS_FROM = Date.UTC(1980, 0, 1);
const MS_TO = Date.UTC(2200, 0, 1);
const INT32 = 2 ** 31;

const patterns = new Map<string, RegExp>();
function patternOf(source: string): RegExp {
	let pattern = patterns.get(source);
	if (!pattern) patterns.set(source, (pattern = new RegExp(source)));
	return pattern;
}

const BASE_CHECKS: Record<string, (value: unknown) => boolean> = {
	string_t: (value) => typeof value === 'string',
	integer_t: (value) => Number.isInteger(value) && Math.abs(value as number) < INT32,
	long_t: (value) => Number.isSafeInteger(value),
	float_t: (value) => typeof value === 'number' && Number.isFinite(value),
	boolean_t: (value) => typeof value === 'boolean',
	json_t: () => true,
};

export class OcsfValidator {
	constructor(private readonly schema: OcsfSchema) {}

	/** Every way the event breaks the schema, as `path: problem`; empty when it conforms. */
	validate(event: unknown): string[] {
		const errors: string[] = [];
		if (!isPlainObject(event)) return ['event: not an object'];
		const cls = this.schema.classByUid(event.class_uid);
		if (!cls) return [`class_uid: unknown class ${JSON.stringify(event.class_uid)}`];
		const profiles = new Set<string>(
			Array.isArray(event.metadata?.profiles) ? event.metadata.profiles : [],
		);
		this.checkShape(cls, event, '', profiles, errors);
		this.checkClassification(cls, event, errors);
		return errors;
	}

	private checkClassification(cls: EventClass, event: Record<string, Json>, errors: string[]) {
		const expect = (path: string, actual: unknown, wanted: unknown) => {
			if (actual !== undefined && actual !== wanted) {
				errors.push(`${path}: ${JSON.stringify(actual)}, expected ${JSON.stringify(wanted)}`);
			}
		};
		// category_uid and class_uid are pinned by their enums, their names by the sibling check.
		expect('type_uid', event.type_uid, cls.uid * 100 + event.activity_id);
		const activity = cls.attributes.activity_id.enum?.[String(event.activity_id)];
		if (activity) expect('type_name', event.type_name, `${cls.caption}: ${activity.caption}`);
		if (event.metadata?.version !== undefined) {
			expect('metadata.version', event.metadata.version, this.schema.version);
		}
	}

	private checkShape(
		shape: Shape,
		value: Record<string, Json>,
		path: string,
		profiles: Set<string>,
		errors: string[],
	) {
		const at = (name: string) => (path ? `${path}.${name}` : name);
		const applies = (attr: Attribute) => attr.profile === undefined || profiles.has(attr.profile);
		for (const attr of Object.values(shape.attributes)) {
			if (attr.requirement === 'required' && applies(attr) && !(attr.name in value)) {
				errors.push(`${at(attr.name)}: required by ${shape.name}, missing`);
			}
		}
		for (const [name, member] of Object.entries(value)) {
			const attr = shape.attributes[name];
			if (!attr) errors.push(`${at(name)}: not an attribute of ${shape.name}`);
			else if (!applies(attr)) errors.push(`${at(name)}: needs profile ${attr.profile}`);
			else {
				if (attr.deprecated) errors.push(`${at(name)}: deprecated`);
				this.checkAttribute(attr, member, at(name), profiles, errors);
			}
		}
		this.checkSiblings(shape, value, path, errors);
		this.checkConstraints(shape, value, path, errors);
	}

	private checkAttribute(
		attr: Attribute,
		value: Json,
		path: string,
		profiles: Set<string>,
		errors: string[],
	) {
		if (attr.isArray) {
			if (!Array.isArray(value)) errors.push(`${path}: not an array`);
			else
				value.forEach((item, i) => this.checkValue(attr, item, `${path}[${i}]`, profiles, errors));
		} else {
			this.checkValue(attr, value, path, profiles, errors);
		}
	}

	private checkValue(
		attr: Attribute,
		value: Json,
		path: string,
		profiles: Set<string>,
		errors: string[],
	) {
		if (value === null || value === undefined) {
			errors.push(`${path}: ${String(value)}`);
		} else if (attr.type === 'object') {
			// The generic `object` (unmapped, data) is free-form.
			if (!isPlainObject(value)) errors.push(`${path}: not an object`);
		} else if (this.schema.isObjectType(attr.type)) {
			if (!isPlainObject(value)) errors.push(`${path}: not a ${attr.type} object`);
			else this.checkShape(this.schema.object(attr.type), value, path, profiles, errors);
		} else {
			const problem = this.scalarProblem(attr.type, value);
			if (problem) errors.push(`${path}: ${problem}`);
			if (attr.enum && !(String(value) in attr.enum)) {
				errors.push(`${path}: ${JSON.stringify(value)} not in enum of ${attr.name}`);
			}
		}
	}

	/** Walks the type chain (email_t → string_t) checking each level's constraints. */
	private scalarProblem(type: string, value: Json): string | undefined {
		for (let name: string | undefined = type; name; name = this.schema.types[name]?.type) {
			const def = this.schema.types[name];
			if (!def) return `unknown type ${name}`;
			const base = BASE_CHECKS[name];
			if (base && !base(value)) return `${JSON.stringify(value)} is not ${type}`;
			if (def.regex && !patternOf(def.regex).test(value))
				return `${JSON.stringify(value)} does not match ${type}`;
			if (def.max_len && String(value).length > def.max_len) return `longer than ${def.max_len}`;
			if (def.range && (value < def.range[0] || value > def.range[1])) return `out of range`;
			if (def.values && !def.values.includes(value)) return `not one of ${def.values}`;
		}
		if (type === 'timestamp_t' && (value < MS_FROM || value > MS_TO)) {
			return `${value} is not epoch milliseconds`;
		}
		return undefined;
	}

	/** A caption next to an `_id` must be the enum's caption, unless the id is Other (99). */
	private checkSiblings(shape: Shape, value: Record<string, Json>, path: string, errors: string[]) {
		for (const attr of Object.values(shape.attributes)) {
			if (!attr.sibling || !attr.enum || !(attr.name in value) || !(attr.sibling in value))
				continue;
			const id = String(value[attr.name]);
			const caption = attr.enum[id]?.caption;
			if (id !== '99' && caption !== undefined && value[attr.sibling] !== caption) {
				const where = path ? `${path}.${attr.sibling}` : attr.sibling;
				errors.push(
					`${where}: ${JSON.stringify(value[attr.sibling])}, expected ${JSON.stringify(caption)}`,
				);
			}
		}
	}

	private checkConstraints(
		shape: Shape,
		value: Record<string, Json>,
		path: string,
		errors: string[],
	) {
		const present = (names: string[]) => names.filter((name) => name in value);
		const { at_least_one: atLeastOne, just_one: justOne } = shape.constraints;
		const where = path || shape.name;
		if (atLeastOne && present(atLeastOne).length === 0) {
			errors.push(`${where}: needs at least one of ${atLeastOne.join(', ')}`);
		}
		if (justOne && present(justOne).length !== 1) {
			errors.push(`${where}: needs exactly one of ${justOne.join(', ')}`);
		}
	}
}
