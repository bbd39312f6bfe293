/**
 * The shell against an in-memory API (createFakeClient) with a fake clock; a tiny stand-in for
 * the Deployment controller and kubelets runs whenever the runner waits: every Deployment gets its
 * pods (Ready, or crash-looping for a `crashloop` image) and a finished rollout status.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Deployment, V1Endpoints, V1Pod, V1Service } from '@kubernetes/client-node';
import { ApiError, createFakeClient, kinds, type Client, type FakeClient } from '../runtime/index.js';
import type { AnalysisCheck, AnalysisResult } from './analysis.js';
import type { Command } from './machine.js';
import { RECORD_ANNOTATION } from './record.js';
import { execute, type Rollout } from './runner.js';

const NS = 'default';

interface World {
  client: FakeClient;
  /** Deployments whose rollout never finishes. */
  stuck: Set<string>;
  /** Deployments that get one pod fewer than desired (a finished status all the same). */
  short: Set<string>;
  settle(): Promise<void>;
}

async function world(o: { service?: Partial<V1Service> | null } = {}): Promise<World> {
  const client = createFakeClient();
  const w: World = {
    client,
    stuck: new Set(),
    short: new Set(),
    async settle() {
      const deployments = (await client.list<V1Deployment>(kinds.deployments, { namespace: NS })).items;
      const pods = (await client.list<V1Pod>(kinds.pods, { namespace: NS })).items;
      for (const p of pods) {
        const owner = p.metadata?.labels?.['test/owner'];
        const d = deployments.find((x) => x.metadata?.name === owner);
        if (owner && (!d || d.spec?.replicas === 0)) await client.delete(kinds.pods, NS, p.metadata!.name!);
      }
      for (const d of deployments) {
        const name = d.metadata!.name!;
        if (w.stuck.has(name)) continue;
        const want = Math.max(0, (d.spec?.replicas ?? 1) - (w.short.has(name) ? 1 : 0));
        const crash = (d.spec?.template.spec?.containers[0].image ?? '').includes('crashloop');
        const have = pods.filter((p) => p.metadata?.labels?.['test/owner'] === name).length;
        for (let i = have; i < want; i++) {
          await client.create<V1Pod>(kinds.pods, {
            metadata: { name: `${name}-pod${i}`, namespace: NS, labels: { ...d.spec!.template.metadata!.labels, 'test/owner': name } },
            spec: { containers: [{ name: 'shop', ports: [{ containerPort: 8080 }] }] },
            status: {
              phase: 'Running',
              podIP: `10.0.${name.length}.${i + 1}`,
              conditions: [{ type: 'Ready', status: crash ? 'False' : 'True' }],
              containerStatuses: [{ name: 'shop', image: '', imageID: '', ready: !crash, restartCount: crash ? 3 : 0, ...(crash ? { state: { waiting: { reason: 'CrashLoopBackOff' } } } : {}) }],
            },
          });
        }
        const n = d.spec?.replicas ?? 1;
        if (d.status?.availableReplicas !== n || d.status?.replicas !== n) {
          await client.patchStatus(kinds.deployments, NS, name, { status: { observedGeneration: 0, replicas: n, updatedReplicas: n, readyReplicas: n, availableReplicas: n } });
        }
      }
    },
  };
  if (o.service !== null) {
    await client.create<V1Service>(kinds.services, {
      metadata: { name: 'shop', namespace: NS },
      spec: { selector: { app: 'shop', version: '1' }, ports: [{ port: 80, targetPort: 8080 as never }] },
      ...o.service,
    });
  }
  await client.create<V1Deployment>(kinds.deployments, {
    metadata: { name: 'shop-1', namespace: NS, labels: { app: 'shop', version: '1' }, uid: 'x', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'shop', version: '1' } },
      template: { metadata: { labels: { app: 'shop', version: '1' } }, spec: { containers: [{ name: 'shop', image: 'flotilla/echo:1' }] } },
    },
  });
  await w.settle();
  return w;
}

