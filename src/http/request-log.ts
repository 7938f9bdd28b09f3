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

/** The envelope a request was answered with, kept by reference for its log line (no copy is made). */
const ANSWER = Symbol('paybridge.answer');
type Answered = FastifyRequest & { [ANSWER]?: { is_success?: unknown; data?: unknown; error?: unknown } };

/** What a request's answer says of the operation, for its line: its id, success, and error code. */
function outcomeOf(request: Answered): Record<string, unknown> {
  const answer = request[ANSWER];
  if (!answer || typeof answer.is_success !== 'boolean') return {};
  const data = answer.data as { transaction_id?: unknown; transaction_status?: unknown } | null;
  const error = answer.error as { code?: unknown; transaction_id?: unknown; transaction_status?: unknown } | null;
  const id = data?.transaction_id ?? error?.transaction_id;
  const status = data?.transaction_status ?? error?.transaction_status;
  return {
    is_success: answer.is_success,
    ...(typeof id === 'string' ? { transaction_id: id } : {}),
    ...(typeof status === 'string' ? { transaction_status: status } : {}),
    ...(error && typeof error.code === 'number' ? { error_code: error.code } : {}),
  };
}

/**
 * One line per request, when it is answered (`request completed`: the request, the HTTP status, the
 * time it took, and what its answer says of the operation: transaction id, success, error code), at a
 * level chosen per request: polled reads and static files at `debug`; every payment operation, every
 * other request and every request that failed at `info`. The arrival is a `debug` line: a payment
 * still under way is in the journal from its first step, and in /metrics. Fastify's other lines are
 * left as they are.
 */
export class RequestLogController extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (completed.has(request)) return;
    completed.add(request);
    if (error) {
      super.requestCompleted(error, request, reply);
      return;
    }
    writeCompleted(request, reply, {});
  }
}

/** Requests whose line is written: one line per request, whichever way it ended. */
const completed = new WeakSet<FastifyRequest>();

function writeCompleted(request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown>): void {
  const fields = { req: request, res: reply, responseTime: reply.elapsedTime, ...outcomeOf(request as Answered), ...extra };
  if (!isQuiet(request) || failedRequests.has(request) || reply.statusCode >= 400 || extra.answer_delivered === false) reply.log.info(fields, 'request completed');
  else reply.log.debug(fields, 'request completed');
}

/**
 * The line of a request whose till hung up before its answer could be written. Fastify writes its
 * line only when the answer has been handed to the socket, so an operation that outlived its till's
 * patience — a card payment while the customer is at the pinpad, most often — was done without any
 * line at `info`. It is written, with what the operation came to, and `answer_delivered: false`.
 */
function lineWhenUndelivered(request: FastifyRequest, reply: FastifyReply): void {
  const write = () => {
    if (completed.has(request) || reply.raw.writableFinished) return;
    completed.add(request);
    writeCompleted(request, reply, { answer_delivered: false });
  };
  if (reply.raw.destroyed || request.raw.socket?.destroyed) write();
  else reply.raw.once('close', write);
}

/**
 * Errors answered by the error handler are answers too; the hook lets their request stay at `info`.
 * Each answer's envelope is kept with its request for the request's line.
 */
export function markFailedRequests(app: FastifyInstance): void {
  app.addHook('onError', async (request) => {
    failedRequests.add(request);
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    lineWhenUndelivered(request, reply);
    done(null, payload);
  });
  app.addHook('preSerialization', (request, _reply, payload, done) => {
    if (payload !== null && typeof payload === 'object') (request as Answered)[ANSWER] = payload as Answered[typeof ANSWER];
    done(null, payload);
  });
}
