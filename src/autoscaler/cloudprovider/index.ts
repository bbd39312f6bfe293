/**
 * @module autoscaler/cloudprovider
 *
 * cluster-autoscaler's cloud-provider contract and the `scaleset` provider.
 *
 * - {@link CloudProvider} / {@link NodeGroup}: spec §9's methods, with upstream's error texts
 *   (`size increase must be positive`, `size increase too large - desired:%d max:%d`,
 *   `min size reached, nodes will not be deleted`, `%s belongs to a different asg than %s`,
 *   `size decrease size must be negative`, `attempt to delete existing nodes targetSize:%d delta:%d
 *   existingNodes: %d`) carried by {@link CloudProviderError}; {@link NotImplementedError} is
 *   `ErrNotImplemented`.
 * - {@link createScaleSetProvider}: node groups over Flotilla's ScaleSets (explicit `--nodes` and
 *   tag auto-discovery), cached target sizes, capacity writes with the resourceVersion read, exact
 *   instance deletion, instances by providerID, templates from the SKU and tags
 *   ({@link scaleSetTemplateNode}).
 * - {@link snapshotNodeGroups}: the plain `NodeGroup` data the pure core plans with.
 *
 * ```ts
 * const provider = createScaleSetProvider({ client, nodes: options.nodes, autoDiscovery: options.nodeGroupAutoDiscovery });
 * await provider.refresh();
 * const groups = snapshotNodeGroups(provider);          // → runOnce({ snapshot: { …, nodeGroups: groups } })
 * await provider.nodeGroup('pool')!.increaseSize(2);
 * ```
 *
 * Tips:
 * - Call `refresh()` once per iteration, before reading; reads never do I/O.
 * - Compare instance ids and providerIDs with `equalFold` (Azure's case is inconsistent).
 */
export { CloudProviderError, NotImplementedError, snapshotNodeGroups } from './cloud-provider.js';
export type { CloudProvider, NodeGroup } from './cloud-provider.js';
export { createScaleSetProvider, SCALE_SET_PROVIDER } from './scale-set-provider.js';
export type { ScaleSetProvider, ScaleSetProviderOptions } from './scale-set-provider.js';
export { labelsFromTags, scaleSetTemplateNode, taintsFromTags, NODE_TEMPLATE_LABEL_TAG, NODE_TEMPLATE_TAINT_TAG } from './template-node.js';
