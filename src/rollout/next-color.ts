/**
 * The new colour as a structural copy of the current one — what the Codefresh step did with
 * `kubectl get -o yaml | sed s/CUR/NEW/g | kubectl apply`, without the sed: only the name, the
 * `version` label (object, selector, pod template) and the image tags equal to the current
 * version change, and nothing the server owns is carried over.
 */
import type { V1Deployment } from '@kubernetes/client-node';

/** The label both colours' pods carry and the Service selects on (the step's convention). */
export const VERSION_LABEL = 'version';

/** Annotations that describe the source object, not the copy. */
const SERVER_ANNOTATIONS = [
  // kubectl apply's record of the *old* colour's manifest; carried over, the next apply would
  // three-way-merge against a manifest this object never had.
  'kubectl.kubernetes.io/last-applied-configuration',
  // Written by the Deployment controller for its own ReplicaSets.
  'deployment.kubernetes.io/revision',
];

/** `<DEPLOYMENT_NAME>-<version>`, the step's naming convention. */
export function colorName(deploymentName: string, version: string): string {
  return `${deploymentName}-${version}`;
}

/**
 * `image` with its tag replaced by `to` when the tag is exactly `from`; otherwise unchanged.
 * A digest is dropped when the tag is replaced: it pins the old image, and the runtime would
 * pull by digest and ignore the new tag.
 */
export function replaceImageTag(image: string, from: string, to: string): string {
  const at = image.indexOf('@');
  const name = at >= 0 ? image.slice(0, at) : image;
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  // A colon before the last slash is a registry port (`localhost:5000/app`), not a tag.
  if (colon <= slash) return image;
  if (name.slice(colon + 1) !== from) return image;
  return `${name.slice(0, colon + 1)}${to}`;
}

export interface NextColorOptions {
  readonly deploymentName: string;
  readonly currentVersion: string;
  readonly newVersion: string;
  /** Explicit images by container name (`--image web=repo:tag`), applied after the tag rule. */
  readonly images?: Readonly<Record<string, string>>;
}

/** The Deployment to create for `newVersion`, from the current colour as the server returned it. */
export function nextColor(current: V1Deployment, o: NextColorOptions): V1Deployment {
  const src = structuredClone(current);
  const meta = src.metadata ?? {};
  const annotations = { ...(meta.annotations ?? {}) };
  for (const a of SERVER_ANNOTATIONS) delete annotations[a];
  const spec = src.spec!;
  const template = spec.template ?? {};
  const setImages = (cs: NonNullable<NonNullable<typeof template.spec>['containers']> | undefined) =>
    cs?.map((c) => {
      const explicit = o.images?.[c.name];
      const image = explicit ?? (c.image === undefined ? undefined : replaceImageTag(c.image, o.currentVersion, o.newVersion));
      return image === undefined ? c : { ...c, image };
    });
  const podSpec = template.spec && {
    ...template.spec,
    containers: setImages(template.spec.containers) ?? [],
    ...(template.spec.initContainers ? { initContainers: setImages(template.spec.initContainers) } : {}),
  };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: colorName(o.deploymentName, o.newVersion),
      namespace: meta.namespace,
      labels: { ...(meta.labels ?? {}), [VERSION_LABEL]: o.newVersion },
      ...(Object.keys(annotations).length ? { annotations } : {}),
      ...(meta.ownerReferences ? { ownerReferences: meta.ownerReferences } : {}),
      ...(meta.finalizers ? { finalizers: meta.finalizers } : {}),
    },
    spec: {
      ...spec,
      // Always select on the version, even if the old colour did not: two colours whose
      // selectors overlap would fight over each other's pods.
      selector: { ...spec.selector, matchLabels: { ...(spec.selector?.matchLabels ?? {}), [VERSION_LABEL]: o.newVersion } },
      template: {
        ...template,
        metadata: { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [VERSION_LABEL]: o.newVersion } },
        ...(podSpec ? { spec: podSpec } : {}),
      },
    },
  };
}
