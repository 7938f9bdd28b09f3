import type { PayBridge } from '../../src/app.js';
import { DOCS_STEPS, NO_SUCH_TRANSACTION, type Answer, type DocsRequest, type Kept } from './scenarios.js';

/** One recorded exchange: the request as sent and what PayBridge answered. */
export interface Recorded {
  name: string;
  request: DocsRequest;
  status: number;
  /** The envelope; absent for an answer that is not JSON (/metrics). */
  answer?: Answer;
  /** A non-JSON answer (an excerpt for /metrics). */
  text?: string;
}

export type RecordedRoutes = Record<string, Recorded[]>;

interface OpenApiDocument {
  paths: Record<string, Record<string, { parameters?: { in: string; name: string }[] }>>;
}

async function send(bridge: PayBridge, request: DocsRequest) {
  const res = await bridge.server.inject({
    method: request.method,
    url: request.url,
    headers: { ...(request.body === undefined ? {} : { 'content-type': 'application/json' }), ...request.headers },
    ...(request.body === undefined ? {} : { payload: JSON.stringify(request.body) }),
  });
  return res;
}

/** The metrics worth showing: the request and transaction counters, not the process's own. */
function metricsExcerpt(text: string): string {
  const shown = /^(# (HELP|TYPE) )?paybridge_(http_requests_total|transactions_total)\b/;
  return text
    .split('\n')
    .filter((line) => shown.test(line))
    .slice(0, 14)
    .join('\n');
}

/**
 * Runs the docs' script against a sandbox PayBridge and records every answer, by route; a step for a
 * route or parameter this PayBridge does not document is left out. A route of
 * the reference that the script does not reach is still asked something — a GET as it is and with a
 * parameter it does not know, anything else with an empty body — so that a route added later shows
 * its real refusals at once; its success example must then be scripted in scenarios.ts.
 */
export async function recordExamples(bridge: PayBridge): Promise<RecordedRoutes> {
  const recorded: RecordedRoutes = {};
  const kept: Kept = {};
  const add = (route: string, entry: Recorded) => void (recorded[route] ??= []).push(entry);
  const spec = (await bridge.server.inject({ method: 'GET', url: '/openapi.json' })).json() as OpenApiDocument;
  const operation = (route: string) => {
    const [verb, path] = route.split(' ') as [string, string];
    return spec.paths[path]?.[verb.toLowerCase()];
  };
  for (const step of DOCS_STEPS) {
    const op = operation(step.route);
    if (!op || step.needs?.some((name) => !op.parameters?.some((p) => p.in === 'query' && p.name === name))) continue;
    const request = step.request(kept);
    const res = await send(bridge, request);
    if (request.url === '/metrics') {
      add(step.route, { name: step.name, request, status: res.statusCode, text: metricsExcerpt(res.body) });
      continue;
    }
    const answer = res.json() as Answer;
    step.keep?.(answer, kept);
    if (!step.setup) add(step.route, { name: step.name, request, status: res.statusCode, answer });
  }

  for (const [path, operations] of Object.entries(spec.paths)) {
    for (const [verb, operation] of Object.entries(operations)) {
      const route = `${verb.toUpperCase()} ${path}`;
      if (recorded[route]) continue;
      const url = path.replace(/\{[^}]+\}/g, NO_SUCH_TRANSACTION);
      const tries: DocsRequest[] =
        verb === 'get'
          ? [{ method: 'GET', url }, ...(operation.parameters?.some((p) => p.in === 'query') ? [{ method: 'GET' as const, url: `${url}?docs_not_a_parameter=1` }] : [])]
          : [{ method: verb.toUpperCase() as 'POST', url, body: {} }];
      for (const request of tries) {
        const res = await send(bridge, request);
        const answer = res.json() as Answer;
        const name = answer.is_success ? 'answer' : `refused (${String(answer.error?.code)})`;
        if (!(recorded[route] ?? []).some((r: Recorded) => r.name === name)) add(route, { name, request, status: res.statusCode, answer });
      }
    }
  }
  return recorded;
}

/** What must stay the same when the script is replayed: the outcome, the code, the shape of data. */
export function shapeOf(entry: Recorded): string {
  if (entry.text !== undefined) return `text:${[...entry.text.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]).join(',')}`;
  const { answer } = entry;
  const keys = (value: unknown): string =>
    Array.isArray(value) ? `[${value.length ? keys(value[0]) : ''}]` : value && typeof value === 'object' ? `{${Object.keys(value).sort().join(',')}}` : typeof value;
  return `${entry.status} ${String(answer?.is_success)} ${String(answer?.error?.code ?? '-')} ${keys(answer?.data)}`;
}
