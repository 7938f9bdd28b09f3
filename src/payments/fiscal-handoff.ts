import { statusText, text } from '../i18n/text.js';
import { METHOD_NAMES } from './transaction.js';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { FencedWriteRefusedError, firstWrite, liveClaimOwner, type ClaimHeld, type HandoffPatch, type Journal } from './ports/journal.js';
import { billingError, invalidRequest, paymentError } from './errors.js';
import { Periodic } from '../lib/periodic.js';
import { SYSTEM_CLOCK, type Clock } from '../lib/clock.js';
import { ClaimGoneError, HeldClaim } from './live-claim.js';
import type { FiscalOutcome } from './ports/qr-provider.js';
import type { QrMethod, QrPaymentService } from './qr-payment-service.js';
import type { FiscalHandoff, FiscalReceipt, Transaction } from './transaction.js';

export interface FiscalHandoffOptions {
  /** Accept hand-offs for payment ids this PayBridge did not take (another till's, say). */
  allowForeignPaymentIds: boolean;
  retryInitialMs: number;
  retryMaxMs: number;
  /** How often due hand-offs are looked for. */
  sweepIntervalMs?: number;
  /**
   * The lease of a claim on a hand-off (journal's clock), renewed a third of it at a time while its
   * holder works: a PayBridge that dies mid-attempt lets it go after this, here or on another
   * instance on the same journal. Longer than any one call to a provider (connect + twice the
   * response timeout), so a holder whose renewals fail still learns it before its claim lapses.
   */
  attemptLeaseMs?: number;
  /** This PayBridge: the holder its requests' claims (`<instance>#live`) and its sweep's are named after. */
  instance?: string;
  clock?: Clock;
}

export type HandoffResult =
  | { delivered: true; handoff: FiscalHandoff }
  /**
   * Not confirmed yet: `pending` (it cannot have reached the provider) or `unknown` (it may have).
   * `heldBy`: someone else — another request, a sweep, another PayBridge — is submitting it right
   * now, and nothing was sent for this request.
   */
  | { delivered: false; handoff: FiscalHandoff; heldBy?: ClaimHeld };

type Held = FiscalHandoff & { claim: ClaimHeld };

/**
 * The fiscal receipt's URL reaches the provider, and is never lost: the hand-off is journaled before
 * the provider is called and claimed by whoever submits it (an owner and an epoch, its lease on the
 * journal's clock), so at most one submission of a receipt is in flight across every PayBridge on
 * the journal, and every state write is fenced by that claim. Marked `unknown` before each attempt,
 * it stays so when the answer is lost; `pending` only while nothing can have reached the provider. A
 * background sweep retries both with doubling pauses, after a restart too, until the provider
 * confirms the receipt: re-submitting it (or reading it back where the provider documents how) is the
 * only way to learn whether an attempt whose answer was lost landed, so a refusal of such a
 * re-submission is never taken as final.
 */
export class FiscalHandoffService {
  private readonly periodic: Periodic<void>;
  private readonly leaseMs: number;
  private readonly instance: string;
  private readonly clock: Clock;

  constructor(
    private readonly journal: Journal,
    private readonly payments: QrPaymentService,
    private readonly log: Logger,
    private readonly options: FiscalHandoffOptions,
  ) {
    this.leaseMs = options.attemptLeaseMs ?? 60_000;
    this.instance = options.instance ?? 'paybridge';
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

    const owner = liveClaimOwner(this.instance);
    // Twice at most: a hand-off another request journaled between our look and our insert is read again.
    for (let round = 0; ; round++) {
      const existing = await this.journal.getHandoff(method, receipt.paymentId);
      if (existing) refuseAnotherReceipt(existing, receipt, tx);
      if (existing?.state === 'submitted') return { delivered: true, handoff: existing };
      let held: Held;
      if (!existing) {
        const inserted = await firstWrite(
          this.journal.insertHandoff(
            { id: randomUUID(), method, paymentId: receipt.paymentId, transactionId: tx?.id ?? null, receipt, state: 'pending', createdAt: this.clock.now() },
            { owner, leaseMs: this.leaseMs },
          ),
        );
        if (!inserted) {
          if (round === 0) continue;
          throw new Error(`fiscal hand-off of ${method} payment ${receipt.paymentId} could be neither journaled nor found`);
        }
        held = inserted as Held;
      } else {
        const attempt = await this.journal.claimHandoff(existing.id, owner, this.leaseMs);
        if (!attempt.taken) {
          const now = attempt.handoff ?? existing;
          if (now.state === 'submitted') return { delivered: true, handoff: now };
          // Someone else is submitting this receipt now: sending it alongside would put two submissions in flight.
          this.log.info({ method, payment_id: receipt.paymentId, held_by: attempt.holder?.owner }, 'fiscal receipt is being submitted elsewhere; not sent again');
          return { delivered: false, handoff: now, ...(attempt.holder ? { heldBy: attempt.holder } : {}) };
        }
        held = attempt.handoff;
      }
      return this.submitHeld(held, receipt, tx);
    }
  }

