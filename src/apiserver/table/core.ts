/**
 * Rows for the core (`v1`) kinds other than Pod, after the printers in
 * kubernetes/pkg/printers/internalversion/printers.go (v1.32).
 */
import { translateTimestampSince } from './duration.js';
import {
  AGE_COLUMN,
  CONTAINERS_COLUMN,
  IMAGES_COLUMN,
  NAME_COLUMN,
  arr,
  byteOrder,
  col,
  formatLabels,
  int,
  isDeleting,
  isSet,
  joinHostPort,
  layoutContainerCells,
  loadBalancerIngress,
  nameOf,
  orNone,
  quantity,
  rec,
  str,
  templateContainers,
} from './format.js';
import type { Cell, Convertor, KubeObject } from './types.js';

const age = (obj: KubeObject, now: Date): string => translateTimestampSince(obj.metadata?.creationTimestamp, now);

// ---------------------------------------------------------------------------------------------

export const namespaces: Convertor = {
  columns: [NAME_COLUMN, col('Status', 'string', 'The status of the namespace'), AGE_COLUMN],
  cells: (ns, now) => [nameOf(ns), str(rec(ns.status).phase), age(ns, now)],
};

// ---------------------------------------------------------------------------------------------
// Node

const LABEL_NODE_ROLE_PREFIX = 'node-role.kubernetes.io/';
const LABEL_NODE_ROLE = 'kubernetes.io/role';

/** findNodeRoles: `node-role.kubernetes.io/<role>` keys and `kubernetes.io/role=<role>` values, sorted. */
export function nodeRoles(node: KubeObject): string[] {
  const roles = new Set<string>();
  for (const [key, value] of Object.entries(node.metadata?.labels ?? {})) {
    if (key.startsWith(LABEL_NODE_ROLE_PREFIX)) {
      const role = key.slice(LABEL_NODE_ROLE_PREFIX.length);
      if (role !== '') roles.add(role);
    } else if (key === LABEL_NODE_ROLE && value !== '') {
      roles.add(value);
    }
  }
  return [...roles].sort(byteOrder);
}

function nodeAddress(node: KubeObject, type: string): string {
  for (const raw of arr(rec(node.status).addresses)) {
    const a = rec(raw);
    if (a.type === type) return str(a.address);
  }
  return '<none>';
}

function nodeStatus(node: KubeObject): string {
  // Only the Ready condition is reported; the last one of that type wins, as in the upstream map.
  let ready: string | undefined;
  for (const raw of arr(rec(node.status).conditions)) {
    const c = rec(raw);
    if (c.type === 'Ready') ready = c.status === 'True' ? 'Ready' : 'NotReady';
  }
  const status = [ready ?? 'Unknown'];
  if (rec(node.spec).unschedulable === true) status.push('SchedulingDisabled');
  return status.join(',');
}

export const nodes: Convertor = {
  columns: [
    NAME_COLUMN,
    col('Status', 'string', 'The status of the node'),
    col('Roles', 'string', 'The roles of the node'),
    AGE_COLUMN,
    col('Version', 'string', 'Kubelet Version reported by the node.'),
    col('Internal-IP', 'string', 'List of addresses reachable to the node.', { wide: true }),
    col('External-IP', 'string', 'List of addresses reachable to the node.', { wide: true }),
    col('OS-Image', 'string', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).', { wide: true }),
    col('Kernel-Version', 'string', "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", { wide: true }),
    col('Container-Runtime', 'string', 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).', { wide: true }),
  ],
  cells(node, now) {
    const info = rec(rec(node.status).nodeInfo);
    return [
      nameOf(node),
      nodeStatus(node),
      orNone(nodeRoles(node).join(',')),
      age(node, now),
      str(info.kubeletVersion),
      nodeAddress(node, 'InternalIP'),
      nodeAddress(node, 'ExternalIP'),
      str(info.osImage) || '<unknown>',
      str(info.kernelVersion) || '<unknown>',
      str(info.containerRuntimeVersion) || '<unknown>',
    ];
  },
};

