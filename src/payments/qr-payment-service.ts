import { statusText, text } from '../i18n/text.js';
import { METHOD_NAMES } from './transaction.js';
import { createHash, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { LIVE_SUFFIX, type ClaimHeld, type Journal } from './ports/journal.js';
import { SYSTEM_CLOCK, type Clock } from '../lib/clock.js';
import type { PreparedCharge, QrProvider } from './ports/qr-provider.js';
import { UNSETTLEABLE, type OperationAdapter, type Verdict } from './ports/operation-adapter.js';
import { qrCharge, qrGiveBack } from './qr-operations.js';
import { remainingToGiveBack, withGiveBackSucceeded, type GiveBackLedger } from './give-back-ledger.js';
import { billingError, paymentError, type ErrorExtras } from './errors.js';
import { unknownOutcome, type TillOperation } from './unknown-outcome.js';
import { KeyedLock } from './keyed-lock.js';
import { OperationEngine, type OperationHooks, type SettleOnce } from './operation-engine.js';
import { maskQrCode } from './masking.js';
import type { TransactionStatus } from './state-machine.js';
import type { QrPaymentMethod, Transaction, TransactionWithEvents } from './transaction.js';

export type QrMethod = QrPaymentMethod;

/** What the provider said, for `provider_said`: never inside the cashier's sentence. */
const saying = (words: string | null | undefined): { provider_said?: string } => (words ? { provider_said: words } : {});

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
  /** FiscalBox's Uzum answer fields (`/payment/uzum`): Uzum's own status and error code of the paid payment. */
  payment_status?: 'SUCCESS';
  error_code?: '0';
  error_message?: null;
  /** Set on the answer to a retry (the same code and amount within the window, or a key's replay): the earlier payment, not taken now. */
  replayed?: true;
}

/** What the provider prepared before a charge, as journaled with its first step. */
function preparedOf(tx: TransactionWithEvents): PreparedCharge | undefined {
  const detail = tx.events.find((e) => e.step === 'received')?.detail as { prepared?: unknown } | null | undefined;
  return detail && typeof detail.prepared === 'object' && detail.prepared !== null ? (detail.prepared as PreparedCharge) : undefined;
}

export function hashQrCode(qrCode: string): string {
  return createHash('sha256').update(qrCode).digest('hex');
}

export interface QrPaymentOptions {
  /** A second request with the same QR code and amount within this window is the first one again. */
  qrRetryWindowMs: number;
  /** How long such a retry waits for the first one's outcome while a request is still charging it. */
  retryWaitMs?: number;
  clock?: Clock;
}

/**
 * QR-wallet payments and their give-backs: what to journal (a charge unless it is a retry of the same
 * code and amount; a give-back with its amount reserved) and what the till hears. The engine runs each
 * operation (operation-engine.ts); qr-operations.ts reads the provider's answers.
 */
export class QrPaymentService {
  private readonly locks = new KeyedLock();
  private readonly engine: OperationEngine;
  private readonly clock: Clock;

