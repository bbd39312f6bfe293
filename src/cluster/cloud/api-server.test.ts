/**
 * The ScaleSet CRD and the cloud controller against a real embedded API server (in-process, on a
 * free port, with its own SQLite file): the CRD is accepted and Established, its printer columns
 * and scale subresource work with the real kubectl, the controller scales with a finalizer, and
 * `flotilla vmss` reads it through a kubeconfig.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { Command } from 'commander';
import type { Node } from 'kubernetes-types/core/v1.js';
import { ApiServer, defaultServingNames, ensureAdminToken, ensureServingMaterial } from '../../apiserver/index.js';
import { SqliteBackend } from '../../storage/index.js';
import { writeKubeconfig } from '../../cli/kubeconfig.js';
import { registerVmssCommands } from '../../cli/vmss.js';
import { createClient, createManager, kinds, silentLogger, type Client, type KObject, type Manager } from '../../runtime/index.js';
import { ensureScaleSetCRD, SCALE_SET_CRD } from './crd.js';
import { registerCloudController } from './controller.js';
import type { InstanceNode, NodeHost } from './instance-node.js';
import { scaleSetKind, type ScaleSet } from './scale-set.js';

const SS = 'k8s-agentpool1-92998111-vmss';
let dir: string;
let server: ApiServer;
let backend: SqliteBackend;
let kubeconfig: string;
let client: Client;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flotilla-cloud-'));
  backend = SqliteBackend.open(join(dir, 'state.db'));
  const tls = await ensureServingMaterial(dir, defaultServingNames(['127.0.0.1']));
  const token = ensureAdminToken(dir);
  server = new ApiServer({ backend, tls, adminToken: token, host: '127.0.0.1', port: 0, logger: silentLogger() });
  const port = await server.start();
  kubeconfig = join(dir, 'kube_config_cluster.yml');
  writeKubeconfig(kubeconfig, { server: `https://127.0.0.1:${port}`, caCertPem: tls.caCertPem, token });
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  client = createClient(kc, { fieldManager: 'cloud-test' });
});

after(async () => {
  await server?.close();
  await backend?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function until<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function kubectl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'kube-cache'), ...args], { timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}
const hasKubectl = await new Promise<boolean>((r) => execFile('kubectl', ['version', '--client'], (err) => r(!err)));

/** Registers a Ready Node per ensure, through the API, as the node agent would. */
function apiHost(calls: string[]): NodeHost {
  return {
    async ensure(n: InstanceNode) {
      calls.push(`ensure ${n.nodeName}`);
      const node: Node = { metadata: { name: n.nodeName, labels: n.labels }, spec: { providerID: n.providerID } };
      try {
        await client.create(kinds.nodes, node as unknown as KObject);
      } catch {
        // exists already
      }
      const cur = (await client.get(kinds.nodes, '', n.nodeName)) as unknown as Node;
      await client.updateStatus(kinds.nodes, { ...cur, status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'ready' }] } } as unknown as KObject);
    },
    async remove(name: string) {
      calls.push(`remove ${name}`);
    },
  };
}

const getSS = async () => (await client.get(scaleSetKind, '', SS)) as unknown as ScaleSet | undefined;
const settled = (ids: string[]) =>
  until(`instances ${ids.join(',')} Succeeded and Ready`, async () => {
    const ss = await getSS();
    const got = (ss?.status?.instances ?? []).map((i) => `${i.instanceId}:${i.provisioningState}`).join(',');
    return got === ids.map((i) => `${i}:Succeeded`).join(',') && ss?.status?.readyInstances === ids.length ? ss : undefined;
  });

