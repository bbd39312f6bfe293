import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatSummary } from './summary.js';

test('formatSummary: a switch', () => {
  assert.equal(
    formatSummary({
      command: 'run',
      result: 'Succeeded',
      service: 'shop',
      namespace: 'prod',
      previousVersion: '1',
      newVersion: '2',
      selecting: '2',
      newColor: { name: 'shop-2', state: '2/2 pods Ready, 0 restarts' },
      oldColor: { name: 'shop-1', state: 'deleted' },
      health: 'healthy: 0 restarts, 2/2 pods Ready',
      analysis: [],
      elapsedMs: 12_340,
    }),
    [
      '',
      'Blue/green deployment summary',
      '  result:    switched',
      '  service:   prod/shop selects version 2 (rollout 1 → 2)',
      '  new color: shop-2: 2/2 pods Ready, 0 restarts',
      '  old color: shop-1: deleted',
      '  health:    healthy: 0 restarts, 2/2 pods Ready',
      '  took:      12.3s',
      '',
    ].join('\n'),
  );
});

test('formatSummary: a failure carries its one-line reason and what to do next', () => {
  const s = formatSummary({ command: 'promote', result: 'Failed', service: 'shop', namespace: 'default', error: 'pod shop-2-x is not Ready (CrashLoopBackOff)', next: 'flotilla bluegreen abort shop', analysis: ['pre-promotion: 2/2 passed'], elapsedMs: 500 });
  assert.match(s, /^\nBlue\/green promote summary\n {2}result: {3}FAILED: pod shop-2-x is not Ready \(CrashLoopBackOff\)\n/);
  assert.match(s, /\n {2}analysis: pre-promotion: 2\/2 passed\n/);
  assert.match(s, /\n {2}next: {5}flotilla bluegreen abort shop\n$/);
});
