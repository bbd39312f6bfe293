import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldError } from './errors.js';
import { labelValueProblems, nameProblems, qualifiedNameProblems, validateObjectMeta, type NameRule } from './validation.js';

// apimachinery/pkg/util/validation messages, word for word (RegexError puts two spaces before "or").
const DNS1123_LABEL =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1123_SUBDOMAIN =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const DNS1035_LABEL =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const QUALIFIED_NAME_PART =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

test('name rules', () => {
  const cases: Record<string, { name: string; rule: NameRule; want: string[] }> = {
    'subdomain: valid with dots': { name: 'web.example.com', rule: 'dns1123-subdomain', want: [] },
    'subdomain: digits first is fine': { name: '1-web', rule: 'dns1123-subdomain', want: [] },
    'subdomain: upper case': { name: 'Web', rule: 'dns1123-subdomain', want: [DNS1123_SUBDOMAIN] },
    'subdomain: underscore': { name: 'my_name', rule: 'dns1123-subdomain', want: [DNS1123_SUBDOMAIN] },
    'subdomain: trailing dash': { name: 'web-', rule: 'dns1123-subdomain', want: [DNS1123_SUBDOMAIN] },
    'subdomain: 253 characters': { name: 'a'.repeat(253), rule: 'dns1123-subdomain', want: [] },
    'subdomain: 254 characters': { name: 'a'.repeat(254), rule: 'dns1123-subdomain', want: ['must be no more than 253 characters'] },
    'label: valid': { name: 'kube-system', rule: 'dns1123-label', want: [] },
    'label: dots are not allowed': { name: 'a.b', rule: 'dns1123-label', want: [DNS1123_LABEL] },
    'label: 63 characters': { name: 'a'.repeat(63), rule: 'dns1123-label', want: [] },
    'label: 64 characters': { name: 'a'.repeat(64), rule: 'dns1123-label', want: ['must be no more than 63 characters'] },
    'label: too long and invalid': {
      name: 'A'.repeat(64),
      rule: 'dns1123-label',
      want: ['must be no more than 63 characters', DNS1123_LABEL],
    },
    'DNS-1035: valid': { name: 'my-svc', rule: 'dns1035-label', want: [] },
    'DNS-1035: digit first': { name: '1svc', rule: 'dns1035-label', want: [DNS1035_LABEL] },
    'DNS-1035: upper case': { name: 'Svc', rule: 'dns1035-label', want: [DNS1035_LABEL] },
    'path segment: dot-dot': { name: '..', rule: 'path-segment', want: ["may not be '..'"] },
    'path segment: slash': { name: 'a/b', rule: 'path-segment', want: ["may not contain '/'"] },
    'path segment: percent': { name: 'a%b', rule: 'path-segment', want: ["may not contain '%'"] },
    'path segment: anything else': { name: 'Any_Thing:1', rule: 'path-segment', want: [] },
  };
  for (const [name, c] of Object.entries(cases)) assert.deepEqual(nameProblems(c.name, c.rule), c.want, name);
});

test('label keys (qualified names)', () => {
  const cases: Record<string, { key: string; want: string[] }> = {
    plain: { key: 'app', want: [] },
    'with prefix': { key: 'app.kubernetes.io/name', want: [] },
    'mixed case and underscore': { key: 'My_Key.1', want: [] },
    'leading dash': { key: '-app', want: [QUALIFIED_NAME_PART] },
    'bad character': { key: 'app!', want: [QUALIFIED_NAME_PART] },
    'empty name part': { key: 'example.com/', want: ['name part must be non-empty', QUALIFIED_NAME_PART] },
    'empty prefix': { key: '/app', want: ['prefix part must be non-empty'] },
    'bad prefix': { key: 'Example.com/app', want: [`prefix part ${DNS1123_SUBDOMAIN}`] },
    'name part 64 characters': { key: 'a'.repeat(64), want: ['name part must be no more than 63 characters'] },
    'two slashes': {
      key: 'a/b/c',
      want: [
        "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
      ],
    },
  };
  for (const [name, c] of Object.entries(cases)) assert.deepEqual(qualifiedNameProblems(c.key), c.want, name);
});

