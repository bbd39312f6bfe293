/**
 * Go `regexp` (RE2, Perl flags) patterns, checked with Go's syntax rules and error texts
 * (regexp/syntax: `error parsing regexp: <code>: \`<expr>\``) and translated to an equivalent
 * JavaScript RegExp. Go's `.` excludes only `\n`, `\s` is `[\t\n\f\r ]`, `^`/`$` are text anchors
 * unless `(?m)`, and inline flags (`(?i)`, `(?i:…)`, `(?s)`, `(?m)`, `(?U)`) are scoped; all of that is
 * rewritten here rather than left to JavaScript's differing defaults.
 */

export type GoRegexp = { ok: true; re: RegExp } | { ok: false; error: string };

const cache = new Map<string, GoRegexp>();

export function compileGoRegexp(pattern: string): GoRegexp {
  let hit = cache.get(pattern);
  if (!hit) {
    hit = translate(pattern);
    if (cache.size > 1000) cache.clear();
    cache.set(pattern, hit);
  }
  return hit;
}

class SyntaxErr {
  constructor(
    readonly code: string,
    readonly expr: string,
  ) {}
}

const ERR = {
  missingRepeat: 'missing argument to repetition operator',
  invalidRepeatOp: 'invalid nested repetition operator',
  invalidRepeatSize: 'invalid repeat count',
  missingParen: 'missing closing )',
  unexpectedParen: 'unexpected )',
  missingBracket: 'missing closing ]',
  invalidEscape: 'invalid escape sequence',
  invalidCharRange: 'invalid character class range',
  invalidPerlOp: 'invalid or unsupported Perl syntax',
  invalidNamedCapture: 'invalid named capture',
  trailingBackslash: 'trailing backslash at end of expression',
};

interface Flags {
  fold: boolean;
  multiLine: boolean;
  dotNL: boolean;
  nonGreedy: boolean;
}

interface Atom {
  text: string;
  assertion: boolean;
  quantified: boolean;
}

interface Frame {
  open: string;
  alts: string[];
  seq: Atom[];
  savedFlags: Flags;
}

type Range = [number, number];

const MAX_RUNE = 0x10ffff;

