/**
 * @module cluster/cloud
 *
 * A simulated Azure cloud of virtual machine scale sets, so the autoscaler and the node agent
 * behave as they would on Azure (shared/spec/azure.md). A `ScaleSet`
 * (`flotilla.dev/v1alpha1`, cluster-scoped, `kubectl get vmss`) is shaped like a VMSS: `capacity`,
 * `sku` {name, cpu, memory, pods}, `location`, `resourceGroup`, `subscriptionId`, `zones`,
 * `computerNamePrefix`, `nodeLabels`, `nodeTaints`, `roles`, `runtime`,
 * `provisioningDelaySeconds`, `tags`, and `instancesToDelete` (DeleteInstances).
 *
 * - **Names** ({@link computerName}, {@link instanceIdOf}): node `k8s-agentpool1-92998111-vmss000010`
 *   is instance 36; VM resource name `<scale set>_<id>`; ids only grow.
 * - **providerIDs** ({@link vmssProviderID}, {@link parseVmssProviderID}, {@link equalFold}):
 *   `azure:///subscriptions/<sub>/resourceGroups/<rg lowercased>/providers/Microsoft.Compute/virtualMachineScaleSets/<ss>/virtualMachines/<id>`.
 * - **Placement** ({@link placeNext}, {@link nextToRemove}): zones (or fault domains) balanced;
 *   scale-in takes the listed ids first, then the highest id of the fullest zone.
 * - **The plan** ({@link planScaleSet}): spec + status + now → records to add, instances to delete,
 *   nodes due to start.
 * - **The controller** ({@link registerCloudController}) drives a {@link NodeHost} (the node agent)
 *   and keeps status: instances with `provisioningState` Creating → Succeeded (→ Deleting), counts,
 *   a `Ready` condition and Events.
 * - **DeleteInstances** ({@link requestInstanceDeletion}): one spec change, written with the
 *   resourceVersion that was read.
 *
 * ```ts
 * await ensureScaleSetCRD(client);
 * const mgr = createManager({ kubeConfig, name: 'flotilla-cloud' });
 * registerCloudController(mgr, { host: { ensure: (n) => agent.add(toSimulatedNodeSpec(n)), remove: (name) => agent.remove(name) } });
 * await mgr.start();
 * ```
 *
 * Tips:
 * - Node labels per instance: `agentpool` and `kubernetes.azure.com/agentpool` (the pool between
 *   `k8s-` and the cluster id), `node.kubernetes.io/instance-type` (and the beta key),
 *   `topology.kubernetes.io/region|zone` and `failure-domain.beta.kubernetes.io/region|zone`
 *   (`<location>-<zone>`, or the fault domain), then `spec.nodeLabels`.
 * - To delete particular nodes, list their instance ids and lower capacity in one write
 *   ({@link requestInstanceDeletion}); lowering capacity alone removes the highest ids.
 */
export {
  scaleSetKind,
  resolveSpec,
  validateSpec,
  SCALE_SET_DEFAULTS,
  SCALE_SET_GROUP,
  SCALE_SET_VERSION,
} from './scale-set.js';
export type {
  ScaleSet,
  ScaleSetSpec,
  ScaleSetSku,
  ScaleSetStatus,
  ScaleSetInstance,
  ScaleSetCondition,
  ProvisioningState,
  NodeRuntime,
  ResolvedSpec,
} from './scale-set.js';
export { SCALE_SET_CRD, ensureScaleSetCRD } from './crd.js';
export {
  computerName,
  nodeNameOf,
  instanceIdOf,
  instanceResourceName,
  agentPoolOf,
  NotAVmssInstanceError,
  NOT_A_VMSS_INSTANCE,
  MAX_INSTANCE_ID,
} from './names.js';
export {
  vmssProviderID,
  vmProviderID,
  parseVmssProviderID,
  instanceResourceId,
  scaleSetResourceId,
  resourceGroupOf,
  scaleSetNameOf,
  equalFold,
  AZURE_SCHEME,
} from './provider-id.js';
export type { VmssInstanceRef } from './provider-id.js';
export { placeNext, nextToRemove, failureDomain } from './placement.js';
export type { Placement } from './placement.js';
export { planScaleSet, newInstance, vmIdFor, dueAt } from './plan.js';
export type { ScaleSetPlan } from './plan.js';
export { recordPlan, finishStatus, updateInstances, withState, emptyStatus } from './status.js';
export { instanceNode, toSimulatedNodeSpec, AGENT_POOL_LABEL, AKS_AGENT_POOL_LABEL } from './instance-node.js';
export type { InstanceNode, NodeHost } from './instance-node.js';
export { requestInstanceDeletion, InstanceNotActiveError } from './delete-instances.js';
export { registerCloudController, CLOUD_CONTROLLER, SCALE_SET_FINALIZER } from './controller.js';
export type { CloudControllerOptions } from './controller.js';
