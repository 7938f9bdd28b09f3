import { statusText, text } from '../i18n/text.js';
import { METHOD_NAMES } from './transaction.js';
import { tiyinToSoumLiteral } from './money.js';
import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { firstWrite, type Journal } from '../journal/journal.js';
import type { ChargeOutcome, ChargeProgress, QrProvider } from '../providers/qr-provider.js';
import { billingError, ErrorCode, overRemaining, paymentError } from './errors.js';
import { KeyedLock } from './keyed-lock.js';
import { NO_CLAIMS, type LiveClaims } from './live-claim.js';
import { maskQrCode } from './masking.js';
import type { TransactionStatus } from './state-machine.js';
import type { Transaction } from './transaction.js';

export type QrMethod = 'click' | 'payme';

/** Shop details some answers carry (Payme's seed answer echoes them). */
export interface ShopDetails {
  inn?: string | undefined;
  kkm_id?: string | undefined;
  device_id?: string | undefined;
}

/** Which payment a cancellation is for: our transaction id or the provider's payment id. */
export interface QrCancelRequest {
  transactionId?: string | undefined;
  paymentId?: string | undefined;
  /** Tiyin to give back; the whole remainder when absent. */
  amount?: number | undefined;
}

export interface QrCancelResult {
  status: 'successfully';
  message: string;
  transaction_id: string;
  payment_id: string;
  /** Given back by this cancellation, tiyin. */
  amount: number;
  /** Given back in all, tiyin. */
  refunded_amount: number;
  /** Still paid, tiyin. */
  remaining_amount: number;
  transaction_status: TransactionStatus;
}

export interface QrPaymentRequest {
  amount: number;
  qrCode: string;
}

/** What the POS receives on success: the seed documents' fields. */
export interface QrPaymentResult {
  status_code: 0;
  status: 'successfully';
  message: string;
  transaction_id: string;
  payment_id: string;
  amount: number;
  qr_code: string;
  client_phone_number: string | null;
  inn?: string;
  kkm_id?: string;
  device_id?: string;
}

export function hashQrCode(qrCode: string): string {
  return createHash('sha256').update(qrCode).digest('hex');
}

/**
 * Takes a QR-wallet payment through its life: written to the journal as `pending` before the
 * provider hears of it, every fact the provider reveals written down before the next step, and
 * the final outcome recorded before the till is answered.
 */
export interface PaymentServiceHooks {
  /** Told of every transaction as soon as it is journaled (ties it to the idempotency key being served). */
  onTransaction?: (transactionId: string) => Promise<void>;
  /** Keeps the journal's claim of a transaction alive while its request works on it. */
  claims?: LiveClaims;
}

export interface QrPaymentOptions {
  /** A second request with the same QR code and amount within this window is the first one again. */
  qrRetryWindowMs: number;
  /** How long such a retry waits for the first one's outcome when another PayBridge is charging it. */
  retryWaitMs?: number;
}

export class QrPaymentService {
  private readonly locks = new KeyedLock();
  private readonly inFlight = new Set<string>();
  /** The cashier's explanation of an outcome just recorded, for the answer about to be given. */
  private readonly reasons = new Map<string, string>();

  constructor(
    private readonly journal: Journal,
    private readonly providers: ReadonlyMap<string, QrProvider>,
    private readonly log: Logger,
    private readonly shop: ShopDetails = {},
    private readonly options: QrPaymentOptions = { qrRetryWindowMs: 600_000 },
    private readonly hooks: PaymentServiceHooks = {},
  ) {}

  provider(method: QrMethod): QrProvider {
    const provider = this.providers.get(method);
    if (!provider) {
      throw billingError('NOT_CONFIGURED', { reason: text('method_not_configured', { method: METHOD_NAMES[method] }) });
    }
    return provider;
  }

