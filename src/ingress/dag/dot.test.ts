import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDag, toDot } from './index.js';
import { ir, root, svc, tlsSecret, to } from './testing.js';

test('toDot: Contour\'s record labels, each vertex once, subtree before the edge to it', () => {
  const dag = buildDag({
    ingressRoutes: [root('default/r', 'a.com', [to('/', 's1')], { secretName: 'tls' })],
    services: [svc('default/s1')],
    secrets: [tlsSecret('default/tls')],
  });
  assert.equal(toDot(dag), [
    'digraph DAG {',
    'rankdir="LR"',
    '"n0" [shape=record, label="{listener|:80}"]',
    '"n1" [shape=record, label="{http://a.com}"]',
    '"n2" [shape=record, label="{prefix|/}"]',
    '"n3" [shape=record, label="{cluster|{default/s1/80/da39a3ee5e|weight 0}}"]',
    '"n4" [shape=record, label="{httpservice|default/s1:80}"]',
    '"n3" -> "n4"',
    '"n2" -> "n3"',
    '"n1" -> "n2"',
    '"n0" -> "n1"',
    '"n5" [shape=record, label="{listener|:443}"]',
    '"n6" [shape=record, label="{https://a.com}"]',
    '"n6" -> "n2"',
    '"n7" [shape=record, label="{secret|default/tls}"]',
    '"n6" -> "n7"',
    '"n5" -> "n6"',
    '}',
    '',
  ].join('\n'));
});

test('toDot: tcpproxy and tcpservice vertices', () => {
  const dag = buildDag({
    ingressRoutes: [ir('default/r', { virtualhost: { fqdn: 'pt.a.com', tls: { passthrough: true } }, tcpproxy: { services: [{ name: 's1', port: 443 }] } })],
    services: [svc('default/s1', [443])],
  });
  const dot = toDot(dag);
  assert.match(dot, /label="\{https:\/\/pt\.a\.com\}"/);
  assert.match(dot, /label="\{tcpproxy\}"/);
  assert.match(dot, /label="\{tcpservice\|default\/s1:443\}"/);
  assert.match(dot, /label="\{cluster\|\{default\/s1\/443\/da39a3ee5e\|weight 1\}\}"/);
});

test('toDot: record metacharacters in a match are escaped', () => {
  const dag = buildDag({ ingressRoutes: [root('default/r', 'a.com', [to('/a|b{c}', 's1')])], services: [svc('default/s1')] });
  assert.match(toDot(dag), /label="\{prefix\|\/a\\\|b\\\{c\\\}\}"/);
});
