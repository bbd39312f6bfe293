/**
 * Field selectors as k8s.io/apimachinery/pkg/fields parses them (`fields.ParseSelector`):
 * comma-separated `field=value`, `field==value` and `field!=value` terms, with `\,`, `\=` and `\\`
 * escapes in values. Which fields a resource supports is the caller's table; `validateFieldSelector`
 * words the 400 as the apiserver's field-label conversion does.
 */
import { badRequest } from './errors.js';

export interface FieldRequirement {
  readonly field: string;
  /** `==` is stored as `=`, as upstream's `Requirements()` reports it. */
  readonly operator: '=' | '!=';
  readonly value: string;
}

export interface FieldSelector {
  /** AND of these, in upstream's order (terms sorted as strings). */
  readonly requirements: readonly FieldRequirement[];
  readonly empty: boolean;
  /** A missing field counts as the empty string, as `fields.Set.Get` does. */
  matches(fields: Readonly<Record<string, string>>): boolean;
  /** `RequiresExactMatch`: the value an `=` term pins `field` to, if any. */
  exactMatch(field: string): string | undefined;
}

/**
 * How the unsupported-field error is worded:
 * - `field-label`: kinds with a registered field-label conversion (Pod, Node, Event, Secret,
 *   Service, Namespace, ReplicationController, …) and custom resources: `field label not supported: spec.foo`;
 * - `default`: every other kind (`runtime.DefaultMetaV1FieldSelectorConversion`):
 *   `"spec.foo" is not a known field selector: only "metadata.name", "metadata.namespace"`.
 */
export type FieldSelectorWording = 'field-label' | 'default';

/** Parses a `?fieldSelector=` value; throws a 400 StatusError with upstream's message. */
export function parseFieldSelector(s: string): FieldSelector {
  const requirements: FieldRequirement[] = [];
  for (const term of splitTerms(s).sort()) {
    if (term === '') continue;
    const split = splitTerm(term);
    if (!split) throw badRequest(`invalid selector: '${s}'; can't understand '${term}'`);
    requirements.push({ field: split.field, operator: split.operator === '!=' ? '!=' : '=', value: unescapeValue(split.rhs) });
  }
  return {
    requirements,
    empty: requirements.length === 0,
    matches: (fields) =>
      requirements.every((r) => ((fields[r.field] ?? '') === r.value) === (r.operator === '=')),
    exactMatch: (field) => requirements.find((r) => r.field === field && r.operator === '=')?.value,
  };
}

/**
 * Throws a 400 naming the first unsupported field (in requirement order), worded as upstream
 * words it for the resource's kind.
 */
export function validateFieldSelector(
  selector: FieldSelector,
  supported: ReadonlySet<string>,
  wording: FieldSelectorWording = 'field-label',
): void {
  for (const r of selector.requirements) {
    if (supported.has(r.field)) continue;
    throw badRequest(
      wording === 'field-label'
        ? `field label not supported: ${r.field}`
        : `${JSON.stringify(r.field)} is not a known field selector: only "metadata.name", "metadata.namespace"`,
    );
  }
}

/** `fields.EscapeValue`: makes an arbitrary string safe as a selector value. */
export function escapeFieldValue(s: string): string {
  return s.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/** Splits on commas that are not escaped; escapes stay in the terms. */
function splitTerms(s: string): string[] {
  if (s === '') return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

/** The first operator in the term splits it; `!=` and `==` win over `=` at the same position. */
function splitTerm(term: string): { field: string; operator: string; rhs: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of ['!=', '==', '=']) {
      if (term.startsWith(op, i)) return { field: term.slice(0, i), operator: op, rhs: term.slice(i + op.length) };
    }
  }
  return undefined;
}

/** `fields.UnescapeValue`, with its error messages. */
function unescapeValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c !== '\\' && c !== ',' && c !== '=') {
        throw badRequest(`invalid field selector: invalid escape sequence: \\${c}`);
      }
      out += c;
      inSlash = false;
    } else if (c === '\\') {
      inSlash = true;
    } else if (c === ',' || c === '=') {
      // Upstream prints the rune with %v, i.e. as its code point.
      throw badRequest(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    } else {
      out += c;
    }
  }
  if (inSlash) throw badRequest('invalid field selector: invalid escape sequence: \\');
  return out;
}
