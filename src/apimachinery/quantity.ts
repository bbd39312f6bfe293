/**
 * Kubernetes resource quantities (`500m`, `1`, `128Mi`, `1e3`): parsed to a number of base units
 * so values can be compared, as resource.Quantity.Cmp does.
 */
import { badRequest } from './errors.js';

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };
const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE]([+-]?\d+))?$/;

export function parseQuantity(value: string | number): number {
  if (typeof value === 'number') return value;
  const m = QUANTITY.exec(value.trim());
  if (!m) throw badRequest(`quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`);
  const [, number, suffix, exponent] = m;
  const base = Number(number);
  if (exponent !== undefined) return base * 10 ** Number(exponent);
  return base * (BINARY[suffix ?? ''] ?? DECIMAL[suffix ?? '']);
}

/** Whether a string is a valid quantity. */
export function isQuantity(value: unknown): boolean {
  return (typeof value === 'string' && QUANTITY.test(value.trim())) || typeof value === 'number';
}
