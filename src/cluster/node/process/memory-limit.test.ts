import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryLimitBytes, overMemoryLimit } from './memory-limit.js';

test('memory limits in bytes, from Kubernetes quantities', () => {
  assert.equal(memoryLimitBytes({ resources: { limits: { memory: '64Mi' } } }), 64 * 1024 * 1024);
  assert.equal(memoryLimitBytes({ resources: { limits: { memory: '1G' } } }), 1e9);
  assert.equal(memoryLimitBytes({ resources: { limits: { cpu: '1' } } }), undefined, 'no memory limit');
  assert.equal(memoryLimitBytes({}), undefined);
  assert.equal(overMemoryLimit(65 << 20, 64 << 20), true);
  assert.equal(overMemoryLimit(64 << 20, 64 << 20), false, 'at the limit is within it');
});
