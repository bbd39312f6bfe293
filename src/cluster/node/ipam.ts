/**
 * IPv4 addresses for simulated nodes: CIDR arithmetic, the node's slot in the cluster CIDR (what
 * kube-controller-manager's node-ipam controller hands out with `--cluster-cidr` and
 * `--node-cidr-mask-size`), and a per-node pod IP allocator that behaves like the CNI
 * `host-local` plugin behind a bridge: `.1` is the bridge, pods get `.2` onwards, sequentially
 * (next-fit), so a freed address is not reused at once.
 */

/** An IPv4 network: `base` is the network address as an unsigned 32-bit number. */
export interface Cidr {
  readonly base: number;
  readonly bits: number;
}

/** `10.42.0.1` → 170524673, or undefined when it is not a dotted quad. */
export function parseIp(text: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

export function formatIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

const size = (bits: number): number => 2 ** (32 - bits);

/** `10.42.0.0/16`; throws an Error naming the text when it is not an IPv4 CIDR or has host bits set. */
export function parseCidr(text: string): Cidr {
  const [ip, bitsText, extra] = text.split('/');
  const base = parseIp(ip ?? '');
  const bits = Number(bitsText);
  if (base === undefined || extra !== undefined || !/^\d{1,2}$/.test(bitsText ?? '') || bits > 32) {
    throw new Error(`invalid CIDR ${JSON.stringify(text)}: expected an IPv4 network such as 10.42.0.0/16`);
  }
  if (base % size(bits) !== 0) throw new Error(`invalid CIDR ${JSON.stringify(text)}: host bits are set (the network is ${formatIp(base - (base % size(bits)))}/${bits})`);
  return { base, bits };
}

export function formatCidr(c: Cidr): string {
  return `${formatIp(c.base)}/${c.bits}`;
}

export function contains(c: Cidr, ip: number): boolean {
  return ip >= c.base && ip < c.base + size(c.bits);
}

/** How many `/maskBits` subnets `cluster` holds. */
export function subnetCount(cluster: Cidr, maskBits: number): number {
  return maskBits < cluster.bits ? 0 : 2 ** (maskBits - cluster.bits);
}

/** The `index`-th `/maskBits` subnet of `cluster` (the node's pod CIDR for slot `index`). */
export function subnet(cluster: Cidr, maskBits: number, index: number): Cidr {
  const n = subnetCount(cluster, maskBits);
  if (!Number.isInteger(index) || index < 0 || index >= n) {
    throw new Error(`no pod CIDR for node slot ${index}: ${formatCidr(cluster)} holds ${n} /${maskBits} node CIDRs`);
  }
  return { base: cluster.base + index * size(maskBits), bits: maskBits };
}

/** The slot of `cidr` in `cluster` (the inverse of {@link subnet}), or undefined when it is not one of its subnets. */
export function subnetIndex(cluster: Cidr, maskBits: number, cidr: Cidr): number | undefined {
  if (cidr.bits !== maskBits || !contains(cluster, cidr.base)) return undefined;
  return (cidr.base - cluster.base) / size(maskBits);
}

/** Pod IPs a node CIDR offers: all but the network address, `.1` (the bridge) and the broadcast address. */
export function usablePodIPs(cidr: Cidr): number {
  return Math.max(0, size(cidr.bits) - 3);
}

/** One node's pod IPs: sequential next-fit allocation, one address per owner (a pod uid). */
export class PodIPAllocator {
  private readonly byOwner = new Map<string, number>();
  private readonly used = new Set<number>();
  private readonly first: number;
  private readonly last: number;
  private next: number;

  constructor(readonly cidr: Cidr) {
    this.first = cidr.base + 2;
    this.last = cidr.base + size(cidr.bits) - 2;
    this.next = this.first;
  }

  /** The owner's address (the same one when asked again), or undefined when the range is full. */
  allocate(owner: string): string | undefined {
    const had = this.byOwner.get(owner);
    if (had !== undefined) return formatIp(had);
    const span = this.last - this.first + 1;
    for (let i = 0; i < span; i++) {
      const ip = this.first + ((this.next - this.first + i) % span);
      if (this.used.has(ip)) continue;
      this.take(owner, ip);
      this.next = ip + 1 > this.last ? this.first : ip + 1;
      return formatIp(ip);
    }
    return undefined;
  }

  /** Record an address found in a pod's status (after a restart). False when it is outside the range or taken. */
  reserve(owner: string, text: string): boolean {
    const ip = parseIp(text);
    if (ip === undefined || ip < this.first || ip > this.last) return false;
    if (this.byOwner.get(owner) === ip) return true;
    if (this.used.has(ip)) return false;
    this.release(owner);
    this.take(owner, ip);
    return true;
  }

  release(owner: string): void {
    const ip = this.byOwner.get(owner);
    if (ip === undefined) return;
    this.byOwner.delete(owner);
    this.used.delete(ip);
  }

  /** Addresses in use. */
  get inUse(): number {
    return this.used.size;
  }

  private take(owner: string, ip: number): void {
    this.byOwner.set(owner, ip);
    this.used.add(ip);
  }
}
