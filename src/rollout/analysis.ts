/**
 * `--analysis`: HTTP checks against the new colour's pods, Argo Rollouts' pre- and post-promotion
 * analysis in its simplest (web metric) form. A target is a full http(s) URL, in which
 * `$(POD_IP)` (Kubernetes' variable syntax) is replaced by each Ready pod's IP, or `/path` /
 * `:port/path`, requested on every Ready pod at its first containerPort (or the port given). A
 * URL without `$(POD_IP)` is requested once, as given (an ingress, a metrics service). A check
 * passes on a 2xx answer within the timeout.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface AnalysisPod {
  readonly name: string;
  readonly ip: string;
  /** The first containerPort of its first container, if any. */
  readonly port?: number;
}

export interface AnalysisCheck {
  readonly url: string;
  readonly pod?: string;
}

export interface AnalysisResult extends AnalysisCheck {
  readonly ok: boolean;
  /** `200 OK`, `503 Service Unavailable`, or the connection error. */
  readonly detail: string;
}

/** The requests the targets mean for these pods, in target order then pod order. */
export function analysisChecks(targets: readonly string[], pods: readonly AnalysisPod[]): AnalysisCheck[] {
  const checks: AnalysisCheck[] = [];
  for (const t of targets) {
    const rel = /^(?::(\d{1,5}))?(\/\S*)$/.exec(t);
    if (rel) {
      for (const p of pods) checks.push({ url: `http://${p.ip}:${rel[1] ?? p.port ?? 80}${rel[2]}`, pod: p.name });
    } else if (t.includes('$(POD_IP)')) {
      for (const p of pods) checks.push({ url: t.replaceAll('$(POD_IP)', p.ip), pod: p.name });
    } else {
      checks.push({ url: t });
    }
  }
  return checks;
}

/** One GET; resolves with the verdict, never rejects. */
export function httpCheck(check: AnalysisCheck, timeoutMs = 5000): Promise<AnalysisResult> {
  return new Promise((resolve) => {
    const url = new URL(check.url);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, { method: 'GET', timeout: timeoutMs, agent: false }, (res) => {
      res.resume();
      res.on('end', () => {
        const code = res.statusCode ?? 0;
        resolve({ ...check, ok: code >= 200 && code < 300, detail: `${code} ${res.statusMessage ?? ''}`.trim() });
      });
      res.on('error', (e) => resolve({ ...check, ok: false, detail: e.message }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (e) => resolve({ ...check, ok: false, detail: e.message }));
    req.end();
  });
}
