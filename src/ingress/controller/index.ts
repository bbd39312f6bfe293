/**
 * @module ingress/controller
 *
 * The ingress controller: Contour's IngressRoute and TLSCertificateDelegation CRDs installed
 * through the API ({@link ensureIngressCRDs}), informers feeding the incremental DAG builder,
 * status written only when it changed, and the embedded proxy serving each new DAG.
 *
 * ```ts
 * const ctl = await startIngressController({ kubeConfig, signal, httpPort: 8080, httpsPort: 8443, metricsPort: 8000 });
 * await ctl.ready;          // informers synced, first DAG served
 * ctl.dag();                // what the proxy serves now
 * ```
 */
export type { IngressControllerOptions, RunningIngressController } from './controller.js';
export { startIngressController } from './controller.js';
export { ensureIngressCRDs, INGRESS_ROUTE_CRD, TLS_CERTIFICATE_DELEGATION_CRD } from './crds.js';
export { ingressRoutes, tlsCertificateDelegations, ingressClasses, WATCHED, CONTOUR_GROUP, CONTOUR_VERSION } from './kinds.js';
export { loadSnapshot } from './snapshot.js';