function translate(pattern: string): GoRegexp {
  try {
    const source = new Translator(pattern).run();
    try {
      return { ok: true, re: new RegExp(source, 'u') };
    } catch (e) {
      return { ok: false, error: `error parsing regexp: ${(e as Error).message}` };
    }
  } catch (e) {
    if (e instanceof SyntaxErr) return { ok: false, error: `error parsing regexp: ${e.code}: \`${e.expr}\`` };
    throw e;
  }
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isHex = (c: string | undefined): boolean => c !== undefined && /^[0-9A-Fa-f]$/.test(c);
const isAlnum = (c: string): boolean => /^[0-9A-Za-z]$/.test(c);

class Translator {
  private readonly cs: string[];
  private i = 0;
  private flags: Flags = { fold: false, multiLine: false, dotNL: false, nonGreedy: false };
  private frames: Frame[];
  /** The text of the previous token if it was a repetition operator (Go's lastRepeat), as a start index. */
  private lastRepeat = -1;

  constructor(private readonly pattern: string) {
    this.cs = Array.from(pattern);
    this.frames = [{ open: '', alts: [], seq: [], savedFlags: { ...this.flags } }];
  }

  private text(from: number, to = this.cs.length): string {
    return this.cs.slice(from, to).join('');
  }

  private get frame(): Frame {
    return this.frames[this.frames.length - 1];
  }

  private push(text: string, assertion = false): void {
    this.frame.seq.push({ text, assertion, quantified: false });
  }

  run(): string {
    const cs = this.cs;
    while (this.i < cs.length) {
      let repeatStart = -1;
      const c = cs[this.i];
      switch (c) {
        case '(':
          this.openGroup();
          break;
        case '|':
          this.frame.alts.push(this.frame.seq.map((a) => a.text).join(''));
          this.frame.seq = [];
          this.i++;
          break;
        case ')': {
          if (this.frames.length === 1) throw new SyntaxErr(ERR.unexpectedParen, this.pattern);
          const f = this.frames.pop()!;
          f.alts.push(f.seq.map((a) => a.text).join(''));
          this.flags = f.savedFlags;
          this.push(`${f.open}${f.alts.join('|')})`);
          this.i++;
          break;
        }
        case '^':
          this.push(this.flags.multiLine ? '(?:^|(?<=\\n))' : '^', true);
          this.i++;
          break;
        case '$':
          this.push(this.flags.multiLine ? '(?:$|(?=\\n))' : '$', true);
          this.i++;
          break;
        case '.':
          this.push(this.flags.dotNL ? '[\\s\\S]' : '[^\\n]');
          this.i++;
          break;
        case '[':
          this.push(this.parseClass());
          break;
        case '*':
        case '+':
        case '?': {
          repeatStart = this.i;
          this.i++;
          this.repeat(repeatStart, c);
          break;
        }
        case '{': {
          const r = this.parseRepeat();
          if (!r) {
            this.literal(0x7b);
            this.i++;
            break;
          }
          repeatStart = this.i;
          this.i = r.end;
          if (r.min < 0 || r.min > 1000 || r.max > 1000 || (r.max >= 0 && r.min > r.max)) {
            throw new SyntaxErr(ERR.invalidRepeatSize, this.text(repeatStart, r.end));
          }
          const q = r.max === r.min ? `{${r.min}}` : r.max < 0 ? `{${r.min},}` : `{${r.min},${r.max}}`;
          this.repeat(repeatStart, q);
          break;
        }
        case '\\':
          this.parseBackslash();
          break;
        default:
          this.literal(c.codePointAt(0)!);
          this.i++;
      }
      this.lastRepeat = repeatStart;
    }
    if (this.frames.length > 1) throw new SyntaxErr(ERR.missingParen, this.pattern);
    const f = this.frames[0];
    f.alts.push(f.seq.map((a) => a.text).join(''));
    return f.alts.join('|');
  }

  /** Applies a repetition operator that started at `start`; `this.i` is just past the operator. */
  private repeat(start: number, op: string): void {
    let lazy = false;
    if (this.cs[this.i] === '?') {
      lazy = true;
      this.i++;
    }
    if (this.lastRepeat >= 0) throw new SyntaxErr(ERR.invalidRepeatOp, this.text(this.lastRepeat, this.i));
    const seq = this.frame.seq;
    if (seq.length === 0) throw new SyntaxErr(ERR.missingRepeat, this.text(start, this.i));
    if (this.flags.nonGreedy) lazy = !lazy;
    const atom = seq[seq.length - 1];
    const base = atom.assertion || atom.quantified ? `(?:${atom.text})` : atom.text;
    seq[seq.length - 1] = { text: `${base}${op}${lazy ? '?' : ''}`, assertion: false, quantified: true };
  }

  private parseRepeat(): { min: number; max: number; end: number } | undefined {
    const cs = this.cs;
    let j = this.i + 1;
    const num = (): number | undefined => {
      if (!isDigit(cs[j])) return undefined;
      if (cs[j] === '0' && isDigit(cs[j + 1])) return undefined;
      const from = j;
      while (isDigit(cs[j])) j++;
      return j - from > 8 ? 1001 : Number(this.text(from, j));
    };
    const min = num();
    if (min === undefined) return undefined;
    let max = min;
    if (cs[j] === ',') {
      j++;
      if (cs[j] === '}') max = -1;
      else {
        const m = num();
        if (m === undefined) return undefined;
        max = m;
      }
    }
    if (cs[j] !== '}') return undefined;
    return { min, max, end: j + 1 };
  }

  private openGroup(): void {
    const cs = this.cs;
    const start = this.i;
    if (cs[this.i + 1] !== '?') {
      this.frames.push({ open: '(', alts: [], seq: [], savedFlags: { ...this.flags } });
      this.i++;
      return;
    }
    // Named captures: (?P<name>re) and (?<name>re).
    if ((cs[this.i + 2] === 'P' && cs[this.i + 3] === '<') || cs[this.i + 2] === '<') {
      const begin = cs[this.i + 2] === 'P' ? this.i + 4 : this.i + 3;
      const end = cs.indexOf('>', begin);
      if (end < 0) throw new SyntaxErr(ERR.invalidNamedCapture, this.text(start));
      const name = this.text(begin, end);
      if (!/^[A-Za-z0-9_]+$/.test(name)) throw new SyntaxErr(ERR.invalidNamedCapture, this.text(start, end + 1));
      this.frames.push({ open: `(?<${name}>`, alts: [], seq: [], savedFlags: { ...this.flags } });
      this.i = end + 1;
      return;
    }
    // Flags, possibly opening a non-capturing group.
    let j = this.i + 2;
    const flags = { ...this.flags };
    let negate = false;
    let sawFlag = false;
    while (j < cs.length) {
      const c = cs[j++];
      switch (c) {
        case 'i':
          flags.fold = !negate;
          sawFlag = true;
          continue;
        case 'm':
          flags.multiLine = !negate;
          sawFlag = true;
          continue;
        case 's':
          flags.dotNL = !negate;
          sawFlag = true;
          continue;
        case 'U':
          flags.nonGreedy = !negate;
          sawFlag = true;
          continue;
        case '-':
          if (negate) break;
          negate = true;
          sawFlag = false;
          continue;
        case ':':
        case ')':
          if (negate && !sawFlag) break;
          if (c === ':') this.frames.push({ open: '(?:', alts: [], seq: [], savedFlags: { ...this.flags } });
          this.flags = flags;
          this.i = j;
          return;
      }
      break;
    }
    throw new SyntaxErr(ERR.invalidPerlOp, this.text(start, j));
  }

  private parseBackslash(): void {
    const cs = this.cs;
    const start = this.i;
    const c = cs[this.i + 1];
    if (c === undefined) throw new SyntaxErr(ERR.trailingBackslash, '');
    switch (c) {
      case 'A':
        this.push('^', true);
        this.i += 2;
        return;
      case 'z':
        this.push('$', true);
        this.i += 2;
        return;
      case 'b':
      case 'B':
        this.push(`\\${c}`, true);
        this.i += 2;
        return;
      case 'C':
        throw new SyntaxErr(ERR.invalidEscape, '\\C');
      case 'Q': {
        let j = this.i + 2;
        const end = this.pattern.indexOf('\\E', this.text(0, j).length);
        const lit = end < 0 ? this.text(j) : this.pattern.slice(this.text(0, j).length, end);
        for (const ch of lit) this.literal(ch.codePointAt(0)!);
        j += Array.from(lit).length + (end < 0 ? 0 : 2);
        this.i = j;
        return;
      }
    }
    const cls = this.perlOrUnicodeClass();
    if (cls) {
      this.push(emitClass(cls, false));
      return;
    }
    this.i = start;
    this.literal(this.parseEscape());
  }

  /** `\d \D \s \S \w \W \pX \p{Name} \PX \P{Name}` at this.i, or undefined. Advances past it. */
  private perlOrUnicodeClass(): ClassSet | undefined {
    const cs = this.cs;
    const c = cs[this.i + 1];
    const perl: Record<string, Range[]> = {
      d: [[0x30, 0x39]],
      s: [[0x09, 0x0a], [0x0c, 0x0d], [0x20, 0x20]],
      w: [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]],
    };
    if (c !== undefined && perl[c.toLowerCase()] && 'dDsSwW'.includes(c)) {
      this.i += 2;
      const ranges = perl[c.toLowerCase()];
      return { ranges: c === c.toUpperCase() ? complement(ranges) : ranges.slice(), props: [] };
    }
    if (c !== 'p' && c !== 'P') return undefined;
    const start = this.i;
    let j = this.i + 2;
    let name: string;
    if (cs[j] === '{') {
      const end = cs.indexOf('}', j);
      if (end < 0) throw new SyntaxErr(ERR.invalidCharRange, this.text(start));
      name = this.text(j + 1, end);
      j = end + 1;
    } else {
      if (j >= cs.length) throw new SyntaxErr(ERR.invalidCharRange, this.text(start));
      name = cs[j++];
    }
    let negated = c === 'P';
    if (name.startsWith('^')) {
      negated = !negated;
      name = name.slice(1);
    }
    const expr = this.text(start, j);
    this.i = j;
    if (name === 'Any') return { ranges: negated ? [] : [[0, MAX_RUNE]], props: [] };
    const prop = /^(C[cfos]?|L[lmotu]?|M[cen]?|N[dlo]?|P[cdefios]?|S[ckmo]?|Z[lps]?)$/.test(name)
      ? name
      : `Script=${name}`;
    const token = `\\${negated ? 'P' : 'p'}{${prop}}`;
    try {
      new RegExp(token, 'u');
    } catch {
      throw new SyntaxErr(ERR.invalidCharRange, expr);
    }
    return { ranges: [], props: [token] };
  }

  /** A single escaped rune at this.i (`\n`, `\x41`, `\.` …). Advances past it. */
  private parseEscape(): number {
    const cs = this.cs;
    const start = this.i;
    const c = cs[this.i + 1];
    if (c === undefined) throw new SyntaxErr(ERR.trailingBackslash, '');
    this.i += 2;
    const fail = (): never => {
      throw new SyntaxErr(ERR.invalidEscape, this.text(start, this.i));
    };
    if (c >= '1' && c <= '7') {
      // A single non-zero digit would be a backreference, which RE2 does not support.
      if (!(cs[this.i] >= '0' && cs[this.i] <= '7')) fail();
    }
    if (c >= '0' && c <= '7') {
      let r = Number(c);
      for (let k = 0; k < 2 && cs[this.i] >= '0' && cs[this.i] <= '7'; k++) r = r * 8 + Number(cs[this.i++]);
      return r;
    }
    switch (c) {
      case 'x': {
        if (cs[this.i] === '{') {
          this.i++;
          let n = 0;
          let digits = 0;
          while (isHex(cs[this.i])) {
            n = n * 16 + parseInt(cs[this.i++], 16);
            digits++;
            if (n > MAX_RUNE) fail();
          }
          if (digits === 0 || cs[this.i] !== '}') fail();
          this.i++;
          return n;
        }
        if (!isHex(cs[this.i])) fail();
        this.i++;
        if (!isHex(cs[this.i])) fail();
        this.i++;
        return parseInt(this.text(this.i - 2, this.i), 16);
      }
      case 'a':
        return 7;
      case 'f':
        return 12;
      case 'n':
        return 10;
      case 'r':
        return 13;
      case 't':
        return 9;
      case 'v':
        return 11;
    }
    if (c.codePointAt(0)! < 0x80 && !isAlnum(c)) return c.codePointAt(0)!;
    return fail();
  }

  private literal(cp: number): void {
    if (this.flags.fold) {
      const ranges = foldRanges([[cp, cp]]);
      if (ranges.length > 1 || ranges[0][0] !== ranges[0][1]) {
        this.push(emitClass({ ranges, props: [] }, false));
        return;
      }
    }
    this.push(escapeRune(cp));
  }

  private parseClass(): string {
    const cs = this.cs;
    const start = this.i;
    this.i++;
    let negated = false;
    if (cs[this.i] === '^') {
      negated = true;
      this.i++;
    }
    const set: ClassSet = { ranges: [], props: [] };
    let first = true;
    while (this.i < cs.length && (cs[this.i] !== ']' || first)) {
      first = false;
      // POSIX classes: [:alpha:], [:^alpha:].
      if (cs[this.i] === '[' && cs[this.i + 1] === ':') {
        const close = this.pattern.indexOf(':]', this.text(0, this.i + 2).length);
        if (close >= 0) {
          const nameText = this.pattern.slice(this.text(0, this.i + 2).length, close);
          const expr = `[:${nameText}:]`;
          const neg = nameText.startsWith('^');
          const ranges = POSIX[neg ? nameText.slice(1) : nameText];
          if (!ranges) throw new SyntaxErr(ERR.invalidCharRange, expr);
          set.ranges.push(...(neg ? complement(ranges) : ranges));
          this.i += Array.from(expr).length;
          continue;
        }
      }
      if (cs[this.i] === '\\') {
        const cls = this.perlOrUnicodeClass();
        if (cls) {
          set.ranges.push(...cls.ranges);
          set.props.push(...cls.props);
          continue;
        }
      }
      const rangeStart = this.i;
      const lo = this.classChar(start);
      let hi = lo;
      if (cs[this.i] === '-' && this.i + 1 < cs.length && cs[this.i + 1] !== ']') {
        this.i++;
        hi = this.classChar(start);
        if (hi < lo) throw new SyntaxErr(ERR.invalidCharRange, this.text(rangeStart, this.i));
      }
      set.ranges.push([lo, hi]);
    }
    if (this.i >= cs.length) throw new SyntaxErr(ERR.missingBracket, this.text(start));
    this.i++;
    if (this.flags.fold) set.ranges = foldRanges(set.ranges);
    return emitClass(set, negated);
  }

  private classChar(classStart: number): number {
    if (this.i >= this.cs.length) throw new SyntaxErr(ERR.missingBracket, this.text(classStart));
    if (this.cs[this.i] === '\\') return this.parseEscape();
    return this.cs[this.i++].codePointAt(0)!;
  }
}

