import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Set by PayBridge's server for its own answer, not copied from the inner instance's. */
const HOP_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'date']);
const FORWARD = 'x-paybridge-forward';

export interface LazyInstance {
  /** The instance, built (once) by the first call. */
  instance(): Promise<FastifyInstance>;
  /** A route handler (for GET and HEAD, both declared) answering with what the instance answers for the same request. */
  forward(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply>;
}

/**
 * A part of PayBridge's HTTP face whose code is loaded by its first request instead of at start
 * (the API reference, the console's files: docs/performance.md, 4). It lives in a Fastify instance
 * of its own, built by `build` on first use; PayBridge's server keeps the routes and hands their
 * requests to it in-process (`inject`), then answers with its status, headers and body. Everything
 * else stays PayBridge's: its hooks (access, logging, headers) ran on the request already, a path
 * the instance does not know gets PayBridge's own not-found answer, and an error the instance meets
 * is thrown again in PayBridge's route, so its error handler answers it as it answered before.
 */
export function lazyInstance(build: (inner: FastifyInstance) => Promise<void>): LazyInstance {
  let built: Promise<FastifyInstance> | undefined;
  const errors = new Map<string, unknown>();
  let next = 0;
  const instance = () =>
    (built ??= (async () => {
      const { default: Fastify } = await import('fastify');
      const inner = Fastify({ logger: false });
      inner.setErrorHandler(async (err, request, reply) => {
        errors.set(String(request.headers[FORWARD]), err);
        return reply.code(500).send();
      });
      inner.setNotFoundHandler(async (_request, reply) => reply.code(404).send());
      await build(inner);
      await inner.ready();
      return inner;
    })().catch((err: unknown) => {
      built = undefined;
      throw err;
    }));
  const forward = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const inner = await instance();
    const token = String(next++);
    const answer = await inner.inject({ method: request.method as 'GET', url: request.url, headers: { ...request.headers, [FORWARD]: token } });
    const err = errors.get(token);
    errors.delete(token);
    if (err !== undefined) throw err;
    if (answer.statusCode === 404 && answer.rawPayload.length === 0) return reply.callNotFound() as unknown as FastifyReply;
    // A HEAD answer has no body to measure: its length is the one the instance said.
    const head = request.method === 'HEAD';
    for (const [name, value] of Object.entries(answer.headers)) if (value !== undefined && (!HOP_HEADERS.has(name) || (head && name === 'content-length'))) void reply.header(name, value);
    return reply.code(answer.statusCode).send(answer.rawPayload.length > 0 ? answer.rawPayload : undefined);
  };
  return { instance, forward };
}