const rollout = (over: Partial<Rollout> = {}): Rollout => ({
  service: 'shop',
  namespace: NS,
  deployment: 'shop',
  newVersion: '2',
  healthSeconds: 5,
  timeoutMs: 60_000,
  maxRestarts: 2,
  images: {},
  autoPromote: true,
  analysis: [],
  ...over,
});

async function go(w: World, command: Command, r: Rollout, o: { client?: Client; check?: (c: AnalysisCheck) => Promise<AnalysisResult>; signal?: AbortSignal; onSleep?: () => void } = {}) {
  let t = 1_000_000;
  const out: string[] = [];
  const err: string[] = [];
  const code = await execute(command, r, {
    connect: () => o.client ?? w.client,
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    now: () => t,
    sleep: async (ms) => {
      t += ms;
      o.onSleep?.();
      await w.settle();
    },
    signal: o.signal,
    check: o.check ?? (async (c) => ({ ...c, ok: true, detail: '200 OK' })),
  });
  return { code, out, err, deploy: out.filter((l) => l.startsWith('[DEPLOY')) };
}

const selector = async (w: World) => (await w.client.get<V1Service>(kinds.services, NS, 'shop'))?.spec?.selector;
const exists = async (w: World, name: string) => (await w.client.get(kinds.deployments, NS, name)) !== undefined;

test('the seed path: copy, wait, health, switch only the version, delete the old colour', async () => {
  const w = await world();
  const r = await go(w, 'run', rollout());
  assert.equal(r.code, 0, r.err.join('\n'));
  assert.deepEqual(r.err, []);
  assert.equal(r.deploy.length, 9);
  assert.deepEqual(await selector(w), { app: 'shop', version: '2' });
  assert.equal(await exists(w, 'shop-1'), false);
  const d = await w.client.get<V1Deployment>(kinds.deployments, NS, 'shop-2');
  assert.equal(d?.spec?.template.spec?.containers[0].image, 'flotilla/echo:2');
  assert.equal(d?.metadata?.annotations, undefined, 'no last-applied annotation carried over');
  assert.equal((await w.client.get<V1Service>(kinds.services, NS, 'shop'))?.metadata?.annotations?.[RECORD_ANNOTATION], undefined);
  assert.ok(r.out.includes('[DEPLOY INFO] Waiting for 5 seconds before healthcheck'));
});

test('no Service: fail before creating anything (the step went on and "switched")', async () => {
  const w = await world({ service: null });
  const r = await go(w, 'run', rollout());
  assert.equal(r.code, 1);
  assert.deepEqual(r.err, ['error: service default/shop not found']);
  assert.deepEqual(r.deploy, ['[DEPLOY INFO] Selecting Kubernetes cluster', '[DEPLOY INFO] Locating current version']);
  assert.equal(await exists(w, 'shop-2'), false);
});

test('a Service that does not select on version: a clear error, nothing created', async () => {
  const w = await world({ service: { spec: { selector: { app: 'shop' } } } });
  const r = await go(w, 'run', rollout());
  assert.equal(r.code, 1);
  assert.deepEqual(r.err, ['error: service default/shop has no "version" in its selector: blue/green switches spec.selector.version']);
  assert.equal(await exists(w, 'shop-2'), false);
});

test('an API error fails fast with one line; the Service is untouched', async () => {
  const w = await world();
  const forbidding: Client = {
    ...w.client,
    async create(type, obj) {
      if (type === kinds.deployments) throw new ApiError(403, 'Forbidden', 'deployments.apps is forbidden: User "ci" cannot create resource "deployments"');
      return w.client.create(type, obj);
    },
  };
  const r = await go(w, 'run', rollout(), { client: forbidding });
  assert.equal(r.code, 1);
  assert.deepEqual(r.err, ['error: cannot create deployment default/shop-2: deployments.apps is forbidden: User "ci" cannot create resource "deployments" (HTTP 403 Forbidden)']);
  assert.deepEqual(r.deploy.slice(-2), ['[DEPLOY NEW COLOR] Creating next version', '[DEPLOY FAILED] Removing new color']);
  assert.deepEqual(await selector(w), { app: 'shop', version: '1' });
});

