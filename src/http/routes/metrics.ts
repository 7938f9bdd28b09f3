import { Type } from '../../lib/typebox.js';
import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../../metrics/metrics.js';

declare module 'fastify' {
  interface FastifyRequest {
    outcome?: string;
  }
}

/** Reads the envelope's error code from the start of an answer without parsing it all. */
const ERROR_CODE = /^\{"data":null,"error":\{"code":(\d+)/;

/** `GET /metrics` (Prometheus text format) and the hooks that count every request. */
export function registerMetrics(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onSend', async (request, _reply, payload) => {
    if (typeof payload === 'string') {
      const code = ERROR_CODE.exec(payload.slice(0, 48))?.[1];
      request.outcome = code ? `error_${code}` : 'ok';
    }
    return payload;
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const labels = { route, method: request.method };
    metrics.httpRequests.inc({ ...labels, outcome: request.outcome ?? (reply.statusCode < 400 ? 'ok' : `http_${reply.statusCode}`) });
    metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
  });

  app.get(
    '/metrics',
    {
      schema: {
        summary: 'Prometheus metrics',
        description:
          'Requests by route and outcome, transactions by method and status, Click/Payme call and pinpad operation latency, open (pending/unknown) transactions, terminal queue depth, fiscal hand-offs pending, and the process (paybridge_process_*, paybridge_nodejs_*).',
        tags: ['service'],
        produces: ['text/plain'],
        response: { 200: Type.String({ description: 'Prometheus text exposition format 0.0.4.' }) },
      },
    },
    async (_request, reply) => {
      reply.header('content-type', metrics.registry.contentType);
      return metrics.exposition();
    },
  );
}
