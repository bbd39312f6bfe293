/**
 * What a `prefixRewrite` does to a request path, for the data plane. Envoy joins the rewrite and
 * the rest of the path as strings, so `/foo` → `/` turned `/foo/bar` into `//bar` (Contour #899);
 * we collapse the doubled `/` at the join point only.
 */
export function applyPrefixRewrite(path: string, match: string, rewrite: string): string {
  if (!path.startsWith(match)) return path;
  const rest = path.slice(match.length);
  if (rewrite.endsWith('/') && rest.startsWith('/')) return rewrite + rest.slice(1);
  return rewrite + rest;
}
