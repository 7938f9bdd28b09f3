import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { parseLenientJson } from '../lib/lenient-json.js';
import { shopDate } from '../lib/shop-time.js';

/** A request body the emulator could not read; routes answer it the way their provider would. */
export const UNPARSABLE = Symbol('unparsable');

/**
 * What every provider emulator shares: a real HTTP server on loopback whose JSON numbers are read
 * as text (so amounts are exact), and answers that can be held back to play a lost reply.
 */
export class EmulatorServer {
  readonly app: FastifyInstance;
  private readonly holds = new Set<AbortController>();
  private address = '';
  /**
   * The provider's clock minus the real one: a provider whose clock differs from the till's, as
   * its signature checks and its `Date` header see it.
   */
  clockOffsetMs = 0;

  constructor() {
    this.app = Fastify({ logger: false, forceCloseConnections: true });
    this.app.addHook('onSend', async (_req, reply) => {
      if (this.clockOffsetMs !== 0) reply.header('date', new Date(this.now()).toUTCString());
    });
    this.app.removeAllContentTypeParsers();
    this.app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => {
      try {
        done(null, body === '' ? undefined : parseLenientJson(body as string, { numbers: 'raw' }));
      } catch {
        done(null, UNPARSABLE);
      }
    });
  }

  /** The provider's time. */
  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  /** e.g. http://127.0.0.1:40123 */
  get origin(): string {
    return this.address;
  }

  async listen(host: string, port: number): Promise<void> {
    this.address = await this.app.listen({ host, port });
  }

  /**
   * Holds the answer for `ms`. Returns false when the emulator is shutting down meanwhile: the
   * connection is then dropped with no answer, as when the real one is lost.
   */
  async hold(ms: number, request: FastifyRequest, reply: FastifyReply): Promise<boolean> {
    const hold = new AbortController();
    this.holds.add(hold);
    await sleep(ms, undefined, { signal: hold.signal }).catch(() => undefined);
    this.holds.delete(hold);
    if (!hold.signal.aborted) return true;
    reply.hijack();
    request.raw.socket.destroy();
    return false;
  }

  async close(): Promise<void> {
    for (const hold of this.holds) hold.abort();
    await this.app.close();
  }
}

/** The calendar day in Tashkent, the providers' zone (not the shop's). */
export function tashkentDay(ms: number): string {
  return shopDate('Asia/Tashkent', ms);
}

/**
 * A `POST /_sandbox/<wallet>/cabinet-refund` request, read: which payment (PayBridge's transaction id,
 * or the wallet's own id under `idKey`) and how much (integer tiyin; undefined: all that is still paid).
 */
export interface CabinetRefundRequest {
  transactionId: string | undefined;
  providerId: string | undefined;
  amount: number | undefined;
}

/** What a sandbox-only route answers a request it refuses: an HTTP status and why. */
export class SandboxRefusal extends Error {
  constructor(
    readonly statusCode: 400 | 404 | 409,
    message: string,
  ) {
    super(message);
  }
}

/** A positive integer amount of tiyin from a JSON body (numbers arrive as their text); undefined when absent. */
export function sandboxTiyin(value: unknown, name = 'amount'): number | undefined {
  if (value === undefined || value === null) return undefined;
  const text = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n <= 0) throw new SandboxRefusal(400, `${name} must be a positive integer of tiyin, got ${JSON.stringify(value)}`);
  return n;
}

export function readCabinetRefund(body: unknown, idKey: string): CabinetRefundRequest {
  if (body === UNPARSABLE || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new SandboxRefusal(400, `the body must be a JSON object: {"transaction_id": "…"} or {"${idKey}": "…"}, and an optional "amount" in tiyin`);
  }
  const b = body as Record<string, unknown>;
  const text = (key: string): string | undefined => {
    const value = b[key];
    if (value === undefined || value === null) return undefined;
    if ((typeof value !== 'string' && typeof value !== 'number') || String(value) === '') throw new SandboxRefusal(400, `${key} must be a non-empty string`);
    return String(value);
  };
  const transactionId = text('transaction_id');
  const providerId = text(idKey);
  if ((transactionId === undefined) === (providerId === undefined)) throw new SandboxRefusal(400, `name the payment by exactly one of transaction_id (PayBridge's) and ${idKey} (the wallet's)`);
  return { transactionId, providerId, amount: sandboxTiyin(b.amount) };
}

/** Runs a sandbox-only route's work, answering its refusals as HTTP status and `{error}`. */
export async function sandboxRoute(reply: FastifyReply, work: () => unknown): Promise<unknown> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof SandboxRefusal) return reply.code(err.statusCode).send({ error: err.message });
    throw err;
  }
}
