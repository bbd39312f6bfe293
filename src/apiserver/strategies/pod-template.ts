/**
 * Defaults and validation for a PodSpec, shared by pods and every workload's pod template
 * (SetDefaults_PodSpec / ValidatePodSpec, reduced to the rules users hit).
 */
import { fieldError, type FieldError } from '../../apimachinery/errors.js';
import { isPlainObject } from '../../apimachinery/object.js';
import { nameProblems } from '../../apimachinery/validation.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

function defaultContainer(c: Json): void {
  if (!isPlainObject(c)) return;
  if (c.imagePullPolicy === undefined && typeof c.image === 'string') {
    const tag = imageTag(c.image);
    c.imagePullPolicy = tag === undefined || tag === 'latest' ? 'Always' : 'IfNotPresent';
  }
  c.terminationMessagePath ??= '/dev/termination-log';
  c.terminationMessagePolicy ??= 'File';
  c.resources ??= {};
  if (Array.isArray(c.ports)) for (const p of c.ports) if (isPlainObject(p)) p.protocol ??= 'TCP';
  for (const probe of [c.livenessProbe, c.readinessProbe, c.startupProbe]) {
    if (!isPlainObject(probe)) continue;
    probe.timeoutSeconds ??= 1;
    probe.periodSeconds ??= 10;
    probe.successThreshold ??= 1;
    probe.failureThreshold ??= 3;
    if (isPlainObject(probe.httpGet)) {
      probe.httpGet.path ??= '/';
      probe.httpGet.scheme ??= 'HTTP';
    }
  }
}

/** The tag of an image reference (`nginx:1.27` → `1.27`; digests have none). */
function imageTag(image: string): string | undefined {
  const at = image.indexOf('@');
  if (at >= 0) {
    // name:tag@digest keeps its tag; a bare digest pins the image.
    const tag = imageTag(image.slice(0, at));
    return tag ?? 'digest';
  }
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  return colon < 0 ? undefined : image.slice(colon + 1);
}

export function defaultPodSpec(spec: Json): void {
  if (!isPlainObject(spec)) return;
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.securityContext ??= {};
  spec.schedulerName ??= 'default-scheduler';
  for (const list of [spec.containers, spec.initContainers]) if (Array.isArray(list)) list.forEach(defaultContainer);
}

function validateContainers(list: Json, path: string, required: boolean, names: Set<string>): FieldError[] {
  const errors: FieldError[] = [];
  if (list === undefined || (Array.isArray(list) && list.length === 0)) {
    if (required) errors.push(fieldError.required(path));
    return errors;
  }
  if (!Array.isArray(list)) return [fieldError.invalid(path, list, 'must be a list of containers')];
  list.forEach((c: Json, i: number) => {
    const at = `${path}[${i}]`;
    if (!isPlainObject(c)) {
      errors.push(fieldError.invalid(at, c, 'must be an object'));
      return;
    }
    if (!c.name) errors.push(fieldError.required(`${at}.name`));
    else {
      for (const m of nameProblems(String(c.name), 'dns1123-label')) errors.push(fieldError.invalid(`${at}.name`, c.name, m));
      if (names.has(c.name)) errors.push(fieldError.duplicate(`${at}.name`, c.name));
      names.add(c.name);
    }
    if (!c.image || (typeof c.image === 'string' && c.image.trim() === '')) errors.push(fieldError.required(`${at}.image`));
    if (c.imagePullPolicy !== undefined && !PULL_POLICIES.includes(c.imagePullPolicy)) {
      errors.push(fieldError.notSupported(`${at}.imagePullPolicy`, c.imagePullPolicy, PULL_POLICIES));
    }
    if (c.ports !== undefined) {
      if (!Array.isArray(c.ports)) errors.push(fieldError.invalid(`${at}.ports`, c.ports, 'must be a list'));
      else
        c.ports.forEach((p: Json, j: number) => {
          const pp = `${at}.ports[${j}]`;
          if (!Number.isInteger(p?.containerPort) || p.containerPort < 1 || p.containerPort > 65535) {
            errors.push(fieldError.invalid(`${pp}.containerPort`, p?.containerPort ?? 0, 'must be between 1 and 65535, inclusive'));
          }
          if (p?.protocol !== undefined && !PROTOCOLS.includes(p.protocol)) {
            errors.push(fieldError.notSupported(`${pp}.protocol`, p.protocol, PROTOCOLS));
          }
        });
    }
    if (c.env !== undefined && Array.isArray(c.env)) {
      c.env.forEach((e: Json, j: number) => {
        if (!e?.name) errors.push(fieldError.required(`${at}.env[${j}].name`));
      });
    }
  });
  return errors;
}

export function validatePodSpec(spec: Json, path: string): FieldError[] {
  if (!isPlainObject(spec)) return [fieldError.required(path)];
  const names = new Set<string>();
  const errors = [
    ...validateContainers(spec.containers, `${path}.containers`, true, names),
    ...validateContainers(spec.initContainers, `${path}.initContainers`, false, names),
  ];
  if (spec.restartPolicy !== undefined && !RESTART_POLICIES.includes(spec.restartPolicy)) {
    errors.push(fieldError.notSupported(`${path}.restartPolicy`, spec.restartPolicy, RESTART_POLICIES));
  }
  if (spec.dnsPolicy !== undefined && !DNS_POLICIES.includes(spec.dnsPolicy)) {
    errors.push(fieldError.notSupported(`${path}.dnsPolicy`, spec.dnsPolicy, DNS_POLICIES));
  }
  if (spec.terminationGracePeriodSeconds !== undefined && !(Number.isInteger(spec.terminationGracePeriodSeconds) && spec.terminationGracePeriodSeconds >= 0)) {
    errors.push(fieldError.invalid(`${path}.terminationGracePeriodSeconds`, spec.terminationGracePeriodSeconds, 'must be greater than or equal to 0'));
  }
  return errors;
}
