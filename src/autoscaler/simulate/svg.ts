/**
 * The report's plot as plain SVG text: three panels over one time axis — registered nodes per scale
 * set (with scale-up ▲ and scale-down ▼ marks), pending pods, and cpu / memory utilization — and a
 * legend. Values are drawn as steps, since they change at instants and hold in between. No
 * dependencies: a browser, an image viewer or a CI artifact page shows it as is.
 */
import type { SimulationReport } from './simulate.js';

const WIDTH = 960;
const LEFT = 64;
const RIGHT = 24;
const TOP = 56;
const PANEL = 170;
const GAP = 46;
const PLOT_W = WIDTH - LEFT - RIGHT;
/** A qualitative palette that stays readable for the common colour-vision deficiencies. */
const COLORS = ['#0072b2', '#009e73', '#cc79a7', '#56b4e9', '#e69f00', '#000000', '#f0e442'];
const PENDING = '#d55e00';
const CPU = '#0072b2';
const MEMORY = '#009e73';

export function escapeXml(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}

/** A round step (1, 2, 5 × 10ⁿ) giving about `target` ticks up to `max`. */
export function niceStep(max: number, target = 5): number {
  if (max <= 0) return 1;
  const raw = max / target;
  const pow = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * pow >= raw) return m * pow;
  return 10 * pow;
}

const f = (n: number) => (Math.round(n * 10) / 10).toString();

interface Panel {
  readonly title: string;
  readonly top: number;
  readonly max: number;
  readonly unit: string;
}

/** Minutes label for a tick. */
function minutes(ms: number): string {
  const m = ms / 60_000;
  return Number.isInteger(m) ? `${m}m` : `${f(m)}m`;
}

