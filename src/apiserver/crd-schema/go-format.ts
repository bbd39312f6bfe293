/**
 * Go's printing, as kube's messages need it: `%q` strings, `%v` numbers (int64 and float64 differ),
 * `%#v` maps and slices, and apimachinery's field.Error bodies (k8s.io/apimachinery
 * pkg/util/validation/field/errors.go, v0.32), including the `FieldValueTooMany` type that
 * src/apimachinery/errors.ts does not list yet.
 */
import type { FieldError } from '../../apimachinery/errors.js';
import { goFloat, goQuote } from '../../apimachinery/go-format.js';

export { goFloat, goQuote };
import { isMap } from './types.js';

/** A JSON number as Go decodes it (apimachinery's json: integral numbers become int64). */
export function isInt64(n: number): boolean {
  return Number.isInteger(n) && Math.abs(n) < 2 ** 63;
}

/** `%v` of a decoded JSON number (int64 or float64). */
export function goNumber(n: number): string {
  return isInt64(n) ? BigInt(n).toString() : goFloat(n);
}

/** Go's `%#v` of a decoded JSON value. */
export function goSharpV(v: unknown): string {
  if (v === null || v === undefined) return 'interface {}(nil)';
  if (typeof v === 'string') return goQuote(v);
  if (typeof v === 'number') return goNumber(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[]interface {}{${v.map(goSharpV).join(', ')}}`;
  if (isMap(v)) {
    const keys = Object.keys(v).sort();
    return `map[string]interface {}{${keys.map((k) => `${goQuote(k)}:${goSharpV(v[k])}`).join(', ')}}`;
  }
  return String(v);
}

/** A Go `[]string` value (prints as `[]string{"a", "b"}` rather than `[]interface {}{…}`). */
export function goStrings(values: readonly string[]): GoStringSlice {
  return { goStrings: [...values] };
}
export interface GoStringSlice {
  goStrings: string[];
}
function isGoStringSlice(v: unknown): v is GoStringSlice {
  return isMap(v) && Array.isArray((v as { goStrings?: unknown }).goStrings) && Object.keys(v).length === 1;
}

/** A bad value as field.Error.ErrorBody prints it. */
export function badValue(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return goQuote(v);
  if (typeof v === 'number') return goNumber(v);
  if (typeof v === 'boolean') return String(v);
  if (isGoStringSlice(v)) return `[]string{${v.goStrings.map(goQuote).join(', ')}}`;
  return goSharpV(v);
}

// ---- field paths (k8s.io/apimachinery/pkg/util/validation/field.Path) ----

/** A field path; `undefined` is Go's nil *field.Path, which prints as `<nil>`. */
export type Path = string | undefined;

export const child = (p: Path, name: string): string => (p === undefined || p === '' ? name : `${p}.${name}`);
export const key = (p: Path, k: string): string => `${p ?? ''}[${k}]`;
export const index = (p: Path, i: number): string => `${p ?? ''}[${i}]`;
export const pathString = (p: Path): string => (p === undefined ? '<nil>' : p);

// ---- field errors, worded as field/errors.go words them ----

function body(type: string, value: unknown, detail: string, omitValue = false): string {
  const head = omitValue ? type : `${type}: ${badValue(value)}`;
  return detail ? `${head}: ${detail}` : head;
}

export const fe = {
  required(p: Path, detail = ''): FieldError {
    return { type: 'FieldValueRequired', field: pathString(p), message: body('Required value', '', detail, true) };
  },
  forbidden(p: Path, detail: string): FieldError {
    return { type: 'FieldValueForbidden', field: pathString(p), message: body('Forbidden', '', detail, true) };
  },
  invalid(p: Path, value: unknown, detail: string): FieldError {
    return { type: 'FieldValueInvalid', field: pathString(p), message: body('Invalid value', value, detail) };
  },
  typeInvalid(p: Path, value: unknown, detail: string): FieldError {
    return { type: 'FieldValueTypeInvalid', field: pathString(p), message: body('Invalid value', value, detail) };
  },
  notSupported(p: Path, value: unknown, supported: readonly string[]): FieldError {
    const detail = supported.length > 0 ? `supported values: ${supported.map(goQuote).join(', ')}` : '';
    return { type: 'FieldValueNotSupported', field: pathString(p), message: body('Unsupported value', value, detail) };
  },
  duplicate(p: Path, value: unknown): FieldError {
    return { type: 'FieldValueDuplicate', field: pathString(p), message: body('Duplicate value', value, '') };
  },
  tooLong(p: Path, max: number): FieldError {
    const detail = max >= 0 ? `may not be more than ${max} bytes` : 'value is too long';
    return { type: 'FieldValueTooLong', field: pathString(p), message: body('Too long', '', detail, true) };
  },
  /** `FieldValueTooMany` is not in errors.ts's union yet; the cause reason must still read `FieldValueTooMany`. */
  tooMany(p: Path, actual: number, max: number): FieldError {
    const detail = max >= 0 ? `must have at most ${max} items` : 'has too many items';
    return {
      type: 'FieldValueTooMany' as FieldError['type'],
      field: pathString(p),
      message: body('Too many', actual, detail, actual < 0),
    };
  },
};

/** `field.Error.Error()`: `<field>: <body>`. */
export const errorString = (e: FieldError): string => `${e.field}: ${e.message}`;

/** utilerrors.Aggregate's Error(): one message, or `[a, b]`. */
export function aggregateString(errors: FieldError[]): string {
  const msgs: string[] = [];
  for (const e of errors) {
    const s = errorString(e);
    if (!msgs.includes(s)) msgs.push(s);
  }
  return msgs.length === 1 ? msgs[0] : `[${msgs.join(', ')}]`;
}
