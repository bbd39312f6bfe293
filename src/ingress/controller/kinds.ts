/** The kinds the ingress controller reads and writes, as the runtime names them. */
import { kinds, type ResourceType } from '../../runtime/index.js';

export const CONTOUR_GROUP = 'contour.heptio.com';
export const CONTOUR_VERSION = 'v1beta1';

export const ingressRoutes = { apiVersion: `${CONTOUR_GROUP}/${CONTOUR_VERSION}`, kind: 'IngressRoute', plural: 'ingressroutes' } as const satisfies ResourceType;
export const tlsCertificateDelegations = { apiVersion: `${CONTOUR_GROUP}/${CONTOUR_VERSION}`, kind: 'TLSCertificateDelegation', plural: 'tlscertificatedelegations' } as const satisfies ResourceType;
export const ingressClasses = { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', plural: 'ingressclasses', namespaced: false } as const satisfies ResourceType;

/** Everything the DAG is built from, in the order a snapshot is loaded. */
export const WATCHED: readonly ResourceType[] = [
  ingressRoutes, tlsCertificateDelegations, kinds.ingresses, ingressClasses, kinds.services, kinds.endpoints, kinds.secrets,
];
