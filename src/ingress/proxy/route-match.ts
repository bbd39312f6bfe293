/**
 * Which virtual host and which route serve a request, as Envoy matches Contour's route
 * configuration: the Host header (port ignored, case-insensitive) picks the virtual host by exact
 * name, else `*`; the first route in the virtual host's order (regex routes, then prefixes,
 * reverse-lexicographic — so the longest of two nested prefixes comes first) whose regex matches
 * the whole path, or whose prefix starts the path as a plain string, wins.
 */
import type { Route } from '../dag/index.js';

/** `Example.COM:8080` → `example.com`; `[::1]:80` → `[::1]`. */
export function normalizeHost(host: string | undefined): string {
  if (!host) return '';
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end < 0 ? h : h.slice(0, end + 1);
  }
  const colon = h.indexOf(':');
  return colon < 0 ? h : h.slice(0, colon);
}

/** The virtual host for `host`: by exact name, else the `*` host (Envoy's domain `*`). */
export function selectVirtualHost<V>(hosts: ReadonlyMap<string, V>, host: string): V | undefined {
  return hosts.get(host) ?? hosts.get('*');
}

// Compiled once per route; routes are immutable, so a WeakMap keeps the cache off the DAG types.
const regexes = new WeakMap<Route, RegExp | null>();
function regexOf(r: Route): RegExp | null {
  let re = regexes.get(r);
  if (re === undefined) {
    try {
      re = new RegExp(`^(?:${r.match})$`);
    } catch {
      re = null; // Envoy would refuse the route; we never match it.
    }
    regexes.set(r, re);
  }
  return re;
}

/** Whether `r` matches the path (no query string). */
export function routeMatches(r: Route, path: string): boolean {
  if (r.kind === 'RegexRoute') return regexOf(r)?.test(path) ?? false;
  return path.startsWith(r.match);
}

/** The first route, in the virtual host's (Envoy's) order, that matches `path`. */
export function selectRoute(routes: readonly Route[], path: string): Route | undefined;
/** The same over items that carry a route (`routeOf` reads it). */
export function selectRoute<T>(items: readonly T[], path: string, routeOf: (t: T) => Route): T | undefined;
export function selectRoute<T>(items: readonly T[], path: string, routeOf?: (t: T) => Route): T | undefined {
  for (const t of items) if (routeMatches(routeOf ? routeOf(t) : (t as unknown as Route), path)) return t;
  return undefined;
}

/** Splits a request target into path and query (`?…`, kept verbatim for the upstream). */
export function splitTarget(url: string | undefined): { path: string; query: string } {
  const u = url ?? '/';
  const q = u.indexOf('?');
  const path = q < 0 ? u : u.slice(0, q);
  return { path: path === '' ? '/' : path, query: q < 0 ? '' : u.slice(q) };
}
