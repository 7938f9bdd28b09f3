import type { TransactionStatus } from './state-machine.js';

export const PAYMENT_METHODS = ['click', 'payme', 'humo', 'uzcard'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

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
  error: TransactionError | null;
  createdAt: number;
  updatedAt: number;
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
}
