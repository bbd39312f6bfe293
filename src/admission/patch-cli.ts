/**
 * The core of `flotilla admission patch`: RFC 6902 patches applied in order, with the json-patch
 * CLI's (evanphx/json-patch) error lines. Pure but for reading the files it is handed.
 */
import { applyJsonPatch } from '../apimachinery/patch.js';
import { StatusError } from '../apimachinery/errors.js';

export type PatchOutcome = { ok: true; document: string } | { ok: false; message: string };

/** The library's message for a patch that does not apply (the StatusError keeps it as its cause). */
function applyError(e: unknown, op: Record<string, unknown> | undefined): string {
  const inner = e instanceof StatusError && e.cause instanceof Error ? e.cause.message : (e as Error).message;
  if (/does not apply|Unexpected kind|invalid index|missing (path|from) field|cannot unmarshal/.test(inner)) return inner;
  const kind = typeof op?.op === 'string' ? op.op : 'unknown';
  if (kind === 'test') return 'testing value failed: test failed';
  return `${kind} operation does not apply: doc is missing path: ${JSON.stringify(op?.path ?? '')}: missing value`;
}

export function applyPatchFiles(document: string, patches: ReadonlyArray<{ name: string; read(): string }>): PatchOutcome {
  let doc: unknown;
  try {
    doc = JSON.parse(document);
  } catch (e) {
    return { ok: false, message: `error applying patch: invalid JSON Document: ${(e as Error).message}` };
  }
  for (const p of patches) {
    let ops: unknown;
    try {
      ops = JSON.parse(p.read());
      if (!Array.isArray(ops)) throw new Error(`json: cannot unmarshal ${ops === null ? 'null' : typeof ops} into Go value of type jsonpatch.Patch`);
    } catch (e) {
      return { ok: false, message: `error decoding patch file: ${(e as Error).message}` };
    }
    for (const op of ops as Array<Record<string, unknown>>) {
      try {
        doc = applyJsonPatch(doc as Record<string, unknown>, [op]);
      } catch (e) {
        return { ok: false, message: `error applying patch: ${applyError(e, op)}` };
      }
    }
  }
  return { ok: true, document: JSON.stringify(doc) };
}
