import { statusText, text } from '../i18n/text.js';
import { METHOD_NAMES } from './transaction.js';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { firstWrite, type Journal } from './ports/journal.js';
import { billingError, invalidRequest, paymentError } from './errors.js';
import { Periodic } from '../lib/periodic.js';
import { SYSTEM_CLOCK, type Clock } from '../lib/clock.js';
import { KeyedLock } from './keyed-lock.js';
import type { QrMethod, QrPaymentService } from './qr-payment-service.js';
import type { FiscalHandoff, FiscalReceipt } from './transaction.js';

export interface FiscalHandoffOptions {
  /** Accept hand-offs for payment ids this PayBridge did not take (another till's, say). */
  allowForeignPaymentIds: boolean;
  retryInitialMs: number;
  retryMaxMs: number;
  /** How often pending hand-offs are looked for. */
  sweepIntervalMs?: number;
  /**
   * How long an attempt holds its hand-off: no sweep, here or in another PayBridge on the same
   * journal, sends it meanwhile; past it, one that died mid-attempt is retried. Longer than any one
   * call to a provider (connect + twice the response timeout).
   */
  attemptLeaseMs?: number;
  /** Time and timers (the system's, unless a simulation gives its own). */
  clock?: Clock;
}

export type HandoffResult = { delivered: true; handoff: FiscalHandoff } | { delivered: false; handoff: FiscalHandoff };

/**
 * The fiscal receipt's URL reaches the provider exactly once and is never lost: the hand-off is
 * journaled before the provider is called, a network failure leaves it pending, and a background
 * sweep retries pending ones with doubling pauses — after a restart too — until they land.
 */
export class FiscalHandoffService {
  private readonly locks = new KeyedLock();
  private readonly periodic: Periodic<void>;
  private readonly leaseMs: number;
  private readonly clock: Clock;

  constructor(
    private readonly journal: Journal,
    private readonly payments: QrPaymentService,
    private readonly log: Logger,
    private readonly options: FiscalHandoffOptions,
  ) {
    this.leaseMs = options.attemptLeaseMs ?? 60_000;
    this.clock = options.clock ?? SYSTEM_CLOCK;
    this.periodic = new Periodic(options.sweepIntervalMs ?? 1_000, () => this.sweep(), (err) => this.log.error({ err }, 'fiscal hand-off sweep failed'), this.clock);
  }

  async submit(method: QrMethod, input: FiscalReceipt): Promise<HandoffResult> {
    this.payments.provider(method); // refuses an unconfigured method before anything is written
    const receipt = method === 'payme' ? completeFromCheckUrl(input) : input;
    const tx = await this.journal.findByProviderPaymentId(method, receipt.paymentId);
    if (!tx && !this.options.allowForeignPaymentIds) {
      throw paymentError(text('payment_id_not_found', { id: receipt.paymentId, method: METHOD_NAMES[method] }));
    }
    if (tx && isGivenBack(tx.status)) {
      // A receipt delivered before the give-back is answered again, as any repeated hand-off is; a new one is refused.
      const earlier = await this.journal.getHandoff(method, receipt.paymentId);
      if (earlier?.state === 'submitted' && earlier.receipt.qrCodeUrl === receipt.qrCodeUrl) return { delivered: true, handoff: earlier };
      throw paymentError(text('fiscal_given_back', { id: receipt.paymentId, status: statusText(tx.status) }), {
        transaction_id: tx.id,
        transaction_status: tx.status,
      });
    }
    if (tx && tx.status !== 'succeeded') {
      throw paymentError(text('fiscal_not_paid', { id: receipt.paymentId, status: statusText(tx.status) }), {
        transaction_id: tx.id,
        transaction_status: tx.status,
      });
    }

    return this.locks.run(`${method}:${receipt.paymentId}`, async () => {
      let handoff = await this.journal.getHandoff(method, receipt.paymentId);
      if (handoff && handoff.state !== 'refused' && handoff.receipt.qrCodeUrl !== receipt.qrCodeUrl) {
        throw paymentError(text('fiscal_already', { id: receipt.paymentId }), { transaction_id: tx?.id, fiscal_qr_code: handoff.receipt.qrCodeUrl });
      }
      if (handoff?.state === 'submitted') return { delivered: true, handoff };
      // Held for this request's own first attempt, so that no sweep sends the same receipt alongside it.
      const heldUntil = this.clock.now() + this.leaseMs;
      if (handoff) {
        handoff = await firstWrite(this.journal.updateHandoff(handoff.id, { receipt, state: 'pending', nextAttemptAt: heldUntil }));
      } else {
        handoff = await firstWrite(this.journal.insertHandoff({
          id: randomUUID(),
          method,
          paymentId: receipt.paymentId,
          transactionId: tx?.id ?? null,
          receipt,
          state: 'pending',
          nextAttemptAt: heldUntil,
          createdAt: this.clock.now(),
        }));
      }
      const after = await this.attempt(handoff);
      if (after.state === 'refused') {
        const refusal = after.result as { code: string; text: string };
        throw billingError(`${refusal.code}: ${refusal.text}`, {
          reason: text('fiscal_refused', { method: METHOD_NAMES[method], text: refusal.text }),
          transaction_id: tx?.id,
        });
      }
      return { delivered: after.state === 'submitted', handoff: after };
    });
  }

