import { createHash } from 'node:crypto';
import { parseLenientJson, type JsonValue } from '../../lib/lenient-json.js';
import { HttpTransport, TransportError, type CallObserver, type HttpTimeouts, type ProviderTransport } from '../http-transport.js';

export interface UzumCredentials {
  /** e.g. https://mobile.apelsin.uz/api/apelsin-pay/merchant/ (the contract's example host). */
  baseUrl: string;
  /** The branch (service location) the payments belong to. */
  serviceId: number;
  /** The till or cashier within the branch: the first part of the Authorization header. */
  merchantServiceUserId: string;
  secretKey: string;
  /** The shop's own id of its fiscal cash register (ККМ), sent as `cashbox_code`. */
  cashboxCode: string;
  /** How the Authorization timestamp is made (`uzum.timestamp`): epoch ms ("utc", the default) or epoch ms + 5 h ("utc+5"). */
  timestamp?: 'utc' | 'utc+5' | undefined;
}

export type UzumReply = { [key: string]: JsonValue };

/**
 * One exchange with Uzum, as the outcome tables read it: never sent (nothing can have happened),
 * sent without an answer, an answer that is not the contract's JSON (a non-200 status or an
 * unreadable body), or the contract's reply.
 */
export type UzumExchange =
  | { kind: 'not_sent'; code: string; error: string }
  | { kind: 'no_answer'; error: string }
  | { kind: 'http'; statusCode: number; garbage: boolean; body: string; clockOffsetMs?: number | undefined }
  | { kind: 'reply'; reply: UzumReply; clockOffsetMs?: number | undefined };

/**
 * `merchant_service_user_id:sha1(timestamp + secret_key):timestamp`, the timestamp in milliseconds.
 * Uzum refuses a header older than 50 s (error 403), so it is made afresh for every request.
 */
/** The five hours "utc+5" adds to epoch milliseconds (Tashkent is UTC+5 all year, no daylight saving). */
export const UZUM_UTC5_OFFSET_MS = 5 * 60 * 60 * 1000;

/** The Authorization timestamp for the instant `nowMs`, in the configured reading (config/schema.ts UzumTimestampSchema). */
export function uzumTimestamp(nowMs: number, reading: 'utc' | 'utc+5' = 'utc'): number {
  return nowMs + (reading === 'utc+5' ? UZUM_UTC5_OFFSET_MS : 0);
}

export function uzumAuthorization(merchantServiceUserId: string, secretKey: string, timestampMs: number): string {
  const ts = String(Math.trunc(timestampMs));
  return `${merchantServiceUserId}:${createHash('sha1').update(ts + secretKey).digest('hex')}:${ts}`;
}

export interface UzumPaymentBody {
  amount: number;
  cashbox_code: string;
  otp_data: string;
  order_id: string;
  transaction_id: string;
  service_id: number;
}

/**
 * Uzum Fast Pay (Uzum Bank's merchant API for QR payments at the till): JSON over HTTPS, every
 * answer HTTP 200 with `error_code` (0 = success) and `error_message`. One request per call, no
 * retries and no policy: src/providers/uzum/fast-pay.ts decides what to send and when.
 */
export class UzumClient {
  private readonly transport: ProviderTransport;

  constructor(
    private readonly credentials: UzumCredentials,
    timeouts: HttpTimeouts,
    observe?: CallObserver,
    private readonly now: () => number = Date.now,
    /** The simulator's transport; HTTP otherwise. */
    transport?: ProviderTransport,
  ) {
    this.transport = transport ?? new HttpTransport(timeouts, observe);
  }

  get serviceId(): number {
    return this.credentials.serviceId;
  }

  /** Uzum's clock minus this computer's, from the latest answer's `Date` header. */
  get lastClockOffsetMs(): number | undefined {
    return this.transport.lastClockOffsetMs;
  }

  private url(path: string): string {
    return new URL(path, this.credentials.baseUrl.endsWith('/') ? this.credentials.baseUrl : `${this.credentials.baseUrl}/`).toString();
  }

  /** Sends one request; a failure is returned as the exchange it was, never thrown. */
  async send(method: 'POST' | 'PUT', path: string, body: Record<string, JsonValue>): Promise<UzumExchange> {
    try {
      const res = await this.transport.send(
        method,
        this.url(path),
        {
          authorization: uzumAuthorization(this.credentials.merchantServiceUserId, this.credentials.secretKey, uzumTimestamp(this.now(), this.credentials.timestamp)),
          'content-type': 'application/json',
          accept: 'application/json',
        },
        JSON.stringify(body),
      );
      // Uzum's clock against ours, from its `Date`: a 403 "older than 50 s" is this computer's clock.
      const clockOffsetMs = res.clockOffsetMs;
      let reply: JsonValue;
      try {
        reply = parseLenientJson(res.body);
      } catch {
        return { kind: 'http', statusCode: res.statusCode, garbage: true, body: res.body.slice(0, 200), clockOffsetMs };
      }
      if (res.statusCode !== 200) return { kind: 'http', statusCode: res.statusCode, garbage: false, body: res.body.slice(0, 200), clockOffsetMs };
      if (reply === null || typeof reply !== 'object' || Array.isArray(reply)) return { kind: 'http', statusCode: res.statusCode, garbage: true, body: res.body.slice(0, 200), clockOffsetMs };
      return { kind: 'reply', reply, clockOffsetMs };
    } catch (err) {
      if (err instanceof TransportError) return err.sent ? { kind: 'no_answer', error: err.message } : { kind: 'not_sent', code: err.code, error: err.message };
      throw err;
    }
  }

  /** `v2/payment`: the charge. The same order_id and transaction_id again is deduplicated by Uzum. */
  payment(request: { amount: number; otpData: string; orderId: string; transactionId: string }): Promise<UzumExchange> {
    const body: UzumPaymentBody = {
      amount: request.amount,
      cashbox_code: this.credentials.cashboxCode,
      otp_data: request.otpData,
      order_id: request.orderId,
      transaction_id: request.transactionId,
      service_id: this.credentials.serviceId,
    };
    return this.send('POST', 'v2/payment', { ...body });
  }

  /** `payment/status` by Uzum's payment_id. */
  status(paymentId: string): Promise<UzumExchange> {
    return this.send('POST', 'payment/status', { payment_id: paymentId, service_id: this.credentials.serviceId });
  }

  /** `v2/payment/reversal/{orderId}`: the whole payment (the contract supports no partial cancellation). */
  reversal(orderId: string, paymentId: string): Promise<UzumExchange> {
    return this.send('PUT', `v2/payment/reversal/${encodeURIComponent(orderId)}`, { service_id: this.credentials.serviceId, payment_id: paymentId });
  }

  /** `payment/fiscal`: the link to the fiscal receipt the shop's own module printed. */
  fiscal(paymentId: string, fiscalUrl: string): Promise<UzumExchange> {
    return this.send('POST', 'payment/fiscal', { payment_id: paymentId, service_id: this.credentials.serviceId, fiscal_url: fiscalUrl });
  }

  close(): Promise<void> {
    return this.transport.close();
  }
}
