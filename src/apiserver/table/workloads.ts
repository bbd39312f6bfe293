/**
 * Rows for the workload kinds (apps, batch, autoscaling), after the printers in
 * kubernetes/pkg/printers/internalversion/printers.go (v1.32).
 *
 * Replica counts read `spec.replicas` with the API server's create-time default of 1 when absent.
 */
import { humanDuration, parseTimestamp, translateTimestampSince } from './duration.js';
import {
  AGE_COLUMN,
  CONTAINERS_COLUMN,
  IMAGES_COLUMN,
  NAME_COLUMN,
  arr,
  boolPtr,
  col,
  findCondition,
  formatLabelSelector,
  formatLabels,
  groupOf,
  int,
  isDeleting,
  isSet,
  layoutContainerCells,
  nameOf,
  quantity,
  rec,
  selectorString,
  str,
  templateContainers,
} from './format.js';
import type { Convertor, KubeObject } from './types.js';

const age = (obj: KubeObject, now: Date): string => translateTimestampSince(obj.metadata?.creationTimestamp, now);

/** spec.replicas with the create-time default. */
function replicas(spec: Record<string, unknown>): number {
  return isSet(spec.replicas) ? int(spec.replicas) : 1;
}

const SELECTOR_DESCRIPTION = 'Label query over pods that should match the replica count.';

