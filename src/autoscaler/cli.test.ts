import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Command } from 'commander';
import { registerAutoscalerCommands } from './cli.js';

async function run(args: string[]): Promise<{ out: string; err: string; code?: number }> {
  let out = '';
  let err = '';
  let code: number | undefined;
  const program = new Command().exitOverride();
  registerAutoscalerCommands(program, { stdout: (s) => (out += s), stderr: (s) => (err += s), exit: (c) => void (code ??= c) });
  await program.parseAsync(['node', 'flotilla', ...args]);
  return { out, err, code };
}

const cases: Record<string, { args: string[]; err: string }> = {
  'a bad duration names the flag and Go\'s message': { args: ['--scan-interval=10'], err: 'error: invalid value for --scan-interval: time: missing unit in duration "10"\n' },
  'an unknown flag': { args: ['--no-such-flag=1'], err: 'error: invalid value for --no-such-flag: unknown flag\n' },
  'a bad --nodes spec, upstream\'s text': { args: ['--nodes=1:x:pool'], err: 'error: invalid value for --nodes: failed to set max size: x, expected integer\n' },
  'no node groups at all': {
    args: ['--scan-interval=1s'],
    err: 'error: no node groups: give --nodes=<min>:<max>:<scale set> or --node-group-auto-discovery=label:<tag>=<value>[,min=N,max=M]\n',
  },
  'a bad metrics port': { args: ['--metrics-port', '99999', '--nodes=1:2:a'], err: 'error: --metrics-port must be a port number (0-65535), not "99999"\n' },
};

for (const [name, c] of Object.entries(cases)) {
  test(`autoscaler run: ${name}`, async () => {
    const r = await run(['autoscaler', 'run', '--kubeconfig', '/nonexistent', ...c.args]);
    assert.equal(r.err, c.err);
    assert.equal(r.code, 1);
    assert.equal(r.out, '');
  });
}

test('autoscaler run: an empty --kubeconfig outside a pod is an error, not a client of https://undefined', async () => {
  const saved = process.env.KUBERNETES_SERVICE_HOST;
  delete process.env.KUBERNETES_SERVICE_HOST;
  try {
    const r = await run(['autoscaler', 'run', '--kubeconfig=', '--nodes=1:2:a']);
    assert.equal(r.err, 'error: --kubeconfig is empty but this is not a pod (KUBERNETES_SERVICE_HOST is unset): give a kubeconfig file\n');
    assert.equal(r.code, 1);
  } finally {
    if (saved !== undefined) process.env.KUBERNETES_SERVICE_HOST = saved;
  }
});

test('autoscaler status: an unreadable kubeconfig is one error line', async () => {
  const r = await run(['autoscaler', 'status', '--kubeconfig', '/nonexistent/kubeconfig']);
  assert.equal(r.code, 1);
  assert.match(r.err, /^error: .*\n$/);
});

test('autoscaler simulate: a bad trace is one line naming the file and the field', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-sim-'));
  try {
    const trace = join(dir, 'trace.yaml');
    writeFileSync(trace, 'scaleSets:\n  - { name: a, sku: { cpu: 2, memory: 4Gi }, max: 0 }\n');
    const r = await run(['autoscaler', 'simulate', '--trace', trace, '--out', dir]);
    assert.equal(r.err, `error: ${trace}: scaleSets[0].max: must be a whole number, 1 or more\n`);
    assert.equal(r.code, 1);
    writeFileSync(trace, 'options: { scan-interval: "10" }\nscaleSets:\n  - { name: a, sku: { cpu: 2, memory: 4Gi }, max: 2 }\n');
    const r2 = await run(['autoscaler', 'simulate', '--trace', trace, '--out', dir]);
    assert.equal(r2.err, `error: ${trace}: options.scan-interval: time: missing unit in duration "10"\n`);
    const r3 = await run(['autoscaler', 'simulate', '--trace', join(dir, 'missing.yaml')]);
    assert.match(r3.err, /^error: cannot read the trace: ENOENT.*\n$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('autoscaler simulate: writes report.json and report.svg and prints the summary; flags override the trace', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-sim-'));
  try {
    const trace = join(dir, 'trace.yaml');
    writeFileSync(trace, 'duration: 20m\nscaleSets:\n  - { name: a, sku: { cpu: 2, memory: 4Gi }, min: 1, max: 3, initial: 1 }\nevents:\n  - { at: 0s, arrive: web, count: 3, requests: { cpu: 1500m } }\n');
    const r = await run(['autoscaler', 'simulate', '--trace', trace, '--out', join(dir, 'out'), '--scan-interval=30s']);
    assert.equal(r.code, undefined, r.err);
    assert.match(r.out, /^simulated 20m0s in 41 autoscaler iterations \(scan interval 30s\)\n/);
    assert.match(r.out, /^peak nodes {4}3 at /m);
    const report = JSON.parse(readFileSync(join(dir, 'out', 'report.json'), 'utf8'));
    assert.deepEqual(report.flags, ['--scan-interval=30s']);
    assert.equal(report.decisions[0].actions[0], 'scale up a 1->3 (max: 3)');
    assert.match(readFileSync(join(dir, 'out', 'report.svg'), 'utf8'), /^<svg /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('autoscaler why: one pod, and node groups as for run', async () => {
  const none = await run(['autoscaler', 'why', 'web-1', '--kubeconfig', '/nonexistent']);
  assert.match(none.err, /^error: no node groups: give --nodes/);
  const two = await run(['autoscaler', 'why', 'web-1', 'web-2', '--nodes=1:3:a']);
  assert.equal(two.err, 'error: give one pod, as <name> or <namespace>/<name> (got web-1 web-2)\n');
  // The pod may follow flags written `--name value`; the kubeconfig is read only after that.
  const ok = await run(['autoscaler', 'why', '--expander', 'least-waste', 'web-1', '--nodes', '1:3:a', '--kubeconfig', '/nonexistent/kubeconfig']);
  assert.match(ok.err, /^error: ENOENT/);
});
