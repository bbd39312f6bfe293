/** core/v1 kinds other than services: pods, namespaces, nodes, events, volumes, secrets. */
import { fieldError, type FieldError } from '../../apimachinery/errors.js';
import { isPlainObject, type KubeObject } from '../../apimachinery/object.js';
import type { Strategy } from '../strategy.js';
import { defaultPodSpec, validatePodSpec } from './pod-template.js';
import { parseQuantity } from '../../apimachinery/quantity.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const QOS_RESOURCES = ['cpu', 'memory'];

/** The QoS class kube computes for a pod (GetPodQOS): only cpu and memory count; zero requests are ignored. */
export function qosClass(spec: Json): string {
  const containers: Json[] = [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])];
  const requests = new Map<string, number>();
  const limits = new Map<string, number>();
  let guaranteed = true;
  const value = (q: unknown) => {
    try {
      return parseQuantity(q as string);
    } catch {
      return 0;
    }
  };
  for (const c of containers) {
    for (const r of QOS_RESOURCES) {
      const req = c?.resources?.requests?.[r];
      if (req !== undefined && value(req) > 0) requests.set(r, (requests.get(r) ?? 0) + value(req));
      const lim = c?.resources?.limits?.[r];
      if (lim !== undefined && value(lim) > 0) limits.set(r, (limits.get(r) ?? 0) + value(lim));
    }
    const containerLimits = QOS_RESOURCES.filter((r) => c?.resources?.limits?.[r] !== undefined && value(c.resources.limits[r]) > 0);
    if (containerLimits.length !== QOS_RESOURCES.length) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const r of QOS_RESOURCES) if (requests.has(r) && requests.get(r) !== limits.get(r)) guaranteed = false;
  }
  return guaranteed && limits.size === QOS_RESOURCES.length ? 'Guaranteed' : 'Burstable';
}

/**
 * The DefaultTolerationSeconds admission plugin: pods tolerate a not-ready or unreachable node
 * for 300 s before the node lifecycle controller evicts them.
 */
function addDefaultTolerations(spec: Json): void {
  const tolerations: Json[] = Array.isArray(spec.tolerations) ? spec.tolerations : [];
  for (const key of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']) {
    const covered = tolerations.some((t) => (t?.key === key || (t?.key === undefined && t?.operator === 'Exists')) && (t?.effect === undefined || t?.effect === '' || t?.effect === 'NoExecute'));
    if (!covered) tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 });
  }
  spec.tolerations = tolerations;
}

export const podStrategy: Strategy = {
  prepareForCreate(obj) {
    obj.status = { phase: 'Pending', qosClass: qosClass(obj.spec) };
  },
  defaults(obj) {
    defaultPodSpec(obj.spec);
    // What kube's admission plugins add to pods (not to pod templates).
    const spec = obj.spec;
    if (isPlainObject(spec)) {
      if (spec.serviceAccountName === undefined && spec.serviceAccount === undefined) spec.serviceAccountName = 'default';
      spec.serviceAccount ??= spec.serviceAccountName;
      spec.serviceAccountName ??= spec.serviceAccount;
      spec.enableServiceLinks ??= true;
      spec.preemptionPolicy ??= 'PreemptLowerPriority';
      spec.priority ??= 0;
      addDefaultTolerations(spec);
    }
    // Requests default to limits, as SetDefaults_Pod does.
    for (const c of [...(obj.spec?.containers ?? []), ...(obj.spec?.initContainers ?? [])]) {
      const limits = c?.resources?.limits;
      if (isPlainObject(limits)) {
        c.resources.requests ??= {};
        for (const [k, v] of Object.entries(limits)) c.resources.requests[k] ??= v;
      }
    }
  },
  validate(obj) {
    return validatePodSpec(obj.spec, 'spec');
  },
  validateUpdate(obj, old) {
    // Only a few pod spec fields may change once the pod exists (ValidatePodUpdate).
    const strip = (spec: Json) => {
      const copy = structuredClone(spec ?? {});
      for (const list of [copy.containers, copy.initContainers]) if (Array.isArray(list)) for (const c of list) delete c.image;
      delete copy.activeDeadlineSeconds;
      delete copy.tolerations;
      delete copy.terminationGracePeriodSeconds;
      if (!old.spec?.nodeName) delete copy.nodeName;
      delete copy.schedulingGates;
      return JSON.stringify(copy);
    };
    if (strip(obj.spec) !== strip(old.spec)) {
      return [
        fieldError.forbidden(
          'spec',
          'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
        ),
      ];
    }
    return [];
  },
  selectableFields(obj) {
    return {
      'spec.nodeName': obj.spec?.nodeName ?? '',
      'spec.restartPolicy': obj.spec?.restartPolicy ?? '',
      'spec.schedulerName': obj.spec?.schedulerName ?? '',
      'spec.serviceAccountName': obj.spec?.serviceAccountName ?? '',
      'spec.hostNetwork': String(obj.spec?.hostNetwork ?? false),
      'status.phase': obj.status?.phase ?? '',
      'status.podIP': obj.status?.podIP ?? '',
      'status.nominatedNodeName': obj.status?.nominatedNodeName ?? '',
    };
  },
};

export const namespaceStrategy: Strategy = {
  prepareForCreate(obj) {
    obj.status = { phase: 'Active' };
  },
  defaults(obj) {
    obj.spec ??= {};
    if (obj.spec.finalizers === undefined && !obj.metadata.deletionTimestamp) obj.spec.finalizers = ['kubernetes'];
    // kube labels every namespace with its own name (NamespaceDefaultLabelName).
    obj.metadata.labels = { ...obj.metadata.labels, 'kubernetes.io/metadata.name': obj.metadata.name! };
  },
  prepareForUpdate(obj, old) {
    obj.spec = { ...obj.spec, finalizers: old.spec?.finalizers };
  },
  selectableFields(obj) {
    return { 'status.phase': obj.status?.phase ?? '' };
  },
};

