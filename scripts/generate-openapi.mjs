#!/usr/bin/env node
// Build step: generate the OpenAPI schemas of the built-in kinds from kubernetes-types,
// @kubernetes/client-node and src/apiserver/openapi/struct-tags.ts, into
// dist/openapi/builtin-schemas.json (the API server loads it). Runs after `tsc`.
import { writeBuiltinSchemas } from '../dist/src/apiserver/openapi/builtin.js';

const { file, bytes, ms, result } = writeBuiltinSchemas(process.argv[2]);
const { stats } = result;
console.log(
  `openapi: ${stats.schemas} schemas from kubernetes-types ${result.sources.kubernetesTypes}, client-node ${result.sources.clientNode}, struct tags ${result.sources.structTags}` +
    ` -> ${file} (${(bytes / 1024).toFixed(0)} KiB, ${ms.toFixed(0)} ms)`,
);
if (stats.unfilledFields.length) console.warn(`openapi: fields missing from both type sources: ${stats.unfilledFields.join(', ')}`);
