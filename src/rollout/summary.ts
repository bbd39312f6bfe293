/**
 * The one-screen summary printed when a command ends: what the Service selects now, what became
 * of each colour, the verdicts, the time taken and, when something is left to do, the command
 * that does it.
 */
import { formatDuration } from './duration.js';
import type { Command, Terminal } from './machine.js';

export interface ColorReport {
  readonly name: string;
  /** e.g. `2/2 pods Ready, 0 restarts`, `deleted`, `scaled to zero`, `kept at 2 replicas`. */
  readonly state: string;
}

export interface Report {
  readonly command: Command;
  readonly result: Terminal;
  readonly service: string;
  readonly namespace: string;
  readonly previousVersion?: string;
  readonly newVersion?: string;
  /** What the Service's selector holds at the end, if known. */
  readonly selecting?: string;
  readonly newColor?: ColorReport;
  readonly oldColor?: ColorReport;
  readonly preview?: string;
  /** The IngressRoute's weights as they went, e.g. `ingressroute/shop: 10% → 50% → 100%`. */
  readonly traffic?: string;
  readonly health?: string;
  readonly analysis: readonly string[];
  /** The failure, one line. */
  readonly error?: string;
  readonly next?: string;
  readonly elapsedMs: number;
}

const RESULT_TEXT: Record<Terminal, string> = {
  Succeeded: 'switched',
  NoOp: 'nothing to do',
  Paused: 'paused before promotion',
  Failed: 'FAILED',
  Aborted: 'aborted',
  RolledBack: 'rolled back',
};

export function formatSummary(r: Report): string {
  const rows: Array<[string, string | undefined]> = [
    ['result', `${RESULT_TEXT[r.result]}${r.error ? `: ${r.error}` : ''}`],
    [
      'service',
      `${r.namespace}/${r.service}${r.selecting !== undefined ? ` selects version ${r.selecting}` : ''}${r.previousVersion !== undefined && r.newVersion !== undefined ? ` (rollout ${r.previousVersion} → ${r.newVersion})` : ''}`,
    ],
    ['new color', r.newColor && `${r.newColor.name}: ${r.newColor.state}`],
    ['old color', r.oldColor && `${r.oldColor.name}: ${r.oldColor.state}`],
    ['preview', r.preview],
    ['traffic', r.traffic],
    ['health', r.health],
    ['analysis', r.analysis.length ? r.analysis.join('; ') : undefined],
    ['took', formatDuration(r.elapsedMs)],
    ['next', r.next],
  ];
  const shown = rows.filter((row): row is [string, string] => row[1] !== undefined);
  const width = Math.max(...shown.map(([k]) => k.length)) + 1;
  return ['', `Blue/green ${r.command === 'run' ? 'deployment' : r.command} summary`, ...shown.map(([k, v]) => `  ${`${k}:`.padEnd(width)} ${v}`)].join('\n') + '\n';
}