test('api server: the CRD is Established, and a second ensure writes nothing', async () => {
  type Crd = { metadata: { resourceVersion: string }; spec: { names: { shortNames: string[] } } };
  await ensureScaleSetCRD(client);
  const first = (await client.get(kinds.customResourceDefinitions, '', SCALE_SET_CRD.metadata.name)) as unknown as Crd;
  await ensureScaleSetCRD(client);
  const second = (await client.get(kinds.customResourceDefinitions, '', SCALE_SET_CRD.metadata.name)) as unknown as Crd;
  assert.deepEqual(second.spec.names.shortNames, ['vmss']);
  assert.equal(second.metadata.resourceVersion, first.metadata.resourceVersion);
});

test('api server: the controller scales a ScaleSet; kubectl shows and scales it; flotilla vmss lists it; deleting it deletes its nodes', async () => {
  await ensureScaleSetCRD(client);
  const calls: string[] = [];
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const manager: Manager = createManager({ kubeConfig: kc, name: 'flotilla-cloud', logger: silentLogger() });
  registerCloudController(manager, { host: apiHost(calls) });
  await manager.start();
  try {
    await client.create(scaleSetKind, {
      apiVersion: scaleSetKind.apiVersion,
      kind: scaleSetKind.kind,
      metadata: { name: SS },
      spec: { capacity: 2, sku: { name: 'Standard_D2s_v3', cpu: 2, memory: '8Gi' }, zones: ['1', '2', '3'], provisioningDelaySeconds: 0, tags: { min: '1', max: '5' } },
    } as unknown as KObject);
    let ss = await settled(['0', '1']);
    // Server-side defaults from the schema.
    assert.deepEqual([ss.spec.location, ss.spec.resourceGroup, ss.spec.runtime, ss.spec.sku.pods], ['local', 'flotilla', 'simulated', 110]);
    assert.equal(ss.status!.observedGeneration, ss.metadata.generation);

    if (hasKubectl) {
      const get = await kubectl(['get', 'vmss']);
      assert.equal(get.code, 0, get.stderr);
      const [head, row] = get.stdout.trimEnd().split('\n');
      assert.deepEqual(head.split(/\s+/), ['NAME', 'CAPACITY', 'READY', 'SKU', 'LOCATION', 'AGE']);
      assert.deepEqual(row.split(/\s+/).slice(0, 5), [SS, '2', '2', 'Standard_D2s_v3', 'local']);
      const scale = await kubectl(['scale', 'vmss', SS, '--replicas=4']);
      assert.equal(scale.code, 0, scale.stderr);
    } else {
      await client.patch(scaleSetKind, '', SS, { spec: { capacity: 4 } });
    }
    ss = await settled(['0', '1', '2', '3']);
    assert.deepEqual(ss.status!.instances.map((i) => i.nodeName.slice(SS.length)), ['000000', '000001', '000002', '000003']);

    let out = '';
    const program = new Command().exitOverride();
    registerVmssCommands(program, { stdout: (s) => (out += s), stderr: (s) => assert.fail(s), exit: (c) => assert.fail(`exit ${c}`) });
    await program.parseAsync(['node', 'flotilla', 'vmss', 'list', '--kubeconfig', kubeconfig]);
    assert.match(out.split('\n')[2], new RegExp(`^${SS}\\s+flotilla\\s+local\\s+1 2 3\\s+4\\s+False\\s+Manual$`));
    out = '';
    await program.parseAsync(['node', 'flotilla', 'vmss', 'delete-instances', '-n', SS, '--instance-ids', '1', '--kubeconfig', kubeconfig]);
    ss = await settled(['0', '2', '3']);
    assert.equal(ss.spec.capacity, 3);
    assert.equal(await client.get(kinds.nodes, '', `${SS}000001`), undefined);

    await client.delete(scaleSetKind, '', SS);
    await until('the ScaleSet gone', async () => (await getSS()) === undefined);
    assert.deepEqual((await client.list(kinds.nodes)).items, []);
    assert.deepEqual(calls.filter((c) => c.startsWith('remove')).map((c) => c.slice(-6)).sort(), ['000000', '000001', '000002', '000003']);
  } finally {
    await manager.stop();
  }
});
