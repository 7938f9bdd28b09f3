import { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';

/**
 * Reads the console asks for every 2 s, and the probes a monitor asks for: at `info` an idle
 * console tab alone wrote about 130 lines every 30 s. They change nothing, so they are logged at
 * `debug`. GETs not listed here stay at `info`: some of them work a pinpad (a shift close, an
 * X-report, a slip printed again).
 */
const POLLED_READS = new Set([
  '/health',
  '/metrics',
  '/payment/summary',
  '/payment/terminals',
  '/payment/shift-closes',
  '/payment/transactions',
  '/payment/transactions/:transaction_id',
  '/openapi.json',
  '/',
]);

/** The console's and the API reference's own files, and the icon a browser asks for on its own. */
function isStatic(route: string | undefined, path: string): boolean {
  if (route === undefined) return path === '/favicon.ico';
  return route === '/console' || route.startsWith('/console/') || route === '/docs' || route.startsWith('/docs/');
}

function isQuiet(request: FastifyRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  const route = request.routeOptions.url;
  const path = request.url.split('?')[0]!;
  return isStatic(route, path) || (route !== undefined && POLLED_READS.has(route));
}

const failedRequests = new WeakSet<FastifyRequest>();

/**
 * Fastify's request lines (`incoming request`, `request completed`, same fields), at a level chosen
 * per request: polled reads and static files at `debug`; every payment operation, every other
 * request and every request that failed at `info`. Fastify's other lines are left as they are.
 */
export class RequestLogController extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    if (isQuiet(request)) request.log.debug({ req: request }, 'incoming request');
    else request.log.info({ req: request }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error || !isQuiet(request) || failedRequests.has(request) || reply.statusCode >= 400) {
      super.requestCompleted(error, request, reply);
      return;
    }
    reply.log.debug({ res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}

/** Errors answered by the error handler are answers too; the hook lets their request stay at `info`. */
export function markFailedRequests(app: FastifyInstance): void {
  app.addHook('onError', async (request) => {
    failedRequests.add(request);
  });
}
