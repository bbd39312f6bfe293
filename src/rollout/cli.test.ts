import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { loadKubeConfig, registerBluegreenCommands, type BluegreenDeps } from './cli.js';

/** Parse `argv` with the bluegreen commands; what was printed, the exit code, and the client's arguments. */
async function cli(argv: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const codes: number[] = [];
  const clients: Array<[string | undefined, string | undefined]> = [];
  const deps: BluegreenDeps = {
    env,
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
    exit: (code) => void codes.push(code),
    client: (path, context) => {
      clients.push([path, context]);
      throw new Error('no cluster in this test');
    },
  };
  const program = new Command().name('flotilla').exitOverride();
  registerBluegreenCommands(program, deps);
  await program.parseAsync(['node', 'flotilla', ...argv]);
  return { stdout, stderr, code: codes[0], clients };
}

const seed = { SERVICE_NAME: 'shop', DEPLOYMENT_NAME: 'shop', NEW_VERSION: '2', HEALTH_SECONDS: '5', NAMESPACE: 'prod' };

test('missing inputs: the usage text on stdout and exit 1, no cluster contacted', async () => {
  const r = await cli(['bluegreen', '--service-name', 'shop'], { NAMESPACE: 'prod' });
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^USAGE\n flotilla bluegreen /);
  assert.match(r.stdout, /Missing: DEPLOYMENT_NAME, NEW_VERSION, HEALTH_SECONDS\n/);
  assert.deepEqual(r.clients, []);
});

test('malformed input: one error line and exit 1', async () => {
  const r = await cli(['bluegreen', '--timeout', 'forever'], seed);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'error: --timeout must be a positive duration such as 90s or 5m, not "forever"\n');
});

test('the run gets --kubeconfig and KUBE_CONTEXT; a failing connection is the first step\'s error', async () => {
  const r = await cli(['bluegreen', '--kubeconfig', '/tmp/kc.yml'], { ...seed, KUBE_CONTEXT: 'prod-eu' });
  assert.deepEqual(r.clients, [['/tmp/kc.yml', 'prod-eu']]);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'error: no cluster in this test\n');
  assert.match(r.stdout, /^\[DEPLOY INFO\] Selecting Kubernetes cluster\n/);
});

test('promote/abort/rollback take the Service and the bluegreen options wherever they are written', async () => {
  const after = await cli(['bluegreen', 'promote', 'shop', '--kubeconfig', '/tmp/a.yml', '--kube-context', 'c1']);
  assert.deepEqual(after.clients, [['/tmp/a.yml', 'c1']]);
  assert.equal(after.code, 1);
  const before = await cli(['bluegreen', '--kubeconfig', '/tmp/b.yml', 'rollback', 'shop']);
  assert.deepEqual(before.clients, [['/tmp/b.yml', undefined]]);
  const none = await cli(['bluegreen', 'abort']);
  assert.equal(none.code, 1);
  assert.equal(none.stderr, 'error: name the Service: flotilla bluegreen abort SERVICE_NAME (or set SERVICE_NAME)\n');
  assert.deepEqual(none.clients, []);
});

test('loadKubeConfig: the file, the context, and clear errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bluegreen-kc-'));
  try {
    const path = join(dir, 'kc.yml');
    const cluster = (name: string, port: number) => `- name: ${name}\n  cluster: {server: "https://127.0.0.1:${port}", insecure-skip-tls-verify: true}`;
    writeFileSync(
      path,
      `apiVersion: v1\nkind: Config\nclusters:\n${cluster('a', 1)}\n${cluster('b', 2)}\nusers:\n- name: u\n  user: {token: t}\ncontexts:\n- name: ctx-a\n  context: {cluster: a, user: u}\n- name: ctx-b\n  context: {cluster: b, user: u}\ncurrent-context: ctx-a\n`,
    );
    assert.equal(loadKubeConfig(path, undefined, {}).getCurrentCluster()?.server, 'https://127.0.0.1:1');
    assert.equal(loadKubeConfig(path, 'ctx-b', {}).getCurrentCluster()?.server, 'https://127.0.0.1:2');
    assert.throws(() => loadKubeConfig(path, 'ctx-c', {}), /^Error: the kubeconfig has no context "ctx-c" \(KUBE_CONTEXT\)$/);
    assert.throws(() => loadKubeConfig(join(dir, 'missing.yml'), undefined, {}), /kubeconfig .*missing\.yml does not exist/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
