/**
 * Label selectors as k8s.io/apimachinery/pkg/labels parses and matches them: the `?labelSelector=`
 * string grammar (`labels.Parse`) and the `metav1.LabelSelector` object form
 * (`metav1.LabelSelectorAsSelector`). Both give the same requirement list, sorted by key.
 *
 * Error messages are upstream's word for word, because kubectl prints them after
 * `Error from server (BadRequest): `; the apiserver wraps the parse error in a 400 unchanged.
 */
import { badRequest } from './errors.js';
import { labelValueProblems, qualifiedNameProblems } from './validation.js';

/** `selection.Operator`, spelled as upstream spells it. */
export type SelectorOperator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

export interface Requirement {
  readonly key: string;
  readonly operator: SelectorOperator;
  /** Sorted and deduplicated for `in`/`notin`; one value for `=`, `==`, `!=`, `gt`, `lt`; none for `exists`, `!`. */
  readonly values: readonly string[];
}

export interface LabelSelector {
  /** AND of these, sorted by key. */
  readonly requirements: readonly Requirement[];
  /** True when the selector does not restrict anything (`labels.Everything()`). */
  readonly empty: boolean;
  matches(labels: Readonly<Record<string, string>> | undefined): boolean;
  /** Upstream's canonical form (`Selector.String()`), e.g. `app in (a,b),!tier`. */
  toString(): string;
}

/** `metav1.LabelSelector`; `V1LabelSelector` from @kubernetes/client-node satisfies it. */
export interface LabelSelectorObject {
  matchLabels?: Readonly<Record<string, string>>;
  matchExpressions?: ReadonlyArray<{ key: string; operator: string; values?: readonly string[] }>;
}

/** Parses a `?labelSelector=` value; throws a 400 StatusError with upstream's message. */
export function parseLabelSelector(s: string): LabelSelector {
  const result = new Parser(lex(s)).parse();
  if (typeof result === 'string') throw badRequest(result);
  return selectorOf(result);
}

/**
 * `metav1.LabelSelectorAsSelector`: undefined/null selects nothing, `{}` selects everything.
 * An invalid selector throws a 400 StatusError.
 */
export function labelSelectorFromObject(sel: LabelSelectorObject | null | undefined): LabelSelector {
  if (sel === null || sel === undefined) return NOTHING;
  const requirements: Requirement[] = [];
  for (const [key, value] of Object.entries(sel.matchLabels ?? {})) {
    requirements.push(newRequirement(key, '=', [value]));
  }
  for (const expr of sel.matchExpressions ?? []) {
    const operator = OBJECT_OPERATORS[expr.operator];
    if (!operator) throw badRequest(`${JSON.stringify(expr.operator)} is not a valid label selector operator`);
    requirements.push(newRequirement(expr.key, operator, expr.values ? [...expr.values] : undefined));
  }
  return selectorOf(requirements);
}

/** `Requirement.Matches`: note that `!=` and `notin` match objects without the label. */
export function requirementMatches(r: Requirement, labels: Readonly<Record<string, string>> | undefined): boolean {
  const has = labels !== undefined && Object.hasOwn(labels, r.key);
  const value = has ? labels[r.key] : undefined;
  switch (r.operator) {
    case '=':
    case '==':
    case 'in':
      return has && r.values.includes(value as string);
    case '!=':
    case 'notin':
      return !has || !r.values.includes(value as string);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has || r.values.length !== 1) return false;
      const actual = parseInt64(value as string);
      const bound = parseInt64(r.values[0]);
      if (actual === undefined || bound === undefined) return false;
      return r.operator === 'gt' ? actual > bound : actual < bound;
    }
  }
}

const OBJECT_OPERATORS: Record<string, SelectorOperator | undefined> = {
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: '!',
};

const NOTHING: LabelSelector = {
  requirements: [],
  empty: false,
  matches: () => false,
  toString: () => '',
};

function selectorOf(requirements: Requirement[]): LabelSelector {
  const sorted = [...requirements].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return {
    requirements: sorted,
    empty: sorted.length === 0,
    matches: (labels) => sorted.every((r) => requirementMatches(r, labels)),
    toString: () => sorted.map(requirementString).join(','),
  };
}

function requirementString(r: Requirement): string {
  const values = r.values.length === 1 ? r.values[0] : [...r.values].sort().join(',');
  switch (r.operator) {
    case 'exists':
      return r.key;
    case '!':
      return `!${r.key}`;
    case 'in':
    case 'notin':
      return `${r.key} ${r.operator} (${values})`;
    case 'gt':
      return `${r.key}>${values}`;
    case 'lt':
      return `${r.key}<${values}`;
    default:
      return `${r.key}${r.operator}${values}`;
  }
}

/** strconv.ParseInt(s, 10, 64). */
function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n >= -(2n ** 63n) && n < 2n ** 63n ? n : undefined;
}

