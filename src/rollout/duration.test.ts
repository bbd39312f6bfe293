import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, parseDuration } from './duration.js';

test('parseDuration: Go units and bare seconds', () => {
  const cases: Record<string, number | undefined> = {
    '0': 0,
    '30': 30_000,
    '2.5': 2500,
    '500ms': 500,
    '30s': 30_000,
    '5m': 300_000,
    '1h': 3_600_000,
    '1m30s': 90_000,
    '1.5s': 1500,
    '': undefined,
    '-1s': undefined,
    '5 m': undefined,
    '5d': undefined,
    abc: undefined,
  };
  for (const [text, want] of Object.entries(cases)) assert.equal(parseDuration(text), want, JSON.stringify(text));
});

test('formatDuration: Go shapes', () => {
  const cases: Array<[number, string]> = [
    [0, '0s'],
    [2500, '2.5s'],
    [30_000, '30s'],
    [90_000, '1m30s'],
    [300_000, '5m0s'],
    [3_600_000, '1h0m0s'],
    [12_340, '12.3s'],
  ];
  for (const [ms, want] of cases) assert.equal(formatDuration(ms), want, String(ms));
});
