/**
 * A sidecar injector in the manner of Istio 1.0's: pods created in namespaces labelled
 * `istio-injection=enabled` (its configuration's namespaceSelector) get an init container, a
 * proxy container and their volumes, unless the `sidecar.istio.io/inject` annotation or the
 * policy says otherwise. The change is computed from the desired pod, never written as paths.
 */
import { allowed, patched } from '../response.js';
import type { AdmissionRequest, AdmissionResult, KubeObjectLike } from '../review.js';
import type { Route } from '../webhook-server.js';

export const INJECT_ANNOTATION = 'sidecar.istio.io/inject';
export const STATUS_ANNOTATION = 'sidecar.istio.io/status';
const NEVER_INJECTED = new Set(['kube-system', 'kube-public']);

export interface SidecarTemplate {
  initContainers?: Array<Record<string, unknown> & { name: string }>;
  containers?: Array<Record<string, unknown> & { name: string }>;
  volumes?: Array<Record<string, unknown> & { name: string }>;
}

export interface SidecarOptions {
  /** `enabled`: inject unless annotated "false"; `disabled`: only when annotated "true". */
  policy: 'enabled' | 'disabled';
  template: SidecarTemplate;
}

/** Istio 1.0's defaults, trimmed to what a local cluster can run. */
export const DEFAULT_SIDECAR_TEMPLATE: SidecarTemplate = {
  initContainers: [
    {
      name: 'istio-init',
      image: 'docker.io/istio/proxy_init:1.0.0',
      args: ['-p', '15001', '-u', '1337', '-m', 'REDIRECT', '-i', '*', '-x', '', '-b', '', '-d', ''],
      securityContext: { capabilities: { add: ['NET_ADMIN'] } },
    },
  ],
  containers: [
    {
      name: 'istio-proxy',
      image: 'docker.io/istio/proxyv2:1.0.0',
      args: ['proxy', 'sidecar', '--configPath', '/etc/istio/proxy', '--binaryPath', '/usr/local/bin/envoy', '--serviceCluster', 'istio-proxy'],
      ports: [{ containerPort: 15090, name: 'http-envoy-prom', protocol: 'TCP' }],
      securityContext: { runAsUser: 1337, readOnlyRootFilesystem: true },
      volumeMounts: [
        { name: 'istio-envoy', mountPath: '/etc/istio/proxy' },
        { name: 'istio-certs', mountPath: '/etc/certs/', readOnly: true },
      ],
    },
  ],
  volumes: [
    { name: 'istio-envoy', emptyDir: { medium: 'Memory' } },
    { name: 'istio-certs', secret: { secretName: 'istio.default', optional: true } },
  ],
};

/** Istio 1.0's decision: `y`, `yes`, `true`, `on` inject; any other value skips; absent follows the policy. */
export function injectionRequired(pod: KubeObjectLike, namespace: string, policy: SidecarOptions['policy']): boolean {
  if (NEVER_INJECTED.has(namespace)) return false;
  if ((pod.spec as { hostNetwork?: boolean } | undefined)?.hostNetwork) return false;
  const annotations = pod.metadata?.annotations ?? {};
  if (annotations[STATUS_ANNOTATION]) return false; // injected already (a reinvocation or an update)
  const value = annotations[INJECT_ANNOTATION];
  if (value === undefined || value === '') return policy === 'enabled';
  return ['y', 'yes', 'true', 'on'].includes(value.toLowerCase());
}

/** The pod with the sidecar added (names already present are kept as the pod has them). */
export function injectSidecar(pod: KubeObjectLike, template: SidecarTemplate): KubeObjectLike {
  const desired = structuredClone(pod) as KubeObjectLike & { spec: Record<string, any>; metadata: Record<string, any> };
  desired.spec ??= {};
  desired.metadata ??= {};
  const add = (field: 'initContainers' | 'containers' | 'volumes', items: SidecarTemplate['containers']) => {
    if (!items?.length) return [];
    const list: Array<{ name: string }> = (desired.spec[field] ??= []);
    const added = items.filter((i) => !list.some((l) => l.name === i.name));
    list.push(...structuredClone(added));
    return added.map((a) => a.name);
  };
  const status = {
    version: 'flotilla-1',
    initContainers: add('initContainers', template.initContainers),
    containers: add('containers', template.containers),
    volumes: add('volumes', template.volumes),
    imagePullSecrets: null,
  };
  desired.metadata.annotations = { ...(desired.metadata.annotations ?? {}), [STATUS_ANNOTATION]: JSON.stringify(status) };
  return desired;
}

export function sidecarAdmission(request: AdmissionRequest, opts: SidecarOptions): AdmissionResult {
  if (request.operation !== 'CREATE' || request.resource.resource !== 'pods' || request.subResource) return allowed();
  const pod = request.object ?? {};
  const namespace = request.namespace ?? pod.metadata?.namespace ?? 'default';
  if (!injectionRequired(pod, namespace, opts.policy)) return allowed();
  return patched(pod, injectSidecar(pod, opts.template));
}

/** Served at Istio's path, `/inject`. */
export function sidecarInjector(opts: Partial<SidecarOptions> = {}): Route {
  const full: SidecarOptions = { policy: opts.policy ?? 'enabled', template: opts.template ?? DEFAULT_SIDECAR_TEMPLATE };
  return { name: 'sidecar-injector', path: '/inject', handler: (req) => sidecarAdmission(req, full) };
}
