/**
 * Installing a CustomResourceDefinition from a component, as operators do at start: create or
 * update it (keeping what the server defaulted, so an unchanged CRD is not written again) and wait
 * until the API server says it is Established.
 */
import type { Client } from './client.js';
import { createOrUpdate } from './apply.js';
import { kinds, type KObject } from './resource.js';

export interface CrdDefinition {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly labels?: Readonly<Record<string, string>> };
  readonly spec: object;
}

interface Crd extends KObject {
  spec?: unknown;
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

/**
 * Create or update `def` and wait until it is Established (default 30 s). Throws when its names
 * are not accepted (another CRD holds them) or the deadline passes.
 */
export async function ensureCRD(client: Pick<Client, 'get' | 'create' | 'update'>, def: CrdDefinition, opts: { timeoutMs?: number; intervalMs?: number } = {}): Promise<void> {
  const name = def.metadata.name;
  const crd: Crd = { apiVersion: def.apiVersion, kind: def.kind, metadata: { name } };
  await createOrUpdate(client, kinds.customResourceDefinitions, crd, (c) => {
    if (def.metadata.labels) c.metadata = { ...c.metadata, labels: { ...c.metadata?.labels, ...def.metadata.labels } };
    c.spec = { ...(c.spec as object | undefined), ...structuredClone(def.spec) };
  });
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  for (;;) {
    const cur = await client.get<Crd>(kinds.customResourceDefinitions, '', name);
    const conds = cur?.status?.conditions ?? [];
    if (conds.some((c) => c.type === 'Established' && c.status === 'True')) return;
    const names = conds.find((c) => c.type === 'NamesAccepted' && c.status === 'False');
    if (names) throw new Error(`CustomResourceDefinition ${name}: names not accepted: ${names.message ?? names.reason ?? ''}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for CustomResourceDefinition ${name} to be Established`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 100));
  }
}