export const nodeStrategy: Strategy = {
  defaults(obj) {
    obj.spec ??= {};
  },
  selectableFields(obj) {
    return { 'spec.unschedulable': String(obj.spec?.unschedulable ?? false) };
  },
};

const EVENT_TYPES = ['Normal', 'Warning'];

export const eventStrategy: Strategy = {
  allowCreateOnUpdate: true,
  validate(obj) {
    const errors: FieldError[] = [];
    if (!isPlainObject(obj.involvedObject)) errors.push(fieldError.required('involvedObject'));
    if (obj.type !== undefined && !EVENT_TYPES.includes(obj.type as string)) {
      errors.push(fieldError.notSupported('type', obj.type, EVENT_TYPES));
    }
    return errors;
  },
  selectableFields(obj: KubeObject) {
    const io = (obj.involvedObject ?? {}) as Record<string, string>;
    const source = (obj.source ?? {}) as Record<string, string>;
    return {
      'involvedObject.kind': io.kind ?? '',
      'involvedObject.namespace': io.namespace ?? '',
      'involvedObject.name': io.name ?? '',
      'involvedObject.uid': io.uid ?? '',
      'involvedObject.apiVersion': io.apiVersion ?? '',
      'involvedObject.resourceVersion': io.resourceVersion ?? '',
      'involvedObject.fieldPath': io.fieldPath ?? '',
      reason: (obj.reason as string) ?? '',
      reportingComponent: (obj.reportingComponent as string) ?? '',
      source: source.component ?? '',
      type: (obj.type as string) ?? '',
    };
  },
};

const SECRET_TYPES_NEEDING_KEYS: Record<string, string[]> = {
  'kubernetes.io/tls': ['tls.crt', 'tls.key'],
  'kubernetes.io/dockerconfigjson': ['.dockerconfigjson'],
  'kubernetes.io/basic-auth': [],
  'kubernetes.io/ssh-auth': ['ssh-privatekey'],
};

export const secretStrategy: Strategy = {
  defaults(obj) {
    obj.type ??= 'Opaque';
    // stringData is write-only: it is merged into data (base64) and never stored.
    if (isPlainObject(obj.stringData)) {
      const data = (isPlainObject(obj.data) ? obj.data : {}) as Record<string, string>;
      for (const [k, v] of Object.entries(obj.stringData)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
      obj.data = data;
      delete obj.stringData;
    }
  },
  validate(obj) {
    const errors: FieldError[] = [];
    const data = (obj.data ?? {}) as Record<string, unknown>;
    for (const [k, v] of Object.entries(data)) {
      if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) errors.push(fieldError.invalid(`data[${k}]`, '<secret contents redacted>', 'must be base64 encoded'));
    }
    for (const key of SECRET_TYPES_NEEDING_KEYS[obj.type as string] ?? []) {
      if (data[key] === undefined) errors.push(fieldError.required(`data[${key}]`));
    }
    return errors;
  },
  validateUpdate(obj, old) {
    return obj.type !== old.type ? [fieldError.invalid('type', obj.type, 'field is immutable')] : [];
  },
  selectableFields(obj) {
    return { type: (obj.type as string) ?? '' };
  },
};

export const configMapStrategy: Strategy = {
  validate(obj) {
    const errors: FieldError[] = [];
    for (const field of ['data', 'binaryData'] as const) {
      const map = obj[field];
      if (map === undefined) continue;
      if (!isPlainObject(map)) errors.push(fieldError.invalid(field, map, 'must be a map of strings'));
      else for (const [k, v] of Object.entries(map)) if (typeof v !== 'string') errors.push(fieldError.invalid(`${field}[${k}]`, v, 'must be a string'));
    }
    return errors;
  },
};

export const persistentVolumeClaimStrategy: Strategy = {
  prepareForCreate(obj) {
    obj.status = { phase: 'Pending' };
  },
  defaults(obj) {
    const spec = (obj.spec ??= {});
    spec.volumeMode ??= 'Filesystem';
  },
  validate(obj) {
    const errors: FieldError[] = [];
    if (!Array.isArray(obj.spec?.accessModes) || obj.spec.accessModes.length === 0) {
      errors.push(fieldError.required('spec.accessModes', 'at least 1 access mode is required'));
    }
    if (!obj.spec?.resources?.requests?.storage && !obj.spec?.dataSource) errors.push(fieldError.required('spec.resources[storage]'));
    return errors;
  },
};

export const persistentVolumeStrategy: Strategy = {
  prepareForCreate(obj) {
    obj.status = { phase: 'Pending' };
  },
  defaults(obj) {
    const spec = (obj.spec ??= {});
    spec.persistentVolumeReclaimPolicy ??= 'Retain';
    spec.volumeMode ??= 'Filesystem';
  },
  validate(obj) {
    const errors: FieldError[] = [];
    if (!obj.spec?.capacity?.storage) errors.push(fieldError.required('spec.capacity'));
    if (!Array.isArray(obj.spec?.accessModes) || obj.spec.accessModes.length === 0) errors.push(fieldError.required('spec.accessModes'));
    return errors;
  },
};

export const endpointsStrategy: Strategy = { allowCreateOnUpdate: true };
