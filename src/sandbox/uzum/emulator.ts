import { createHash, randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { JsonValue } from '../../lib/lenient-json.js';
import { formatShopDateTime } from '../../lib/shop-time.js';
import { EmulatorServer, readCabinetRefund, SandboxRefusal, sandboxRoute, UNPARSABLE } from '../emulator-server.js';
import { fiscalTroubleOf, MAGIC } from '../magic.js';
import { LedgerFile } from '../ledger-file.js';
import { uzumTimestamp } from '../../providers/uzum/client.js';

/**
 * Uzum's trouble, by the scanned code's last three digits (README, "Sandbox: magic QR codes"). The
 * shared MAGIC codes act as for CLICK and Payme: 116 declined, 408 charged and the answer lost, 102
 * in process then paid, 502 down (nothing charged), 520 unreadable (nothing charged).
 */
export const UZUM_MAGIC = {
  /** …117: refused, `apelsin.pay.user.otp.data.expired` (the customer's phone clock). */
  otpExpired: '117',
  /** …416: refused, error_code 416 `apelsin.pay.safe.mode.on`. */
  safeMode: '416',
  /** …403: refused, error_code 403, as for an Authorization older than 50 s. */
  staleAuthorization: '403',
  /** …504: charged, then HTTP 504 with an HTML body (charge then 5xx). */
  gatewayTimeoutAfterCharge: '504',
  /** …502 and …520 (shared MAGIC): HTTP 502, or an unreadable body, to the first request of the order only; nothing charged. */
  /** …103: `operation.is.inProcess` without a payment_id; the same request again finds the payment. */
  inProcessNoId: '103',
  /** …409: charged, answered payment_status DUPLICATED (with the payment's id). */
  duplicated: '409',
  /**
   * …419: charged, then HTTP 504 (the answer lost); the same request again is answered DUPLICATED
   * naming a NEW payment_id — the rejected repeat's, whose payment/status is FAILED — not the charged
   * payment's. The contract does not say whose id a DUPLICATED answer carries: this is the hard reading.
   */
  duplicateNamesFailedRepeat: '419',
  /** …644: charged normally; its reversal is applied, then answered HTTP 504. */
  reversalLost: '644',
  /** …643: charged normally; its reversal is refused, `apelsin.pay.reverse.not.allowed`. */
  reversalNotAllowed: '643',
} as const;

export interface UzumEmulatorOptions {
  serviceId: number;
  merchantServiceUserId: string;
  secretKey: string;
  host?: string;
  port?: number;
  lostAnswerDelayMs: number;
  processingMs: number;
  /**
   * Which reading of the Authorization timestamp this Uzum accepts (`sandbox.uzum.timestamp`): epoch
   * milliseconds ("utc", the default) or epoch milliseconds plus 5 hours ("utc+5"). The other is more
   * than 50 s off and refused with error_code 403, as a stale Authorization is.
   */
  timestamp?: 'utc' | 'utc+5' | undefined;
  now?: () => number;
  /** Where the ledger survives a restart (sandbox mode: under the data dir); without it, memory only. */
  ledgerFile?: string;
}

export interface EmulatedUzumPayment {
  paymentId: string;
  orderId: string;
  transactionId: string;
  amountTiyin: number;
  otpData: string;
  cashboxCode: string;
  createdAt: number;
  processingUntil: number;
  reversed: boolean;
  reversalRequests: number;
  fiscalUrl: string | null;
  /** payment/fiscal requests that reached this payment (absent in a ledger written before they were counted). */
  fiscalRequests?: number;
  /** A rejected repeat (…419): not a charge, its status FAILED; reachable by its payment_id only. */
  failed?: boolean;
  /** payment/status requests of this payment (absent in older ledgers: none). */
  statusRequests?: number;
  /** Tiyin given back in Uzum's merchant cabinet, outside PayBridge, and how many times (absent: none). */
  refundedTiyin?: number;
  cabinetRefunds?: number;
}

const AUTH = /^(\d+):([0-9a-f]{40}):(\d+)$/;
/** The `qr_code` FiscalBox's Uzum page prints in its example request. */
export const FISCALBOX_EXAMPLE_CODE = '880101698207133392';
const GATEWAY_TIMEOUT_PAGE = '<html>\r\n<head><title>504 Gateway Time-out</title></head>\r\n<body>\r\n<center><h1>504 Gateway Time-out</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';
const BASE = '/api/apelsin-pay/merchant';
const PHONE = '998946532140';

function ok(p: EmulatedUzumPayment, status: string): Record<string, JsonValue> {
  return { payment_id: p.paymentId, payment_status: status, error_code: 0, error_message: null, client_phone_number: PHONE, card_type: 2, processing_reference_number: '524818898472' };
}

function error(code: number, message: string | null): Record<string, JsonValue> {
  return { error_code: code, error_message: message };
}

/**
 * A stand-in for Uzum Fast Pay over a real HTTP socket: it checks the Authorization digest and its
 * 50-second freshness, deduplicates by order_id and transaction_id as the contract says, and keeps a
 * ledger that payment/status, the reversal and the fiscal hand-off read.
 */
export class UzumEmulator {
  private readonly server = new EmulatorServer();
  private readonly byId = new Map<string, EmulatedUzumPayment>();
  private readonly byOrder = new Map<string, EmulatedUzumPayment>();
  private readonly byTransaction = new Map<string, EmulatedUzumPayment>();
  private readonly troubled = new Set<string>();
  /** Every charge request that arrived, in order, as sent: tests check the wire against the contract. */
  readonly requests: { path: string; method: string; authorization: string; body: unknown }[] = [];
  private readonly now: () => number;
  private readonly file: LedgerFile<EmulatedUzumPayment>;

  constructor(private readonly options: UzumEmulatorOptions) {
    this.now = options.now ?? (() => this.server.now());
    this.file = new LedgerFile(options.ledgerFile, (p) => p.paymentId);
    for (const p of this.file.load()) this.remember(p);
    const app = this.server.app;
    app.post(`${BASE}/v2/payment`, (req, reply) => this.guard(req, reply, (body) => this.payment(body, req, reply)));
    app.post(`${BASE}/payment/status`, (req, reply) => this.guard(req, reply, (body) => this.status(body)));
    app.put<{ Params: { orderId: string } }>(`${BASE}/v2/payment/reversal/:orderId`, (req, reply) => this.guard(req, reply, (body) => this.reversal(req.params.orderId, body, reply)));
    app.post(`${BASE}/payment/fiscal`, (req, reply) => this.guard(req, reply, (body) => this.fiscal(body, reply)));
    // The emulator's own ledger, for tests and the fault suite: not part of Uzum's API.
    app.get('/_sandbox/payments', async () =>
      [...this.byId.values()].map((p) => ({
        payment_id: p.paymentId,
        order_id: p.orderId,
        amount_tiyin: p.amountTiyin,
        payment_status: this.statusOf(p),
        reversed: p.reversed,
        reversal_requests: p.reversalRequests,
        status_requests: p.statusRequests ?? 0,
        refunded_tiyin: this.refundedOf(p),
        cabinet_refunded_tiyin: p.refundedTiyin ?? 0,
        cabinet_refunds: p.cabinetRefunds ?? 0,
      })),
    );
    // Not part of Uzum's API: a refund made in Uzum's merchant cabinet, as the shop's staff would.
    app.post('/_sandbox/uzum/cabinet-refund', (req, reply) =>
      sandboxRoute(reply, () => {
        const r = readCabinetRefund(req.body, 'payment_id');
        return this.cabinetRefund({ orderId: r.transactionId, paymentId: r.providerId, amount: r.amount });
      }),
    );
  }

  /** Sets Uzum's clock `ms` ahead of the real one (behind when negative): its 50 s check and `Date` follow it. */
  shiftClock(ms: number): void {
    this.server.clockOffsetMs = ms;
  }

  /** e.g. http://127.0.0.1:40123/api/apelsin-pay/merchant/ */
  get baseUrl(): string {
    return `${this.server.origin}${BASE}/`;
  }

  async start(): Promise<this> {
    await this.server.listen(this.options.host ?? '127.0.0.1', this.options.port ?? 0);
    return this;
  }

  close(): Promise<void> {
    return this.server.close();
  }

  paymentById(id: string): EmulatedUzumPayment | undefined {
    return this.byId.get(id);
  }

  byOrderId(orderId: string): EmulatedUzumPayment | undefined {
    return this.byOrder.get(orderId);
  }

  private async guard(req: FastifyRequest, reply: FastifyReply, handle: (body: Record<string, JsonValue>) => unknown): Promise<unknown> {
    const authorization = String(req.headers.authorization ?? '');
    this.requests.push({ path: req.url, method: req.method, authorization, body: req.body === UNPARSABLE ? null : req.body });
    const m = AUTH.exec(authorization);
    const expected = m ? createHash('sha1').update(m[3]! + this.options.secretKey).digest('hex') : '';
    if (!m || m[1] !== this.options.merchantServiceUserId || m[2] !== expected) {
      return reply.code(401).send(error(401, 'apelsin.pay.authorization.error'));
    }
    // The contract: more than 50 s between the Authorization's timestamp and the request's processing is refused.
    if (Math.abs(uzumTimestamp(this.now(), this.options.timestamp) - Number(m[3])) > 50_000) return error(403, null);
    const body = req.body;
    if (body === UNPARSABLE || body === null || typeof body !== 'object' || Array.isArray(body)) return error(400, null);
    const b = body as Record<string, JsonValue>;
    if (Number(b.service_id) !== this.options.serviceId) return error(503, 'operation.not.found');
    return handle(b);
  }

  private async payment(b: Record<string, JsonValue>, req: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    const otp = typeof b.otp_data === 'string' ? b.otp_data : '';
    const amount = Number(b.amount);
    const orderId = typeof b.order_id === 'string' ? b.order_id : '';
    const transactionId = typeof b.transaction_id === 'string' ? b.transaction_id : '';
    if (!orderId || !transactionId || typeof b.cashbox_code !== 'string' || !b.cashbox_code) return error(400, null);
    // Deduplication comes before anything about the code: the same order again is answered by its one payment.
    const existing = this.byOrder.get(orderId) ?? this.byTransaction.get(transactionId);
    if (existing && existing.otpData.slice(-3) === UZUM_MAGIC.duplicateNamesFailedRepeat) {
      // The repeat is recorded as a failed operation of its own, and the DUPLICATED answer names it.
      const repeat: EmulatedUzumPayment = { ...existing, paymentId: randomUUID(), otpData: otp, createdAt: this.now(), processingUntil: 0, reversed: false, reversalRequests: 0, fiscalUrl: null, failed: true, statusRequests: 0, refundedTiyin: 0, cabinetRefunds: 0 };
      this.byId.set(repeat.paymentId, repeat);
      this.file.put(repeat);
      return { ...ok(repeat, 'DUPLICATED'), operation_time: `${formatShopDateTime('Asia/Tashkent', existing.createdAt)}.${String(existing.createdAt % 1000).padStart(3, '0')}` };
    }
    if (existing) {
      // "YYYY-MM-DD HH:mm:ss.SSS", Tashkent time, as the contract's example.
      return { ...ok(existing, 'DUPLICATED'), operation_time: `${formatShopDateTime('Asia/Tashkent', existing.createdAt)}.${String(existing.createdAt % 1000).padStart(3, '0')}` };
    }
    // Real codes are at least 40 characters (the contract), and so is every magic code here; FiscalBox's
    // documentation prints an 18-digit example, which the sandbox takes as a test code so that the
    // example request, sent as printed, is a payment (README: a real Uzum refuses it).
    if (otp.length < 40 && otp !== FISCALBOX_EXAMPLE_CODE) return error(400, 'apelsin.pay.wrong.prefix.otp.data');
    if (!Number.isSafeInteger(amount) || amount <= 0) return error(400, null);
    const magic = otp.slice(-3);
    if (magic === MAGIC.insufficientFunds) return error(400, 'operation.failed');
    if (magic === UZUM_MAGIC.otpExpired) return error(400, 'apelsin.pay.user.otp.data.expired');
    if (magic === UZUM_MAGIC.safeMode) return error(416, 'apelsin.pay.safe.mode.on');
    if (magic === UZUM_MAGIC.staleAuthorization) return error(403, null);
    // The outage and the unreadable answer hit the first request of an order only: asked again, Uzum is back.
    const firstTry = !this.troubled.has(orderId);
    if (magic === MAGIC.serviceDown || magic === MAGIC.garbage) this.troubled.add(orderId);
    if (magic === MAGIC.serviceDown && firstTry) return reply.code(502).type('text/html').send('<html><body>502 Bad Gateway</body></html>');
    if (magic === MAGIC.garbage && firstTry) return reply.code(200).type('application/json').send('{"payment_id": "');
    const p: EmulatedUzumPayment = {
      paymentId: randomUUID(),
      orderId,
      transactionId,
      amountTiyin: amount,
      otpData: otp,
      cashboxCode: b.cashbox_code,
      createdAt: this.now(),
      processingUntil: magic === MAGIC.processing || magic === UZUM_MAGIC.inProcessNoId ? this.now() + this.options.processingMs : 0,
      reversed: false,
      reversalRequests: 0,
      fiscalUrl: null,
    };
    this.remember(p);
    this.file.put(p);
    if (magic === MAGIC.lostAnswer) {
      if (!(await this.server.hold(this.options.lostAnswerDelayMs, req, reply))) return reply;
    }
    if (magic === UZUM_MAGIC.gatewayTimeoutAfterCharge || magic === UZUM_MAGIC.duplicateNamesFailedRepeat) return reply.code(504).type('text/html').send(GATEWAY_TIMEOUT_PAGE);
    if (magic === MAGIC.processing) return { ...error(0, 'operation.is.inProcess'), payment_id: p.paymentId };
    if (magic === UZUM_MAGIC.inProcessNoId) return error(0, 'operation.is.inProcess');
    if (magic === UZUM_MAGIC.duplicated) return ok(p, 'DUPLICATED');
    return ok(p, 'SUCCESS');
  }

  private remember(p: EmulatedUzumPayment): void {
    this.byId.set(p.paymentId, p);
    // A rejected repeat (read back from the ledger file) is known by its id only.
    if (p.failed) return;
    this.byOrder.set(p.orderId, p);
    this.byTransaction.set(p.transactionId, p);
  }

  private statusOf(p: EmulatedUzumPayment): string {
    if (p.failed) return 'FAILED';
    if (p.reversed) return 'REVERSED';
    if (p.refundedTiyin) return 'PARTIAL_CANCELLED';
    return p.processingUntil > this.now() ? 'HOLD' : 'SUCCESS';
  }

  /** Tiyin that went back to the customer: all of it once reversed, else what the cabinet refunded. */
  private refundedOf(p: EmulatedUzumPayment): number {
    return p.reversed ? p.amountTiyin : (p.refundedTiyin ?? 0);
  }

  /**
   * A refund made by the shop's staff in Uzum's merchant cabinet, outside PayBridge: of all that is
   * still paid (payment/status then reads REVERSED) or of `amount` tiyin (PARTIAL_CANCELLED until the
   * rest goes too). `orderId` is PayBridge's transaction id, which it sends as Uzum's order_id.
   */
  cabinetRefund(request: { orderId?: string | undefined; paymentId?: string | undefined; amount?: number | undefined }) {
    const p = request.paymentId !== undefined ? this.byId.get(request.paymentId) : this.byOrder.get(request.orderId ?? '');
    if (!p) throw new SandboxRefusal(404, request.paymentId !== undefined ? `Uzum has no payment ${request.paymentId}` : `Uzum has no payment of order ${request.orderId}`);
    const status = this.statusOf(p);
    if (status !== 'SUCCESS' && status !== 'PARTIAL_CANCELLED') {
      const why = status === 'REVERSED' ? 'it was reversed' : status === 'HOLD' ? 'it is still in process (HOLD)' : 'it was not completed (FAILED)';
      throw new SandboxRefusal(409, `payment ${p.paymentId} cannot be refunded: ${why}`);
    }
    const refunded = p.refundedTiyin ?? 0;
    const remaining = p.amountTiyin - refunded;
    const amount = request.amount ?? remaining;
    if (amount > remaining) throw new SandboxRefusal(400, `payment ${p.paymentId} has ${remaining} tiyin left to refund, not ${amount}`);
    p.refundedTiyin = refunded + amount;
    p.cabinetRefunds = (p.cabinetRefunds ?? 0) + 1;
    if (p.refundedTiyin === p.amountTiyin) p.reversed = true;
    this.file.put(p);
    return {
      payment_id: p.paymentId,
      transaction_id: p.orderId,
      amount: p.amountTiyin,
      refunded_tiyin: this.refundedOf(p),
      remaining_tiyin: p.amountTiyin - this.refundedOf(p),
      status: this.statusOf(p),
      payment_status: this.statusOf(p),
    };
  }

  private status(b: Record<string, JsonValue>): unknown {
    const p = this.byId.get(String(b.payment_id ?? ''));
    if (!p) return error(404, 'operation.not.found');
    p.statusRequests = (p.statusRequests ?? 0) + 1;
    this.file.put(p);
    return { payment_id: p.paymentId, payment_status: this.statusOf(p), error_code: 0, error_message: null };
  }

  private reversal(orderId: string, b: Record<string, JsonValue>, reply: FastifyReply): unknown {
    const p = this.byId.get(String(b.payment_id ?? ''));
    if (!p || p.orderId !== orderId) return error(404, 'operation.not.found');
    p.reversalRequests++;
    this.file.put(p);
    const magic = p.otpData.slice(-3);
    if (magic === UZUM_MAGIC.reversalNotAllowed) return error(400, 'apelsin.pay.reverse.not.allowed');
    // Partly refunded in the cabinet: the contract has no reversal of what is left; refused as a second reversal is.
    if (p.reversed || p.refundedTiyin) return error(400, 'apelsin.pay.unsupported.operation');
    if (this.statusOf(p) !== 'SUCCESS') return error(400, 'operation.is.inProcess');
    p.reversed = true;
    this.file.put(p);
    if (magic === UZUM_MAGIC.reversalLost) return reply.code(504).type('text/html').send(GATEWAY_TIMEOUT_PAGE);
    return { payment_id: p.paymentId, payment_status: 'REVERSED', error_code: 0, error_message: null };
  }

  private fiscal(b: Record<string, JsonValue>, reply: FastifyReply): unknown {
    const p = this.byId.get(String(b.payment_id ?? ''));
    if (!p) return error(404, 'operation.not.found');
    p.fiscalRequests = (p.fiscalRequests ?? 0) + 1;
    this.file.put(p);
    const url = typeof b.fiscal_url === 'string' ? b.fiscal_url : '';
    if (!/^https?:\/\/\S+$/.test(url)) return error(400, 'unsupported.fiscal.url');
    // A reversed payment has nothing to fiscalise; the contract names no code for it, so the emulator answers as to a second reversal.
    if (p.reversed) return error(400, 'apelsin.pay.unsupported.operation');
    const trouble = fiscalTroubleOf(p.otpData);
    // A repeat refused as "already": the contract names no message for it; this is one it documents for other refusals.
    if (trouble === 'answer_lost_then_refused' && p.fiscalRequests > 1) return error(400, 'operation.forbidden');
    p.fiscalUrl = url;
    this.file.put(p);
    if (trouble !== null && p.fiscalRequests === 1) return reply.code(504).type('text/html').send(GATEWAY_TIMEOUT_PAGE);
    return { payment_id: p.paymentId, payment_status: this.statusOf(p), error_code: 0, error_message: null };
  }
}
