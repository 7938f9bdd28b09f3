import type { QrPaymentMethod, Transaction } from './transaction.js';

/**
 * What a wallet's own record says of one payment, read through the provider's record table (each
 * adapter's `walletRecord`). Only a row the table backs with the provider's documentation counts:
 * anything else is `not_confirmed`, never a match.
 */
export type WalletRecord =
  | {
      state: 'charged';
      /** Tiyin the wallet shows charged; null when its status answer carries no amount (CLICK, Uzum). */
      amount: number | null;
      /** Whether the wallet shows money given back since: none, all of it, or a part. */
      givenBack: 'none' | 'whole' | 'part';
      /** Tiyin the wallet shows given back, when it shows an amount. */
      givenBackAmount: number | null;
      providerId: string | null;
      /** The wallet's status in its own words ("payment_status 2", "state 50", "REVERSED"). */
      providerStatus: string;
      /** The record table's row. */
      rule: string;
    }
  | { state: 'not_charged'; providerId: string | null; providerStatus: string; rule: string }
  | {
      state: 'not_confirmed';
      providerId: string | null;
      providerStatus: string;
      reason: string;
      /** The question got no usable answer (timeout, 5xx, unreadable): worth asking again. */
      askAgain: boolean;
    };

/** What the reconciliation asks a wallet about one journaled payment. */
export interface WalletRecordQuery {
  transactionId: string;
  amount: number;
  createdAt: number;
  providerPaymentId: string | null;
  /** Tiyin the journal has given back. */
  givenBack: number;
  /** The journal's steps of the payment, oldest first (an id borrowed from a repeat's answer, say). */
  steps: readonly string[];
}

/** A payment the wallet lists for the day (Payme's receipts.get_all), as the reconciliation reads it. */
export interface WalletListed {
  providerId: string;
  /** Our transaction id as the wallet holds it (Payme: the receipt's account value), when it holds one. */
  transactionId: string | null;
  amount: number;
  createdAt: number;
  record: WalletRecord;
  /** Created and neither paid nor cancelled: it may still be paid (a receipt left open). */
  open: boolean;
}

/** The part of a wallet adapter the reconciliation uses: status questions only, never a charge or a give-back. */
export interface WalletRecords {
  walletRecord(query: WalletRecordQuery): Promise<WalletRecord>;
  /** Every payment of this merchant created in [from, to), where the wallet documents such a list (Payme). */
  listRecords?(from: number, to: number): Promise<WalletListed[]>;
}

export const DISCREPANCY_KINDS = [
  'paid_at_provider_only',
  'paid_in_journal_only',
  'given_back_outside',
  'given_back_in_journal_only',
  'amount_differs',
  'unknown_to_journal',
  'not_confirmed',
  'settled_by_reconciliation',
] as const;
export type DiscrepancyKind = (typeof DISCREPANCY_KINDS)[number];

export interface Discrepancy {
  kind: DiscrepancyKind;
  method: QrPaymentMethod;
  /** Ours, or the wallet's id when the journal has none (unknown_to_journal). */
  transactionId: string;
  journalStatus: string | null;
  providerStatus: string;
  /** Tiyin the difference is about. */
  amount: number;
  /** Extra words for the sentence: why the wallet could not say, what settled it. */
  detail: string | null;
  /** When the payment was made (epoch ms); null for a question about the whole day. */
  at: number | null;
}

/** The money of one side, for one method: payments that moved money, and tiyin paid minus given back. */
export interface SideTotals {
  count: number;
  amount: number;
}

export interface MethodTotals {
  journal: SideTotals;
  provider: SideTotals;
  matched: number;
  notConfirmed: number;
}

/** The journal's net of a payment: tiyin still paid; null while its outcome is not known. */
export function journalNet(tx: Pick<Transaction, 'status' | 'amount' | 'refundedAmount'>): number | null {
  switch (tx.status) {
    case 'succeeded':
      return tx.amount - tx.refundedAmount;
    case 'cancelled':
    case 'refunded':
    case 'failed':
      return 0;
    default:
      return null;
  }
}

/** Whether the journal says money moved for the payment at some point (given back since or not). */
export function journalCharged(tx: Pick<Transaction, 'status'>): boolean {
  return tx.status === 'succeeded' || tx.status === 'cancelled' || tx.status === 'refunded';
}

