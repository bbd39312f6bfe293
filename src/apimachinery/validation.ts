/**
 * Name, label and annotation validation with apimachinery's exact messages
 * (k8s.io/apimachinery/pkg/util/validation), which kubectl shows after `* <field>: `.
 */
import { fieldError, type FieldError } from './errors.js';
import { isPlainObject, type ObjectMeta } from './object.js';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

const MSG_DNS1123_LABEL =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const MSG_DNS1123_SUBDOMAIN =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const MSG_DNS1035_LABEL =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const MSG_QUALIFIED_NAME_PART =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const MSG_LABEL_VALUE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

export type NameRule = 'dns1123-subdomain' | 'dns1123-label' | 'dns1035-label' | 'path-segment';

/** Problems with a name, as messages (empty when valid). */
export function nameProblems(name: string, rule: NameRule): string[] {
  switch (rule) {
    case 'dns1123-label':
      return [
        ...(name.length > 63 ? ['must be no more than 63 characters'] : []),
        ...(DNS1123_LABEL.test(name) ? [] : [MSG_DNS1123_LABEL]),
      ];
    case 'dns1035-label':
      return [
        ...(name.length > 63 ? ['must be no more than 63 characters'] : []),
        ...(DNS1035_LABEL.test(name) ? [] : [MSG_DNS1035_LABEL]),
      ];
    case 'dns1123-subdomain':
      return [
        ...(name.length > 253 ? ['must be no more than 253 characters'] : []),
        ...(DNS1123_SUBDOMAIN.test(name) ? [] : [MSG_DNS1123_SUBDOMAIN]),
      ];
    case 'path-segment':
      if (name === '.' || name === '..') return [`may not be '${name}'`];
      if (name.includes('/')) return ["may not contain '/'"];
      if (name.includes('%')) return ["may not contain '%'"];
      return [];
  }
}

/** Problems with a qualified name such as a label key (`prefix/name`). */
export function qualifiedNameProblems(value: string): string[] {
  const parts = value.split('/');
  let name: string;
  const problems: string[] = [];
  if (parts.length === 1) {
    name = parts[0];
  } else if (parts.length === 2) {
    const [prefix, rest] = parts;
    name = rest;
    if (prefix.length === 0) problems.push('prefix part must be non-empty');
    else problems.push(...nameProblems(prefix, 'dns1123-subdomain').map((m) => `prefix part ${m}`));
  } else {
    return [
      `a qualified name ${MSG_QUALIFIED_NAME_PART.replace('name part must', 'must')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  if (name.length === 0) problems.push('name part must be non-empty');
  else if (Buffer.byteLength(name) > 63) problems.push('name part must be no more than 63 characters');
  if (!QUALIFIED_NAME_PART.test(name)) problems.push(MSG_QUALIFIED_NAME_PART);
  return problems;
}

export function labelValueProblems(value: string): string[] {
  return [
    ...(value.length > 63 ? ['must be no more than 63 characters'] : []),
    ...(LABEL_VALUE.test(value) ? [] : [MSG_LABEL_VALUE]),
  ];
}

const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

/** ObjectMeta validation shared by every kind (ValidateObjectMeta). */
export function validateObjectMeta(
  meta: ObjectMeta,
  opts: { namespaced: boolean; nameRule: NameRule },
): FieldError[] {
  const errors: FieldError[] = [];
  if (!meta.name) {
    if (!meta.generateName) errors.push(fieldError.required('metadata.name', 'name or generateName is required'));
  } else {
    for (const m of nameProblems(meta.name, opts.nameRule)) errors.push(fieldError.invalid('metadata.name', meta.name, m));
  }
  if (opts.namespaced && !meta.namespace) errors.push(fieldError.required('metadata.namespace'));
  if (!opts.namespaced && meta.namespace) errors.push(fieldError.forbidden('metadata.namespace', 'not allowed on this type'));

  if (meta.labels !== undefined) {
    if (!isPlainObject(meta.labels)) errors.push(fieldError.invalid('metadata.labels', meta.labels, 'must be a map of strings'));
    else
      for (const [k, v] of Object.entries(meta.labels)) {
        for (const m of qualifiedNameProblems(k)) errors.push(fieldError.invalid('metadata.labels', k, m));
        if (typeof v !== 'string') errors.push(fieldError.invalid(`metadata.labels`, v, 'must be a string'));
        else for (const m of labelValueProblems(v)) errors.push(fieldError.invalid('metadata.labels', v, m));
      }
  }
  if (meta.annotations !== undefined) {
    if (!isPlainObject(meta.annotations))
      errors.push(fieldError.invalid('metadata.annotations', meta.annotations, 'must be a map of strings'));
    else {
      let total = 0;
      for (const [k, v] of Object.entries(meta.annotations)) {
        for (const m of qualifiedNameProblems(k.toLowerCase())) errors.push(fieldError.invalid('metadata.annotations', k, m));
        if (typeof v !== 'string') errors.push(fieldError.invalid('metadata.annotations', v, 'must be a string'));
        total += k.length + (typeof v === 'string' ? v.length : 0);
      }
      if (total > TOTAL_ANNOTATION_SIZE_LIMIT) errors.push(fieldError.tooLong('metadata.annotations', TOTAL_ANNOTATION_SIZE_LIMIT));
    }
  }
  if (meta.finalizers !== undefined) {
    if (!Array.isArray(meta.finalizers)) errors.push(fieldError.invalid('metadata.finalizers', meta.finalizers, 'must be a list of strings'));
    else
      meta.finalizers.forEach((f) => {
        for (const m of qualifiedNameProblems(String(f))) errors.push(fieldError.invalid('metadata.finalizers', f, m));
      });
  }
  if (meta.ownerReferences !== undefined) {
    if (!Array.isArray(meta.ownerReferences))
      errors.push(fieldError.invalid('metadata.ownerReferences', meta.ownerReferences, 'must be a list'));
    else {
      let controllers = 0;
      meta.ownerReferences.forEach((ref, i) => {
        const path = `metadata.ownerReferences[${i}]`;
        if (!ref?.apiVersion) errors.push(fieldError.invalid(`${path}.apiVersion`, ref?.apiVersion ?? '', 'version must not be empty'));
        if (!ref?.kind) errors.push(fieldError.invalid(`${path}.kind`, ref?.kind ?? '', 'kind must not be empty'));
        if (!ref?.name) errors.push(fieldError.invalid(`${path}.name`, ref?.name ?? '', 'name must not be empty'));
        if (!ref?.uid) errors.push(fieldError.invalid(`${path}.uid`, ref?.uid ?? '', 'uid must not be empty'));
        if (ref?.controller) controllers++;
      });
      if (controllers > 1)
        errors.push(fieldError.invalid('metadata.ownerReferences', meta.ownerReferences, 'Only one reference can have Controller set to true'));
    }
  }
  return errors;
}
