/**
 * One list of every kind the DAG is built from, for the one-shot commands (`flotilla ingress dag`,
 * `explain`). A kind the server does not serve (the CRDs not installed yet) counts as empty.
 */
import { isNotFound, type Client, type KObject } from '../../runtime/index.js';
import type { IngressSnapshot } from '../dag/index.js';
import { ingressClasses, ingressRoutes, tlsCertificateDelegations } from './kinds.js';
import { kinds } from '../../runtime/index.js';

export async function loadSnapshot(client: Pick<Client, 'list'>): Promise<IngressSnapshot> {
  const list = async <T>(type: Parameters<Client['list']>[0]): Promise<T[]> => {
    try {
      return (await client.list<KObject>(type)).items as T[];
    } catch (e) {
      if (isNotFound(e)) return [];
      throw e;
    }
  };
  const [irs, tlsd, ingresses, classes, services, endpoints, secrets] = await Promise.all([
    list(ingressRoutes), list(tlsCertificateDelegations), list(kinds.ingresses), list(ingressClasses),
    list(kinds.services), list(kinds.endpoints), list(kinds.secrets),
  ]);
  return {
    ingressRoutes: irs as IngressSnapshot['ingressRoutes'],
    tlsCertificateDelegations: tlsd as IngressSnapshot['tlsCertificateDelegations'],
    ingresses: ingresses as IngressSnapshot['ingresses'],
    ingressClasses: classes as IngressSnapshot['ingressClasses'],
    services: services as IngressSnapshot['services'],
    endpoints: endpoints as IngressSnapshot['endpoints'],
    secrets: secrets as IngressSnapshot['secrets'],
  };
}
