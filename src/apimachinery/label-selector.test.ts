import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labelSelectorFromObject, parseLabelSelector, type LabelSelectorObject } from './label-selector.js';

/** The StatusError fields the API server renders (checked structurally: tests import only the module). */
interface StatusLike {
  name: string;
  code: number;
  reason: string;
  message: string;
  toStatus(): { details?: unknown };
}
const isStatus = (e: unknown): e is StatusLike => e instanceof Error && e.name === 'StatusError';

const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const NAME_PART_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

test('parse and match', () => {
  const cases: Record<string, { selector: string; match: Record<string, string>[]; noMatch: Record<string, string>[] }> = {
    'empty selects everything': { selector: '', match: [{}, { a: 'b' }], noMatch: [] },
    'blank selects everything': { selector: '  \t', match: [{}], noMatch: [] },
    equals: { selector: 'app=web', match: [{ app: 'web' }, { app: 'web', x: 'y' }], noMatch: [{}, { app: 'db' }] },
    'double equals': { selector: 'app==web', match: [{ app: 'web' }], noMatch: [{ app: 'db' }] },
    'not equals matches a missing label': { selector: 'app!=web', match: [{}, { app: 'db' }], noMatch: [{ app: 'web' }] },
    in: { selector: 'env in (prod, qa)', match: [{ env: 'qa' }], noMatch: [{}, { env: 'dev' }] },
    'notin matches a missing label': { selector: 'env notin (prod,qa)', match: [{}, { env: 'dev' }], noMatch: [{ env: 'prod' }] },
    exists: { selector: 'tier', match: [{ tier: '' }], noMatch: [{}] },
    'does not exist': { selector: '!tier', match: [{}], noMatch: [{ tier: 'x' }] },
    'spaces after the bang': { selector: '! tier', match: [{}], noMatch: [{ tier: 'x' }] },
    'gt is numeric': { selector: 'n>5', match: [{ n: '10' }], noMatch: [{}, { n: '5' }, { n: 'x' }, { n: '9'.repeat(20) }] },
    'lt is numeric': { selector: 'n<5', match: [{ n: '-3' }, { n: '+4' }], noMatch: [{ n: '5' }, { n: '07' + '0' }] },
    'comma is AND, commas in parentheses are values': {
      selector: 'app in (a,b),!tier,env=prod',
      match: [{ app: 'b', env: 'prod' }],
      noMatch: [{ app: 'b', env: 'prod', tier: 'x' }, { app: 'c', env: 'prod' }, { app: 'a' }],
    },
    'empty value with =': { selector: 'a=,b', match: [{ a: '', b: 'x' }], noMatch: [{ a: 'x', b: 'x' }, { b: 'x' }] },
    'empty members in a set': { selector: 'a in (,x)', match: [{ a: '' }, { a: 'x' }], noMatch: [{ a: 'y' }] },
    'empty set means the empty value': { selector: 'a in ()', match: [{ a: '' }], noMatch: [{ a: 'x' }] },
    'in and notin are values after an operator': { selector: 'a=in,b in (notin)', match: [{ a: 'in', b: 'notin' }], noMatch: [{ a: 'in' }] },
    'a key may be called in': { selector: 'in in (in)', match: [{ in: 'in' }], noMatch: [{}] },
    'prefixed key': { selector: 'app.kubernetes.io/name=web', match: [{ 'app.kubernetes.io/name': 'web' }], noMatch: [{ name: 'web' }] },
    'newlines and tabs are whitespace': { selector: 'a\n=\tb', match: [{ a: 'b' }], noMatch: [{ a: 'c' }] },
  };
  for (const [name, c] of Object.entries(cases)) {
    const sel = parseLabelSelector(c.selector);
    for (const labels of c.match) assert.equal(sel.matches(labels), true, `${name}: ${JSON.stringify(labels)}`);
    for (const labels of c.noMatch) assert.equal(sel.matches(labels), false, `${name}: ${JSON.stringify(labels)}`);
  }
});

test('undefined labels are no labels', () => {
  assert.equal(parseLabelSelector('!a,b!=c').matches(undefined), true);
  assert.equal(parseLabelSelector('a').matches(undefined), false);
});

test('requirements are sorted by key, values sorted and deduplicated; toString is upstream canonical form', () => {
  const sel = parseLabelSelector('z in (b,a,b), a!=x, !m, k>1');
  assert.deepEqual(sel.requirements, [
    { key: 'a', operator: '!=', values: ['x'] },
    { key: 'k', operator: 'gt', values: ['1'] },
    { key: 'm', operator: '!', values: [] },
    { key: 'z', operator: 'in', values: ['a', 'b'] },
  ]);
  assert.equal(sel.empty, false);
  assert.equal(sel.toString(), 'a!=x,k>1,!m,z in (a,b)');
  assert.equal(parseLabelSelector('').empty, true);
});

