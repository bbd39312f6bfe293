/**
 * Ready endpoints of Services, from Endpoints or EndpointSlices. They are not part of the DAG's
 * shape (Contour serves them over EDS, apart from routes), so changing them never rebuilds a host.
 */
import type { Endpoints } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { ServiceEndpoints } from './types.js';

/** Addresses `ip:port` by endpoint port name ('' when unnamed), from an Endpoints object. */
export function fromEndpoints(ep: Endpoints): ServiceEndpoints {
  const ports: Record<string, string[]> = {};
  for (const subset of ep.subsets ?? []) {
    for (const p of subset.ports ?? []) {
      const list = (ports[p.name ?? ''] ??= []);
      for (const a of subset.addresses ?? []) list.push(`${a.ip}:${p.port}`);
    }
  }
  for (const list of Object.values(ports)) list.sort();
  return { ports };
}

/** The same from all the EndpointSlices of one Service; endpoints not ready are left out. */
export function fromEndpointSlices(slices: Iterable<EndpointSlice>): ServiceEndpoints {
  const ports: Record<string, string[]> = {};
  for (const s of slices) {
    for (const p of s.ports ?? []) {
      const list = (ports[p.name ?? ''] ??= []);
      for (const e of s.endpoints ?? []) {
        if (e.conditions?.ready === false) continue;
        for (const addr of e.addresses ?? []) list.push(s.addressType === 'IPv6' ? `[${addr}]:${p.port}` : `${addr}:${p.port}`);
      }
    }
  }
  for (const list of Object.values(ports)) list.sort();
  return { ports };
}
