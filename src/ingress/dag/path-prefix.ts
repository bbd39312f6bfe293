/**
 * Contour's `matchesPathPrefix`: prefixes compare by whole path segments, so a delegate given
 * `/foo` may serve `/foo` and `/foo/bar` but never `/foobar` (spec §4.4).
 */
export function matchesPathPrefix(path: string, prefix: string): boolean {
  if (prefix === '') return true;
  if (path === '') return false;
  const p = prefix.endsWith('/') ? prefix : `${prefix}/`;
  const q = path.endsWith('/') ? path : `${path}/`;
  return q.startsWith(p);
}
