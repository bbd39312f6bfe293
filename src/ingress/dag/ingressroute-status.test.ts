import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDag, type DagOptions, type IngressSnapshot } from './index.js';
import { certDelegation, child, delegate, ir, root, svc, tlsSecret, to } from './testing.js';

/** `key → "state: description"` for every IngressRoute of the build. */
function statuses(snapshot: IngressSnapshot, options?: DagOptions): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, s] of buildDag(snapshot, options).statuses) out[k] = `${s.currentStatus}: ${s.description}`;
  return out;
}

const VALID = 'valid: valid IngressRoute';
const ORPHANED = 'orphaned: this IngressRoute is not part of a delegation chain from a root IngressRoute';

// One case per rule and per status string of spec §4; the case name is the rule.
const cases: Record<string, { objects: IngressSnapshot; options?: DagOptions; want: Record<string, string> }> = {
  'a root with a route to an existing service is valid': {
    objects: { ingressRoutes: [root('default/r', 'a.com', [to('/', 's1')])], services: [svc('default/s1')] },
    want: { 'default/r': VALID },
  },
  'a non-root nobody delegates to is orphaned': {
    objects: { ingressRoutes: [child('team/c', [to('/', 's1')])], services: [svc('team/s1')] },
    want: { 'team/c': ORPHANED },
  },
  'two roots with one fqdn are both invalid, listed sorted, and their children orphaned': {
    objects: {
      ingressRoutes: [root('b/r2', 'a.com', [delegate('/', 'team/c')]), root('a/r1', 'a.com', [to('/', 's1')]), child('team/c', [to('/', 's1')])],
      services: [svc('a/s1'), svc('team/s1')],
    },
    want: {
      'a/r1': 'invalid: fqdn "a.com" is used in multiple IngressRoutes: a/r1, b/r2',
      'b/r2': 'invalid: fqdn "a.com" is used in multiple IngressRoutes: a/r1, b/r2',
      'team/c': ORPHANED,
    },
  },
  'a root outside the root namespaces is invalid': {
    options: { rootNamespaces: ['roots'] },
    objects: { ingressRoutes: [root('team/r', 'a.com', [to('/', 's1')])], services: [svc('team/s1')] },
    want: { 'team/r': 'invalid: root IngressRoute cannot be defined in this namespace' },
  },
  'a root outside the root namespaces cannot knock out the allowed root for the same fqdn (fix)': {
    options: { rootNamespaces: ['roots'] },
    objects: {
      ingressRoutes: [root('roots/r', 'a.com', [to('/', 's1')]), root('attacker/r', 'a.com', [to('/', 's1')])],
      services: [svc('roots/s1'), svc('attacker/s1')],
    },
    want: { 'roots/r': VALID, 'attacker/r': 'invalid: root IngressRoute cannot be defined in this namespace' },
  },
  'a blank fqdn is invalid': {
    objects: { ingressRoutes: [root('default/r', '', [to('/', 's1')])], services: [svc('default/s1')] },
    want: { 'default/r': 'invalid: Spec.VirtualHost.Fqdn must be specified' },
  },
  'a wildcard fqdn is invalid': {
    objects: { ingressRoutes: [root('default/r', '*.a.com', [to('/', 's1')])], services: [svc('default/s1')] },
    want: { 'default/r': 'invalid: Spec.VirtualHost.Fqdn "*.a.com" cannot use wildcards' },
  },
  'a missing TLS secret is invalid, with the secretName as written': {
    objects: { ingressRoutes: [root('default/r', 'a.com', [to('/', 's1')], { secretName: 'nope' })], services: [svc('default/s1')] },
    want: { 'default/r': 'invalid: TLS Secret [nope] not found or is malformed' },
  },
  'a TLS secret of the wrong type is malformed': {
    objects: {
      ingressRoutes: [root('default/r', 'a.com', [to('/', 's1')], { secretName: 'opaque' })],
      services: [svc('default/s1')],
      secrets: [tlsSecret('default/opaque', undefined, 'Opaque')],
    },
    want: { 'default/r': 'invalid: TLS Secret [opaque] not found or is malformed' },
  },
  'a TLS secret without tls.key is malformed': {
    objects: {
      ingressRoutes: [root('default/r', 'a.com', [to('/', 's1')], { secretName: 'half' })],
      services: [svc('default/s1')],
      secrets: [tlsSecret('default/half', { 'tls.crt': 'Y2VydA==' })],
    },
    want: { 'default/r': 'invalid: TLS Secret [half] not found or is malformed' },
  },
  'a TLS secret in another namespace without a delegation is not permitted (v1.0 string, fix of #1347)': {
    objects: {
      ingressRoutes: [root('default/r', 'a.com', [to('/', 's1')], { secretName: 'certs/wild' })],
      services: [svc('default/s1')],
      secrets: [tlsSecret('certs/wild')],
    },
    want: { 'default/r': 'invalid: certs/wild: certificate delegation not permitted' },
  },
  'a TLS secret delegated to the namespace is valid': {
    objects: {
      ingressRoutes: [root('default/r', 'a.com', [to('/', 's1')], { secretName: 'certs/wild' })],
      services: [svc('default/s1')],
      secrets: [tlsSecret('certs/wild')],
      tlsCertificateDelegations: [certDelegation('certs/d', 'wild', ['default'])],
    },
    want: { 'default/r': VALID },
  },
  'a TLS secret delegated to ["*"] is valid': {
    objects: {
      ingressRoutes: [root('default/r', 'a.com', [to('/', 's1')], { secretName: 'certs/wild' })],
      services: [svc('default/s1')],
      secrets: [tlsSecret('certs/wild')],
      tlsCertificateDelegations: [certDelegation('certs/d', 'wild', ['*'])],
    },
    want: { 'default/r': VALID },
  },
  'a * among other target namespaces is not a wildcard': {
    objects: {
      ingressRoutes: [root('default/r', 'a.com', [to('/', 's1')], { secretName: 'certs/wild' })],
      services: [svc('default/s1')],
      secrets: [tlsSecret('certs/wild')],
      tlsCertificateDelegations: [certDelegation('certs/d', 'wild', ['*', 'other'])],
    },
    want: { 'default/r': 'invalid: certs/wild: certificate delegation not permitted' },
  },
  'a delegation must live in the secret\'s namespace': {
    objects: {
      ingressRoutes: [root('default/r', 'a.com', [to('/', 's1')], { secretName: 'certs/wild' })],
      services: [svc('default/s1')],
      secrets: [tlsSecret('certs/wild')],
      tlsCertificateDelegations: [certDelegation('default/d', 'wild', ['*'])],
    },
    want: { 'default/r': 'invalid: certs/wild: certificate delegation not permitted' },
  },
  'passthrough with no secretName needs no secret': {
    objects: {
      ingressRoutes: [ir('default/r', { virtualhost: { fqdn: 'a.com', tls: { passthrough: true } }, tcpproxy: { services: [{ name: 's1', port: 443 }] } })],
      services: [svc('default/s1', [443])],
    },
    want: { 'default/r': VALID },
  },
  'services and delegate in one route': {
    objects: {
      ingressRoutes: [root('default/r', 'a.com', [{ match: '/', services: [{ name: 's1', port: 80 }], delegate: { name: 'c' } }]), child('default/c', [to('/', 's1')])],
      services: [svc('default/s1')],
    },
    want: { 'default/r': 'invalid: route "/": cannot specify services and delegate in the same route', 'default/c': ORPHANED },
  },
  'websockets with several services': {
    objects: {
      ingressRoutes: [root('default/r', 'a.com', [{ ...to('/ws', 's1', 's2'), enableWebsockets: true }])],
      services: [svc('default/s1'), svc('default/s2')],
    },
    want: { 'default/r': 'invalid: route "/ws": cannot specify multiple services and enable websockets' },
  },
  'a child service route outside the parent\'s prefix': {
    objects: {
      ingressRoutes: [root('default/r', 'a.com', [delegate('/foo', 'c')]), child('default/c', [to('/foobar', 's1')])],
      services: [svc('default/s1')],
    },
    want: { 'default/r': VALID, 'default/c': 'invalid: the path prefix "/foobar" does not match the parent\'s path prefix "/foo"' },
  },
  'a child delegate route outside the parent\'s prefix is reported, not followed (fix)': {
    objects: {
      ingressRoutes: [root('default/r', 'a.com', [delegate('/foo', 'c')]), child('default/c', [delegate('/admin', 'g')]), child('default/g', [to('/admin', 's1')])],
      services: [svc('default/s1')],
    },
    want: {
      'default/r': VALID,
      'default/c': 'invalid: the path prefix "/admin" does not match the parent\'s path prefix "/foo"',
      'default/g': ORPHANED,
    },
  },
  'a child may serve its prefix itself and below it, by path segment': {
    objects: {
      ingressRoutes: [root('default/r', 'a.com', [delegate('/foo', 'c')]), child('default/c', [to('/foo', 's1'), to('/foo/bar', 's1'), to('/foo/', 's1')])],
      services: [svc('default/s1')],
    },
    want: { 'default/r': VALID, 'default/c': VALID },
  },
  'a port out of range': {
    objects: { ingressRoutes: [root('default/r', 'a.com', [to('/', 's1:0')])], services: [svc('default/s1')] },
    want: { 'default/r': 'invalid: route "/": service "s1": port must be in the range 1-65535' },
  },
  'a port above 65535': {
    objects: { ingressRoutes: [root('default/r', 'a.com', [to('/', 's1:65536')])], services: [svc('default/s1')] },
    want: { 'default/r': 'invalid: route "/": service "s1": port must be in the range 1-65535' },
  },
  'a negative weight': {
    objects: {
      ingressRoutes: [root('default/r', 'a.com', [{ match: '/', services: [{ name: 's1', port: 80, weight: -1 }] }])],
      services: [svc('default/s1')],
    },
    want: { 'default/r': 'invalid: route "/": service "s1": weight must be greater than or equal to zero' },
  },
  'a missing service': {
    objects: { ingressRoutes: [root('default/r', 'a.com', [to('/', 'nope:8080')])] },
    want: { 'default/r': 'invalid: Service [nope:8080] is invalid or missing' },
  },
  'a service without the port': {
    objects: { ingressRoutes: [root('default/r', 'a.com', [to('/', 's1:8080')])], services: [svc('default/s1')] },
    want: { 'default/r': 'invalid: Service [s1:8080] is invalid or missing' },
  },
  'a service in another namespace is not found: services are always local': {
    objects: { ingressRoutes: [root('default/r', 'a.com', [to('/', 's1')])], services: [svc('other/s1')] },
    want: { 'default/r': 'invalid: Service [s1:80] is invalid or missing' },
  },
  'a port name equal to the decimal port matches': {
    objects: { ingressRoutes: [root('default/r', 'a.com', [to('/', 's1:8080')])], services: [svc('default/s1', [{ port: 80, name: '8080' }])] },
    want: { 'default/r': VALID },
  },
  'upstream validation with a missing CA secret': {
    objects: {
      ingressRoutes: [root('default/r', 'a.com', [{ match: '/', services: [{ name: 's1', port: 443, validation: { caSecret: 'ca', subjectName: 'x' } }] }])],
      services: [svc('default/s1', [443], { 'contour.heptio.com/upstream-protocol.tls': '443' })],
    },
    want: { 'default/r': 'invalid: route "/": service "s1": upstreamValidation requested but secret not found or misconfigured' },
  },
  'upstream validation without a subject name': {
    objects: {
      ingressRoutes: [root('default/r', 'a.com', [{ match: '/', services: [{ name: 's1', port: 443, validation: { caSecret: 'ca' } }] }])],
      services: [svc('default/s1', [443], { 'contour.heptio.com/upstream-protocol.tls': '443' })],
      secrets: [{ metadata: { namespace: 'default', name: 'ca' }, data: { 'ca.crt': 'Y2E=' } }],
    },
    want: { 'default/r': 'invalid: route "/": service "s1": upstreamValidation requested but subject alt name not found or misconfigured' },
  },
  'upstream validation is ignored when the service does not speak TLS': {
    objects: {
      ingressRoutes: [root('default/r', 'a.com', [{ match: '/', services: [{ name: 's1', port: 80, validation: { caSecret: 'ca' } }] }])],
      services: [svc('default/s1')],
    },
    want: { 'default/r': VALID },
  },
  'a delegation cycle is reported on the object that closes it': {
    objects: {
      ingressRoutes: [root('roots/parent', 'a.com', [delegate('/', 'roots/child')]), child('roots/child', [delegate('/', 'roots/parent2')]), child('roots/parent2', [delegate('/', 'roots/child')])],
    },
    want: {
      'roots/parent': VALID,
      'roots/child': VALID,
      'roots/parent2': 'invalid: route creates a delegation cycle: roots/parent -> roots/child -> roots/parent2 -> roots/child',
    },
  },
  'a child delegating back to its root is refused as root-to-root, on the child': {
    objects: { ingressRoutes: [root('roots/parent', 'a.com', [delegate('/', 'roots/child')]), child('roots/child', [delegate('/', 'roots/parent')])] },
    want: { 'roots/parent': VALID, 'roots/child': 'invalid: root ingressroute cannot delegate to another root ingressroute' },
  },
  'the children of a root outside the root namespaces are orphaned': {
    options: { rootNamespaces: ['roots'] },
    objects: { ingressRoutes: [root('team/r', 'a.com', [delegate('/', 'c')]), child('team/c', [to('/', 's1')])], services: [svc('team/s1')] },
    want: { 'team/r': 'invalid: root IngressRoute cannot be defined in this namespace', 'team/c': ORPHANED },
  },
  'a child reached from two roots takes the status of the first root in namespace/name order': {
    objects: {
      ingressRoutes: [root('b/root', 'b.com', [delegate('/', 'shared/c')]), root('a/root', 'a.com', [delegate('/x', 'shared/c')]), child('shared/c', [to('/', 's1')])],
      services: [svc('shared/s1')],
    },
    want: { 'a/root': VALID, 'b/root': VALID, 'shared/c': 'invalid: the path prefix "/" does not match the parent\'s path prefix "/x"' },
  },
  'self-delegation is a cycle': {
    objects: { ingressRoutes: [root('default/r', 'a.com', [delegate('/', 'self')]), child('default/self', [delegate('/', 'self')])] },
    want: { 'default/r': VALID, 'default/self': 'invalid: route creates a delegation cycle: default/r -> default/self -> default/self' },
  },
  'a root cannot delegate to a root (v1.0, fix of #865)': {
    objects: {
      ingressRoutes: [root('default/r', 'a.com', [delegate('/', 'r2')]), root('default/r2', 'b.com', [to('/', 's1')])],
      services: [svc('default/s1')],
    },
    want: { 'default/r': 'invalid: root ingressroute cannot delegate to another root ingressroute', 'default/r2': VALID },
  },
  'a missing delegate is reported on the parent (fix of #510)': {
    objects: {
      ingressRoutes: [root('default/r', 'a.com', [delegate('/blog', 'marketing/blog'), to('/', 's1')])],
      services: [svc('default/s1')],
    },
    want: { 'default/r': 'invalid: route "/blog": delegate marketing/blog not found' },
  },
  'delegation defaults to the parent\'s namespace and crosses namespaces when told': {
    objects: {
      ingressRoutes: [root('default/r', 'a.com', [delegate('/a', 'a'), delegate('/b', 'team/b')]), child('default/a', [to('/a', 's1')]), child('team/b', [to('/b', 's1')])],
      services: [svc('default/s1'), svc('team/s1')],
    },
    want: { 'default/r': VALID, 'default/a': VALID, 'team/b': VALID },
  },
  'a child\'s failure does not change its parent': {
    objects: { ingressRoutes: [root('default/r', 'a.com', [delegate('/a', 'a')]), child('default/a', [to('/a', 'nope')])] },
    want: { 'default/r': VALID, 'default/a': 'invalid: Service [nope:80] is invalid or missing' },
  },
  'the first status wins: a child invalid under one root stays invalid under another': {
    objects: {
      ingressRoutes: [
        root('default/a-root', 'a.com', [delegate('/x', 'shared')]),
        root('default/b-root', 'b.com', [delegate('/', 'shared')]),
        child('default/shared', [to('/', 's1')]),
      ],
      services: [svc('default/s1')],
    },
    want: {
      'default/a-root': VALID,
      'default/b-root': VALID,
      'default/shared': 'invalid: the path prefix "/" does not match the parent\'s path prefix "/x"',
    },
  },
  'the walk stops at the first error; the TLS error wins over valid': {
    objects: { ingressRoutes: [root('default/r', 'a.com', [to('/', 's1'), to('/x', 'nope'), delegate('/c', 'c')], { secretName: 'nope' }), child('default/c', [to('/c', 's1')])], services: [svc('default/s1')] },
    want: { 'default/r': 'invalid: TLS Secret [nope] not found or is malformed', 'default/c': ORPHANED },
  },
  'a root with neither routes nor a usable tcpproxy is valid (fix)': {
    objects: { ingressRoutes: [ir('default/r', { virtualhost: { fqdn: 'a.com' }, tcpproxy: { services: [{ name: 's1', port: 80 }] } })] },
    want: { 'default/r': VALID },
  },
  'tcpproxy with services and delegate': {
    objects: {
      ingressRoutes: [ir('default/r', { virtualhost: { fqdn: 'a.com', tls: { secretName: 'tls' } }, tcpproxy: { services: [{ name: 's1', port: 80 }], delegate: { name: 'c' } } })],
      secrets: [tlsSecret('default/tls')],
      services: [svc('default/s1')],
    },
    want: { 'default/r': 'invalid: tcpproxy: cannot specify services and delegate in the same tcpproxy' },
  },
  'tcpproxy with a missing service': {
    objects: {
      ingressRoutes: [ir('default/r', { virtualhost: { fqdn: 'a.com', tls: { secretName: 'tls' } }, tcpproxy: { services: [{ name: 's1', port: 8080 }] } })],
      secrets: [tlsSecret('default/tls')],
    },
    want: { 'default/r': 'invalid: tcpproxy: service default/s1/8080: not found' },
  },
  'tcpproxy delegation cycle': {
    objects: {
      ingressRoutes: [
        ir('default/r', { virtualhost: { fqdn: 'a.com', tls: { secretName: 'tls' } }, tcpproxy: { delegate: { name: 'c' } } }),
        ir('default/c', { tcpproxy: { delegate: { name: 'c' } } }),
      ],
      secrets: [tlsSecret('default/tls')],
    },
    want: { 'default/r': VALID, 'default/c': 'invalid: tcpproxy creates a delegation cycle: default/r -> default/c -> default/c' },
  },
  'tcpproxy delegate missing (fix)': {
    objects: {
      ingressRoutes: [ir('default/r', { virtualhost: { fqdn: 'a.com', tls: { secretName: 'tls' } }, tcpproxy: { delegate: { name: 'c', namespace: 'team' } } })],
      secrets: [tlsSecret('default/tls')],
    },
    want: { 'default/r': 'invalid: tcpproxy: delegate team/c not found' },
  },
  'tcpproxy delegate without a tcpproxy (fix of a nil dereference)': {
    objects: {
      ingressRoutes: [ir('default/r', { virtualhost: { fqdn: 'a.com', tls: { secretName: 'tls' } }, tcpproxy: { delegate: { name: 'c' } } }), child('default/c', [to('/', 's1')])],
      secrets: [tlsSecret('default/tls')],
    },
    want: { 'default/r': 'invalid: tcpproxy: delegate default/c has no tcpproxy', 'default/c': ORPHANED },
  },
  'tcpproxy delegate serves the tcpproxy': {
    objects: {
      ingressRoutes: [ir('default/r', { virtualhost: { fqdn: 'a.com', tls: { secretName: 'tls' } }, tcpproxy: { delegate: { name: 'c' } } }), ir('default/c', { tcpproxy: { services: [{ name: 's1', port: 80 }] } })],
      secrets: [tlsSecret('default/tls')],
      services: [svc('default/s1')],
    },
    want: { 'default/r': VALID, 'default/c': VALID },
  },
  'IngressRoutes of another ingress class are not ours: no status': {
    objects: {
      ingressRoutes: [ir('default/r', { virtualhost: { fqdn: 'a.com' }, routes: [to('/', 's1')] }, { annotations: { 'kubernetes.io/ingress.class': 'nginx' } })],
      services: [svc('default/s1')],
    },
    want: {},
  },
  'the Contour class annotation wins over the Kubernetes one': {
    objects: {
      ingressRoutes: [ir('default/r', { virtualhost: { fqdn: 'a.com' }, routes: [to('/', 's1')] }, { annotations: { 'contour.heptio.com/ingress.class': 'contour', 'kubernetes.io/ingress.class': 'nginx' } })],
      services: [svc('default/s1')],
    },
    want: { 'default/r': VALID },
  },
  'status strings quote the Go way': {
    objects: { ingressRoutes: [root('default/r', 'a.com', [{ match: '/"q"\\', services: [{ name: 's1', port: 0 }] }])] },
    want: { 'default/r': 'invalid: route "/\\"q\\"\\\\": service "s1": port must be in the range 1-65535' },
  },
};

for (const [name, c] of Object.entries(cases)) {
  test(name, () => assert.deepEqual(statuses(c.objects, c.options), c.want));
}
