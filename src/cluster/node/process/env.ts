/**
 * A container's environment as kubelet builds it (kubelet_pods.go makeEnvironmentVariables), as a
 * pure function of the pod, the container, the ConfigMaps and Secrets it refers to (fetched by
 * the shell; `undefined` when they do not exist) and where the pod runs:
 *
 * 1. `envFrom` sources in order (ConfigMap `data` / Secret `data` keys, with `prefix`; a missing
 *    source fails the container unless `optional`; keys that are not valid names are skipped);
 * 2. `env` in order, later names overriding earlier ones: `value` with `$(VAR)` expansion over
 *    what is defined so far, `valueFrom` configMapKeyRef / secretKeyRef / fieldRef /
 *    resourceFieldRef;
 * 3. the service variables (`KUBERNETES_SERVICE_HOST`, …) and `HOSTNAME` where the container did
 *    not define them, and a default `PATH` (the image's environment, here the agent's).
 *
 * A missing required ConfigMap, Secret or key gives kubelet's error, which the container reports
 * as `CreateContainerConfigError`.
 */
import type { ConfigMap, Container, EnvVar, Pod, Secret } from 'kubernetes-types/core/v1.js';
import { parseQuantity } from '../../../apimachinery/quantity.js';

export interface EnvContext {
  /** ConfigMaps and Secrets of the pod's namespace by name, as fetched (undefined: not found). */
  readonly configMaps: ReadonlyMap<string, ConfigMap | undefined>;
  readonly secrets: ReadonlyMap<string, Secret | undefined>;
  readonly podIP: string;
  readonly hostIP: string;
  /** The API server as pods see it (KUBERNETES_SERVICE_HOST / _PORT). */
  readonly apiServer?: { readonly host: string; readonly port: number };
  /** The node's allocatable, for resourceFieldRef limits the container does not set. */
  readonly nodeAllocatable?: Readonly<Record<string, string>>;
  /** The image's PATH (default: none). */
  readonly path?: string;
}

export type EnvResult =
  | { readonly ok: true; readonly env: Readonly<Record<string, string>> }
  | { readonly ok: false; readonly reason: 'CreateContainerConfigError'; readonly message: string };

/** The names of the ConfigMaps and Secrets a container's environment reads (for the shell to fetch). */
export function envReferences(c: Container): { configMaps: string[]; secrets: string[] } {
  const cms = new Set<string>();
  const secrets = new Set<string>();
  for (const f of c.envFrom ?? []) {
    if (f.configMapRef?.name) cms.add(f.configMapRef.name);
    if (f.secretRef?.name) secrets.add(f.secretRef.name);
  }
  for (const e of c.env ?? []) {
    if (e.valueFrom?.configMapKeyRef?.name) cms.add(e.valueFrom.configMapKeyRef.name);
    if (e.valueFrom?.secretKeyRef?.name) secrets.add(e.valueFrom.secretKeyRef.name);
  }
  return { configMaps: [...cms].sort(), secrets: [...secrets].sort() };
}

/**
 * Kubelet's `$(VAR)` expansion (third_party/forked/golang/expansion): `$(NAME)` becomes NAME's
 * value when it is defined and stays as written otherwise; `$$` is an escaped `$`; any other `$`
 * is kept.
 */
export function expand(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const ch = input[i];
    if (ch !== '$' || i + 1 >= input.length) {
      out += ch;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, close);
      const v = name ? lookup(name) : undefined;
      out += v ?? `$(${name})`;
      i = close;
    } else {
      out += ch;
    }
  }
  return out;
}

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

const b64 = (s: string): string => Buffer.from(s, 'base64').toString('utf8');

/** A fieldRef's value (throws for a path kubelet does not support); also the downward API volume's. */
export function fieldValue(pod: Pod, path: string, ctx: Pick<EnvContext, 'podIP' | 'hostIP'>): string {
  const md = pod.metadata ?? {};
  const m = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(path);
  if (m) return (m[1] === 'labels' ? md.labels : md.annotations)?.[m[2]] ?? '';
  switch (path) {
    case 'metadata.name':
      return md.name ?? '';
    case 'metadata.namespace':
      return md.namespace ?? '';
    case 'metadata.uid':
      return md.uid ?? '';
    case 'metadata.labels':
      return formatMap(md.labels);
    case 'metadata.annotations':
      return formatMap(md.annotations);
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.podIP':
    case 'status.podIPs':
      return ctx.podIP;
    case 'status.hostIP':
    case 'status.hostIPs':
      return ctx.hostIP;
    default:
      throw new Error(`unsupported fieldRef fieldPath ${JSON.stringify(path)}`);
  }
}

/** fieldpath.FormatMap: `k="v"` lines, sorted. */
function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {})
    .sort()
    .map((k) => `${k}=${JSON.stringify(m![k])}`)
    .join('\n');
}

