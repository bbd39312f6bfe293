import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSteps, parseTrafficTarget, withWeights } from './traffic.js';

test('parseTrafficTarget: ingressroute/<name> only', () => {
  assert.equal(parseTrafficTarget('ingressroute/shop'), 'shop');
  assert.equal(parseTrafficTarget('ingressroutes.contour.heptio.com/shop-web'), 'shop-web');
  assert.equal(parseTrafficTarget('ingress/shop'), undefined);
  assert.equal(parseTrafficTarget('ingressroute/'), undefined);
  assert.equal(parseTrafficTarget('shop'), undefined);
});

test('parseSteps: increasing percentages ending at 100', () => {
  assert.deepEqual(parseSteps('10,50,100'), [10, 50, 100]);
  assert.deepEqual(parseSteps('25, 50'), [25, 50, 100]);
  assert.deepEqual(parseSteps('100'), [100]);
  for (const bad of ['', '0,100', '50,10', '10,10,100', '10,150', 'ten']) assert.equal(parseSteps(bad), undefined, bad);
});

test('withWeights: only routes to the active Service change; the preview is added as a copy of it', () => {
  const routes = [
    { match: '/', services: [{ name: 'shop', port: 80 }] },
    { match: '/static', services: [{ name: 'cdn', port: 80 }] },
    { match: '/api', services: [{ name: 'shop', port: 80, strategy: 'WeightedLeastRequest', weight: 100 }, { name: 'shop-preview', port: 80, weight: 0 }] },
  ];
  const ten = withWeights(routes, 'shop', 'shop-preview', 10);
  assert.equal(ten.matched, 2);
  assert.deepEqual(ten.routes, [
    { match: '/', services: [{ name: 'shop', port: 80, weight: 90 }, { name: 'shop-preview', port: 80, weight: 10 }] },
    { match: '/static', services: [{ name: 'cdn', port: 80 }] },
    { match: '/api', services: [{ name: 'shop', port: 80, strategy: 'WeightedLeastRequest', weight: 90 }, { name: 'shop-preview', port: 80, weight: 10 }] },
  ]);
  assert.deepEqual(withWeights(ten.routes, 'shop', 'shop-preview', 0).routes[0], { match: '/', services: [{ name: 'shop', port: 80, weight: 100 }, { name: 'shop-preview', port: 80, weight: 0 }] });
  assert.equal(withWeights([{ match: '/', services: [{ name: 'other' }] }], 'shop', 'shop-preview', 10).matched, 0);
});
