import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatGoDuration, formatGoTime, formatRfc3339, parseGoDuration } from './index.js';

test('parseGoDuration: Go duration syntax, in milliseconds', () => {
  const cases: Array<[string, number]> = [
    ['10s', 10_000],
    ['10m', 600_000],
    ['1h30m', 5_400_000],
    ['0', 0],
    ['0s', 0],
    ['1.5h', 5_400_000],
    ['300ms', 300],
    ['-2m', -120_000],
  ];
  for (const [text, ms] of cases) assert.equal(parseGoDuration(text), ms, text);
});

test('parseGoDuration: rejects bare numbers and unknown units', () => {
  // Go's three messages.
  const cases: Array<[string, string]> = [
    ['10', 'time: missing unit in duration "10"'],
    ['', 'time: invalid duration ""'],
    ['5d', 'time: unknown unit "d" in duration "5d"'],
    ['m', 'time: invalid duration "m"'],
    ['1h 2m', 'time: unknown unit "h " in duration "1h 2m"'],
  ];
  for (const [bad, message] of cases) assert.throws(() => parseGoDuration(bad), { message }, bad);
});

test('formatGoDuration: Duration.String()', () => {
  const cases: Array<[number, string]> = [
    [0, '0s'],
    [180_000, '3m0s'],
    [900_000, '15m0s'],
    [930_000, '15m30s'],
    [3_600_000, '1h0m0s'],
    [1_500, '1.5s'],
    [500, '500ms'],
  ];
  for (const [ms, text] of cases) assert.equal(formatGoDuration(ms), text);
});

test('formatGoTime: time.Time.String() in UTC, fraction trimmed, zero time', () => {
  assert.equal(formatGoTime(Date.UTC(2018, 8, 17, 12, 0, 0, 120)), '2018-09-17 12:00:00.12 +0000 UTC');
  assert.equal(formatGoTime(Date.UTC(2018, 8, 17, 12, 0, 0)), '2018-09-17 12:00:00 +0000 UTC');
  assert.equal(formatGoTime(undefined), '0001-01-01 00:00:00 +0000 UTC');
});

test('formatRfc3339: second precision, Z', () => {
  assert.equal(formatRfc3339(Date.UTC(2023, 10, 24, 4, 28, 19, 999)), '2023-11-24T04:28:19Z');
});
