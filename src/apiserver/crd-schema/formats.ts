/**
 * String formats as CRD validation checks them: apiextensions-apiserver keeps only the formats in
 * `supportedFormats` (pkg/apiserver/validation/formats.go; names are compared with `-` removed, so
 * `date-time` is `datetime`) and validates them with kube-openapi's strfmt.Default registry
 * (pkg/validation/strfmt/default.go: govalidator, net, net/mail, time). Others (int32, int64, float,
 * double, …) are dropped and never checked.
 */

const normalize = (name: string): string => name.replace(/-/g, '');

/** Whether kube validates this format at all. */
export function isSupportedFormat(format: string | undefined): boolean {
  return format !== undefined && format !== '' && Object.prototype.hasOwnProperty.call(VALIDATORS, normalize(format));
}

/** Whether `value` is valid for a supported `format`. */
export function validatesFormat(format: string, value: string): boolean {
  const v = VALIDATORS[normalize(format)];
  return v ? v(value) : false;
}

const VALIDATORS: Record<string, (s: string) => boolean> = {
  bsonobjectid: (s) => /^[0-9A-Fa-f]{24}$/.test(s),
  uri: isRequestURI,
  email: isEmail,
  hostname: isHostname,
  ipv4: (s) => parseIP(s, true) !== undefined && s.includes('.'),
  ipv6: (s) => parseIP(s, false) !== undefined && s.includes(':'),
  cidr: isCIDR,
  mac: isMAC,
  uuid: (s) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(s),
  uuid3: (s) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(s),
  uuid4: (s) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i.test(s),
  uuid5: (s) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i.test(s),
  isbn: (s) => isISBN(s, 10) || isISBN(s, 13),
  isbn10: (s) => isISBN(s, 10),
  isbn13: (s) => isISBN(s, 13),
  creditcard: isCreditCard,
  ssn: (s) => s.length === 11 && /^\d{3}[- ]?\d{2}[- ]?\d{4}$/.test(s),
  hexcolor: (s) => /^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/.test(s),
  rgbcolor: (s) =>
    /^rgb\(\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*,\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*,\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*\)$/.test(
      s,
    ),
  byte: (s) => /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$/.test(s),
  password: () => true,
  date: isDate,
  duration: isDuration,
  datetime: isDateTime,
};

// ---- date, date-time (strfmt date.go, time.go) ----

/** Go's time.Parse("2006-01-02", s). */
function isDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1];
  return d <= days;
}

function isDateTime(s: string): boolean {
  if (s.length < 4) return false;
  const parts = s.toLowerCase().split('t');
  if (parts.length < 2 || !isDate(parts[0])) return false;
  const m = /^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$/u.exec(parts[1]);
  if (!m) return false;
  return m[1] <= '23' && m[2] <= '59' && m[3] <= '59';
}

// ---- duration (strfmt duration.go) ----

function isDuration(s: string): boolean {
  if (isGoDuration(s)) return true;
  const units: string[][] = [
    ['ns', 'nano'],
    ['us', 'µs', 'micro'],
    ['ms', 'milli'],
    ['s', 'sec'],
    ['m', 'min'],
    ['h', 'hr', 'hour'],
    ['d', 'day'],
    ['w', 'wk', 'week'],
  ];
  let ok = false;
  for (const m of s.matchAll(/((\d+)\s*([A-Za-zµ]+))/g)) {
    if (BigInt(m[2]) > 2n ** 63n - 1n) return false; // strconv.Atoi fails
    const unit = m[3].trim().toLowerCase();
    for (const variants of units) {
      variants.forEach((variant, i) => {
        if ((i === variants.length - 1 && unit.startsWith(variant)) || variant === unit) ok = true;
      });
    }
  }
  return ok;
}

