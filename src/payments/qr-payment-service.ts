import { statusText, text } from '../i18n/text.js';
import { METHOD_NAMES } from './transaction.js';
import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { firstWrite, type Journal } from './ports/journal.js';
import type { CancelOutcome, ChargeOutcome, ChargeProgress, QrProvider } from './ports/qr-provider.js';
import { remainingToGiveBack } from './give-back-ledger.js';
import { billingError, ErrorCode, paymentError } from './errors.js';
import { KeyedLock } from './keyed-lock.js';
import { OperationEngine, type OperationHooks } from './operation-engine.js';
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
  /** The give-back operation in the journal. */
  give_back_id: string;
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
export type PaymentServiceHooks = OperationHooks;

export interface QrPaymentOptions {
  /** A second request with the same QR code and amount within this window is the first one again. */
  qrRetryWindowMs: number;
  /** How long such a retry waits for the first one's outcome when another PayBridge is charging it. */
  retryWaitMs?: number;
}

export class QrPaymentService {
  private readonly locks = new KeyedLock();
  private readonly engine: OperationEngine;
  /** The cashier's explanation of an outcome just recorded, for the answer about to be given. */
  private readonly reasons = new Map<string, string>();

  constructor(
    private readonly journal: Journal,
    private readonly providers: ReadonlyMap<string, QrProvider>,
    private readonly log: Logger,
    private readonly shop: ShopDetails = {},
    private readonly options: QrPaymentOptions = { qrRetryWindowMs: 600_000 },
    hooks: PaymentServiceHooks = {},
  ) {
    this.engine = new OperationEngine(journal, hooks);
  }

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
      return this.engine.run(tx.id, async () => {
        await this.engine.link(tx.id);
        const settled = await this.charge(provider, tx, request.qrCode);
        return this.answerFor(settled, request.qrCode, false);
      });
    });
  }

  /**
   * A retry that reached this PayBridge while the first attempt is still being charged by another
   * one on the same journal: wait a while for that outcome, so the till hears it rather than "unknown".
   */
  private async settledOrLatest(tx: Transaction): Promise<Transaction> {
    const deadline = Date.now() + (this.options.retryWaitMs ?? 30_000);
    let current = tx;
    while (current.status === 'pending' && !this.engine.isInFlight(current.id) && Date.now() < deadline) {
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
    if (this.engine.isInFlight(tx.id)) return tx;
    if (tx.kind !== 'payment') return this.recoverGiveBack(tx);
    const settled = await this.charge(this.provider(tx.method as QrMethod), tx, '');
    this.reasons.delete(tx.id); // no till is waiting for this answer
    return settled;
  }

  isInFlight(transactionId: string): boolean {
    return this.engine.isInFlight(transactionId);
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
   * Gives a QR payment's money back, whole or in part where the provider supports it. The give-back
   * is an operation of its own: journaled with its amount reserved against the payment (atomically,
   * across every PayBridge on the journal) before the provider hears of it, and refused before that
   * when the payment is not paid, was already given back, or the amount is more than what remains
   * unreserved. A give-back whose answer is lost stays `unknown` and reserved until recovery learns
   * its outcome from the provider, or an operator decides it.
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
    if (found.method !== method || found.kind !== 'payment') {
      throw paymentError(text('wrong_method', { id: request.transactionId ?? request.paymentId ?? '', actual: METHOD_NAMES[found.method], method: METHOD_NAMES[method] }), {
        transaction_id: found.id,
      });
    }
    const { giveBack, original } = await this.engine.beginGiveBack(
      found.id,
      { amount: request.amount, partialSupported: provider.supportsPartialCancel, methodName: METHOD_NAMES[method] },
      (payment, { amount, partial }) => ({
        tx: { id: randomUUID(), method, amount, qrCodeMasked: null, qrCodeHash: null, createdAt: Date.now(), kind: partial ? 'refund' : 'cancel', originalId: payment.id },
        step: { step: 'received', detail: { amount, partial, original_id: payment.id, payment_id: payment.providerPaymentId } },
      }),
    );
    return this.engine.run(giveBack.id, async () => {
      const log = this.log.child({ transaction_id: original.id, give_back_id: giveBack.id, method });
      const partial = giveBack.kind === 'refund';
      const outcome = await provider.cancel({ providerPaymentId: original.providerPaymentId!, amount: giveBack.amount, partial }).catch(
        (err: unknown): CancelOutcome => {
          log.error({ err }, 'give-back failed unexpectedly');
          return { status: 'unknown', reason: 'PayBridge failed while talking to the provider. Do not give the money back again; PayBridge keeps checking.' };
        },
      );
      if (outcome.status === 'cancelled') {
        log.info({ amount: giveBack.amount }, 'payment given back');
        try {
          await this.journal.transition(giveBack.id, 'pending', 'succeeded', {}, { step: partial ? 'refunded' : 'cancelled', detail: outcome.detail });
          return (await this.giveBackAnswer(giveBack.id))!;
        } catch (err) {
          // The money went back. Telling the till otherwise would invite a second give-back; the
          // reservation holds until recovery records the success from the provider's status.
          log.error({ err }, 'give-back done at the provider but could not be recorded as such');
          const left = original.amount - original.refundedAmount - giveBack.amount;
          return { ...this.cancelAnswer(original, giveBack), refunded_amount: original.refundedAmount + giveBack.amount, remaining_amount: Math.max(0, left) };
        }
      }
      const refused = outcome.status === 'refused';
      const done = await this.journal.transition(
        giveBack.id,
        'pending',
        refused ? 'failed' : 'unknown',
        { error: { code: ErrorCode.BILLING, message: 'BILLING_ERROR', data: refused ? `${outcome.providerCode}: ${outcome.providerText}` : 'OUTCOME_UNKNOWN' } },
        { step: refused ? 'cancel_refused' : 'cancel_unknown', detail: outcome },
      );
      log.warn({ outcome }, 'give-back not done');
      throw billingError(done.error!.data, { reason: outcome.reason, ...this.giveBackExtras(done, original) });
    });
  }

  private giveBackExtras(giveBack: Transaction, original: Transaction): Record<string, unknown> {
    return { transaction_id: original.id, transaction_status: original.status, give_back_id: giveBack.id, give_back_status: giveBack.status };
  }

  /**
   * The answer a give-back stands for: to the request that made it, and to a retry with its key once
   * it is settled (undefined while it is not; a refusal or a failure is thrown as the till heard it).
   */
  async giveBackAnswer(giveBackId: string): Promise<QrCancelResult | undefined> {
    const giveBack = await this.journal.get(giveBackId);
    if (!giveBack?.originalId) return undefined;
    const original = (await this.journal.get(giveBack.originalId))!;
    if (giveBack.status === 'pending' || giveBack.status === 'unknown') return undefined;
    if (giveBack.status === 'failed') throw billingError(giveBack.error?.data ?? null, { reason: giveBack.error?.data ?? '', ...this.giveBackExtras(giveBack, original) });
    const ledger = await this.journal.giveBackLedger(original.id);
    return { ...this.cancelAnswer(original, giveBack), refunded_amount: ledger.givenBack, remaining_amount: remainingToGiveBack(ledger) };
  }

  private cancelAnswer(original: Transaction, giveBack: Transaction): QrCancelResult {
    return {
      status: 'successfully',
      message: giveBack.kind === 'refund' ? 'Частичный возврат выполнен' : 'Платеж отменен',
      transaction_id: original.id,
      payment_id: original.providerPaymentId ?? '',
      amount: giveBack.amount,
      refunded_amount: original.refundedAmount,
      remaining_amount: original.amount - original.refundedAmount,
      transaction_status: original.status,
      give_back_id: giveBack.id,
    };
  }

  /** Settles a give-back left pending or unknown by asking the provider about it; never sends it again. */
  private async recoverGiveBack(giveBack: Transaction): Promise<Transaction> {
    const original = giveBack.originalId ? await this.journal.get(giveBack.originalId) : undefined;
    if (!original?.providerPaymentId) return giveBack;
    const answer = await this.provider(giveBack.method as QrMethod).giveBackStatus({
      providerPaymentId: original.providerPaymentId,
      amount: giveBack.amount,
      partial: giveBack.kind === 'refund',
      sentAt: Math.max(giveBack.createdAt, giveBack.updatedAt),
    });
    const detail = { rule: answer.rule, evidence: answer.detail };
    if (answer.status === 'given_back') return this.journal.transition(giveBack.id, giveBack.status, 'succeeded', {}, { step: 'recovered', detail });
    if (answer.status === 'not_given_back') {
      const error = { code: ErrorCode.BILLING, message: 'BILLING_ERROR', data: `NOT_GIVEN_BACK: ${answer.reason}` };
      return this.journal.transition(giveBack.id, giveBack.status, 'failed', { error }, { step: 'recovered', detail: { ...detail, reason: answer.reason } });
    }
    if (giveBack.status === 'pending') return this.journal.transition(giveBack.id, 'pending', 'unknown', {}, { step: 'recovery_inconclusive', detail: { ...detail, reason: answer.reason } });
    return giveBack;
  }
}