  async pay(method: QrMethod, request: QrPaymentRequest): Promise<QrPaymentResult> {
    const provider = this.provider(method);
    const qrCodeHash = hashQrCode(request.qrCode);
    // A Click Pass or Payme Go code pays once: the same code and amount again within the window is a
    // retry of the same payment (a till without idempotency keys), answered as the first one was —
    // unless that one failed, when nothing was charged and a new attempt is made.
    // The look-up and the insert are one journal operation, atomic in the database, so that a retry
    // reaching another PayBridge on the same journal is recognised too; the lock here only keeps
    // this process's own retries from queueing on the database.
    return this.locks.run(`qr:${method}:${qrCodeHash}`, async () => {
      const now = Date.now();
      const { created, transaction: tx } = await firstWrite(this.journal.insertQrPayment(
        { id: randomUUID(), method, amount: request.amount, qrCodeMasked: maskQrCode(request.qrCode), qrCodeHash, createdAt: now },
        { step: 'received', detail: { amount: request.amount, qr_code: request.qrCode } },
        now - this.options.qrRetryWindowMs,
      ));
      // (A failed attempt moved no money: the journal lets a new one be made, the cashier's right.)
      if (!created) {
        this.log.info({ transaction_id: tx.id, method }, 'same QR code and amount again: answering as the first time');
        return this.answerFor(await this.settledOrLatest(tx), request.qrCode, true);
      }
      this.inFlight.add(tx.id);
      try {
        return await (this.hooks.claims ?? NO_CLAIMS).hold(tx.id, async () => {
          await this.hooks.onTransaction?.(tx.id);
          const settled = await this.charge(provider, tx, request.qrCode);
          return this.answerFor(settled, request.qrCode, false);
        });
      } finally {
        this.inFlight.delete(tx.id);
      }
    });
  }

  /**
   * A retry that reached this PayBridge while the first attempt is still being charged by another
   * one on the same journal: wait a while for that outcome, so the till hears it rather than "unknown".
   */
  private async settledOrLatest(tx: Transaction): Promise<Transaction> {
    const deadline = Date.now() + (this.options.retryWaitMs ?? 30_000);
    let current = tx;
    while (current.status === 'pending' && !this.inFlight.has(current.id) && Date.now() < deadline) {
      await sleep(100);
      current = (await this.journal.get(current.id)) ?? current;
    }
    return current;
  }

  /** Charges through the provider, journaling each fact, and records the outcome. */
  private async charge(provider: QrProvider, tx: Transaction, qrCode: string): Promise<Transaction> {
    const log = this.log.child({ transaction_id: tx.id, method: tx.method });
    let status: TransactionStatus = tx.status;
    const progress = async (p: ChargeProgress): Promise<void> => {
      const to: TransactionStatus = p.uncertain && status === 'pending' ? 'unknown' : status;
      await this.journal.transition(tx.id, status, to, { providerPaymentId: p.providerPaymentId }, { step: p.step, detail: p.uncertain ? { uncertain: p.uncertain, evidence: p.detail } : p.detail });
      if (to !== status) log.warn({ step: p.step, reason: p.uncertain }, 'payment outcome uncertain; resolving through the provider status API');
      status = to;
    };
    let outcome: ChargeOutcome;
    try {
      outcome = qrCode
        ? await provider.charge({ transactionId: tx.id, amount: tx.amount, qrCode, createdAt: tx.createdAt }, progress)
        : await provider.recover({ transactionId: tx.id, amount: tx.amount, createdAt: tx.createdAt, sentAt: Math.max(tx.createdAt, tx.updatedAt), providerPaymentId: tx.providerPaymentId }, progress);
    } catch (err) {
      // A bug or a journal failure mid-flight: whether money moved is not known, so say exactly that.
      log.error({ err }, 'payment flow failed unexpectedly');
      outcome = { status: 'unknown', reason: 'PayBridge failed while talking to the provider. Do not take the payment again; PayBridge keeps checking.' };
    }
    return this.record(tx, status, outcome, log);
  }

