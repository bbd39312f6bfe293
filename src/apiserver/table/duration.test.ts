import { test } from 'node:test';
import assert from 'node:assert/strict';
import { humanDuration, shortHumanDuration, translateTimestampSince } from './index.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;
const Y = 365 * D;

// The cases of apimachinery's duration_test.go (TestHumanDuration, TestHumanDurationBoundaries).
const human: Record<string, [number, string]> = {
  '1s': [S, '1s'],
  '70s stays in seconds below 2m': [70 * S, '70s'],
  '190s': [190 * S, '3m10s'],
  '70m': [70 * M, '70m'],
  '47h': [47 * H, '47h'],
  '49h': [49 * H, '2d1h'],
  '8d2h drops the hours': [(8 * 24 + 2) * H, '8d'],
  '367d': [367 * D, '367d'],
  '2y1d': [(365 * 2 * 24 + 25) * H, '2y1d'],
  '8y drops the days': [(365 * 8 * 24 + 2) * H, '8y'],
  'more than a second in the future is invalid': [-2 * S, '<invalid>'],
  'just under 2s in the future is now': [-2 * S + 1, '0s'],
  zero: [0, '0s'],
  'fractions are truncated': [S - 1, '0s'],
  'last second form': [2 * M - 1, '119s'],
  '2m exactly': [2 * M, '2m'],
  '2m1s': [2 * M + S, '2m1s'],
  '9m59s': [10 * M - 1, '9m59s'],
  '10m drops seconds': [10 * M + S, '10m'],
  '179m': [3 * H - 1, '179m'],
  '3h': [3 * H, '3h'],
  '3h1m': [3 * H + M, '3h1m'],
  '7h59m': [8 * H - 1, '7h59m'],
  '8h59m drops minutes': [8 * H + 59 * M, '8h'],
  '47h59m': [2 * D - 1, '47h'],
  '2d': [2 * D, '2d'],
  '7d23h': [8 * D - 1, '7d23h'],
  '8d23h': [8 * D + 23 * H, '8d'],
  '729d': [2 * Y - 1, '729d'],
  '2y': [2 * Y, '2y'],
  '2y plus 23h59m': [2 * Y + 23 * H + 59 * M, '2y'],
  '2y plus a day': [2 * Y + D, '2y1d'],
  '7y364d': [8 * Y - 1, '7y364d'],
  '8y364d': [8 * Y + 364 * D, '8y'],
  '9y': [9 * Y, '9y'],
};

for (const [name, [ms, want]] of Object.entries(human)) {
  test(`humanDuration: ${name}`, () => assert.equal(humanDuration(ms), want));
}

// TestShortHumanDurationBoundaries.
const short: Record<string, [number, string]> = {
  invalid: [-2 * S, '<invalid>'],
  'almost now': [-2 * S + 1, '0s'],
  zero: [0, '0s'],
  '1s': [2 * S - 1, '1s'],
  '59s': [M - 1, '59s'],
  '1m': [2 * M - 1, '1m'],
  '59m': [H - 1, '59m'],
  '1h': [2 * H - 1, '1h'],
  '23h': [D - 1, '23h'],
  '1d': [2 * D - 1, '1d'],
  '364d': [Y - 1, '364d'],
  '1y': [2 * Y - 1, '1y'],
  '2y': [2 * Y, '2y'],
};

for (const [name, [ms, want]] of Object.entries(short)) {
  test(`shortHumanDuration: ${name}`, () => assert.equal(shortHumanDuration(ms), want));
}

test('translateTimestampSince: an age from an RFC 3339 time', () => {
  const now = new Date('2024-06-01T12:00:00Z');
  assert.equal(translateTimestampSince('2024-06-01T11:56:50Z', now), '3m10s');
  assert.equal(translateTimestampSince('2024-05-30T09:00:00Z', now), '2d3h');
  assert.equal(translateTimestampSince('2024-06-01T11:59:59.250000Z', now), '0s', 'MicroTime fractions parse');
});

test('translateTimestampSince: zero, absent and unparsable times are <unknown>', () => {
  const now = new Date('2024-06-01T12:00:00Z');
  for (const value of [undefined, null, '', '0001-01-01T00:00:00Z', 'yesterday', 42]) {
    assert.equal(translateTimestampSince(value, now), '<unknown>', String(value));
  }
});
