import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Deployment, V1DeploymentStatus } from '@kubernetes/client-node';
import { rolloutProgress } from './rollout-status.js';

const d = (status: V1DeploymentStatus, generation = 1, replicas = 2): V1Deployment => ({
  metadata: { name: 'shop-2', generation },
  spec: { replicas, selector: {}, template: {} },
  status,
});

test('rolloutProgress: kubectl rollout status by case', () => {
  const cases: Record<string, { d: V1Deployment; state: string; message: string }> = {
    'not observed yet': { d: d({ observedGeneration: 1 }, 2), state: 'progressing', message: 'Waiting for deployment spec update to be observed...' },
    'no status at all': { d: d({}), state: 'progressing', message: 'Waiting for deployment spec update to be observed...' },
    'updating': { d: d({ observedGeneration: 1, updatedReplicas: 1, replicas: 1 }), state: 'progressing', message: 'Waiting for deployment "shop-2" rollout to finish: 1 out of 2 new replicas have been updated...' },
    'old pending': { d: d({ observedGeneration: 1, updatedReplicas: 2, replicas: 3, availableReplicas: 2 }), state: 'progressing', message: 'Waiting for deployment "shop-2" rollout to finish: 1 old replicas are pending termination...' },
    'not available': { d: d({ observedGeneration: 1, updatedReplicas: 2, replicas: 2, availableReplicas: 1 }), state: 'progressing', message: 'Waiting for deployment "shop-2" rollout to finish: 1 of 2 updated replicas are available...' },
    'done': { d: d({ observedGeneration: 1, updatedReplicas: 2, replicas: 2, availableReplicas: 2 }), state: 'complete', message: 'deployment "shop-2" successfully rolled out' },
    'zero replicas is done at once': { d: d({ observedGeneration: 1 }, 1, 0), state: 'complete', message: 'deployment "shop-2" successfully rolled out' },
    'deadline exceeded': {
      d: d({ observedGeneration: 1, updatedReplicas: 1, replicas: 2, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] }),
      state: 'failed',
      message: 'deployment "shop-2" exceeded its progress deadline',
    },
  };
  for (const [name, c] of Object.entries(cases)) {
    const p = rolloutProgress(c.d);
    assert.equal(p.state, c.state, name);
    assert.equal(p.message, c.message, name);
  }
});
