/**
 * Every status description the builder writes, spelled as Contour spells it (spec §4.8) or, for
 * our fixes, as §4.9 fixes it. Tests match these strings exactly; keep them in one place.
 */
import { goQuote as q } from '../../apimachinery/go-format.js';

export const VALID = 'valid IngressRoute';
export const ORPHANED = 'this IngressRoute is not part of a delegation chain from a root IngressRoute';
export const ROOT_NAMESPACE = 'root IngressRoute cannot be defined in this namespace';
export const FQDN_REQUIRED = 'Spec.VirtualHost.Fqdn must be specified';
export const ROOT_TO_ROOT = 'root ingressroute cannot delegate to another root ingressroute';
export const TCP_SERVICES_AND_DELEGATE = 'tcpproxy: cannot specify services and delegate in the same tcpproxy';

export const fqdnConflict = (fqdn: string, keys: readonly string[]): string =>
  `fqdn ${q(fqdn)} is used in multiple IngressRoutes: ${[...keys].sort().join(', ')}`;
export const fqdnWildcard = (fqdn: string): string => `Spec.VirtualHost.Fqdn ${q(fqdn)} cannot use wildcards`;
export const tlsSecretInvalid = (secretName: string): string => `TLS Secret [${secretName}] not found or is malformed`;
export const tlsDelegationNotPermitted = (secretName: string): string => `${secretName}: certificate delegation not permitted`;
export const servicesAndDelegate = (match: string): string =>
  `route ${q(match)}: cannot specify services and delegate in the same route`;
export const websocketsWithServices = (match: string): string =>
  `route ${q(match)}: cannot specify multiple services and enable websockets`;
export const prefixMismatch = (match: string, parent: string): string =>
  `the path prefix ${q(match)} does not match the parent's path prefix ${q(parent)}`;
export const badPort = (match: string, service: string): string =>
  `route ${q(match)}: service ${q(service)}: port must be in the range 1-65535`;
export const negativeWeight = (match: string, service: string): string =>
  `route ${q(match)}: service ${q(service)}: weight must be greater than or equal to zero`;
export const serviceMissing = (service: string, port: number | string): string => `Service [${service}:${port}] is invalid or missing`;
export const caSecretMissing = (match: string, service: string): string =>
  `route ${q(match)}: service ${q(service)}: upstreamValidation requested but secret not found or misconfigured`;
export const subjectNameMissing = (match: string, service: string): string =>
  `route ${q(match)}: service ${q(service)}: upstreamValidation requested but subject alt name not found or misconfigured`;
export const routeCycle = (path: readonly string[]): string => `route creates a delegation cycle: ${path.join(' -> ')}`;
export const tcpCycle = (path: readonly string[]): string => `tcpproxy creates a delegation cycle: ${path.join(' -> ')}`;
export const tcpServiceMissing = (namespace: string, service: string, port: number | string): string =>
  `tcpproxy: service ${namespace}/${service}/${port}: not found`;
/** Flotilla (§4.9, upstream #510): a missing delegate is reported on the parent. */
export const delegateNotFound = (match: string, target: string): string => `route ${q(match)}: delegate ${target} not found`;
export const tcpDelegateNotFound = (target: string): string => `tcpproxy: delegate ${target} not found`;
/** Flotilla (§4.5): upstream dereferences a nil tcpproxy here. */
export const tcpDelegateHasNoTcpProxy = (target: string): string => `tcpproxy: delegate ${target} has no tcpproxy`;
