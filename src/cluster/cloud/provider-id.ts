/**
 * Azure providerIDs (shared/spec/azure.md §2): `azure://` + the ARM resource id, so three slashes
 * follow the scheme. Building lowercases only the resource-group segment, as the provider and the
 * autoscaler do; comparing is case-insensitive, because Azure returns that segment (and sometimes
 * others) in inconsistent case.
 */

export const AZURE_SCHEME = 'azure://';

/** Where a VMSS instance lives: the parts of its ARM id. */
export interface VmssInstanceRef {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly scaleSet: string;
  readonly instanceId: string;
}

/** `/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.Compute/virtualMachineScaleSets/<ss>`, the group lowercased. */
export function scaleSetResourceId(subscriptionId: string, resourceGroup: string, scaleSet: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup.toLowerCase()}/providers/Microsoft.Compute/virtualMachineScaleSets/${scaleSet}`;
}

/** The ARM id of a VMSS instance (`InstanceID(node)` in the provider: no scheme). */
export function instanceResourceId(ref: VmssInstanceRef): string {
  return `${scaleSetResourceId(ref.subscriptionId, ref.resourceGroup, ref.scaleSet)}/virtualMachines/${ref.instanceId}`;
}

/** `azure:///subscriptions/…/virtualMachineScaleSets/<ss>/virtualMachines/<id>`. */
export function vmssProviderID(ref: VmssInstanceRef): string {
  return AZURE_SCHEME + instanceResourceId(ref);
}

/** An availability-set (standalone) VM: `azure:///subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.Compute/virtualMachines/<vm>`. */
export function vmProviderID(subscriptionId: string, resourceGroup: string, vmName: string): string {
  return `${AZURE_SCHEME}/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup.toLowerCase()}/providers/Microsoft.Compute/virtualMachines/${vmName}`;
}

// The fixed words match in any case; the ids between them are kept as written.
const VMSS_ID = /^azure:\/\/\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Compute\/virtualMachineScaleSets\/([^/]+)\/virtualMachines\/(\d+)$/i;

/** The parts of a VMSS instance providerID, or undefined for anything else (e.g. an availability-set VM). */
export function parseVmssProviderID(providerID: string): VmssInstanceRef | undefined {
  const m = VMSS_ID.exec(providerID);
  if (!m) return undefined;
  return { subscriptionId: m[1], resourceGroup: m[2], scaleSet: m[3], instanceId: m[4] };
}

/** The segment after `resourceGroups/` of any Azure resource id or providerID. */
export function resourceGroupOf(id: string): string | undefined {
  return /\/resourceGroups\/([^/]+)/i.exec(id)?.[1];
}

/** The segment after `virtualMachineScaleSets/` of any Azure resource id or providerID. */
export function scaleSetNameOf(id: string): string | undefined {
  return /\/virtualMachineScaleSets\/([^/]+)/i.exec(id)?.[1];
}

/**
 * Case-insensitive equality by code point (close to Go's `strings.EqualFold`, which the provider
 * and the autoscaler use to compare names and ids).
 */
export function equalFold(a: string, b: string): boolean {
  if (a === b) return true;
  const ca = [...a];
  const cb = [...b];
  if (ca.length !== cb.length) return false;
  return ca.every((x, i) => x === cb[i] || x.toLowerCase() === cb[i].toLowerCase() || x.toUpperCase() === cb[i].toUpperCase());
}
