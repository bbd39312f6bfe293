import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildStatus,
  DEFAULT_OPTIONS,
  EMPTY_REGISTRY_STATE,
  formatTextStatus,
  formatYamlStatus,
  initializingStatus,
  registerFailedScaleUp,
  statusConfigMapData,
  updateClusterState,
  type ClusterSnapshot,
  type RegistryState,
} from './index.js';
import { group, MIN, node, snapshot, T0 } from './testing.js';

const nodes = [node({ name: 'n0', providerID: 'azure:///vmss/0' }), node({ name: 'n1' }), node({ name: 'n2' })];
const s: ClusterSnapshot = snapshot({ nodes, nodeGroups: [group({ id: 'k8s-agentpool1-92998111-vmss', nodes: nodes.slice(1), min: 1, max: 5 })] });

function status(state: RegistryState = EMPTY_REGISTRY_STATE, candidates = new Map<string, number>(), snap = s) {
  const cluster = updateClusterState(snap, state, DEFAULT_OPTIONS);
  return buildStatus(cluster, snap.nodeGroups, candidates, snap.now);
}

test('text status: the layout of the seed article, line for line', () => {
  const t = '2018-09-17 12:00:00 +0000 UTC';
  const want = [
    `Cluster-autoscaler status at ${t}:`,
    'Cluster-wide:',
    '  Health:      Healthy (ready=3 unready=0 notStarted=0 longNotStarted=0 registered=3 longUnregistered=0)',
    `               LastProbeTime:      ${t}`,
    `               LastTransitionTime: ${t}`,
    '  ScaleUp:     NoActivity (ready=3 registered=3)',
    `               LastProbeTime:      ${t}`,
    `               LastTransitionTime: ${t}`,
    '  ScaleDown:   NoCandidates (candidates=0)',
    `               LastProbeTime:      ${t}`,
    `               LastTransitionTime: ${t}`,
    '',
    'NodeGroups:',
    '  Name:        k8s-agentpool1-92998111-vmss',
    '  Health:      Healthy (ready=2 unready=0 notStarted=0 longNotStarted=0 registered=2 longUnregistered=0 cloudProviderTarget=2 (minSize=1, maxSize=5))',
    `               LastProbeTime:      ${t}`,
    `               LastTransitionTime: ${t}`,
    '  ScaleUp:     NoActivity (ready=2 cloudProviderTarget=2)',
    `               LastProbeTime:      ${t}`,
    `               LastTransitionTime: ${t}`,
    '  ScaleDown:   NoCandidates (candidates=0)',
    `               LastProbeTime:      ${t}`,
    `               LastTransitionTime: ${t}`,
    '',
    '',
  ].join('\n');
  assert.equal(formatTextStatus(status()), want);
});

test('text status: no node groups → no NodeGroups section', () => {
  const st = status(EMPTY_REGISTRY_STATE, new Map(), snapshot({ nodes }));
  const text = formatTextStatus(st);
  assert.ok(!text.includes('NodeGroups:'));
  assert.ok(text.endsWith('LastTransitionTime: 2018-09-17 12:00:00 +0000 UTC\n'));
});

test('status: LastTransitionTime carries over while the status holds', () => {
  const first = status();
  const later = snapshot({ ...s, now: T0 + MIN });
  const cluster = updateClusterState(later, EMPTY_REGISTRY_STATE, DEFAULT_OPTIONS);
  const second = buildStatus(cluster, later.nodeGroups, new Map([['k8s-agentpool1-92998111-vmss', 1]]), later.now, first);
  assert.equal(second.clusterWide.health.lastTransitionTime, T0);
  assert.equal(second.clusterWide.health.lastProbeTime, T0 + MIN);
  assert.equal(second.clusterWide.scaleDown.status, 'CandidatesPresent');
  assert.equal(second.clusterWide.scaleDown.lastTransitionTime, T0 + MIN);
});

test('status: node group ScaleUp shows Backoff with its error', () => {
  const state = registerFailedScaleUp(EMPTY_REGISTRY_STATE, 'k8s-agentpool1-92998111-vmss', 'quota exceeded', T0 - MIN, DEFAULT_OPTIONS);
  const st = status(state);
  assert.equal(st.nodeGroups[0].scaleUp.status, 'Backoff');
  assert.deepEqual(st.nodeGroups[0].scaleUp.backoff, { errorCode: 'cloudProviderError', errorMessage: 'quota exceeded' });
});

