import type { TransactionStatus } from './state-machine.js';

export const PAYMENT_METHODS = ['click', 'payme', 'uzum', 'humo', 'uzcard'] as const;
export type TransactionKind = 'payment' | 'cancel' | 'refund';
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

/** How cashiers and managers call each method. */
export const METHOD_NAMES: Readonly<Record<PaymentMethod, string>> = { click: 'Click', payme: 'Payme', uzum: 'Uzum', humo: 'Humo', uzcard: 'UzCard' };

/** The QR wallets: paid by a code scanned from the customer's phone, through a provider's API. */
export const QR_METHODS = ['click', 'payme', 'uzum'] as const;
export type QrPaymentMethod = (typeof QR_METHODS)[number];

export function isQrMethod(method: PaymentMethod): method is QrPaymentMethod {
  return (QR_METHODS as readonly string[]).includes(method);
}

export interface TransactionError {
  code: number;
  message: string;
  data: string | null;
}

/** One row of the journal. Amounts are integer tiyin; times are epoch milliseconds. */
export interface Transaction {
  id: string;
  method: PaymentMethod;
  status: TransactionStatus;
  amount: number;
  qrCodeMasked: string | null;
  /** SHA-256 of the one-time QR code: lets a retry be recognised without storing the code. */
  qrCodeHash: string | null;
  providerPaymentId: string | null;
  clientPhoneNumber: string | null;
  providerMessage: string | null;
  /** Tiyin given back so far (cancellations and refunds); never more than `amount`. */
  refundedAmount: number;
  /** A payment, or a card cancel/refund recorded as a row of its own (linked by `originalId`). */
  kind: TransactionKind;
  originalId: string | null;
  /** The card terminal's configured id; null for QR payments. */
  terminal: string | null;
  receiptNumber: number | null;
  shiftNumber: number | null;
  authCode: string | null;
  /** The bank slip exactly as the terminal printed it. */
  slip: string | null;
  /** Where it was taken: the shop and till of the PayBridge that journaled it (a chain shares one journal). */
  shop: string | null;
  till: string | null;
  /** Which PayBridge process journaled it. */
  instance: string | null;
  error: TransactionError | null;
  createdAt: number;
  updatedAt: number;
  /**
   * Who holds the row (the only one who may write its state), the claim's epoch, and until when on
   * the journal's clock; null when nobody does (a settled row is nobody's work).
   */
  claim: { owner: string; epoch: number; expiresAt: number } | null;
}

/** One step in a transaction's timeline: what happened, and the (masked) evidence for it. */
export interface TransactionEvent {
  at: number;
  status: TransactionStatus;
  step: string;
  detail: unknown;
}

export interface TransactionWithEvents extends Transaction {
  events: TransactionEvent[];
  /** The fiscal receipt hand-off for this payment, once the till sent one. */
  fiscal: FiscalHandoff | null;
}

/** The shop's own fiscal module printed the cheque; the provider must learn its URL. */
export interface FiscalReceipt {
  paymentId: string;
  /** The https://ofd.soliq.uz/… check URL. */
  qrCodeUrl: string;
  receiptId?: number | undefined;
  terminalId?: string | undefined;
  fiscalSign?: string | undefined;
  date?: string | undefined;
  statusCode?: number | undefined;
  message?: string | undefined;
}

/**
 * Where a fiscal receipt stands with its provider: `pending` while no attempt can have reached it;
 * `unknown` once one may have (an attempt is under way, or its answer was lost) — re-submitting the
 * same receipt, or reading it back, is then the only way to learn; `submitted` when the provider
 * confirmed it; `refused` when it refused a receipt it cannot already hold.
 */
export type HandoffState = 'pending' | 'unknown' | 'submitted' | 'refused';

/** One fiscal receipt on its way to the provider; `pending` and `unknown` ones are retried until they land. */
export interface FiscalHandoff {
  id: string;
  method: QrPaymentMethod;
  paymentId: string;
  transactionId: string | null;
  receipt: FiscalReceipt;
  state: HandoffState;
  attempts: number;
  nextAttemptAt: number | null;
  lastError: string | null;
  /** The provider's answer once submitted, or its refusal. */
  result: unknown;
  createdAt: number;
  updatedAt: number;
  /**
   * Who is submitting it now (the only one who may write its state), the claim's epoch, and until
   * when on the journal's clock; null when nobody is.
   */
  claim: { owner: string; epoch: number; expiresAt: number } | null;
}

/**
 * Where a shift close stands: journaled `sent` before the terminal hears of it; `closed` with its
 * report; `refused` by the terminal; `not_sent` (the link could not be opened); `unknown` when the
 * answer was lost — the shift may or may not be closed (print the last report to see).
 */
export type ShiftCloseState = 'sent' | 'closed' | 'refused' | 'not_sent' | 'unknown';

/** A terminal's shift close: its report, and the comparison of its totals with the journal's. */
export interface ShiftClose {
  id: string;
  state: ShiftCloseState;
  terminal: string;
  shiftNumber: number | null;
  closedAt: number;
  report: string;
  terminalTotals: import('./ports/terminal.js').ShiftTotals | null;
  /** Null when PayBridge did not compute its side: nothing to compare it with, or no shift to compute it for. */
  journalTotals: import('./ports/terminal.js').ShiftTotals | null;
  /** Null when the terminal did not report totals to compare, or named no shift; `reason` says which. */
  matched: boolean | null;
  /** Why `matched` is null: what was and was not compared. */
  reason?: string | null;
  /** The terminal's own verdict on its reconciliation with the bank host («Итоги совпали»), as printed: not PayBridge's comparison. */
  hostReconciliation?: import('./close-report.js').HostReconciliation | null;
}
