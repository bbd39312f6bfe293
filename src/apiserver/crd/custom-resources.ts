/**
 * From a CustomResourceDefinition to what the server needs to serve it: a ResourceType per
 * served version, the strategy that validates, defaults and prunes by the version's schema, the
 * conversion from each version to the storage version, and the Table columns. Pure functions of
 * the CRD object.
 */
import { JSONPath } from 'jsonpath-plus';
import type { KubeObject } from '../../apimachinery/object.js';
import { ALL_VERBS, type ResourceType, type Subresource } from '../../apimachinery/resource-type.js';
import { applyDefaults, prune, validateObject, type JSONSchemaProps } from '../crd-schema/index.js';
import { apiVersionRewrite, type Conversion } from '../conversion.js';
import { listMetaFromSchema } from '../field-manager/index.js';
import type { Strategy } from '../strategy.js';
import { translateTimestampSince, type ColumnDefinition, type Convertor } from '../table/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

export interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  schema?: { openAPIV3Schema?: JSONSchemaProps };
  subresources?: { status?: object; scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string } };
  additionalPrinterColumns?: Array<{ name: string; type: string; format?: string; description?: string; priority?: number; jsonPath: string }>;
}

export interface CrdSpec {
  group: string;
  scope: 'Namespaced' | 'Cluster';
  names: { plural: string; singular?: string; kind: string; listKind?: string; shortNames?: string[]; categories?: string[] };
  versions: CrdVersion[];
}

export function crdSpec(crd: KubeObject): CrdSpec {
  return crd.spec as CrdSpec;
}

export function storageVersion(spec: CrdSpec): CrdVersion | undefined {
  return spec.versions.find((v) => v.storage);
}

/** The resource types a CRD serves, one per served version. */
export function resourceTypesOf(spec: CrdSpec): ResourceType[] {
  const { names } = spec;
  return spec.versions
    .filter((v) => v.served)
    .map((v) => {
      const subresources: Subresource[] = [];
      if (v.subresources?.status) subresources.push({ name: 'status', group: spec.group, version: v.name, kind: names.kind, verbs: ['get', 'patch', 'update'] });
      if (v.subresources?.scale) subresources.push({ name: 'scale', group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] });
      return {
        group: spec.group,
        version: v.name,
        kind: names.kind,
        listKind: names.listKind ?? `${names.kind}List`,
        plural: names.plural,
        singular: names.singular ?? names.kind.toLowerCase(),
        namespaced: spec.scope === 'Namespaced',
        shortNames: names.shortNames ?? [],
        categories: names.categories ?? [],
        verbs: ALL_VERBS,
        subresources,
        generation: true,
        scalePaths: v.subresources?.scale,
      };
    });
}

/** Conversions (strategy None: only apiVersion changes) for every served version but the storage one. */
export function conversionsOf(spec: CrdSpec): Map<string, Conversion> {
  const stored = storageVersion(spec);
  const out = new Map<string, Conversion>();
  if (!stored) return out;
  const storage = { group: spec.group, plural: spec.names.plural, apiVersion: `${spec.group}/${stored.name}`, kind: spec.names.kind };
  for (const v of spec.versions) {
    if (v.name === stored.name) continue;
    out.set(`${spec.group}/${v.name}/${spec.names.kind}`, apiVersionRewrite(storage, `${spec.group}/${v.name}`));
  }
  return out;
}

function schemaFor(spec: CrdSpec, apiVersion: string | undefined): JSONSchemaProps | undefined {
  const version = apiVersion?.slice(spec.group.length + 1);
  return spec.versions.find((v) => v.name === version)?.schema?.openAPIV3Schema;
}

/** Validation, defaulting and pruning by the schema of the version the object is written in. */
export function customResourceStrategy(spec: CrdSpec): Strategy {
  const versionOf = (obj: KubeObject) => spec.versions.find((v) => `${spec.group}/${v.name}` === obj.apiVersion);
  const listMetas = new Map(spec.versions.map((v) => [v.name, listMetaFromSchema(v.schema?.openAPIV3Schema)]));
  return {
    listMeta(obj) {
      return listMetas.get(versionOf(obj)?.name ?? '') ?? listMetaFromSchema(undefined);
    },
    prepareForCreate(obj) {
      // With a status subresource, status is written only through /status.
      if (versionOf(obj)?.subresources?.status) delete obj.status;
    },
    defaults(obj) {
      const schema = schemaFor(spec, obj.apiVersion);
      if (!schema) return;
      prune(schema, obj, { isResourceRoot: true });
      applyDefaults(schema, obj);
    },
    validate(obj) {
      const schema = schemaFor(spec, obj.apiVersion);
      return schema ? validateObject(schema, obj) : [];
    },
  };
}

const COLUMN_TYPES = new Set(['integer', 'number', 'string', 'boolean', 'date']);

/** Table columns from additionalPrinterColumns: Name first; a `date` column shows as an age. */
export function printerColumnsConvertor(version: CrdVersion): Convertor | undefined {
  const defined = version.additionalPrinterColumns;
  const columnsSpec = defined && defined.length > 0 ? defined : [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.' }];
  const columns: ColumnDefinition[] = [
    { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0 },
    ...columnsSpec.map((c) => ({
      name: c.name,
      type: (COLUMN_TYPES.has(c.type) ? c.type : 'string') as ColumnDefinition['type'],
      format: c.format ?? '',
      description: c.description ?? '',
      priority: (c as { priority?: number }).priority ?? 0,
    })),
  ];
  return {
    columns,
    cells(obj: Json, now: Date) {
      return [
        obj.metadata?.name ?? '',
        ...columnsSpec.map((c) => {
          const values = JSONPath({ path: `$${c.jsonPath.startsWith('.') ? '' : '.'}${c.jsonPath}`, json: obj, wrap: true }) as unknown[];
          if (values.length === 0 || values[0] === undefined || values[0] === null) return null;
          const v = values.length === 1 ? values[0] : values;
          if (c.type === 'date' && typeof v === 'string') return translateTimestampSince(v, now);
          if (typeof v === 'object') return JSON.stringify(v);
          return v;
        }),
      ];
    },
  };
}