  /** Settles a payment left pending or unknown (after a crash, or a lost answer) by asking its provider; never charges. */
  async recover(tx: Transaction): Promise<Transaction> {
    if (this.inFlight.has(tx.id)) return tx;
    const settled = await this.charge(this.provider(tx.method as QrMethod), tx, '');
    this.reasons.delete(tx.id); // no till is waiting for this answer
    return settled;
  }

  isInFlight(transactionId: string): boolean {
    return this.inFlight.has(transactionId);
  }

  /** The answer a settled payment stands for, to a retry of the request that started it; undefined while unsettled. */
  async replay(transactionId: string, qrCode: string): Promise<QrPaymentResult | undefined> {
    const tx = await this.journal.get(transactionId);
    if (!tx || tx.status === 'pending' || tx.status === 'unknown') return undefined;
    return this.answerFor(tx, qrCode, true);
  }

  /** Writes the outcome down; a success that cannot be written is still a success (recovery finishes the record). */
  private async record(tx: Transaction, from: TransactionStatus, outcome: ChargeOutcome, log: Logger): Promise<Transaction> {
    if (outcome.status === 'succeeded') {
      const patch = { providerPaymentId: outcome.providerPaymentId, clientPhoneNumber: outcome.clientPhoneNumber, providerMessage: outcome.message };
      log.info({ provider_payment_id: outcome.providerPaymentId, amount: tx.amount }, 'payment succeeded');
      try {
        return await this.journal.transition(tx.id, from, 'succeeded', patch, { step: 'succeeded', detail: outcome.detail });
      } catch (err) {
        // The customer has paid. Telling the till otherwise would invite a second charge.
        log.error({ err }, 'payment succeeded at the provider but could not be recorded as such');
        return { ...tx, ...patch, status: 'succeeded' };
      }
    }
    const data = outcome.status === 'failed' ? `${outcome.providerCode}: ${outcome.providerText}` : 'OUTCOME_UNKNOWN';
    const patch = {
      error: { code: ErrorCode.BILLING, message: 'BILLING_ERROR', data },
      ...(outcome.status === 'unknown' && outcome.providerPaymentId ? { providerPaymentId: outcome.providerPaymentId } : {}),
    };
    log.warn({ outcome: outcome.status, data, reason: outcome.reason }, 'payment not completed');
    const done = await this.journal.transition(tx.id, from, outcome.status, patch, { step: outcome.status, detail: { reason: outcome.reason, evidence: outcome.detail } });
    this.reasons.set(tx.id, outcome.reason);
    return done;
  }

  /**
   * The till's answer for a journaled payment: the seed's success fields, or the error it ended
   * with. `qrCode` is the code the till sent (the journal keeps only its hash).
   */
  answerFor(tx: Transaction, qrCode: string, replayed: boolean): QrPaymentResult {
    const extras = { transaction_id: tx.id, transaction_status: tx.status, ...(replayed ? { replayed: true } : {}) };
    const reason = this.reasons.get(tx.id);
    this.reasons.delete(tx.id);
    switch (tx.status) {
      case 'succeeded': {
        const { inn, kkm_id, device_id } = tx.method === 'payme' ? this.shop : {};
        return {
          status_code: 0,
          status: 'successfully',
          message: tx.providerMessage ?? 'Успешно подтвержден',
          transaction_id: tx.id,
          payment_id: tx.providerPaymentId ?? '',
          amount: tx.amount,
          qr_code: qrCode,
          client_phone_number: tx.clientPhoneNumber,
          ...(inn ? { inn } : {}),
          ...(kkm_id ? { kkm_id } : {}),
          ...(device_id ? { device_id } : {}),
        };
      }
      case 'failed':
        throw billingError(tx.error?.data ?? null, { reason: reason ?? text('provider_declined'), ...extras });
      case 'cancelled':
      case 'refunded':
        throw paymentError(text('qr_code_used', { status: statusText(tx.status) }), extras);
      default:
        throw billingError('OUTCOME_UNKNOWN', {
          reason: reason ?? text('outcome_unknown'),
          ...extras,
        });
    }
  }

