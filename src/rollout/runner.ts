/**
 * The I/O shell of `flotilla bluegreen`: performs each step the state machine (machine.ts) names,
 * against the Kubernetes API only, and reports its outcome. Every API failure stops the step with
 * one line naming the call and the object; the machine then decides what to undo (remove the new
 * colour, switch back) — the Service is never switched to a colour that was not verified.
 */
import type { V1Deployment, V1Endpoints, V1Pod, V1Service } from '@kubernetes/client-node';
import { ApiError, isAlreadyExists, isConflict, kinds, type Client, type KObject } from '../runtime/index.js';
import { analysisChecks, httpCheck, type AnalysisCheck, type AnalysisResult } from './analysis.js';
import { formatDuration } from './duration.js';
import { assessHealth, livePods, podTable, summarizePod } from './health.js';
import { begin, exitCode, isTerminal, transition, type Command, type LineContext, type MachineOptions, type Outcome, type Step, type Terminal } from './machine.js';
import { colorName, nextColor, VERSION_LABEL } from './next-color.js';
import { selectorString } from './pod-selector.js';
import { decodeRecord, encodeRecord, RECORD_ANNOTATION, refusal, type RolloutRecord } from './record.js';
import { rolloutProgress } from './rollout-status.js';
import { formatSummary, type ColorReport, type Report } from './summary.js';
import { ingressRoutes, withWeights, type Route } from './traffic.js';

/** What one command works on. For promote, abort and rollback most of it comes from the record. */
export interface Rollout {
  readonly service: string;
  readonly namespace: string;
  deployment: string;
  newVersion: string;
  /** The version the Service selected before this rollout (the colour to keep or go back to). */
  currentVersion?: string;
  healthSeconds: number;
  timeoutMs: number;
  maxRestarts: number;
  readonly images: Readonly<Record<string, string>>;
  previewService?: string;
  autoPromote: boolean;
  scaleDownDelayMs?: number;
  analysis: readonly string[];
  previousReplicas?: number;
  /** The IngressRoute whose weights shift traffic before the switch. */
  traffic?: string;
  steps?: readonly number[];
  stepIntervalMs?: number;
  readonly kubeContext?: string;
}

export interface RunnerDeps {
  /** Load the kubeconfig (and KUBE_CONTEXT): the "Selecting Kubernetes cluster" step. Throws a clear Error. */
  connect(): Client | Promise<Client>;
  /** One line of the log (stdout). */
  out(line: string): void;
  /** One `error: …` line (stderr). */
  err(line: string): void;
  now?(): number;
  sleep?(ms: number): Promise<void>;
  check?(c: AnalysisCheck): Promise<AnalysisResult>;
  /** How often waits poll the API (default 500 ms). */
  pollMs?: number;
  /** How often waits print progress when nothing changed (default 10 s). */
  progressEveryMs?: number;
  /**
   * Aborted on SIGINT/SIGTERM (a cancelled CI job): waits stop and forward steps fail, so the
   * machine undoes what it must (removes an unswitched colour, puts weights back) before exiting.
   */
  signal?: AbortSignal;
}

/** Steps that undo or finish a switch: they still run after an interruption. */
const RUN_WHEN_INTERRUPTED: ReadonlySet<Step> = new Set<Step>(['RemoveNewColor', 'SwitchBack', 'ResetTraffic', 'SettleTraffic']);

/** A step failed for a reason already put into words. */
class StepFailure extends Error {
  override readonly name = 'StepFailure';
}

export function describeError(e: unknown): string {
  if (e instanceof ApiError) return `${e.message}${e.code ? ` (HTTP ${e.code}${e.reason ? ` ${e.reason}` : ''})` : ''}`;
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'ECONNREFUSED' || err?.code === 'ENOTFOUND' || err?.code === 'ECONNRESET') return `cannot reach the API server: ${err.message}`;
  return err?.message ?? String(e);
}

async function api<T>(what: string, p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    throw new StepFailure(`${what}: ${describeError(e)}`);
  }
}

