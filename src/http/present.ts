import type { Transaction, TransactionWithEvents } from '../payments/transaction.js';

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
    error: tx.error,
    created_at: iso(tx.createdAt),
    updated_at: iso(tx.updatedAt),
  };
}

export function presentTransactionDetail(tx: TransactionWithEvents) {
  return {
    ...presentTransaction(tx),
    events: tx.events.map((e) => ({ at: iso(e.at), status: e.status, step: e.step, detail: e.detail })),
  };
}