test('yaml status: keys sorted, RFC 3339 times, empty backoffInfo {}', () => {
  const y = formatYamlStatus(status());
  const want = [
    'autoscalerStatus: Running',
    'clusterWide:',
    '  health:',
    '    lastProbeTime: "2018-09-17T12:00:00Z"',
    '    lastTransitionTime: "2018-09-17T12:00:00Z"',
    '    nodeCounts:',
    '      longUnregistered: 0',
    '      registered:',
    '        notStarted: 0',
    '        ready: 3',
    '        total: 3',
    '        unready:',
    '          resourceUnready: 0',
    '          total: 0',
    '      unregistered: 0',
    '    status: Healthy',
    '  scaleDown:',
    '    lastProbeTime: "2018-09-17T12:00:00Z"',
    '    lastTransitionTime: "2018-09-17T12:00:00Z"',
    '    status: NoCandidates',
    '  scaleUp:',
    '    lastProbeTime: "2018-09-17T12:00:00Z"',
    '    lastTransitionTime: "2018-09-17T12:00:00Z"',
    '    status: NoActivity',
    'nodeGroups:',
    '- health:',
    '    cloudProviderTarget: 2',
    '    lastProbeTime: "2018-09-17T12:00:00Z"',
    '    lastTransitionTime: "2018-09-17T12:00:00Z"',
    '    maxSize: 5',
    '    minSize: 1',
    '    nodeCounts:',
    '      longUnregistered: 0',
    '      registered:',
    '        notStarted: 0',
    '        ready: 2',
    '        total: 2',
    '        unready:',
    '          resourceUnready: 0',
    '          total: 0',
    '      unregistered: 0',
    '    status: Healthy',
    '  name: k8s-agentpool1-92998111-vmss',
    '  scaleDown:',
    '    lastProbeTime: "2018-09-17T12:00:00Z"',
    '    lastTransitionTime: "2018-09-17T12:00:00Z"',
    '    status: NoCandidates',
    '  scaleUp:',
    '    backoffInfo: {}',
    '    lastProbeTime: "2018-09-17T12:00:00Z"',
    '    lastTransitionTime: "2018-09-17T12:00:00Z"',
    '    status: NoActivity',
    'time: 2018-09-17 12:00:00 +0000 UTC',
    '',
  ].join('\n');
  assert.equal(y, want);
});

test('yaml status: backoff info and candidates when present', () => {
  const state = registerFailedScaleUp(EMPTY_REGISTRY_STATE, 'k8s-agentpool1-92998111-vmss', 'Scale-up timed out for node group pool-a after 15m30s', T0 - MIN, DEFAULT_OPTIONS, 'timeout');
  const y = formatYamlStatus(status(state, new Map([['k8s-agentpool1-92998111-vmss', 2]])));
  assert.match(y, /\n {4}backoffInfo:\n {6}errorCode: timeout\n {6}errorMessage: Scale-up timed out for node group pool-a after 15m30s\n/);
  assert.match(y, /\n {2}scaleDown:\n {4}candidates: 2\n/);
});

test('statusConfigMapData: format by flag and the last-updated annotation', () => {
  const d = statusConfigMapData(status(), 'text');
  assert.ok(d.data.status.startsWith('Cluster-autoscaler status at 2018-09-17 12:00:00 +0000 UTC:\n'));
  assert.deepEqual(d.annotations, { 'cluster-autoscaler.kubernetes.io/last-updated': '2018-09-17 12:00:00 +0000 UTC' });
  assert.ok(statusConfigMapData(status(), 'yaml').data.status.startsWith('autoscalerStatus: Running\n'));
});

test('initializing status: the text body after the header, the YAML status field', () => {
  assert.equal(formatTextStatus(initializingStatus(T0)), 'Cluster-autoscaler status at 2018-09-17 12:00:00 +0000 UTC:\nInitializing');
  assert.equal(formatYamlStatus(initializingStatus(T0)), 'autoscalerStatus: Initializing\ntime: 2018-09-17 12:00:00 +0000 UTC\n');
});
