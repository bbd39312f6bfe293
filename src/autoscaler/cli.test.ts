import assert from 'node:assert/strict';
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