export function renderSvg(r: SimulationReport, title = 'flotilla autoscaler simulate'): string {
  const T = Math.max(r.duration, 1);
  const x = (t: number) => LEFT + (t / T) * PLOT_W;
  const maxNodes = Math.max(1, ...r.groups.map((g) => g.max), ...r.timeline.flatMap((s) => Object.values(s.nodes)));
  const maxPending = Math.max(1, ...r.timeline.map((s) => s.pending));
  const panels: Panel[] = [
    { title: 'nodes (registered) per scale set', top: TOP, max: maxNodes, unit: '' },
    { title: 'pending pods', top: TOP + PANEL + GAP, max: maxPending, unit: '' },
    { title: 'utilization (requests / allocatable)', top: TOP + 2 * (PANEL + GAP), max: 100, unit: '%' },
  ];
  const height = TOP + 3 * PANEL + 2 * GAP + 48;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="11">`);
  out.push(`<title>${escapeXml(title)}</title>`);
  out.push(`<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="${LEFT}" y="20" font-size="14" font-weight="bold">${escapeXml(title)}</text>`);

  // Legend: one entry per series, in drawing order.
  const legend: Array<{ label: string; color: string; dash?: string }> = [
    ...r.groups.map((g, i) => ({ label: `nodes ${g.name} (max ${g.max})`, color: COLORS[i % COLORS.length] })),
    { label: 'pending pods', color: PENDING },
    { label: 'cpu', color: CPU },
    { label: 'memory', color: MEMORY, dash: '5 3' },
  ];
  let lx = LEFT;
  out.push('<g class="legend">');
  for (const e of legend) {
    out.push(`<line x1="${lx}" y1="36" x2="${lx + 18}" y2="36" stroke="${e.color}" stroke-width="2"${e.dash ? ` stroke-dasharray="${e.dash}"` : ''}/>`);
    out.push(`<text x="${lx + 22}" y="40">${escapeXml(e.label)}</text>`);
    lx += 30 + e.label.length * 6.2;
  }
  out.push('</g>');

  const xStep = niceStep(T / 60_000, 8) * 60_000;
  for (const p of panels) {
    const y = (v: number) => p.top + PANEL - (v / p.max) * PANEL;
    out.push(`<g class="panel">`);
    out.push(`<text x="${LEFT}" y="${p.top - 8}" font-weight="bold">${escapeXml(p.title)}</text>`);
    const yStep = p.unit === '%' ? 25 : niceStep(p.max, 4);
    for (let v = 0; v <= p.max + 1e-9; v += yStep) {
      out.push(`<line x1="${LEFT}" y1="${f(y(v))}" x2="${LEFT + PLOT_W}" y2="${f(y(v))}" stroke="#e5e5e5"/>`);
      out.push(`<text x="${LEFT - 6}" y="${f(y(v) + 4)}" text-anchor="end">${f(v)}${p.unit}</text>`);
    }
    for (let t = 0; t <= T + 1e-9; t += xStep) {
      out.push(`<line x1="${f(x(t))}" y1="${p.top + PANEL}" x2="${f(x(t))}" y2="${p.top + PANEL + 4}" stroke="#333"/>`);
      out.push(`<text x="${f(x(t))}" y="${p.top + PANEL + 16}" text-anchor="middle">${minutes(t)}</text>`);
    }
    out.push(`<line x1="${LEFT}" y1="${p.top}" x2="${LEFT}" y2="${p.top + PANEL}" stroke="#333"/>`);
    out.push(`<line x1="${LEFT}" y1="${p.top + PANEL}" x2="${LEFT + PLOT_W}" y2="${p.top + PANEL}" stroke="#333"/>`);
    out.push('</g>');
  }

  const step = (values: Array<{ t: number; v: number }>, panel: Panel, color: string, name: string, dash?: string) => {
    if (values.length === 0) return;
    const y = (v: number) => panel.top + PANEL - (Math.min(v, panel.max) / panel.max) * PANEL;
    let d = `M${f(x(values[0].t))} ${f(y(values[0].v))}`;
    for (let i = 1; i < values.length; i++) d += ` H${f(x(values[i].t))} V${f(y(values[i].v))}`;
    d += ` H${f(x(r.duration))}`;
    out.push(`<path class="series" data-series="${escapeXml(name)}" d="${d}" fill="none" stroke="${color}" stroke-width="1.8"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`);
  };
  r.groups.forEach((g, i) => step(r.timeline.map((s) => ({ t: s.t, v: s.nodes[g.name] ?? 0 })), panels[0], COLORS[i % COLORS.length], `nodes:${g.name}`));
  step(r.timeline.map((s) => ({ t: s.t, v: s.pending })), panels[1], PENDING, 'pending');
  step(r.timeline.map((s) => ({ t: s.t, v: s.cpu * 100 })), panels[2], CPU, 'cpu');
  step(r.timeline.map((s) => ({ t: s.t, v: s.memory * 100 })), panels[2], MEMORY, 'memory', '5 3');

  // Decision marks along the top of the nodes panel, with the actions as a tooltip.
  out.push('<g class="decisions">');
  for (const d of r.decisions) {
    const up = d.actions.some((a) => a.startsWith('scale up'));
    const down = d.actions.some((a) => a.startsWith('delete') || a.startsWith('drain'));
    if (!up && !down) continue;
    const cx = x(d.t);
    const cy = panels[0].top + 6;
    const shape = up ? `${f(cx - 5)},${f(cy + 4)} ${f(cx + 5)},${f(cy + 4)} ${f(cx)},${f(cy - 5)}` : `${f(cx - 5)},${f(cy - 4)} ${f(cx + 5)},${f(cy - 4)} ${f(cx)},${f(cy + 5)}`;
    out.push(`<polygon points="${shape}" fill="${up ? '#009e73' : '#d55e00'}"><title>${escapeXml(`${minutes(d.t)}: ${d.actions.join('; ')}`)}</title></polygon>`);
  }
  out.push('</g>');
  out.push(`<text x="${LEFT + PLOT_W}" y="${height - 10}" text-anchor="end" fill="#555">time since start; ▲ scale-up, ▼ scale-down (hover for the decision)</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}
