import type { FastifyInstance } from 'fastify';
import { success } from '../envelope.js';

export interface HealthReport {
  ok: boolean;
  mode: string;
  version: string;
  journal: { engine: string; ok: boolean; detail: string };
  [more: string]: unknown;
}

export type HealthSource = () => Promise<HealthReport>;

export function registerHealthRoutes(app: FastifyInstance, health: HealthSource): void {
  app.get('/health', async (_request, reply) => {
    const report = await health();
    // Load balancers read the status code; the till-facing envelope is there for people.
    return reply.code(report.ok ? 200 : 503).send(success(report));
  });
}
