/**
 * Rows for cluster plumbing kinds (coordination, admissionregistration, storage, policy,
 * scheduling, rbac, certificates, node, apiregistration), after the printers in
 * kubernetes/pkg/printers/internalversion/printers.go (v1.32) and kube-aggregator's APIService
 * table convertor.
 */
import { humanDuration, translateTimestampSince } from './duration.js';
import { AGE_COLUMN, NAME_COLUMN, arr, col, findCondition, int, intOrString, isSet, nameOf, rec, str } from './format.js';
import type { Convertor, KubeObject } from './types.js';

const age = (obj: KubeObject, now: Date): string => translateTimestampSince(obj.metadata?.creationTimestamp, now);

export const leases: Convertor = {
  columns: [NAME_COLUMN, col('Holder', 'string', 'holderIdentity contains the identity of the holder of a current lease.'), AGE_COLUMN],
  cells: (lease, now) => [nameOf(lease), str(rec(lease.spec).holderIdentity), age(lease, now)],
};

const webhookConfigurations: Convertor = {
  columns: [NAME_COLUMN, col('Webhooks', 'integer', 'Webhooks indicates the number of webhooks registered in this configuration'), AGE_COLUMN],
  cells: (cfg, now) => [nameOf(cfg), arr(cfg.webhooks).length, age(cfg, now)],
};
export const mutatingWebhookConfigurations = webhookConfigurations;
export const validatingWebhookConfigurations = webhookConfigurations;

// ---------------------------------------------------------------------------------------------
// storage.k8s.io

const DEFAULT_STORAGE_CLASS_ANNOTATIONS = [
  'storageclass.kubernetes.io/is-default-class',
  'storageclass.beta.kubernetes.io/is-default-class',
];

export const storageClasses: Convertor = {
  columns: [
    NAME_COLUMN,
    col('Provisioner', 'string', 'provisioner indicates the type of the provisioner.'),
    col('ReclaimPolicy', 'string', 'reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class.'),
    col('VolumeBindingMode', 'string', 'volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.'),
    col('AllowVolumeExpansion', 'string', 'allowVolumeExpansion shows whether the storage class allow volume expand.'),
    AGE_COLUMN,
  ],
  cells(sc, now) {
    const annotations = sc.metadata?.annotations ?? {};
    const isDefault = DEFAULT_STORAGE_CLASS_ANNOTATIONS.some((key) => annotations[key] === 'true');
    return [
      isDefault ? `${nameOf(sc)} (default)` : nameOf(sc),
      str(sc.provisioner),
      isSet(sc.reclaimPolicy) ? str(sc.reclaimPolicy) : 'Delete',
      isSet(sc.volumeBindingMode) ? str(sc.volumeBindingMode) : 'Immediate',
      sc.allowVolumeExpansion === true,
      age(sc, now),
    ];
  },
};

export const csiDrivers: Convertor = {
  columns: [
    NAME_COLUMN,
    col('AttachRequired', 'boolean', 'attachRequired indicates this CSI volume driver requires an attach operation.'),
    col('PodInfoOnMount', 'boolean', 'podInfoOnMount indicates this CSI volume driver requires additional pod information during mount operations.'),
    col('StorageCapacity', 'boolean', 'storageCapacity indicates that the CSI volume driver wants pod scheduling to consider the storage capacity.'),
    col('TokenRequests', 'string', 'tokenRequests indicates the CSI driver needs pods\' service account tokens it is mounting volume for.'),
    col('RequiresRepublish', 'boolean', 'requiresRepublish indicates the CSI driver wants NodePublishVolume being periodically called.'),
    col('Modes', 'string', 'volumeLifecycleModes defines what kind of volumes this CSI volume driver supports.'),
    AGE_COLUMN,
  ],
  cells(driver, now) {
    const spec = rec(driver.spec);
    const modes = arr(spec.volumeLifecycleModes).map(str).join(',');
    const tokenRequests = isSet(spec.tokenRequests) ? arr(spec.tokenRequests).map((t) => str(rec(t).audience)).join(',') : '<unset>';
    return [
      nameOf(driver),
      typeof spec.attachRequired === 'boolean' ? spec.attachRequired : true,
      spec.podInfoOnMount === true,
      spec.storageCapacity === true,
      tokenRequests,
      spec.requiresRepublish === true,
      modes === '' ? '<none>' : modes,
      age(driver, now),
    ];
  },
};

export const csiNodes: Convertor = {
  columns: [NAME_COLUMN, col('Drivers', 'integer', 'Drivers indicates the number of CSI drivers registered on the node'), AGE_COLUMN],
  cells: (node, now) => [nameOf(node), arr(rec(node.spec).drivers).length, age(node, now)],
};

export const volumeAttachments: Convertor = {
  columns: [
    NAME_COLUMN,
    col('Attacher', 'string', 'attacher indicates the name of the volume driver that MUST handle this request.', { format: 'name' }),
    col('PV', 'string', 'persistentVolumeName represents the name of the persistent volume to attach.'),
    col('Node', 'string', 'nodeName represents the node that the volume should be attached to.'),
    col('Attached', 'boolean', 'attached indicates the volume is successfully attached.'),
    AGE_COLUMN,
  ],
  cells(va, now) {
    const spec = rec(va.spec);
    return [nameOf(va), str(spec.attacher), str(rec(spec.source).persistentVolumeName), str(spec.nodeName), rec(va.status).attached === true, age(va, now)];
  },
};

// ---------------------------------------------------------------------------------------------
// policy, scheduling, node