  constructor(
    private readonly journal: Journal,
    private readonly providers: ReadonlyMap<string, QrProvider>,
    private readonly log: Logger,
    private readonly shop: ShopDetails = {},
    private readonly options: QrPaymentOptions = { qrRetryWindowMs: 600_000 },
    engine: OperationEngine | OperationHooks = {},
  ) {
    this.engine = engine instanceof OperationEngine ? engine : new OperationEngine(journal, { log, ...engine });
    this.clock = options.clock ?? SYSTEM_CLOCK;
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
      // What must precede the charge but moves no money is done first, so that it is journaled with
      // the charge's first step instead of in a durable write of its own.
      const made = await provider.prepareCharge?.();
      const prepared = made && Object.keys(made).length > 0 ? made : undefined;
      const now = this.clock.now();
      const link = this.engine.keyLink();
      const { created, transaction: tx } = await this.engine.firstWrite(this.journal.insertQrPayment(
        { id: randomUUID(), method, amount: request.amount, qrCodeMasked: maskQrCode(request.qrCode), qrCodeHash, createdAt: now },
        { step: 'received', detail: { amount: request.amount, qr_code: request.qrCode, ...(prepared ? { prepared } : {}) } },
        now - this.options.qrRetryWindowMs,
        link,
      ));
      // (A failed attempt moved no money: the journal lets a new one be made, the cashier's right.)
      if (!created) {
        this.log.info({ transaction_id: tx.id, method }, 'same QR code and amount again: answering as the first time');
        return this.answerFor(await this.settledOrLatest(tx), request.qrCode, true);
      }
      const { tx: settled, verdict } = await this.engine.execute(tx, qrCharge(provider, request.qrCode, undefined, prepared), { link: !link });
      this.logOutcome(settled, verdict);
      return this.answerFor(settled, request.qrCode, false, verdict.reason);
    });
  }

  /**
   * The earlier payment a retry of the same code and amount stands for, as settled as it can be made
   * now: while a request (of this PayBridge or another on the same journal) still holds it, its outcome
   * is waited for, at most `retryWaitMs`; one nobody is working on (its answer was lost, or its
   * PayBridge died) is asked about once, at once, under a claim of its own — never sent again — so the
   * till hears the truth promptly: paid, failed, or not known yet (and not to charge again).
   */
  private async settledOrLatest(tx: Transaction): Promise<Transaction> {
    const deadline = this.clock.now() + (this.options.retryWaitMs ?? 30_000);
    let current = tx;
    while (current.status === 'pending' || current.status === 'unknown') {
      const live = current.claim?.owner.endsWith(LIVE_SUFFIX) === true && current.claim.expiresAt > this.clock.now();
      if (!live && !this.engine.isInFlight(current.id)) {
        const asked = await this.engine.settleOnce(current.id, (fresh) => this.settler(fresh));
        if (!asked.heldBy?.owner.endsWith(LIVE_SUFFIX)) return asked.tx ?? current;
      }
      if (this.clock.now() >= deadline) return current;
      await this.clock.sleep(100);
      current = (await this.journal.get(current.id)) ?? current;
    }
    return current;
  }

  /**
   * Settles a payment or give-back left pending or unknown (after a crash, or a lost answer) that
   * `claimed` holds, by asking its provider; never sends it again.
   */
  recover(claimed: Transaction & { claim: ClaimHeld }, leaseMs: number): Promise<Transaction> {
    return this.engine.recover(claimed, (fresh) => this.settler(fresh), leaseMs);
  }

  /** Asks about one unsettled payment or give-back now, under a claim of its own (a till's retry). */
  settleOnce(id: string): Promise<SettleOnce> {
    return this.engine.settleOnce(id, (fresh) => this.settler(fresh));
  }

  /** The adapter that settles a row just read under its claim: by asking, never charging or giving back again. */
  private async settler(fresh: TransactionWithEvents): Promise<OperationAdapter> {
    const provider = this.provider(fresh.method as QrMethod);
    if (fresh.kind === 'payment') return qrCharge(provider, '', fresh.events.map((e) => e.step), preparedOf(fresh));
    const original = fresh.originalId ? await this.journal.get(fresh.originalId) : undefined;
    if (!original) return UNSETTLEABLE;
    return qrGiveBack(provider, original);
  }

  isInFlight(transactionId: string): boolean {
    return this.engine.isInFlight(transactionId);
  }

  /**
   * The answer a settled payment stands for, to a retry of the request that started it; undefined
   * while unsettled, unless `orUnsettled`: then the answer that says its outcome is not known yet.
   */
  async replay(transactionId: string, qrCode: string, orUnsettled = false): Promise<QrPaymentResult | undefined> {
    const tx = await this.journal.get(transactionId);
    if (!tx || (!orUnsettled && (tx.status === 'pending' || tx.status === 'unknown'))) return undefined;
    return this.answerFor(tx, qrCode, true);
  }

  private logOutcome(tx: Transaction, verdict: Verdict): void {
    if (verdict.outcome === 'succeeded') {
      // A success is told by the request's own line (`request completed`, with the transaction id).
      if (this.log.isLevelEnabled('debug')) this.log.debug({ transaction_id: tx.id, method: tx.method, kind: tx.kind, amount: tx.amount, provider_payment_id: tx.providerPaymentId }, 'operation succeeded');
      return;
    }
    this.log.warn({ transaction_id: tx.id, method: tx.method, kind: tx.kind, outcome: verdict.outcome, data: tx.error?.data, reason: verdict.reason }, 'operation not completed');
  }

  /**
   * The till's answer for a journaled payment: the seed's success fields, or the error it ended
   * with. `qrCode` is the code the till sent (the journal keeps only its hash).
   */
  answerFor(tx: Transaction, qrCode: string, replayed: boolean, reason?: string): QrPaymentResult {
    // To the till a payment still pending (another request or PayBridge at it) is as unknown as one marked so.
    const extras = { transaction_id: tx.id, transaction_status: tx.status === 'pending' ? 'unknown' : tx.status, ...(replayed ? { replayed: true } : {}) };
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
          ...(tx.method === 'uzum' ? { payment_status: 'SUCCESS' as const, error_code: '0' as const, error_message: null } : {}),
          // Last, after the contract's fields, where a keyed replay puts it too (idempotent.ts).
          ...(replayed ? { replayed: true as const } : {}),
        };
      }
      case 'failed':
        // The provider's own words stay out of the cashier's sentence: they travel in provider_said.
        throw billingError(tx.error?.data ?? null, { reason: text('provider_declined'), ...extras, ...(reason ? { provider_said: reason } : {}) });
      case 'cancelled':
      case 'refunded':
        throw paymentError(text('qr_code_used', { status: statusText(tx.status) }), extras);
      default:
        throw billingError('OUTCOME_UNKNOWN', this.unknownExtras('payment', tx.method as QrMethod, extras, reason));
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
    const { giveBack, original, ledger: reserved } = await this.engine.beginGiveBack(
      found.id,
      { amount: request.amount, partialSupported: provider.supportsPartialCancel, methodName: METHOD_NAMES[method] },
      (payment, { amount, partial }) => ({
        tx: { id: randomUUID(), method, amount, qrCodeMasked: null, qrCodeHash: null, createdAt: this.clock.now(), kind: partial ? 'refund' : 'cancel', originalId: payment.id },
        step: { step: 'received', detail: { amount, partial, original_id: payment.id, payment_id: payment.providerPaymentId } },
      }),
    );
    const { tx: done, verdict, recorded } = await this.engine.execute(giveBack, qrGiveBack(provider, original));
    this.logOutcome(done, verdict);
    if (done.status === 'succeeded') {
      // Done at the provider but not on record: the till hears what happened all the same.
      if (!recorded) return this.cancelAnswer(original, done, withGiveBackSucceeded(reserved, done.amount));
      return (await this.giveBackAnswer(giveBack.id))!;
    }
    // The provider's own explanation stays in its words, apart from the sentence in the cashier's language.
    if (done.status === 'failed') {
      throw billingError(done.error?.data ?? null, { reason: text('give_back_declined'), ...this.giveBackExtras(done, original), ...saying(verdict.reason ?? done.error?.data) });
    }
    throw billingError('OUTCOME_UNKNOWN', this.unknownExtras(done.kind === 'refund' ? 'refund' : 'cancel', method, this.giveBackExtras(done, original), verdict.reason));
  }

  /**
   * A give-back's answer names its payment (`transaction_id`) and itself (`give_back_id`,
   * `give_back_status`). `transaction_status` is the payment's, except while the give-back's outcome
   * is not known: then whether the payment's money is still the shop's is not known either.
   */
  private giveBackExtras(giveBack: Transaction, original: Transaction): Record<string, unknown> {
    const unsettled = giveBack.status === 'unknown' || giveBack.status === 'pending';
    return { transaction_id: original.id, transaction_status: unsettled ? 'unknown' : original.status, give_back_id: giveBack.id, give_back_status: giveBack.status };
  }

  /** An unknown outcome's answer: what to do in the cashier's language first (as `reason` always came), the provider's words last. */
  private unknownExtras(operation: TillOperation, method: QrMethod, ids: Record<string, unknown>, providerSaid?: string): ErrorExtras {
    const { reason, provider_said, ...status } = unknownOutcome(operation, { kind: 'qr', method }, providerSaid);
    return { reason, ...ids, ...status, ...(provider_said ? { provider_said } : {}) };
  }

  /**
   * The answer a give-back stands for: to the request that made it, and to a retry with its key once
   * it is settled (undefined while it is not; a refusal or a failure is thrown as the till heard it).
   */
  async giveBackAnswer(giveBackId: string, orUnsettled = false): Promise<QrCancelResult | undefined> {
    const giveBack = await this.journal.get(giveBackId);
    if (!giveBack?.originalId) return undefined;
    const original = (await this.journal.get(giveBack.originalId))!;
    if (giveBack.status === 'pending' || giveBack.status === 'unknown') {
      if (!orUnsettled) return undefined;
      throw billingError('OUTCOME_UNKNOWN', { ...this.unknownExtras(giveBack.kind === 'refund' ? 'refund' : 'cancel', giveBack.method as QrMethod, this.giveBackExtras(giveBack, original)), replayed: true });
    }
    if (giveBack.status === 'failed') {
      throw billingError(giveBack.error?.data ?? null, { reason: text('give_back_declined'), ...this.giveBackExtras(giveBack, original), ...saying(giveBack.error?.data) });
    }
    return this.cancelAnswer(original, giveBack, await this.journal.giveBackLedger(original.id));
  }

  private cancelAnswer(original: Transaction, giveBack: Transaction, ledger: GiveBackLedger): QrCancelResult {
    return {
      status: 'successfully',
      message: giveBack.kind === 'refund' ? 'Частичный возврат выполнен' : 'Платеж отменен',
      transaction_id: original.id,
      payment_id: original.providerPaymentId ?? '',
      amount: giveBack.amount,
      refunded_amount: ledger.givenBack,
      remaining_amount: remainingToGiveBack(ledger),
      transaction_status: original.status,
      give_back_id: giveBack.id,
    };
  }
}