interface ClassSet {
  ranges: Range[];
  props: string[];
}

const POSIX: Record<string, Range[]> = {
  alnum: [[0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a]],
  alpha: [[0x41, 0x5a], [0x61, 0x7a]],
  ascii: [[0x00, 0x7f]],
  blank: [[0x09, 0x09], [0x20, 0x20]],
  cntrl: [[0x00, 0x1f], [0x7f, 0x7f]],
  digit: [[0x30, 0x39]],
  graph: [[0x21, 0x7e]],
  lower: [[0x61, 0x7a]],
  print: [[0x20, 0x7e]],
  punct: [[0x21, 0x2f], [0x3a, 0x40], [0x5b, 0x60], [0x7b, 0x7e]],
  space: [[0x09, 0x0d], [0x20, 0x20]],
  upper: [[0x41, 0x5a]],
  word: [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]],
  xdigit: [[0x30, 0x39], [0x41, 0x46], [0x61, 0x66]],
};

function normalize(ranges: Range[]): Range[] {
  const sorted = ranges.map((r) => [r[0], r[1]] as Range).sort((a, b) => a[0] - b[0]);
  const out: Range[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else out.push(r);
  }
  return out;
}

function complement(ranges: Range[]): Range[] {
  const out: Range[] = [];
  let next = 0;
  for (const [lo, hi] of normalize(ranges)) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= MAX_RUNE) out.push([next, MAX_RUNE]);
  return out;
}