export const deployments: Convertor = {
  columns: [
    NAME_COLUMN,
    col('Ready', 'string', 'Number of the pod with ready state'),
    col('Up-to-date', 'string', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
    col('Available', 'string', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'),
    AGE_COLUMN,
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    col('Selector', 'string', SELECTOR_DESCRIPTION, { wide: true }),
  ],
  cells(d, now) {
    const spec = rec(d.spec);
    const status = rec(d.status);
    const [names, images] = layoutContainerCells(templateContainers(spec));
    return [
      nameOf(d),
      `${int(status.readyReplicas)}/${replicas(spec)}`,
      int(status.updatedReplicas),
      int(status.availableReplicas),
      age(d, now),
      names,
      images,
      selectorString(spec.selector),
    ];
  },
};

export const replicaSets: Convertor = {
  columns: [
    NAME_COLUMN,
    col('Desired', 'integer', 'Replicas is the number of desired replicas.'),
    col('Current', 'integer', 'Replicas is the most recently observed number of replicas.'),
    col('Ready', 'integer', 'The number of ready replicas for this replica set.'),
    AGE_COLUMN,
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    col('Selector', 'string', SELECTOR_DESCRIPTION, { wide: true }),
  ],
  cells(rs, now) {
    const spec = rec(rs.spec);
    const status = rec(rs.status);
    const [names, images] = layoutContainerCells(templateContainers(spec));
    return [
      nameOf(rs),
      replicas(spec),
      int(status.replicas),
      int(status.readyReplicas),
      age(rs, now),
      names,
      images,
      formatLabelSelector(spec.selector),
    ];
  },
};

export const daemonSets: Convertor = {
  columns: [
    NAME_COLUMN,
    col('Desired', 'integer', 'The total number of nodes that should be running the daemon pod.'),
    col('Current', 'integer', 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.'),
    col('Ready', 'integer', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.'),
    col('Up-to-date', 'integer', 'The total number of nodes that are running updated daemon pod'),
    col('Available', 'integer', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available.'),
    col('Node Selector', 'string', 'NodeSelector is a selector which must be true for the pod to fit on a node.'),
    AGE_COLUMN,
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    col('Selector', 'string', 'A label query over pods that are managed by the daemon set.', { wide: true }),
  ],
  cells(ds, now) {
    const spec = rec(ds.spec);
    const status = rec(ds.status);
    const [names, images] = layoutContainerCells(templateContainers(spec));
    return [
      nameOf(ds),
      int(status.desiredNumberScheduled),
      int(status.currentNumberScheduled),
      int(status.numberReady),
      int(status.updatedNumberScheduled),
      int(status.numberAvailable),
      formatLabels(rec(rec(spec.template).spec).nodeSelector),
      age(ds, now),
      names,
      images,
      formatLabelSelector(spec.selector),
    ];
  },
};

export const statefulSets: Convertor = {
  columns: [NAME_COLUMN, col('Ready', 'string', 'Number of the pod with ready state'), AGE_COLUMN, CONTAINERS_COLUMN, IMAGES_COLUMN],
  cells(sts, now) {
    const spec = rec(sts.spec);
    const [names, images] = layoutContainerCells(templateContainers(spec));
    return [nameOf(sts), `${int(rec(sts.status).readyReplicas)}/${replicas(spec)}`, age(sts, now), names, images];
  },
};

// ---------------------------------------------------------------------------------------------
// Job, CronJob

/** hasJobCondition: the first condition of the type decides. */
function jobCondition(conditions: unknown, type: string): boolean {
  return findCondition(conditions, type)?.status === 'True';
}

function jobStatus(job: KubeObject): string {
  const conditions = rec(job.status).conditions;
  if (jobCondition(conditions, 'Complete')) return 'Complete';
  if (jobCondition(conditions, 'Failed')) return 'Failed';
  if (isDeleting(job)) return 'Terminating';
  if (jobCondition(conditions, 'Suspended')) return 'Suspended';
  if (jobCondition(conditions, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

function jobCompletions(spec: Record<string, unknown>, status: Record<string, unknown>): string {
  const succeeded = int(status.succeeded);
  if (isSet(spec.completions)) return `${succeeded}/${int(spec.completions)}`;
  const parallelism = int(spec.parallelism);
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

function jobDuration(status: Record<string, unknown>, now: Date): string {
  const start = parseTimestamp(status.startTime);
  if (start === undefined) return '';
  const completion = parseTimestamp(status.completionTime);
  return humanDuration((completion ?? now.getTime()) - start);
}

export const jobs: Convertor = {
  columns: [
    NAME_COLUMN,
    col('Status', 'string', 'Status of the job.'),
    col('Completions', 'string', 'The number of pods which reached phase Succeeded.'),
    col('Duration', 'string', 'Time required to complete the job.'),
    AGE_COLUMN,
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    col('Selector', 'string', 'A label query over pods that should match the pod count.', { wide: true }),
  ],
  cells(job, now) {
    const spec = rec(job.spec);
    const status = rec(job.status);
    const [names, images] = layoutContainerCells(templateContainers(spec));
    return [
      nameOf(job),
      jobStatus(job),
      jobCompletions(spec, status),
      jobDuration(status, now),
      age(job, now),
      names,
      images,
      formatLabelSelector(spec.selector),
    ];
  },
};

export const cronJobs: Convertor = {
  columns: [
    NAME_COLUMN,
    col('Schedule', 'string', 'The schedule in Cron format.'),
    col('Timezone', 'string', 'The time zone name for the given schedule.'),
    col('Suspend', 'boolean', 'This flag tells the controller to suspend subsequent executions.'),
    col('Active', 'integer', 'A list of pointers to currently running jobs.'),
    col('Last Schedule', 'string', 'Information when was the last time the job was successfully scheduled.'),
    AGE_COLUMN,
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    col('Selector', 'string', 'A label query over pods that should match the pod count.', { wide: true }),
  ],
  cells(cj, now) {
    const spec = rec(cj.spec);
    const status = rec(cj.status);
    const jobSpec = rec(rec(spec.jobTemplate).spec);
    const [names, images] = layoutContainerCells(templateContainers(jobSpec));
    return [
      nameOf(cj),
      str(spec.schedule),
      isSet(spec.timeZone) ? str(spec.timeZone) : '<none>',
      boolPtr(spec.suspend),
      arr(status.active).length,
      isSet(status.lastScheduleTime) ? translateTimestampSince(status.lastScheduleTime, now) : '<none>',
      age(cj, now),
      names,
      images,
      formatLabelSelector(jobSpec.selector),
    ];
  },
};

// ---------------------------------------------------------------------------------------------
// ControllerRevision

export const controllerRevisions: Convertor = {
  columns: [
    NAME_COLUMN,
    col('Controller', 'string', 'Controller of the object'),
    col('Revision', 'string', 'Revision indicates the revision of the state represented by Data.'),
    AGE_COLUMN,
  ],
  cells(cr, now) {
    const owner = (cr.metadata?.ownerReferences ?? []).find((ref) => ref.controller === true);
    let controller = '<none>';
    if (owner) {
      const group = groupOf(str(owner.apiVersion));
      const kind = str(owner.kind);
      const groupKind = group === '' ? kind : `${kind}.${group}`;
      controller = groupKind === '' ? str(owner.name) : `${groupKind.toLowerCase()}/${str(owner.name)}`;
    }
    return [nameOf(cr), controller, int(cr.revision), age(cr, now)];
  },
};

// ---------------------------------------------------------------------------------------------
// HorizontalPodAutoscaler (autoscaling/v2 shape; autoscaling/v1's CPU target is converted)

interface Metric {
  spec: Record<string, unknown>;
  status?: Record<string, unknown>;
}

/** The v2 metrics of an HPA; a v1 object's targetCPUUtilizationPercentage becomes a cpu metric. */
function hpaMetrics(hpa: KubeObject): { specs: Record<string, unknown>[]; statuses: Record<string, unknown>[] } {
  const spec = rec(hpa.spec);
  const status = rec(hpa.status);
  if (isSet(spec.metrics) || !isSet(spec.targetCPUUtilizationPercentage)) {
    return { specs: arr(spec.metrics).map(rec), statuses: arr(status.currentMetrics).map(rec) };
  }
  const specs = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: spec.targetCPUUtilizationPercentage } } }];
  const statuses = isSet(status.currentCPUUtilizationPercentage)
    ? [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: status.currentCPUUtilizationPercentage } } }]
    : [];
  return { specs, statuses };
}

function metricTarget(m: Metric, source: 'external' | 'object' | 'pods' | 'resource' | 'containerResource'): string {
  const spec = rec(m.spec[source]);
  const target = rec(spec.target);
  const current = m.status && isSet(m.status[source]) ? rec(rec(m.status[source]).current) : undefined;
  switch (source) {
    case 'pods':
      return `${current ? quantity(current.averageValue) : '<unknown>'}/${quantity(target.averageValue)}`;
    case 'external':
    case 'object':
      if (isSet(target.averageValue)) {
        const cur = current && isSet(current.averageValue) ? quantity(current.averageValue) : '<unknown>';
        return `${cur}/${quantity(target.averageValue)} (avg)`;
      }
      return `${current ? quantity(current.value) : '<unknown>'}/${quantity(target.value)}`;
    case 'resource':
    case 'containerResource': {
      const name = str(spec.name);
      if (isSet(target.averageValue)) {
        return `${name}: ${current ? quantity(current.averageValue) : '<unknown>'}/${quantity(target.averageValue)}`;
      }
      const cur = current && isSet(current.averageUtilization) ? `${int(current.averageUtilization)}%` : '<unknown>';
      const want = isSet(target.averageUtilization) ? `${int(target.averageUtilization)}%` : '<auto>';
      return `${name}: ${cur}/${want}`;
    }
  }
}

const METRIC_SOURCES: Record<string, 'external' | 'object' | 'pods' | 'resource' | 'containerResource'> = {
  External: 'external',
  Object: 'object',
  Pods: 'pods',
  Resource: 'resource',
  ContainerResource: 'containerResource',
};

/** formatHPAMetrics: at most two targets, then `+ N more...`. */
export function formatHPAMetrics(hpa: KubeObject): string {
  const { specs, statuses } = hpaMetrics(hpa);
  if (specs.length === 0) return '<none>';
  const max = 2;
  const list = specs.map((spec, i) => {
    const source = METRIC_SOURCES[str(spec.type)];
    return source === undefined ? '<unknown type>' : metricTarget({ spec, status: statuses[i] }, source);
  });
  if (list.length > max) return `${list.slice(0, max).join(', ')} + ${list.length - max} more...`;
  return list.join(', ');
}

export const horizontalPodAutoscalers: Convertor = {
  columns: [
    NAME_COLUMN,
    col('Reference', 'string', 'scaleTargetRef points to the target resource to scale.'),
    col('Targets', 'string', 'metrics contains the specifications for which to use to calculate the desired replica count.'),
    col('MinPods', 'string', 'minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.'),
    col('MaxPods', 'string', 'maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up.'),
    col('Replicas', 'string', 'currentReplicas is current number of replicas of pods managed by this autoscaler.'),
    AGE_COLUMN,
  ],
  cells(hpa, now) {
    const spec = rec(hpa.spec);
    const ref = rec(spec.scaleTargetRef);
    return [
      nameOf(hpa),
      `${str(ref.kind)}/${str(ref.name)}`,
      formatHPAMetrics(hpa),
      isSet(spec.minReplicas) ? String(int(spec.minReplicas)) : '<unset>',
      int(spec.maxReplicas),
      int(rec(hpa.status).currentReplicas),
      age(hpa, now),
    ];
  },
};
