import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { invalidRequest, PayBridgeError } from '../payments/errors.js';
import type { IdempotencyService } from '../payments/idempotency.js';
import { failure, success, type Envelope } from './envelope.js';

/**
 * Names whose values the routes read in lower case: transaction ids, UUIDs, whose case means nothing.
 * Written so in the fingerprint too, in the path and at the top of the body where the routes read
 * them, so that one transaction written in two cases is one request (and its key not refused).
 */
const CASE_FREE = new Set(['transaction_id']);

const caseFree = (name: string, value: unknown): unknown => (CASE_FREE.has(name) && typeof value === 'string' ? value.toLowerCase() : value);

/**
 * The method and path a request asks for, as its route read it: the route's pattern filled in with
 * the parameters it parsed (percent-encoded, ids in lower case). So spellings the router takes for
 * the same path (a trailing slash, an encoded character) are one request, and another transaction's
 * path is another request. The query string is left out: no POST route reads one, so it cannot change
 * what is done, and a retry that a client or proxy decorated with one is still the same request. A
 * POST route that comes to read its query must add it here (test/idempotency-scope.test.ts checks
 * that none declares one).
 */
function targetOf(request: FastifyRequest): string {
  const params = (request.params ?? {}) as Record<string, unknown>;
  const path = (request.routeOptions.url ?? request.url.split('?')[0]!).replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(String(caseFree(name, params[name]))));
  return `${request.method} ${path}`;
}

function bodyOf(request: FastifyRequest): unknown {
  const body = request.body ?? null;
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
  return Object.fromEntries(Object.entries(body).map(([name, value]) => [name, caseFree(name, value)]));
}

/** JSON with keys in a fixed order, so that the same request always has the same fingerprint. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The operation an answer is about: a give-back's own id before its payment's. */
function transactionOf(envelope: Envelope): string | null {
  const data = envelope.data as { transaction_id?: unknown; give_back_id?: unknown } | null;
  const id = data?.give_back_id ?? envelope.error?.give_back_id ?? data?.transaction_id ?? envelope.error?.transaction_id;
  return typeof id === 'string' ? id : null;
}

const OPEN = ['unknown', 'pending'];

/**
 * A stored answer given again: marked `replayed: true` — in `data` for a success, in `error` (after
 * the contract's three fields) for a failure — with what was masked for storage (the one-time code)
 * put back from this request. An answer whose data is not an object is given as it was.
 */
function replay(response: unknown, request: FastifyRequest): Envelope {
  const envelope = response as Envelope;
  if (envelope.error) return { ...envelope, error: { ...envelope.error, replayed: true } };
  const data = envelope.data;
  if (!data || typeof data !== 'object' || Array.isArray(data)) return envelope;
  const qr = (request.body as { qr_code?: unknown } | undefined)?.qr_code;
  const restored = 'qr_code' in data && typeof qr === 'string' ? { qr_code: qr } : {};
  return { ...envelope, data: { ...data, ...restored, replayed: true } };
}

/**
 * Serves a POST at most once per `Idempotency-Key` (when the till sends one): the first request does
 * the work; a retry with the same key, path and body gets the first answer, success or failure,
 * marked `replayed: true`, and nothing is sent to a provider or terminal again. A key is the till's
 * own (IdempotencyService scopes it to the till) and for one request: with another path or body it
 * is refused (106). Another till's equal key is another request.
 */
export function idempotentHandler(idempotency: IdempotencyService) {
  return async function serve<T>(request: FastifyRequest, work: () => Promise<T>, fromTransaction: (id: string, orUnsettled?: boolean) => Promise<T | undefined>): Promise<Envelope> {
    const header = request.headers['idempotency-key'];
    if (header === undefined) return success(await work());
    const key = Array.isArray(header) ? header[0]! : header;
    if (!/^[\x21-\x7e]{1,255}$/.test(key)) throw invalidRequest(['Idempotency-Key: must be 1 to 255 printable characters without spaces']);
    const asEnvelope = async (produce: () => Promise<T | undefined>): Promise<Envelope | undefined> => {
      try {
        const data = await produce();
        return data === undefined ? undefined : success(data);
      } catch (err) {
        if (err instanceof PayBridgeError) return failure(err, request.language);
        throw err;
      }
    };
    // How a PayBridge before this one kept keys: per route, fingerprinted by a digest of route and body.
    const route = `${request.method} ${request.routeOptions.url}`;
    const { response, replayed } = await idempotency.run({
      key,
      target: targetOf(request),
      body: canonical(bodyOf(request)),
      legacy: {
        scope: route,
        // A pattern with an id in it stood for every transaction's request: its old digest tells none apart.
        fingerprint: /\/:/.test(route) ? null : createHash('sha256').update(`${route}\n${canonical(request.body ?? null)}`).digest('hex'),
      },
      work: async () => {
        const envelope = (await asEnvelope(work))!;
        // An operation whose outcome is not known yet (a payment, or a give-back of one) is answered
        // but not kept: retries are answered from the operation once it is settled.
        // So is a refusal that only an open give-back's reservation caused: once that one settles
        // (failed: its amount is free again), the same request may well succeed.
        const reservedAway = Number(envelope.error?.reserved_amount ?? 0) > 0;
        const open = reservedAway || OPEN.includes(String(envelope.error?.give_back_status ?? envelope.error?.transaction_status));
        return { response: envelope, transactionId: transactionOf(envelope), final: !open };
      },
      fromTransaction: (id, orUnsettled) => asEnvelope(() => fromTransaction(id, orUnsettled)),
    });
    return replayed ? replay(response, request) : (response as Envelope);
  };
}

export type IdempotentServe = ReturnType<typeof idempotentHandler>;
