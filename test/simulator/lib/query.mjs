// A small query-string parser shared by CBC (Lucene-like) and Pangea (space-separated terms):
// `field:value`, `field:"quoted value"`, plain terms, `-`/NOT negation and, for CBC, AND / OR.

export class QuerySyntaxError extends Error {}

/**
 * Parses into OR-groups of AND-terms: [[{field, value, negate}], …]. An empty query gives [].
 * With `booleans` false (Pangea) the words AND / OR / NOT are ordinary terms.
 */
export function parseQuery(text, { booleans = true } = {}) {
	const groups = [[]];
	let negateNext = false;
	let i = 0;
	const src = String(text ?? '');
	while (i < src.length) {
		if (/\s/.test(src[i])) {
			i++;
			continue;
		}
		if (booleans && (src[i] === '(' || src[i] === ')')) {
			throw new QuerySyntaxError(`Unsupported token '${src[i]}' at ${i}`);
		}
		let negate = negateNext;
		negateNext = false;
		if (src[i] === '-' || src[i] === '+') {
			negate = src[i] === '-';
			i++;
		}
		const fieldMatch = /^([A-Za-z_][\w.]*):/.exec(src.slice(i));
		let field = null;
		if (fieldMatch) {
			field = fieldMatch[1];
			i += fieldMatch[0].length;
		}
		let value;
		if (src[i] === '"') {
			const end = closingQuote(src, i + 1);
			if (end < 0) throw new QuerySyntaxError(`Unterminated quote at ${i}`);
			value = src.slice(i + 1, end).replace(/\\(.)/g, '$1');
			i = end + 1;
		} else {
			const start = i;
			while (i < src.length && !/\s/.test(src[i])) i++;
			value = src.slice(start, i);
			if (booleans && field === null && !negate) {
				if (value === 'AND') continue;
				if (value === 'OR') {
					if (groups[groups.length - 1].length === 0)
						throw new QuerySyntaxError('OR without a left term');
					groups.push([]);
					continue;
				}
				if (value === 'NOT') {
					negateNext = true;
					continue;
				}
			}
		}
		if (field !== null && value === '') throw new QuerySyntaxError(`Empty value for ${field}`);
		groups[groups.length - 1].push({ field, value, negate });
	}
	if (negateNext || (groups.length > 1 && groups[groups.length - 1].length === 0)) {
		throw new QuerySyntaxError('Dangling operator');
	}
	return groups[0].length === 0 && groups.length === 1 ? [] : groups;
}

function closingQuote(src, from) {
	for (let j = from; j < src.length; j++) {
		if (src[j] === '\\') j++;
		else if (src[j] === '"') return j;
	}
	return -1;
}

/** A predicate over records from parsed groups and a per-term matcher `(record, term) => bool`. */
export function queryPredicate(groups, matchTerm) {
	if (groups.length === 0) return null;
	return (record) =>
		groups.some((terms) => terms.every((term) => matchTerm(record, term) !== term.negate));
}

/** `*` and `?` wildcards as an anchored, case-insensitive RegExp. */
export function wildcardRegExp(value) {
	const body = value
		.replace(/[.+^${}()|[\]\\]/g, '\\$&')
		.replace(/\*/g, '.*')
		.replace(/\?/g, '.');
	return new RegExp(`^${body}$`, 'i');
}