/** Go's time.ParseDuration (syntax only). */
function isGoDuration(s: string): boolean {
  let t = s;
  if (t.startsWith('-') || t.startsWith('+')) t = t.slice(1);
  if (t === '0') return true;
  if (t === '') return false;
  const re = /^([0-9]*(\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)/u;
  while (t !== '') {
    const m = re.exec(t);
    if (!m || m[1] === '' || m[1] === '.') return false;
    t = t.slice(m[0].length);
  }
  return true;
}

// ---- hostname, email, uri ----

const HOSTNAME =
  /^([a-zA-Z0-9\p{S}\p{L}]((-?[a-zA-Z0-9\p{S}\p{L}]{0,62})?)|([a-zA-Z0-9\p{S}\p{L}](([a-zA-Z0-9-\p{S}\p{L}]{0,61}[a-zA-Z0-9\p{S}\p{L}])?)(\.)){1,}([a-zA-Z\p{L}]){2,63})$/u;

function isHostname(s: string): boolean {
  if (!HOSTNAME.test(s) || Buffer.byteLength(s) > 255) return false;
  return s.split('.').every((p) => Buffer.byteLength(p) <= 63);
}

/** net/mail.ParseAddress, for the shapes it accepts: `addr-spec` or `[display name] <addr-spec>`. */
function isEmail(s: string): boolean {
  const t = s.trim();
  const angle = /^(.*)<([^<>]*)>$/su.exec(t);
  if (angle) return isPhrase(angle[1].trim()) && isAddrSpec(angle[2]);
  return isAddrSpec(t);
}

const ATEXT = /^[^\s()<>[\]:;@\\,".\x00-\x1f\x7f]+$/u;

function isDotAtom(s: string): boolean {
  return s !== '' && s.split('.').every((p) => ATEXT.test(p));
}

function isAddrSpec(s: string): boolean {
  const at = s.lastIndexOf('@');
  if (at <= 0 || at === s.length - 1) return false;
  const local = s.slice(0, at);
  const domain = s.slice(at + 1);
  const quoted = /^"(?:[^"\\\r\n]|\\.)*"$/su.test(local);
  return (quoted || isDotAtom(local)) && isDotAtom(domain);
}