/** Adds the simple case variants of every rune (Go's FoldCase), bounded for huge ranges. */
function foldRanges(ranges: Range[]): Range[] {
  const extra: Range[] = [];
  const add = (cp: number): void => {
    const s = String.fromCodePoint(cp);
    for (const v of [s.toLowerCase(), s.toUpperCase()]) {
      const arr = Array.from(v);
      if (arr.length === 1) extra.push([arr[0].codePointAt(0)!, arr[0].codePointAt(0)!]);
    }
    if (cp === 0x6b || cp === 0x4b) extra.push([0x212a, 0x212a]);
    if (cp === 0x73 || cp === 0x53) extra.push([0x17f, 0x17f]);
  };
  for (const [lo, hi] of ranges) {
    if (hi - lo <= 2000) for (let cp = lo; cp <= hi; cp++) add(cp);
    else
      for (const [alo, ahi] of [[0x41, 0x5a], [0x61, 0x7a]] as Range[])
        for (let cp = Math.max(lo, alo); cp <= Math.min(hi, ahi); cp++) add(cp);
  }
  return normalize([...ranges, ...extra]);
}

function escapeRune(cp: number): string {
  const ch = String.fromCodePoint(cp);
  return isAlnum(ch) ? ch : `\\u{${cp.toString(16)}}`;
}

function emitClass(set: ClassSet, negated: boolean): string {
  const parts = normalize(set.ranges).map(([lo, hi]) =>
    lo === hi ? escapeRune(lo) : `${escapeRune(lo)}-${escapeRune(hi)}`,
  );
  return `[${negated ? '^' : ''}${parts.join('')}${set.props.join('')}]`;
}