  /**
   * Gives a QR payment's money back, whole or in part where the provider supports it. Refused before
   * the provider is asked when the payment is not paid, was already given back, or the amount is
   * more than what remains.
   */
  async cancel(method: QrMethod, request: QrCancelRequest): Promise<QrCancelResult> {
    const provider = this.provider(method);
    const found = request.transactionId
      ? await this.journal.get(request.transactionId)
      : await this.journal.findByProviderPaymentId(method, request.paymentId ?? '');
    if (!found) {
      throw paymentError(
        request.transactionId ? text('transaction_not_found', { id: request.transactionId }) : text('payment_id_not_found', { id: request.paymentId ?? '', method: METHOD_NAMES[method] }),
      );
    }
    if (found.method !== method) {
      throw paymentError(text('wrong_method', { id: request.transactionId ?? request.paymentId ?? '', actual: METHOD_NAMES[found.method], method: METHOD_NAMES[method] }), {
        transaction_id: found.id,
      });
    }

    return this.locks.run(found.id, async () => {
      // Read again under the lock: a cancellation that just finished must be seen.
      const tx = (await this.journal.get(found.id))!;
      const extras = { transaction_id: tx.id, transaction_status: tx.status };
      if (tx.status === 'cancelled' || tx.status === 'refunded') throw paymentError(text('already_given_back', { status: statusText(tx.status) }), extras);
      if (tx.status === 'unknown' || tx.status === 'pending') {
        throw paymentError(text('outcome_not_final', { status: statusText(tx.status) }), extras);
      }
      if (tx.status !== 'succeeded' || !tx.providerPaymentId) throw paymentError(text('not_paid', { status: statusText(tx.status) }), extras);
      const remaining = tx.amount - tx.refundedAmount;
      const amount = request.amount ?? remaining;
      if (amount > remaining) {
        throw paymentError(overRemaining(amount, remaining, tx.amount), { ...extras, remaining_amount: remaining });
      }
      const partial = amount < remaining || tx.refundedAmount > 0;
      if (partial && !provider.supportsPartialCancel) {
        throw paymentError(text('partial_not_supported', { method: METHOD_NAMES[method], remaining: tiyinToSoumLiteral(remaining) }), { ...extras, remaining_amount: remaining });
      }

      const log = this.log.child({ transaction_id: tx.id, method });
      await firstWrite(this.journal.transition(tx.id, 'succeeded', 'succeeded', {}, { step: 'cancel_requested', detail: { amount, partial } }));
      const outcome = await provider.cancel({ providerPaymentId: tx.providerPaymentId, amount, partial });
      if (outcome.status !== 'cancelled') {
        const step = outcome.status === 'refused' ? 'cancel_refused' : 'cancel_unknown';
        await this.journal.transition(tx.id, 'succeeded', 'succeeded', {}, { step, detail: outcome });
        log.warn({ outcome }, 'cancellation not done');
        throw billingError(outcome.status === 'refused' ? `${outcome.providerCode}: ${outcome.providerText}` : 'OUTCOME_UNKNOWN', {
          reason: outcome.reason,
          ...extras,
        });
      }
      const refunded = tx.refundedAmount + amount;
      const to: TransactionStatus = refunded < tx.amount ? 'succeeded' : partial ? 'refunded' : 'cancelled';
      const done = await this.journal.transition(tx.id, 'succeeded', to, { refundedAmount: refunded }, { step: partial ? 'refunded' : 'cancelled', detail: outcome.detail });
      log.info({ amount, refunded_amount: refunded }, 'payment given back');
      return {
        status: 'successfully',
        message: partial ? 'Частичный возврат выполнен' : 'Платеж отменен',
        transaction_id: done.id,
        payment_id: tx.providerPaymentId,
        amount,
        refunded_amount: refunded,
        remaining_amount: done.amount - refunded,
        transaction_status: done.status,
      };
    });
  }
}
