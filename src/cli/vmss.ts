/**
 * `flotilla vmss …`: Azure CLI's scale-set commands against Flotilla's ScaleSets, with az's flag
 * names and the tables `az vmss list -o table` and `az vmss list-instances -o table` print.
 *
 * The tables follow knack (az's output layer): `vmss list` has az's fixed columns (Name,
 * ResourceGroup, Location, Zones, Capacity, Overprovision, UpgradePolicy); `list-instances` has
 * no transformer in az, so its columns are the VM's scalar fields in sorted order with the first
 * letter capitalised (`id`, `type` and `etag` skipped). Both are tabulate's "simple" format: each
 * column as wide as its widest cell or its header plus two, two spaces between columns, a dashes
 * line under the header, all left-aligned (az turns number parsing off), trailing blanks trimmed.
 */
import { existsSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { Command, Option } from 'commander';
import {
  InstanceNotActiveError,
  requestInstanceDeletion,
  resolveSpec,
  scaleSetKind,
  scaleSetResourceId,
  equalFold,
  SCALE_SET_DEFAULTS,
  type ScaleSet,
  type ScaleSetInstance,
} from '../cluster/cloud/index.js';
import { createClient, isNotFound, retryOnConflict, type Client, type KObject } from '../runtime/index.js';

export const DEFAULT_KUBECONFIG = './kube_config_cluster.yml';

type Cell = string | number | boolean | null | undefined;

/** A scale set as `az vmss show` returns it (the fields the tables and the JSON output use). */
export interface AzVmss {
  id: string;
  name: string;
  type: 'Microsoft.Compute/virtualMachineScaleSets';
  resourceGroup: string;
  location: string;
  zones: string[] | null;
  tags: Record<string, string>;
  sku: { name: string; tier: 'Standard'; capacity: number };
  overprovision: boolean;
  upgradePolicy: { mode: 'Manual' };
  provisioningState: 'Succeeded' | 'Deleting';
  uniqueId: string;
}

/** One instance as `az vmss list-instances` returns it. */
export interface AzVmssVm {
  id: string;
  instanceId: string;
  name: string;
  type: 'Microsoft.Compute/virtualMachineScaleSets/virtualMachines';
  resourceGroup: string;
  location: string;
  zones: string[] | null;
  sku: { name: string; tier: 'Standard' };
  latestModelApplied: boolean;
  modelDefinitionApplied: 'VirtualMachineScaleSet';
  provisioningState: string;
  vmId: string;
  osProfile: { computerName: string };
  timeCreated: string;
}

export function azVmss(ss: ScaleSet): AzVmss {
  const s = resolveSpec(ss.metadata.name, ss.spec);
  return {
    id: scaleSetResourceId(s.subscriptionId, s.resourceGroup, s.name),
    name: s.name,
    type: 'Microsoft.Compute/virtualMachineScaleSets',
    resourceGroup: s.resourceGroup,
    location: s.location,
    zones: s.zones.length ? [...s.zones] : null,
    tags: { ...s.tags },
    sku: { name: s.sku.name, tier: 'Standard', capacity: s.capacity },
    // Kubernetes pools run without overprovisioning and with manual upgrades (aks-engine's settings).
    overprovision: false,
    upgradePolicy: { mode: 'Manual' },
    provisioningState: ss.metadata.deletionTimestamp ? 'Deleting' : 'Succeeded',
    uniqueId: ss.metadata.uid ?? '',
  };
}

export function azVmssVm(ss: ScaleSet, i: ScaleSetInstance): AzVmssVm {
  const s = resolveSpec(ss.metadata.name, ss.spec);
  return {
    id: `${scaleSetResourceId(s.subscriptionId, s.resourceGroup, s.name)}/virtualMachines/${i.instanceId}`,
    instanceId: i.instanceId,
    name: i.name,
    type: 'Microsoft.Compute/virtualMachineScaleSets/virtualMachines',
    resourceGroup: s.resourceGroup,
    location: s.location,
    zones: i.zone !== undefined ? [i.zone] : null,
    sku: { name: s.sku.name, tier: 'Standard' },
    latestModelApplied: true,
    modelDefinitionApplied: 'VirtualMachineScaleSet',
    provisioningState: i.provisioningState,
    vmId: i.vmId,
    osProfile: { computerName: i.computerName },
    timeCreated: i.timeCreated,
  };
}

const cellText = (v: Cell): string => (v === true ? 'True' : v === false ? 'False' : v === null || v === undefined ? '' : String(v));

/** tabulate's "simple" table of `rows` under `headers`, as knack prints it (with the final newline). */
export function formatTable(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  if (!rows.length) return '\n';
  const text = rows.map((r) => r.map(cellText));
  const widths = headers.map((h, c) => Math.max(h.length + 2, ...text.map((r) => r[c].length)));
  const line = (cells: readonly string[]): string => cells.map((x, c) => x.padEnd(widths[c])).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...text.map(line)].join('\n') + '\n';
}

