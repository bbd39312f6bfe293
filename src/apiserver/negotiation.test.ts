import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../apimachinery/errors.js';
import { acceptsAggregatedDiscovery, chooseFormat, decodeBody, parseAccept, type ResponseFormat } from './negotiation.js';

const KUBECTL_TABLE =
  'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
const KUBECTL_DISCOVERY =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';

test('chooseFormat picks the first representation the server can give', () => {
  const cases: Record<string, { accept: string | undefined; want: ResponseFormat }> = {
    'kubectl get (Table)': { accept: KUBECTL_TABLE, want: { kind: 'table', version: 'v1' } },
    'Table v1beta1 only': { accept: 'application/json;as=Table;v=v1beta1;g=meta.k8s.io', want: { kind: 'table', version: 'v1beta1' } },
    'plain JSON': { accept: 'application/json', want: { kind: 'json' } },
    'protobuf first, JSON fallback (kubectl describe)': {
      accept: 'application/vnd.kubernetes.protobuf,application/json',
      want: { kind: 'json' },
    },
    YAML: { accept: 'application/yaml', want: { kind: 'yaml' } },
    'anything (client-node)': { accept: '*/*', want: { kind: 'json' } },
    'no Accept header': { accept: undefined, want: { kind: 'json' } },
    'unsupported as= falls through to JSON': {
      accept: 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io,application/json',
      want: { kind: 'json' },
    },
    'JSON with parameters': { accept: 'application/json; charset=utf-8', want: { kind: 'json' } },
  };
  for (const [name, { accept, want }] of Object.entries(cases)) {
    assert.deepEqual(chooseFormat(parseAccept(accept)), want, name);
  }
});

test('acceptsAggregatedDiscovery', () => {
  const cases: Record<string, { accept: string | undefined; want: 'v2' | 'v2beta1' | undefined }> = {
    'kubectl 1.32 discovery': { accept: KUBECTL_DISCOVERY, want: 'v2' },
    'v2beta1 only': { accept: 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json', want: 'v2beta1' },
    'plain JSON (legacy discovery)': { accept: 'application/json', want: undefined },
    'JSON preferred over aggregated': {
      accept: 'application/json,application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
      want: undefined,
    },
    'no Accept header': { accept: undefined, want: undefined },
  };
  for (const [name, { accept, want }] of Object.entries(cases)) {
    assert.equal(acceptsAggregatedDiscovery(parseAccept(accept)), want, name);
  }
});

test('decodeBody reads JSON and YAML; a missing Content-Type is JSON', () => {
  const want = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '1' } };
  const cases: Record<string, { contentType: string | undefined; body: string }> = {
    JSON: { contentType: 'application/json', body: JSON.stringify(want) },
    'JSON with charset': { contentType: 'application/json; charset=utf-8', body: JSON.stringify(want) },
    'no Content-Type (kubectl scale PUT)': { contentType: undefined, body: JSON.stringify(want) },
    YAML: { contentType: 'application/yaml', body: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: "1"\n' },
    'merge patch': { contentType: 'application/merge-patch+json', body: JSON.stringify(want) },
  };
  for (const [name, { contentType, body }] of Object.entries(cases)) {
    assert.deepEqual(decodeBody(contentType, Buffer.from(body)), want, name);
  }
});

test('decodeBody rejects what it cannot read', () => {
  const cases: Record<string, { contentType: string | undefined; body: string; code: number; reason: string }> = {
    'malformed JSON': { contentType: 'application/json', body: '{"apiVersion": ', code: 400, reason: 'BadRequest' },
    'malformed JSON without Content-Type': { contentType: undefined, body: 'not json', code: 400, reason: 'BadRequest' },
    'malformed YAML': { contentType: 'application/yaml', body: 'a: [1, 2\nb: :', code: 400, reason: 'BadRequest' },
    'unknown media type': { contentType: 'text/plain', body: 'hello', code: 415, reason: 'UnsupportedMediaType' },
  };
  for (const [name, { contentType, body, code, reason }] of Object.entries(cases)) {
    assert.throws(
      () => decodeBody(contentType, Buffer.from(body)),
      (e: unknown) => {
        assert.ok(e instanceof StatusError, name);
        assert.equal(e.code, code, name);
        assert.equal(e.reason, reason, name);
        return true;
      },
      name,
    );
  }
  assert.throws(() => decodeBody('text/plain', Buffer.from('x')), {
    message: /^the body of the request was in an unknown format - accepted media types include: application\/json, /,
  });
});
