import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goFloat, goQuote } from './go-format.js';

test('goQuote escapes as strconv.Quote does', () => {
  const cases: Array<[string, string]> = [
    ['plain', '"plain"'],
    ['say "hi"\\', '"say \\"hi\\"\\\\"'],
    ['tab\tnl\n', '"tab\\tnl\\n"'],
    ['\x01\x7f', '"\\x01\\x7f"'],
    ['héllo ✓', '"héllo ✓"'],
    ['\u00ad\u200b', '"\\u00ad\\u200b"'],
  ];
  for (const [input, want] of cases) assert.equal(goQuote(input), want, JSON.stringify(input));
});

test('goFloat prints %v of a float64', () => {
  const cases: Array<[number, string]> = [
    [0.25, '0.25'],
    [1, '1'],
    [0, '0'],
    [0.00001, '1e-05'],
    [123456, '123456'],
    [1e6, '1e+06'],
    [-2.5, '-2.5'],
  ];
  for (const [input, want] of cases) assert.equal(goFloat(input), want, String(input));
});
