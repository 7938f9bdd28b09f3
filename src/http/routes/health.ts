import type { FastifyInstance } from 'fastify';
import { success } from '../envelope.js';
import { AnyObject, envelope } from '../responses.js';

export interface HealthReport {
  ok: boolean;
  mode: string;
  version: string;
  journal: { engine: string; ok: boolean; detail: string };
  [more: string]: unknown;
}

export type HealthSource = () => Promise<HealthReport>;

export function registerHealthRoutes(app: FastifyInstance, health: HealthSource): void {
  const schema = {
    summary: 'Is PayBridge ready?',
    description: 'HTTP 200 when the journal can be written, 503 when not; data names the mode, the methods and each terminal.',
    tags: ['service'],
    response: {
      200: envelope(AnyObject, { ok: true, mode: 'sandbox', version: '0.1.0', journal: { engine: 'sqlite', ok: true, detail: 'ok' } }, 'Ready.'),
      503: envelope(
        AnyObject,
        { ok: false, mode: 'sandbox', version: '0.1.0', journal: { engine: 'sqlite', ok: false, detail: 'disk I/O error' } },
        'The journal cannot be written: no payment can start. (Written by hand: the sandbox is not made to fail this way for the recorded examples.)',
      ),
    },
  };
  app.get('/health', { schema }, async (_request, reply) => {
    const report = await health();
    // Load balancers read the status code; the till-facing envelope is there for people.
    return reply.code(report.ok ? 200 : 503).send(success(report));
  });
}
