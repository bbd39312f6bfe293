/**
 * Defaults and validation of CustomResourceDefinition objects themselves (apiextensions
 * validation.go, reduced to the rules users meet), with kube's field paths and messages.
 */
import { fieldError, type FieldError } from '../../apimachinery/errors.js';
import { isPlainObject, type KubeObject } from '../../apimachinery/object.js';
import { nameProblems } from '../../apimachinery/validation.js';
import { validateSchema } from '../crd-schema/index.js';
import type { Strategy } from '../strategy.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

export const CRD_CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';

const SCOPES = ['Cluster', 'Namespaced'];
const COLUMN_TYPES = ['boolean', 'date', 'integer', 'number', 'string'];

function validateNames(names: Json, errors: FieldError[]): void {
  const at = 'spec.names';
  if (!isPlainObject(names)) {
    errors.push(fieldError.required(at));
    return;
  }
  for (const field of ['plural', 'singular', 'listKind'] as const) {
    const v = names[field];
    if (field === 'plural' && !v) errors.push(fieldError.required(`${at}.plural`));
    if (v) for (const m of nameProblems(String(v).toLowerCase(), 'dns1035-label')) errors.push(fieldError.invalid(`${at}.${field}`, v, m));
  }
  if (!names.kind) errors.push(fieldError.required(`${at}.kind`));
  else if (!/^[A-Za-z][A-Za-z0-9]*$/.test(names.kind)) errors.push(fieldError.invalid(`${at}.kind`, names.kind, 'may have mixed case, but should otherwise match: [a-z]([-a-z0-9]*[a-z0-9])?'));
  if (names.plural && names.plural !== String(names.plural).toLowerCase()) {
    errors.push(fieldError.invalid(`${at}.plural`, names.plural, 'must be lowercase'));
  }
  (names.shortNames ?? []).forEach((s: string, i: number) => {
    for (const m of nameProblems(s, 'dns1035-label')) errors.push(fieldError.invalid(`${at}.shortNames[${i}]`, s, m));
  });
}

function validateVersions(versions: Json, errors: FieldError[]): void {
  if (!Array.isArray(versions) || versions.length === 0) {
    errors.push(fieldError.invalid('spec.versions', versions ?? null, 'must have exactly one version marked as storage version'));
    return;
  }
  const seen = new Set<string>();
  let storage = 0;
  versions.forEach((v: Json, i: number) => {
    const at = `spec.versions[${i}]`;
    if (!v?.name) errors.push(fieldError.required(`${at}.name`));
    else {
      for (const m of nameProblems(v.name, 'dns1035-label')) errors.push(fieldError.invalid(`${at}.name`, v.name, m));
      if (seen.has(v.name)) errors.push(fieldError.duplicate(`${at}.name`, v.name));
      seen.add(v.name);
    }
    if (typeof v?.served !== 'boolean') errors.push(fieldError.required(`${at}.served`));
    if (typeof v?.storage !== 'boolean') errors.push(fieldError.required(`${at}.storage`));
    if (v?.storage) storage++;
    const schema = v?.schema?.openAPIV3Schema;
    if (!schema) errors.push(fieldError.required(`${at}.schema.openAPIV3Schema`, 'schemas are required'));
    else errors.push(...validateSchema(schema, `${at}.schema.openAPIV3Schema`));
    const scale = v?.subresources?.scale;
    if (scale) {
      if (!scale.specReplicasPath) errors.push(fieldError.required(`${at}.subresources.scale.specReplicasPath`));
      else if (!String(scale.specReplicasPath).startsWith('.spec.')) errors.push(fieldError.invalid(`${at}.subresources.scale.specReplicasPath`, scale.specReplicasPath, 'should be a json path under .spec'));
      if (!scale.statusReplicasPath) errors.push(fieldError.required(`${at}.subresources.scale.statusReplicasPath`));
      else if (!String(scale.statusReplicasPath).startsWith('.status.')) errors.push(fieldError.invalid(`${at}.subresources.scale.statusReplicasPath`, scale.statusReplicasPath, 'should be a json path under .status'));
    }
    (v?.additionalPrinterColumns ?? []).forEach((c: Json, j: number) => {
      const cp = `${at}.additionalPrinterColumns[${j}]`;
      if (!c?.name) errors.push(fieldError.required(`${cp}.name`));
      if (!c?.jsonPath) errors.push(fieldError.required(`${cp}.JSONPath`));
      if (!COLUMN_TYPES.includes(c?.type)) errors.push(fieldError.notSupported(`${cp}.type`, c?.type, COLUMN_TYPES));
    });
  });
  if (storage !== 1) errors.push(fieldError.invalid('spec.versions', versions.map((v: Json) => v?.name), 'must have exactly one version marked as storage version'));
}

export const crdStrategy: Strategy = {
  prepareForCreate(obj) {
    obj.status = { conditions: [], acceptedNames: { plural: '', kind: '' }, storedVersions: [] };
    const finalizers = obj.metadata.finalizers ?? [];
    if (!finalizers.includes(CRD_CLEANUP_FINALIZER)) obj.metadata.finalizers = [...finalizers, CRD_CLEANUP_FINALIZER];
  },
  defaults(obj) {
    const spec = (obj.spec ??= {});
    const names = spec.names;
    if (isPlainObject(names) && typeof names.kind === 'string') {
      names.singular ??= names.kind.toLowerCase();
      names.listKind ??= `${names.kind}List`;
    }
    spec.conversion ??= { strategy: 'None' };
  },
  validate(obj: KubeObject) {
    const errors: FieldError[] = [];
    const spec = obj.spec;
    if (!isPlainObject(spec)) return [fieldError.required('spec')];
    if (!spec.group) errors.push(fieldError.required('spec.group'));
    else if (!String(spec.group).includes('.')) errors.push(fieldError.invalid('spec.group', spec.group, 'should be a domain with at least one dot'));
    if (!SCOPES.includes(spec.scope)) errors.push(fieldError.notSupported('spec.scope', spec.scope, SCOPES));
    validateNames(spec.names, errors);
    const expected = `${spec.names?.plural}.${spec.group}`;
    if (obj.metadata.name !== expected) {
      errors.push(fieldError.invalid('metadata.name', obj.metadata.name ?? '', 'must be spec.names.plural+"."+spec.group'));
    }
    validateVersions(spec.versions, errors);
    if (spec.conversion?.strategy && spec.conversion.strategy !== 'None') {
      errors.push(fieldError.notSupported('spec.conversion.strategy', spec.conversion.strategy, ['None']));
    }
    return errors;
  },
  validateUpdate(obj, old) {
    const errors: FieldError[] = [];
    if (obj.spec?.group !== old.spec?.group) errors.push(fieldError.invalid('spec.group', obj.spec?.group, 'field is immutable'));
    if (obj.spec?.scope !== old.spec?.scope) errors.push(fieldError.invalid('spec.scope', obj.spec?.scope, 'field is immutable'));
    if (obj.spec?.names?.plural !== old.spec?.names?.plural) errors.push(fieldError.invalid('spec.names.plural', obj.spec?.names?.plural, 'field is immutable'));
    return errors;
  },
};
