import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_OPTIONS, OptionsError, parseAutoDiscoverySpec, parseMinMax, parseNodeGroupSpec, parseOptions, resolveAutoDiscovery, splitOperands, type TaggedScaleSet } from './index.js';

test('defaults: cluster-autoscaler flag defaults', () => {
  const o = parseOptions([]);
  assert.equal(o.scanInterval, 10_000);
  assert.equal(o.scaleDownUtilizationThreshold, 0.5);
  assert.equal(o.scaleDownUnneededTime, 600_000);
  assert.equal(o.scaleDownDelayAfterAdd, 600_000);
  assert.equal(o.scaleDownDelayAfterFailure, 180_000);
  assert.equal(o.maxTotalUnreadyPercentage, 45);
  assert.equal(o.okTotalUnreadyCount, 3);
  assert.equal(o.expendablePodsPriorityCutoff, -10);
  assert.equal(o.maxEmptyBulkDelete, 10);
  assert.deepEqual(o.coresTotal, { min: 0, max: 320000 });
  assert.deepEqual(o.memoryTotal, { min: 0, max: 6400000 });
  assert.equal(o.statusConfigMapFormat, 'text');
  assert.deepEqual(o, DEFAULT_OPTIONS);
});

test('parseOptions: durations, bools, chains and repeatable flags', () => {
  const o = parseOptions([
    '--scale-down-unneeded-time=1m',
    '--balance-similar-node-groups',
    '--scale-down-enabled=false',
    '--expander=priority,least-waste',
    '--nodes=1:5:pool-a',
    '--nodes',
    '0:3:pool-b',
    '--max-nodes-total=20',
    '--status-config-map-format=yaml',
  ]);
  assert.equal(o.scaleDownUnneededTime, 60_000);
  assert.equal(o.balanceSimilarNodeGroups, true);
  assert.equal(o.scaleDownEnabled, false);
  assert.deepEqual(o.expander, ['priority', 'least-waste']);
  assert.deepEqual(o.nodes, [
    { minSize: 1, maxSize: 5, name: 'pool-a' },
    { minSize: 0, maxSize: 3, name: 'pool-b' },
  ]);
  assert.equal(o.maxNodesTotal, 20);
  assert.equal(o.statusConfigMapFormat, 'yaml');
});

test('parseNodeGroupSpec: upstream validation errors', () => {
  const cases: Array<[string, string]> = [
    ['1:5', 'wrong nodes configuration: 1:5'],
    ['a:5:x', 'failed to set min size: a, expected integer'],
    ['1:b:x', 'failed to set max size: b, expected integer'],
    ['-1:5:x', 'invalid node group spec: min size must be >= 0'],
    ['5:1:x', 'invalid node group spec: max size must be greater or equal to min size'],
    ['1:5:', 'invalid node group spec: name must not be blank'],
  ];
  for (const [spec, msg] of cases) {
    assert.throws(() => parseNodeGroupSpec(spec), (e: unknown) => e instanceof OptionsError && e.flag === 'nodes' && e.reason === msg, spec);
  }
  assert.deepEqual(parseNodeGroupSpec('1:5:a:b'), { minSize: 1, maxSize: 5, name: 'a:b' });
});

test('parseMinMax: --cores-total errors', () => {
  assert.deepEqual(parseMinMax('cores-total', '2:10'), { min: 2, max: 10 });
  assert.throws(() => parseMinMax('cores-total', '10'), /wrong nodes configuration: 10/);
  assert.throws(() => parseMinMax('cores-total', '-1:10'), /min size must be greater or equal to {2}0/);
  assert.throws(() => parseMinMax('cores-total', '5:1'), /max size must be greater or equal to min size/);
});

test('parseOptions: unknown flags and bad values name the flag', () => {
  assert.throws(() => parseOptions(['--nope=1']), /--nope: unknown flag/);
  assert.throws(() => parseOptions(['--scan-interval=10']), /--scan-interval: time: missing unit in duration "10"/);
  assert.throws(() => parseOptions(['--expander=cheapest']), /Expander cheapest not supported/);
  assert.throws(() => parseOptions(['--expander=random,random']), /specified multiple times/);
});

test('parseAutoDiscoverySpec: selector and bounds, upstream errors', () => {
  assert.deepEqual(parseAutoDiscoverySpec('label:cluster=dev,min=1,max=5'), { selector: { cluster: 'dev' }, minSize: 1, maxSize: 5 });
  assert.throws(() => parseAutoDiscoverySpec('asg:tag=x'), /unsupported discoverer specified: asg/);
  assert.throws(() => parseAutoDiscoverySpec('label'), /spec "label" should be discoverer:key=value,key=value/);
  assert.throws(() => parseAutoDiscoverySpec('label:a=b=c'), /invalid key=value pair \[a b c\]/);
  assert.throws(() => parseAutoDiscoverySpec('label:a='), /empty value not allowed/);
  assert.throws(() => parseAutoDiscoverySpec('label:a=b,min=x'), /invalid minimum nodes: x/);
  assert.throws(() => parseAutoDiscoverySpec('label:a=b,min=5,max=1'), /maximum size 1 must be greater than or equal to minimum size 5/);
});

test('resolveAutoDiscovery: tags beat spec bounds; highest min, lowest max; no bounds → ignored', () => {
  const specs = [parseAutoDiscoverySpec('label:env=dev,min=1,max=10'), parseAutoDiscoverySpec('label:team=a,min=2,max=8')];
  const specsNoBounds = [parseAutoDiscoverySpec('label:env=dev')];
  const sets: TaggedScaleSet[] = [
    { name: 'both', tags: { env: 'dev', team: 'a' } },
    { name: 'tagged', tags: { env: 'dev', min: '3', max: '4' } },
    { name: 'other', tags: { env: 'prod' } },
  ];
  assert.deepEqual(resolveAutoDiscovery(specs, sets).groups, [
    { minSize: 2, maxSize: 8, name: 'both' },
    { minSize: 3, maxSize: 4, name: 'tagged' },
  ]);
  const r = resolveAutoDiscovery(specsNoBounds, sets);
  assert.deepEqual(r.groups, [{ minSize: 3, maxSize: 4, name: 'tagged' }]);
  assert.deepEqual(r.ignored.map((i) => i.name), ['both']);
});

test('splitOperands: operands among flags, `--name value` keeping its value, bools alone', () => {
  const cases: Array<[string[], { flags: string[]; operands: string[] }]> = [
    [['web-1'], { flags: [], operands: ['web-1'] }],
    [['--expander', 'least-waste', 'web-1'], { flags: ['--expander', 'least-waste'], operands: ['web-1'] }],
    [['--leader-elect', 'web-1', '--nodes=1:3:a'], { flags: ['--leader-elect', '--nodes=1:3:a'], operands: ['web-1'] }],
    [['--no-such', 'x'], { flags: ['--no-such'], operands: ['x'] }],
  ];
  for (const [args, want] of cases) assert.deepEqual(splitOperands(args), want, args.join(' '));
});
