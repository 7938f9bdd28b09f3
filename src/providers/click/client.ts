import { parseLenientJson, type JsonValue } from '../../lib/lenient-json.js';
import { tiyinToSoumLiteral } from '../../payments/money.js';
import { HttpTransport, type CallObserver, type HttpTimeouts, type ProviderTransport } from '../http-transport.js';
import { clickAuthHeader } from './auth.js';

export interface ClickCredentials {
  /** e.g. https://api.click.uz/v2/merchant/ */
  baseUrl: string;
  serviceId: number;
  merchantUserId: string;
  secretKey: string;
  cashboxCode?: string | undefined;
}

/** A Click reply body: an object whose numbers above 2^53 (payment ids are bigint) stay exact strings. */
export type ClickReply = Record<string, JsonValue>;

/** Click answered, but not with a usable reply: a non-2xx status or a body that is not a JSON object. */
export class ClickHttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly bodySnippet: string,
    readonly garbage: boolean,
    /** CLICK's clock minus this computer's, from the answer's `Date`: a 401 may be the clock. */
    readonly clockOffsetMs?: number,
  ) {
    super(garbage ? `HTTP ${statusCode} with an unreadable body` : `HTTP ${statusCode}`);
    this.name = 'ClickHttpError';
  }
}

const PLACEHOLDER = '"__paybridge_amount__"';

/** Click payment ids are bigints; written as bare JSON numbers, digit for digit. */
function paymentIdLiteral(paymentId: string): string {
  if (!/^\d{1,20}$/.test(paymentId)) throw new RangeError(`not a Click payment id: ${JSON.stringify(paymentId)}`);
  return paymentId;
}

/**
 * The CLICK merchant API (v2) as a plain client: one method per endpoint, no retries, no policy.
 * Decisions about what a reply means for the payment live in ClickPass.
 */
export class ClickClient {
  private readonly base: string;
  private readonly transport: ProviderTransport;
  private readonly now: () => number;

  constructor(
    private readonly credentials: ClickCredentials,
    timeouts: HttpTimeouts,
    observe?: CallObserver,
    /** The simulator's transport and clock (the `Auth` header carries the time); HTTP and the system's clock otherwise. */
    options: { transport?: ProviderTransport; now?: () => number } = {},
  ) {
    this.base = credentials.baseUrl.endsWith('/') ? credentials.baseUrl : `${credentials.baseUrl}/`;
    this.transport = options.transport ?? new HttpTransport(timeouts, observe);
    this.now = options.now ?? Date.now;
  }

  get serviceId(): number {
    return this.credentials.serviceId;
  }

  /** CLICK's clock minus this computer's, from the latest answer's `Date` header. */
  get lastClockOffsetMs(): number | undefined {
    return this.transport.lastClockOffsetMs;
  }

  private async call(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: string): Promise<ClickReply> {
    // CLICK's docs list Accept and Content-Type as required on every request, GET and DELETE included
    // (its error table has 406 for them), body or not.
    const headers: Record<string, string> = {
      accept: 'application/json',
      'content-type': 'application/json',
      auth: clickAuthHeader(this.credentials.merchantUserId, this.credentials.secretKey, this.now()),
    };
    const res = await this.transport.send(method, this.base + path, headers, body);
    if (res.statusCode !== 200 && res.statusCode !== 201) {
      throw new ClickHttpError(res.statusCode, res.body.slice(0, 200), false, res.clockOffsetMs);
    }
    let parsed: JsonValue;
    try {
      parsed = parseLenientJson(res.body);
    } catch {
      throw new ClickHttpError(res.statusCode, res.body.slice(0, 200), true, res.clockOffsetMs);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new ClickHttpError(res.statusCode, res.body.slice(0, 200), true, res.clockOffsetMs);
    }
    return parsed;
  }

  /** `POST click_pass/payment`. The amount goes out in soum as an exact decimal literal, never via a float. */
  pay(input: { otpData: string; amountTiyin: number; transactionId: string }): Promise<ClickReply> {
    const payload: Record<string, unknown> = {
      service_id: this.credentials.serviceId,
      otp_data: input.otpData,
      amount: '__paybridge_amount__',
      transaction_id: input.transactionId,
    };
    if (this.credentials.cashboxCode) payload.cashbox_code = this.credentials.cashboxCode;
    const body = JSON.stringify(payload).replace(PLACEHOLDER, tiyinToSoumLiteral(input.amountTiyin));
    return this.call('POST', 'click_pass/payment', body);
  }

  /** `POST click_pass/confirm`: completes a payment of a service in confirmation mode. */
  confirm(paymentId: string): Promise<ClickReply> {
    return this.call('POST', 'click_pass/confirm', `{"service_id":${this.credentials.serviceId},"payment_id":${paymentIdLiteral(paymentId)}}`);
  }

  /** `PUT`/`DELETE click_pass/confirmation/{service_id}`: switches confirmation mode for the whole service. */
  setConfirmationMode(on: boolean): Promise<ClickReply> {
    return this.call(on ? 'PUT' : 'DELETE', `click_pass/confirmation/${this.credentials.serviceId}`);
  }

  /** `GET payment/status/{service_id}/{payment_id}` */
  status(paymentId: string): Promise<ClickReply> {
    return this.call('GET', `payment/status/${this.credentials.serviceId}/${encodeURIComponent(paymentId)}`);
  }

  /** `GET payment/status_by_mti/{service_id}/{merchant_trans_id}/{YYYY-MM-DD}`: finds a payment by our own id. */
  statusByMti(merchantTransId: string, date: string): Promise<ClickReply> {
    return this.call('GET', `payment/status_by_mti/${this.credentials.serviceId}/${encodeURIComponent(merchantTransId)}/${date}`);
  }

  /** `DELETE payment/reversal/{service_id}/{payment_id}` */
  reversal(paymentId: string): Promise<ClickReply> {
    return this.call('DELETE', `payment/reversal/${this.credentials.serviceId}/${encodeURIComponent(paymentId)}`);
  }

  /**
   * `DELETE payment/partial_reversal/{service_id}/{payment_id}/{amount}`: in CLICK's OpenAPI spec but not
   * its Russian docs, amount unit unconfirmed (sent in soum, like every other CLICK amount). Used only
   * when the configuration says CLICK confirmed it for the service.
   */
  partialReversal(paymentId: string, amountTiyin: number): Promise<ClickReply> {
    return this.call(
      'DELETE',
      `payment/partial_reversal/${this.credentials.serviceId}/${encodeURIComponent(paymentId)}/${tiyinToSoumLiteral(amountTiyin)}`,
    );
  }

  /** `POST payment/ofd_data/submit_qrcode`: tells Click the URL of the fiscal receipt our own module printed. */
  submitQrcode(paymentId: string, qrcode: string): Promise<ClickReply> {
    const body = `{"service_id":${this.credentials.serviceId},"payment_id":${paymentIdLiteral(paymentId)},"qrcode":${JSON.stringify(qrcode)}}`;
    return this.call('POST', 'payment/ofd_data/submit_qrcode', body);
  }
  /**
   * `GET payment/ofd_data/{service_id}/{payment_id}`: the fiscal data CLICK holds for a payment, its
   * receipt URL as `qrCodeURL` (camelCase, and no `error_code` on success, as public client code reads it).
   */
  ofdData(paymentId: string): Promise<ClickReply> {
    return this.call('GET', `payment/ofd_data/${this.credentials.serviceId}/${encodeURIComponent(paymentId)}`);
  }


  close(): Promise<void> {
    return this.transport.close();
  }
}