// ---------------------------------------------------------------------------------------------
// Service

/** getServiceExternalIP with wide=true (the API server always prints wide). */
function serviceExternalIP(spec: Record<string, unknown>, status: Record<string, unknown>): string {
  const externalIPs = arr(spec.externalIPs).map(str);
  switch (serviceType(spec)) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lbIPs = loadBalancerIngress(status.loadBalancer);
      if (externalIPs.length > 0) {
        const results = lbIPs !== '' ? lbIPs.split(',') : [];
        return [...results, ...externalIPs].join(',');
      }
      return lbIPs !== '' ? lbIPs : '<pending>';
    }
    case 'ExternalName':
      return str(spec.externalName);
    default:
      return '<unknown>';
  }
}

/** spec.type, defaulted to ClusterIP as the API server does on create. */
function serviceType(spec: Record<string, unknown>): string {
  return isSet(spec.type) ? str(spec.type) : 'ClusterIP';
}

/** makePortString: `80/TCP`, or `80:30080/TCP` with a node port. */
function servicePorts(spec: Record<string, unknown>): string {
  return arr(spec.ports)
    .map((raw) => {
      const p = rec(raw);
      const protocol = str(p.protocol) || 'TCP';
      const nodePort = int(p.nodePort);
      return nodePort > 0 ? `${int(p.port)}:${nodePort}/${protocol}` : `${int(p.port)}/${protocol}`;
    })
    .join(',');
}

export const services: Convertor = {
  columns: [
    NAME_COLUMN,
    col('Type', 'string', 'type determines how the Service is exposed.'),
    col('Cluster-IP', 'string', 'clusterIP is the IP address of the service.'),
    col('External-IP', 'string', 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.'),
    col('Port(s)', 'string', 'The list of ports that are exposed by this service.'),
    AGE_COLUMN,
    col('Selector', 'string', 'Route service traffic to pods with label keys and values matching this selector.', { wide: true }),
  ],
  cells(svc, now) {
    const spec = rec(svc.spec);
    // The internal ClusterIPs[0]: v1 `clusterIP` wins over `clusterIPs` (v1 conversion).
    const clusterIP = str(spec.clusterIP) || str(arr(spec.clusterIPs)[0]) || '<none>';
    return [
      nameOf(svc),
      serviceType(spec),
      clusterIP,
      serviceExternalIP(spec, rec(svc.status)),
      orNone(servicePorts(spec)),
      age(svc, now),
      formatLabels(spec.selector),
    ];
  },
};

// ---------------------------------------------------------------------------------------------
// Endpoints

/** formatEndpoints with all ports: up to three `ip:port` entries, then `+ N more...`. */
export function formatEndpoints(endpoints: KubeObject): string {
  const subsets = arr(endpoints.subsets).map(rec);
  if (subsets.length === 0) return '<none>';
  const max = 3;
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const ss of subsets) {
    const addresses = arr(ss.addresses).map(rec);
    const ports = arr(ss.ports).map(rec);
    if (ports.length === 0) {
      // Headless services may have no ports.
      count += addresses.length;
      for (const addr of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(str(addr.ip));
      }
      continue;
    }
    for (const port of ports) {
      count += addresses.length;
      for (const addr of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(joinHostPort(str(addr.ip), int(port.port)));
      }
    }
  }
  const joined = list.join(',');
  return more ? `${joined} + ${count - max} more...` : joined;
}

export const endpoints: Convertor = {
  columns: [NAME_COLUMN, col('Endpoints', 'string', 'The set of all endpoints is the union of all subsets.'), AGE_COLUMN],
  cells: (ep, now) => [nameOf(ep), formatEndpoints(ep), age(ep, now)],
};

// ---------------------------------------------------------------------------------------------
// ConfigMap, Secret, ServiceAccount

