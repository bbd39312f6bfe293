import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerStatus, Pod } from 'kubernetes-types/core/v1.js';
import { logTarget, parseLogQuery } from './log-target.js';

const podWith = (s: Partial<ContainerStatus>): Pod => ({ metadata: { name: 'web' }, status: { containerStatuses: [{ name: 'c', image: 'x', imageID: '', ready: false, restartCount: 0, ...s }] } });
const term = (id: string) => ({ terminated: { exitCode: 1, containerID: id } });

test('logTarget picks the container as kubelet does', () => {
  const cases: Record<string, { pod: Pod; previous?: boolean; want: ReturnType<typeof logTarget> }> = {
    running: { pod: podWith({ containerID: 'flotilla://a', state: { running: {} } }), want: { containerID: 'flotilla://a' } },
    'running, previous': { pod: podWith({ containerID: 'flotilla://b', state: { running: {} }, lastState: term('flotilla://a') }), previous: true, want: { containerID: 'flotilla://a' } },
    'no previous': { pod: podWith({ containerID: 'flotilla://a', state: { running: {} } }), previous: true, want: { error: 'previous terminated container "c" in pod "web" not found' } },
    'crash loop shows the last run': { pod: podWith({ state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: term('flotilla://a') }), want: { containerID: 'flotilla://a' } },
    terminated: { pod: podWith({ state: term('flotilla://t') }), want: { containerID: 'flotilla://t' } },
    creating: { pod: podWith({ state: { waiting: { reason: 'ContainerCreating' } } }), want: { error: 'container "c" in pod "web" is waiting to start: ContainerCreating' } },
    'image pull': { pod: podWith({ state: { waiting: { reason: 'ImagePullBackOff' } } }), want: { error: 'container "c" in pod "web" is waiting to start: image can\'t be pulled' } },
    'no status': { pod: { metadata: { name: 'web' } }, want: { error: 'container "c" in pod "web" is not available' } },
  };
  for (const [name, tc] of Object.entries(cases)) assert.deepEqual(logTarget(tc.pod, 'c', tc.previous ?? false), tc.want, name);
});

test('parseLogQuery validates like PodLogOptions', () => {
  const now = Date.parse('2024-01-01T00:01:00Z');
  const q = (s: string) => parseLogQuery(new URLSearchParams(s), now);
  assert.deepEqual(q('follow=true&tailLines=10&timestamps=1&limitBytes=5'), { follow: true, previous: false, timestamps: true, tailLines: 10, limitBytes: 5 });
  assert.deepEqual(q('sinceSeconds=60'), { follow: false, previous: false, timestamps: false, sinceMs: Date.parse('2024-01-01T00:00:00Z') });
  assert.deepEqual(q('sinceTime=2024-01-01T00:00:30Z'), { follow: false, previous: false, timestamps: false, sinceMs: Date.parse('2024-01-01T00:00:30Z') });
  assert.deepEqual(q('tailLines=-1'), { error: 'tailLines: Invalid value: -1: must be greater than or equal to 0' });
  assert.deepEqual(q('limitBytes=0'), { error: 'limitBytes: Invalid value: 0: must be greater than 0' });
  assert.deepEqual(q('sinceSeconds=1&sinceTime=2024-01-01T00:00:30Z'), { error: 'at most one of `sinceTime` or `sinceSeconds` may be specified' });
  assert.deepEqual(q('follow=maybe'), { error: 'follow: invalid boolean value "maybe"' });
});