/** Run `command` to a terminal state; returns the exit code. */
export async function execute(command: Command, r: Rollout, deps: RunnerDeps): Promise<number> {
  const now = deps.now ?? Date.now;
  const signal = deps.signal;
  const interrupted = (): StepFailure => new StepFailure(`interrupted (${String(signal?.reason ?? 'signal')})`);
  const baseSleep = deps.sleep ?? ((ms: number) => new Promise<void>((res) => {
    const timer = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener('abort', done);
      clearTimeout(timer);
      res();
    }
    signal?.addEventListener('abort', done, { once: true });
  }));
  const sleep = async (ms: number): Promise<void> => {
    if (signal?.aborted) throw interrupted();
    await baseSleep(ms);
    if (signal?.aborted) throw interrupted();
  };
  const check = deps.check ?? ((c: AnalysisCheck) => httpCheck(c));
  const pollMs = deps.pollMs ?? 500;
  const progressEveryMs = deps.progressEveryMs ?? 10_000;
  const out = deps.out;
  const started = now();
  const ns = r.namespace;
  let client: Client | undefined;
  let record: RolloutRecord | undefined;
  let failure: string | undefined;
  let health: string | undefined;
  /** Whether a new colour may exist (so the summary reports it). */
  let touchedNew = command !== 'run';
  const analysisReport: string[] = [];
  /** The preview Service's share of the IngressRoute's traffic, each time it was written. */
  const weights: number[] = [];
  const nsFlag = ns === 'default' ? '' : ` --namespace ${ns}`;

  const c = (): Client => client!;
  const newName = (): string => colorName(r.deployment, r.newVersion);
  const oldName = (): string => colorName(r.deployment, r.currentVersion ?? '');
  const mopts = (): MachineOptions => ({
    previewService: r.previewService,
    autoPromote: r.autoPromote,
    analysis: r.analysis.length > 0,
    scaleDownDelay: r.scaleDownDelayMs === undefined ? undefined : formatDuration(r.scaleDownDelayMs),
    traffic: r.traffic,
  });
  const lctx = (): LineContext => ({ service: r.service, namespace: ns, currentVersion: r.currentVersion, newVersion: r.newVersion, healthSeconds: r.healthSeconds });

  const getService = async (name = r.service): Promise<V1Service> => {
    const svc = await api(`cannot read service ${ns}/${name}`, c().get<V1Service>(kinds.services, ns, name));
    if (!svc) throw new StepFailure(`service ${ns}/${name} not found`);
    return svc;
  };
  const getDeployment = (name: string): Promise<V1Deployment | undefined> => api(`cannot read deployment ${ns}/${name}`, c().get<V1Deployment>(kinds.deployments, ns, name));
  const podsOf = async (d: V1Deployment): Promise<V1Pod[]> =>
    (await api(`cannot list the pods of deployment ${ns}/${d.metadata?.name}`, c().list<V1Pod>(kinds.pods, { namespace: ns, labelSelector: selectorString(d.spec?.selector) }))).items;
  const recordOf = (svc: V1Service): RolloutRecord | undefined => {
    try {
      return decodeRecord(svc.metadata?.annotations);
    } catch (e) {
      throw new StepFailure(`service ${ns}/${svc.metadata?.name}: ${(e as Error).message}`);
    }
  };
  const newRecord = (phase: RolloutRecord['phase'], extra: Partial<RolloutRecord> = {}): RolloutRecord => ({
    phase,
    deployment: r.deployment,
    previousVersion: r.currentVersion ?? '',
    newVersion: r.newVersion,
    previousReplicas: r.previousReplicas ?? 1,
    ...(r.previewService ? { previewService: r.previewService } : {}),
    ...(r.scaleDownDelayMs !== undefined ? { scaleDownDelaySeconds: r.scaleDownDelayMs / 1000 } : {}),
    analysis: [...r.analysis],
    ...(r.traffic ? { traffic: r.traffic, steps: [...(r.steps ?? [100])], stepIntervalSeconds: (r.stepIntervalMs ?? 0) / 1000 } : {}),
    maxRestarts: r.maxRestarts,
    healthSeconds: r.healthSeconds,
    timeoutSeconds: r.timeoutMs / 1000,
    updatedAt: new Date(now()).toISOString(),
    ...extra,
  });

  /**
   * A merge patch of the Service guarded by the resourceVersion it was read at: the selector's
   * `version` and/or the record (null removes it), nothing else. `verify` re-checks the freshly
   * read Service before each attempt; a conflict re-reads and tries again.
   */
  const patchService = async (name: string, change: { version?: string; record?: RolloutRecord | null }, verify: (svc: V1Service) => void = () => {}): Promise<V1Service> => {
    for (let attempt = 1; ; attempt++) {
      const svc = await getService(name);
      verify(svc);
      const patch: Record<string, unknown> = { metadata: { resourceVersion: svc.metadata?.resourceVersion, ...(change.record !== undefined ? { annotations: { [RECORD_ANNOTATION]: change.record && encodeRecord(change.record) } } : {}) } };
      if (change.version !== undefined) patch.spec = { selector: { [VERSION_LABEL]: change.version } };
      try {
        return await c().patch<V1Service>(kinds.services, ns, name, patch, 'merge');
      } catch (e) {
        if (isConflict(e) && attempt < 5) continue;
        throw new StepFailure(`cannot update service ${ns}/${name}: ${describeError(e)}`);
      }
    }
  };

  /** Wait for a Deployment's rollout, as `kubectl rollout status` with a timeout, printing progress. */
  const waitRollout = async (name: string): Promise<void> => {
    const start = now();
    let last = '';
    let lastAt = -Infinity;
    for (;;) {
      const d = await getDeployment(name);
      if (!d) throw new StepFailure(`deployment ${ns}/${name} disappeared during its rollout`);
      const p = rolloutProgress(d);
      const elapsed = now() - start;
      if (p.state === 'complete') return out(p.message);
      if (p.state === 'failed') throw new StepFailure(p.message);
      if (p.message !== last || elapsed - lastAt >= progressEveryMs) {
        out(`${p.message} (${formatDuration(elapsed)} elapsed, ${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 1} pods ready)`);
        last = p.message;
        lastAt = elapsed;
      }
      if (elapsed >= r.timeoutMs) throw new StepFailure(`deployment "${name}" did not finish rolling out within ${formatDuration(r.timeoutMs)} (--timeout): ${p.message}`);
      await sleep(Math.max(1, Math.min(pollMs, r.timeoutMs - elapsed)));
    }
  };

  /** Hold for `total` ms, printing the new colour's pods every progress interval. */
  const hold = async (total: number): Promise<void> => {
    const start = now();
    for (;;) {
      const left = total - (now() - start);
      if (left <= 0) return;
      await sleep(Math.min(left, progressEveryMs));
      if (total - (now() - start) > 0) {
        const d = await getDeployment(newName());
        const pods = d ? livePods(await podsOf(d)).map(summarizePod) : [];
        out(`${formatDuration(now() - start)} of ${formatDuration(total)}: ${pods.filter((p) => p.ready).length}/${d?.spec?.replicas ?? 0} new pods ready, ${pods.reduce((n, p) => n + p.restarts, 0)} restarts`);
      }
    }
  };

  /**
   * After the active Service's selector changed: wait until its Endpoints list no pod of the colour
   * it left (and at least one Ready address), so what follows the Endpoints — kube-proxy, the
   * ingress proxy — has left that colour before it is removed or the ingress weights return to this
   * Service; removing it at once made requests in flight to its pods fail. No Endpoints object (no
   * endpoints controller) or no such colour: nothing to wait for. The switch is done by then, so
   * this never fails the step: an error, an interruption or a minute without progress only warns.
   */
  const waitEndpointsLeave = async (left: string): Promise<void> => {
    const t0 = now();
    const limit = Math.min(r.timeoutMs, 60_000);
    try {
      for (;;) {
        const ep = await c().get<V1Endpoints>(kinds.endpoints, ns, r.service);
        const d = ep && (await getDeployment(left));
        if (!ep || !d) return;
        const pods = await podsOf(d);
        const names = new Set(pods.map((p) => p.metadata?.name));
        const ips = new Set(pods.map((p) => p.status?.podIP).filter(Boolean));
        const theirs = (a: { ip: string; targetRef?: { name?: string } }) => (a.targetRef?.name ? names.has(a.targetRef.name) : ips.has(a.ip));
        const ready = (ep.subsets ?? []).flatMap((s) => s.addresses ?? []);
        const all = [...ready, ...(ep.subsets ?? []).flatMap((s) => s.notReadyAddresses ?? [])];
        if (ready.length > 0 && !all.some(theirs)) return;
        if (now() - t0 >= limit) throw new Error(`they still list pods of ${left} after ${formatDuration(now() - t0)}`);
        await sleep(Math.min(pollMs, 50));
      }
    } catch (e) {
      deps.err(`warning: not waiting for the endpoints of service ${ns}/${r.service} to leave ${left}: ${e instanceof StepFailure ? e.message : describeError(e)}`);
    }
  };

  /** The IngressRoute's routes to the active Service send `previewWeight`% to the preview Service. */
  const setWeights = async (previewWeight: number): Promise<void> => {
    const name = r.traffic!;
    for (let attempt = 1; ; attempt++) {
      const ir = await api(`cannot read ingressroute ${ns}/${name}`, c().get<KObject & { spec?: { routes?: Route[] } }>(ingressRoutes, ns, name));
      if (!ir) throw new StepFailure(`ingressroute ${ns}/${name} not found`);
      const { routes, matched } = withWeights(ir.spec?.routes ?? [], r.service, r.previewService!, previewWeight);
      if (!matched) throw new StepFailure(`ingressroute ${ns}/${name} has no route to service ${r.service}`);
      try {
        await c().patch(ingressRoutes, ns, name, { metadata: { resourceVersion: ir.metadata?.resourceVersion }, spec: { routes } }, 'merge');
        out(`ingressroute.contour.heptio.com/${name} configured`);
        weights.push(previewWeight);
        return;
      } catch (e) {
        if (isConflict(e) && attempt < 5) continue;
        throw new StepFailure(`cannot update ingressroute ${ns}/${name}: ${describeError(e)}`);
      }
    }
  };

  const readyAnalysisPods = async () => {
    const d = await getDeployment(newName());
    if (!d) throw new StepFailure(`deployment ${ns}/${newName()} (the new color) not found`);
    return livePods(await podsOf(d))
      .filter((p) => summarizePod(p).ready && p.status?.podIP)
      .map((p) => ({ name: p.metadata?.name ?? '', ip: p.status!.podIP!, port: p.spec?.containers?.[0]?.ports?.[0]?.containerPort }));
  };

  const analyse = async (label: string): Promise<Outcome> => {
    const checks = analysisChecks(r.analysis, await readyAnalysisPods());
    if (!checks.length) throw new StepFailure(`${label} analysis: no Ready pod of ${newName()} to check`);
    const results = await Promise.all(checks.map(check));
    for (const x of results) out(`  GET ${x.url}${x.pod ? ` (${x.pod})` : ''}: ${x.detail}`);
    const passed = results.filter((x) => x.ok).length;
    analysisReport.push(`${label}: ${passed}/${results.length} checks passed`);
    if (passed < results.length) {
      failure = `${label} analysis: ${results.length - passed} of ${results.length} checks failed`;
      return 'fail';
    }
    return 'ok';
  };

  const steps: Record<Step, () => Promise<Outcome>> = {
    async SelectCluster() {
      try {
        client = await deps.connect();
      } catch (e) {
        throw new StepFailure((e as Error).message);
      }
      if (r.kubeContext) out(`Switched to context "${r.kubeContext}".`);
      return 'ok';
    },

    async Locate() {
      const svc = await getService();
      const cur = svc.spec?.selector?.[VERSION_LABEL];
      if (cur === undefined || cur === '') throw new StepFailure(`service ${ns}/${r.service} has no "${VERSION_LABEL}" in its selector: blue/green switches spec.selector.version`);
      r.currentVersion = cur;
      out(`Current version: ${cur}`);
      if (cur === r.newVersion) return 'same';
      const refused = refusal('run', r.service, cur, recordOf(svc));
      if (refused) throw new StepFailure(refused);
      const current = await getDeployment(oldName());
      if (!current) throw new StepFailure(`deployment ${ns}/${oldName()} (the current color, <DEPLOYMENT_NAME>-<version>) not found`);
      r.previousReplicas = current.spec?.replicas ?? 1;
      if (r.traffic) {
        // Fail before creating anything when the IngressRoute cannot carry the shift.
        const ir = await api(`cannot read ingressroute ${ns}/${r.traffic}`, c().get<KObject & { spec?: { routes?: Route[] } }>(ingressRoutes, ns, r.traffic));
        if (!ir) throw new StepFailure(`ingressroute ${ns}/${r.traffic} not found`);
        if (!withWeights(ir.spec?.routes ?? [], r.service, r.previewService ?? '', 0).matched) throw new StepFailure(`ingressroute ${ns}/${r.traffic} has no route to service ${r.service}`);
      }
      return 'ok';
    },

    async CreateNewColor() {
      touchedNew = true;
      const current = await getDeployment(oldName());
      if (!current) throw new StepFailure(`deployment ${ns}/${oldName()} (the current color) not found`);
      const next = nextColor(current, { deploymentName: r.deployment, currentVersion: r.currentVersion!, newVersion: r.newVersion, images: r.images });
      try {
        await c().create(kinds.deployments, next);
        out(`deployment.apps/${newName()} created`);
      } catch (e) {
        if (!isAlreadyExists(e)) throw new StepFailure(`cannot create deployment ${ns}/${newName()}: ${describeError(e)}`);
        // Left by an interrupted run: make it the copy (what `kubectl apply` did in the step).
        const existing = await getDeployment(newName());
        if (!existing) throw new StepFailure(`deployment ${ns}/${newName()} exists and does not: try again`);
        const replaced = { ...next, metadata: { ...next.metadata, resourceVersion: existing.metadata?.resourceVersion } };
        await api(`cannot update deployment ${ns}/${newName()}`, c().update(kinds.deployments, replaced));
        out(`deployment.apps/${newName()} configured`);
      }
      return 'ok';
    },

    async Preview() {
      const name = r.previewService!;
      const existing = await api(`cannot read service ${ns}/${name}`, c().get<V1Service>(kinds.services, ns, name));
      if (existing) {
        // The preview is about to select an unverified colour: it must carry no ingress traffic.
        if (r.traffic) await setWeights(0);
        await patchService(name, { version: r.newVersion });
        out(`service/${name} configured`);
        return 'ok';
      }
      // No preview Service yet: one like the active Service (its ports, its selector on the new version).
      const active = await getService();
      const preview: V1Service = {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name, namespace: ns, labels: active.metadata?.labels, annotations: { 'bluegreen.flotilla.dev/preview-of': r.service } },
        spec: {
          type: 'ClusterIP',
          selector: { ...(active.spec?.selector ?? {}), [VERSION_LABEL]: r.newVersion },
          ports: (active.spec?.ports ?? []).map(({ nodePort: _n, ...p }) => p),
        },
      };
      await api(`cannot create service ${ns}/${name}`, c().create(kinds.services, preview));
      out(`service/${name} created`);
      // Only now may the IngressRoute name it (at weight 0): a route to a missing Service makes the
      // whole IngressRoute invalid, and the proxy would drop its virtual host meanwhile (404s).
      if (r.traffic) await setWeights(0);
      return 'ok';
    },

    async WaitRollout() {
      await waitRollout(newName());
      return 'ok';
    },

    async Coexist() {
      await hold(r.healthSeconds * 1000);
      return 'ok';
    },

    async HealthCheck() {
      const d = await getDeployment(newName());
      if (!d) throw new StepFailure(`deployment ${ns}/${newName()} (the new color) not found`);
      const pods = await podsOf(d);
      out('Got');
      out(podTable(pods));
      const v = assessHealth(pods, d.spec?.replicas ?? 1, r.maxRestarts);
      health = `${v.healthy ? 'healthy' : 'unhealthy'}: ${v.restarts} restarts (at most ${r.maxRestarts}), ${v.ready}/${v.desired} pods Ready`;
      if (v.healthy) return 'ok';
      for (const reason of v.reasons) out(`  ${reason}`);
      failure = `new color is unhealthy: ${v.reasons.join('; ')}`;
      return 'fail';
    },

    PrePromotionAnalysis: () => analyse('pre-promotion'),

    async ShiftTraffic() {
      for (const weight of r.steps ?? [100]) {
        await setWeights(weight);
        out(`[DEPLOY TRAFFIC] ${weight}% of traffic on new color (service ${r.previewService}), ${100 - weight}% on service ${r.service}`);
        if (weight === 100) break;
        await hold(r.stepIntervalMs ?? 0);
        // Each step is verified before the next: the pods, then the analysis if any.
        const d = await getDeployment(newName());
        if (!d) throw new StepFailure(`deployment ${ns}/${newName()} (the new color) disappeared`);
        const v = assessHealth(await podsOf(d), d.spec?.replicas ?? 1, r.maxRestarts);
        if (!v.healthy) {
          failure = `new color became unhealthy at ${weight}%: ${v.reasons.join('; ')}`;
          deps.err(`error: ${failure}`);
          return 'fail';
        }
        if (r.analysis.length && (await analyse(`at ${weight}%`)) === 'fail') return 'fail';
      }
      return 'ok';
    },

    async SettleTraffic() {
      // The active Service selects the new colour now: the whole share goes back to it.
      await setWeights(0);
      return 'ok';
    },

    async ResetTraffic() {
      await setWeights(0);
      return 'ok';
    },

    async Switch() {
      const rec = r.scaleDownDelayMs !== undefined ? newRecord('ScaleDownDelay', { scaleDownAt: new Date(now() + r.scaleDownDelayMs).toISOString() }) : null;
      await patchService(r.service, { version: r.newVersion, record: rec }, (svc) => {
        const sel = svc.spec?.selector?.[VERSION_LABEL];
        if (sel !== r.currentVersion) throw new StepFailure(`service ${ns}/${r.service} now selects version ${sel ?? '(none)'}, not ${r.currentVersion}: it changed during the rollout, so it was not switched`);
      });
      out(`service/${r.service} configured`);
      await waitEndpointsLeave(oldName());
      return 'ok';
    },

    PostPromotionAnalysis: () => analyse('post-promotion'),

    async SwitchBack() {
      const rec = command === 'rollback' && record ? { ...record, phase: 'RolledBack' as const, updatedAt: new Date(now()).toISOString() } : null;
      await patchService(r.service, { version: r.currentVersion, record: rec }, (svc) => {
        const sel = svc.spec?.selector?.[VERSION_LABEL];
        if (sel !== r.newVersion) throw new StepFailure(`service ${ns}/${r.service} selects version ${sel ?? '(none)'}, not ${r.newVersion}: not switching it back`);
      });
      out(`service/${r.service} configured`);
      await waitEndpointsLeave(newName());
      return 'ok';
    },

    async ScaleDownDelay() {
      let lastAt = -Infinity;
      for (;;) {
        const svc = await getService();
        const rec = recordOf(svc);
        if (rec?.newVersion === r.newVersion && (rec.phase === 'RollingBack' || rec.phase === 'RolledBack')) return 'rolledBack';
        if (rec?.newVersion !== r.newVersion || rec.phase !== 'ScaleDownDelay' || !rec.scaleDownAt) {
          throw new StepFailure(`the rollout record on service ${ns}/${r.service} changed (${rec ? `${rec.phase} to version ${rec.newVersion}` : 'removed'}): leaving ${oldName()} as it is`);
        }
        const left = Date.parse(rec.scaleDownAt) - now();
        if (left <= 0) {
          // Claim the scale-down against a racing rollback: only one of the two patches can win.
          try {
            await c().patch(kinds.services, ns, r.service, { metadata: { resourceVersion: svc.metadata?.resourceVersion, annotations: { [RECORD_ANNOTATION]: encodeRecord({ ...rec, phase: 'ScaledDown', updatedAt: new Date(now()).toISOString() }) } } }, 'merge');
            return 'ok';
          } catch (e) {
            if (isConflict(e)) continue;
            throw new StepFailure(`cannot update service ${ns}/${r.service}: ${describeError(e)}`);
          }
        }
        if (now() - lastAt >= progressEveryMs) {
          out(`Previous color ${oldName()} kept for another ${formatDuration(left)}`);
          lastAt = now();
        }
        await sleep(Math.max(1, Math.min(pollMs, left)));
      }
    },

    async ScaleDown() {
      try {
        await c().patch(kinds.deployments, ns, oldName(), { spec: { replicas: 0 } }, 'merge');
        out(`deployment.apps/${oldName()} scaled`);
      } catch (e) {
        if (e instanceof ApiError && e.code === 404) out(`deployment.apps/${oldName()} is already gone`);
        else throw new StepFailure(`cannot scale deployment ${ns}/${oldName()}: ${describeError(e)}`);
      }
      return 'ok';
    },

    async Cleanup() {
      const gone = await api(`cannot delete deployment ${ns}/${oldName()}`, c().delete(kinds.deployments, ns, oldName(), { propagationPolicy: 'Background' }));
      out(gone ? `deployment.apps "${oldName()}" deleted` : `deployment.apps "${oldName()}" was already gone`);
      return 'ok';
    },

    async RestorePrevious() {
      // Claim the rollout first, so a scale-down waiting out its delay stops instead of racing us.
      for (let attempt = 1; ; attempt++) {
        const svc = await getService();
        const rec = recordOf(svc);
        const refused = refusal('rollback', r.service, svc.spec?.selector?.[VERSION_LABEL], rec);
        if (refused) throw new StepFailure(refused);
        record = { ...rec!, phase: 'RollingBack', updatedAt: new Date(now()).toISOString() };
        try {
          await c().patch(kinds.services, ns, r.service, { metadata: { resourceVersion: svc.metadata?.resourceVersion, annotations: { [RECORD_ANNOTATION]: encodeRecord(record) } } }, 'merge');
          break;
        } catch (e) {
          if (isConflict(e) && attempt < 5) continue;
          throw new StepFailure(`cannot update service ${ns}/${r.service}: ${describeError(e)}`);
        }
      }
      const old = await getDeployment(oldName());
      if (!old) throw new StepFailure(`deployment ${ns}/${oldName()} (the previous color) is gone: nothing to roll back to`);
      if ((old.spec?.replicas ?? 1) === 0) {
        await api(`cannot scale deployment ${ns}/${oldName()}`, c().patch(kinds.deployments, ns, oldName(), { spec: { replicas: record.previousReplicas } }, 'merge'));
        out(`deployment.apps/${oldName()} scaled`);
      }
      await waitRollout(oldName());
      return 'ok';
    },

    async RemoveNewColor() {
      const gone = await api(`cannot delete deployment ${ns}/${newName()}`, c().delete(kinds.deployments, ns, newName(), { propagationPolicy: 'Background' }));
      out(gone ? `deployment.apps "${newName()}" deleted` : `deployment.apps "${newName()}" was not there`);
      if (r.previewService) {
        const preview = await api(`cannot read service ${ns}/${r.previewService}`, c().get<V1Service>(kinds.services, ns, r.previewService));
        if (preview?.spec?.selector?.[VERSION_LABEL] === r.newVersion && r.currentVersion) {
          // Never leave the preview pointing at a colour that is gone.
          await patchService(r.previewService, { version: r.currentVersion });
          out(`service/${r.previewService} configured`);
        }
      }
      if (command === 'abort' && record) {
        await patchService(r.service, { record: { ...record, phase: 'Aborted', updatedAt: new Date(now()).toISOString() } });
      }
      return 'ok';
    },
  };

  const perform = async (step: Step): Promise<Outcome> => {
    if (signal?.aborted && !RUN_WHEN_INTERRUPTED.has(step)) {
      failure ??= interrupted().message;
      return 'fail';
    }
    try {
      return await steps[step]();
    } catch (e) {
      failure = e instanceof StepFailure ? e.message : describeError(e);
      deps.err(`error: ${failure}`);
      return 'fail';
    }
  };

  /** promote, abort and rollback start from the record on the Service. */
  const load = async (): Promise<void> => {
    await steps.SelectCluster();
    const svc = await getService();
    const rec = recordOf(svc);
    const refused = refusal(command, r.service, svc.spec?.selector?.[VERSION_LABEL], rec);
    if (refused) throw new StepFailure(refused);
    record = rec!;
    r.deployment = rec!.deployment;
    r.newVersion = rec!.newVersion;
    r.currentVersion = rec!.previousVersion;
    r.previousReplicas = rec!.previousReplicas;
    r.previewService = rec!.previewService;
    r.scaleDownDelayMs = rec!.scaleDownDelaySeconds === undefined ? undefined : rec!.scaleDownDelaySeconds * 1000;
    r.analysis = rec!.analysis;
    r.traffic = rec!.traffic;
    r.steps = rec!.steps;
    r.stepIntervalMs = rec!.stepIntervalSeconds === undefined ? undefined : rec!.stepIntervalSeconds * 1000;
    r.maxRestarts = rec!.maxRestarts;
    r.healthSeconds = rec!.healthSeconds;
    if (command === 'promote') r.timeoutMs = rec!.timeoutSeconds * 1000;
  };

  let end: Terminal;
  if (command !== 'run') {
    try {
      await load();
    } catch (e) {
      deps.err(`error: ${e instanceof StepFailure ? e.message : describeError(e)}`);
      return 1;
    }
  }
  let t = begin(command, mopts(), lctx());
  t.lines.forEach((l) => out(l));
  while (!isTerminal(t.state.at)) {
    const outcome = await perform(t.state.at);
    t = transition(t.state, outcome, mopts(), lctx());
    t.lines.forEach((l) => out(l));
  }
  end = t.state.at as Terminal;

  if (end === 'Paused') {
    try {
      await patchService(r.service, { record: newRecord('Paused') });
    } catch (e) {
      failure = `could not record the pause: ${e instanceof StepFailure ? e.message : describeError(e)}`;
      deps.err(`error: ${failure}`);
      end = 'Failed';
    }
  }
  if (end === 'NoOp') return exitCode(end, command);
  out(formatSummary(await report(end)));
  return exitCode(end, command);

  async function report(result: Terminal): Promise<Report> {
    const colour = async (name: string): Promise<ColorReport | undefined> => {
      if (!client || !r.deployment || !name) return undefined;
      try {
        const d = await c().get<V1Deployment>(kinds.deployments, ns, name);
        if (!d) return { name, state: 'deleted' };
        if ((d.spec?.replicas ?? 1) === 0) return { name, state: 'scaled to zero' };
        const pods = livePods(await podsOf(d)).map(summarizePod);
        return { name, state: `${pods.filter((p) => p.ready).length}/${d.spec?.replicas ?? 1} pods Ready, ${pods.reduce((n, p) => n + p.restarts, 0)} restarts` };
      } catch {
        return undefined;
      }
    };
    let selecting: string | undefined;
    try {
      selecting = client ? (await c().get<V1Service>(kinds.services, ns, r.service))?.spec?.selector?.[VERSION_LABEL] : undefined;
    } catch {
      selecting = undefined;
    }
    const next =
      result === 'Paused'
        ? `flotilla bluegreen promote ${r.service}${nsFlag}   (or: flotilla bluegreen abort ${r.service}${nsFlag})`
        : result === 'Succeeded' && r.scaleDownDelayMs !== undefined
          ? `flotilla bluegreen rollback ${r.service}${nsFlag} brings ${oldName()} back`
          : command === 'promote' && result === 'Failed'
            ? `flotilla bluegreen abort ${r.service}${nsFlag}`
            : undefined;
    return {
      command,
      result,
      service: r.service,
      namespace: ns,
      previousVersion: r.currentVersion,
      newVersion: r.newVersion,
      selecting,
      newColor: touchedNew ? await colour(newName()) : undefined,
      oldColor: r.currentVersion === undefined ? undefined : await colour(oldName()),
      preview: r.previewService,
      traffic: r.traffic && weights.length ? `ingressroute/${r.traffic}, new color's share: ${weights.map((w) => `${w}%`).join(' → ')}` : undefined,
      health,
      analysis: analysisReport,
      error: result === 'Failed' || (result === 'RolledBack' && command === 'run') ? failure ?? 'switched back by "flotilla bluegreen rollback" during the scale-down delay' : undefined,
      next,
      elapsedMs: now() - started,
    };
  }
}