// ---------------------------------------------------------------------------------------------
// Validation (labels.NewRequirement), with field paths rendered as upstream renders a nil path.

/** `field.Error.Error()` for an Invalid value: `<field>: Invalid value: <value>: <detail>`. */
function invalidValue(field: string, value: string, detail: string): string {
  return `${field}: Invalid value: ${value}: ${detail}`;
}

/** Go's `%#v` of a []string, as field.Invalid prints a bad value list. */
function goStringSlice(values: readonly string[] | undefined): string {
  if (values === undefined) return '[]string(nil)';
  return `[]string{${values.map((v) => JSON.stringify(v)).join(', ')}}`;
}

/** Key problems at `path` (`<nil>` from the parser, `key` from NewRequirement). */
function keyError(key: string, path: string): string | undefined {
  const problems = qualifiedNameProblems(key);
  return problems.length ? invalidValue(path, JSON.stringify(key), problems.join('; ')) : undefined;
}

/** Builds a requirement or throws a 400 with the aggregated field errors. */
function newRequirement(key: string, operator: SelectorOperator, values: string[] | undefined): Requirement {
  const message = requirementErrors(key, operator, values);
  if (message) throw badRequest(message);
  return { key, operator, values: values ?? [] };
}

/** The aggregate error message of labels.NewRequirement, or undefined when valid. */
function requirementErrors(key: string, operator: SelectorOperator, values: string[] | undefined): string | undefined {
  const errs: string[] = [];
  const keyErr = keyError(key, 'key');
  if (keyErr) errs.push(keyErr);
  const vals = values ?? [];
  switch (operator) {
    case 'in':
    case 'notin':
      if (vals.length === 0) {
        errs.push(invalidValue('values', goStringSlice(values), "for 'in', 'notin' operators, values set can't be empty"));
      }
      break;
    case '=':
    case '==':
    case '!=':
      if (vals.length !== 1) {
        errs.push(invalidValue('values', goStringSlice(values), 'exact-match compatibility requires one single value'));
      }
      break;
    case 'exists':
    case '!':
      if (vals.length !== 0) {
        errs.push(invalidValue('values', goStringSlice(values), 'values set must be empty for exists and does not exist'));
      }
      break;
    case 'gt':
    case 'lt':
      if (vals.length !== 1) {
        errs.push(invalidValue('values', goStringSlice(values), "for 'Gt', 'Lt' operators, exactly one value is required"));
      }
      vals.forEach((v, i) => {
        if (parseInt64(v) === undefined) {
          errs.push(invalidValue(`values[${i}]`, JSON.stringify(v), "for 'Gt', 'Lt' operators, the value must be an integer"));
        }
      });
      break;
  }
  vals.forEach((v, i) => {
    const problems = labelValueProblems(v);
    if (problems.length) errs.push(invalidValue(`values[${i}][${key}]`, JSON.stringify(v), problems.join('; ')));
  });
  return aggregate(errs);
}

/** utilerrors.NewAggregate(...).Error(): one message as is, several deduplicated in brackets. */
function aggregate(errs: string[]): string | undefined {
  if (errs.length === 0) return undefined;
  if (errs.length === 1) return errs[0];
  const unique = [...new Set(errs)];
  return unique.length === 1 ? unique[0] : `[${unique.join(', ')}]`;
}

// ---------------------------------------------------------------------------------------------
// Lexer and parser for the string grammar.

type TokenKind =
  | 'end'
  | 'identifier'
  | '('
  | ')'
  | ','
  | '!'
  | '='
  | '=='
  | '!='
  | '>'
  | '<'
  | 'in'
  | 'notin';

interface Token {
  readonly kind: TokenKind;
  readonly literal: string;
}

const SPECIAL = new Set(['=', '!', '(', ')', ',', '>', '<']);
const WHITESPACE = new Set([' ', '\t', '\r', '\n']);

/** Splits into tokens; identifiers run until whitespace or a special character. */
function lex(s: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  for (;;) {
    while (i < s.length && WHITESPACE.has(s[i])) i++;
    if (i >= s.length) {
      tokens.push({ kind: 'end', literal: '' });
      return tokens;
    }
    if (SPECIAL.has(s[i])) {
      // Longest match: every special character is a token alone, `==` and `!=` are the only pairs.
      const pair = s.slice(i, i + 2);
      const literal = pair === '==' || pair === '!=' ? pair : s[i];
      tokens.push({ kind: literal as TokenKind, literal });
      i += literal.length;
      continue;
    }
    const start = i;
    while (i < s.length && !SPECIAL.has(s[i]) && !WHITESPACE.has(s[i])) i++;
    const literal = s.slice(start, i);
    tokens.push({ kind: literal === 'in' || literal === 'notin' ? literal : 'identifier', literal });
  }
}

