/**
 * Access log lines as Contour's Envoy writes them: Envoy's default format
 *
 *   [%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE%
 *   %RESPONSE_FLAGS% %BYTES_RECEIVED% %BYTES_SENT% %DURATION% %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)%
 *   "%REQ(X-FORWARDED-FOR)%" "%REQ(USER-AGENT)%" "%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%"
 *
 * with `-` for every value not set, or Contour's JSON format (`--accesslog-format=json`) with its
 * field names. Pure: an entry in, a line out.
 */

export type AccessLogFormat = 'envoy' | 'json';

/** Envoy's response flags the proxy can raise (no flag prints `-`). */
export type ResponseFlag = 'NR' | 'UH' | 'UF' | 'UT' | 'UC' | 'DC' | 'URX';

export interface AccessLogEntry {
  readonly startMs: number;
  readonly method: string;
  /** The path as the client sent it (before any prefix rewrite), query included. */
  readonly path: string;
  readonly protocol: string;
  /** 0 when no response began (the client went away first). */
  readonly status: number;
  readonly flags: readonly ResponseFlag[];
  readonly bytesReceived: number;
  readonly bytesSent: number;
  readonly durationMs: number;
  readonly upstreamServiceTimeMs?: number;
  readonly forwardedFor?: string;
  readonly userAgent?: string;
  readonly requestId?: string;
  readonly authority?: string;
  readonly upstreamHost?: string;
  readonly upstreamCluster?: string;
  readonly downstreamRemoteAddress?: string;
}

/** The order Envoy prints flags in (its enum's). */
const FLAG_ORDER: readonly ResponseFlag[] = ['UH', 'UT', 'UF', 'UC', 'NR', 'DC', 'URX'];

const dash = (v: string | number | undefined): string => (v === undefined || v === '' ? '-' : String(v));

/** One line (with its newline) in `format`. */
export function accessLogLine(e: AccessLogEntry, format: AccessLogFormat): string {
  const flags = e.flags.length ? FLAG_ORDER.filter((f) => e.flags.includes(f)).join(',') : '-';
  if (format === 'json') {
    const fields: Record<string, string | number> = { '@timestamp': new Date(e.startMs).toISOString() };
    const put = (k: string, v: string | number | undefined) => {
      if (v !== undefined && v !== '') fields[k] = v;
    };
    put('authority', e.authority);
    put('bytes_received', e.bytesReceived);
    put('bytes_sent', e.bytesSent);
    put('downstream_remote_address', e.downstreamRemoteAddress);
    put('duration', e.durationMs);
    put('method', e.method);
    put('path', e.path);
    put('protocol', e.protocol);
    put('request_id', e.requestId);
    put('response_code', e.status);
    put('response_flags', flags);
    put('upstream_cluster', e.upstreamCluster);
    put('upstream_host', e.upstreamHost);
    put('upstream_service_time', e.upstreamServiceTimeMs);
    put('user_agent', e.userAgent);
    put('x_forwarded_for', e.forwardedFor);
    return `${JSON.stringify(fields)}\n`;
  }
  return (
    `[${new Date(e.startMs).toISOString()}] "${e.method} ${e.path} ${e.protocol}" ${e.status} ${flags} ` +
    `${e.bytesReceived} ${e.bytesSent} ${e.durationMs} ${dash(e.upstreamServiceTimeMs)} ` +
    `"${dash(e.forwardedFor)}" "${dash(e.userAgent)}" "${dash(e.requestId)}" "${dash(e.authority)}" "${dash(e.upstreamHost)}"\n`
  );
}
