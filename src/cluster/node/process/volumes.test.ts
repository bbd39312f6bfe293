import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConfigMap, Pod, Secret, Volume } from 'kubernetes-types/core/v1.js';
import { payloadDirPrefix, removeTree, topLevelNames, writePayload } from './volume-files.js';
import { containerMounts, failedMountMessage, mountEnv, pathRewriter, rewriteContainer, volumeDir, volumePayload, volumeReferences, type Mount, type VolumeContext } from './volumes.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const pod: Pod = {
  metadata: { name: 'web-1', namespace: 'team', uid: 'u-1', labels: { app: 'web', tier: 'front' }, annotations: { note: 'hi' } },
  spec: { containers: [{ name: 'app', image: 'x', resources: { limits: { cpu: '500m', memory: '64Mi' } } }] },
};
const ctx = (objs: { secrets?: Record<string, Secret | undefined>; configMaps?: Record<string, ConfigMap | undefined> } = {}): VolumeContext => ({
  secrets: new Map(Object.entries(objs.secrets ?? {})),
  configMaps: new Map(Object.entries(objs.configMaps ?? {})),
  podIP: '127.42.1.2',
  hostIP: '10.240.0.4',
});
const files = (r: ReturnType<typeof volumePayload>): unknown => (r.ok ? (r.files ?? []).map((f) => [f.path, f.data.toString('utf8'), f.mode.toString(8)]) : r.message);

test('volumeDir: kubelet’s layout under the pod’s directory', () => {
  const cases: [Volume, string | undefined][] = [
    [{ name: 'certs', secret: { secretName: 's' } }, '/p/volumes/kubernetes.io~secret/certs'],
    [{ name: 'conf', configMap: { name: 'c' } }, '/p/volumes/kubernetes.io~configmap/conf'],
    [{ name: 'info', downwardAPI: {} }, '/p/volumes/kubernetes.io~downward-api/info'],
    [{ name: 'scratch', emptyDir: {} }, '/p/volumes/kubernetes.io~empty-dir/scratch'],
    [{ name: 'host', hostPath: { path: '/var/data' } }, '/var/data'],
    [{ name: 'pvc', persistentVolumeClaim: { claimName: 'x' } }, undefined],
  ];
  for (const [v, want] of cases) assert.equal(volumeDir('/p', v), want, v.name);
});

