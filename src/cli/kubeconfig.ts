/** The kubeconfig `flotilla up` writes: the cluster CA, the server URL and the admin token. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { stringify } from 'yaml';

export interface KubeconfigInput {
  server: string;
  caCertPem: string;
  token: string;
  name?: string;
}

export function renderKubeconfig({ server, caCertPem, token, name = 'flotilla' }: KubeconfigInput): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server, 'certificate-authority-data': Buffer.from(caCertPem).toString('base64') } }],
    users: [{ name: `kube-admin-${name}`, user: { token } }],
    contexts: [{ name, context: { cluster: name, user: `kube-admin-${name}`, namespace: 'default' } }],
    'current-context': name,
    preferences: {},
  });
}

export function writeKubeconfig(path: string, input: KubeconfigInput): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, renderKubeconfig(input), { mode: 0o600 });
}
