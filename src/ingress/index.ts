/**
 * @module ingress
 *
 * Flotilla's ingress: Heptio Contour's IngressRoute delegation model in TypeScript.
 * Kubernetes objects → the DAG (`./dag`, pure) → the embedded proxy (`./proxy`), driven by the
 * controller (`./controller`), with `flotilla ingress run|dag|explain` (`./cli.ts`).
 *
 * From `flotilla up`: `await startIngressController({ kubeConfig, logger, signal, httpPort, httpsPort,
 * rootNamespaces, metricsPort })`; stop it by aborting `signal` and awaiting `stopped`.
 */
export type { IngressControllerOptions, RunningIngressController } from './controller/index.js';
export { startIngressController, ensureIngressCRDs } from './controller/index.js';
export { registerIngressCommands } from './cli.js';
export { openAccessLog, ACCESS_LOG_FORMATS, type AccessLogFile } from './access-log-file.js';
