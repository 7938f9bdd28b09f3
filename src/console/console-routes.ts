import type { FastifyInstance } from 'fastify';

/** The manager's console: static files served by PayBridge itself, no CDN. */
export function registerConsole(_app: FastifyInstance): void {
  // Filled in by the console work (issue #6).
}
