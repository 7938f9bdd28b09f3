import type { FastifyInstance } from 'fastify';
import { success } from '../envelope.js';
import { AnyObject, envelope } from '../responses.js';

export interface HealthReport {
  ok: boolean;
  mode: string;
  version: string;
  journal: { engine: string; ok: boolean; detail: string; free_bytes?: number; low_space?: boolean; warning?: string };
  /** Still ready, but someone should look: the journal's disk is low (see journal.low_space_mb). */
  warnings?: string[];
  [more: string]: unknown;
}

export type HealthSource = () => Promise<HealthReport>;

export function registerHealthRoutes(app: FastifyInstance, health: HealthSource): void {
  const schema = {
    summary: 'Is PayBridge ready?',
    description:
      'HTTP 200 when the journal can be written, 503 when not (a full disk, a read-only volume, an I/O error, an unreachable database); data names the mode, the methods and each terminal. A journal whose disk is low but still writes is 200 with `warnings`.',
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
