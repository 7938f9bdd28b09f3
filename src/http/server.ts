import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifySchemaValidationError } from 'fastify';
import type { Logger } from 'pino';
import { InvalidCursorError, JournalUnavailableError } from '../payments/ports/journal.js';
import { JsonDuplicateKeyError, JsonSyntaxError, parseLenientJson } from '../lib/lenient-json.js';
import { internalError, invalidRequest, journalUnavailable, PayBridgeError } from '../payments/errors.js';
import { failure } from './envelope.js';
import { registerHealthRoutes, type HealthSource } from './routes/health.js';
import { registerQrPaymentRoutes } from './routes/qr-payments.js';
import type { FiscalHandoffService } from '../payments/fiscal-handoff.js';
import type { QrPaymentService } from '../payments/qr-payment-service.js';
import type { CardPaymentService } from '../payments/card-payment-service.js';
import { registerCardRoutes } from './routes/card-payments.js';
import type { IdempotencyService } from '../payments/idempotency.js';
import type { RecoveryService } from '../payments/recovery.js';
import { idempotentHandler } from './idempotent.js';
import { registerTransactionRoutes } from './routes/transactions.js';
import { registerOperatorRoutes } from './routes/operator.js';
import { registerConsole } from '../console/console-routes.js';
import type { RequestLimits } from './schemas.js';
import type { Journal } from '../payments/ports/journal.js';
import type { Language } from '../i18n/language.js';
import { negotiateLanguage } from './language.js';
import { requireBearerToken } from './access.js';
import { registerOpenApi } from './openapi.js';
import type { Metrics } from '../metrics/metrics.js';
import type { OperatorService } from '../payments/operator-service.js';
import { registerMetrics } from './routes/metrics.js';
import { registerWalletReconciliationRoutes } from './routes/wallet-reconciliation.js';
import type { WalletReconciliation } from '../payments/wallet-reconciliation.js';
import type { Discrepancy } from '../payments/wallet-records.js';
import { registerUnconfiguredProviderRoutes } from './routes/unconfigured-providers.js';
import { registerJournalExportRoute } from './routes/journal-export.js';
import { escapeRegExp } from '../lib/escape-regexp.js';
import { markFailedRequests, RequestLogController } from './request-log.js';

export interface ServerDependencies {
  logger: Logger;
  journal: Journal;
  payments: QrPaymentService;
  fiscal: FiscalHandoffService;
  cards: CardPaymentService;
  idempotency: IdempotencyService;
  recovery: RecoveryService;
  shopInn: string | undefined;
  health: HealthSource;
  limits: RequestLimits;
  bodyLimitBytes: number;
  /** Headers and body must have arrived whole within this (Node's requestTimeout); handling is not counted. */
  requestTimeoutMs: number;
  /** Language of cashiers' messages when a request asks for none. */
  language: Language;
  /** When set, every request but the open paths needs `Authorization: Bearer <token>`. */
  apiToken: string | undefined;
  /** Browser origins allowed to call PayBridge; empty: no CORS headers at all. */
  corsOrigins: string[];
  metrics: Metrics;
  operator: OperatorService;
  mode: string;
  /** The shop's IANA time zone (shop.timezone): its days in the date filters, the console's clock. */
  timezone: string;
  walletReconciliation: WalletReconciliation;
  reconciliationAnswerWithinMs: number;
  /** The differences of the recent days' wallet reconciliations (the console's attention banner). */
  recentDiscrepancies: () => Promise<readonly Discrepancy[]>;
}

interface AjvError extends FastifySchemaValidationError {
  keyword: string;
  params: Record<string, unknown>;
  parentSchema?: Record<string, unknown>;
}

function fieldOf(error: AjvError, context: string): string {
  const path = error.instancePath.split('/').filter(Boolean).join('.');
  if (error.keyword === 'required') return [path, String(error.params.missingProperty)].filter(Boolean).join('.');
  if (error.keyword === 'additionalProperties') return [path, String(error.params.additionalProperty)].filter(Boolean).join('.');
  return path || context;
}

/** Turns validation errors into one line per bad field, e.g. "amount: must be a positive integer number of tiyin". */
export function describeValidation(errors: FastifySchemaValidationError[], context: string): string[] {
  // One line per field. A rule written for the field (x-error) beats ajv's wording, which for a
  // union would only say which branch failed.
  const byField = new Map<string, { why: string; written: boolean }>();
  for (const raw of errors as AjvError[]) {
    const field = fieldOf(raw, context);
    const written = raw.parentSchema?.['x-error'] as string | undefined;
    let why: string;
    if (raw.keyword === 'required') why = 'is required';
    else if (raw.keyword === 'additionalProperties') why = 'is not a known parameter';
    else why = written ?? raw.message ?? 'is invalid';
    const known = byField.get(field);
    if (!known || (!known.written && written !== undefined)) byField.set(field, { why, written: written !== undefined || raw.keyword === 'required' });
  }
  return [...byField].map(([field, { why }]) => `${field}: ${why}`);
}

