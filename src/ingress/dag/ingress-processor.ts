/**
 * One Ingress (spec §5), as a pure function of a {@link Lookup}: the TLS hosts it gives a secure
 * virtual host to, and its routes. Whether a route also goes on port 443 depends on *every*
 * Ingress's TLS hosts, so the builder decides that when it merges a host.
 */
import type { Ingress } from 'kubernetes-types/networking/v1.js';
import { ingressRetry, parseTimeout } from './duration.js';
import { key, type Lookup } from './lookup.js';
import { delegationPermitted, isValidTlsSecret, splitSecretName, tlsVersion } from './secrets.js';
import { cluster, findServicePort, httpService } from './services.js';
import type { Route, Secret, TlsVersion } from './types.js';

export interface IngressResult {
  readonly tls: ReadonlyArray<{ readonly host: string; readonly secret: Secret; readonly minTlsVersion: TlsVersion }>;
  /** `http`: also on port 80. Port 443 is added for hosts other than `*` that have a secure vhost. */
  readonly routes: ReadonlyArray<{ readonly host: string; readonly route: Route; readonly http: boolean }>;
}

/** An `extensions/v1beta1` backend, which the seed articles still use. */
interface LegacyBackend {
  serviceName?: string;
  servicePort?: number | string;
}
type AnyBackend = { service?: { name?: string; port?: { number?: number; name?: string } } } & LegacyBackend;

function backendRef(b: AnyBackend | undefined): { name: string; port: number | string | undefined } | undefined {
  if (!b) return undefined;
  if (b.service) return { name: b.service.name ?? '', port: b.service.port?.number ?? b.service.port?.name };
  if (b.serviceName !== undefined) return { name: b.serviceName, port: b.servicePort };
  return undefined;
}

// §5.1: these characters make an Ingress path a regex.
const regexChars = /[\^+*[\]%]/;

export function processIngress(ing: Ingress, lookup: Lookup): IngressResult {
  const ns = ing.metadata?.namespace ?? 'default';
  const a = ing.metadata?.annotations ?? {};
  const minTlsVersion = tlsVersion(a['contour.heptio.com/tls-minimum-protocol-version']);

  const tls: Array<IngressResult['tls'][number]> = [];
  for (const t of ing.spec?.tls ?? []) {
    const m = splitSecretName(t.secretName ?? '', ns);
    const s = lookup.secret(m.namespace, m.name);
    if (!isValidTlsSecret(s) || !delegationPermitted(m.namespace, m.name, ns, lookup.delegations(m.namespace))) continue;
    for (const host of t.hosts ?? []) tls.push({ host, secret: { namespace: m.namespace, name: m.name, object: s }, minTlsVersion });
  }

  const forceSsl = a['ingress.kubernetes.io/force-ssl-redirect'] === 'true';
  const http = forceSsl || a['kubernetes.io/ingress.allow-http'] !== 'false';
  const websockets = new Set((a['contour.heptio.com/websocket-routes'] ?? '').split(',').map((s) => s.trim()).filter((s) => s !== ''));
  const timeout = parseTimeout(a['contour.heptio.com/request-timeout']);
  const retry = ingressRetry(a);

  type Rule = { host: string; paths: Array<{ path: string; backend: AnyBackend | undefined }> };
  const rules: Rule[] = [];
  for (const r of ing.spec?.rules ?? []) {
    if (!r.http) continue;
    rules.push({ host: r.host || '*', paths: (r.http.paths ?? []).map((p) => ({ path: p.path || '/', backend: p.backend as AnyBackend })) });
  }
  const def = (ing.spec?.defaultBackend ?? (ing.spec as { backend?: AnyBackend } | undefined)?.backend) as AnyBackend | undefined;
  if (def) rules.push({ host: '*', paths: [{ path: '/', backend: def }] });

  const routes: Array<IngressResult['routes'][number]> = [];
  for (const rule of rules) {
    for (const p of rule.paths) {
      const ref = backendRef(p.backend);
      const svc = ref ? lookup.service(ns, ref.name) : undefined;
      const sp = findServicePort(svc, ref?.port);
      // Ingress has no status: a missing Service or port just drops the path (§5.1).
      if (!svc || !sp) continue;
      const route: { -readonly [K in keyof Route]: Route[K] } = {
        kind: regexChars.test(p.path) ? 'RegexRoute' : 'PrefixRoute',
        match: p.path,
        clusters: [cluster({ service: httpService(svc, sp) })],
        httpsUpgrade: forceSsl,
        websocket: websockets.has(p.path),
        timeout,
        source: { kind: 'Ingress', namespace: ns, name: ing.metadata?.name ?? '', chain: [key(ns, ing.metadata?.name)] },
      };
      if (retry) route.retry = retry;
      routes.push({ host: rule.host, route, http });
    }
  }
  return { tls, routes };
}
