/**
 * Admission errors worded as kube-apiserver words them (`webhook/errors`, `ToStatusErr`,
 * `ErrCallingWebhook`, `NewDryRunUnsupportedErr`), because kubectl prints them verbatim.
 */
import { StatusError, type StatusDetails, type StatusReason } from '../../apimachinery/errors.js';
import type { AdmissionStatus } from './types.js';

/** A call that failed (transport, timeout, bad response): subject to failurePolicy. */
export class CallingWebhookError extends Error {
  constructor(
    readonly webhook: string,
    readonly reason?: string,
  ) {
    super(reason === undefined ? `failed calling webhook "${webhook}"; no further details available` : `failed calling webhook "${webhook}": ${reason}`);
    this.name = 'CallingWebhookError';
  }
}

/** `apierrors.NewInternalError(err)`: 500, `Internal error occurred: <err>`. */
export function internalAdmissionError(message: string): StatusError {
  return new StatusError(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ reason: '', message }] });
}

/**
 * A denial (`ToStatusErr`): the webhook's status with the message prefixed, a code below 400
 * raised to 400; reason and details passed through.
 */
export function deniedError(webhook: string, status: AdmissionStatus | undefined): StatusError {
  const deniedBy = `admission webhook "${webhook}" denied the request`;
  const code = typeof status?.code === 'number' && status.code >= 400 ? status.code : 400;
  let message: string;
  if (status?.message) message = `${deniedBy}: ${status.message}`;
  else if (status?.reason) message = `${deniedBy}: ${status.reason}`;
  else message = `${deniedBy} without explanation`;
  return new StatusError(code, (status?.reason ?? '') as StatusReason, message, status?.details as StatusDetails | undefined);
}

/** A dry-run request reaching a webhook that may have side effects. */
export function dryRunUnsupported(webhook: string): StatusError {
  return new StatusError(400, 'BadRequest', `admission webhook "${webhook}" does not support dry run`);
}
