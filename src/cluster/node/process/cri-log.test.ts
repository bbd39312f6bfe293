import { test } from 'node:test';
import assert from 'node:assert/strict';
import { criTimestamp, formatCriLine, parseCriLine, rfc3339Nano, selectLog, splitLines } from './cri-log.js';

test('timestamps: nine digits written, trailing zeros trimmed when printed', () => {
  assert.equal(criTimestamp(BigInt(Date.parse('2016-10-06T00:17:09Z')) * 1_000_000n + 669794202n), '2016-10-06T00:17:09.669794202Z');
  assert.equal(criTimestamp(BigInt(Date.parse('2016-10-06T00:17:09Z')) * 1_000_000n), '2016-10-06T00:17:09.000000000Z');
  assert.equal(rfc3339Nano('2016-10-06T00:17:09.669794200Z'), '2016-10-06T00:17:09.6697942Z');
  assert.equal(rfc3339Nano('2016-10-06T00:17:09.000000000Z'), '2016-10-06T00:17:09Z');
});

test('format and parse round-trip', () => {
  const line = formatCriLine('2016-10-06T00:17:09.669794202Z', 'stderr', true, 'half a li');
  assert.equal(line, '2016-10-06T00:17:09.669794202Z stderr P half a li\n');
  assert.deepEqual(parseCriLine(line.slice(0, -1)), { time: '2016-10-06T00:17:09.669794202Z', ms: Date.parse('2016-10-06T00:17:09.669Z'), stream: 'stderr', partial: true, content: 'half a li' });
  assert.deepEqual(parseCriLine('2016-10-06T00:17:09.669794202Z stdout F '), { time: '2016-10-06T00:17:09.669794202Z', ms: Date.parse('2016-10-06T00:17:09.669Z'), stream: 'stdout', partial: false, content: '' });
  assert.equal(parseCriLine('garbage'), undefined);
  assert.equal(parseCriLine('2016-10-06T00:17:09Z stdin F x'), undefined);
});

test('splitLines: full lines, carried rest, over-long lines as partials, flush at end', () => {
  const cases: Record<string, { pending: string; chunk: string; end?: boolean; max?: number; lines: [boolean, string][]; rest: string }> = {
    'two lines and a rest': { pending: '', chunk: 'a\nb\nc', lines: [[false, 'a'], [false, 'b']], rest: 'c' },
    'pending joins': { pending: 'he', chunk: 'llo\n', lines: [[false, 'hello']], rest: '' },
    'end flushes the rest': { pending: 'x', chunk: 'y', end: true, lines: [[false, 'xy']], rest: '' },
    'long line cut': { pending: '', chunk: 'abcdefg\n', max: 3, lines: [[true, 'abc'], [true, 'def'], [false, 'g']], rest: '' },
    'long unfinished line cut': { pending: '', chunk: 'abcdefg', max: 3, lines: [[true, 'abc'], [true, 'def']], rest: 'g' },
    'empty line': { pending: '', chunk: '\n', lines: [[false, '']], rest: '' },
  };
  for (const [name, tc] of Object.entries(cases)) {
    const got = splitLines(tc.pending, tc.chunk, tc.end ?? false, tc.max);
    assert.deepEqual({ lines: got.lines.map((l) => [l.partial, l.content]), rest: got.pending }, { lines: tc.lines, rest: tc.rest }, name);
  }
});

test('selectLog: tail, since, timestamps, limitBytes, partial lines', () => {
  const t = (s: number): string => `2024-01-01T00:00:0${s}.500000000Z`;
  const text = [
    formatCriLine(t(1), 'stdout', false, 'one'),
    formatCriLine(t(2), 'stderr', true, 'tw'),
    formatCriLine(t(2), 'stderr', false, 'o'),
    formatCriLine(t(3), 'stdout', false, 'three'),
  ].join('');
  const cases: Record<string, { q: Parameters<typeof selectLog>[1]; out: string }> = {
    all: { q: {}, out: 'one\ntwo\nthree\n' },
    'tail 2 (file lines)': { q: { tailLines: 2 }, out: 'o\nthree\n' },
    'tail 0': { q: { tailLines: 0 }, out: '' },
    since: { q: { sinceMs: Date.parse('2024-01-01T00:00:02Z') }, out: 'two\nthree\n' },
    timestamps: { q: { tailLines: 1, timestamps: true }, out: '2024-01-01T00:00:03.5Z three\n' },
    'limit cuts mid-line': { q: { limitBytes: 6 }, out: 'one\ntw' },
  };
  for (const [name, tc] of Object.entries(cases)) assert.equal(selectLog(text, tc.q).out, tc.out, name);
  assert.equal(selectLog(text, { limitBytes: 6 }).remaining, 0);
});
