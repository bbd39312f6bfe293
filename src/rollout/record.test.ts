import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RECORD_ANNOTATION, RecordError, decodeRecord, encodeRecord, refusal, type RolloutRecord } from './record.js';

const record = (over: Partial<RolloutRecord> = {}): RolloutRecord => ({
  phase: 'Paused',
  deployment: 'shop',
  previousVersion: '1',
  newVersion: '2',
  previousReplicas: 2,
  analysis: ['/ping'],
  maxRestarts: 2,
  healthSeconds: 5,
  timeoutSeconds: 300,
  updatedAt: '2026-11-26T00:00:00.000Z',
  ...over,
});

test('a record round-trips through the annotation', () => {
  const r = record({ previewService: 'shop-preview', scaleDownDelaySeconds: 30, scaleDownAt: '2026-11-26T00:00:30.000Z' });
  assert.deepEqual(decodeRecord({ [RECORD_ANNOTATION]: encodeRecord(r), other: 'x' }), r);
  assert.equal(decodeRecord({ other: 'x' }), undefined);
  assert.equal(decodeRecord(undefined), undefined);
});

test('a foreign or damaged annotation is refused with its name', () => {
  for (const text of ['not json', '{}', JSON.stringify({ ...record(), phase: 'Dancing' }), JSON.stringify({ ...record(), previousReplicas: -1 })]) {
    assert.throws(() => decodeRecord({ [RECORD_ANNOTATION]: text }), (e: unknown) => e instanceof RecordError && e.message.includes(RECORD_ANNOTATION), text);
  }
});

test('refusal by case', () => {
  const cases: Record<string, [Parameters<typeof refusal>, RegExp | undefined]> = {
    'run with nothing recorded': [['run', 'shop', '1', undefined], undefined],
    'run after a completed rollout': [['run', 'shop', '2', record({ phase: 'ScaledDown' })], undefined],
    'run while paused': [['run', 'shop', '1', record()], /^a rollout of service shop to version 2 is paused: "flotilla bluegreen promote shop" or "flotilla bluegreen abort shop" it first$/],
    'promote while paused': [['promote', 'shop', '1', record()], undefined],
    'promote with nothing recorded': [['promote', 'shop', '1', undefined], /^no rollout of service shop is paused$/],
    'promote after abort': [['promote', 'shop', '1', record({ phase: 'Aborted' })], /^no rollout of service shop is paused \(the last one, to version 2, is Aborted\)$/],
    'promote after a hand edit of the selector': [['promote', 'shop', '7', record()], /selects version 7, not 1 .*changed by hand$/],
    'abort while paused': [['abort', 'shop', '1', record()], undefined],
    'rollback during the delay': [['rollback', 'shop', '2', record({ phase: 'ScaleDownDelay' })], undefined],
    'rollback after the scale-down': [['rollback', 'shop', '2', record({ phase: 'ScaledDown' })], undefined],
    'rollback twice': [['rollback', 'shop', '1', record({ phase: 'RolledBack' })], /^nothing to roll back on service shop: the last rollout, to version 2, is RolledBack$/],
    'rollback without a record': [['rollback', 'shop', '2', undefined], /run with --scale-down-delay/],
    'rollback after a hand edit': [['rollback', 'shop', '9', record({ phase: 'ScaledDown' })], /selects version 9, not 2/],
  };
  for (const [name, [args, want]] of Object.entries(cases)) {
    const r = refusal(...args);
    if (want === undefined) assert.equal(r, undefined, name);
    else assert.match(r ?? '', want, name);
  }
});
