/**
 * What `GET /version` reports. The kubectl on these machines is a dispatcher that picks its
 * binary by the server's minor version, so this must look like a real v1.32 server.
 */
export const KUBERNETES_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.5+flotilla',
  gitCommit: '9894294ef13a5b32803e3ca2c0d620a088cc84d1',
  gitTreeState: 'clean',
  buildDate: '2025-05-15T09:00:00Z',
  goVersion: 'go1.23.8',
  compiler: 'gc',
  platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
} as const;
