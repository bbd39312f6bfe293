/**
 * Turns a request path into what it addresses, as apiserver's RequestInfoFactory does:
 * discovery documents, or a resource (collection, item, subresource) in a group-version.
 */

export type RequestTarget =
  | { type: 'core-versions' } // GET /api
  | { type: 'groups' } // GET /apis
  | { type: 'group'; group: string } // GET /apis/<g>
  | { type: 'resource-list'; group: string; version: string } // GET /api/v1, /apis/<g>/<v>
  | {
      type: 'resource';
      group: string;
      version: string;
      namespace?: string;
      plural: string;
      name?: string;
      subresource?: string;
    };

export function parseRequestPath(pathname: string): RequestTarget | undefined {
  const parts = pathname.split('/').filter((p) => p !== '').map(decodeURIComponent);
  if (parts.length === 0) return undefined;
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api') {
    if (parts.length === 1) return { type: 'core-versions' };
    group = '';
    version = parts[1];
    rest = parts.slice(2);
  } else if (parts[0] === 'apis') {
    if (parts.length === 1) return { type: 'groups' };
    if (parts.length === 2) return { type: 'group', group: parts[1] };
    group = parts[1];
    version = parts[2];
    rest = parts.slice(3);
  } else {
    return undefined;
  }
  if (rest.length === 0) return { type: 'resource-list', group, version };

  if (rest[0] === 'namespaces' && rest.length >= 2) {
    const namespace = rest[1];
    if (rest.length === 2) return { type: 'resource', group, version, plural: 'namespaces', name: namespace };
    // /namespaces/<ns>/status and /namespaces/<ns>/finalize are the namespace's own subresources.
    if (rest.length === 3 && group === '' && (rest[2] === 'status' || rest[2] === 'finalize')) {
      return { type: 'resource', group, version, plural: 'namespaces', name: namespace, subresource: rest[2] };
    }
    if (rest.length > 5) return undefined;
    return { type: 'resource', group, version, namespace, plural: rest[2], name: rest[3], subresource: rest[4] };
  }
  if (rest.length > 3) return undefined;
  return { type: 'resource', group, version, plural: rest[0], name: rest[1], subresource: rest[2] };
}
