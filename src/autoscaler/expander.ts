/**
 * Expanders (spec §4.4): filters over scale-up options, applied as a chain
 * (`--expander=priority,least-waste`); when more than one option is left at the end, one is chosen
 * at random.
 */
import { parse as parseYaml } from 'yaml';
import { intValue, milliValue, podRequests } from '../cluster/scheduler/index.js';
import type { ExpanderName } from './options.js';
import { asV1Pod } from './simulator.js';
import type { PlannedEvent, Pod, StatusConfigMapRef, TemplateNodeInfo } from './types.js';

/** One way to scale up: `nodeCount` nodes of `group` would schedule `pods`. */
export interface ExpansionOption {
  readonly group: string;
  readonly nodeCount: number;
  readonly pods: readonly Pod[];
  readonly template: TemplateNodeInfo;
}

export interface PriorityRule {
  readonly priority: number;
  readonly patterns: readonly RegExp[];
}

export const PRIORITY_CONFIG_MAP_NAME = 'cluster-autoscaler-priority-expander';
export const PRIORITY_CONFIG_MAP_KEY = 'priorities';

/**
 * The `priorities` key of `cluster-autoscaler-priority-expander`: a YAML map of integer priority to a
 * list of regular expressions over node group ids. Throws with the reason on bad input.
 */
export function parsePriorityConfig(text: string): PriorityRule[] {
  if (text.trim() === '') throw new Error('priority configuration in cluster-autoscaler-priority-expander configmap is empty; please provide valid configuration');
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new Error(`Can't parse YAML with priorities in the configmap: ${(e as Error).message}`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new Error("Can't parse YAML with priorities in the configmap: not a map of priority to list of regexps");
  const rules: PriorityRule[] = [];
  for (const [k, v] of Object.entries(doc as Record<string, unknown>)) {
    if (!/^-?\d+$/.test(k)) throw new Error(`Can't parse YAML with priorities in the configmap: priority ${JSON.stringify(k)} is not an integer`);
    const list = Array.isArray(v) ? v : [v];
    const patterns = list.map((re) => {
      try {
        return new RegExp(String(re));
      } catch {
        throw new Error(`Can't compile regexp rule for priority ${k} and rule ${String(re)}`);
      }
    });
    rules.push({ priority: Number(k), patterns });
  }
  return rules.sort((a, b) => b.priority - a.priority);
}

export interface ExpanderContext {
  readonly random: () => number;
  /** Parsed priority rules (`priority` expander); absent → the expander keeps every option. */
  readonly priorities?: readonly PriorityRule[];
  readonly statusConfigMap?: StatusConfigMapRef;
}

export interface ExpanderResult {
  readonly best?: ExpansionOption;
  /** Options left after the chain, before the final random pick. */
  readonly remaining: readonly ExpansionOption[];
  readonly events: readonly PlannedEvent[];
  /** least-waste's scores by group (the log line prints score × 50 as "Blended %"). */
  readonly wasteScores?: ReadonlyMap<string, number>;
}

export function mostPods(options: readonly ExpansionOption[]): ExpansionOption[] {
  const max = Math.max(...options.map((o) => o.pods.length));
  return options.filter((o) => o.pods.length === max);
}

export function leastNodes(options: readonly ExpansionOption[]): ExpansionOption[] {
  const min = Math.min(...options.map((o) => o.nodeCount));
  return options.filter((o) => o.nodeCount === min);
}

/**
 * least-waste's score: idle cpu share + idle memory share of the `n` new nodes, with the template's
 * capacity (not allocatable) and the option's pods' requests.
 */
export function wasteScore(o: ExpansionOption): number {
  const cap = o.template.node.status?.capacity ?? {};
  const cpu = milliValue(cap.cpu as string | undefined) * o.nodeCount;
  const mem = intValue(cap.memory as string | undefined) * o.nodeCount;
  let podCpu = 0;
  let podMem = 0;
  for (const p of o.pods) {
    const r = podRequests(asV1Pod(p));
    podCpu += r.milliCPU;
    podMem += r.memory;
  }
  const cpuWaste = cpu > 0 ? (cpu - podCpu) / cpu : 0;
  const memWaste = mem > 0 ? (mem - podMem) / mem : 0;
  return cpuWaste + memWaste;
}

export function leastWaste(options: readonly ExpansionOption[]): { options: ExpansionOption[]; scores: Map<string, number> } {
  const scores = new Map(options.map((o) => [o.group, wasteScore(o)] as const));
  const min = Math.min(...scores.values());
  return { options: options.filter((o) => scores.get(o.group) === min), scores };
}

/**
 * priority: each option's group takes the highest priority whose patterns match its id; options at
 * the highest priority are kept, unmatched groups dropped with a Warning; nothing matched → all kept.
 */
export function priorityFilter(options: readonly ExpansionOption[], rules: readonly PriorityRule[], cm: StatusConfigMapRef): { options: ExpansionOption[]; events: PlannedEvent[] } {
  let best: ExpansionOption[] = [];
  let bestPriority = -Infinity;
  const events: PlannedEvent[] = [];
  for (const o of options) {
    const rule = rules.find((r) => r.patterns.some((re) => re.test(o.group)));
    if (!rule) {
      events.push({
        object: { kind: 'ConfigMap', namespace: cm.namespace, name: PRIORITY_CONFIG_MAP_NAME },
        type: 'Warning',
        reason: 'PriorityConfigMapNotMatchedGroup',
        message: `Priority expander: node group ${o.group} not found in priority expander configuration. The group won't be used.`,
      });
      continue;
    }
    if (rule.priority > bestPriority) {
      bestPriority = rule.priority;
      best = [o];
    } else if (rule.priority === bestPriority) best.push(o);
  }
  if (best.length === 0) {
    events.push({
      object: { kind: 'ConfigMap', namespace: cm.namespace, name: PRIORITY_CONFIG_MAP_NAME },
      type: 'Warning',
      reason: 'PriorityConfigMapNoGroupMatched',
      message: 'Priority expander: no priorities info found for any of the expansion options. No options filtered.',
    });
    return { options: [...options], events };
  }
  return { options: best, events };
}

/** Run the chain, then pick at random among what is left. */
export function expand(chain: readonly ExpanderName[], options: readonly ExpansionOption[], ctx: ExpanderContext): ExpanderResult {
  const cm = ctx.statusConfigMap ?? { namespace: 'kube-system', name: 'cluster-autoscaler-status' };
  let remaining = [...options];
  const events: PlannedEvent[] = [];
  let wasteScores: Map<string, number> | undefined;
  for (const name of chain) {
    if (remaining.length <= 1) break;
    switch (name) {
      case 'most-pods':
        remaining = mostPods(remaining);
        break;
      case 'least-nodes':
        remaining = leastNodes(remaining);
        break;
      case 'least-waste': {
        const r = leastWaste(remaining);
        remaining = r.options;
        wasteScores = r.scores;
        break;
      }
      case 'priority':
        if (ctx.priorities) {
          const r = priorityFilter(remaining, ctx.priorities, cm);
          remaining = r.options;
          events.push(...r.events);
        }
        break;
      case 'random':
      case 'price': // needs cloud pricing, which no Flotilla provider has: a no-op filter
        break;
    }
  }
  const best = remaining.length === 0 ? undefined : remaining[Math.min(remaining.length - 1, Math.floor(ctx.random() * remaining.length))];
  return { best, remaining, events, ...(wasteScores ? { wasteScores } : {}) };
}