/** knack's automatic table: scalar fields in sorted key order, first letter capitalised; `id`, `type`, `etag` skipped. */
export function autoTable(items: readonly object[]): string {
  if (!items.length) return '\n';
  const skip = new Set(['id', 'type', 'etag']);
  const scalar = (v: unknown): boolean => v !== null && v !== undefined && typeof v !== 'object';
  const keys: string[] = [];
  for (const item of items) {
    for (const k of Object.keys(item).sort()) {
      if (!skip.has(k) && scalar((item as Record<string, unknown>)[k]) && !keys.includes(k)) keys.push(k);
    }
  }
  const headers = keys.map((k) => k.charAt(0).toUpperCase() + k.slice(1));
  return formatTable(headers, items.map((item) => keys.map((k) => (item as Record<string, Cell>)[k])));
}

/** `az vmss list -o table`. */
export function vmssListTable(list: readonly AzVmss[]): string {
  const headers = ['Name', 'ResourceGroup', 'Location', 'Zones', 'Capacity', 'Overprovision', 'UpgradePolicy'];
  // az's JMESPath gives ' ' (not '') for a scale set without zones.
  return formatTable(headers, list.map((v) => [v.name, v.resourceGroup, v.location, v.zones?.length ? v.zones.join(' ') : ' ', v.sku.capacity, v.overprovision, v.upgradePolicy.mode]));
}

/** `az vmss list-instances -o table`. */
export function vmssInstancesTable(list: readonly AzVmssVm[]): string {
  // The columns are the VMs' scalar fields (as knack chooses them), except the newer timeCreated,
  // which the az versions this mirrors did not print.
  return autoTable(list.map(({ timeCreated: _t, ...rest }) => rest));
}

/** az's error for a scale set that does not exist. */
export function resourceNotFound(name: string, resourceGroup: string): string {
  return `(ResourceNotFound) The Resource 'Microsoft.Compute/virtualMachineScaleSets/${name}' under resource group '${resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`;
}

/** A failure the user can act on: printed as one `error: …` line. */
class UserError extends Error {}

export interface VmssDeps {
  /** A client for the kubeconfig at `path` (default: load the file and use its current context). */
  readonly client?: (kubeconfigPath: string) => Client;
  readonly stdout?: (text: string) => void;
  readonly stderr?: (text: string) => void;
  /** Default process.exit. */
  readonly exit?: (code: number) => never;
}

function defaultClient(path: string): Client {
  if (!existsSync(path)) throw new UserError(`kubeconfig ${path} does not exist: start a cluster with "flotilla up" or pass --kubeconfig`);
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(path);
  } catch (e) {
    throw new UserError(`cannot load kubeconfig ${path}: ${(e as Error).message}`);
  }
  return createClient(kc, { fieldManager: 'flotilla-vmss' });
}

interface Common {
  kubeconfig: string;
  resourceGroup?: string;
  output: 'table' | 'json';
}

