/**
 * Request and response headers across the proxy: hop-by-hop headers stay on their hop (RFC 9110
 * §7.6.1), `x-forwarded-for`/`-proto` say where the request came from, and every forwarded
 * request gets Contour's `x-request-start: t=<seconds>.<millis>` appended.
 */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authenticate', 'proxy-authorization']);

const NO_TOKENS: ReadonlySet<string> = new Set();

function connectionTokens(h: IncomingHttpHeaders): ReadonlySet<string> {
  const c = h.connection;
  if (c === undefined) return NO_TOKENS;
  return new Set((Array.isArray(c) ? c.join(',') : c ?? '').split(',').map((t) => t.trim().toLowerCase()).filter(Boolean));
}

/** `x-request-start` as Envoy's `t=%START_TIME(%s.%3f)%`. */
export function requestStart(ms: number): string {
  return `t=${Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, '0')}`;
}

/** Headers for the upstream request; `keepUpgrade` keeps `connection`/`upgrade` for websockets. */
export function upstreamRequestHeaders(
  h: IncomingHttpHeaders,
  opts: { remoteAddress?: string; proto: 'http' | 'https'; startMs: number; keepUpgrade?: boolean; cookie?: string },
): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  const drop = connectionTokens(h);
  for (const [k, v] of Object.entries(h)) {
    // `Expect: 100-continue` is answered by the proxy itself, as Envoy does by default.
    if (v === undefined || k === 'expect') continue;
    if ((HOP_BY_HOP.has(k) || drop.has(k)) && !(opts.keepUpgrade && (k === 'connection' || k === 'upgrade'))) continue;
    out[k] = v;
  }
  const xff = h['x-forwarded-for'];
  out['x-forwarded-for'] = opts.remoteAddress ? (xff ? `${xff}, ${opts.remoteAddress}` : opts.remoteAddress) : xff;
  if (out['x-forwarded-for'] === undefined) delete out['x-forwarded-for'];
  out['x-forwarded-proto'] = opts.proto;
  const start = requestStart(opts.startMs);
  const prev = h['x-request-start'];
  out['x-request-start'] = prev === undefined ? start : [...(Array.isArray(prev) ? prev : [prev]), start];
  if (opts.cookie) out.cookie = h.cookie ? `${h.cookie}; ${opts.cookie}` : opts.cookie;
  return out;
}

/** Headers of the upstream's response for the client. */
export function downstreamResponseHeaders(h: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  const drop = connectionTokens(h);
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined || HOP_BY_HOP.has(k) || drop.has(k)) continue;
    out[k] = v;
  }
  return out;
}

export const AFFINITY_COOKIE = 'X-Contour-Session-Affinity';

/** The value of the session-affinity cookie, if the client sent one. */
export function affinityCookie(h: IncomingHttpHeaders): string | undefined {
  const c = h.cookie;
  if (!c) return undefined;
  for (const part of c.split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    if (part.slice(0, i).trim() === AFFINITY_COOKIE) return part.slice(i + 1).trim().replace(/^"|"$/g, '');
  }
  return undefined;
}
