import { test } from 'node:test';
import assert from 'node:assert/strict';
import { workingDirOf, type WorkingDir } from './working-dir.js';
import type { Mount } from './volumes.js';

const POD = '/data/pods/u1';
const mounts: Mount[] = [
  { volume: 'data', mountPath: '/data', hostPath: `${POD}/volumes/kubernetes.io~empty-dir/data`, readOnly: false },
  { volume: 'cache', mountPath: '/data/cache', hostPath: `${POD}/volumes/kubernetes.io~empty-dir/cache`, readOnly: false },
  { volume: 'root', mountPath: '/', hostPath: '/somewhere', readOnly: false },
];
const hostDirs = new Set(['/tmp', '/usr/src']);

test('workingDirOf: a volume’s directory, else the host’s, else a scratch directory of the container’s own', () => {
  const cases: Record<string, { wd: string | undefined; want: WorkingDir }> = {
    unset: { wd: undefined, want: { kind: 'pod', path: POD } },
    'at a mountPath': { wd: '/data', want: { kind: 'volume', path: mounts[0].hostPath, volume: 'data' } },
    'under a mountPath, trailing slash': { wd: '/data/app/', want: { kind: 'volume', path: `${mounts[0].hostPath}/app`, volume: 'data' } },
    'the longest mountPath wins': { wd: '/data/cache/x', want: { kind: 'volume', path: `${mounts[1].hostPath}/x`, volume: 'cache' } },
    'a prefix that is not a path component': { wd: '/database', want: { kind: 'scratch', path: `${POD}/workdirs/app/database` } },
    'on the host': { wd: '/usr/src', want: { kind: 'host', path: '/usr/src' } },
    'nowhere: scratch under the pod': { wd: '/srv/app', want: { kind: 'scratch', path: `${POD}/workdirs/app/srv/app` } },
    'relative: from the root': { wd: 'tmp', want: { kind: 'host', path: '/tmp' } },
    'dot-dot cannot leave the scratch root': { wd: '/../../etc2', want: { kind: 'scratch', path: `${POD}/workdirs/app/etc2` } },
  };
  for (const [name, { wd, want }] of Object.entries(cases)) assert.deepEqual(workingDirOf(wd, 'app', mounts, POD, (p) => hostDirs.has(p)), want, name);
});