/**
 * A payment path as FiscalBox's clients send it → the route PayBridge serves it on. FiscalBox's
 * documentation prints some paths with a trailing slash (`/payment/xumo_shortreport/`) and its tills
 * send others that way too (`/payment/click/`); one version of it (Payment.md, July 2024) spelled the
 * close paths with a Cyrillic «с» (U+0441), which an HTTP client copying it sends percent-encoded
 * (`%D1%81`). Sent unencoded, its bytes are refused by Node's HTTP parser before any of this runs (the
 * client-error envelope below answers it). Only `/payment/…` is touched: the console and the API
 * reference have their own trailing-slash routes.
 */
export function fiscalBoxPath(url: string): string {
  const q = url.indexOf('?');
  let path = q === -1 ? url : url.slice(0, q);
  if (!path.startsWith('/payment/')) return url;
  path = path.replace(/^\/payment\/(xumo|uzcard)_%D1%81lose(?=\/|$)/i, '/payment/$1_close');
  path = path.replace(/(?<=.)\/+$/, '');
  return q === -1 ? path : path + url.slice(q);
}

/**
 * What a cache may keep: nothing of an API answer (a payment's state, a day's totals, a token's
 * refusal are true only now); the console's files may be kept if checked again first. The reference
 * under /docs sets its own.
 */
export function cachePolicy(url: string): string | undefined {
  const path = url.split('?')[0]!;
  if (path === '/docs' || path.startsWith('/docs/')) return undefined;
  if (path.startsWith('/console/') && path !== '/console/config.json') return 'no-cache';
  return 'no-store';
}

/** A route's path as a pattern of the paths it serves (`:id` one segment, `*` the rest). */
function routePattern(url: string): RegExp {
  const source = url
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment === '*' ? '.*' : escapeRegExp(segment)))
    .join('/');
  return new RegExp(`^${source}$`);
}

/**
 * The envelope written straight to a socket, for what Node's HTTP parser refuses before Fastify sees
 * a request (an unknown method, headers beyond Node's limit, a malformed request line). HTTP 200 like
 * every other answer of the contract; the connection is closed, since the parser cannot go on.
 */
