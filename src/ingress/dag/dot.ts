/**
 * The DAG as graphviz, in the record style of Contour's `/debug/dag` (spec §8.1), e.g.
 * `flotilla ingress dag --dot | dot -Tpng > dag.png`. Vertices are written once, in a depth-first
 * walk from the listeners, each before its edges; ids are stable (`n0`, `n1`, … in walk order)
 * where Contour prints Go pointers.
 */
import type { Cluster, Dag, HttpService, Route, SecureVirtualHost, TcpProxy, VirtualHost } from './types.js';

// Record labels treat these as structure; escape them so a regex cannot break the graph.
const esc = (s: string) => s.replace(/[\\{}|<>"]/g, (c) => `\\${c}`);

export function toDot(dag: Dag): string {
  const lines = ['digraph DAG {', 'rankdir="LR"'];
  const ids = new Map<unknown, string>();
  const edges = new Set<string>();

  // Services are shared between clusters (as Contour's lookup shares them): identity is the port.
  // Each child is a thunk so its subtree is written just before the edge to it, as Contour does.
  const vertex = (identity: unknown, label: string, children: () => Array<() => string>): string => {
    let id = ids.get(identity);
    if (id !== undefined) return id;
    id = `n${ids.size}`;
    ids.set(identity, id);
    lines.push(`"${id}" [shape=record, label="${label}"]`);
    for (const visit of children()) {
      const e = `"${id}" -> "${visit()}"`;
      if (!edges.has(e)) {
        edges.add(e);
        lines.push(e);
      }
    }
    return id;
  };
  const service = (s: HttpService, tcp: boolean) => {
    const kind = tcp ? 'tcpservice' : 'httpservice';
    return vertex(`${kind}:${s.namespace}/${s.name}:${s.port}`, `{${kind}|${esc(`${s.namespace}/${s.name}:${s.port}`)}}`, () => []);
  };
  const cluster = (c: Cluster, tcp: boolean) =>
    vertex(c, `{cluster|{${esc(c.name)}|weight ${c.weight}}}`, () => [() => service(c.service, tcp)]);
  const route = (r: Route) =>
    vertex(r, `{${r.kind === 'RegexRoute' ? 'regex' : 'prefix'}|${esc(r.match)}}`, () => r.clusters.map((c) => () => cluster(c, false)));
  const tcpProxy = (t: TcpProxy) => vertex(t, '{tcpproxy}', () => t.clusters.map((c) => () => cluster(c, true)));
  const vhost = (v: VirtualHost | SecureVirtualHost) => {
    if (v.kind === 'VirtualHost') return vertex(v, `{http://${esc(v.name)}}`, () => v.routes.map((r) => () => route(r)));
    return vertex(v, `{https://${esc(v.name)}}`, () => [
      ...v.routes.map((r) => () => route(r)),
      ...(v.tcpProxy ? [() => tcpProxy(v.tcpProxy!)] : []),
      ...(v.secret ? [() => vertex(`secret:${v.secret!.namespace}/${v.secret!.name}`, `{secret|${esc(`${v.secret!.namespace}/${v.secret!.name}`)}}`, () => [])] : []),
    ]);
  };
  for (const l of dag.listeners) vertex(l, `{listener|:${l.port}}`, () => l.virtualHosts.map((v) => () => vhost(v)));
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
