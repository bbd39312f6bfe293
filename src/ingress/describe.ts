/**
 * The DAG and an explanation as text a person reads in a terminal (`flotilla ingress dag`,
 * `flotilla ingress explain`). Pure: a DAG in, lines out.
 */
import { weightedClusters, type Dag, type Explanation, type Route } from './dag/index.js';

function endpointsOf(dag: Dag, ns: string, name: string, portName: string): readonly string[] {
  return dag.endpoints.get(`${ns}/${name}`)?.ports[portName] ?? [];
}

function routeLines(dag: Dag, r: Route, secure: boolean): string[] {
  const flags = [
    !secure && r.httpsUpgrade ? '301 to https' : '',
    r.websocket ? 'websocket' : '',
    r.prefixRewrite !== undefined ? `rewrite ${r.prefixRewrite}` : '',
    r.timeout.kind === 'duration' ? `timeout ${r.timeout.ms}ms` : r.timeout.kind === 'infinite' ? 'no timeout' : '',
    r.retry ? `retry ${r.retry.retryOn} x${r.retry.numRetries}` : '',
  ].filter(Boolean);
  const from = r.source.chain.join(' > ');
  const out = [`    ${r.kind === 'RegexRoute' ? 'regex' : 'prefix'} ${r.match}  (${r.source.kind} ${from})${flags.length ? `  [${flags.join(', ')}]` : ''}`];
  const w = weightedClusters(r.clusters);
  for (const { cluster: c, weight } of w.clusters) {
    const eps = endpointsOf(dag, c.service.namespace, c.service.name, c.service.portName);
    const share = r.clusters.length > 1 ? `  weight ${weight}/${w.totalWeight}` : '';
    out.push(`      -> ${c.service.namespace}/${c.service.name}:${c.service.port}  cluster ${c.name}${share}  ${c.lbPolicy}${c.healthCheck ? `  healthcheck ${c.healthCheck.path}` : ''}`);
    out.push(`         endpoints: ${eps.length ? eps.join(', ') : '(none: 503)'}`);
  }
  return out;
}

/** Listeners, virtual hosts, routes, clusters and endpoints, then every IngressRoute's status. */
export function describeDag(dag: Dag): string {
  const lines: string[] = [];
  for (const l of dag.listeners) {
    lines.push(`${l.name} (:${l.port})`);
    for (const v of l.virtualHosts) {
      const secure = v.kind === 'SecureVirtualHost';
      const extra = secure ? [v.secret ? `secret ${v.secret.namespace}/${v.secret.name}` : 'passthrough', `min TLS ${v.minTlsVersion}`].join(', ') : '';
      lines.push(`  ${secure ? 'https' : 'http'}://${v.name}${extra ? `  (${extra})` : ''}`);
      for (const r of v.routes) lines.push(...routeLines(dag, r, secure));
      if (secure && v.tcpProxy) {
        lines.push(`    tcpproxy  (${v.tcpProxy.source.chain.join(' > ')})`);
        for (const c of v.tcpProxy.clusters) lines.push(`      -> ${c.service.namespace}/${c.service.name}:${c.service.port}  endpoints: ${endpointsOf(dag, c.service.namespace, c.service.name, c.service.portName).join(', ') || '(none)'}`);
      }
    }
  }
  if (dag.listeners.length === 0) lines.push('(no listeners: nothing is routed)');
  if (dag.statuses.size > 0) {
    lines.push('', 'IngressRoutes:');
    const rows = [...dag.statuses].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, s]) => [k, s.currentStatus, s.description]);
    const w0 = Math.max(...rows.map((r) => r[0].length), 'NAMESPACE/NAME'.length);
    const w1 = Math.max(...rows.map((r) => r[1].length), 'STATUS'.length);
    lines.push(`  ${'NAMESPACE/NAME'.padEnd(w0)}  ${'STATUS'.padEnd(w1)}  DESCRIPTION`);
    for (const [k, st, d] of rows) lines.push(`  ${k.padEnd(w0)}  ${st.padEnd(w1)}  ${d}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Who serves a URL, through which delegation chain, to which endpoints; and who lost it, why. */
export function describeExplanation(e: Explanation): string {
  const lines = [`${e.listener === 'ingress_https' ? 'https' : 'http'}://${e.host}${e.path}`];
  const s = e.servedBy;
  if (!s) {
    lines.push('  not served: no virtual host or route matches (the proxy answers 404)');
  } else {
    lines.push(`  virtual host: ${s.virtualHost}`);
    lines.push(s.kind === 'route' ? `  route: prefix ${s.match}` : '  tcpproxy');
    if (s.root) lines.push(`  root: IngressRoute ${s.root}`);
    lines.push(`  served by: ${s.source.kind} ${s.source.object}`);
    if (s.chain.length > 1) lines.push(`  delegation: ${s.chain.join(' -> ')}`);
    if (s.redirectToHttps) lines.push('  answer: 301 to https (TLS is enforced on this route)');
    for (const c of s.clusters) {
      lines.push(`  cluster: ${c.name}  service ${c.service}  weight ${c.weight}`);
      lines.push(`    endpoints: ${c.endpoints.length ? c.endpoints.join(', ') : '(none: the proxy answers 503)'}`);
    }
  }
  if (e.lost.length > 0) {
    lines.push('  lost:');
    for (const l of e.lost) lines.push(`    ${l.kind} ${l.object}${l.status ? ` (${l.status.currentStatus})` : ''}: ${l.reason}`);
  }
  return `${lines.join('\n')}\n`;
}