/** Where `in` and `notin` count as keywords (after a key) or as plain identifiers (elsewhere). */
type Context = 'keyAndOperator' | 'values';

class Parser {
  private position = 0;

  constructor(private readonly tokens: Token[]) {}

  private peek(ctx: Context): Token {
    return this.inContext(this.tokens[Math.min(this.position, this.tokens.length - 1)], ctx);
  }

  private next(ctx: Context): Token {
    const token = this.peek(ctx);
    this.position++;
    return token;
  }

  private inContext(token: Token, ctx: Context): Token {
    if (ctx === 'values' && (token.kind === 'in' || token.kind === 'notin')) {
      return { kind: 'identifier', literal: token.literal };
    }
    return token;
  }

  /** The requirements, or the error message. */
  parse(): Requirement[] | string {
    const requirements: Requirement[] = [];
    for (;;) {
      const look = this.peek('values');
      switch (look.kind) {
        case 'identifier':
        case '!': {
          const r = this.parseRequirement();
          if (typeof r === 'string') return `unable to parse requirement: ${r}`;
          requirements.push(r);
          const after = this.next('values');
          if (after.kind === 'end') return requirements;
          if (after.kind !== ',') return `found '${after.literal}', expected: ',' or 'end of string'`;
          const following = this.peek('values');
          if (following.kind !== 'identifier' && following.kind !== '!') {
            return `found '${following.literal}', expected: identifier after ','`;
          }
          break;
        }
        case 'end':
          return requirements;
        default:
          return `found '${look.literal}', expected: !, identifier, or 'end of string'`;
      }
    }
  }

  private parseRequirement(): Requirement | string {
    let operator: SelectorOperator | undefined;
    let token = this.next('values');
    if (token.kind === '!') {
      operator = '!';
      token = this.next('values');
    }
    if (token.kind !== 'identifier') return `found '${token.literal}', expected: identifier`;
    const key = token.literal;
    const keyErr = keyError(key, '<nil>');
    if (keyErr) return keyErr;
    const look = this.peek('values').kind;
    if (look === 'end' || look === ',') operator ??= 'exists';
    if (operator === 'exists' || operator === '!') return this.requirement(key, operator, []);

    const opToken = this.next('keyAndOperator');
    const binary = BINARY_OPERATORS[opToken.kind];
    if (!binary) return `found '${opToken.literal}', expected: in, notin, =, ==, !=, gt, lt`;
    const values = binary === 'in' || binary === 'notin' ? this.parseValues() : this.parseExactValue();
    if (typeof values === 'string') return values;
    return this.requirement(key, binary, [...values].sort());
  }

  private requirement(key: string, operator: SelectorOperator, values: string[]): Requirement | string {
    return requirementErrors(key, operator, values) ?? { key, operator, values };
  }

  /** `(a,b,c)`; empty members are the empty string, as in `(a,,b)` or `()`. */
  private parseValues(): Set<string> | string {
    const open = this.next('values');
    if (open.kind !== '(') return `found '${open.literal}' expected: '('`;
    const look = this.peek('values');
    switch (look.kind) {
      case 'identifier':
      case ',': {
        const values = this.parseIdentifiersList();
        if (typeof values === 'string') return values;
        if (this.next('values').kind !== ')') return `found '${look.literal}', expected: ')'`;
        return values;
      }
      case ')':
        this.next('values');
        return new Set(['']);
      default:
        return `found '${look.literal}', expected: ',', ')' or identifier`;
    }
  }

  private parseIdentifiersList(): Set<string> | string {
    const values = new Set<string>();
    for (;;) {
      const token = this.next('values');
      switch (token.kind) {
        case 'identifier': {
          values.add(token.literal);
          const look = this.peek('values');
          if (look.kind === ',') continue;
          if (look.kind === ')') return values;
          return `found '${look.literal}', expected: ',' or ')'`;
        }
        case ',': {
          if (values.size === 0) values.add('');
          const look = this.peek('values');
          if (look.kind === ')') {
            values.add('');
            return values;
          }
          if (look.kind === ',') {
            this.next('values');
            values.add('');
          }
          break;
        }
        default:
          return `found '${token.literal}', expected: ',', or identifier`;
      }
    }
  }

  /** The single value after `=`, `==`, `!=`, `>` or `<`; nothing before `,` or the end means "". */
  private parseExactValue(): Set<string> | string {
    const look = this.peek('values');
    if (look.kind === 'end' || look.kind === ',') return new Set(['']);
    const token = this.next('values');
    if (token.kind === 'identifier') return new Set([token.literal]);
    return `found '${token.literal}', expected: identifier`;
  }
}

const BINARY_OPERATORS: Partial<Record<TokenKind, SelectorOperator>> = {
  in: 'in',
  notin: 'notin',
  '=': '=',
  '==': '==',
  '!=': '!=',
  '>': 'gt',
  '<': 'lt',
};
