/**
 * The default local cluster, in the shape of the seed walkthrough (an aks-engine cluster on
 * Azure): a control-plane node `k8s-master-<id>-0` and a scale set `k8s-agentpool1-<id>-vmss`
 * whose instances become the agent nodes, all run by one in-process node agent; then a demo app.
 * Every piece is a client of the API through the kubeconfig, as on a real cluster.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import type { Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import { createClient, createManager, isAlreadyExists, kinds, type Client, type KObject } from '../runtime/index.js';
import { startNodeAgent, type NodeAgent, type NodeSpec } from '../cluster/node/index.js';
import { ensureScaleSetCRD, registerCloudController, scaleSetKind, vmProviderID, type InstanceNode, type NodeHost } from '../cluster/cloud/index.js';
import { loadKubeConfig } from './control-plane.js';
import { parseOptions } from '../autoscaler/index.js';
import { startAutoscaler, type RunningAutoscaler } from '../autoscaler/loop/index.js';

export type Runtime = 'process' | 'simulated';

export interface LocalClusterOptions {
  kubeconfigPath: string;
  dataDir: string;
  logger: Logger;
  signal: AbortSignal;
  /** Instances of the agent pool when it is first created (later starts keep what the scale set says). */
  agents: number;
  runtime: Runtime;
  /** Loopback CIDR that process pods take their IPs from (one /24 per node). */
  clusterCIDR: string;
  demo: boolean;
  /** Run cluster-autoscaler over the agent pool (min = the initial capacity, max = at least 5). */
  autoscaler: boolean;
  progress: (line: string) => void;
}

export interface LocalCluster {
  clusterId: string;
  master: string;
  scaleSet: string;
  /** The autoscaler's node group bounds, when it runs. */
  autoscaler?: { min: number; max: number; metricsPort?: number };
  /** The demo pods' `<ip>:<port>`, once Ready (empty without the demo or when they did not get Ready in time). */
  demoEndpoints: string[];
  stopped: Promise<void>;
}

/** The cluster's identity, kept in the data dir: the 8-digit id in node names, and the simulated subscription. */
export interface ClusterIdentity {
  id: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
}

export function ensureClusterIdentity(dataDir: string): ClusterIdentity {
  const file = join(dataDir, 'cluster.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as ClusterIdentity;
  const id = String(randomInt(10_000_000, 100_000_000));
  const identity: ClusterIdentity = { id, subscriptionId: randomUUID(), resourceGroup: `flotilla-${id}`, location: 'local' };
  writeFileSync(file, `${JSON.stringify(identity, null, 2)}\n`, { mode: 0o600 });
  return identity;
}

/** Standard_D2s_v3: what the seed's agent pool ran. */
const AGENT_SKU = { name: 'Standard_D2s_v3', cpu: '2', memory: '8Gi', pods: 110 };
const MASTER_TAINT = { key: 'node-role.kubernetes.io/master', value: 'true', effect: 'NoSchedule' as const };
export const DEMO_NAME = 'echo';
const DEMO_NAMESPACE = 'default';
const READY_TIMEOUT_MS = 60_000;

function masterSpec(identity: ClusterIdentity, runtime: Runtime): NodeSpec {
  const name = `k8s-master-${identity.id}-0`;
  return {
    name,
    runtime,
    cpu: AGENT_SKU.cpu,
    memory: AGENT_SKU.memory,
    pods: AGENT_SKU.pods,
    roles: ['master'],
    taints: [MASTER_TAINT],
    providerID: vmProviderID(identity.subscriptionId, identity.resourceGroup, name),
    labels: {
      'kubernetes.io/role': 'master',
      'node.kubernetes.io/instance-type': AGENT_SKU.name,
      'topology.kubernetes.io/region': identity.location,
      'topology.kubernetes.io/zone': '0',
      'failure-domain.beta.kubernetes.io/region': identity.location,
      'failure-domain.beta.kubernetes.io/zone': '0',
    },
  };
}

function nodeSpecOf(n: InstanceNode): NodeSpec {
  return {
    name: n.nodeName,
    runtime: n.runtime,
    cpu: n.cpu,
    memory: n.memory,
    pods: n.pods,
    labels: n.labels,
    taints: n.taints,
    roles: n.roles,
    providerID: n.providerID,
  };
}

function demoObjects(): { deployment: Deployment; service: Service } {
  const labels = { app: DEMO_NAME };
  return {
    deployment: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: DEMO_NAME, namespace: DEMO_NAMESPACE, labels },
      spec: {
        replicas: 2,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            containers: [
              {
                name: DEMO_NAME,
                image: 'flotilla/echo:1.0',
                ports: [{ name: 'http', containerPort: 8080 }],
                readinessProbe: { httpGet: { path: '/ping', port: 8080 }, periodSeconds: 2 },
                resources: { requests: { cpu: '50m', memory: '32Mi' } },
              },
            ],
          },
        },
      },
    },
    service: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: DEMO_NAME, namespace: DEMO_NAMESPACE, labels },
      spec: { selector: labels, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    },
  };
}

