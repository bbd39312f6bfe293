import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDag, explain } from './dag/index.js';
import { child, delegate, root, svc, to } from './dag/testing.js';
import { describeDag, describeExplanation } from './describe.js';

const dag = buildDag({
  ingressRoutes: [
    root('roots/www', 'www.example.com', [to('/', 'www'), delegate('/blog', 'marketing/blog')]),
    child('marketing/blog', [to('/blog', 'blog')]),
    child('engineering/blog', [to('/blog', 'eng-blog')]),
  ],
  services: [svc('roots/www'), svc('marketing/blog'), svc('engineering/eng-blog')],
  endpoints: [{ apiVersion: 'v1', kind: 'Endpoints', metadata: { namespace: 'marketing', name: 'blog' }, subsets: [{ addresses: [{ ip: '127.42.1.2' }], ports: [{ port: 8080 }] }] }],
}, { rootNamespaces: ['roots'] });

test('describeDag: listeners, hosts, routes with their chains, clusters, endpoints, statuses', () => {
  assert.equal(describeDag(dag), [
    'ingress_http (:80)',
    '  http://www.example.com',
    '    prefix /blog  (IngressRoute roots/www > marketing/blog)',
    '      -> marketing/blog:80  cluster marketing/blog/80/da39a3ee5e  ROUND_ROBIN',
    '         endpoints: 127.42.1.2:8080',
    '    prefix /  (IngressRoute roots/www)',
    '      -> roots/www:80  cluster roots/www/80/da39a3ee5e  ROUND_ROBIN',
    '         endpoints: (none: 503)',
    '',
    'IngressRoutes:',
    '  NAMESPACE/NAME    STATUS    DESCRIPTION',
    '  engineering/blog  orphaned  this IngressRoute is not part of a delegation chain from a root IngressRoute',
    '  marketing/blog    valid     valid IngressRoute',
    '  roots/www         valid     valid IngressRoute',
    '',
  ].join('\n'));
  assert.equal(describeDag(buildDag({})), '(no listeners: nothing is routed)\n');
});

test('describeExplanation: who serves, through which chain, and who lost', () => {
  assert.equal(describeExplanation(explain(dag, 'http://www.example.com/blog/x')), [
    'http://www.example.com/blog/x',
    '  virtual host: www.example.com',
    '  route: prefix /blog',
    '  root: IngressRoute roots/www',
    '  served by: IngressRoute marketing/blog',
    '  delegation: roots/www -> marketing/blog',
    '  cluster: marketing/blog/80/da39a3ee5e  service marketing/blog:80  weight 0',
    '    endpoints: 127.42.1.2:8080',
    '  lost:',
    '    IngressRoute engineering/blog (orphaned): this IngressRoute is not part of a delegation chain from a root IngressRoute',
    '',
  ].join('\n'));
  assert.match(describeExplanation(explain(dag, 'http://nope.com/')), /not served: no virtual host or route matches \(the proxy answers 404\)/);
});
