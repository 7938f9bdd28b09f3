import type { FiscalHandoff, Transaction, TransactionWithEvents } from '../payments/transaction.js';
import type { OperationConflict } from '../payments/ports/journal.js';
import { failureReason } from '../i18n/failure-reason.js';
import type { Language } from '../i18n/language.js';

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * A journaled error as the API shows it: with `language`, and when the transaction failed, `reason`
 * first — why, in words for people — then the code, message and raw detail the journal keeps.
 */
function presentError(tx: Transaction, language?: Language) {
  if (!tx.error) return null;
  const reason = language ? failureReason(tx, language) : null;
  return reason ? { reason, ...tx.error } : tx.error;
}

/** A journal entry as the API shows it: snake_case, ISO times, amounts in tiyin; a failure's reason in `language`. */
export function presentTransaction(tx: Transaction, language?: Language) {
  return {
    transaction_id: tx.id,
    method: tx.method,
    status: tx.status,
    amount: tx.amount,
    qr_code: tx.qrCodeMasked,
    payment_id: tx.providerPaymentId,
    client_phone_number: tx.clientPhoneNumber,
    message: tx.providerMessage,
    refunded_amount: tx.refundedAmount,
    kind: tx.kind,
    // Listed too: a give-back without one is foreign (a payment PayBridge never took), and the console marks it.
    original_transaction_id: tx.originalId,
    terminal: tx.terminal,
    receipt_number: tx.receiptNumber,
    shift_number: tx.shiftNumber,
    shop: tx.shop,
    till: tx.till,
    instance: tx.instance,
    error: presentError(tx, language),
    created_at: iso(tx.createdAt),
    updated_at: iso(tx.updatedAt),
  };
}

/** A give-back beneath its payment: its own outcome, and why it failed. */
export function presentGiveBack(tx: Transaction, language?: Language) {
  return {
    transaction_id: tx.id,
    kind: tx.kind,
    status: tx.status,
    amount: tx.amount,
    created_at: iso(tx.createdAt),
    updated_at: iso(tx.updatedAt),
    error: presentError(tx, language),
  };
}

/**
 * A proof that money moved which could not be written as the operation's outcome, and what the shop
 * should do about it: an operator decides it with POST /payment/transactions/{id}/resolve.
 */
export function presentConflict(c: OperationConflict, tx?: Transaction) {
  const giveBack = tx ? tx.kind !== 'payment' : undefined;
  return {
    conflict_id: c.id,
    transaction_id: c.transactionId,
    kind: c.kind,
    state: c.state,
    proven: c.proven,
    journal_status_then: c.journalStatus,
    ...(tx ? { method: tx.method, transaction_kind: tx.kind, amount: tx.amount, transaction_status: tx.status, original_transaction_id: tx.originalId } : {}),
    proven_by: c.writer,
    held_by_then: c.holder,
    evidence: { step: c.verdict.step, detail: c.verdict.detail ?? null },
    created_at: iso(c.createdAt),
    resolved_at: c.resolvedAt === null ? null : iso(c.resolvedAt),
    resolution: c.resolution,
    what_to_do:
      c.state === 'resolved'
        ? null
        : giveBack
          ? 'The provider or terminal gave this money back, but the journal says otherwise. Its amount stays reserved: check the provider’s cabinet or the terminal, then resolve it (succeeded accepts the proof, failed dismisses it). Do not give it back again.'
          : 'The customer was charged, but the journal says otherwise. Check the provider’s cabinet or the terminal, then resolve it (succeeded accepts the proof; failed dismisses it), and give the money back if the goods were not handed over.',
  };
}

/** The payment a give-back belongs to, in short. */
export function presentOriginal(tx: Transaction) {
  return {
    transaction_id: tx.id,
    method: tx.method,
    amount: tx.amount,
    status: tx.status,
    refunded_amount: tx.refundedAmount,
    created_at: iso(tx.createdAt),
  };
}

function presentHandoff(h: FiscalHandoff) {
  return {
    state: h.state,
    qr_code: h.receipt.qrCodeUrl,
    attempts: h.attempts,
    next_attempt_at: h.nextAttemptAt === null ? null : iso(h.nextAttemptAt),
    last_error: h.lastError,
    updated_at: iso(h.updatedAt),
  };
}

export function presentTransactionDetail(tx: TransactionWithEvents, conflicts: readonly OperationConflict[] = [], language?: Language) {
  return {
    ...presentTransaction(tx, language),
    // Who may write its state now, and until when (the journal's clock): an operator's decision waits for it.
    held_by: tx.claim ? { holder: tx.claim.owner, until: iso(tx.claim.expiresAt) } : null,
    conflicts: conflicts.map((c) => presentConflict(c, tx)),
    slip: tx.slip,
    fiscal: tx.fiscal ? presentHandoff(tx.fiscal) : null,
    events: tx.events.map((e) => ({ at: iso(e.at), status: e.status, step: e.step, detail: e.detail })),
  };
}
