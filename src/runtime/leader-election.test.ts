import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createFakeClient, createLeaderElector, kinds, type Client, type KObject } from './index.js';

async function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

const timing = { leaseDurationMs: 600, renewDeadlineMs: 400, retryPeriodMs: 50 };
type Lease = KObject & { spec: { holderIdentity: string; leaseTransitions: number; leaseDurationSeconds: number; renewTime: string } };

test('leader election: one leader, hand-over on release, leadership lost when renewals fail', async () => {
  const api = createFakeClient();
  let failing = false;
  const flaky: Client = { ...api, update: (t, o) => (failing ? Promise.reject(new Error('network down')) : api.update(t, o)) };
  const log: string[] = [];
  const make = (identity: string, client: Client) =>
    createLeaderElector({
      client,
      namespace: 'kube-system',
      name: 'lock',
      identity,
      ...timing,
      onStartedLeading: (signal) => {
        log.push(`${identity} leads`);
        return new Promise<void>((r) => signal.addEventListener('abort', () => (log.push(`${identity} stops`), r())));
      },
      onNewLeader: (id) => log.push(`${identity} sees ${id}`),
    });
  const a = make('a', flaky);
  const b = make('b', api);
  const stopA = new AbortController();
  const stopB = new AbortController();
  const runA = a.run(stopA.signal);
  await until('a to lead', () => a.isLeader());
  const runB = b.run(stopB.signal);
  await until('b to see a', () => b.leader() === 'a');
  await new Promise((r) => setTimeout(r, timing.leaseDurationMs)); // a keeps renewing: b must not take over
  assert.equal(b.isLeader(), false);
  const lease = (await api.get<Lease>(kinds.leases, 'kube-system', 'lock'))!;
  assert.equal(lease.spec.holderIdentity, 'a');
  assert.equal(lease.spec.leaseDurationSeconds, 1);
  assert.match(lease.spec.renewTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);

  // a cannot renew: after the renew deadline it stops leading; b takes over once the lease expires.
  failing = true;
  await runA;
  assert.equal(a.isLeader(), false);
  await until('b to lead', () => b.isLeader(), 5000);
  assert.equal((await api.get<Lease>(kinds.leases, 'kube-system', 'lock'))!.spec.leaseTransitions, 1);

  // b stops cleanly: the lease is released (empty holder) for a successor.
  stopB.abort();
  await runB;
  assert.equal((await api.get<Lease>(kinds.leases, 'kube-system', 'lock'))!.spec.holderIdentity, '');
  assert.deepEqual(log, ['a sees a', 'a leads', 'b sees a', 'a stops', 'b sees b', 'b leads', 'b stops']);
});

test('leader election: refuses inconsistent timings', () => {
  const base = { client: createFakeClient(), namespace: 'n', name: 'l', identity: 'i', onStartedLeading() {} };
  assert.throws(() => createLeaderElector({ ...base, leaseDurationMs: 1000, renewDeadlineMs: 1000 }), /leaseDurationMs must be greater/);
  assert.throws(() => createLeaderElector({ ...base, renewDeadlineMs: 2000, retryPeriodMs: 2000 }), /renewDeadlineMs must be greater/);
});
