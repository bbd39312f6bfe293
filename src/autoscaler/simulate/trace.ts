/**
 * The workload trace `flotilla autoscaler simulate` replays: scale sets (SKU, min, max, initial
 * size, provisioning delay, labels, taints), timed pod arrivals and departures, and
 * cluster-autoscaler's flags. {@link parseTrace} reads the YAML and refuses anything it does not
 * understand with one {@link TraceError} naming the field (`events[3].count: …`), so a typo never
 * turns into a silently different simulation. The format is documented in
 * examples/autoscaler/README.md.
 */
import type { Taint, Toleration } from 'kubernetes-types/core/v1.js';
import { parse as parseYaml } from 'yaml';
import { isQuantity } from '../../apimachinery/quantity.js';
import { parseGoDuration } from '../go-format.js';

export interface TraceScaleSet {
  readonly name: string;
  readonly sku: { readonly name: string; readonly cpu: string; readonly memory: string; readonly pods: number };
  readonly min: number;
  readonly max: number;
  readonly initial: number;
  /** From `IncreaseSize` until the Node registers Ready, ms. */
  readonly provisioningDelay: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
}

/** `count` pods of workload `arrive` appear (owned by one ReplicaSet, so drainable). */
export interface TraceArrival {
  readonly kind: 'arrive';
  readonly at: number;
  readonly workload: string;
  readonly count: number;
  readonly requests: Readonly<Record<string, string>>;
  readonly nodeSelector?: Readonly<Record<string, string>>;
  readonly tolerations?: readonly Toleration[];
  readonly priority?: number;
  /** Each pod leaves this long after it arrived. */
  readonly lifetime?: number;
}

/** `count` pods of workload `depart` leave (pending ones first, then the newest); all when no count. */
export interface TraceDeparture {
  readonly kind: 'depart';
  readonly at: number;
  readonly workload: string;
  readonly count?: number;
}

export type TraceEvent = TraceArrival | TraceDeparture;

export interface Trace {
  /** Simulated time, ms; default the last event + 30 min. */
  readonly duration: number;
  /** cluster-autoscaler flags as `--name=value`, in the trace's order (command-line flags go after). */
  readonly flags: readonly string[];
  /** Seed of the expanders' random choices, so a replay is repeatable. */
  readonly seed: number;
  readonly scaleSets: readonly TraceScaleSet[];
  /** Sorted by `at` (stable). */
  readonly events: readonly TraceEvent[];
}

/** A bad trace: `field: reason`, one line. */
export class TraceError extends Error {
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`${field}: ${reason}`);
    this.name = 'TraceError';
  }
}

type Obj = Record<string, unknown>;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function obj(v: unknown, field: string): Obj {
  if (!isObj(v)) throw new TraceError(field, 'must be a mapping');
  return v;
}

function only(o: Obj, field: string, keys: readonly string[]): void {
  for (const k of Object.keys(o)) if (!keys.includes(k)) throw new TraceError(field ? `${field}.${k}` : k, `unknown field (known: ${keys.join(', ')})`);
}

/** A Go duration string (`90s`, `10m`) or a number of seconds. */
function duration(v: unknown, field: string): number {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v * 1000;
  if (typeof v === 'string') {
    let ms: number;
    try {
      ms = parseGoDuration(v);
    } catch (e) {
      throw new TraceError(field, (e as Error).message);
    }
    if (ms < 0) throw new TraceError(field, 'must not be negative');
    return ms;
  }
  throw new TraceError(field, 'must be a duration such as 90s or 10m');
}

function int(v: unknown, field: string, min = 0): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new TraceError(field, `must be a whole number, ${min} or more`);
  return v;
}

function name(v: unknown, field: string): string {
  if (typeof v !== 'string' || !DNS_LABEL.test(v) || v.length > 50) throw new TraceError(field, 'must be a lower-case name (a-z, 0-9, -), at most 50 characters');
  return v;
}

