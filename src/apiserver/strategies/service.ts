/**
 * Services: defaults, validation, and the two allocators kube-apiserver runs for them — cluster
 * IPs from the service CIDR (10.43.0.0/16, as k3s) and node ports from 30000-32767. The
 * allocators are rebuilt from the stored services at start, so nothing is persisted twice.
 */
import { fieldError, invalid, type FieldError } from '../../apimachinery/errors.js';
import { isPlainObject, type KubeObject } from '../../apimachinery/object.js';
import type { Strategy } from '../strategy.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

export interface ServiceNetwork {
  /** e.g. 10.43.0.0/16 */
  readonly serviceCidr: string;
  readonly nodePortRange: readonly [number, number];
}

export const DEFAULT_SERVICE_NETWORK: ServiceNetwork = { serviceCidr: '10.43.0.0/16', nodePortRange: [30000, 32767] };

function ipToNumber(ip: string): number {
  return ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

function numberToIp(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

export class ServiceAllocators {
  private readonly usedIps = new Set<string>();
  private readonly usedPorts = new Set<number>();
  private readonly base: number;
  private readonly size: number;
  private nextIpOffset = 10;
  private nextPort: number;

  constructor(readonly network: ServiceNetwork = DEFAULT_SERVICE_NETWORK) {
    const [addr, bits] = network.serviceCidr.split('/');
    this.size = 2 ** (32 - Number(bits));
    this.base = ipToNumber(addr);
    this.nextPort = network.nodePortRange[0];
  }

  /** The first address of the range, kept for the `kubernetes` service (10.43.0.1). */
  get apiServerIp(): string {
    return numberToIp(this.base + 1);
  }

  inRange(ip: string): boolean {
    const n = ipToNumber(ip);
    return /^\d+\.\d+\.\d+\.\d+$/.test(ip) && n > this.base && n < this.base + this.size - 1;
  }

  reserveIp(ip: string): boolean {
    if (this.usedIps.has(ip)) return false;
    this.usedIps.add(ip);
    return true;
  }

  allocateIp(): string {
    for (let tries = 0; tries < this.size; tries++) {
      const offset = this.nextIpOffset;
      this.nextIpOffset = this.nextIpOffset + 1 >= this.size - 1 ? 1 : this.nextIpOffset + 1;
      const ip = numberToIp(this.base + offset);
      if (!this.usedIps.has(ip)) {
        this.usedIps.add(ip);
        return ip;
      }
    }
    throw new Error(`range is full: no cluster IPs left in ${this.network.serviceCidr}`);
  }

  releaseIp(ip: string): void {
    this.usedIps.delete(ip);
  }

  portInRange(port: number): boolean {
    return port >= this.network.nodePortRange[0] && port <= this.network.nodePortRange[1];
  }

  reservePort(port: number): boolean {
    if (this.usedPorts.has(port)) return false;
    this.usedPorts.add(port);
    return true;
  }

  allocatePort(): number {
    const [lo, hi] = this.network.nodePortRange;
    for (let tries = 0; tries <= hi - lo; tries++) {
      const port = this.nextPort;
      this.nextPort = port >= hi ? lo : port + 1;
      if (!this.usedPorts.has(port)) {
        this.usedPorts.add(port);
        return port;
      }
    }
    throw new Error('range is full: no node ports left');
  }

  releasePort(port: number): void {
    this.usedPorts.delete(port);
  }
}

function clusterIpsOf(svc: KubeObject): string[] {
  const ip = svc.spec?.clusterIP;
  return typeof ip === 'string' && ip !== '' && ip !== 'None' ? [ip] : [];
}

function nodePortsOf(svc: KubeObject): number[] {
  return Array.isArray(svc.spec?.ports) ? svc.spec.ports.map((p: Json) => p?.nodePort).filter((n: unknown) => Number.isInteger(n)) : [];
}

function needsNodePorts(spec: Json): boolean {
  return spec?.type === 'NodePort' || spec?.type === 'LoadBalancer';
}

export function serviceStrategy(alloc: ServiceAllocators): Strategy {
  return {
    prepareForCreate(obj) {
      obj.status = { loadBalancer: {} };
    },
    defaults(obj) {
      const spec = (obj.spec ??= {});
      spec.type ??= 'ClusterIP';
      spec.sessionAffinity ??= 'None';
      if (spec.type !== 'ExternalName') {
        spec.internalTrafficPolicy ??= 'Cluster';
        spec.ipFamilies ??= ['IPv4'];
        spec.ipFamilyPolicy ??= 'SingleStack';
      }
      if (needsNodePorts(spec)) spec.externalTrafficPolicy ??= 'Cluster';
      if (Array.isArray(spec.ports)) {
        for (const p of spec.ports) {
          if (!isPlainObject(p)) continue;
          p.protocol ??= 'TCP';
          if (p.targetPort === undefined && p.port !== undefined) p.targetPort = p.port;
        }
      }
    },
    prepareForUpdate(obj, old) {
      // Allocated values carry over when the user's manifest leaves them out (as kubectl apply does).
      if (obj.spec && old.spec) {
        if (!obj.spec.clusterIP && old.spec.clusterIP) obj.spec.clusterIP = old.spec.clusterIP;
        if (!obj.spec.clusterIPs && old.spec.clusterIPs) obj.spec.clusterIPs = old.spec.clusterIPs;
        if (needsNodePorts(obj.spec) && Array.isArray(obj.spec.ports) && Array.isArray(old.spec.ports)) {
          for (const p of obj.spec.ports) {
            if (p.nodePort) continue;
            const prev = old.spec.ports.find((q: Json) => q.port === p.port && (q.protocol ?? 'TCP') === (p.protocol ?? 'TCP'));
            if (prev?.nodePort) p.nodePort = prev.nodePort;
          }
        }
      }
    },
    validate(obj) {
      const errors: FieldError[] = [];
      const spec = obj.spec;
      if (!isPlainObject(spec)) return [fieldError.required('spec')];
      if (!SERVICE_TYPES.includes(spec.type)) errors.push(fieldError.notSupported('spec.type', spec.type, SERVICE_TYPES));
      if (spec.type === 'ExternalName') {
        if (!spec.externalName) errors.push(fieldError.required('spec.externalName'));
        return errors;
      }
      const ports = spec.ports;
      if (!Array.isArray(ports) || ports.length === 0) {
        if (spec.clusterIP !== 'None') errors.push(fieldError.required('spec.ports'));
        return errors;
      }
      const seen = new Set<string>();
      ports.forEach((p: Json, i: number) => {
        const at = `spec.ports[${i}]`;
        if (ports.length > 1 && !p?.name) errors.push(fieldError.required(`${at}.name`));
        if (!Number.isInteger(p?.port) || p.port < 1 || p.port > 65535) {
          errors.push(fieldError.invalid(`${at}.port`, p?.port ?? 0, 'must be between 1 and 65535, inclusive'));
        }
        if (!PROTOCOLS.includes(p?.protocol)) errors.push(fieldError.notSupported(`${at}.protocol`, p?.protocol, PROTOCOLS));
        const key = `${p?.port}/${p?.protocol}`;
        if (seen.has(key)) errors.push(fieldError.duplicate(at, { port: p.port, protocol: p.protocol }));
        seen.add(key);
        if (p?.nodePort !== undefined) {
          if (!needsNodePorts(spec)) errors.push(fieldError.forbidden(`${at}.nodePort`, 'may not be used when `type` is \'ClusterIP\''));
          else if (!alloc.portInRange(p.nodePort)) {
            const [lo, hi] = alloc.network.nodePortRange;
            errors.push(fieldError.invalid(`${at}.nodePort`, p.nodePort, `provided port is not in the valid range. The range of valid ports is ${lo}-${hi}`));
          }
        }
      });
      if (spec.clusterIP && spec.clusterIP !== 'None' && !alloc.inRange(spec.clusterIP)) {
        errors.push(
          fieldError.invalid('spec.clusterIPs', [spec.clusterIP], `failed to allocate IP ${spec.clusterIP}: the provided IP (${spec.clusterIP}) is not in the valid range. The range of valid IPs is ${alloc.network.serviceCidr}`),
        );
      }
      return errors;
    },
    validateUpdate(obj, old) {
      const errors: FieldError[] = [];
      const before = old.spec?.clusterIP;
      if (before && obj.spec?.clusterIP !== before && old.spec?.type !== 'ExternalName' && obj.spec?.type !== 'ExternalName') {
        errors.push(fieldError.invalid('spec.clusterIPs[0]', obj.spec?.clusterIP ?? '', 'may not change once set'));
      }
      return errors;
    },
    allocate(obj, old) {
      const spec = obj.spec;
      const taken: Array<() => void> = [];
      const fail = (field: string, value: unknown, why: string): never => {
        for (const undo of taken) undo();
        throw invalid('Service', '', obj.metadata.name ?? '', [fieldError.invalid(field, value, why)]);
      };
      const oldIps = old ? clusterIpsOf(old) : [];
      if (spec.type !== 'ExternalName') {
        if (!spec.clusterIP) {
          spec.clusterIP = alloc.allocateIp();
          const ip = spec.clusterIP;
          taken.push(() => alloc.releaseIp(ip));
        } else if (spec.clusterIP !== 'None' && !oldIps.includes(spec.clusterIP)) {
          if (!alloc.reserveIp(spec.clusterIP)) {
            fail('spec.clusterIPs', [spec.clusterIP], `failed to allocate IP ${spec.clusterIP}: provided IP is already allocated`);
          }
          const ip = spec.clusterIP;
          taken.push(() => alloc.releaseIp(ip));
        }
        spec.clusterIPs = [spec.clusterIP];
      }
      const oldPorts = old ? nodePortsOf(old) : [];
      if (needsNodePorts(spec)) {
        spec.ports.forEach((p: Json, i: number) => {
          if (p.nodePort === undefined) {
            p.nodePort = alloc.allocatePort();
            const port = p.nodePort;
            taken.push(() => alloc.releasePort(port));
          } else if (!oldPorts.includes(p.nodePort)) {
            if (!alloc.reservePort(p.nodePort)) fail(`spec.ports[${i}].nodePort`, p.nodePort, 'provided port is already allocated');
            const port = p.nodePort;
            taken.push(() => alloc.releasePort(port));
          }
        });
      }
      pendingUndo.set(obj, taken);
    },
    release(obj) {
      for (const undo of pendingUndo.get(obj) ?? []) undo();
      pendingUndo.delete(obj);
    },
    afterWrite(obj, old) {
      pendingUndo.delete(obj);
      if (!old) return;
      // Free what the old version held and the new one no longer does.
      const ips = new Set(clusterIpsOf(obj));
      for (const ip of clusterIpsOf(old)) if (!ips.has(ip)) alloc.releaseIp(ip);
      const ports = new Set(nodePortsOf(obj));
      for (const port of nodePortsOf(old)) if (!ports.has(port)) alloc.releasePort(port);
    },
    afterDelete(obj) {
      for (const ip of clusterIpsOf(obj)) alloc.releaseIp(ip);
      for (const port of nodePortsOf(obj)) alloc.releasePort(port);
    },
  };
}

const pendingUndo = new WeakMap<KubeObject, Array<() => void>>();

/** Rebuild allocator state from stored services at start. */
export function reserveExisting(alloc: ServiceAllocators, services: Iterable<KubeObject>): void {
  for (const svc of services) {
    for (const ip of clusterIpsOf(svc)) alloc.reserveIp(ip);
    for (const port of nodePortsOf(svc)) alloc.reservePort(port);
  }
}