function isPhrase(s: string): boolean {
  if (s === '') return true;
  return /^(?:[^\s()<>[\]:;@\\,".\x00-\x1f\x7f]+|"(?:[^"\\]|\\.)*"|[\s.])+$/su.test(s);
}

/** govalidator.IsRequestURI: Go's url.ParseRequestURI succeeds. */
function isRequestURI(raw: string): boolean {
  if (/[\x00-\x1f\x7f]/.test(raw)) return false;
  if (raw === '') return false;
  if (raw === '*') return true;
  let rest = raw;
  let scheme = '';
  const sm = /^([A-Za-z][A-Za-z0-9+\-.]*):/.exec(rest);
  if (sm) {
    scheme = sm[1];
    rest = rest.slice(sm[0].length);
  } else if (/^[A-Za-z0-9+\-.]*:/.test(rest) && rest[0] === ':') {
    return false; // missing protocol scheme
  }
  const q = rest.indexOf('?');
  if (q >= 0) rest = rest.slice(0, q);
  if (!rest.startsWith('/')) return scheme !== '';
  if (scheme !== '' && rest.startsWith('//')) {
    const authorityEnd = rest.indexOf('/', 2);
    const authority = authorityEnd < 0 ? rest.slice(2) : rest.slice(2, authorityEnd);
    rest = authorityEnd < 0 ? '' : rest.slice(authorityEnd);
    if (!isValidAuthority(authority)) return false;
  }
  return validEscapes(rest);
}

function isValidAuthority(authority: string): boolean {
  const at = authority.lastIndexOf('@');
  const userinfo = at >= 0 ? authority.slice(0, at) : '';
  const host = at >= 0 ? authority.slice(at + 1) : authority;
  if (at >= 0 && !/^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/.test(userinfo)) return false;
  if (host.startsWith('[')) {
    const close = host.indexOf(']');
    if (close < 0) return false;
    const port = host.slice(close + 1);
    return port === '' || /^:\d*$/.test(port);
  }
  const colon = host.lastIndexOf(':');
  if (colon >= 0 && !/^\d*$/.test(host.slice(colon + 1))) return false;
  const name = colon >= 0 ? host.slice(0, colon) : host;
  if (!/^(?:[A-Za-z0-9\-._~!$&'()*+,;=<>"]|%[0-9A-Fa-f]{2}|[^\x00-\x7f])*$/u.test(name)) return false;
  return true;
}

function validEscapes(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '%' && !/^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) return false;
  }
  return true;
}

// ---- IP addresses, CIDR, MAC (net, k8s.io/utils/net) ----

/** net.ParseIP (strict) or k8s.io/utils/net.ParseIPSloppy (IPv4 octets may have leading zeros). */
function parseIP(s: string, sloppy: boolean): number[] | undefined {
  for (const ch of s) {
    if (ch === '.') return parseIPv4(s, sloppy);
    if (ch === ':') return parseIPv6(s, sloppy);
  }
  return undefined;
}

function parseIPv4(s: string, sloppy: boolean): number[] | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^\d{1,}$/.test(p) || p.length > 10) return undefined;
    if (!sloppy && p.length > 1 && p[0] === '0') return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

function parseIPv6(s: string, sloppy: boolean): number[] | undefined {
  const ip: number[] = [];
  let ellipsis = -1;
  let t = s;
  if (t.startsWith('::')) {
    ellipsis = 0;
    t = t.slice(2);
    if (t === '') return new Array(16).fill(0);
  }
  while (ip.length < 16) {
    const m = /^[0-9A-Fa-f]{1,4}/.exec(t);
    if (!m) return undefined;
    if (t[m[0].length] === '.') {
      if (ellipsis < 0 && ip.length !== 12) return undefined;
      if (ip.length + 4 > 16) return undefined;
      const v4 = parseIPv4(t, sloppy);
      if (!v4) return undefined;
      ip.push(...v4);
      t = '';
      break;
    }
    const n = parseInt(m[0], 16);
    ip.push(n >> 8, n & 0xff);
    t = t.slice(m[0].length);
    if (t === '') break;
    if (t[0] !== ':' || t.length === 1) return undefined;
    t = t.slice(1);
    if (t[0] === ':') {
      if (ellipsis >= 0) return undefined;
      ellipsis = ip.length;
      t = t.slice(1);
      if (t === '') break;
    }
  }
  if (t !== '') return undefined;
  if (ip.length < 16) {
    if (ellipsis < 0) return undefined;
    const fill = new Array(16 - ip.length).fill(0);
    ip.splice(ellipsis, 0, ...fill);
  } else if (ellipsis >= 0) {
    return undefined;
  }
  return ip;
}

function isCIDR(s: string): boolean {
  const slash = s.indexOf('/');
  if (slash < 0) return false;
  const addr = s.slice(0, slash);
  const mask = s.slice(slash + 1);
  let bits = 32;
  let ip = parseIPv4(addr, true);
  if (!ip) {
    bits = 128;
    ip = parseIPv6(addr, true);
  }
  if (!ip || !/^\d+$/.test(mask) || mask.length > 7) return false;
  return Number(mask) <= bits;
}

/** net.ParseMAC: 6, 8 or 20 octets as `xx:xx…`, `xx-xx…` or `xxxx.xxxx…`. */
function isMAC(s: string): boolean {
  if (s.length < 14) return false;
  const sizes = [6, 8, 20];
  const hex2 = (t: string): boolean => /^[0-9A-Fa-f]{2}$/.test(t);
  if (s[2] === ':' || s[2] === '-') {
    if ((s.length + 1) % 3 !== 0) return false;
    const n = (s.length + 1) / 3;
    if (!sizes.includes(n)) return false;
    for (let i = 0, x = 0; i < n; i++, x += 3) {
      if (!hex2(s.slice(x, x + 2))) return false;
      if (x + 2 < s.length && s[x + 2] !== s[2]) return false;
    }
    return true;
  }
  if (s[4] === '.') {
    if ((s.length + 1) % 5 !== 0) return false;
    const n = (2 * (s.length + 1)) / 5;
    if (!sizes.includes(n)) return false;
    for (let x = 0; x < s.length; x += 5) {
      if (!hex2(s.slice(x, x + 2)) || !hex2(s.slice(x + 2, x + 4))) return false;
      if (x + 4 < s.length && s[x + 4] !== '.') return false;
    }
    return true;
  }
  return false;
}

// ---- ISBN, credit card (govalidator) ----

function isISBN(s: string, version: 10 | 13): boolean {
  const t = s.replace(/[\s-]+/g, '');
  if (version === 10) {
    if (!/^(?:[0-9]{9}X|[0-9]{10})$/.test(t)) return false;
    let sum = 0;
    for (let i = 0; i < 9; i++) sum += (i + 1) * Number(t[i]);
    sum += t[9] === 'X' ? 100 : 10 * Number(t[9]);
    return sum % 11 === 0;
  }
  if (!/^[0-9]{13}$/.test(t)) return false;
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += (i % 2 === 0 ? 1 : 3) * Number(t[i]);
  return Number(t[12]) - ((10 - (sum % 10)) % 10) === 0;
}

function isCreditCard(s: string): boolean {
  const t = s.replace(/[^0-9]+/g, '');
  if (
    !/^(?:4[0-9]{12}(?:[0-9]{3})?|5[1-5][0-9]{14}|6(?:011|5[0-9][0-9])[0-9]{12}|3[47][0-9]{13}|3(?:0[0-5]|[68][0-9])[0-9]{11}|(?:2131|1800|35\d{3})\d{11})$/.test(
      t,
    )
  )
    return false;
  let sum = 0;
  let double = false;
  for (let i = t.length - 1; i >= 0; i--) {
    let d = Number(t[i]);
    if (double) {
      d *= 2;
      sum += d >= 10 ? (d % 10) + 1 : d;
    } else sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}