test('invalid selectors are 400s worded as upstream', () => {
  const cases: Record<string, string> = {
    'a in': "unable to parse requirement: found '' expected: '('",
    'a in (b': "unable to parse requirement: found '', expected: ',' or ')'",
    'a in (b c)': "unable to parse requirement: found 'c', expected: ',' or ')'",
    'a in (=)': "unable to parse requirement: found '=', expected: ',', ')' or identifier",
    'a in (b,=)': "unable to parse requirement: found '=', expected: ',', or identifier",
    'a b': "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt",
    'a=(b)': "unable to parse requirement: found '(', expected: identifier",
    '!': "unable to parse requirement: found '', expected: identifier",
    '!=a': "found '!=', expected: !, identifier, or 'end of string'",
    'a,': "found '', expected: identifier after ','",
    'a,,b': "found ',', expected: identifier after ','",
    'a=b c': "found 'c', expected: ',' or 'end of string'",
    '!a=b': "found '=', expected: ',' or 'end of string'",
    'a=b=c': "found '=', expected: ',' or 'end of string'",
    '-a': `unable to parse requirement: <nil>: Invalid value: "-a": ${NAME_PART_MSG}`,
    'Example.com/a': `unable to parse requirement: <nil>: Invalid value: "Example.com/a": prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    'a=-b': `unable to parse requirement: values[0][a]: Invalid value: "-b": ${LABEL_VALUE_MSG}`,
    [`a=${'v'.repeat(64)}`]: `unable to parse requirement: values[0][a]: Invalid value: "${'v'.repeat(64)}": must be no more than 63 characters`,
    'a>b': `unable to parse requirement: values[0]: Invalid value: "b": for 'Gt', 'Lt' operators, the value must be an integer`,
    'a<': `unable to parse requirement: values[0]: Invalid value: "": for 'Gt', 'Lt' operators, the value must be an integer`,
    'a>-b': `unable to parse requirement: [values[0]: Invalid value: "-b": for 'Gt', 'Lt' operators, the value must be an integer, values[0][a]: Invalid value: "-b": ${LABEL_VALUE_MSG}]`,
  };
  for (const [selector, message] of Object.entries(cases)) {
    assert.throws(
      () => parseLabelSelector(selector),
      (e: unknown) => isStatus(e) && e.code === 400 && e.reason === 'BadRequest' && e.message === message,
      selector,
    );
  }
});

test('labelSelectorFromObject', () => {
  const cases: Record<string, { sel: LabelSelectorObject | null | undefined; match: Record<string, string>[]; noMatch: Record<string, string>[]; empty: boolean }> = {
    'undefined selects nothing': { sel: undefined, match: [], noMatch: [{}, { a: 'b' }], empty: false },
    'null selects nothing': { sel: null, match: [], noMatch: [{}], empty: false },
    'empty object selects everything': { sel: {}, match: [{}, { a: 'b' }], noMatch: [], empty: true },
    'empty lists select everything': { sel: { matchLabels: {}, matchExpressions: [] }, match: [{}], noMatch: [], empty: true },
    'match labels': { sel: { matchLabels: { app: 'web', tier: 'fe' } }, match: [{ app: 'web', tier: 'fe', x: 'y' }], noMatch: [{ app: 'web' }], empty: false },
    expressions: {
      sel: {
        matchLabels: { app: 'web' },
        matchExpressions: [
          { key: 'env', operator: 'In', values: ['prod', 'qa'] },
          { key: 'track', operator: 'NotIn', values: ['canary'] },
          { key: 'tier', operator: 'Exists' },
          { key: 'legacy', operator: 'DoesNotExist' },
        ],
      },
      match: [{ app: 'web', env: 'qa', tier: 'x' }, { app: 'web', env: 'prod', tier: 'x', track: 'stable' }],
      noMatch: [{ app: 'web', env: 'qa', tier: 'x', track: 'canary' }, { app: 'web', env: 'qa', tier: 'x', legacy: '1' }, { app: 'web', env: 'qa' }],
      empty: false,
    },
  };
  for (const [name, c] of Object.entries(cases)) {
    const sel = labelSelectorFromObject(c.sel);
    assert.equal(sel.empty, c.empty, name);
    for (const labels of c.match) assert.equal(sel.matches(labels), true, `${name}: ${JSON.stringify(labels)}`);
    for (const labels of c.noMatch) assert.equal(sel.matches(labels), false, `${name}: ${JSON.stringify(labels)}`);
  }
  assert.deepEqual(
    labelSelectorFromObject({ matchLabels: { b: '1' }, matchExpressions: [{ key: 'a', operator: 'Exists' }] }).requirements,
    [
      { key: 'a', operator: 'exists', values: [] },
      { key: 'b', operator: '=', values: ['1'] },
    ],
  );
});

test('labelSelectorFromObject rejects what LabelSelectorAsSelector rejects', () => {
  const cases: Record<string, { sel: LabelSelectorObject; message: string }> = {
    'unknown operator': { sel: { matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] }, message: '"Gt" is not a valid label selector operator' },
    'In without values': {
      sel: { matchExpressions: [{ key: 'a', operator: 'In' }] },
      message: "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty",
    },
    'Exists with values': {
      sel: { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x', 'y'] }] },
      message: 'values: Invalid value: []string{"x", "y"}: values set must be empty for exists and does not exist',
    },
    'bad key': { sel: { matchLabels: { 'a/b/c': 'x' } }, message: `key: Invalid value: "a/b/c": a qualified name ${NAME_PART_MSG.replace('name part must', 'must')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')` },
    'bad value': { sel: { matchLabels: { a: 'x y' } }, message: `values[0][a]: Invalid value: "x y": ${LABEL_VALUE_MSG}` },
  };
  for (const [name, c] of Object.entries(cases)) {
    assert.throws(
      () => labelSelectorFromObject(c.sel),
      (e: unknown) => isStatus(e) && e.code === 400 && e.message === c.message,
      name,
    );
  }
});
