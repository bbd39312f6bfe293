/**
 * One webhook call over HTTPS: POST the AdmissionReview, verify the server against the
 * configuration's caBundle, give up at the timeout. Failures are Errors worded as Go's HTTP
 * client words them (`Post "https://…?timeout=10s": context deadline exceeded`), since kube puts
 * that text in front of the user.
 */
import { Agent, request } from 'node:https';
import { isIP } from 'node:net';
import { rootCertificates } from 'node:tls';

export interface CallTarget {
  /** The URL as kube shows it in errors (for a service: `https://<name>.<ns>.svc:<port><path>`), with `?timeout=`. */
  url: string;
  /** Where to connect (a ready endpoint for a service; the URL's host otherwise). */
  host: string;
  port: number;
  /** The name the certificate must carry. */
  servername: string;
  /** PEM, or undefined for the system roots. */
  ca?: string;
}

/** Connections are kept alive per CA, so a matched webhook costs one request, not a handshake. */
const agents = new Map<string, Agent>();

function agentFor(ca: string | undefined): Agent {
  const key = ca ?? '';
  let agent = agents.get(key);
  if (!agent) {
    agent = new Agent({ keepAlive: true, maxSockets: 64, ca: ca ?? [...rootCertificates] });
    agents.set(key, agent);
  }
  return agent;
}

/** Go's wording of common Node socket and TLS errors. */
export function goNetError(e: NodeJS.ErrnoException & { host?: string; reason?: string }, host: string, port: number): string {
  const addr = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  switch (e.code) {
    case 'ECONNREFUSED':
      return `dial tcp ${addr}: connect: connection refused`;
    case 'ECONNRESET':
      return 'EOF';
    case 'EHOSTUNREACH':
      return `dial tcp ${addr}: connect: no route to host`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `dial tcp: lookup ${host}: no such host`;
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'UNABLE_TO_GET_ISSUER_CERT':
      return 'tls: failed to verify certificate: x509: certificate signed by unknown authority';
    case 'CERT_HAS_EXPIRED':
      return 'tls: failed to verify certificate: x509: certificate has expired or is not yet valid';
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `tls: failed to verify certificate: ${hostnameError(e as NodeJS.ErrnoException & { host?: string; cert?: { subjectaltname?: string } })}`;
    default:
      return e.message;
  }
}

/** Go's x509.HostnameError wording, from the certificate Node hands back. */
function hostnameError(e: { host?: string; cert?: { subjectaltname?: string } }): string {
  const host = e.host ?? '';
  const sans = (e.cert?.subjectaltname ?? '').split(', ').filter(Boolean);
  const ips = sans.filter((n) => n.startsWith('IP Address:')).map((n) => n.slice('IP Address:'.length));
  const dns = sans.filter((n) => n.startsWith('DNS:')).map((n) => n.slice('DNS:'.length));
  if (isIP(host)) {
    if (ips.length === 0) return `x509: cannot validate certificate for ${host} because it doesn't contain any IP SANs`;
    return `x509: certificate is valid for ${ips.join(', ')}, not ${host}`;
  }
  if (dns.length === 0) return `x509: certificate is not valid for any names, but wanted to match ${host}`;
  return `x509: certificate is valid for ${dns.join(', ')}, not ${host}`;
}

/** What the rest client says of a non-2xx answer without a Status body. */
function statusText(code: number): string {
  switch (code) {
    case 404:
      return 'the server could not find the requested resource';
    case 401:
      return 'Unauthorized';
    case 403:
      return 'Forbidden';
    default:
      return `the server responded with the status code ${code} but did not return more information`;
  }
}

/** POST the body; resolve with the parsed JSON answer, or reject with a Go-worded Error. */
export function postReview(target: CallTarget, body: string, timeoutMs: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const u = new URL(target.url);
    const fail = (why: string) => reject(new Error(`Post "${target.url}": ${why}`));
    const req = request(
      {
        method: 'POST',
        host: target.host,
        port: target.port,
        path: `${u.pathname}${u.search}`,
        ...(target.servername && !isIP(target.servername) ? { servername: target.servername } : {}),
        agent: agentFor(target.ca),
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json, */*',
          'Content-Length': Buffer.byteLength(body),
          Host: u.host,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e) => fail(e.message));
        res.on('end', () => {
          clearTimeout(timer);
          const text = Buffer.concat(chunks).toString('utf8');
          const code = res.statusCode ?? 0;
          if (code < 200 || code > 299) {
            // The rest client turns a Status body into its message, anything else into a generic line.
            try {
              const status = JSON.parse(text) as { kind?: string; message?: string };
              if (status.kind === 'Status' && status.message) return reject(new Error(status.message));
            } catch {
              /* not a Status */
            }
            return reject(new Error(statusText(code)));
          }
          try {
            resolve(JSON.parse(text));
          } catch (e) {
            reject(new Error(`couldn't get version/kind; json parse error: ${text.trim() === '' ? 'unexpected end of JSON input' : (e as Error).message}`));
          }
        });
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      fail('context deadline exceeded');
    }, timeoutMs);
    req.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      fail(goNetError(e, target.host, target.port));
    });
    req.end(body);
  });
}