test('the rollout wait times out: failed like an unhealthy colour', async () => {
  const w = await world();
  w.stuck.add('shop-2');
  const r = await go(w, 'run', rollout({ timeoutMs: 30_000 }));
  assert.equal(r.code, 1);
  assert.match(r.err[0], /^error: deployment "shop-2" did not finish rolling out within 30s \(--timeout\): /);
  assert.deepEqual(r.deploy.slice(-2), ['[DEPLOY HEALTH] New color is unhealthy', '[DEPLOY FAILED] Removing new color']);
  assert.equal(await exists(w, 'shop-2'), false);
  assert.deepEqual(await selector(w), { app: 'shop', version: '1' });
});

test('health: crash-looping pods fail; fewer pods than desired fail; other apps\' pods with the same version do not count', async () => {
  const crash = await world();
  const r1 = await go(crash, 'run', rollout({ images: { shop: 'flotilla/crashloop:2' } }));
  assert.equal(r1.code, 1);
  assert.ok(r1.out.includes('  6 restarts in total, more than 2'), r1.out.join('\n'));
  assert.equal(await exists(crash, 'shop-2'), false);

  const short = await world();
  short.short.add('shop-2');
  const r2 = await go(short, 'run', rollout());
  assert.equal(r2.code, 1);
  assert.ok(r2.out.includes('  1 of 2 desired pods are Ready'), r2.out.join('\n'));

  const shared = await world();
  await shared.client.create<V1Pod>(kinds.pods, {
    metadata: { name: 'other-app', namespace: NS, labels: { app: 'other', version: '2' } },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }], containerStatuses: [{ name: 'x', image: '', imageID: '', ready: false, restartCount: 40 }] },
  });
  const r3 = await go(shared, 'run', rollout());
  assert.equal(r3.code, 0, r3.out.join('\n'));
});

test('post-promotion analysis fails: traffic switched back, the new colour removed, the old one kept', async () => {
  const w = await world();
  let calls = 0;
  const r = await go(w, 'run', rollout({ analysis: ['/healthz'] }), {
    // Two pods: the first two requests are the pre-promotion analysis; afterwards the app breaks.
    check: async (c) => ({ ...c, ok: ++calls <= 2, detail: calls <= 2 ? '200 OK' : '500 Internal Server Error' }),
  });
  assert.equal(r.code, 1);
  assert.deepEqual(r.deploy.slice(-5), [
    '[DEPLOY SWITCH] Routing traffic to new color',
    '[DEPLOY ANALYSIS] Running post-promotion analysis',
    '[DEPLOY ANALYSIS] Post-promotion analysis failed',
    '[DEPLOY ROLLBACK] Routing traffic back to previous color',
    '[DEPLOY FAILED] Removing new color',
  ]);
  assert.ok(r.out.includes('  GET http://10.0.6.1:8080/healthz (shop-2-pod0): 500 Internal Server Error'), r.out.join('\n'));
  assert.deepEqual(await selector(w), { app: 'shop', version: '1' });
  assert.equal(await exists(w, 'shop-2'), false);
  assert.equal(await exists(w, 'shop-1'), true);
});

