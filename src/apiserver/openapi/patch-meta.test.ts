import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinPatchMeta } from '../../apimachinery/patch.js';
import { BUILTIN_RESOURCES } from '../builtin-resources.js';
import { builtinKindSchema, schemaPatchMeta, type KindSchema, type Schema } from './index.js';

function lookup(group: string, version: string, kind: string) {
  const k = builtinKindSchema(group, version, kind);
  assert.ok(k);
  return schemaPatchMeta(k);
}

test('patch metadata read from the schemas', () => {
  const pod = lookup('', 'v1', 'Pod');
  const deploy = lookup('apps', 'v1', 'Deployment');
  const cases: Record<string, { got: unknown; want: unknown }> = {
    containers: { got: pod(['spec', 'containers']), want: { patchStrategy: 'merge', patchMergeKey: 'name' } },
    'container ports (list items not counted)': { got: pod(['spec', 'containers', 'ports']), want: { patchStrategy: 'merge', patchMergeKey: 'containerPort' } },
    volumes: { got: pod(['spec', 'volumes']), want: { patchStrategy: 'merge,retainKeys', patchMergeKey: 'name' } },
    finalizers: { got: pod(['metadata', 'finalizers']), want: { patchStrategy: 'merge' } },
    'template containers': { got: deploy(['spec', 'template', 'spec', 'containers']), want: { patchStrategy: 'merge', patchMergeKey: 'name' } },
    'strategy retains keys': { got: deploy(['spec', 'strategy']), want: { patchStrategy: 'retainKeys' } },
    'no strategy': { got: pod(['spec', 'nodeSelector']), want: undefined },
    'no such field': { got: pod(['spec', 'nope']), want: undefined },
  };
  for (const [name, { got, want }] of Object.entries(cases)) assert.deepEqual(got, want, name);
});

test('patch.ts builtinPatchMeta agrees with the upstream tags on every field of the served kinds', () => {
  // Known gaps in patch.ts's hand-kept table, present upstream.
  const known = [/\.volumeClaimTemplate\.metadata\.(finalizers|ownerReferences)$/];
  const disagreements: string[] = [];
  for (const rt of BUILTIN_RESOURCES) {
    if (rt.group === 'apiextensions.k8s.io') continue; // JSONSchemaProps recursion; patch.ts has no CRD entry
    if (rt.group === 'metrics.k8s.io') continue; // read-only figures: never patched, no schema published
    const k: KindSchema | undefined = builtinKindSchema(rt.group, rt.version, rt.kind);
    assert.ok(k, rt.kind);
    const fromSchema = schemaPatchMeta(k);
    const fromTable = builtinPatchMeta(rt.group, rt.kind);
    const walk = (s: Schema | undefined, path: string[], depth: number): void => {
      for (let i = 0; s && i < 32; i++) {
        if (s.$ref) s = k.resolve(s.$ref.slice('#/components/schemas/'.length));
        else if (s.allOf?.length === 1) s = s.allOf[0];
        else break;
      }
      if (!s || depth > 9) return;
      if (s.items) return walk(s.items, path, depth);
      for (const [name, p] of Object.entries(s.properties ?? {})) {
        const at = [...path, name];
        const a = fromSchema(at);
        const t = fromTable(at);
        const b = t && (t.patchStrategy || t.patchMergeKey) ? Object.fromEntries(Object.entries(t).filter(([, v]) => v !== undefined)) : undefined;
        if (JSON.stringify(a) !== JSON.stringify(b) && !known.some((re) => re.test(at.join('.')))) {
          disagreements.push(`${rt.group}/${rt.kind} ${at.join('.')}: schema ${JSON.stringify(a)}, patch.ts ${JSON.stringify(b)}`);
        }
        walk(p, at, depth + 1);
      }
    };
    walk(k.schema, [], 0);
  }
  assert.deepEqual(disagreements, []);
});