/** Add `vmss list`, `vmss list-instances`, `vmss scale` and `vmss delete-instances` to `program`. */
export function registerVmssCommands(program: Command, deps: VmssDeps = {}): Command {
  const out = deps.stdout ?? ((s: string) => void process.stdout.write(s));
  const err = deps.stderr ?? ((s: string) => void process.stderr.write(s));
  const exit = deps.exit ?? ((code: number) => process.exit(code));
  const clientFor = deps.client ?? defaultClient;

  const run = <A extends unknown[]>(fn: (...args: A) => Promise<void>) => async (...args: A): Promise<void> => {
    try {
      await fn(...args);
    } catch (e) {
      err(`error: ${describe(e)}\n`);
      exit(1);
    }
  };

  const withCommon = (c: Command, rgHelp: string): Command =>
    c
      .option('--kubeconfig <file>', 'kubeconfig of the cluster', DEFAULT_KUBECONFIG)
      .option('-g, --resource-group <name>', rgHelp)
      .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table'));

  async function listScaleSets(client: Client): Promise<ScaleSet[]> {
    const { items } = await client.list(scaleSetKind);
    return (items as unknown as ScaleSet[]).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  }

  async function getScaleSet(client: Client, name: string, rg: string | undefined): Promise<ScaleSet> {
    const ss = (await client.get(scaleSetKind, '', name)) as unknown as ScaleSet | undefined;
    const inGroup = ss && (rg === undefined || equalFold(resolveSpec(name, ss.spec).resourceGroup, rg));
    if (!ss || !inGroup) throw new UserError(resourceNotFound(name, rg ?? SCALE_SET_DEFAULTS.resourceGroup));
    return ss;
  }

  const print = (o: Common, table: string, json: unknown): void => out(o.output === 'json' ? JSON.stringify(json, null, 2) + '\n' : table);

  const vmss = program.command('vmss').description('Manage scale sets (Azure CLI\'s az vmss, for Flotilla\'s ScaleSets)');

  withCommon(vmss.command('list').description('List scale sets'), 'only scale sets in this resource group').action(
    run(async (o: Common) => {
      const client = clientFor(o.kubeconfig);
      const views = (await listScaleSets(client)).map(azVmss).filter((v) => o.resourceGroup === undefined || equalFold(v.resourceGroup, o.resourceGroup));
      print(o, vmssListTable(views), views);
    }),
  );

  withCommon(vmss.command('list-instances').description('List the instances of a scale set'), 'the scale set\'s resource group')
    .requiredOption('-n, --name <name>', 'scale set name')
    .action(
      run(async (o: Common & { name: string }) => {
        const ss = await getScaleSet(clientFor(o.kubeconfig), o.name, o.resourceGroup);
        const views = (ss.status?.instances ?? []).map((i) => azVmssVm(ss, i));
        print(o, vmssInstancesTable(views), views);
      }),
    );

  withCommon(vmss.command('scale').description('Change the number of instances of a scale set'), 'the scale set\'s resource group')
    .requiredOption('-n, --name <name>', 'scale set name')
    .requiredOption('--new-capacity <count>', 'the number of instances wanted')
    .action(
      run(async (o: Common & { name: string; newCapacity: string }) => {
        const n = Number(o.newCapacity);
        if (!/^\s*-?\d+\s*$/.test(o.newCapacity)) throw new UserError(`argument --new-capacity: invalid int value: '${o.newCapacity}'`);
        if (n < 0) throw new UserError(`argument --new-capacity: must be 0 or more, not ${n}`);
        const client = clientFor(o.kubeconfig);
        await getScaleSet(client, o.name, o.resourceGroup);
        const updated = (await client.patch(scaleSetKind, '', o.name, { spec: { capacity: n } })) as unknown as ScaleSet;
        const view = azVmss(updated);
        print(o, vmssListTable([view]), view);
      }),
    );

  withCommon(vmss.command('delete-instances').description('Delete particular instances of a scale set (its capacity drops by as many)'), 'the scale set\'s resource group')
    .requiredOption('-n, --name <name>', 'scale set name')
    .requiredOption('--instance-ids <ids...>', 'instance ids, space-separated; "*" for all')
    .action(
      run(async (o: Common & { name: string; instanceIds: string[] }) => {
        const client = clientFor(o.kubeconfig);
        // One optimistic-concurrency write: the update carries the resourceVersion that was read.
        await retryOnConflict(async () => {
          const ss = await getScaleSet(client, o.name, o.resourceGroup);
          const ids = o.instanceIds.includes('*') ? (ss.status?.instances ?? []).map((i) => i.instanceId) : o.instanceIds;
          const spec = requestInstanceDeletion(ss, ids);
          await client.update(scaleSetKind, { ...ss, spec } as unknown as KObject);
        });
      }),
    );

  return vmss;
}

function describe(e: unknown): string {
  if (e instanceof UserError) return e.message;
  if (e instanceof InstanceNotActiveError) return `(${e.code}) ${e.message}`;
  if (isNotFound(e)) return `the cluster does not serve ${scaleSetKind.plural}.${scaleSetKind.apiVersion.split('/')[0]}: it has no Flotilla cloud (${(e as Error).message})`;
  const code = (e as { code?: string }).code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ECONNRESET') return `cannot reach the cluster: ${(e as Error).message}`;
  return e instanceof Error ? e.message : String(e);
}
