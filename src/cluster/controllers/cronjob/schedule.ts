/**
 * Cron schedules as kube parses them (robfig/cron's `ParseStandard`): five fields — minute, hour,
 * day of month, month, day of week — each `*`, `?`, `n`, `a-b`, `*\/s`, `a-b/s`, `n/s` or a comma
 * list, with month and weekday names; the descriptors `@yearly` (`@annually`), `@monthly`,
 * `@weekly`, `@daily` (`@midnight`), `@hourly` and `@every <duration>`. Day of month and day of
 * week combine with OR when both are restricted and AND when either is `*` (robfig's rule).
 * Times are evaluated in an IANA time zone (`spec.timeZone`), or the process's local zone.
 */

export interface Schedule {
  /** The first time strictly after `after` (epoch ms) the schedule fires. */
  next(after: number): number;
}

interface Field {
  bits: Set<number>;
  star: boolean;
}

const BOUNDS = {
  minute: { min: 0, max: 59, names: undefined },
  hour: { min: 0, max: 23, names: undefined },
  dom: { min: 1, max: 31, names: undefined },
  month: { min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  dow: { min: 0, max: 6, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
} as const;

type Bounds = (typeof BOUNDS)[keyof typeof BOUNDS];

const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

function parseValue(s: string, b: Bounds): number {
  const names = b.names as readonly string[] | undefined;
  const i = names ? names.indexOf(s.toLowerCase()) : -1;
  if (i >= 0) return i + (b === BOUNDS.month ? 1 : 0);
  if (!/^\d+$/.test(s)) throw new Error(`failed to parse int from ${s}: strconv.Atoi: parsing "${s}": invalid syntax`);
  return Number(s);
}

function parseField(expr: string, b: Bounds): Field {
  const bits = new Set<number>();
  let star = false;
  for (const part of expr.split(',')) {
    const [range, stepStr, ...rest] = part.split('/');
    if (rest.length) throw new Error(`too many slashes: ${part}`);
    let start: number;
    let end: number;
    let isStar = false;
    if (range === '*' || range === '?') {
      start = b.min;
      end = b.max;
      isStar = true;
    } else {
      const [lo, hi, ...more] = range.split('-');
      if (more.length) throw new Error(`too many hyphens: ${part}`);
      start = parseValue(lo, b);
      end = hi === undefined ? start : parseValue(hi, b);
    }
    let step = 1;
    if (stepStr !== undefined) {
      step = parseValue(stepStr, { min: 0, max: 0, names: undefined } as unknown as Bounds);
      if (!isStar && range.indexOf('-') < 0) end = b.max;
      if (step > 1) isStar = false;
    }
    if (start < b.min) throw new Error(`beginning of range (${start}) below minimum (${b.min}): ${part}`);
    if (end > b.max) throw new Error(`end of range (${end}) above maximum (${b.max}): ${part}`);
    if (start > end) throw new Error(`beginning of range (${start}) beyond end of range (${end}): ${part}`);
    if (step === 0) throw new Error(`step of range should be a positive number: ${part}`);
    for (let v = start; v <= end; v += step) bits.add(v);
    if (isStar) star = true;
  }
  return { bits, star };
}

/** Go's time.ParseDuration for the units cron needs (h, m, s, ms). */
function parseDuration(s: string): number {
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/gy;
  let total = 0;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(s))) {
    total += Number(m[1]) * { h: 3600_000, m: 60_000, s: 1000, ms: 1 }[m[2] as 'h' | 'm' | 's' | 'ms'];
    consumed = re.lastIndex;
  }
  if (consumed !== s.length || s.length === 0) throw new Error(`failed to parse duration @every ${s}: time: invalid duration "${s}"`);
  return total;
}

interface Wall {
  minute: number;
  hour: number;
  dom: number;
  month: number;
  dow: number;
}

function wallClock(timeZone: string | undefined): (t: number) => Wall {
  if (!timeZone) {
    return (t) => {
      const d = new Date(t);
      return { minute: d.getMinutes(), hour: d.getHours(), dom: d.getDate(), month: d.getMonth() + 1, dow: d.getDay() };
    };
  }
  const fmt = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', minute: 'numeric', hour: 'numeric', day: 'numeric', month: 'numeric', weekday: 'short' });
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  return (t) => {
    const parts = Object.fromEntries(fmt.formatToParts(new Date(t)).map((p) => [p.type, p.value]));
    return { minute: Number(parts.minute), hour: Number(parts.hour) % 24, dom: Number(parts.day), month: Number(parts.month), dow: days.indexOf(parts.weekday) };
  };
}

/** Whether `timeZone` is a zone this runtime knows (time.LoadLocation). */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

const MINUTE = 60_000;

/** Parse a standard schedule; throws with robfig/cron's wording when it is not one. */
export function parseSchedule(spec: string, timeZone?: string): Schedule {
  let s = spec.trim();
  if (/^(CRON_)?TZ=/.test(s)) throw new Error('CRON_TZ or TZ used in schedule is not supported, use spec.timeZone instead');
  if (s.startsWith('@every ')) {
    const d = parseDuration(s.slice(7).trim());
    const every = Math.max(1000, Math.floor(d / 1000) * 1000);
    return { next: (after) => Math.floor(after / 1000) * 1000 + every };
  }
  if (s.startsWith('@')) {
    const d = DESCRIPTORS[s.toLowerCase()];
    if (!d) throw new Error(`unrecognized descriptor: ${s}`);
    s = d;
  }
  const fields = s.split(/\s+/);
  if (fields.length !== 5) throw new Error(`expected exactly 5 fields, found ${fields.length}: ${spec}`);
  const [minute, hour, dom, month, dow] = [
    parseField(fields[0], BOUNDS.minute),
    parseField(fields[1], BOUNDS.hour),
    parseField(fields[2], BOUNDS.dom),
    parseField(fields[3], BOUNDS.month),
    parseField(fields[4], BOUNDS.dow),
  ];
  const wall = wallClock(timeZone);
  const dayMatches = (w: Wall) => {
    const d = dom.bits.has(w.dom);
    const wd = dow.bits.has(w.dow);
    return dom.star || dow.star ? d && wd : d || wd;
  };
  return {
    next(after) {
      let t = Math.floor(after / MINUTE) * MINUTE + MINUTE;
      const limit = t + 5 * 366 * 24 * 60 * MINUTE;
      while (t <= limit) {
        const w = wall(t);
        if (!month.bits.has(w.month) || !dayMatches(w)) {
          t += ((23 - w.hour) * 60 + (60 - w.minute)) * MINUTE;
          continue;
        }
        if (!hour.bits.has(w.hour)) {
          t += (60 - w.minute) * MINUTE;
          continue;
        }
        if (!minute.bits.has(w.minute)) {
          t += MINUTE;
          continue;
        }
        return t;
      }
      throw new Error(`no time matches ${spec} within five years`);
    },
  };
}

/** The next time `spec` fires after `after`, or undefined when it does not parse. */
export function nextScheduleTime(spec: string, after: number, timeZone?: string): number | undefined {
  try {
    return parseSchedule(spec, timeZone).next(after);
  } catch {
    return undefined;
  }
}
