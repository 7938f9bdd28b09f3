import { parseLenientJson, type JsonValue } from '../../lib/lenient-json.js';
import { HttpTransport, type CallObserver, type HttpTimeouts, type ProviderTransport } from '../http-transport.js';

export interface PaymeCredentials {
  /** https://checkout.paycom.uz/api (production) or https://checkout.test.paycom.uz/api (test). */
  url: string;
  /** The id of a "Payme GO" cashbox. */
  cashboxId: string;
  cashboxKey: string;
}

export type PaymeObject = { [key: string]: JsonValue };

/** A JSON-RPC error from Payme: a definite answer, with Payme's own code and text. */
export class PaymeRpcError extends Error {
  constructor(
    readonly code: number,
    readonly text: string,
    readonly data: JsonValue | undefined,
  ) {
    super(`${code}: ${text}`);
    this.name = 'PaymeRpcError';
  }
}

/** Payme answered, but not with a JSON-RPC reply: a non-200 status or an unreadable body. */
export class PaymeHttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly bodySnippet: string,
  ) {
    super(`HTTP ${statusCode}`);
    this.name = 'PaymeHttpError';
  }
}

export interface ReceiptItem {
  title: string;
  /** Per unit, tiyin. */
  price: number;
  count: number;
  /** ИКПУ / MXIK code. */
  code: string;
  vat_percent: number;
  units?: number | undefined;
  package_code?: string | undefined;
  discount?: number | undefined;
}

export interface FiscalData {
  receipt_id: number;
  qr_code_url: string;
  status_code?: number | undefined;
  message?: string | undefined;
  terminal_id?: string | undefined;
  date?: string | undefined;
  fiscal_sign?: string | undefined;
}

function textOf(value: JsonValue | undefined): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    // Payme localises messages: {ru, uz, en}.
    const m = value as Record<string, JsonValue>;
    for (const lang of ['ru', 'uz', 'en']) if (typeof m[lang] === 'string') return m[lang] as string;
  }
  return value === undefined ? '' : JSON.stringify(value);
}

/**
 * The Payme Subscribe API: JSON-RPC 2.0 over HTTPS, every method a POST to one URL, authorised by
 * `X-Auth: cashbox_id:cashbox_key`. One method per call, no retries, no policy.
 */
export class PaymeClient {
  private readonly transport: ProviderTransport;
  private nextId = 1;

  constructor(
    private readonly credentials: PaymeCredentials,
    timeouts: HttpTimeouts,
    observe?: CallObserver,
    /** The simulator's transport; HTTP otherwise. */
    options: { transport?: ProviderTransport } = {},
  ) {
    this.transport = options.transport ?? new HttpTransport(timeouts, observe);
  }

  /** Payme's clock minus this computer's, from the latest answer's `Date` header. */
  get lastClockOffsetMs(): number | undefined {
    return this.transport.lastClockOffsetMs;
  }

  /** The last JSON-RPC id sent: replies are paired with requests by it. */
  get lastRequestId(): number {
    return this.nextId - 1;
  }

  async call(method: string, params: PaymeObject): Promise<{ id: number; result: JsonValue }> {
    const id = this.nextId++;
    const res = await this.transport.send(
      'POST',
      this.credentials.url,
      {
        'content-type': 'application/json',
        accept: 'application/json',
        'x-auth': `${this.credentials.cashboxId}:${this.credentials.cashboxKey}`,
      },
      JSON.stringify({ jsonrpc: '2.0', id, method, params }),
    );
    let reply: JsonValue;
    try {
      reply = parseLenientJson(res.body);
    } catch {
      throw new PaymeHttpError(res.statusCode, res.body.slice(0, 200));
    }
    if (reply === null || typeof reply !== 'object' || Array.isArray(reply)) throw new PaymeHttpError(res.statusCode, res.body.slice(0, 200));
    const error = reply.error;
    if (error && typeof error === 'object' && !Array.isArray(error)) {
      const code = typeof error.code === 'number' ? error.code : Number(error.code);
      throw new PaymeRpcError(Number.isFinite(code) ? code : -32400, textOf(error.message) || 'error', error.data);
    }
    if (res.statusCode !== 200 || !('result' in reply)) throw new PaymeHttpError(res.statusCode, res.body.slice(0, 200));
    if (reply.id !== undefined && reply.id !== null && Number(reply.id) !== id) {
      throw new PaymeHttpError(res.statusCode, `reply to request ${String(reply.id)}, not ${id}`);
    }
    return { id, result: reply.result as JsonValue };
  }

  private async receipt(method: string, params: PaymeObject): Promise<PaymeObject> {
    const { result } = await this.call(method, params);
    const receipt = result && typeof result === 'object' && !Array.isArray(result) ? (result as PaymeObject).receipt : undefined;
    if (!receipt || typeof receipt !== 'object' || Array.isArray(receipt)) throw new PaymeHttpError(200, `${method}: no receipt in the result`);
    return receipt;
  }

  /** `receipts.create`: amount in tiyin; `account` carries our transaction id under the cashbox's field. */
  create(amountTiyin: number, account: PaymeObject, items?: ReceiptItem[]): Promise<PaymeObject> {
    const params: PaymeObject = { amount: amountTiyin, account };
    if (items?.length) params.detail = { receipt_type: 0, items: items.map((i) => JSON.parse(JSON.stringify(i)) as PaymeObject) };
    return this.receipt('receipts.create', params);
  }

  /** `receipts.pay` with the scanned Payme Go QR as the token. */
  pay(receiptId: string, token: string): Promise<PaymeObject> {
    return this.receipt('receipts.pay', { id: receiptId, token });
  }

  /** `receipts.check`: the receipt's state alone. */
  async check(receiptId: string): Promise<number | undefined> {
    const { result } = await this.call('receipts.check', { id: receiptId });
    const state = result && typeof result === 'object' && !Array.isArray(result) ? (result as PaymeObject).state : undefined;
    return typeof state === 'number' ? state : undefined;
  }

  get(receiptId: string): Promise<PaymeObject> {
    return this.receipt('receipts.get', { id: receiptId });
  }

  /** `receipts.get_all`: receipts created in [from, to] (epoch ms), newest first, up to 50 a page. */
  async getAll(from: number, to: number, offset = 0): Promise<PaymeObject[]> {
    const { result } = await this.call('receipts.get_all', { count: 50, from, to, offset });
    if (!Array.isArray(result)) throw new PaymeHttpError(200, 'receipts.get_all: the result is not a list');
    return result.filter((r): r is PaymeObject => !!r && typeof r === 'object' && !Array.isArray(r));
  }

  cancel(receiptId: string): Promise<PaymeObject> {
    return this.receipt('receipts.cancel', { id: receiptId });
  }

  /** `receipts.set_fiscal_data`: tells Payme the fiscal cheque our own module printed. */
  setFiscalData(receiptId: string, fiscal: FiscalData): Promise<{ id: number; result: JsonValue }> {
    return this.call('receipts.set_fiscal_data', { id: receiptId, fiscal_data: JSON.parse(JSON.stringify(fiscal)) as PaymeObject });
  }

  close(): Promise<void> {
    return this.transport.close();
  }
}
