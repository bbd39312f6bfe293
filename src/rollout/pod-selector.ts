/**
 * A Deployment's `spec.selector` as a `?labelSelector=` string, so the health check looks at that
 * Deployment's pods only (the step used `version=NEW` alone, and counted other apps' pods).
 */
import type { V1LabelSelector } from '@kubernetes/client-node';

export function selectorString(sel: V1LabelSelector | undefined): string {
  const parts = Object.entries(sel?.matchLabels ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`);
  for (const e of sel?.matchExpressions ?? []) {
    const values = [...(e.values ?? [])].sort().join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${values})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${values})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
    else throw new Error(`unsupported selector operator "${e.operator}" on key ${e.key}`);
  }
  return parts.join(',');
}