export const podDisruptionBudgets: Convertor = {
  columns: [
    NAME_COLUMN,
    col('Min Available', 'string', 'The minimum number of pods that must be available.'),
    col('Max Unavailable', 'string', 'The maximum number of pods that may be unavailable.'),
    col('Allowed Disruptions', 'integer', 'Calculated number of pods that may be disrupted at this time.'),
    AGE_COLUMN,
  ],
  cells(pdb, now) {
    const spec = rec(pdb.spec);
    return [
      nameOf(pdb),
      isSet(spec.minAvailable) ? intOrString(spec.minAvailable) : 'N/A',
      isSet(spec.maxUnavailable) ? intOrString(spec.maxUnavailable) : 'N/A',
      int(rec(pdb.status).disruptionsAllowed),
      age(pdb, now),
    ];
  },
};

export const priorityClasses: Convertor = {
  columns: [
    NAME_COLUMN,
    col('Value', 'integer', 'value represents the integer value of this priority class.'),
    col('Global-Default', 'boolean', 'globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class.'),
    AGE_COLUMN,
    col('PreemptionPolicy', 'string', 'preemptionPolicy is the Policy for preempting pods with lower priority.'),
  ],
  cells: (pc, now) => [nameOf(pc), int(pc.value), pc.globalDefault === true, age(pc, now), str(pc.preemptionPolicy)],
};

export const runtimeClasses: Convertor = {
  columns: [NAME_COLUMN, col('Handler', 'string', 'handler specifies the underlying runtime and configuration that the CRI implementation will use.'), AGE_COLUMN],
  cells: (rc, now) => [nameOf(rc), str(rc.handler), age(rc, now)],
};

// ---------------------------------------------------------------------------------------------
// rbac.authorization.k8s.io bindings

/** rbac.SubjectsStrings: users, groups and `namespace/name` service accounts. */
function subjects(binding: KubeObject): [string, string, string] {
  const users: string[] = [];
  const groups: string[] = [];
  const serviceAccounts: string[] = [];
  for (const raw of arr(binding.subjects)) {
    const s = rec(raw);
    if (s.kind === 'ServiceAccount') serviceAccounts.push(`${str(s.namespace)}/${str(s.name)}`);
    else if (s.kind === 'User') users.push(str(s.name));
    else if (s.kind === 'Group') groups.push(str(s.name));
  }
  return [users.join(', '), groups.join(', '), serviceAccounts.join(', ')];
}

function bindingConvertor(noun: string): Convertor {
  return {
    columns: [
      NAME_COLUMN,
      col('Role', 'string', 'RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace.'),
      AGE_COLUMN,
      col('Users', 'string', `Users in the ${noun}`, { wide: true }),
      col('Groups', 'string', `Groups in the ${noun}`, { wide: true }),
      col('ServiceAccounts', 'string', `ServiceAccounts in the ${noun}`, { wide: true }),
    ],
    cells(binding, now) {
      const roleRef = rec(binding.roleRef);
      return [nameOf(binding), `${str(roleRef.kind)}/${str(roleRef.name)}`, age(binding, now), ...subjects(binding)];
    },
  };
}

export const roleBindings = bindingConvertor('roleBinding');
export const clusterRoleBindings = bindingConvertor('clusterRoleBinding');

// ---------------------------------------------------------------------------------------------
// certificates.k8s.io

function csrCondition(csr: KubeObject): string {
  const types = new Set(arr(rec(csr.status).conditions).map((c) => rec(c).type));
  let status = types.has('Denied') ? 'Denied' : types.has('Approved') ? 'Approved' : 'Pending';
  if (types.has('Failed')) status += ',Failed';
  if (str(rec(csr.status).certificate) !== '') status += ',Issued';
  return status;
}

export const certificateSigningRequests: Convertor = {
  columns: [
    NAME_COLUMN,
    AGE_COLUMN,
    col('SignerName', 'string', 'signerName indicates the requested signer, and is a qualified name.'),
    col('Requestor', 'string', 'username contains the name of the user that created the CertificateSigningRequest.'),
    col('RequestedDuration', 'string', 'expirationSeconds is the requested duration of validity of the issued certificate.'),
    col('Condition', 'string', 'conditions applied to the request.'),
  ],
  cells(csr, now) {
    const spec = rec(csr.spec);
    return [
      nameOf(csr),
      age(csr, now),
      str(spec.signerName) || '<none>',
      str(spec.username),
      isSet(spec.expirationSeconds) ? humanDuration(int(spec.expirationSeconds) * 1000) : '<none>',
      csrCondition(csr),
    ];
  },
};

// ---------------------------------------------------------------------------------------------
// apiregistration.k8s.io (kube-aggregator's own table convertor)

export const apiServices: Convertor = {
  columns: [
    NAME_COLUMN,
    col('Service', 'string', 'The reference to the service that hosts this API endpoint.'),
    col('Available', 'string', 'Whether this service is available.'),
    AGE_COLUMN,
  ],
  cells(svc, now) {
    const spec = rec(svc.spec);
    const service = isSet(spec.service) ? `${str(rec(spec.service).namespace)}/${str(rec(spec.service).name)}` : 'Local';
    const available = findCondition(rec(svc.status).conditions, 'Available');
    let status = 'Unknown';
    if (available) {
      const conditionStatus = str(available.status);
      const reason = str(available.reason);
      status = conditionStatus !== 'True' && reason !== '' ? `${conditionStatus} (${reason})` : conditionStatus;
    }
    return [nameOf(svc), service, status, age(svc, now)];
  },
};
