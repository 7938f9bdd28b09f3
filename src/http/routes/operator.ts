import type { FastifyInstance } from 'fastify';
import type { ServerDependencies } from '../server.js';

/** Endpoints for the shop's manager and the CLI: totals, terminals, reconciliations, refunds. */
export function registerOperatorRoutes(_app: FastifyInstance, _deps: ServerDependencies): void {
  // Filled in by the console work (issue #6).
}
