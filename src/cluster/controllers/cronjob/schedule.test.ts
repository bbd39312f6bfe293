import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSchedule } from './schedule.js';

const t = (s: string) => Date.parse(s);
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

const cases: Record<string, { spec: string; after: string; want: string; tz?: string }> = {
  'every minute': { spec: '* * * * *', after: '2024-05-01T12:00:30Z', want: '2024-05-01T12:01:00Z' },
  'strictly after an exact minute': { spec: '* * * * *', after: '2024-05-01T12:00:00Z', want: '2024-05-01T12:01:00Z' },
  'step of minutes': { spec: '*/15 * * * *', after: '2024-05-01T12:01:00Z', want: '2024-05-01T12:15:00Z' },
  'a list and a range': { spec: '5,35 9-17 * * *', after: '2024-05-01T17:40:00Z', want: '2024-05-02T09:05:00Z' },
  '@hourly': { spec: '@hourly', after: '2024-05-01T12:00:00Z', want: '2024-05-01T13:00:00Z' },
  '@daily': { spec: '@daily', after: '2024-05-01T12:00:00Z', want: '2024-05-02T00:00:00Z' },
  '@weekly is Sunday midnight': { spec: '@weekly', after: '2024-05-01T12:00:00Z', want: '2024-05-05T00:00:00Z' },
  '@monthly': { spec: '@monthly', after: '2024-05-01T12:00:00Z', want: '2024-06-01T00:00:00Z' },
  '@yearly': { spec: '@yearly', after: '2024-05-01T12:00:00Z', want: '2025-01-01T00:00:00Z' },
  'month and weekday names': { spec: '0 8 * JUN MON-FRI', after: '2024-05-01T00:00:00Z', want: '2024-06-03T08:00:00Z' },
  // Both restricted: the 13th OR a Friday — 2024-05-03 is a Friday, before the 13th.
  'day of month OR day of week when both are set': { spec: '0 0 13 * 5', after: '2024-05-01T00:00:00Z', want: '2024-05-03T00:00:00Z' },
  // Day of week is *: only the 13th.
  'day of month AND * weekday': { spec: '0 0 13 * *', after: '2024-05-01T00:00:00Z', want: '2024-05-13T00:00:00Z' },
  'n/step runs from n to the maximum': { spec: '50/5 * * * *', after: '2024-05-01T12:56:00Z', want: '2024-05-01T13:50:00Z' },
  'February 29th': { spec: '0 0 29 2 *', after: '2024-03-01T00:00:00Z', want: '2028-02-29T00:00:00Z' },
  'in a time zone': { spec: '0 9 * * *', after: '2024-05-01T00:00:00Z', tz: 'America/New_York', want: '2024-05-01T13:00:00Z' },
  '@every': { spec: '@every 1h30m', after: '2024-05-01T12:00:00Z', want: '2024-05-01T13:30:00Z' },
};

for (const [name, c] of Object.entries(cases)) {
  test(`parseSchedule: ${name}`, () => assert.equal(iso(parseSchedule(c.spec, c.tz ?? 'UTC').next(t(c.after))), c.want));
}

test('parseSchedule: refuses what robfig/cron refuses', () => {
  assert.throws(() => parseSchedule('* * * *'), /expected exactly 5 fields, found 4/);
  assert.throws(() => parseSchedule('60 * * * *'), /end of range \(60\) above maximum \(59\)/);
  assert.throws(() => parseSchedule('* * * * 7'), /above maximum \(6\)/);
  assert.throws(() => parseSchedule('@fortnightly'), /unrecognized descriptor/);
  assert.throws(() => parseSchedule('TZ=UTC * * * * *'), /use spec.timeZone/);
  assert.throws(() => parseSchedule('5-1 * * * *'), /beyond end of range/);
});