function quantity(v: unknown, field: string): string {
  if (!isQuantity(v) || (typeof v === 'number' && v < 0)) throw new TraceError(field, 'must be a quantity such as 500m, 2 or 4Gi');
  return String(v);
}

function stringMap(v: unknown, field: string): Record<string, string> {
  const o = obj(v, field);
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(o)) {
    if (typeof x !== 'string' && typeof x !== 'number' && typeof x !== 'boolean') throw new TraceError(`${field}.${k}`, 'must be a string');
    out[k] = String(x);
  }
  return out;
}

const EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

function taints(v: unknown, field: string): Taint[] {
  if (!Array.isArray(v)) throw new TraceError(field, 'must be a list');
  return v.map((t, i) => {
    const f = `${field}[${i}]`;
    const o = obj(t, f);
    only(o, f, ['key', 'value', 'effect']);
    if (typeof o.key !== 'string' || o.key === '') throw new TraceError(`${f}.key`, 'required');
    if (typeof o.effect !== 'string' || !EFFECTS.includes(o.effect)) throw new TraceError(`${f}.effect`, `must be one of ${EFFECTS.join(', ')}`);
    return { key: o.key, ...(o.value !== undefined ? { value: String(o.value) } : {}), effect: o.effect };
  });
}

function tolerations(v: unknown, field: string): Toleration[] {
  if (!Array.isArray(v)) throw new TraceError(field, 'must be a list');
  return v.map((t, i) => {
    const f = `${field}[${i}]`;
    const o = obj(t, f);
    only(o, f, ['key', 'operator', 'value', 'effect']);
    if (o.operator !== undefined && o.operator !== 'Equal' && o.operator !== 'Exists') throw new TraceError(`${f}.operator`, 'must be Equal or Exists');
    if (o.effect !== undefined && (typeof o.effect !== 'string' || !EFFECTS.includes(o.effect))) throw new TraceError(`${f}.effect`, `must be one of ${EFFECTS.join(', ')}`);
    const out: Toleration = {};
    if (o.key !== undefined) out.key = String(o.key);
    if (o.operator !== undefined) out.operator = o.operator as string;
    if (o.value !== undefined) out.value = String(o.value);
    if (o.effect !== undefined) out.effect = o.effect as string;
    return out;
  });
}

function scaleSet(v: unknown, i: number): TraceScaleSet {
  const f = `scaleSets[${i}]`;
  const o = obj(v, f);
  only(o, f, ['name', 'sku', 'min', 'max', 'initial', 'provisioningDelay', 'labels', 'taints']);
  const sku = obj(o.sku, `${f}.sku`);
  only(sku, `${f}.sku`, ['name', 'cpu', 'memory', 'pods']);
  const min = o.min === undefined ? 0 : int(o.min, `${f}.min`);
  const max = int(o.max, `${f}.max`, 1);
  if (max < min) throw new TraceError(`${f}.max`, `must be at least min (${min})`);
  const initial = o.initial === undefined ? min : int(o.initial, `${f}.initial`);
  if (initial < min || initial > max) throw new TraceError(`${f}.initial`, `must be between min (${min}) and max (${max})`);
  return {
    name: name(o.name, `${f}.name`),
    sku: {
      name: sku.name === undefined ? 'Standard_D2s_v3' : String(sku.name),
      cpu: quantity(sku.cpu, `${f}.sku.cpu`),
      memory: quantity(sku.memory, `${f}.sku.memory`),
      pods: sku.pods === undefined ? 110 : int(sku.pods, `${f}.sku.pods`, 1),
    },
    min,
    max,
    initial,
    provisioningDelay: o.provisioningDelay === undefined ? 2 * 60_000 : duration(o.provisioningDelay, `${f}.provisioningDelay`),
    labels: o.labels === undefined ? {} : stringMap(o.labels, `${f}.labels`),
    taints: o.taints === undefined ? [] : taints(o.taints, `${f}.taints`),
  };
}

