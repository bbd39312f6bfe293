/**
 * The core contract between a controller and its reconciler (controller-runtime's
 * `pkg/reconcile`). A Request names an object and nothing else, so reconcilers stay
 * level-triggered; a Result only asks for a delayed requeue.
 */

/** The object to reconcile: `namespace` is '' for cluster-scoped objects. */
export interface Request {
  readonly namespace: string;
  readonly name: string;
}

/** What the loop does next: requeue after a delay, or nothing (`{}`). */
export interface Result {
  readonly requeueAfterMs?: number;
}

/**
 * Reconciles one object towards its desired state. Throwing means "retry with backoff";
 * throwing a {@link TerminalError} means "record it and stop retrying". `signal` aborts when the
 * controller stops (shutdown, or lost leadership).
 */
export interface Reconciler<R = Request> {
  reconcile(req: R, signal: AbortSignal): Promise<Result>;
}

/** An error that retrying cannot fix: logged and counted by the loop, never retried. */
export class TerminalError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TerminalError';
  }
}

/** `namespace/name`, or `name` for a cluster-scoped object (client-go's MetaNamespaceKey). */
export function requestKey(req: Request): string {
  return req.namespace ? `${req.namespace}/${req.name}` : req.name;
}

/** The inverse of {@link requestKey}. */
export function parseRequestKey(key: string): Request {
  const i = key.indexOf('/');
  return i < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}