test('pause, then promote reads everything from the Service\'s record', async () => {
  const w = await world();
  const paused = await go(w, 'run', rollout({ autoPromote: false, scaleDownDelayMs: 30_000 }));
  assert.equal(paused.code, 0);
  const svc = await w.client.get<V1Service>(kinds.services, NS, 'shop');
  assert.equal(JSON.parse(svc!.metadata!.annotations![RECORD_ANNOTATION]).phase, 'Paused');
  assert.deepEqual(svc?.spec?.selector, { app: 'shop', version: '1' });
  // promote knows only the Service: deployment, versions and the delay come from the record.
  const promoted = await go(w, 'promote', rollout({ deployment: '', newVersion: '', autoPromote: true }));
  assert.equal(promoted.code, 0, promoted.err.join('\n'));
  assert.deepEqual(await selector(w), { app: 'shop', version: '2' });
  assert.equal((await w.client.get<V1Deployment>(kinds.deployments, NS, 'shop-1'))?.spec?.replicas, 0, 'scaled to zero after the delay, not deleted');
  assert.deepEqual(promoted.deploy.slice(-2), ['[DEPLOY INFO] Keeping previous color for 30s before scaling it down: "flotilla bluegreen rollback shop" switches back', '[DEPLOY CLEANUP] Scaling previous color to zero']);
});

test('interrupted (SIGTERM) during the health window: the new colour is removed, the Service untouched, exit 1', async () => {
  const w = await world();
  const stop = new AbortController();
  let sleeps = 0;
  // The rollout wait sleeps once; the second sleep is the health window: the signal comes then.
  const r = await go(w, 'run', rollout({ healthSeconds: 60 }), { signal: stop.signal, onSleep: () => ++sleeps === 2 && stop.abort('SIGTERM') });
  assert.equal(r.code, 1);
  assert.deepEqual(r.err, ['error: interrupted (SIGTERM)']);
  assert.deepEqual(r.deploy.slice(-2), ['[DEPLOY INFO] Waiting for 60 seconds before healthcheck', '[DEPLOY FAILED] Removing new color']);
  assert.equal(await exists(w, 'shop-2'), false);
  assert.deepEqual(await selector(w), { app: 'shop', version: '1' });
});

test('after the switch, the old colour is deleted only once the Service\'s endpoints have left it', async () => {
  const w = await world();
  // An endpoints controller one settle behind: the Endpoints show the pods the selector chose last time.
  let previous: V1Pod[] = [];
  const sync = async () => {
    const sel = (await w.client.get<V1Service>(kinds.services, NS, 'shop'))?.spec?.selector ?? {};
    const shown = previous;
    previous = (await w.client.list<V1Pod>(kinds.pods, { namespace: NS })).items.filter((p) => Object.entries(sel).every(([k, v]) => p.metadata?.labels?.[k] === v));
    const subsets = shown.length ? [{ addresses: shown.map((p) => ({ ip: p.status!.podIP!, targetRef: { kind: 'Pod', name: p.metadata!.name! } })) }] : [];
    if (await w.client.get(kinds.endpoints, NS, 'shop')) await w.client.patch(kinds.endpoints, NS, 'shop', { subsets }, 'merge');
    else await w.client.create(kinds.endpoints, { metadata: { name: 'shop', namespace: NS }, subsets });
  };
  const settle = w.settle.bind(w);
  w.settle = async () => {
    await settle();
    await sync();
  };
  await w.settle();
  await w.settle();
  // Record what the Endpoints held when shop-1 was deleted.
  const atDelete: string[][] = [];
  const client = new Proxy(w.client, {
    get(target, prop, receiver) {
      if (prop === 'delete') {
        return async (...args: Parameters<Client['delete']>) => {
          if (args[0] === kinds.deployments && args[2] === 'shop-1') {
            const ep = await target.get<V1Endpoints>(kinds.endpoints, NS, 'shop');
            atDelete.push((ep?.subsets ?? []).flatMap((s) => s.addresses ?? []).map((a) => a.targetRef?.name ?? ''));
          }
          return target.delete(...args);
        };
      }
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  }) as Client;
  const r = await go(w, 'run', rollout(), { client });
  assert.equal(r.code, 0, r.err.join('\n'));
  assert.deepEqual(atDelete, [['shop-2-pod0', 'shop-2-pod1']]);
});