async function createIfAbsent(client: Client, kind: Parameters<Client['create']>[0], obj: object): Promise<void> {
  try {
    await client.create(kind, obj as KObject);
  } catch (e) {
    if (!isAlreadyExists(e)) throw e;
  }
}

async function waitUntil<T>(signal: AbortSignal, timeoutMs: number, check: () => Promise<T | undefined>, onTick?: (elapsedMs: number) => void): Promise<T | undefined> {
  const start = Date.now();
  let lastTick = start;
  while (!signal.aborted && Date.now() - start < timeoutMs) {
    const v = await check();
    if (v !== undefined) return v;
    if (onTick && Date.now() - lastTick >= 5_000) {
      lastTick = Date.now();
      onTick(Date.now() - start);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return undefined;
}

const isReady = (n: Node): boolean => Boolean(n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
const podReady = (p: Pod): boolean => Boolean(p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));

export async function startLocalCluster(opts: LocalClusterOptions): Promise<LocalCluster> {
  const identity = ensureClusterIdentity(opts.dataDir);
  const kubeConfig = loadKubeConfig(opts.kubeconfigPath);
  const client = createClient(kubeConfig, { fieldManager: 'flotilla-up' });
  const agent: NodeAgent = await startNodeAgent({
    kubeConfig,
    logger: opts.logger,
    signal: opts.signal,
    dataDir: opts.dataDir,
    loopbackCIDR: opts.clusterCIDR,
    nodes: [],
  });
  const master = masterSpec(identity, opts.runtime);
  await agent.add(master);

  const host: NodeHost = { ensure: (n) => agent.add(nodeSpecOf(n)), remove: (name) => agent.remove(name) };
  await ensureScaleSetCRD(client);
  const cloud = createManager({ kubeConfig, name: 'flotilla-cloud', logger: opts.logger, port: 0 });
  registerCloudController(cloud, { host });
  await cloud.start(opts.signal);

  const scaleSet = `k8s-agentpool1-${identity.id}-vmss`;
  await createIfAbsent(client, scaleSetKind, {
    apiVersion: `${scaleSetKind.apiVersion}`,
    kind: scaleSetKind.kind,
    metadata: { name: scaleSet },
    spec: {
      capacity: opts.agents,
      sku: AGENT_SKU,
      location: identity.location,
      resourceGroup: identity.resourceGroup,
      subscriptionId: identity.subscriptionId,
      zones: ['1', '2', '3'],
      roles: ['agent'],
      nodeLabels: { 'kubernetes.io/role': 'agent' },
      runtime: opts.runtime,
      tags: { poolName: 'agentpool1', 'orchestrator': 'Kubernetes:1.32.5' },
    },
  });
  // cluster-autoscaler finds the pool by its tags, as on Azure (--node-group-auto-discovery).
  let autoscaler: RunningAutoscaler | undefined;
  const bounds = { min: opts.agents, max: Math.max(opts.agents, 5) };
  if (opts.autoscaler) {
    autoscaler = await startAutoscaler({
      kubeConfig,
      logger: opts.logger,
      signal: opts.signal,
      metricsPort: 0,
      host: '127.0.0.1',
      options: parseOptions([`--node-group-auto-discovery=label:poolName=agentpool1,min=${bounds.min},max=${bounds.max}`]),
    });
  }
  const want = 1 + opts.agents;
  const ready = await waitUntil(
    opts.signal,
    READY_TIMEOUT_MS,
    async () => {
      const nodes = (await client.list(kinds.nodes)).items as unknown as Node[];
      const n = nodes.filter(isReady).length;
      return n >= want ? n : undefined;
    },
    (ms) => opts.progress(`      waiting for ${want} Ready nodes (${Math.round(ms / 1000)}s)`),
  );
  if (ready === undefined && !opts.signal.aborted) opts.progress(`      not all ${want} nodes are Ready yet: see kubectl get nodes`);

  const demoEndpoints: string[] = [];
  if (opts.demo) {
    const { deployment, service } = demoObjects();
    await createIfAbsent(client, kinds.deployments, deployment);
    await createIfAbsent(client, kinds.services, service);
    const endpoints = await waitUntil(
      opts.signal,
      READY_TIMEOUT_MS,
      async () => {
        const pods = ((await client.list(kinds.pods, { namespace: DEMO_NAMESPACE, labelSelector: `app=${DEMO_NAME}` })).items as unknown as Pod[]).filter((p) => !p.metadata?.deletionTimestamp);
        const readyPods = pods.filter(podReady);
        return readyPods.length >= 2 ? readyPods.map((p) => `${p.status?.podIP}:8080`) : undefined;
      },
      (ms) => opts.progress(`      waiting for the demo pods to be Ready (${Math.round(ms / 1000)}s)`),
    );
    if (endpoints) demoEndpoints.push(...endpoints);
  }
  return {
    clusterId: identity.id,
    master: master.name,
    scaleSet,
    demoEndpoints,
    ...(autoscaler ? { autoscaler: { ...bounds, metricsPort: autoscaler.port() } } : {}),
    stopped: Promise.all([agent.stopped, cloud.done(), autoscaler?.done()]).then(() => undefined),
  };
}