function answerOnSocket(err: Error & { code?: string }, socket: Socket, language: Language): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  // An answer already on its way (a 401 sent before the body was read, while the body still trickles):
  // a second one written after it would corrupt the stream.
  if ((socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent) {
    socket.destroy();
    return;
  }
  const problem =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? 'headers: larger than this server accepts (Node.js max-http-header-size)'
      : err.code === 'HPE_INVALID_METHOD'
        ? 'method: not an HTTP method PayBridge serves (GET, POST)'
        : err.code === 'PAYBRIDGE_CONNECT'
          ? 'method: CONNECT is not an HTTP method PayBridge serves (GET, POST)'
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? 'request: not received whole within server.request_timeout_ms'
          : `request: not a well-formed HTTP request (${err.code ?? 'parse error'})`;
  const body = JSON.stringify(failure(invalidRequest([problem]), language));
  if (!socket.writable) {
    socket.destroy(err);
    return;
  }
  // Ended, not destroyed: a socket destroyed with the request's bytes still unread (oversized headers)
  // answers them with a reset, which can reach the client before the envelope does (it did on Node 24).
  // What the client still sends is read and dropped; a client that never closes is cut off later.
  socket.end(`HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  socket.resume();
  setTimeout(() => socket.destroy(), 5_000).unref();
}

/** The offset (from 0) of the first byte of the first character of `bytes` that is not valid UTF-8. */
export function firstInvalidUtf8(bytes: Buffer): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i]!;
    const length = lead < 0x80 ? 1 : lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
    if (length === 0 || i + length > bytes.length || !isUtf8(bytes.subarray(i, i + length))) return i;
    i += length;
  }
  return i;
}

type ValidatorCompiler = (route: { schema: unknown; method: string; url: string; httpPart?: string }) => ((data: unknown) => unknown) & { errors?: unknown };

/**
 * Fastify's own validator compiler (ajv, with the server's `ajv` options), made lazy: a route's
 * schema is compiled on the first request that needs it, and ajv is loaded then. Compiling every
 * route's schemas at start took about 90 ms of a 600 ms start (docs/performance.md, 4); a till uses
 * a handful of the routes. Validation itself is unchanged: the same ajv, options and schemas, and
 * the compiled function's `errors` are handed on, where Fastify reads them.
 */
function lazyValidatorCompiler(externalSchemas: unknown, ajvOptions: unknown): ValidatorCompiler {
  let compiler: ValidatorCompiler | undefined;
  const real = (): ValidatorCompiler => {
    if (!compiler) {
      const factory = requireHere('@fastify/ajv-compiler') as () => (schemas: unknown, options: unknown) => ValidatorCompiler;
      compiler = factory()(externalSchemas, ajvOptions);
    }
    return compiler;
  };
  return (route) => {
    let validate: ReturnType<ValidatorCompiler> | undefined;
    const lazy: ReturnType<ValidatorCompiler> = (data) => {
      validate ??= real()(route);
      const result = validate(data);
      lazy.errors = validate.errors;
      return result;
    };
    return lazy;
  };
}
const requireHere = createRequire(import.meta.url);

/**
 * The HTTP face of PayBridge: the POS contract's envelope on every answer (HTTP 200 with
 * `is_success`), requests parsed the way real tills write them, and no business logic.
 */
export function buildServer(deps: ServerDependencies): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.logger as unknown as FastifyBaseLogger,
    // Request lines at a level chosen per request (polled reads at debug).
    logController: new RequestLogController(),
    bodyLimit: deps.bodyLimitBytes,
    genReqId: () => randomUUID(),
    return503OnClosing: true,
    // Fastify's default (0) switches Node's request timeout off, so a body trickling in a byte at a
    // time held its connection for as long as the client liked. Node checks the bound every
    // connectionsCheckingInterval (30 s by default): checked more often, the cut comes close to the bound.
    requestTimeout: deps.requestTimeoutMs,
    http: {
      requestTimeout: deps.requestTimeoutMs,
      headersTimeout: Math.min(60_000, deps.requestTimeoutMs),
      connectionsCheckingInterval: Math.max(100, Math.min(1_000, Math.floor(deps.requestTimeoutMs / 10))),
    },
    rewriteUrl: (req) => fiscalBoxPath(req.url ?? '/'),
    // A path Fastify cannot decode (`%E0%A4%A`) never reaches a route or the error handler.
    frameworkErrors: (error, request, reply) => {
      void (reply as FastifyReply).code(200).send(failure(invalidRequest([`path: ${error.message}`]), (request as FastifyRequest).language ?? deps.language));
    },
    clientErrorHandler: (err, socket) => answerOnSocket(err, socket, deps.language),
    ajv: {
      customOptions: { allErrors: true, verbose: true, coerceTypes: false, removeAdditional: false, useDefaults: true, keywords: ['x-error'] },
    },
    // Each route's schemas compiled on its first request instead of at start (ajv itself too), and
    // no fast-json-stringify at all (answers are written by JSON.stringify, see below).
    schemaController: { compilersFactory: { buildValidator: lazyValidatorCompiler as never, buildSerializer: () => () => (data: unknown) => JSON.stringify(data) } },
  });

  // Node hands a CONNECT request to 'connect' listeners instead of to Fastify, and with none it drops
  // the connection unanswered; it is answered like any other method PayBridge does not serve.
  app.server.on('connect', (_req: unknown, socket: Socket) => answerOnSocket(Object.assign(new Error('CONNECT is not served'), { code: 'PAYBRIDGE_CONNECT' }), socket, deps.language));
  markFailedRequests(app);
  negotiateLanguage(app, deps.language);
  if (deps.apiToken) requireBearerToken(app, deps.apiToken);
  if (deps.corsOrigins.length > 0) {
    // Loaded only where CORS is configured.
    void app.register(import('@fastify/cors'), { origin: deps.corsOrigins, methods: ['GET', 'POST'], allowedHeaders: ['content-type', 'authorization', 'idempotency-key', 'accept-language'] });
  }

  // Tills send JSON with whatever Content-Type they were written with (or none).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => {
    // Read as bytes and checked before decoding: decoded as a string, bytes that are not UTF-8 became
    // U+FFFD silently, so a body whose bad bytes sat in a field a route ignores was charged (a card
    // payment), while a route that reads that field refused it. No route takes such a body.
    const bytes = body as Buffer;
    if (!isUtf8(bytes)) {
      done(invalidRequest([`body: is not valid UTF-8 (byte ${firstInvalidUtf8(bytes)}); send JSON encoded as UTF-8`]), undefined);
      return;
    }
    const text = bytes.toString('utf8');
    if (text.trim() === '') {
      done(invalidRequest(['body: is empty; expected a JSON object']), undefined);
      return;
    }
    try {
      done(null, parseLenientJson(text));
    } catch (err) {
      // A key given twice is refused naming that field ("amount: given twice …"), not the whole body.
      if (err instanceof JsonDuplicateKeyError) done(invalidRequest([err.message]), undefined);
      else done(err instanceof JsonSyntaxError ? invalidRequest([`body: ${err.message}`]) : (err as Error), undefined);
    }
  });

  app.setErrorHandler((err: FastifyError | PayBridgeError | Error, request, reply) => {
    let answer: PayBridgeError;
    const fe = err as FastifyError;
    if (err instanceof PayBridgeError) answer = err;
    else if (fe.validation) answer = invalidRequest(describeValidation(fe.validation, fe.validationContext ?? 'request'));
    else if (err instanceof InvalidCursorError) answer = invalidRequest([err.message]);
    else if (err instanceof JournalUnavailableError) {
      request.log.error({ err, nothing_sent: err.nothingSent }, 'the journal cannot be written');
      // "Nothing was charged" only where that is certain; after a provider or terminal was asked, the
      // cashier must look the payment up before taking it again.
      answer = err.nothingSent ? journalUnavailable(String(request.id)) : internalError(String(request.id));
    }
    else if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') answer = invalidRequest([`body: larger than the limit of ${deps.bodyLimitBytes} bytes`]);
    else if (fe.statusCode !== undefined && fe.statusCode >= 400 && fe.statusCode < 500) answer = invalidRequest([`request: ${fe.message}`]);
    else {
      request.log.error({ err }, 'internal error');
      answer = internalError(String(request.id));
    }
    if (answer.code === 7) request.log.info({ problems: answer.extras.problems }, 'invalid request');
    return reply.code(answer.httpStatus).send(failure(answer, request.language));
  });

  // Every route as it is added, so that a known path asked with another method is told which it takes.
  const routes: { methods: string[]; pattern: RegExp }[] = [];
  app.addHook('onRoute', (route) => {
    routes.push({ methods: [route.method].flat().filter((m) => m !== 'HEAD'), pattern: routePattern(route.url) });
  });
  // HTTP 200 like every answer of the contract: FiscalBox's clients read the envelope, not the status.
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]!;
    let decoded = path;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      // Left as sent: it is only named in the answer.
    }
    const allowed = [...new Set(routes.filter((r) => r.pattern.test(decoded)).flatMap((r) => r.methods))].sort();
    const problem = allowed.length > 0 ? `method: ${request.method} ${path} is not served; it takes ${allowed.join(', ')}` : `${request.method} ${path}: no such endpoint`;
    return reply.code(200).send(failure(invalidRequest([problem]), request.language));
  });

  // Answers finished during shutdown close their keep-alive connection, so close() is not held
  // open by idle tills until the grace period runs out.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (request, reply) => {
    // The id every log line of this request carries: a till's support ticket can quote it.
    reply.header('x-request-id', request.id);
    // Browsers take every answer for what its Content-Type says, never for what its bytes look like.
    reply.header('x-content-type-options', 'nosniff');
    if (!reply.hasHeader('cache-control')) {
      const cache = cachePolicy(request.url);
      if (cache) reply.header('cache-control', cache);
    }
    if (closing) reply.header('connection', 'close');
  });

  // Response schemas document the answers; they do not filter them. The answers are the services'
  // own objects, written as they are, so no field a till relies on can be dropped by a schema.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  registerOpenApi(app);
  // Routes go in after the OpenAPI plugin, which records each route as it is added.
  void app.register(async (api) => {
    registerHealthRoutes(api, deps.health);
    registerMetrics(api, deps.metrics);
    const serve = idempotentHandler(deps.idempotency);
    registerQrPaymentRoutes(api, deps.payments, deps.fiscal, deps.limits, deps.shopInn, serve);
    registerCardRoutes(api, deps.cards, deps.limits, serve);
    registerUnconfiguredProviderRoutes(api, deps.limits);
    registerTransactionRoutes(api, deps.journal, deps.recovery, serve, deps.timezone, deps.operator);
    registerJournalExportRoute(api, deps.journal, deps.timezone);
    registerOperatorRoutes(api, deps.operator, deps.limits, serve, deps.recentDiscrepancies);
    registerWalletReconciliationRoutes(api, deps.walletReconciliation, deps.timezone, deps.reconciliationAnswerWithinMs, serve);
    registerConsole(api, { language: deps.language, mode: deps.mode, timezone: deps.timezone, ...deps.operator.thisTill() });
  });
  return app;
}