/** The wallet's net of a payment: tiyin still charged; null when it cannot say or shows no amount given back. */
export function walletNet(record: WalletRecord, journalAmount: number): number | null {
  if (record.state === 'not_charged') return 0;
  if (record.state !== 'charged') return null;
  const charged = record.amount ?? journalAmount;
  if (record.givenBack === 'whole') return 0;
  if (record.givenBack === 'part') return record.givenBackAmount === null ? null : charged - record.givenBackAmount;
  return charged;
}

/**
 * Compares one settled journal payment with the wallet's record of it: null when they agree. Pure:
 * every pairing of the journal's status and the wallet's record is decided here, and tested as a table.
 */
export function compareRecord(tx: Pick<Transaction, 'id' | 'method' | 'status' | 'amount' | 'refundedAmount' | 'createdAt'>, record: WalletRecord): Discrepancy | null {
  const method = tx.method as QrPaymentMethod;
  const base = { method, transactionId: tx.id, journalStatus: tx.status, providerStatus: record.providerStatus, detail: null, at: tx.createdAt };
  if (record.state === 'not_confirmed') return { ...base, kind: 'not_confirmed', amount: tx.amount, detail: record.reason };
  const journalPaid = journalCharged(tx);
  const net = journalNet(tx);
  if (net === null) {
    // Still unknown after the late recovery: only a charge the wallet shows is worth a person's look now.
    if (record.state === 'charged' && record.givenBack !== 'whole') return { ...base, kind: 'paid_at_provider_only', amount: walletNet(record, tx.amount) ?? tx.amount };
    return { ...base, kind: 'not_confirmed', amount: tx.amount, detail: 'the journal does not know the outcome and the wallet shows no money held: an operator decides' };
  }
  if (record.state === 'not_charged') {
    return journalPaid && net > 0 ? { ...base, kind: 'paid_in_journal_only', amount: net } : null;
  }
  // The wallet charged it.
  if (!journalPaid) {
    return record.givenBack === 'whole' ? null : { ...base, kind: 'paid_at_provider_only', amount: walletNet(record, tx.amount) ?? tx.amount };
  }
  if (record.amount !== null && record.amount !== tx.amount) return { ...base, kind: 'amount_differs', amount: Math.abs(record.amount - tx.amount), detail: `the journal has ${tx.amount} tiyin, the wallet ${record.amount}` };
  const journalGaveBack = tx.refundedAmount;
  if (record.givenBack === 'whole') return net > 0 ? { ...base, kind: 'given_back_outside', amount: net } : null;
  if (record.givenBack === 'none') return journalGaveBack > 0 ? { ...base, kind: 'given_back_in_journal_only', amount: journalGaveBack } : null;
  // A part given back at the wallet.
  if (journalGaveBack === 0) return { ...base, kind: 'given_back_outside', amount: record.givenBackAmount ?? net };
  if (record.givenBackAmount !== null && record.givenBackAmount !== journalGaveBack) {
    return { ...base, kind: 'amount_differs', amount: Math.abs(record.givenBackAmount - journalGaveBack), detail: `given back: the journal has ${journalGaveBack} tiyin, the wallet ${record.givenBackAmount}` };
  }
  if (net === 0) return { ...base, kind: 'given_back_in_journal_only', amount: journalGaveBack - (record.givenBackAmount ?? 0) };
  return null;
}

/** A payment the wallet lists that the journal never saw: worth a look whether money moved or a receipt waits unpaid. */
export function unknownToJournal(method: QrPaymentMethod, listed: WalletListed): Discrepancy | null {
  if (listed.record.state === 'not_charged' && !listed.open) return null;
  const net = walletNet(listed.record, listed.amount);
  if (listed.record.state === 'charged' && net === 0) return null;
  return {
    kind: 'unknown_to_journal',
    method,
    transactionId: listed.providerId,
    journalStatus: null,
    providerStatus: listed.record.providerStatus,
    amount: net ?? listed.amount,
    detail: listed.transactionId ? `the wallet holds it under ${listed.transactionId}` : null,
    at: listed.createdAt,
  };
}

/** How a run ended: the CLI's exit code follows it (0, 1, 3). */
export type ReconciliationResult = 'match' | 'discrepancies' | 'not_confirmed';

export function resultOf(discrepancies: readonly Discrepancy[]): ReconciliationResult {
  if (discrepancies.some((d) => d.kind !== 'not_confirmed')) return 'discrepancies';
  return discrepancies.length > 0 ? 'not_confirmed' : 'match';
}
