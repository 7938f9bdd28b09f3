import { createHash, timingSafeEqual } from 'node:crypto';
import { posix } from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { unauthorized } from '../payments/errors.js';

/**
 * Route patterns anyone may read: the console's own files (its API calls carry the token), the API
 * reference, the health probe. Decided on the route the router matched, never on the URL's text: a
 * prefix test let `/console/../payment/transactions` through to the handler that happened to serve it.
 * A request that matched no route (`routeOptions.url` undefined) is not open either.
 */
function isOpenRoute(route: string | undefined): boolean {
  if (route === undefined) return false;
  return route === '/' || route === '/health' || route === '/openapi.json' || /^\/(?:console|docs)(?:\/.*)?$/.test(route);
}

/**
 * The path as sent, percent-decoded, is already in normal form: no `.`/`..` segment, no empty
 * segment, no backslash. The static-file wildcards (`/console/*`, `/docs/*`) match anything under
 * their prefix, so a path that only looks like it is under the prefix must not count as open.
 */
function isCanonical(rawUrl: string): boolean {
  const path = rawUrl.split('?')[0]!;
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return false;
  }
  return decoded.startsWith('/') && !/[\\\0]/.test(decoded) && posix.normalize(decoded) === decoded && !/\/\.\.?$/.test(decoded);
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/**
 * With an API token configured, every request but the open routes must carry
 * `Authorization: Bearer <token>`. Digests of equal length are compared in constant time, so the
 * answer's timing says nothing about how much of a guess was right.
 */
export function requireBearerToken(app: FastifyInstance, token: string): void {
  const expected = digest(token);
  const isOpen = (request: FastifyRequest) =>
    (request.method === 'GET' || request.method === 'HEAD') && isOpenRoute(request.routeOptions.url) && isCanonical(request.raw.url ?? '');
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