test('volumePayload: secret, configMap and downwardAPI as kubelet writes them', () => {
  const secret: Secret = { metadata: { name: 'certs' }, data: { 'cert.pem': b64('CERT'), 'key.pem': b64('KEY') } };
  const cm: ConfigMap = { metadata: { name: 'conf' }, data: { 'app.yaml': 'a: 1' }, binaryData: { blob: b64('BIN') } };
  const cases: Record<string, { v: Volume; c?: VolumeContext; want: unknown }> = {
    'secret: every key, 0644': { v: { name: 'v', secret: { secretName: 'certs' } }, c: ctx({ secrets: { certs: secret } }), want: [['cert.pem', 'CERT', '644'], ['key.pem', 'KEY', '644']] },
    'secret: defaultMode': { v: { name: 'v', secret: { secretName: 'certs', defaultMode: 0o400 } }, c: ctx({ secrets: { certs: secret } }), want: [['cert.pem', 'CERT', '400'], ['key.pem', 'KEY', '400']] },
    'secret: items with a mode': {
      v: { name: 'v', secret: { secretName: 'certs', items: [{ key: 'key.pem', path: 'tls/tls.key', mode: 0o600 }] } },
      c: ctx({ secrets: { certs: secret } }),
      want: [['tls/tls.key', 'KEY', '600']],
    },
    'secret: missing': { v: { name: 'v', secret: { secretName: 'certs' } }, want: 'secret "certs" not found' },
    'secret: missing, optional': { v: { name: 'v', secret: { secretName: 'certs', optional: true } }, want: [] },
    'secret: missing item key': { v: { name: 'v', secret: { secretName: 'certs', items: [{ key: 'nope', path: 'n' }] } }, c: ctx({ secrets: { certs: secret } }), want: 'references non-existent secret key: nope' },
    'secret: missing item key, optional': { v: { name: 'v', secret: { secretName: 'certs', optional: true, items: [{ key: 'nope', path: 'n' }] } }, c: ctx({ secrets: { certs: secret } }), want: [] },
    'configMap: data and binaryData': { v: { name: 'v', configMap: { name: 'conf' } }, c: ctx({ configMaps: { conf: cm } }), want: [['app.yaml', 'a: 1', '644'], ['blob', 'BIN', '644']] },
    'configMap: missing': { v: { name: 'v', configMap: { name: 'conf' } }, want: 'configmap "conf" not found' },
    'configMap: missing item key': { v: { name: 'v', configMap: { name: 'conf', items: [{ key: 'k', path: 'k' }] } }, c: ctx({ configMaps: { conf: cm } }), want: 'configmap references non-existent config key: k' },
    'downwardAPI: fields and resources': {
      v: {
        name: 'v',
        downwardAPI: {
          defaultMode: 0o444,
          items: [
            { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
            { path: 'name', fieldRef: { fieldPath: 'metadata.name' }, mode: 0o400 },
            { path: 'cpu', resourceFieldRef: { containerName: 'app', resource: 'limits.cpu', divisor: '1m' } },
          ],
        },
      },
      want: [['labels', 'app="web"\ntier="front"', '444'], ['name', 'web-1', '400'], ['cpu', '500', '444']],
    },
    'emptyDir: no payload': { v: { name: 'v', emptyDir: {} }, want: [] },
  };
  for (const [name, { v, c, want }] of Object.entries(cases)) assert.deepEqual(files(volumePayload(pod, v, c ?? ctx())), want, name);
  assert.equal(failedMountMessage('webhook-certs', 'secret "mwc-example" not found'), 'MountVolume.SetUp failed for volume "webhook-certs" : secret "mwc-example" not found');
  assert.deepEqual(volumeReferences({ spec: { containers: [], volumes: [{ name: 'a', secret: { secretName: 's' } }, { name: 'b', configMap: { name: 'c' } }, { name: 'd', emptyDir: {} }] } }), { configMaps: ['c'], secrets: ['s'] });
});

test('containerMounts: mountPath, subPath, subPathExpr, readOnly; bad subPaths refused', () => {
  const dirs = new Map([['certs', '/d/certs'], ['scratch', '/d/scratch']]);
  const cases: Record<string, { mounts: NonNullable<Parameters<typeof containerMounts>[0]['volumeMounts']>; want: unknown }> = {
    plain: { mounts: [{ name: 'certs', mountPath: '/etc/webhook/certs/', readOnly: true }], want: [{ volume: 'certs', mountPath: '/etc/webhook/certs', hostPath: '/d/certs', readOnly: true }] },
    subPath: { mounts: [{ name: 'certs', mountPath: '/etc/tls.crt', subPath: 'cert.pem' }], want: [{ volume: 'certs', mountPath: '/etc/tls.crt', hostPath: '/d/certs/cert.pem', readOnly: false }] },
    subPathExpr: { mounts: [{ name: 'scratch', mountPath: '/logs', subPathExpr: '$(POD_NAME)' }], want: [{ volume: 'scratch', mountPath: '/logs', hostPath: '/d/scratch/web-1', readOnly: false }] },
    'a volume the runtime does not provide': { mounts: [{ name: 'pvc', mountPath: '/data' }], want: [] },
    'absolute subPath': { mounts: [{ name: 'scratch', mountPath: '/x', subPath: '/etc' }], want: 'failed to prepare subPath for volumeMount "scratch" of container: subPath "/etc" must be a relative path without ".."' },
    'subPath with ..': { mounts: [{ name: 'scratch', mountPath: '/x', subPath: 'a/../../b' }], want: 'failed to prepare subPath for volumeMount "scratch" of container: subPath "a/../../b" must be a relative path without ".."' },
  };
  for (const [name, { mounts, want }] of Object.entries(cases)) {
    const r = containerMounts({ volumeMounts: mounts }, dirs, { POD_NAME: 'web-1' });
    assert.deepEqual(r.ok ? r.mounts : r.message, want, name);
  }
  assert.deepEqual(mountEnv({ volumeMounts: [{ name: 'certs', mountPath: '/a' }, { name: 'scratch', mountPath: '/b' }, { name: 'pvc', mountPath: '/c' }] }, new Map([['certs', '/d/certs'], ['scratch', '/d/s']])), {
    FLOTILLA_MOUNT_CERTS: '/d/certs',
    FLOTILLA_MOUNT_SCRATCH: '/d/s',
  });
  assert.deepEqual(mountEnv({ volumeMounts: [{ name: 'webhook-certs.v1', mountPath: '/a' }] }, new Map([['webhook-certs.v1', '/d']])), { FLOTILLA_MOUNT_WEBHOOK_CERTS_V1: '/d' });
});

test('pathRewriter: paths under a mountPath, at word starts, longest first, once', () => {
  const m = (mountPath: string, hostPath: string): Mount => ({ volume: 'v', mountPath, hostPath, readOnly: false });
  const rw = pathRewriter([m('/etc/webhook/certs', '/d/certs'), m('/etc/webhook', '/d/wh'), m('/tmp', '/tmp/flotilla/data/pods/u/scratch'), m('/', '/root-vol')]);
  const cases: [string, string][] = [
    ['/etc/webhook/certs', '/d/certs'],
    ['/etc/webhook/certs/cert.pem', '/d/certs/cert.pem'],
    ['/etc/webhook/other', '/d/wh/other'],
    ['--cert-dir=/etc/webhook/certs', '--cert-dir=/d/certs'],
    ['cat /etc/webhook/certs/key.pem && ls /etc/webhook', 'cat /d/certs/key.pem && ls /d/wh'],
    ['PATH=/tmp/bin:/etc/webhook/certs:/usr/bin', 'PATH=/tmp/flotilla/data/pods/u/scratch/bin:/d/certs:/usr/bin'],
    ['"/etc/webhook/certs"', '"/d/certs"'],
    // Not a path under the mount: a longer name, a path elsewhere, the middle of a word.
    ['/etc/webhook/certs2', '/d/wh/certs2'],
    ['/etc/webhooks', '/etc/webhooks'],
    ['/var/etc/webhook', '/var/etc/webhook'],
    ['x/etc/webhook', 'x/etc/webhook'],
    // Rewritten once: the new /tmp/… path is not rewritten again; `/` is never a rewrite.
    ['/tmp/a', '/tmp/flotilla/data/pods/u/scratch/a'],
    ['/usr/bin', '/usr/bin'],
  ];
  for (const [input, want] of cases) assert.equal(rw(input), want, input);
  assert.equal(pathRewriter([])('/etc/x'), '/etc/x');
  const c = rewriteContainer(
    { name: 'c', command: ['sh', '-c', 'cat /etc/webhook/certs/cert.pem'], args: ['--dir', '/etc/webhook/certs'], readinessProbe: { exec: { command: ['test', '-f', '/etc/webhook/certs/ready'] } } },
    rw,
  );
  assert.deepEqual([c.command, c.args, c.readinessProbe?.exec?.command], [['sh', '-c', 'cat /d/certs/cert.pem'], ['--dir', '/d/certs'], ['test', '-f', '/d/certs/ready']]);
  const hooked = rewriteContainer({ name: 'h', lifecycle: { postStart: { exec: { command: ['cp', '/etc/webhook/certs/a', '/tmp/b'] } }, preStop: { httpGet: { port: 80, path: '/etc/webhook' } } } }, rw);
  assert.deepEqual(hooked.lifecycle, { postStart: { exec: { command: ['cp', '/d/certs/a', '/tmp/flotilla/data/pods/u/scratch/b'] } }, preStop: { httpGet: { port: 80, path: '/etc/webhook' } } }, 'exec hooks are rewritten, HTTP paths are not');
});

test('writePayload: kubelet’s atomic writer layout, updates, no-op when unchanged', () => {
  assert.equal(payloadDirPrefix(new Date(Date.UTC(2026, 10, 26, 21, 5, 9))), '..2026_11_26_21_05_09.');
  assert.deepEqual(topLevelNames([{ path: 'tls/tls.key', data: Buffer.alloc(0), mode: 0o644 }, { path: 'b', data: Buffer.alloc(0), mode: 0o644 }, { path: 'tls/ca', data: Buffer.alloc(0), mode: 0o644 }]), ['b', 'tls']);
  const dir = join(mkdtempSync(join(tmpdir(), 'flotilla-vol-')), 'volumes', 'kubernetes.io~secret', 'certs');
  try {
    const f = (path: string, s: string, mode = 0o644) => ({ path, data: Buffer.from(s), mode });
    assert.equal(writePayload(dir, [f('cert.pem', 'C1'), f('key.pem', 'K1', 0o600), f('tls/ca.pem', 'CA')]), true);
    const entries = readdirSync(dir).sort();
    assert.equal(entries.length, 5, entries.join(' '));
    assert.deepEqual(entries.filter((e) => !e.startsWith('..')), ['cert.pem', 'key.pem', 'tls']);
    const ts = readlinkSync(join(dir, '..data'));
    assert.match(ts, /^\.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\.\w+$/);
    assert.equal(readlinkSync(join(dir, 'cert.pem')), '..data/cert.pem');
    assert.equal(readlinkSync(join(dir, 'tls')), '..data/tls');
    assert.equal(readFileSync(join(dir, 'tls', 'ca.pem'), 'utf8'), 'CA');
    assert.equal(statSync(join(dir, 'key.pem')).mode & 0o777, 0o600);
    // A container's change is undone by the next sync.
    writeFileSync(join(dir, 'cert.pem'), 'tampered');
    assert.equal(writePayload(dir, [f('cert.pem', 'C1'), f('key.pem', 'K1', 0o600), f('tls/ca.pem', 'CA')]), true);
    assert.equal(readFileSync(join(dir, 'cert.pem'), 'utf8'), 'C1');
    const ts1 = readlinkSync(join(dir, '..data'));
    // Same payload: nothing written.
    assert.equal(writePayload(dir, [f('cert.pem', 'C1'), f('key.pem', 'K1', 0o600), f('tls/ca.pem', 'CA')]), false);
    assert.equal(readlinkSync(join(dir, '..data')), ts1);
    // An update: new payload directory, old one gone, a removed key's link gone.
    assert.equal(writePayload(dir, [f('cert.pem', 'C2'), f('key.pem', 'K1', 0o600)]), true);
    const ts2 = readlinkSync(join(dir, '..data'));
    assert.notEqual(ts2, ts1);
    assert.notEqual(ts1, ts);
    assert.equal(readFileSync(join(dir, 'cert.pem'), 'utf8'), 'C2');
    assert.deepEqual(readdirSync(dir).sort(), ['..data', ts2, 'cert.pem', 'key.pem'].sort());
    assert.ok(lstatSync(join(dir, 'cert.pem')).isSymbolicLink());
  } finally {
    removeTree(join(dir, '..', '..', '..'));
  }
});
