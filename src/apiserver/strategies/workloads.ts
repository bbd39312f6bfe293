/**
 * apps/v1 and batch/v1 workloads: defaults (SetDefaults_Deployment and friends) and the
 * validation users hit most (selector required and matching the template labels).
 */
import { fieldError, type FieldError } from '../../apimachinery/errors.js';
import { isPlainObject, type KubeObject } from '../../apimachinery/object.js';
import { labelSelectorFromObject } from '../../apimachinery/label-selector.js';
import type { Strategy } from '../strategy.js';
import { defaultPodSpec, validatePodSpec } from './pod-template.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

function validateSelectorAndTemplate(spec: Json, templatePath: string): FieldError[] {
  const errors: FieldError[] = [];
  const selector = spec?.selector;
  if (!isPlainObject(selector)) {
    errors.push(fieldError.required('spec.selector'));
  } else if (!selector.matchLabels && !selector.matchExpressions) {
    errors.push(fieldError.invalid('spec.selector', selector, 'empty selector is invalid for deployment'));
  }
  const template = spec?.template;
  if (!isPlainObject(template)) {
    errors.push(fieldError.required(templatePath));
    return errors;
  }
  if (isPlainObject(selector) && (selector.matchLabels || selector.matchExpressions)) {
    const labels = template.metadata?.labels ?? {};
    let matches = false;
    try {
      matches = labelSelectorFromObject(selector).matches(labels);
    } catch {
      errors.push(fieldError.invalid('spec.selector', selector, 'invalid label selector'));
    }
    if (!matches) {
      errors.push(fieldError.invalid(`${templatePath}.metadata.labels`, labels, '`selector` does not match template `labels`'));
    }
  }
  errors.push(...validatePodSpec(template.spec, `${templatePath}.spec`));
  return errors;
}

function nonNegative(value: unknown, field: string): FieldError[] {
  if (value === undefined) return [];
  return Number.isInteger(value) && (value as number) >= 0 ? [] : [fieldError.invalid(field, value, 'must be greater than or equal to 0')];
}

const resetStatus = (obj: KubeObject) => {
  obj.status = {};
};

export const deploymentStrategy: Strategy = {
  prepareForCreate: resetStatus,
  defaults(obj) {
    const spec = (obj.spec ??= {});
    spec.replicas ??= 1;
    spec.strategy ??= { type: 'RollingUpdate' };
    if (spec.strategy.type === undefined) spec.strategy.type = 'RollingUpdate';
    if (spec.strategy.type === 'RollingUpdate') {
      spec.strategy.rollingUpdate ??= {};
      spec.strategy.rollingUpdate.maxUnavailable ??= '25%';
      spec.strategy.rollingUpdate.maxSurge ??= '25%';
    }
    spec.revisionHistoryLimit ??= 10;
    spec.progressDeadlineSeconds ??= 600;
    if (isPlainObject(spec.template)) defaultPodSpec(spec.template.spec);
  },
  validate(obj) {
    const spec = obj.spec;
    const errors = [...nonNegative(spec?.replicas, 'spec.replicas'), ...validateSelectorAndTemplate(spec, 'spec.template')];
    const type = spec?.strategy?.type;
    if (type !== undefined && type !== 'RollingUpdate' && type !== 'Recreate') {
      errors.push(fieldError.notSupported('spec.strategy.type', type, ['Recreate', 'RollingUpdate']));
    }
    if (spec?.template?.spec?.restartPolicy !== undefined && spec.template.spec.restartPolicy !== 'Always') {
      errors.push(fieldError.notSupported('spec.template.spec.restartPolicy', spec.template.spec.restartPolicy, ['Always']));
    }
    return errors;
  },
  validateUpdate(obj, old) {
    return immutableSelector(obj, old);
  },
};

function immutableSelector(obj: KubeObject, old: KubeObject): FieldError[] {
  if (JSON.stringify(obj.spec?.selector) !== JSON.stringify(old.spec?.selector)) {
    return [fieldError.invalid('spec.selector', obj.spec?.selector, 'field is immutable')];
  }
  return [];
}

export const replicaSetStrategy: Strategy = {
  prepareForCreate: resetStatus,
  defaults(obj) {
    const spec = (obj.spec ??= {});
    spec.replicas ??= 1;
    if (isPlainObject(spec.template)) defaultPodSpec(spec.template.spec);
  },
  validate(obj) {
    return [...nonNegative(obj.spec?.replicas, 'spec.replicas'), ...validateSelectorAndTemplate(obj.spec, 'spec.template')];
  },
  selectableFields(obj) {
    return { 'status.replicas': String(obj.status?.replicas ?? 0) };
  },
};

export const daemonSetStrategy: Strategy = {
  prepareForCreate: resetStatus,
  defaults(obj) {
    const spec = (obj.spec ??= {});
    spec.updateStrategy ??= { type: 'RollingUpdate' };
    if (spec.updateStrategy.type === 'RollingUpdate') {
      spec.updateStrategy.rollingUpdate ??= {};
      spec.updateStrategy.rollingUpdate.maxUnavailable ??= 1;
      spec.updateStrategy.rollingUpdate.maxSurge ??= 0;
    }
    spec.revisionHistoryLimit ??= 10;
    if (isPlainObject(spec.template)) defaultPodSpec(spec.template.spec);
  },
  validate(obj) {
    return validateSelectorAndTemplate(obj.spec, 'spec.template');
  },
  validateUpdate: immutableSelector,
};

