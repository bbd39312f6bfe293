import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectorString } from './pod-selector.js';

test('selectorString: matchLabels sorted, then expressions', () => {
  assert.equal(selectorString({ matchLabels: { version: '2', app: 'shop' } }), 'app=shop,version=2');
  assert.equal(
    selectorString({
      matchLabels: { app: 'shop' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['web', 'api'] },
        { key: 'canary', operator: 'DoesNotExist' },
        { key: 'zone', operator: 'NotIn', values: ['b'] },
        { key: 'team', operator: 'Exists' },
      ],
    }),
    'app=shop,tier in (api,web),!canary,zone notin (b),team',
  );
  assert.equal(selectorString(undefined), '');
  assert.throws(() => selectorString({ matchExpressions: [{ key: 'k', operator: 'Gt' }] }), /unsupported selector operator "Gt" on key k/);
});
