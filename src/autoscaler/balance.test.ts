import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isSimilar, splitScaleUp } from './index.js';
import { node } from './testing.js';

const t = (name: string, f: Parameters<typeof node>[0] extends infer F ? Partial<F> : never = {}) => ({ node: node({ name, cpu: '4', memory: '8Gi', ...f }), pods: [] });

test('isSimilar: same shape, labels differing only in hostname/zone', () => {
  assert.equal(isSimilar(t('a', { labels: { 'topology.kubernetes.io/zone': '1', size: 'm' } }), t('b', { labels: { 'topology.kubernetes.io/zone': '2', size: 'm' } })), true);
});

test('isSimilar: memory within 1.5% is similar, beyond is not', () => {
  assert.equal(isSimilar(t('a', { memory: '8000Mi' }), t('b', { memory: '7900Mi' })), true, '1.25% apart');
  assert.equal(isSimilar(t('a', { memory: '8000Mi' }), t('b', { memory: '7800Mi' })), false, '2.5% apart');
});

test('isSimilar: different cpu capacity or labels are not similar', () => {
  assert.equal(isSimilar(t('a', { cpu: '4' }), t('b', { cpu: '8' })), false);
  assert.equal(isSimilar(t('a', { labels: { size: 'm' } }), t('b', { labels: { size: 'l' } })), false);
  assert.equal(isSimilar(t('a', { labels: { size: 'm' } }), t('b', { labels: { size: 'l' } }), { ignoreLabels: ['size'] }), true, '--balancing-ignore-label');
});

test('isSimilar: on Azure the same agentpool label is similar regardless', () => {
  const a = t('a', { cpu: '4', labels: { agentpool: 'pool1' } });
  const b = t('b', { cpu: '8', labels: { agentpool: 'pool1' } });
  assert.equal(isSimilar(a, b), false);
  assert.equal(isSimilar(a, b, { azure: true }), true);
});

test('splitScaleUp: one node at a time to the smallest group below max', () => {
  assert.deepEqual(
    splitScaleUp(
      [
        { group: 'a', current: 1, max: 10 },
        { group: 'b', current: 3, max: 10 },
        { group: 'c', current: 1, max: 2 },
      ],
      5,
    ),
    // a→2, c→2 (its max), a→3, a→4 (tied with b: list order), b→4
    [
      { group: 'a', delta: 3 },
      { group: 'b', delta: 1 },
      { group: 'c', delta: 1 },
    ],
  );
});

test('splitScaleUp: capped at the groups headroom', () => {
  assert.deepEqual(splitScaleUp([{ group: 'a', current: 1, max: 2 }, { group: 'b', current: 1, max: 2 }], 10), [
    { group: 'a', delta: 1 },
    { group: 'b', delta: 1 },
  ]);
});
