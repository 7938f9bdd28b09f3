import { createRequire } from 'node:module';
import type { Agent } from 'undici';

/**
 * undici (110 files, about 50 ms to load) is loaded by the first call to a provider, not at start:
 * a till without QR providers never loads it (docs/performance.md, 4).
 */
let undiciModule: typeof import('undici') | undefined;
const undici = (): typeof import('undici') => (undiciModule ??= createRequire(import.meta.url)('undici') as typeof import('undici'));
import { clockOffset } from './clock.js';

export interface HttpTimeouts {
  /** Establishing the TCP/TLS connection. */
  connectMs: number;
  /** From the request being sent to the response headers, and between body chunks. */
  responseMs: number;
}

export interface HttpResponse {
  statusCode: number;
  body: string;
  /** The provider's clock minus this computer's, read from the answer's `Date` header (see clock.ts). */
  clockOffsetMs?: number | undefined;
}

/**
 * A failed exchange, split by what it means for money: `sent: false` when the request provably
 * never reached the provider (nothing can have been charged), `sent: true` when it may have been
 * processed and only the answer is missing.
 */
export class TransportError extends Error {
  constructor(
    message: string,
    readonly sent: boolean,
    readonly code: string,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}

// Failures that happen before a single byte of the request leaves this machine.
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
]);

function classify(err: unknown): TransportError {
  const e = err as { name?: string; code?: unknown; message?: string; cause?: { code?: unknown } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') {
    return new TransportError('no complete answer within the request deadline', true, 'REQUEST_DEADLINE');
  }
  const code = String(e.code ?? e.cause?.code ?? 'UNKNOWN');
  if (undiciModule && (err instanceof undiciModule.errors.HeadersTimeoutError || err instanceof undiciModule.errors.BodyTimeoutError)) {
    return new TransportError(`no answer within the response timeout (${code})`, true, code);
  }
  const sent = !NOT_SENT_CODES.has(code);
  return new TransportError(`${sent ? 'connection lost' : 'could not connect'}: ${e.message ?? code}`, sent, code);
}

/**
 * What a provider client sends its calls through: HttpTransport on the wire, or the simulator's
 * in-process providers (test/sim/). Failures are TransportErrors, as HttpTransport classifies them.
 */
export interface ProviderTransport {
  send(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, headers: Record<string, string>, body?: string): Promise<HttpResponse>;
  /** From the latest answer that carried a readable `Date` header. */
  readonly lastClockOffsetMs: number | undefined;
  close(): Promise<void>;
}

/** Told about every call when it ends: for latency metrics. `outcome` is "2xx"…"5xx" or "error". */
export type CallObserver = (seconds: number, outcome: string) => void;

/**
 * One keep-alive connection pool per provider, with the provider's own timeouts. Used by the
 * provider clients for every call; it never retries, because a retried payment could be a
 * second charge.
 */
export class HttpTransport implements ProviderTransport {
  /** Made by the first call. */
  private agent: Agent | undefined;
  /** From the latest answer that carried a readable `Date` header, whatever its status. */
  lastClockOffsetMs: number | undefined;

  constructor(
    private readonly timeouts: HttpTimeouts,
    private readonly observe: CallObserver = () => {},
  ) {}

  private pool(): Agent {
    return (this.agent ??= new (undici().Agent)({
      connect: { timeout: this.timeouts.connectMs },
      headersTimeout: this.timeouts.responseMs,
      bodyTimeout: this.timeouts.responseMs,
      keepAliveTimeout: 4_000,
    }));
  }

  async send(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, headers: Record<string, string>, body?: string): Promise<HttpResponse> {
    const started = performance.now();
    const sentAt = Date.now();
    let outcome = 'error';
    // The whole exchange is bounded too, so a trickling body cannot hold a till forever. A timer of our
    // own, cleared when the exchange ends: AbortSignal.timeout's would outlive every call by the whole
    // deadline (four calls a payment, each holding its timer and signal for 25 s).
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new DOMException('no complete answer within the request deadline', 'TimeoutError')), this.timeouts.connectMs + this.timeouts.responseMs * 2);
    try {
      const dispatcher = this.pool();
      const res = await undici().request(url, { method, headers, body, dispatcher, signal: deadline.signal });
      const answeredAt = Date.now();
      const text = await res.body.text();
      outcome = `${Math.floor(res.statusCode / 100)}xx`;
      const clockOffsetMs = clockOffset(res.headers.date, sentAt, answeredAt);
      if (clockOffsetMs !== undefined) this.lastClockOffsetMs = clockOffsetMs;
      return { statusCode: res.statusCode, body: text, clockOffsetMs };
    } catch (err) {
      throw classify(err);
    } finally {
      clearTimeout(timer);
      this.observe((performance.now() - started) / 1000, outcome);
    }
  }

  async close(): Promise<void> {
    await this.agent?.close();
  }
}
