/**
 * The `contour.heptio.com/v1beta1` CustomResourceDefinitions — IngressRoute (short name `ir`,
 * Contour's printer columns, a status subresource) and TLSCertificateDelegation — and
 * {@link ensureIngressCRDs}, which installs them through the API and waits until they are served.
 * The schemas check what Contour's CRD manifests checked (spec §1.3); the rest is the controller's
 * to report in status.
 */
import { ensureCRD, type Client } from '../../runtime/index.js';
import { CONTOUR_GROUP, CONTOUR_VERSION } from './kinds.js';

const DNS1123 = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
const DNS1035 = '^[a-z]([-a-z0-9]*[a-z0-9])?$';
const FQDN = '^(([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9\\-]*[a-zA-Z0-9])\\.)*([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9\\-]*[A-Za-z0-9])$';

const healthCheck = {
  type: 'object',
  required: ['path'],
  properties: {
    path: { type: 'string', pattern: '^\\/.*$' },
    host: { type: 'string' },
    intervalSeconds: { type: 'integer' },
    timeoutSeconds: { type: 'integer' },
    unhealthyThresholdCount: { type: 'integer' },
    healthyThresholdCount: { type: 'integer' },
  },
};

const service = {
  type: 'object',
  required: ['name', 'port'],
  properties: {
    name: { type: 'string', pattern: DNS1035 },
    // The range is checked by the controller, so the user reads Contour's message in status.
    port: { type: 'integer' },
    weight: { type: 'integer' },
    strategy: { type: 'string', enum: ['RoundRobin', 'WeightedLeastRequest', 'Random', 'Cookie'] },
    healthCheck,
    validation: { type: 'object', properties: { caSecret: { type: 'string' }, subjectName: { type: 'string' } } },
  },
};

const delegate = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string', pattern: DNS1123 }, namespace: { type: 'string', pattern: DNS1123 } },
};

const ingressRouteSchema = {
  type: 'object',
  description: 'An IngressRoute: a root (with spec.virtualhost) serves a host; a delegate serves the prefixes a root delegates to it.',
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { type: 'object' },
    spec: {
      type: 'object',
      properties: {
        virtualhost: {
          type: 'object',
          properties: {
            fqdn: { type: 'string', pattern: FQDN },
            tls: {
              type: 'object',
              properties: {
                secretName: { type: 'string' },
                minimumProtocolVersion: { type: 'string', enum: ['1.1', '1.2', '1.3'] },
                passthrough: { type: 'boolean' },
              },
            },
          },
        },
        routes: {
          type: 'array',
          items: {
            type: 'object',
            required: ['match'],
            properties: {
              match: { type: 'string', pattern: '^\\/.*$' },
              services: { type: 'array', items: service },
              delegate,
              enableWebsockets: { type: 'boolean' },
              permitInsecure: { type: 'boolean' },
              prefixRewrite: { type: 'string' },
              timeoutPolicy: { type: 'object', properties: { request: { type: 'string' } } },
              retryPolicy: { type: 'object', properties: { count: { type: 'integer' }, perTryTimeout: { type: 'string' } } },
            },
          },
        },
        tcpproxy: { type: 'object', properties: { services: { type: 'array', items: service }, delegate } },
      },
    },
    status: {
      type: 'object',
      properties: { currentStatus: { type: 'string' }, description: { type: 'string' } },
    },
  },
};

/** `ingressroutes.contour.heptio.com`, with the columns `kubectl get ir` shows in Contour. */
export const INGRESS_ROUTE_CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `ingressroutes.${CONTOUR_GROUP}`, labels: { component: 'ingressroute' } },
  spec: {
    group: CONTOUR_GROUP,
    scope: 'Namespaced',
    names: { plural: 'ingressroutes', singular: 'ingressroute', kind: 'IngressRoute', listKind: 'IngressRouteList', shortNames: ['ir'] },
    versions: [{
      name: CONTOUR_VERSION,
      served: true,
      storage: true,
      schema: { openAPIV3Schema: ingressRouteSchema },
      subresources: { status: {} },
      additionalPrinterColumns: [
        { name: 'FQDN', type: 'string', description: 'Fully qualified domain name', jsonPath: '.spec.virtualhost.fqdn' },
        { name: 'TLS Secret', type: 'string', description: 'Secret with TLS credentials', jsonPath: '.spec.virtualhost.tls.secretName' },
        { name: 'First route', type: 'string', description: 'First routes defined', jsonPath: '.spec.routes[0].match' },
        { name: 'Status', type: 'string', description: 'The current status of the IngressRoute', jsonPath: '.status.currentStatus' },
        { name: 'Status Description', type: 'string', description: 'Description of the current status', jsonPath: '.status.description' },
      ],
    }],
  },
} as const;

/** `tlscertificatedelegations.contour.heptio.com`. */
export const TLS_CERTIFICATE_DELEGATION_CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `tlscertificatedelegations.${CONTOUR_GROUP}`, labels: { component: 'ingressroute' } },
  spec: {
    group: CONTOUR_GROUP,
    scope: 'Namespaced',
    names: { plural: 'tlscertificatedelegations', singular: 'tlscertificatedelegation', kind: 'TLSCertificateDelegation', listKind: 'TLSCertificateDelegationList' },
    versions: [{
      name: CONTOUR_VERSION,
      served: true,
      storage: true,
      schema: {
        openAPIV3Schema: {
          type: 'object',
          description: 'Lets IngressRoutes (and Ingresses) of other namespaces use a TLS Secret of this namespace.',
          properties: {
            apiVersion: { type: 'string' },
            kind: { type: 'string' },
            metadata: { type: 'object' },
            spec: {
              type: 'object',
              properties: {
                delegations: {
                  type: 'array',
                  items: {
                    type: 'object',
                    required: ['secretName', 'targetNamespaces'],
                    properties: { secretName: { type: 'string' }, targetNamespaces: { type: 'array', items: { type: 'string' } } },
                  },
                },
              },
            },
          },
        },
      },
    }],
  },
} as const;

/** Create or update both CRDs and wait until each is Established (default 30 s). */
export async function ensureIngressCRDs(client: Pick<Client, 'get' | 'create' | 'update'>, opts: { timeoutMs?: number } = {}): Promise<void> {
  const t = opts.timeoutMs ?? 30_000;
  await Promise.all([ensureCRD(client, INGRESS_ROUTE_CRD, { timeoutMs: t }), ensureCRD(client, TLS_CERTIFICATE_DELEGATION_CRD, { timeoutMs: t })]);
}