test('label values', () => {
  const cases: Record<string, { value: string; want: string[] }> = {
    empty: { value: '', want: [] },
    plain: { value: 'web-1.2_3', want: [] },
    'leading dot': { value: '.web', want: [LABEL_VALUE] },
    space: { value: 'a b', want: [LABEL_VALUE] },
    '63 characters': { value: 'v'.repeat(63), want: [] },
    '64 characters': { value: 'v'.repeat(64), want: ['must be no more than 63 characters'] },
  };
  for (const [name, c] of Object.entries(cases)) assert.deepEqual(labelValueProblems(c.value), c.want, name);
});

test('object metadata', () => {
  type Meta = Parameters<typeof validateObjectMeta>[0];
  const cases: Record<string, { meta: Meta; namespaced?: boolean; rule?: NameRule; want: Array<Pick<FieldError, 'field' | 'message'>> }> = {
    valid: { meta: { name: 'web', namespace: 'ns', labels: { app: 'web' }, annotations: { 'example.com/x': 'any value at all' } }, want: [] },
    'generateName instead of name': { meta: { generateName: 'web-', namespace: 'ns' }, want: [] },
    'no name': {
      meta: { namespace: 'ns' },
      want: [{ field: 'metadata.name', message: 'Required value: name or generateName is required' }],
    },
    'invalid name': {
      meta: { name: 'Web', namespace: 'ns' },
      want: [{ field: 'metadata.name', message: `Invalid value: "Web": ${DNS1123_SUBDOMAIN}` }],
    },
    'service name (DNS-1035)': {
      meta: { name: '1svc', namespace: 'ns' },
      rule: 'dns1035-label',
      want: [{ field: 'metadata.name', message: `Invalid value: "1svc": ${DNS1035_LABEL}` }],
    },
    'namespaced without namespace': { meta: { name: 'web' }, want: [{ field: 'metadata.namespace', message: 'Required value' }] },
    'cluster-scoped with namespace': {
      meta: { name: 'n1', namespace: 'ns' },
      namespaced: false,
      want: [{ field: 'metadata.namespace', message: 'Forbidden: not allowed on this type' }],
    },
    'bad label key': {
      meta: { name: 'web', namespace: 'ns', labels: { 'app!': 'web' } },
      want: [{ field: 'metadata.labels', message: `Invalid value: "app!": ${QUALIFIED_NAME_PART}` }],
    },
    'bad label value': {
      meta: { name: 'web', namespace: 'ns', labels: { app: 'web server' } },
      want: [{ field: 'metadata.labels', message: `Invalid value: "web server": ${LABEL_VALUE}` }],
    },
    'bad annotation key': {
      meta: { name: 'web', namespace: 'ns', annotations: { 'a b': 'x' } },
      want: [{ field: 'metadata.annotations', message: `Invalid value: "a b": ${QUALIFIED_NAME_PART}` }],
    },
    'annotations over 256 KiB': {
      meta: { name: 'web', namespace: 'ns', annotations: { big: 'x'.repeat(256 * 1024) } },
      want: [{ field: 'metadata.annotations', message: 'Too long: may not be more than 262144 bytes' }],
    },
    // ValidateFinalizers reports every bad name at metadata.finalizers (no index).
    'bad finalizer': {
      meta: { name: 'web', namespace: 'ns', finalizers: ['example.com/ok', 'bad finalizer'] },
      want: [{ field: 'metadata.finalizers', message: `Invalid value: "bad finalizer": ${QUALIFIED_NAME_PART}` }],
    },
  };
  for (const [name, c] of Object.entries(cases)) {
    const got = validateObjectMeta(c.meta, { namespaced: c.namespaced ?? true, nameRule: c.rule ?? 'dns1123-subdomain' });
    assert.deepEqual(
      got.map((e) => ({ field: e.field, message: e.message })),
      c.want,
      name,
    );
  }
});