  /** One delivery attempt; leaves the hand-off submitted, refused, or pending with its next attempt set. */
  private async attempt(handoff: FiscalHandoff): Promise<FiscalHandoff> {
    const provider = this.payments.provider(handoff.method);
    const attempts = handoff.attempts + 1;
    const outcome = await provider.submitFiscal(handoff.receipt);
    const log = this.log.child({ method: handoff.method, payment_id: handoff.paymentId, attempts });
    if (outcome.status === 'submitted') {
      log.info('fiscal receipt delivered');
      return this.journal.updateHandoff(handoff.id, { state: 'submitted', attempts, nextAttemptAt: null, lastError: null, result: outcome.result });
    }
    if (outcome.status === 'refused') {
      log.warn({ code: outcome.providerCode, text: outcome.providerText }, 'fiscal receipt refused');
      return this.journal.updateHandoff(handoff.id, {
        state: 'refused',
        attempts,
        nextAttemptAt: null,
        lastError: `${outcome.providerCode}: ${outcome.providerText}`,
        result: { code: outcome.providerCode, text: outcome.providerText },
      });
    }
    const pause = Math.min(this.options.retryInitialMs * 2 ** (attempts - 1), this.options.retryMaxMs);
    log.warn({ error: outcome.error, retry_in_ms: pause }, 'fiscal receipt not delivered; will retry');
    return this.journal.updateHandoff(handoff.id, { attempts, nextAttemptAt: this.clock.now() + pause, lastError: outcome.error });
  }

  /** Retries every pending hand-off that is due. */
  async sweep(): Promise<void> {
    const now = this.clock.now();
    const due = await this.journal.claimDueHandoffs(now, 50, now + this.leaseMs);
    for (const handoff of due) {
      try {
        await this.locks.run(`${handoff.method}:${handoff.paymentId}`, async () => {
          const current = await this.journal.getHandoff(handoff.method, handoff.paymentId);
          if (current?.state !== 'pending') return;
          // Given back while its receipt waited for the provider: nothing is left to fiscalise, and the provider is not asked.
          const payment = current.transactionId ? await this.journal.get(current.transactionId) : undefined;
          if (payment && isGivenBack(payment.status)) {
            this.log.warn({ payment_id: current.paymentId, transaction_status: payment.status }, 'fiscal receipt not delivered: the payment was given back');
            const reason = `payment ${payment.status} before the receipt was delivered`;
            await this.journal.updateHandoff(current.id, { state: 'refused', nextAttemptAt: null, lastError: `GIVEN_BACK: ${reason}`, result: { code: 'GIVEN_BACK', text: reason } });
            return;
          }
          await this.attempt(current);
        });
      } catch (err) {
        this.log.error({ err, payment_id: handoff.paymentId }, 'fiscal hand-off retry failed');
      }
    }
  }

  start(): void {
    this.periodic.start({ now: false });
  }

  stop(): Promise<void> {
    return this.periodic.stop();
  }
}

/**
 * All of the payment's money went back (a whole cancel, or refunds adding up to it): there is no sale
 * left to fiscalise. A partial give-back leaves the payment `succeeded` — the sale stands for the rest,
 * its receipt is still the sale's, and the give-back gets a return receipt of its own — so it is not one.
 */
function isGivenBack(status: string): boolean {
  return status === 'cancelled' || status === 'refunded';
}

/**
 * Payme needs the fiscal module's receipt number. A till that does not send it still sends the
 * soliq.uz check URL, whose query names it: t (fiscal module), r (receipt number), c (date and
 * time), s (fiscal sign). Fields the till sent win.
 */
export function completeFromCheckUrl(receipt: FiscalReceipt): FiscalReceipt {
  const q = new URL(receipt.qrCodeUrl).searchParams;
  const r = q.get('r');
  const completed: FiscalReceipt = {
    ...receipt,
    receiptId: receipt.receiptId ?? (r && /^\d{1,15}$/.test(r) ? Number(r) : undefined),
    terminalId: receipt.terminalId ?? q.get('t') ?? undefined,
    fiscalSign: receipt.fiscalSign ?? q.get('s') ?? undefined,
    date: receipt.date ?? q.get('c') ?? undefined,
  };
  if (completed.receiptId === undefined) {
    throw invalidRequest(['receipt_id: is required (the fiscal receipt number), unless the qr_code URL carries it as r=…']);
  }
  return completed;
}
