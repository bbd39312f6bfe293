import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { PodSpec } from 'kubernetes-types/core/v1.js';
import { node } from '../testing.js';
import { daemonSetPods } from './daemonset-pods.js';

const ds = (name: string, spec: Partial<PodSpec>): DaemonSet => ({
  metadata: { name, namespace: 'kube-system', uid: `uid-${name}` },
  spec: {
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: 'x', resources: { requests: { cpu: '100m' } } }], ...spec } },
  },
});

const cases: Record<string, { taints?: boolean; sets: DaemonSet[]; want: string[] }> = {
  'every DaemonSet that fits runs on a new node': { sets: [ds('proxy', {}), ds('logs', {})], want: ['proxy', 'logs'] },
  'a node selector the template does not match': { sets: [ds('gpu', { nodeSelector: { accelerator: 'nvidia' } }), ds('proxy', {})], want: ['proxy'] },
  'a tainted template takes only the tolerating ones': {
    taints: true,
    sets: [ds('proxy', {}), ds('tolerant', { tolerations: [{ key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }] })],
    want: ['tolerant'],
  },
  'too big for the node': { sets: [{ ...ds('huge', {}), spec: { ...ds('huge', {}).spec!, template: { spec: { containers: [{ name: 'c', resources: { requests: { cpu: '64' } } }] } } } }], want: [] },
};

for (const [name, c] of Object.entries(cases)) {
  test(`daemonSetPods: ${name}`, () => {
    const tpl = node({ name: 'pool-template', cpu: '4', ...(c.taints ? { taints: [{ key: 'dedicated', value: 'batch', effect: 'NoSchedule' }] } : {}) });
    const pods = daemonSetPods(c.sets, { node: tpl, pods: [] });
    assert.deepEqual(pods.map((p) => p.metadata?.ownerReferences?.[0]?.name), c.want);
    for (const p of pods) {
      assert.equal(p.spec?.nodeName, 'pool-template');
      assert.equal(p.metadata?.ownerReferences?.[0]?.kind, 'DaemonSet');
    }
  });
}