  /** The till's own attempt on a hand-off its request now holds, answered with what the provider said. */
  private async submitHeld(held: Held, receipt: FiscalReceipt, tx: Transaction | undefined): Promise<HandoffResult> {
    const claim = this.hold(held);
    try {
      // Read under the claim: between our look and the claim, another request may have given another receipt.
      refuseAnotherReceipt(held, receipt, tx);
      let current: FiscalHandoff = held;
      if (current.state === 'refused') current = await this.write(current, claim, { receipt, state: 'pending' });
      const after = await this.attempt(current, claim);
      if (after.state === 'refused') {
        const refusal = after.result as { code: string; text: string };
        throw billingError(`${refusal.code}: ${refusal.text}`, {
          reason: text('fiscal_refused', { method: METHOD_NAMES[after.method], text: refusal.text }),
          transaction_id: tx?.id,
        });
      }
      if (after.state === 'submitted') return { delivered: true, handoff: after };
      return { delivered: false, handoff: after };
    } finally {
      await claim.release();
    }
  }

  private hold(handoff: Held): HeldClaim {
    const claims = {
      renewClaim: (id: string, fence: { owner: string; epoch: number }, leaseMs: number) => this.journal.renewHandoffClaim(id, fence, leaseMs),
      releaseClaim: (id: string, fence: { owner: string; epoch: number }) => this.journal.releaseHandoffClaim(id, fence),
    };
    const fence = { owner: handoff.claim.owner, epoch: handoff.claim.epoch };
    return new HeldClaim(claims, handoff.id, fence, this.leaseMs, this.clock, (err, id) => this.log.warn({ err, handoff_id: id }, 'could not renew or release a fiscal hand-off’s claim')).start();
  }

  /** A fenced write under `claim`: refused (someone else holds it now), the claim is marked lost. */
  private async write(handoff: FiscalHandoff, claim: HeldClaim, patch: HandoffPatch): Promise<FiscalHandoff> {
    try {
      return await this.journal.updateHandoff(handoff.id, handoff.state, patch, claim.fence);
    } catch (err) {
      if (err instanceof FencedWriteRefusedError) claim.lose(err.message);
      throw err;
    }
  }

  /**
   * One delivery attempt under `claim`: leaves the hand-off submitted, refused, or pending or unknown
   * with its next attempt set. A hand-off that someone else took over meanwhile is left to them, as
   * the journal has it now.
   */
  private async attempt(handoff: FiscalHandoff, claim: HeldClaim): Promise<FiscalHandoff> {
    const provider = this.payments.provider(handoff.method);
    const before = handoff.state === 'unknown' ? 'unknown' : 'pending';
    const attempts = handoff.attempts + 1;
    const log = this.log.child({ method: handoff.method, payment_id: handoff.paymentId, attempts });
    let sending: FiscalHandoff;
    try {
      claim.assertHeld();
      // Written before the provider hears of it: from here until its answer is written the receipt may
      // be at the provider, and a PayBridge that stops meanwhile leaves it `unknown` — never a
      // `pending` whose next refusal would be read as final.
      sending = await this.write(handoff, claim, { state: 'unknown', attempts });
    } catch (err) {
      if (err instanceof ClaimGoneError || err instanceof FencedWriteRefusedError) return this.asJournaled(handoff, log, err);
      throw err;
    }
    let outcome: FiscalOutcome;
    try {
      outcome = await provider.submitFiscal(handoff.receipt, { resubmission: before === 'unknown', guard: () => claim.ensureHeld() });
    } catch (err) {
      if (err instanceof ClaimGoneError) {
        // Stopped before sending: whoever holds it now attempts it. The `unknown` stays: it is the safe reading.
        return this.asJournaled(sending, log, err);
      }
      log.error({ err }, 'fiscal hand-off failed unexpectedly');
      outcome = { status: 'unknown', error: `PayBridge failed while submitting it: ${(err as Error).message}` };
    }
    const pause = Math.min(this.options.retryInitialMs * 2 ** (attempts - 1), this.options.retryMaxMs);
    const settle = async (patch: HandoffPatch): Promise<FiscalHandoff> => {
      try {
        return await this.write(sending, claim, patch);
      } catch (err) {
        if (err instanceof FencedWriteRefusedError) return this.asJournaled(sending, log, err);
        throw err;
      }
    };
    switch (outcome.status) {
      case 'submitted': {
        log.info({ evidence: outcome.evidence }, 'fiscal receipt delivered');
        try {
          return await this.write(sending, claim, { state: 'submitted', retryInMs: null, lastError: null, result: outcome.result });
        } catch (err) {
          // Delivered all the same: the till hears so. The row stays unknown, and the sweep learns it again from the provider.
          log.error({ err }, 'fiscal receipt delivered, but the journal could not record it; it is submitted again later to learn it afresh');
          return { ...sending, state: 'submitted', result: outcome.result, lastError: null, nextAttemptAt: null };
        }
      }
      case 'refused': {
        const refusal = `${outcome.providerCode}: ${outcome.providerText}`;
        if (before === 'unknown') {
          // The receipt may be at the provider from an attempt whose answer was lost, and no provider
          // documents what a repeat of it is answered: this refusal may only mean "already have it".
          const why = `${refusal} — answered to a receipt that may already be at ${METHOD_NAMES[handoff.method]} (an earlier answer was lost), which documents no answer for a repeated submission; not taken as a refusal`;
          log.warn({ code: outcome.providerCode, text: outcome.providerText, retry_in_ms: pause }, 'a repeated fiscal submission was refused; whether the provider holds the receipt stays unknown');
          return settle({ state: 'unknown', retryInMs: pause, lastError: why });
        }
        log.warn({ code: outcome.providerCode, text: outcome.providerText }, 'fiscal receipt refused');
        return settle({ state: 'refused', retryInMs: null, lastError: refusal, result: { code: outcome.providerCode, text: outcome.providerText } });
      }
      case 'not_taken':
        log.warn({ error: outcome.error, retry_in_ms: pause }, 'fiscal receipt not delivered; will retry');
        return settle({ state: before, retryInMs: pause, lastError: outcome.error });
      case 'unknown':
        log.warn({ error: outcome.error, retry_in_ms: pause }, 'fiscal receipt’s answer lost: whether the provider has it is not known; will submit it again');
        return settle({ state: 'unknown', retryInMs: pause, lastError: outcome.error });
    }
  }

