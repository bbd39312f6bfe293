/**
 * The generated schemas of the built-in kinds: `dist/openapi/builtin-schemas.json`, written by
 * `npm run build` (scripts/generate-openapi.mjs) and loaded once per process. If the file is
 * missing or was generated from other inputs (another kubernetes-types, client-node or
 * struct-tag table), it is generated on first use and written back when dist/ is writable, so a
 * bare `tsc` build still serves real schemas.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { currentFingerprint, generateBuiltinSchemas, type BuiltinSchemas } from './generate.js';
import type { SchemaMap } from './schema.js';

/** dist/src/apiserver/openapi/builtin.js → dist/openapi/builtin-schemas.json */
export const BUILTIN_SCHEMAS_FILE = fileURLToPath(new URL('../../../openapi/builtin-schemas.json', import.meta.url));

let loaded: SchemaMap | undefined;

/** All built-in schemas by upstream name. Loaded (or generated) on first call, then cached. */
export function builtinSchemas(): SchemaMap {
  loaded ??= load();
  return loaded;
}

function load(): SchemaMap {
  let fromFile: BuiltinSchemas | undefined;
  try {
    fromFile = JSON.parse(readFileSync(BUILTIN_SCHEMAS_FILE, 'utf8')) as BuiltinSchemas;
  } catch {
    fromFile = undefined;
  }
  let expected: string | undefined;
  try {
    expected = currentFingerprint();
  } catch {
    // The type packages are build-time dependencies; without them, trust the file.
    if (fromFile) return fromFile.schemas;
    throw new Error(`${BUILTIN_SCHEMAS_FILE} is missing and kubernetes-types is not installed: run \`npm run build\``);
  }
  if (fromFile && fromFile.fingerprint === expected) return fromFile.schemas;
  const generated = generateBuiltinSchemas();
  try {
    writeSchemasFile(BUILTIN_SCHEMAS_FILE, generated);
  } catch {
    // Read-only install: keep the generated schemas in memory only.
  }
  return generated.schemas;
}

/** Generate the schemas and write them to `file` (the build step). */
export function writeBuiltinSchemas(file = BUILTIN_SCHEMAS_FILE): { file: string; bytes: number; ms: number; result: BuiltinSchemas } {
  const started = performance.now();
  const result = generateBuiltinSchemas();
  const bytes = writeSchemasFile(file, result);
  return { file, bytes, ms: performance.now() - started, result };
}

function writeSchemasFile(file: string, data: BuiltinSchemas): number {
  const text = JSON.stringify(data);
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
  return Buffer.byteLength(text);
}
