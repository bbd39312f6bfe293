import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1ContainerPort } from '@kubernetes/client-node';
import { newPodInfo } from '../framework.js';
import { container, makePod, nodeInfo } from '../testing.js';
import { nodePorts } from './node-ports.js';

const withPorts = (name: string, ports: V1ContainerPort[]) => makePod({ name, containers: [container('c', {}, { ports })] });

test('host ports conflict on the same protocol and port unless bound to different IPs', () => {
  const cases: Record<string, { placed: V1ContainerPort[]; pod: V1ContainerPort[]; ok: boolean }> = {
    'same port': { placed: [{ containerPort: 80, hostPort: 8080 }], pod: [{ containerPort: 80, hostPort: 8080 }], ok: false },
    'other port': { placed: [{ containerPort: 80, hostPort: 8080 }], pod: [{ containerPort: 80, hostPort: 8081 }], ok: true },
    'other protocol': { placed: [{ containerPort: 53, hostPort: 53 }], pod: [{ containerPort: 53, hostPort: 53, protocol: 'UDP' }], ok: true },
    'different IPs': {
      placed: [{ containerPort: 80, hostPort: 8080, hostIP: '10.0.0.1' }],
      pod: [{ containerPort: 80, hostPort: 8080, hostIP: '10.0.0.2' }],
      ok: true,
    },
    '0.0.0.0 against an IP': { placed: [{ containerPort: 80, hostPort: 8080, hostIP: '10.0.0.1' }], pod: [{ containerPort: 80, hostPort: 8080 }], ok: false },
    'no host port': { placed: [{ containerPort: 80, hostPort: 8080 }], pod: [{ containerPort: 8080 }], ok: true },
  };
  for (const [name, c] of Object.entries(cases)) {
    const st = nodePorts.filter(new Map(), newPodInfo(withPorts('p', c.pod)), nodeInfo({ name: 'n' }, withPorts('a', c.placed)));
    assert.deepEqual(
      st,
      c.ok ? { code: 'Success' } : { code: 'Unschedulable', reasons: ["node(s) didn't have free ports for the requested pod ports"], plugin: 'NodePorts' },
      name,
    );
  }
});
