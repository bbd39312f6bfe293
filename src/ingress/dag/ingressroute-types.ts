/**
 * The `contour.heptio.com/v1beta1` kinds, IngressRoute and TLSCertificateDelegation, as plain
 * types. `kubernetes-types` has only the built-in kinds, and these CRDs are ours to describe.
 * Every field is optional because the builder must cope with whatever the API server stored.
 */
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';

export interface IngressRouteHealthCheck {
  path?: string;
  host?: string;
  intervalSeconds?: number;
  timeoutSeconds?: number;
  unhealthyThresholdCount?: number;
  healthyThresholdCount?: number;
}

export interface IngressRouteService {
  name?: string;
  port?: number;
  weight?: number;
  strategy?: string;
  healthCheck?: IngressRouteHealthCheck;
  validation?: { caSecret?: string; subjectName?: string };
}

export interface IngressRouteDelegate {
  name?: string;
  namespace?: string;
}

export interface IngressRouteRoute {
  match?: string;
  services?: IngressRouteService[];
  delegate?: IngressRouteDelegate;
  enableWebsockets?: boolean;
  permitInsecure?: boolean;
  prefixRewrite?: string;
  timeoutPolicy?: { request?: string };
  retryPolicy?: { count?: number; perTryTimeout?: string };
}

export interface IngressRouteTcpProxy {
  services?: IngressRouteService[];
  delegate?: IngressRouteDelegate;
}

export interface IngressRouteStatus {
  currentStatus?: string;
  description?: string;
}

export interface IngressRoute {
  apiVersion?: 'contour.heptio.com/v1beta1';
  kind?: 'IngressRoute';
  metadata: ObjectMeta;
  spec?: {
    virtualhost?: {
      fqdn?: string;
      tls?: { secretName?: string; minimumProtocolVersion?: string; passthrough?: boolean };
    };
    routes?: IngressRouteRoute[];
    tcpproxy?: IngressRouteTcpProxy;
  };
  status?: IngressRouteStatus;
}

export interface TLSCertificateDelegation {
  apiVersion?: 'contour.heptio.com/v1beta1';
  kind?: 'TLSCertificateDelegation';
  metadata: ObjectMeta;
  spec?: { delegations?: Array<{ secretName?: string; targetNamespaces?: string[] }> };
}
