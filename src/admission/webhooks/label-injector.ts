/**
 * The seed's mutating webhook (jasonrichardsmith/mwcexample): adds the label
 * `thisisanewlabel: hello` to pods. Byte for byte its patches: a single-key add when the pod has
 * labels, the whole map when it has none (an add under a missing `labels` would fail), nothing
 * when the pod is annotated `mwc-example.jasonrichardsmith.com.exclude: "true"`. It never denies.
 * The namespaces it serves (`mwc-example: enabled`) are chosen by its configuration's
 * namespaceSelector, as in the seed's manifest.
 */
import type { Logger } from 'pino';
import type { AdmissionRequest, AdmissionResult } from '../review.js';
import type { Route } from '../webhook-server.js';

export const EXCLUDE_ANNOTATION = 'mwc-example.jasonrichardsmith.com.exclude';
export const INJECTED_LABEL = 'thisisanewlabel';
export const INJECTED_VALUE = 'hello';

export function injectLabel(request: AdmissionRequest, log?: Logger): AdmissionResult {
  // The seed is configured for CREATE and UPDATE only; a DELETE has no object to label.
  if (!request.object) return { allowed: true };
  const pod = request.object;
  const annotations = pod.metadata?.annotations ?? {};
  if (EXCLUDE_ANNOTATION in annotations) log?.info({ webhook: 'label-injector', uid: request.uid }, 'annotation exists');
  if (annotations[EXCLUDE_ANNOTATION] === 'true') {
    log?.info({ webhook: 'label-injector', uid: request.uid }, 'excluded due to annotation');
    return { allowed: true };
  }
  const labels = pod.metadata?.labels;
  const patch =
    labels && Object.keys(labels).length > 0
      ? [{ op: 'add' as const, path: `/metadata/labels/${INJECTED_LABEL}`, value: INJECTED_VALUE }]
      : [{ op: 'add' as const, path: '/metadata/labels', value: { [INJECTED_LABEL]: INJECTED_VALUE } }];
  return { allowed: true, patch };
}

/** Served at the seed's path, `/mutating-pods`. */
export function labelInjector(log?: Logger): Route {
  return { name: 'label-injector', path: '/mutating-pods', handler: (req) => injectLabel(req, log) };
}
