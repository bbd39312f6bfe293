/**
 * Top functions by self time in a V8 .cpuprofile (as written by `node --cpu-prof`), and the same
 * grouped by where the code lives (flotilla src, a package, node internals, native/GC).
 *
 *   node dist/bench/cpuprofile-top.js <file.cpuprofile> [--top 30] [--include-idle] [--under NAME]
 *
 * --under NAME counts only samples with a frame named NAME on the stack (e.g. `list`, `create`,
 * `watch`), to see one request path in a profile of a whole run.
 *
 * Profile a benchmark run's server with:
 *   node dist/bench/apiserver.js --server-node-options "--cpu-prof --cpu-prof-dir=/tmp/flotilla-prof"
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

function where(url: string): string {
  if (!url) return '(native/VM)';
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const dist = url.indexOf('/dist/');
  if (dist >= 0) return url.slice(dist + '/dist/'.length);
  return url;
}

function shortUrl(url: string): string {
  const dist = url.indexOf('/dist/');
  if (dist >= 0) return url.slice(dist + '/dist/'.length);
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) return url.slice(nm + '/node_modules/'.length);
  return url;
}

function main(): void {
  const args = process.argv.slice(2);
  const underAt = args.indexOf('--under');
  const under = underAt >= 0 ? args[underAt + 1] : undefined;
  const file = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--top' && args[i - 1] !== '--under');
  if (!file) {
    process.stderr.write('usage: node dist/bench/cpuprofile-top.js <file.cpuprofile> [--top N] [--include-idle] [--under NAME]\n');
    process.exit(2);
  }
  const topAt = args.indexOf('--top');
  const top = topAt >= 0 ? Number(args[topAt + 1]) : 30;
  const includeIdle = args.includes('--include-idle');
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const underCache = new Map<number, boolean>();
  const isUnder = (id: number): boolean => {
    if (under === undefined) return true;
    const known = underCache.get(id);
    if (known !== undefined) return known;
    const node = byId.get(id);
    const p = parent.get(id);
    const v = node?.callFrame.functionName === under || (p !== undefined && isUnder(p));
    underCache.set(id, v);
    return v;
  };
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    // timeDeltas[i] is the time before sample i; attribute the next delta to this sample.
    const dt = profile.timeDeltas[i + 1] ?? 0;
    selfUs.set(id, (selfUs.get(id) ?? 0) + dt);
  }
  const byFunction = new Map<string, number>();
  const byPlace = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node || !isUnder(id)) continue;
    const f = node.callFrame;
    if (f.functionName === '(idle)') {
      idle += us;
      if (!includeIdle) continue;
    }
    total += us;
    const key = `${f.functionName || '(anonymous)'}  ${f.url ? `${shortUrl(f.url)}:${f.lineNumber + 1}` : ''}`.trim();
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    const place = f.functionName.startsWith('(') ? f.functionName : where(f.url);
    byPlace.set(place, (byPlace.get(place) ?? 0) + us);
  }
  const wall = (profile.endTime - profile.startTime) / 1000;
  const pct = (us: number) => `${((us / total) * 100).toFixed(1).padStart(5)}%`;
  const ms = (us: number) => `${(us / 1000).toFixed(0).padStart(7)} ms`;
  const out: string[] = [];
  out.push(`${file}: ${(wall / 1000).toFixed(1)} s profiled, ${(total / 1e6).toFixed(1)} s busy${under ? ` under ${under}()` : ''}, ${(idle / 1e6).toFixed(1)} s idle`);
  out.push('');
  out.push(`top ${top} functions by self time (share of busy time):`);
  for (const [k, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) out.push(`${ms(us)} ${pct(us)}  ${k}`);
  out.push('');
  out.push('self time by file or package:');
  for (const [k, us] of [...byPlace].sort((a, b) => b[1] - a[1]).slice(0, 25)) out.push(`${ms(us)} ${pct(us)}  ${k}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

main();
