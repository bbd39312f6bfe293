/**
 * kube-apiserver's webhook admission metrics (`apiserver_admission_webhook_*`), so the same
 * dashboards read Flotilla's `/metrics`.
 */
import { Counter, Histogram, type Registry } from 'prom-client';

export type WebhookType = 'admit' | 'validating';

export interface WebhookMetrics {
  observe(name: string, type: WebhookType, operation: string, rejected: boolean, seconds: number): void;
  rejection(name: string, type: WebhookType, operation: string, errorType: 'calling_webhook_error' | 'no_error' | 'apiserver_internal_error', code: number): void;
  failOpen(name: string, type: WebhookType): void;
}

export function createWebhookMetrics(registry: Registry | undefined): WebhookMetrics {
  if (!registry) return { observe() {}, rejection() {}, failOpen() {} };
  const duration = new Histogram({
    name: 'apiserver_admission_webhook_admission_duration_seconds',
    help: 'Admission webhook latency histogram in seconds, identified by name and broken out for each operation and API resource and type (validate or admit).',
    labelNames: ['name', 'type', 'operation', 'rejected'],
    buckets: [0.005, 0.025, 0.1, 0.5, 1, 2.5, 10, 25],
    registers: [registry],
  });
  const rejections = new Counter({
    name: 'apiserver_admission_webhook_rejection_count',
    help: 'Admission webhook rejection count, identified by name and broken out for each admission type (validating or admit) and operation.',
    labelNames: ['name', 'type', 'operation', 'error_type', 'rejection_code'],
    registers: [registry],
  });
  const failOpen = new Counter({
    name: 'apiserver_admission_webhook_fail_open_count',
    help: 'Admission webhook fail open count, identified by name and broken out for each admission type (validating or admit).',
    labelNames: ['name', 'type'],
    registers: [registry],
  });
  return {
    observe: (name, type, operation, rejected, seconds) => duration.observe({ name, type, operation, rejected: String(rejected) }, seconds),
    rejection: (name, type, operation, errorType, code) => rejections.inc({ name, type, operation, error_type: errorType, rejection_code: String(code) }),
    failOpen: (name, type) => failOpen.inc({ name, type }),
  };
}