function event(v: unknown, i: number): TraceEvent {
  const f = `events[${i}]`;
  const o = obj(v, f);
  const at = duration(o.at, `${f}.at`);
  if (o.arrive !== undefined && o.depart !== undefined) throw new TraceError(f, 'has both arrive and depart: give one');
  if (o.depart !== undefined) {
    only(o, f, ['at', 'depart', 'count']);
    return { kind: 'depart', at, workload: name(o.depart, `${f}.depart`), ...(o.count !== undefined ? { count: int(o.count, `${f}.count`, 1) } : {}) };
  }
  if (o.arrive === undefined) throw new TraceError(f, 'needs arrive: <workload> or depart: <workload>');
  only(o, f, ['at', 'arrive', 'count', 'requests', 'nodeSelector', 'tolerations', 'priority', 'lifetime']);
  const req = o.requests === undefined ? {} : obj(o.requests, `${f}.requests`);
  const requests: Record<string, string> = {};
  for (const [k, x] of Object.entries(req)) requests[k] = quantity(x, `${f}.requests.${k}`);
  if (o.priority !== undefined && (typeof o.priority !== 'number' || !Number.isInteger(o.priority))) throw new TraceError(`${f}.priority`, 'must be a whole number');
  return {
    kind: 'arrive',
    at,
    workload: name(o.arrive, `${f}.arrive`),
    count: o.count === undefined ? 1 : int(o.count, `${f}.count`, 1),
    requests,
    ...(o.nodeSelector !== undefined ? { nodeSelector: stringMap(o.nodeSelector, `${f}.nodeSelector`) } : {}),
    ...(o.tolerations !== undefined ? { tolerations: tolerations(o.tolerations, `${f}.tolerations`) } : {}),
    ...(o.priority !== undefined ? { priority: o.priority as number } : {}),
    ...(o.lifetime !== undefined ? { lifetime: duration(o.lifetime, `${f}.lifetime`) } : {}),
  };
}

/** The trace as plain data; throws {@link TraceError}. */
export function readTrace(doc: unknown): Trace {
  const o = obj(doc ?? undefined, 'trace');
  only(o, '', ['duration', 'seed', 'options', 'scaleSets', 'events']);
  if (!Array.isArray(o.scaleSets) || o.scaleSets.length === 0) throw new TraceError('scaleSets', 'must be a list of at least one scale set');
  const scaleSets = o.scaleSets.map(scaleSet);
  const seen = new Set<string>();
  scaleSets.forEach((s, i) => {
    if (seen.has(s.name)) throw new TraceError(`scaleSets[${i}].name`, `duplicate scale set ${s.name}`);
    seen.add(s.name);
  });
  if (o.events !== undefined && !Array.isArray(o.events)) throw new TraceError('events', 'must be a list');
  const events = ((o.events as unknown[] | undefined) ?? []).map(event);
  const order = events.map((e, i) => ({ e, i })).sort((a, b) => a.e.at - b.e.at || a.i - b.i).map((x) => x.e);
  const flags: string[] = [];
  if (o.options !== undefined) {
    for (const [k, v] of Object.entries(obj(o.options, 'options'))) {
      if (k === 'nodes' || k === 'node-group-auto-discovery') throw new TraceError(`options.${k}`, 'node groups come from scaleSets');
      if (Array.isArray(v)) for (const x of v) flags.push(`--${k}=${String(x)}`);
      else flags.push(`--${k}=${String(v)}`);
    }
  }
  const lastEvent = order.reduce((m, e) => Math.max(m, e.at + (e.kind === 'arrive' ? (e.lifetime ?? 0) : 0)), 0);
  return {
    duration: o.duration === undefined ? lastEvent + 30 * 60_000 : duration(o.duration, 'duration'),
    flags,
    seed: o.seed === undefined ? 1 : int(o.seed, 'seed'),
    scaleSets,
    events: order,
  };
}

/** Parse the YAML text of a trace; throws {@link TraceError}. */
export function parseTrace(text: string): Trace {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    // The yaml package's message carries the line and column.
    throw new TraceError('trace', `not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  return readTrace(doc);
}