export const statefulSetStrategy: Strategy = {
  prepareForCreate: resetStatus,
  defaults(obj) {
    const spec = (obj.spec ??= {});
    spec.replicas ??= 1;
    spec.podManagementPolicy ??= 'OrderedReady';
    spec.updateStrategy ??= { type: 'RollingUpdate' };
    if (spec.updateStrategy.type === 'RollingUpdate') spec.updateStrategy.rollingUpdate ??= { partition: 0 };
    spec.revisionHistoryLimit ??= 10;
    spec.persistentVolumeClaimRetentionPolicy ??= { whenDeleted: 'Retain', whenScaled: 'Retain' };
    if (isPlainObject(spec.template)) defaultPodSpec(spec.template.spec);
  },
  validate(obj) {
    return [...nonNegative(obj.spec?.replicas, 'spec.replicas'), ...validateSelectorAndTemplate(obj.spec, 'spec.template')];
  },
  validateUpdate: immutableSelector,
};

export const jobStrategy: Strategy = {
  prepareForCreate: resetStatus,
  defaults(obj) {
    const spec = (obj.spec ??= {});
    spec.parallelism ??= 1;
    spec.completions ??= spec.completionMode === 'Indexed' ? spec.completions : 1;
    spec.backoffLimit ??= 6;
    spec.completionMode ??= 'NonIndexed';
    spec.suspend ??= false;
    spec.podReplacementPolicy ??= 'TerminatingOrFailed';
    if (isPlainObject(spec.template)) {
      // The job controller selects its pods by the job's uid, as kube does with manualSelector unset.
      const uid = obj.metadata.uid;
      if (uid && !spec.manualSelector && !spec.selector) {
        spec.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
        const meta = (spec.template.metadata ??= {});
        meta.labels = { ...meta.labels, 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': obj.metadata.name!, 'controller-uid': uid, 'job-name': obj.metadata.name! };
      }
      defaultPodSpec(spec.template.spec);
    }
  },
  validate(obj) {
    const spec = obj.spec;
    const errors = [
      ...nonNegative(spec?.parallelism, 'spec.parallelism'),
      ...nonNegative(spec?.completions, 'spec.completions'),
      ...nonNegative(spec?.backoffLimit, 'spec.backoffLimit'),
    ];
    if (!isPlainObject(spec?.template)) errors.push(fieldError.required('spec.template'));
    else {
      errors.push(...validatePodSpec(spec.template.spec, 'spec.template.spec'));
      const rp = spec.template.spec?.restartPolicy;
      if (rp !== 'OnFailure' && rp !== 'Never') errors.push(fieldError.notSupported('spec.template.spec.restartPolicy', rp, ['OnFailure', 'Never']));
    }
    return errors;
  },
  selectableFields(obj) {
    return { 'status.successful': String(obj.status?.succeeded ?? 0) };
  },
};

export const cronJobStrategy: Strategy = {
  prepareForCreate: resetStatus,
  defaults(obj) {
    const spec = (obj.spec ??= {});
    spec.concurrencyPolicy ??= 'Allow';
    spec.suspend ??= false;
    spec.successfulJobsHistoryLimit ??= 3;
    spec.failedJobsHistoryLimit ??= 1;
    const podSpec = spec.jobTemplate?.spec?.template?.spec;
    if (podSpec) defaultPodSpec(podSpec);
  },
  validate(obj) {
    const spec = obj.spec;
    const errors: FieldError[] = [];
    if (typeof spec?.schedule !== 'string' || spec.schedule.trim() === '') errors.push(fieldError.required('spec.schedule'));
    else if (!/^@(yearly|annually|monthly|weekly|daily|midnight|hourly|every .+)$/.test(spec.schedule) && spec.schedule.trim().split(/\s+/).length !== 5) {
      errors.push(fieldError.invalid('spec.schedule', spec.schedule, `Expected exactly 5 fields, found ${spec.schedule.trim().split(/\s+/).length}: ${spec.schedule}`));
    }
    const podSpec = spec?.jobTemplate?.spec?.template?.spec;
    if (!podSpec) errors.push(fieldError.required('spec.jobTemplate.spec.template.spec'));
    else errors.push(...validatePodSpec(podSpec, 'spec.jobTemplate.spec.template.spec'));
    return errors;
  },
};

/**
 * autoscaling/v1 HorizontalPodAutoscaler, validated as kube-apiserver validates it (without the
 * HPAScaleToZero gate): minReplicas defaults to 1.
 */
export const horizontalPodAutoscalerStrategy: Strategy = {
  prepareForCreate: resetStatus,
  defaults(obj) {
    const spec = (obj.spec ??= {});
    spec.minReplicas ??= 1;
  },
  validate(obj) {
    const spec = obj.spec ?? {};
    const errors: FieldError[] = [];
    const ref = spec.scaleTargetRef;
    if (!ref?.kind) errors.push(fieldError.required('spec.scaleTargetRef.kind'));
    if (!ref?.name) errors.push(fieldError.required('spec.scaleTargetRef.name'));
    const min = spec.minReplicas;
    if (typeof min !== 'number' || !Number.isInteger(min) || min < 1) errors.push(fieldError.invalid('spec.minReplicas', min, 'must be greater than or equal to 1'));
    const max = spec.maxReplicas;
    if (typeof max !== 'number' || !Number.isInteger(max) || max < 1) errors.push(fieldError.invalid('spec.maxReplicas', max, 'must be greater than 0'));
    else if (typeof min === 'number' && max < min) errors.push(fieldError.invalid('spec.maxReplicas', max, 'must be greater than or equal to `minReplicas`'));
    const cpu = spec.targetCPUUtilizationPercentage;
    if (cpu !== undefined && (typeof cpu !== 'number' || cpu < 1)) errors.push(fieldError.invalid('spec.targetCPUUtilizationPercentage', cpu, 'must be greater than 0'));
    return errors;
  },
};
