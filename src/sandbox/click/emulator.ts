import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { JsonValue } from '../../lib/lenient-json.js';
import { soumLiteralToTiyin, tiyinToSoumLiteral } from '../../payments/money.js';
import { verifyClickAuthHeader } from '../../providers/click/auth.js';
import { EmulatorServer, readCabinetRefund, SandboxRefusal, sandboxRoute, tashkentDay, UNPARSABLE } from '../emulator-server.js';
import { CLICK_MAGIC, fiscalTroubleOf, giveBackTroubleOf, MAGIC, magicOf, type GiveBackTrouble } from '../magic.js';
import { LedgerFile } from '../ledger-file.js';

export interface ClickEmulatorOptions {
  serviceId: number;
  merchantUserId: string;
  secretKey: string;
  host?: string;
  port?: number;
  /** How long the answer to a "lost answer" QR code is held back. */
  lostAnswerDelayMs: number;
  /** How long a "processing" QR code stays at payment_status 1. */
  processingMs: number;
  /** Unconfirmed payments of a service in confirmation mode are cancelled after this. */
  confirmWindowMs: number;
  /** How long the status lookups cannot see a "534"/"535" QR code's payment after its charge (default 3000). */
  statusLagMs?: number;
  /** Seen by tests: called when a charge request arrives, before the emulator acts on it. */
  onChargeRequest?: (request: { transactionId: string | undefined; otpData: string; amountTiyin: number }) => void | Promise<void>;
  /** Seen by tests: called when a fiscal receipt (submit_qrcode) arrives for a known payment, before the emulator acts on it. */
  onFiscalRequest?: (request: { paymentId: number; qrcode: unknown }) => void | Promise<void>;
  /** Where the ledger survives a restart (sandbox mode: under the data dir); without it, memory only. */
  ledgerFile?: string;
}

/** A payment as the emulator's ledger keeps it; amounts in tiyin. */
export interface EmulatedClickPayment {
  paymentId: number;
  serviceId: number;
  merchantTransId: string | null;
  amountTiyin: number;
  otpData: string;
  createdAt: number;
  /** Calendar day in Tashkent, the key of status_by_mti. */
  day: string;
  confirmMode: boolean;
  confirmed: boolean;
  processingUntil: number;
  reversed: boolean;
  /** Tiyin given back so far by partial reversals. */
  reversedTiyin: number;
  phoneNumber: string;
  cardNumber: string;
  fiscalReceiptUrl: string | null;
  /** submit_qrcode requests that reached this payment, answered or not (absent in a ledger written before they were counted). */
  fiscalRequests?: number;
  /**
   * Until this time (epoch ms) the status lookups do not give this payment's status but `statusLag`'s
   * answer: CLICK's status API lagging behind its charge ("534", "535"). 0: no lag.
   */
  statusLagUntil: number;
  statusLag: 'not_found' | 'system_error' | null;
  /** status_by_mti never finds it (answers −6), though it exists ("536"); absent in older ledgers. */
  hiddenFromLookup?: boolean;
  /**
   * How the reversals of this payment go (its QR code's give-back magic, "604"/"605"/"603"): applied
   * and answered 504, applied and the connection dropped, or the first one answered 502 unapplied.
   */
  reversalTrouble: GiveBackTrouble | null;
  /** Reversal requests (whole and partial) that reached this payment, applied or not. */
  reversalRequests: number;
  /** Reversals (whole and partial) applied: the money went back this many times. */
  reversalsApplied: number;
  /**
   * Status questions about this payment: `payment/status` of its id and `status_by_mti` of its
   * merchant_trans_id and day, whatever they were answered (absent in older ledgers: none).
   */
  statusRequests?: number;
  /** Tiyin given back in CLICK's merchant cabinet, outside PayBridge (part of `reversedTiyin`), and how many times. */
  cabinetRefundedTiyin?: number;
  cabinetRefunds?: number;
}

const BASE = '/v2/merchant';
const SUCCESS_NOTE = 'Успешно подтвержден';
const NOT_FOUND = { error_code: -6, error_note: 'Платеж не найден' } as const;
const SYSTEM_ERROR = { error_code: -500, error_note: 'Системная ошибка' } as const;
/** What nginx in front of an upstream that did not answer in time sends. */
const BAD_GATEWAY_PAGE = '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';
const GATEWAY_TIMEOUT_PAGE =
  '<html>\r\n<head><title>504 Gateway Time-out</title></head>\r\n<body>\r\n<center><h1>504 Gateway Time-out</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

