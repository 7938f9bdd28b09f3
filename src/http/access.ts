import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { unauthorized } from '../payments/errors.js';

/** Paths anyone may read: the console's own files (its API calls carry the token), the API reference, the health probe. */
const OPEN_PATHS = [/^\/$/, /^\/console(\/|$)/, /^\/docs(\/|$)/, /^\/openapi\.json$/, /^\/health$/, /^\/favicon\.ico$/];

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/**
 * With an API token configured, every request but the open paths must carry
 * `Authorization: Bearer <token>`. Digests of equal length are compared in constant time, so the
 * answer's timing says nothing about how much of a guess was right.
 */
export function requireBearerToken(app: FastifyInstance, token: string): void {
  const expected = digest(token);
  const isOpen = (request: FastifyRequest) => {
    const path = request.url.split('?')[0]!;
    return (request.method === 'GET' || request.method === 'HEAD') && OPEN_PATHS.some((p) => p.test(path));
  };
  app.addHook('onRequest', async (request, reply) => {
    if (request.method === 'OPTIONS' || isOpen(request)) return;
    const header = request.headers.authorization ?? '';
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
    if (match && timingSafeEqual(digest(match[1]!), expected)) return;
    reply.header('www-authenticate', 'Bearer realm="paybridge"');
    reply.code(401);
    throw unauthorized(header === '' ? 'missing' : 'wrong');
  });
}