/** A resourceFieldRef's value, `c` the container it defaults to; also the downward API volume's. */
export function resourceValue(pod: Pod, c: Container, ref: NonNullable<NonNullable<EnvVar['valueFrom']>['resourceFieldRef']>, ctx: Pick<EnvContext, 'nodeAllocatable'>): string {
  const target = ref.containerName ? (pod.spec?.containers ?? []).find((x) => x.name === ref.containerName) ?? c : c;
  const [kind, resource] = ref.resource.split('.', 2) as ['limits' | 'requests', string];
  const limits = target.resources?.limits ?? {};
  const requests = target.resources?.requests ?? {};
  let q: string | number | undefined = kind === 'limits' ? limits[resource] : (requests[resource] ?? limits[resource]);
  if (q === undefined) q = kind === 'limits' ? ctx.nodeAllocatable?.[resource] : '0';
  const value = parseQuantity(q ?? '0');
  const divisor = parseQuantity(ref.divisor ?? '1') || 1;
  return String(Math.ceil(value / divisor));
}

/** The container's environment, or kubelet's error (see the module comment). */
export function resolveEnv(pod: Pod, c: Container, ctx: EnvContext): EnvResult {
  const ns = pod.metadata?.namespace ?? '';
  const env = new Map<string, string>();
  const service = new Map<string, string>();
  if (ctx.apiServer) {
    service.set('KUBERNETES_SERVICE_HOST', ctx.apiServer.host);
    service.set('KUBERNETES_SERVICE_PORT', String(ctx.apiServer.port));
    service.set('KUBERNETES_SERVICE_PORT_HTTPS', String(ctx.apiServer.port));
    service.set('KUBERNETES_PORT', `tcp://${ctx.apiServer.host}:${ctx.apiServer.port}`);
  }
  const fail = (message: string): EnvResult => ({ ok: false, reason: 'CreateContainerConfigError', message });

  for (const f of c.envFrom ?? []) {
    const prefix = f.prefix ?? '';
    if (f.configMapRef) {
      const cm = ctx.configMaps.get(f.configMapRef.name ?? '');
      if (!cm) {
        if (f.configMapRef.optional) continue;
        return fail(`configmap ${JSON.stringify(f.configMapRef.name ?? '')} not found`);
      }
      for (const [k, v] of Object.entries(cm.data ?? {})) if (ENV_NAME.test(prefix + k)) env.set(prefix + k, v);
    } else if (f.secretRef) {
      const s = ctx.secrets.get(f.secretRef.name ?? '');
      if (!s) {
        if (f.secretRef.optional) continue;
        return fail(`secret ${JSON.stringify(f.secretRef.name ?? '')} not found`);
      }
      for (const [k, v] of Object.entries(s.data ?? {})) if (ENV_NAME.test(prefix + k)) env.set(prefix + k, b64(v));
    }
  }

  const lookup = (name: string): string | undefined => env.get(name) ?? service.get(name);
  for (const e of c.env ?? []) {
    const from = e.valueFrom;
    if (!from) {
      env.set(e.name, expand(e.value ?? '', lookup));
      continue;
    }
    if (from.configMapKeyRef) {
      const ref = from.configMapKeyRef;
      const cm = ctx.configMaps.get(ref.name ?? '');
      if (!cm) {
        if (ref.optional) continue;
        return fail(`configmap ${JSON.stringify(ref.name ?? '')} not found`);
      }
      const v = cm.data?.[ref.key];
      if (v === undefined) {
        if (ref.optional) continue;
        return fail(`couldn't find key ${ref.key} in ConfigMap ${ns}/${ref.name}`);
      }
      env.set(e.name, v);
    } else if (from.secretKeyRef) {
      const ref = from.secretKeyRef;
      const s = ctx.secrets.get(ref.name ?? '');
      if (!s) {
        if (ref.optional) continue;
        return fail(`secret ${JSON.stringify(ref.name ?? '')} not found`);
      }
      const v = s.data?.[ref.key];
      if (v === undefined) {
        if (ref.optional) continue;
        return fail(`couldn't find key ${ref.key} in Secret ${ns}/${ref.name}`);
      }
      env.set(e.name, b64(v));
    } else if (from.fieldRef) {
      try {
        env.set(e.name, fieldValue(pod, from.fieldRef.fieldPath, ctx));
      } catch (err) {
        return fail((err as Error).message);
      }
    } else if (from.resourceFieldRef) {
      try {
        env.set(e.name, resourceValue(pod, c, from.resourceFieldRef, ctx));
      } catch (err) {
        return fail(`resourceFieldRef ${from.resourceFieldRef.resource}: ${(err as Error).message}`);
      }
    }
  }

  for (const [k, v] of service) if (!env.has(k)) env.set(k, v);
  if (!env.has('HOSTNAME')) env.set('HOSTNAME', pod.metadata?.name ?? '');
  if (ctx.path !== undefined && !env.has('PATH')) env.set('PATH', ctx.path);
  return { ok: true, env: Object.fromEntries(env) };
}

/** `command` and `args` with `$(VAR)` expanded over the resolved environment (kubecontainer.ExpandContainerCommandAndArgs). */
export function expandCommand(c: Container, env: Readonly<Record<string, string>>): Pick<Container, 'image' | 'command' | 'args'> {
  const lookup = (n: string): string | undefined => env[n];
  return {
    image: c.image,
    ...(c.command ? { command: c.command.map((s) => expand(s, lookup)) } : {}),
    ...(c.args ? { args: c.args.map((s) => expand(s, lookup)) } : {}),
  };
}
