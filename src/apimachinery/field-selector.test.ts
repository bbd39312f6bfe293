import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeFieldValue, parseFieldSelector, validateFieldSelector, type FieldRequirement } from './field-selector.js';

/** The StatusError fields the API server renders (checked structurally: tests import only the module). */
interface StatusLike {
  name: string;
  code: number;
  reason: string;
  message: string;
  toStatus(): { details?: unknown };
}
const isStatus = (e: unknown): e is StatusLike => e instanceof Error && e.name === 'StatusError';

test('parse', () => {
  const cases: Record<string, FieldRequirement[]> = {
    '': [],
    'metadata.name=a': [{ field: 'metadata.name', operator: '=', value: 'a' }],
    'metadata.name==a': [{ field: 'metadata.name', operator: '=', value: 'a' }],
    'metadata.name!=a': [{ field: 'metadata.name', operator: '!=', value: 'a' }],
    'status.phase=Running,metadata.name!=c': [
      { field: 'metadata.name', operator: '!=', value: 'c' },
      { field: 'status.phase', operator: '=', value: 'Running' },
    ],
    'a=,,b=x,': [
      { field: 'a', operator: '=', value: '' },
      { field: 'b', operator: '=', value: 'x' },
    ],
    'a=x\\,y\\=z\\\\,b=1': [
      { field: 'a', operator: '=', value: 'x,y=z\\' },
      { field: 'b', operator: '=', value: '1' },
    ],
    ' a = b ': [{ field: ' a ', operator: '=', value: ' b ' }],
  };
  for (const [selector, want] of Object.entries(cases)) {
    const sel = parseFieldSelector(selector);
    assert.deepEqual(sel.requirements, want, selector);
    assert.equal(sel.empty, want.length === 0, selector);
  }
});

test('matches; a missing field is the empty string', () => {
  const cases: { selector: string; fields: Record<string, string>; want: boolean }[] = [
    { selector: '', fields: {}, want: true },
    { selector: 'metadata.name=a', fields: { 'metadata.name': 'a' }, want: true },
    { selector: 'metadata.name=a', fields: { 'metadata.name': 'b' }, want: false },
    { selector: 'metadata.name!=a', fields: { 'metadata.name': 'b' }, want: true },
    { selector: 'metadata.name!=a', fields: {}, want: true },
    { selector: 'spec.nodeName=', fields: {}, want: true },
    { selector: 'spec.nodeName!=', fields: {}, want: false },
    { selector: 'status.phase=Running,metadata.name!=c', fields: { 'status.phase': 'Running', 'metadata.name': 'c' }, want: false },
    { selector: 'status.phase=Running,metadata.name!=c', fields: { 'status.phase': 'Running', 'metadata.name': 'd' }, want: true },
    { selector: `a=${escapeFieldValue('x,y=z\\')}`, fields: { a: 'x,y=z\\' }, want: true },
  ];
  for (const c of cases) assert.equal(parseFieldSelector(c.selector).matches(c.fields), c.want, `${c.selector} ${JSON.stringify(c.fields)}`);
});

test('exactMatch', () => {
  const sel = parseFieldSelector('metadata.name!=x,metadata.namespace=ns,metadata.name==a');
  assert.equal(sel.exactMatch('metadata.name'), 'a');
  assert.equal(sel.exactMatch('metadata.namespace'), 'ns');
  assert.equal(sel.exactMatch('spec.nodeName'), undefined);
});

test('invalid selectors are 400s worded as upstream', () => {
  const cases: Record<string, string> = {
    'a=b,c': "invalid selector: 'a=b,c'; can't understand 'c'",
    'a=b=c': 'invalid field selector: unescaped character in value: 61',
    'a!==b': 'invalid field selector: unescaped character in value: 61',
    'a=b\\x': 'invalid field selector: invalid escape sequence: \\x',
    'a=b\\': 'invalid field selector: invalid escape sequence: \\',
  };
  for (const [selector, message] of Object.entries(cases)) {
    assert.throws(
      () => parseFieldSelector(selector),
      (e: unknown) => isStatus(e) && e.code === 400 && e.reason === 'BadRequest' && e.message === message,
      selector,
    );
  }
});

test('validateFieldSelector', () => {
  const pods = new Set(['metadata.name', 'metadata.namespace', 'spec.nodeName', 'status.phase']);
  assert.doesNotThrow(() => validateFieldSelector(parseFieldSelector('spec.nodeName=n1,status.phase!=Failed'), pods));
  const cases: { selector: string; wording?: 'field-label' | 'default'; message: string }[] = [
    { selector: 'spec.foo=x', message: 'field label not supported: spec.foo' },
    { selector: 'spec.foo=x', wording: 'field-label', message: 'field label not supported: spec.foo' },
    // Terms are checked in sorted order, so `spec.bar` is reported before `spec.foo`.
    { selector: 'spec.foo=x,spec.bar=y', message: 'field label not supported: spec.bar' },
    {
      selector: 'spec.foo=x',
      wording: 'default',
      message: '"spec.foo" is not a known field selector: only "metadata.name", "metadata.namespace"',
    },
  ];
  for (const c of cases) {
    assert.throws(
      () => validateFieldSelector(parseFieldSelector(c.selector), pods, c.wording),
      (e: unknown) => isStatus(e) && e.code === 400 && e.reason === 'BadRequest' && e.message === c.message,
      c.selector,
    );
  }
});
