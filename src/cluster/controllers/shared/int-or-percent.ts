/**
 * intstr.GetScaledValueFromIntOrPercent: an int is itself; "25%" of `total` is rounded up or down
 * as the caller asks (maxSurge rounds up, maxUnavailable rounds down). Anything else is an error
 * with kube's wording.
 */
export function scaledValue(value: number | string | undefined, total: number, roundUp: boolean): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number') return value;
  const m = /^(-?\d+)%$/.exec(value);
  if (!m) {
    if (/^-?\d+$/.test(value)) throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`);
    throw new Error(`invalid value "${value}": ${JSON.stringify(value)} is not a percentage`);
  }
  const scaled = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}