export const configMaps: Convertor = {
  columns: [NAME_COLUMN, col('Data', 'string', 'Data contains the configuration data.'), AGE_COLUMN],
  cells: (cm, now) => [nameOf(cm), Object.keys(rec(cm.data)).length + Object.keys(rec(cm.binaryData)).length, age(cm, now)],
};

export const secrets: Convertor = {
  columns: [
    NAME_COLUMN,
    col('Type', 'string', 'Used to facilitate programmatic handling of secret data.'),
    col('Data', 'string', 'Data contains the secret data.'),
    AGE_COLUMN,
  ],
  // The API server defaults an empty type to Opaque on create.
  cells: (s, now) => [nameOf(s), str(s.type) || 'Opaque', Object.keys(rec(s.data)).length, age(s, now)],
};

export const serviceAccounts: Convertor = {
  columns: [NAME_COLUMN, col('Secrets', 'string', 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.'), AGE_COLUMN],
  cells: (sa, now) => [nameOf(sa), arr(sa.secrets).length, age(sa, now)],
};

// ---------------------------------------------------------------------------------------------
// Event (core/v1, and events.k8s.io/v1 which the same storage serves)

interface EventView {
  name: string;
  type: string;
  reason: string;
  message: string;
  involvedObject: Record<string, unknown>;
  source: Record<string, unknown>;
  reportingController: string;
  reportingInstance: string;
  firstTimestamp: unknown;
  lastTimestamp: unknown;
  eventTime: unknown;
  count: number;
  series?: Record<string, unknown>;
}

/** The internal Event as both versions convert to it. */
export function eventView(ev: KubeObject, group: string): EventView {
  if (group === 'events.k8s.io') {
    return {
      name: nameOf(ev),
      type: str(ev.type),
      reason: str(ev.reason),
      message: str(ev.note),
      involvedObject: rec(ev.regarding),
      source: rec(ev.deprecatedSource),
      reportingController: str(ev.reportingController),
      reportingInstance: str(ev.reportingInstance),
      firstTimestamp: ev.deprecatedFirstTimestamp,
      lastTimestamp: ev.deprecatedLastTimestamp,
      eventTime: ev.eventTime,
      count: int(ev.deprecatedCount),
      series: isSet(ev.series) ? rec(ev.series) : undefined,
    };
  }
  return {
    name: nameOf(ev),
    type: str(ev.type),
    reason: str(ev.reason),
    message: str(ev.message),
    involvedObject: rec(ev.involvedObject),
    source: rec(ev.source),
    reportingController: str(ev.reportingComponent),
    reportingInstance: str(ev.reportingInstance),
    firstTimestamp: ev.firstTimestamp,
    lastTimestamp: ev.lastTimestamp,
    eventTime: ev.eventTime,
    count: int(ev.count),
    series: isSet(ev.series) ? rec(ev.series) : undefined,
  };
}

function eventCells(view: EventView, now: Date): Cell[] {
  let first = translateTimestampSince(view.firstTimestamp, now);
  if (first === '<unknown>') first = translateTimestampSince(view.eventTime, now);
  let last = translateTimestampSince(view.lastTimestamp, now);
  if (last === '<unknown>') last = first;
  let count = view.count;
  if (view.series) {
    last = translateTimestampSince(view.series.lastObservedTime, now);
    count = int(view.series.count);
  } else if (count === 0) {
    count = 1; // singleton events carry no count in the new API
  }
  const kind = str(view.involvedObject.kind).toLowerCase();
  const involvedName = str(view.involvedObject.name);
  const target = involvedName !== '' ? `${kind}/${involvedName}` : kind;
  const component = str(view.source.component) || view.reportingController;
  const host = str(view.source.host) || view.reportingInstance;
  return [
    last,
    view.type,
    view.reason,
    target,
    str(view.involvedObject.fieldPath),
    host === '' ? component : `${component}, ${host}`,
    view.message.trim(),
    first,
    count,
    view.name,
  ];
}

function eventConvertor(group: string): Convertor {
  return {
    columns: [
      col('Last Seen', 'string', 'The time at which the most recent occurrence of this event was recorded.'),
      col('Type', 'string', 'Type of this event (Normal, Warning), new types could be added in the future'),
      col('Reason', 'string', "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
      col('Object', 'string', 'The object that this event is about.'),
      col('Subobject', 'string', 'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.', { wide: true }),
      col('Source', 'string', 'The component reporting this event.', { wide: true }),
      col('Message', 'string', 'A human-readable description of the status of this operation.'),
      col('First Seen', 'string', 'The time at which the event was first recorded.', { wide: true }),
      col('Count', 'string', 'The number of times this event has occurred.', { wide: true }),
      { ...NAME_COLUMN, priority: 1 },
    ],
    cells: (ev, now) => eventCells(eventView(ev, group), now),
  };
}

export const events = eventConvertor('');
export const eventsV1 = eventConvertor('events.k8s.io');

// ---------------------------------------------------------------------------------------------
// PersistentVolume, PersistentVolumeClaim

const BETA_STORAGE_CLASS_ANNOTATION = 'volume.beta.kubernetes.io/storage-class';

/** helper.GetAccessModesAsString: RWO,ROX,RWX,RWOP in that order, de-duplicated. */
export function accessModes(modes: unknown): string {
  const present = new Set(arr(modes).map(str));
  const out: string[] = [];
  if (present.has('ReadWriteOnce')) out.push('RWO');
  if (present.has('ReadOnlyMany')) out.push('ROX');
  if (present.has('ReadWriteMany')) out.push('RWX');
  if (present.has('ReadWriteOncePod')) out.push('RWOP');
  return out.join(',');
}

function storageClassOf(obj: KubeObject): string {
  const annotations = obj.metadata?.annotations ?? {};
  if (Object.hasOwn(annotations, BETA_STORAGE_CLASS_ANNOTATION)) return annotations[BETA_STORAGE_CLASS_ANNOTATION];
  return str(rec(obj.spec).storageClassName);
}

export const persistentVolumes: Convertor = {
  columns: [
    NAME_COLUMN,
    col('Capacity', 'string', 'capacity is the description of the persistent volume\'s resources and capacity.'),
    col('Access Modes', 'string', 'accessModes contains all ways the volume can be mounted.'),
    col('Reclaim Policy', 'string', 'persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim.'),
    col('Status', 'string', 'phase indicates if a volume is available, bound to a claim, or released by a claim.'),
    col('Claim', 'string', 'claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim.'),
    col('StorageClass', 'string', 'StorageClass of the pv'),
    col('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pv'),
    col('Reason', 'string', 'reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI.'),
    AGE_COLUMN,
    col('VolumeMode', 'string', 'volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.', { wide: true }),
  ],
  cells(pv, now) {
    const spec = rec(pv.spec);
    const status = rec(pv.status);
    const claimRef = isSet(spec.claimRef) ? rec(spec.claimRef) : undefined;
    return [
      nameOf(pv),
      quantity(rec(spec.capacity).storage),
      accessModes(spec.accessModes),
      str(spec.persistentVolumeReclaimPolicy),
      isDeleting(pv) ? 'Terminating' : str(status.phase),
      claimRef ? `${str(claimRef.namespace)}/${str(claimRef.name)}` : '',
      storageClassOf(pv),
      isSet(spec.volumeAttributesClassName) ? str(spec.volumeAttributesClassName) : '<unset>',
      str(status.reason),
      age(pv, now),
      isSet(spec.volumeMode) ? str(spec.volumeMode) : '<unset>',
    ];
  },
};

export const persistentVolumeClaims: Convertor = {
  columns: [
    NAME_COLUMN,
    col('Status', 'string', 'phase represents the current phase of PersistentVolumeClaim.'),
    col('Volume', 'string', 'volumeName is the binding reference to the PersistentVolume backing this claim.'),
    col('Capacity', 'string', 'capacity represents the actual resources of the underlying volume.'),
    col('Access Modes', 'string', 'accessModes contains the actual access modes the volume backing the PVC has.'),
    col('StorageClass', 'string', 'StorageClass of the pvc'),
    col('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pvc'),
    AGE_COLUMN,
    col('VolumeMode', 'string', 'volumeMode defines what type of volume is required by the claim.', { wide: true }),
  ],
  cells(pvc, now) {
    const spec = rec(pvc.spec);
    const status = rec(pvc.status);
    const volumeName = str(spec.volumeName);
    // Capacity and access modes are those of the bound volume, so they show only once bound.
    const bound = volumeName !== '';
    return [
      nameOf(pvc),
      isDeleting(pvc) ? 'Terminating' : str(status.phase),
      volumeName,
      bound ? quantity(rec(status.capacity).storage) : '',
      bound ? accessModes(status.accessModes) : '',
      storageClassOf(pvc),
      isSet(spec.volumeAttributesClassName) ? str(spec.volumeAttributesClassName) : '<unset>',
      age(pvc, now),
      isSet(spec.volumeMode) ? str(spec.volumeMode) : '<unset>',
    ];
  },
};

// ---------------------------------------------------------------------------------------------
// ReplicationController, PodTemplate, ResourceQuota

export const replicationControllers: Convertor = {
  columns: [
    NAME_COLUMN,
    col('Desired', 'integer', 'Replicas is the number of desired replicas.'),
    col('Current', 'integer', 'Replicas is the most recently observed number of replicas.'),
    col('Ready', 'integer', 'The number of ready replicas for this replication controller.'),
    AGE_COLUMN,
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    col('Selector', 'string', 'Selector is a label query over pods that should match the Replicas count.', { wide: true }),
  ],
  cells(rc, now) {
    const spec = rec(rc.spec);
    const status = rec(rc.status);
    const [names, images] = layoutContainerCells(templateContainers(spec));
    return [
      nameOf(rc),
      isSet(spec.replicas) ? int(spec.replicas) : 1,
      int(status.replicas),
      int(status.readyReplicas),
      age(rc, now),
      names,
      images,
      formatLabels(spec.selector),
    ];
  },
};

export const podTemplates: Convertor = {
  columns: [
    NAME_COLUMN,
    col('Containers', 'string', 'Names of each container in the template.'),
    col('Images', 'string', 'Images referenced by each container in the template.'),
    col('Pod Labels', 'string', 'The labels for the pod template.'),
  ],
  cells(pt) {
    const template = rec(pt.template);
    const [names, images] = layoutContainerCells(rec(template.spec).containers);
    return [nameOf(pt), names, images, formatLabels(rec(template.metadata).labels)];
  },
};

/** v1.32 column order: NAME AGE REQUEST LIMIT (AGE moved last only in v1.33). */
export const resourceQuotas: Convertor = {
  columns: [
    NAME_COLUMN,
    AGE_COLUMN,
    col('Request', 'string', 'Request represents a minimum amount of cpu/memory that a container may consume.'),
    col('Limit', 'string', 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.'),
  ],
  cells(rq, now) {
    const status = rec(rq.status);
    const hard = rec(status.hard);
    const used = rec(status.used);
    const requests: string[] = [];
    const limits: string[] = [];
    for (const resource of Object.keys(hard).sort(byteOrder)) {
      const entry = `${resource}: ${quantity(used[resource])}/${quantity(hard[resource])}`;
      const pieces = resource.split('.');
      (pieces.length > 1 && pieces[0] === 'limits' ? limits : requests).push(entry);
    }
    return [nameOf(rq), age(rq, now), requests.join(', '), limits.join(', ')];
  },
};
