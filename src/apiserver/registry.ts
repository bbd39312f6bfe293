/**
 * The set of resources the server serves, looked up by group/version/plural. Built once at start;
 * CRDs (a later issue) add to it at run time, so lookups are never cached elsewhere.
 */
import { apiVersionOf, type ResourceType } from '../apimachinery/resource-type.js';
import { GROUP_PRIORITY } from './builtin-resources.js';

export class ResourceRegistry {
  private readonly byPath = new Map<string, ResourceType>();
  private readonly byResource = new Map<string, Set<ResourceType>>();

  constructor(resources: readonly ResourceType[]) {
    for (const rt of resources) this.add(rt);
  }

  add(rt: ResourceType): void {
    this.remove(rt);
    this.byPath.set(`${apiVersionOf(rt)}/${rt.plural}`, rt);
    const key = `${rt.group}/${rt.plural}`;
    if (!this.byResource.has(key)) this.byResource.set(key, new Set());
    this.byResource.get(key)!.add(rt);
  }

  remove(rt: Pick<ResourceType, 'group' | 'version' | 'plural'>): void {
    const path = `${apiVersionOf(rt)}/${rt.plural}`;
    const existing = this.byPath.get(path);
    if (!existing) return;
    this.byPath.delete(path);
    const set = this.byResource.get(`${rt.group}/${rt.plural}`);
    set?.delete(existing);
    if (set?.size === 0) this.byResource.delete(`${rt.group}/${rt.plural}`);
  }

  /** Any served version of a group's resource (all versions share one storage prefix). */
  byGroupResource(group: string, plural: string): ResourceType | undefined {
    return this.byResource.get(`${group}/${plural}`)?.values().next().value;
  }

  lookup(group: string, version: string, plural: string): ResourceType | undefined {
    return this.byPath.get(`${group ? `${group}/` : ''}${version}/${plural}`);
  }

  /** The resource that serves `kind` in a group-version (for body checks and OpenAPI). */
  byKind(group: string, version: string, kind: string): ResourceType | undefined {
    for (const rt of this.byPath.values()) if (rt.group === group && rt.version === version && rt.kind === kind) return rt;
    return undefined;
  }

  all(): ResourceType[] {
    return [...this.byPath.values()];
  }

  /** Group-versions in discovery order: core first, then the kube order, then the rest by name. */
  groupVersions(): Array<{ group: string; versions: string[] }> {
    const groups = new Map<string, Set<string>>();
    for (const rt of this.byPath.values()) {
      if (!groups.has(rt.group)) groups.set(rt.group, new Set());
      groups.get(rt.group)!.add(rt.version);
    }
    // Built-in groups in kube's order, then custom ones; metrics.k8s.io comes last, as its
    // APIService's groupPriorityMinimum (100) ranks it below custom resources' (1000).
    const rank = (g: string) => {
      if (g === 'metrics.k8s.io') return GROUP_PRIORITY.length + 1;
      const i = GROUP_PRIORITY.indexOf(g);
      return i < 0 ? GROUP_PRIORITY.length : i;
    };
    return [...groups.entries()]
      .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
      .map(([group, versions]) => ({ group, versions: [...versions].sort(compareKubeVersions) }));
  }

  resourcesIn(group: string, version: string): ResourceType[] {
    return [...this.byPath.values()]
      .filter((rt) => rt.group === group && rt.version === version)
      .sort((a, b) => a.plural.localeCompare(b.plural));
  }
}

/**
 * Kubernetes version priority: GA before beta before alpha, higher numbers first
 * (v1 > v1beta2 > v1beta1 > v1alpha1), as apimachinery's version.CompareKubeAwareVersionStrings.
 */
export function compareKubeVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return { stability: -1, major: 0, minor: 0 };
    const stability = m[2] === undefined ? 2 : m[2] === 'beta' ? 1 : 0;
    return { stability, major: Number(m[1]), minor: Number(m[3] ?? 0) };
  };
  const pa = parse(a);
  const pb = parse(b);
  if (pa.stability === -1 && pb.stability === -1) return a.localeCompare(b);
  return pb.stability - pa.stability || pb.major - pa.major || pb.minor - pa.minor;
}
