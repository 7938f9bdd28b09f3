import type { FiscalHandoff, Transaction, TransactionWithEvents } from '../payments/transaction.js';

const iso = (ms: number) => new Date(ms).toISOString();

/** A journal entry as the API shows it: snake_case, ISO times, amounts in tiyin. */
export function presentTransaction(tx: Transaction) {
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
    error: tx.error,
    created_at: iso(tx.createdAt),
    updated_at: iso(tx.updatedAt),
  };
}

/** A give-back beneath its payment: its own outcome, and why it failed. */
export function presentGiveBack(tx: Transaction) {
  return {
    transaction_id: tx.id,
    kind: tx.kind,
    status: tx.status,
    amount: tx.amount,
    created_at: iso(tx.createdAt),
    updated_at: iso(tx.updatedAt),
    error: tx.error,
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

export function presentTransactionDetail(tx: TransactionWithEvents) {
  return {
    ...presentTransaction(tx),
    slip: tx.slip,
    fiscal: tx.fiscal ? presentHandoff(tx.fiscal) : null,
    events: tx.events.map((e) => ({ at: iso(e.at), status: e.status, step: e.step, detail: e.detail })),
  };
}