/**
 * A stand-in for CLICK's merchant API: a real HTTP server on loopback that checks the Auth digest
 * like CLICK does, keeps its own ledger of charges, and reacts to the documented magic QR codes.
 * PayBridge reaches it with exactly the client it uses for the real CLICK.
 */
export class ClickEmulator {
  private readonly server = new EmulatorServer();
  private readonly payments = new Map<number, EmulatedClickPayment>();
  private readonly confirmModeServices = new Set<number>();
  private nextPaymentId = 2_170_000_001;
  private readonly file: LedgerFile<EmulatedClickPayment>;

  constructor(private readonly options: ClickEmulatorOptions) {
    this.file = new LedgerFile(options.ledgerFile, (p) => String(p.paymentId));
    for (const p of this.file.load()) {
      this.payments.set(p.paymentId, p);
      // An earlier run's payment ids stay taken: PayBridge's journal knows them.
      this.nextPaymentId = Math.max(this.nextPaymentId, p.paymentId + 1);
    }
    this.server.app.addHook('onRequest', async (req, reply) => {
      if (!req.url.startsWith(BASE)) return;
      // CLICK lists Accept and Content-Type as required on every request, GET and DELETE too.
      const contentType = /^application\/(json|xml)\b/i.test(req.headers['content-type'] ?? '');
      const accepts = /(^|,)\s*(application\/(json|xml|\*)|\*\/\*)\s*(;|,|$)/i.test(req.headers.accept ?? '');
      if (!contentType || !accepts) {
        return reply.code(406).send({ error_code: -406, error_note: 'Not Acceptable: Accept and Content-Type must be application/json or application/xml' });
      }
      const ok = verifyClickAuthHeader(req.headers.auth as string | undefined, {
        merchantUserId: options.merchantUserId,
        secretKey: options.secretKey,
        maxSkewSeconds: 300,
        nowMs: this.server.now(),
      });
      if (!ok) await reply.code(401).send({ error_code: -401, error_note: 'Unauthorized' });
    });
    this.routes();
  }

  /** Sets CLICK's clock `ms` ahead of the real one (behind when negative): its Auth check and `Date` follow it. */
  shiftClock(ms: number): void {
    this.server.clockOffsetMs = ms;
  }

  /** The base URL to put in PayBridge's `click.base_url`. */
  get baseUrl(): string {
    return `${this.server.origin}${BASE}/`;
  }

  /** The ledger: every payment the emulator accepted, in order. */
  ledger(): EmulatedClickPayment[] {
    return [...this.payments.values()].map((p) => ({ ...p }));
  }

  /** Charges that moved money: paid and not reversed. */
  charges(): EmulatedClickPayment[] {
    return this.ledger().filter((p) => this.statusOf(p) === 2 && !p.reversed);
  }

