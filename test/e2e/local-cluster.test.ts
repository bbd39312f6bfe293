/**
 * The local cluster as `flotilla up` starts it for a user: the API server with the controllers,
 * the scheduler and three simulated nodes, driven only with kubectl — the README's quick start.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sharedCluster, waitFor } from '../support/cluster.js';

const { skip, run, ok } = await sharedCluster({ controlPlane: true });

const example = (name: string) => readFileSync(fileURLToPath(new URL(`../../../examples/${name}`, import.meta.url)), 'utf8');

test('the cluster has three Ready nodes', { skip }, async () => {
  await waitFor('three Ready nodes', async () => {
    const out = await ok(['get', 'nodes', '--no-headers']);
    const ready = out.trim().split('\n').filter((l) => /\sReady\s/.test(l));
    return ready.length === 3;
  });
  assert.match(await ok(['get', 'nodes']), /^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\nflotilla-node-0\s+Ready\s+worker\s+\S+\s+v1\.32\.5\n/);
});

test('examples/web.yaml rolls out: pods Running on nodes with IPs, endpoints, describe', { skip }, async () => {
  assert.equal(await ok(['apply', '-f', '-'], example('web.yaml')), 'deployment.apps/web created\nservice/web created\n');
  const status = await ok(['rollout', 'status', 'deployment/web', '--timeout=60s']);
  assert.match(status, /deployment "web" successfully rolled out\n$/);
  const pods = (await ok(['get', 'pods', '-l', 'app=web', '-o', 'wide', '--no-headers'])).trim().split('\n');
  assert.equal(pods.length, 2);
  for (const line of pods) assert.match(line, /^web-[a-z0-9]+-[a-z0-9]{5}\s+1\/1\s+Running\s+0\s+\S+\s+10\.42\.\d+\.\d+\s+flotilla-node-\d\s/);
  const endpoints = await waitFor('two endpoints', async () => {
    const out = await ok(['get', 'endpoints', 'web', '-o', 'jsonpath={.subsets[*].addresses[*].ip}']);
    return out.split(' ').filter(Boolean).length === 2 && out;
  });
  assert.match(endpoints, /^10\.42\.\d+\.\d+ 10\.42\.\d+\.\d+$/);
  const describe = await ok(['describe', 'service', 'web']);
  assert.match(describe, /Endpoints:\s+10\.42\.\d+\.\d+:8080,10\.42\.\d+\.\d+:8080\n/);
});

test('a rolling update, then rollout undo', { skip }, async () => {
  await ok(['set', 'image', 'deployment/web', 'web=flotilla/echo:2.0']);
  await ok(['rollout', 'status', 'deployment/web', '--timeout=60s']);
  assert.equal(await ok(['get', 'deployment', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].image}']), 'flotilla/echo:2.0');
  await ok(['rollout', 'undo', 'deployment/web']);
  await ok(['rollout', 'status', 'deployment/web', '--timeout=60s']);
  assert.equal(await ok(['get', 'deployment', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].image}']), 'flotilla/echo:1.0');
  assert.match(await ok(['rollout', 'history', 'deployment/web']), /REVISION\s+CHANGE-CAUSE\n2\s+<none>\n3\s+<none>\n/);
});

test('a pod that fits no node stays Pending with the scheduler reason', { skip }, async () => {
  await ok(['run', 'huge', '--image=nginx', '--overrides={"spec":{"containers":[{"name":"huge","image":"nginx","resources":{"requests":{"cpu":"64"}}}]}}']);
  const describe = await waitFor('a FailedScheduling event', async () => {
    const out = (await run(['describe', 'pod', 'huge'])).stdout;
    return out.includes('FailedScheduling') && out;
  });
  assert.match(describe, /Status:\s+Pending\n/);
  assert.match(describe, /Warning\s+FailedScheduling\s+\S+\s+default-scheduler\s+0\/3 nodes are available: 3 Insufficient cpu\./);
  const condition = await ok(['get', 'pod', 'huge', '-o', 'jsonpath={.status.conditions[?(@.type=="PodScheduled")].reason}']);
  assert.equal(condition, 'Unschedulable');
});

test('deleting the deployment removes its replica sets and pods', { skip }, async () => {
  await ok(['delete', 'deployment', 'web']);
  await waitFor('the pods to go', async () => (await ok(['get', 'pods', '-l', 'app=web', '-o', 'name'])) === '');
  assert.equal(await ok(['get', 'replicasets', '-o', 'name']), '');
});
