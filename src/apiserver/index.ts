/**
 * @module The embedded Kubernetes API server: `ApiServer` serves the REST API over a storage
 * Backend; `ensureServingMaterial` and `ensureAdminToken` keep its CA, certificate and token in
 * a data directory.
 */
export { ApiServer, type ApiServerOptions } from './server.js';
export { defaultServingNames, ensureAdminToken, ensureServingMaterial, type ServingMaterial } from './pki.js';
export { KUBERNETES_VERSION } from './version.js';