  async start(): Promise<this> {
    await this.server.listen(this.options.host ?? '127.0.0.1', this.options.port ?? 0);
    return this;
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private statusOf(p: EmulatedClickPayment, now = Date.now()): number {
    if (p.reversed) return -2;
    if (p.confirmMode && !p.confirmed) return now - p.createdAt > this.options.confirmWindowMs ? -1 : 1;
    return now < p.processingUntil ? 1 : 2;
  }

  private statusNote(p: EmulatedClickPayment): string {
    const status = this.statusOf(p);
    if (status === 2) return SUCCESS_NOTE;
    if (status === 1) return 'Платеж в обработке';
    if (p.reversed) return 'Платеж отменен';
    return 'Отменен: платеж не подтвержден';
  }

  private serviceMismatch(serviceId: unknown, reply: FastifyReply): boolean {
    if (Number(serviceId) === this.options.serviceId) return false;
    void reply.send({ error_code: -5, error_note: 'Сервис не найден' });
    return true;
  }

  private find(paymentId: unknown): EmulatedClickPayment | undefined {
    return this.payments.get(Number(paymentId));
  }

  /** A status lookup's answer while the payment's status lags behind its charge; undefined once it shows. */
  private lagging(p: EmulatedClickPayment): typeof NOT_FOUND | typeof SYSTEM_ERROR | undefined {
    if (!p.statusLag || Date.now() >= p.statusLagUntil) return undefined;
    return p.statusLag === 'not_found' ? NOT_FOUND : SYSTEM_ERROR;
  }

  /**
   * Counts a reversal request of `p`; true when it is the one a "603" payment's gateway fails
   * (HTTP 502) before CLICK applies anything: its first.
   */
  private reversalFailsUnapplied(p: EmulatedClickPayment): boolean {
    p.reversalRequests += 1;
    this.file.put(p);
    return p.reversalTrouble === 'not_applied_once' && p.reversalRequests === 1;
  }

  /** The answer to an applied reversal, as a "604"/"605" payment's gateway mangles it. */
  private reversalAnswer(p: EmulatedClickPayment, answer: Record<string, unknown>, req: FastifyRequest, reply: FastifyReply) {
    if (p.reversalTrouble === 'applied_then_error') return reply.code(504).type('text/html').send(GATEWAY_TIMEOUT_PAGE);
    if (p.reversalTrouble === 'applied_then_dropped') {
      // Applied, and then the connection goes: no status line, no body.
      reply.hijack();
      req.raw.socket.destroy();
      return reply;
    }
    return answer;
  }

  private countStatusRequest(p: EmulatedClickPayment): void {
    p.statusRequests = (p.statusRequests ?? 0) + 1;
    this.file.put(p);
  }

  /**
   * A refund made by the shop's staff in CLICK's merchant cabinet, outside PayBridge: of the whole
   * remaining amount, or of `amount` tiyin. It leaves the payment as CLICK's own reversals do — a
   * whole one reversed (payment_status −2), a partial one with `reversedTiyin` grown — so CLICK's
   * status calls read it; nothing else of CLICK's API answers differently.
   */
  cabinetRefund(request: { transactionId?: string | undefined; paymentId?: string | undefined; amount?: number | undefined }) {
    let p: EmulatedClickPayment | undefined;
    if (request.paymentId !== undefined) {
      p = this.find(request.paymentId);
      if (!p) throw new SandboxRefusal(404, `CLICK has no payment ${request.paymentId}`);
    } else {
      const named = [...this.payments.values()].filter((x) => x.merchantTransId === request.transactionId);
      if (named.length === 0) throw new SandboxRefusal(404, `CLICK has no payment of transaction ${request.transactionId}`);
      const paid = named.filter((x) => this.statusOf(x) === 2);
      if (paid.length > 1) throw new SandboxRefusal(409, `transaction ${request.transactionId} has ${paid.length} paid payments (${paid.map((x) => x.paymentId).join(', ')}): name one by payment_id`);
      p = paid[0] ?? named[named.length - 1]!;
    }
    const status = this.statusOf(p);
    if (status !== 2) {
      const why = p.reversed ? 'it was reversed' : status === 1 ? 'it is still being processed (payment_status 1)' : 'it was cancelled unpaid (payment_status −1)';
      throw new SandboxRefusal(409, `payment ${p.paymentId} cannot be refunded: ${why}`);
    }
    const remaining = p.amountTiyin - p.reversedTiyin;
    const amount = request.amount ?? remaining;
    if (amount > remaining) throw new SandboxRefusal(400, `payment ${p.paymentId} has ${remaining} tiyin left to refund, not ${amount}`);
    p.reversedTiyin += amount;
    if (p.reversedTiyin === p.amountTiyin) p.reversed = true;
    p.cabinetRefundedTiyin = (p.cabinetRefundedTiyin ?? 0) + amount;
    p.cabinetRefunds = (p.cabinetRefunds ?? 0) + 1;
    this.file.put(p);
    return {
      payment_id: p.paymentId,
      transaction_id: p.merchantTransId,
      amount: p.amountTiyin,
      refunded_tiyin: p.reversedTiyin,
      remaining_tiyin: p.amountTiyin - p.reversedTiyin,
      cabinet_refunded_tiyin: p.cabinetRefundedTiyin,
      reversed: p.reversed,
      status: this.statusOf(p),
      payment_status: this.statusOf(p),
    };
  }

  private routes(): void {
    const app = this.server.app;
    const body = (req: FastifyRequest) => (req.body === UNPARSABLE ? undefined : ((req.body ?? {}) as Record<string, JsonValue>));

    app.post(`${BASE}/click_pass/payment`, async (req, reply) => {
      const b = body(req);
      if (!b) return reply.code(400).send({ error_code: -8, error_note: 'Ошибка в запросе' });
      if (this.serviceMismatch(b.service_id, reply)) return reply;
      const otp = typeof b.otp_data === 'string' ? b.otp_data : '';
      let amountTiyin: number;
      try {
        amountTiyin = soumLiteralToTiyin(String(b.amount));
      } catch {
        return { error_code: -2, error_note: 'Неверная сумма' };
      }
      if (!otp || amountTiyin <= 0) return { error_code: -8, error_note: 'Ошибка в запросе' };
      const transactionId = typeof b.transaction_id === 'string' ? b.transaction_id : undefined;
      await this.options.onChargeRequest?.({ transactionId, otpData: otp, amountTiyin });

      const magic = magicOf(otp);
      if (magic === MAGIC.serviceDown) return reply.code(502).type('text/html').send('<html><body>502 Bad Gateway</body></html>');
      if (magic === MAGIC.garbage) return reply.code(200).type('application/json').send('{"error_code":0,"payment_id":<html>');
      if (magic === MAGIC.insufficientFunds) return { error_code: -5017, error_note: 'Недостаточно средств на карте' };
      // Codes CLICK documents for no call of the Pass API, nothing charged.
      if (magic === CLICK_MAGIC.systemErrorNothingCharged) return SYSTEM_ERROR;
      if (magic === CLICK_MAGIC.unknownCode) return { error_code: -9999, error_note: 'Ошибка' };

      const now = Date.now();
      const digest = createHash('sha256').update(otp).digest();
      const payment: EmulatedClickPayment = {
        paymentId: this.nextPaymentId++,
        serviceId: this.options.serviceId,
        merchantTransId: transactionId ?? null,
        amountTiyin,
        otpData: otp,
        createdAt: now,
        day: tashkentDay(now),
        confirmMode: this.confirmModeServices.has(this.options.serviceId),
        confirmed: false,
        processingUntil: magic === MAGIC.processing ? now + this.options.processingMs : now,
        reversed: false,
        reversedTiyin: 0,
        phoneNumber: `99890${String(digest.readUInt32BE(0) % 10_000_000).padStart(7, '0')}`,
        cardNumber: `860049******${String(digest.readUInt16BE(4) % 10_000).padStart(4, '0')}`,
        fiscalReceiptUrl: null,
        statusLagUntil: 0,
        statusLag: null,
        reversalTrouble: giveBackTroubleOf('click', magic),
        reversalRequests: 0,
        reversalsApplied: 0,
      };
      if (magic === CLICK_MAGIC.lookupNeverFinds) payment.hiddenFromLookup = true;
      if (magic === CLICK_MAGIC.laggingStatus || magic === CLICK_MAGIC.lookupError) {
        payment.statusLagUntil = now + (this.options.statusLagMs ?? 3_000);
        payment.statusLag = magic === CLICK_MAGIC.laggingStatus ? 'not_found' : 'system_error';
      }
      this.payments.set(payment.paymentId, payment);
      this.file.put(payment);
      const answer = {
        error_code: 0,
        error_note: this.statusNote(payment),
        payment_id: payment.paymentId,
        payment_status: this.statusOf(payment),
        confirm_mode: payment.confirmMode ? 1 : 0,
        card_type: 'private',
        processing_type: 'UZCARD',
        card_number: payment.cardNumber,
        phone_number: payment.phoneNumber,
      };
      // Charged, but the answer comes too late for any sane client timeout.
      if (magic === MAGIC.lostAnswer && !(await this.server.hold(this.options.lostAnswerDelayMs, req, reply))) return reply;
      // Charged, but a gateway in front of CLICK gave up waiting for it, or the answer is mangled.
      if (magic === CLICK_MAGIC.gatewayTimeoutAfterCharge || magic === CLICK_MAGIC.laggingStatus || magic === CLICK_MAGIC.lookupError || magic === CLICK_MAGIC.lookupNeverFinds) {
        return reply.code(504).type('text/html').send(GATEWAY_TIMEOUT_PAGE);
      }
      // Charged (in the confirmation mode: created, awaiting a confirmation that a failure answer never invites), then a failure code.
      if (magic === CLICK_MAGIC.systemErrorAfterCharge) return SYSTEM_ERROR;
      if (magic === CLICK_MAGIC.alreadyPaidAfterCharge) return { error_code: -4, error_note: 'Already paid' };
      if (magic === CLICK_MAGIC.systemErrorNamingPayment) return { ...SYSTEM_ERROR, payment_id: payment.paymentId, payment_status: answer.payment_status };
      if (magic === CLICK_MAGIC.garbageAfterCharge) {
        return reply.code(200).type('application/json').send(`{"error_code":0,"error_note":"${answer.error_note}","payment_id":${payment.paymentId},"payment_status":<html>`);
      }
      return answer;
    });

    app.post(`${BASE}/click_pass/confirm`, async (req, reply) => {
      const b = body(req) ?? {};
      if (this.serviceMismatch(b.service_id, reply)) return reply;
      const p = this.find(b.payment_id);
      if (!p) return { error_code: -6, error_note: 'Платеж не найден' };
      if (!p.confirmMode) return { error_code: 0, error_note: SUCCESS_NOTE };
      if (this.statusOf(p) < 0) return { error_code: -9, error_note: 'Платеж уже отменен' };
      p.confirmed = true;
      this.file.put(p);
      return { error_code: 0, error_note: SUCCESS_NOTE };
    });

    const confirmation = (on: boolean) => async (req: FastifyRequest<{ Params: { service_id: string } }>, reply: FastifyReply) => {
      if (this.serviceMismatch(req.params.service_id, reply)) return reply;
      if (on) this.confirmModeServices.add(this.options.serviceId);
      else this.confirmModeServices.delete(this.options.serviceId);
      return { error_code: 0, error_note: 'Успешно' };
    };
    app.put(`${BASE}/click_pass/confirmation/:service_id`, confirmation(true));
    app.delete(`${BASE}/click_pass/confirmation/:service_id`, confirmation(false));

    app.get<{ Params: { service_id: string; payment_id: string } }>(`${BASE}/payment/status/:service_id/:payment_id`, async (req, reply) => {
      if (this.serviceMismatch(req.params.service_id, reply)) return reply;
      const p = this.find(req.params.payment_id);
      if (!p) return NOT_FOUND;
      this.countStatusRequest(p);
      const lag = this.lagging(p);
      if (lag) return lag;
      return { error_code: 0, error_note: this.statusNote(p), payment_id: p.paymentId, payment_status: this.statusOf(p) };
    });

    app.get<{ Params: { service_id: string; mti: string; date: string } }>(
      `${BASE}/payment/status_by_mti/:service_id/:mti/:date`,
      async (req, reply) => {
        if (this.serviceMismatch(req.params.service_id, reply)) return reply;
        const p = [...this.payments.values()].find((x) => x.merchantTransId === req.params.mti && x.day === req.params.date);
        if (p) this.countStatusRequest(p);
        if (!p || p.hiddenFromLookup) return NOT_FOUND;
        const lag = this.lagging(p);
        if (lag) return lag;
        return {
          error_code: 0,
          error_note: this.statusNote(p),
          payment_id: p.paymentId,
          merchant_trans_id: p.merchantTransId,
          payment_status: this.statusOf(p),
        };
      },
    );

    app.delete<{ Params: { service_id: string; payment_id: string } }>(`${BASE}/payment/reversal/:service_id/:payment_id`, async (req, reply) => {
      if (this.serviceMismatch(req.params.service_id, reply)) return reply;
      const p = this.find(req.params.payment_id);
      if (!p) return { error_code: -6, error_note: 'Платеж не найден' };
      if (this.reversalFailsUnapplied(p)) return reply.code(502).type('text/html').send(BAD_GATEWAY_PAGE);
      if (this.statusOf(p) !== 2 || p.reversedTiyin > 0) return { error_code: -9, error_note: 'Отмена невозможна' };
      p.reversed = true;
      p.reversedTiyin = p.amountTiyin;
      p.reversalsApplied += 1;
      this.file.put(p);
      return this.reversalAnswer(p, { error_code: 0, error_note: 'Платеж отменен', payment_id: p.paymentId }, req, reply);
    });

    app.delete<{ Params: { service_id: string; payment_id: string; amount: string } }>(
      `${BASE}/payment/partial_reversal/:service_id/:payment_id/:amount`,
      async (req, reply) => {
        if (this.serviceMismatch(req.params.service_id, reply)) return reply;
        const p = this.find(req.params.payment_id);
        if (!p) return { error_code: -6, error_note: 'Платеж не найден' };
        if (this.reversalFailsUnapplied(p)) return reply.code(502).type('text/html').send(BAD_GATEWAY_PAGE);
        let amount: number;
        try {
          amount = soumLiteralToTiyin(req.params.amount);
        } catch {
          return { error_code: -2, error_note: 'Неверная сумма' };
        }
        if (this.statusOf(p) !== 2 || amount <= 0 || p.reversedTiyin + amount > p.amountTiyin) return { error_code: -9, error_note: 'Отмена невозможна' };
        p.reversedTiyin += amount;
        p.reversalsApplied += 1;
        if (p.reversedTiyin === p.amountTiyin) p.reversed = true;
        this.file.put(p);
        return this.reversalAnswer(p, { error_code: 0, error_note: 'Частичная отмена выполнена', payment_id: p.paymentId }, req, reply);
      },
    );

    app.post(`${BASE}/payment/ofd_data/submit_qrcode`, async (req, reply) => {
      const b = body(req) ?? {};
      if (this.serviceMismatch(b.service_id, reply)) return reply;
      const p = this.find(b.payment_id);
      if (!p) return { error_code: -6, error_note: 'Платеж не найден' };
      p.fiscalRequests = (p.fiscalRequests ?? 0) + 1;
      this.file.put(p);
      await this.options.onFiscalRequest?.({ paymentId: p.paymentId, qrcode: b.qrcode });
      if (typeof b.qrcode !== 'string' || !b.qrcode.startsWith('https://')) return { error_code: -8, error_note: 'Неверный qrcode' };
      // Nothing to fiscalise once all the money went back (the SHOP API's −9 "cancelled"; CLICK does not document this call's codes).
      if (this.statusOf(p) < 0) return { error_code: -9, error_note: 'Платеж отменен' };
      const trouble = fiscalTroubleOf(p.otpData);
      // A repeat refused as "already" (−4, the SHOP API's nearest code; CLICK documents none for this call).
      if (trouble === 'answer_lost_then_refused' && p.fiscalRequests > 1) return { error_code: -4, error_note: 'Фискальные данные уже переданы' };
      p.fiscalReceiptUrl = b.qrcode;
      this.file.put(p);
      if (trouble !== null && p.fiscalRequests === 1) return reply.code(504).type('text/html').send(GATEWAY_TIMEOUT_PAGE);
      return { error_code: 0, error_note: 'Успешно' };
    });

    // The fiscal data CLICK holds for a payment, read back. CLICK documents the call, not its answer for
    // a payment without any: this emulator answers that as for an unknown payment.
    app.get<{ Params: { service_id: string; payment_id: string } }>(`${BASE}/payment/ofd_data/:service_id/:payment_id`, async (req, reply) => {
      if (this.serviceMismatch(req.params.service_id, reply)) return reply;
      const p = this.find(req.params.payment_id);
      if (!p) return NOT_FOUND;
      if (!p.fiscalReceiptUrl) return { error_code: -6, error_note: 'Фискальные данные не найдены' };
      return { paymentId: p.paymentId, qrCodeURL: p.fiscalReceiptUrl };
    });

    // Not part of CLICK: a refund made in CLICK's merchant cabinet, as the shop's staff would.
    app.post('/_sandbox/click/cabinet-refund', (req, reply) =>
      sandboxRoute(reply, () => {
        const r = readCabinetRefund(req.body, 'payment_id');
        return this.cabinetRefund({ transactionId: r.transactionId, paymentId: r.providerId, amount: r.amount });
      }),
    );

    // Not part of CLICK: lets a POS developer see what the emulator charged.
    app.get('/_sandbox/payments', async () =>
      this.ledger().map((p) => ({
        payment_id: p.paymentId,
        merchant_trans_id: p.merchantTransId,
        amount: tiyinToSoumLiteral(p.amountTiyin),
        amount_tiyin: p.amountTiyin,
        payment_status: this.statusOf(p),
        reversed: p.reversed,
        reversed_tiyin: p.reversedTiyin,
        reversal_requests: p.reversalRequests,
        reversals_applied: p.reversalsApplied,
        fiscal_receipt_url: p.fiscalReceiptUrl,
        fiscal_requests: p.fiscalRequests ?? 0,
        status_requests: p.statusRequests ?? 0,
        refunded_tiyin: p.reversedTiyin,
        cabinet_refunded_tiyin: p.cabinetRefundedTiyin ?? 0,
        cabinet_refunds: p.cabinetRefunds ?? 0,
        created_at: new Date(p.createdAt).toISOString(),
      })),
    );
  }
}
