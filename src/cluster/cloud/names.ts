/**
 * Names of scale-set instances, as Azure and the Kubernetes Azure provider spell them
 * (shared/spec/azure.md §1): the computer name is the scale set's computer-name prefix plus the
 * instance id in base 36, six characters, zero-padded; the node name is the computer name
 * lowercased; the VM resource name is `<scale set>_<instance id>`.
 */

/** The error text the Azure provider uses for a name that does not end in a base-36 id. */
export const NOT_A_VMSS_INSTANCE = 'not a vmss instance';

export class NotAVmssInstanceError extends Error {
  constructor(readonly nodeName: string) {
    super(NOT_A_VMSS_INSTANCE);
    this.name = 'NotAVmssInstanceError';
  }
}

const ID_CHARS = 6;
/** 36^6: the first instance id that no longer fits in six base-36 characters. */
export const MAX_INSTANCE_ID = 36 ** ID_CHARS - 1;

/** `prefix` + the id in base 36, lowercase, left-padded with 0 to six characters. */
export function computerName(prefix: string, instanceId: string | number): string {
  const n = typeof instanceId === 'number' ? instanceId : Number(instanceId);
  if (!Number.isInteger(n) || n < 0 || n > MAX_INSTANCE_ID || (typeof instanceId === 'string' && !/^\d+$/.test(instanceId))) {
    throw new Error(`instance id ${JSON.stringify(String(instanceId))} must be a whole number from 0 to ${MAX_INSTANCE_ID}`);
  }
  return prefix + n.toString(36).padStart(ID_CHARS, '0');
}

/** The Kubernetes node name of an instance: its computer name, lowercased. */
export function nodeNameOf(prefix: string, instanceId: string | number): string {
  return computerName(prefix, instanceId).toLowerCase();
}

/**
 * The instance id (decimal string) of a node or computer name: its last six characters read as
 * base 36 in either case. The prefix is not checked, as upstream does not check it.
 */
export function instanceIdOf(name: string): string {
  if (name.length < ID_CHARS) throw new NotAVmssInstanceError(name);
  const tail = name.slice(-ID_CHARS);
  // parseInt stops at the first bad character instead of failing: check all six first.
  if (!/^[0-9a-zA-Z]{6}$/.test(tail)) throw new NotAVmssInstanceError(name);
  return String(parseInt(tail, 36));
}

/** The VM resource name of an instance in a uniform scale set: `<scale set>_<instance id>`. */
export function instanceResourceName(scaleSet: string, instanceId: string): string {
  return `${scaleSet}_${instanceId}`;
}

/**
 * The agent pool a scale set serves, as aks-engine and AKS name their scale sets
 * (`k8s-<pool>-<cluster id>-vmss`, `aks-<pool>-<cluster id>-vmss`): the `agentpool` label value.
 * Any other name is its own pool.
 */
export function agentPoolOf(scaleSet: string): string {
  const m = /^(?:k8s|aks)-(.+)-\d+-vmss$/i.exec(scaleSet);
  return m ? m[1] : scaleSet;
}
