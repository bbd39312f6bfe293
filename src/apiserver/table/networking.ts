/**
 * Rows for discovery.k8s.io and networking.k8s.io kinds, after the printers in
 * kubernetes/pkg/printers/internalversion/printers.go (v1.32).
 */
import { translateTimestampSince } from './duration.js';
import { AGE_COLUMN, NAME_COLUMN, arr, col, formatLabelSelector, int, isSet, listWithMore, loadBalancerIngress, nameOf, rec, str } from './format.js';
import type { Convertor, KubeObject } from './types.js';

const age = (obj: KubeObject, now: Date): string => translateTimestampSince(obj.metadata?.creationTimestamp, now);

/** formatDiscoveryPorts: port number, else port name, else `*`; three at most. */
function discoveryPorts(ports: unknown): string {
  const max = 3;
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const raw of arr(ports)) {
    const port = rec(raw);
    if (list.length < max) {
      list.push(isSet(port.port) ? String(int(port.port)) : isSet(port.name) ? str(port.name) : '*');
    } else if (list.length === max) {
      more = true;
    }
    count++;
  }
  return listWithMore(list, more, count, max);
}

/** formatDiscoveryEndpoints: every address of every endpoint; three at most. */
function discoveryEndpoints(endpoints: unknown): string {
  const max = 3;
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const raw of arr(endpoints)) {
    for (const address of arr(rec(raw).addresses)) {
      if (list.length < max) list.push(str(address));
      else if (list.length === max) more = true;
      count++;
    }
  }
  return listWithMore(list, more, count, max);
}

export const endpointSlices: Convertor = {
  columns: [
    NAME_COLUMN,
    col('AddressType', 'string', 'addressType specifies the type of address carried by this EndpointSlice.'),
    col('Ports', 'string', 'ports specifies the list of network ports exposed by each endpoint in this slice.'),
    col('Endpoints', 'string', 'endpoints is a list of unique endpoints in this slice.'),
    AGE_COLUMN,
  ],
  cells: (slice, now) => [nameOf(slice), str(slice.addressType), discoveryPorts(slice.ports), discoveryEndpoints(slice.endpoints), age(slice, now)],
};

/** formatHosts: up to three rule hosts, `*` when none has a host. */
function ingressHosts(rules: unknown): string {
  const all = arr(rules).map(rec);
  const max = 3;
  const list: string[] = [];
  let more = false;
  for (const rule of all) {
    if (list.length === max) more = true;
    const host = str(rule.host);
    if (!more && host !== '') list.push(host);
  }
  if (list.length === 0) return '*';
  const joined = list.join(',');
  return more ? `${joined} + ${all.length - max} more...` : joined;
}

export const ingresses: Convertor = {
  columns: [
    NAME_COLUMN,
    col('Class', 'string', 'The name of the IngressClass resource that should be used for additional configuration'),
    col('Hosts', 'string', 'Hosts that incoming requests are matched against before the ingress rule'),
    col('Address', 'string', 'Address is a list containing ingress points for the load-balancer'),
    col('Ports', 'string', 'Ports of TLS configurations that open'),
    AGE_COLUMN,
  ],
  cells(ing, now) {
    const spec = rec(ing.spec);
    return [
      nameOf(ing),
      isSet(spec.ingressClassName) ? str(spec.ingressClassName) : '<none>',
      ingressHosts(spec.rules),
      loadBalancerIngress(rec(ing.status).loadBalancer),
      arr(spec.tls).length > 0 ? '80, 443' : '80',
      age(ing, now),
    ];
  },
};

export const ingressClasses: Convertor = {
  columns: [
    NAME_COLUMN,
    col('Controller', 'string', 'Controller that is responsible for handling this class'),
    col('Parameters', 'string', 'A reference to a resource with additional parameters'),
    AGE_COLUMN,
  ],
  cells(ic, now) {
    const spec = rec(ic.spec);
    let parameters = '<none>';
    if (isSet(spec.parameters)) {
      const p = rec(spec.parameters);
      parameters = str(p.kind) + (isSet(p.apiGroup) ? `.${str(p.apiGroup)}` : '') + `/${str(p.name)}`;
    }
    return [nameOf(ic), str(spec.controller), parameters, age(ic, now)];
  },
};

export const networkPolicies: Convertor = {
  columns: [NAME_COLUMN, col('Pod-Selector', 'string', 'podSelector selects the pods to which this NetworkPolicy object applies.'), AGE_COLUMN],
  // The selector is a struct, not a pointer: an absent one is empty, i.e. `<none>`.
  cells: (np, now) => [nameOf(np), formatLabelSelector(rec(rec(np.spec).podSelector)), age(np, now)],
};