  /** The hand-off as the journal has it now, after this holder lost it to someone else. */
  private async asJournaled(handoff: FiscalHandoff, log: Logger, err: Error): Promise<FiscalHandoff> {
    log.warn({ reason: err.message }, 'fiscal hand-off taken over by another holder; this one stops');
    return (await this.journal.getHandoff(handoff.method, handoff.paymentId).catch(() => undefined)) ?? handoff;
  }

  /** Retries every pending or unknown hand-off that is due, one claim at a time. */
  async sweep(): Promise<void> {
    const owner = this.instance;
    const due = await this.journal.listDueHandoffs(50, owner);
    for (const listed of due) {
      try {
        // Claimed only now, and only if still due: the list may be stale, the claim is not.
        const attempt = await this.journal.claimHandoff(listed.id, owner, this.leaseMs, { due: true, retakeOwn: true });
        if (!attempt.taken) continue;
        const claim = this.hold(attempt.handoff);
        try {
          await this.retry(attempt.handoff, claim);
        } finally {
          await claim.release();
        }
      } catch (err) {
        this.log.error({ err, payment_id: listed.paymentId }, 'fiscal hand-off retry failed');
      }
    }
  }

  private async retry(current: Held, claim: HeldClaim): Promise<void> {
    // Given back while its receipt waited for the provider: nothing is left to fiscalise, and the provider is not asked.
    const payment = current.transactionId ? await this.journal.get(current.transactionId) : undefined;
    if (payment && isGivenBack(payment.status)) {
      const reason = `payment ${payment.status} before the receipt was delivered`;
      this.log.warn({ payment_id: current.paymentId, transaction_status: payment.status, handoff_state: current.state }, 'fiscal receipt not submitted again: the payment was given back');
      if (current.state === 'pending') {
        await this.write(current, claim, { state: 'refused', retryInMs: null, lastError: `GIVEN_BACK: ${reason}`, result: { code: 'GIVEN_BACK', text: reason } });
      } else {
        // It may be at the provider already: not refused, only not sent again (looked at again after the longest pause).
        await this.write(current, claim, { retryInMs: this.options.retryMaxMs, lastError: `GIVEN_BACK: ${reason}; whether ${METHOD_NAMES[current.method]} holds the receipt sent earlier is not known` });
      }
      return;
    }
    await this.attempt(current, claim);
  }

  start(): void {
    this.periodic.start({ now: false });
  }

  stop(): Promise<void> {
    return this.periodic.stop();
  }
}

/** A second, different receipt for a payment whose receipt is not refused is a conflict (106). */
function refuseAnotherReceipt(handoff: FiscalHandoff, receipt: FiscalReceipt, tx: Transaction | undefined): void {
  if (handoff.state !== 'refused' && handoff.receipt.qrCodeUrl !== receipt.qrCodeUrl) {
    throw paymentError(text('fiscal_already', { id: receipt.paymentId }), { transaction_id: tx?.id, fiscal_qr_code: handoff.receipt.qrCodeUrl });
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
