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
