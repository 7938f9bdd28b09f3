import { ErrorCode } from './errors.js';
import type { OperationAdapter, OperationContext, Verdict } from './ports/operation-adapter.js';
import type { CancelOutcome, ChargeOutcome, ChargeProgress, GiveBackStatus, PreparedCharge, QrProvider } from './ports/qr-provider.js';
import type { Transaction, TransactionError } from './transaction.js';

/**
 * A QR wallet's operations as the engine runs them. The providers' clients send and classify
 * (through their outcome tables, src/providers/<name>/outcomes.ts); this is the one place their
 * classes become the engine's verdicts and the till's errors.
 */

function billing(data: string): TransactionError {
  return { code: ErrorCode.BILLING, message: 'BILLING_ERROR', data };
}

/** A provider's progress, in the engine's words. */
function relay(ctx: OperationContext): (p: ChargeProgress) => Promise<void> {
  return ({ providerPaymentId, ...rest }) => ctx.progress({ ...rest, ...(providerPaymentId !== undefined ? { facts: { providerPaymentId } } : {}) });
}

function chargeVerdict(outcome: ChargeOutcome): Verdict {
  switch (outcome.status) {
    case 'succeeded':
      return {
        outcome: 'succeeded',
        facts: { providerPaymentId: outcome.providerPaymentId, clientPhoneNumber: outcome.clientPhoneNumber, providerMessage: outcome.message },
        step: 'succeeded',
        detail: outcome.detail,
      };
    case 'failed':
      return {
        outcome: 'failed',
        facts: { error: billing(`${outcome.providerCode}: ${outcome.providerText}`) },
        step: 'failed',
        detail: { reason: outcome.reason, evidence: outcome.detail },
        reason: outcome.reason,
      };
    case 'unknown':
      return {
        outcome: 'unknown',
        facts: { error: billing('OUTCOME_UNKNOWN'), ...(outcome.providerPaymentId ? { providerPaymentId: outcome.providerPaymentId } : {}) },
        step: 'unknown',
        detail: { reason: outcome.reason, evidence: outcome.detail },
        reason: outcome.reason,
      };
  }
}

/**
 * A charge of the scanned code: `execute` charges once; `settle` asks the provider, and never charges.
 * `steps` and `prepared`: what the journal holds of it (its steps' names, and what the provider
 * prepared before it), for `settle`; `prepared` also for `execute`, when the provider prepared it.
 */
export function qrCharge(provider: QrProvider, qrCode: string, steps?: readonly string[], prepared?: PreparedCharge): OperationAdapter {
  return {
    execute: async (tx, ctx) => chargeVerdict(await provider.charge({ transactionId: tx.id, amount: tx.amount, qrCode, createdAt: tx.createdAt, prepared }, relay(ctx), ctx.guard)),
    settle: async (tx, ctx) =>
      chargeVerdict(
        await provider.recover(
          // Sent at the latest when the journal last wrote it (its clock), read on this process's clock.
          { transactionId: tx.id, amount: tx.amount, createdAt: tx.createdAt, sentAt: tx.updatedAt - ctx.journalAheadMs, providerPaymentId: tx.providerPaymentId, steps, prepared },
          relay(ctx),
          ctx.guard,
        ),
      ),
  };
}

function cancelVerdict(outcome: CancelOutcome, partial: boolean): Verdict {
  switch (outcome.status) {
    case 'cancelled':
      return { outcome: 'succeeded', step: partial ? 'refunded' : 'cancelled', detail: outcome.detail };
    case 'refused':
      return { outcome: 'failed', facts: { error: billing(`${outcome.providerCode}: ${outcome.providerText}`) }, step: 'cancel_refused', detail: outcome, reason: outcome.reason };
    case 'unknown':
      return { outcome: 'unknown', facts: { error: billing('OUTCOME_UNKNOWN') }, step: 'cancel_unknown', detail: outcome, reason: outcome.reason };
  }
}

function giveBackStatusVerdict(answer: GiveBackStatus, giveBack: Transaction): Verdict {
  const detail = { rule: answer.rule, evidence: answer.detail };
  switch (answer.status) {
    case 'given_back':
      return { outcome: 'succeeded', step: 'recovered', detail };
    case 'not_given_back':
      return { outcome: 'failed', facts: { error: billing(`NOT_GIVEN_BACK: ${answer.reason}`) }, step: 'recovered', detail: { ...detail, reason: answer.reason }, reason: answer.reason };
    case 'unknown':
      // Only the first inconclusive look is worth a line in the journal; later passes add nothing.
      return { outcome: 'unknown', step: giveBack.status === 'pending' ? 'recovery_inconclusive' : null, detail: { ...detail, reason: answer.reason }, reason: answer.reason };
  }
}

/**
 * A give-back of a paid QR payment (`original`), whole or in part: `execute` sends the provider's
 * cancel or reversal once; `settle` asks the provider's status whether it happened, never sending it again.
 */
export function qrGiveBack(provider: QrProvider, original: Transaction): OperationAdapter {
  return {
    execute: async (giveBack, ctx) => {
      const partial = giveBack.kind === 'refund';
      await ctx.guard();
      return cancelVerdict(await provider.cancel({ providerPaymentId: original.providerPaymentId!, transactionId: original.id, amount: giveBack.amount, partial }), partial);
    },
    settle: async (giveBack, ctx) => {
      if (!original.providerPaymentId) return { outcome: 'unknown', step: null, reason: 'the payment has no provider id to ask about' };
      const answer = await provider.giveBackStatus({
        providerPaymentId: original.providerPaymentId,
        amount: giveBack.amount,
        partial: giveBack.kind === 'refund',
        sentAt: giveBack.updatedAt - ctx.journalAheadMs,
      });
      return giveBackStatusVerdict(answer, giveBack);
    },
  };
}
