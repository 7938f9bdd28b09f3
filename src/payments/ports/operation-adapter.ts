import type { Transaction } from '../transaction.js';
import type { TransactionPatch } from './journal.js';

/**
 * What an adapter's answers prove about one operation, once read through its outcome table. The
 * engine acts on `outcome` alone and writes the rest down; it never reads a provider's or a
 * terminal's answer itself.
 *
 * `failed` needs proof that nothing moved (a documented refusal of this request, an authoritative
 * "not found" asked late enough and confirmed, or the journal's proof that it was never sent).
 * Anything less is `unknown`.
 */
export type Verdict =
  | { outcome: 'succeeded'; facts?: TransactionPatch; step: string; detail?: unknown; reason?: undefined }
  | {
      outcome: 'failed' | 'unknown';
      /** Facts the answers revealed (a provider id, a refusal slip), and `error`, the till's error to keep. */
      facts?: TransactionPatch;
      /**
       * The journal step to record; null for an `unknown` that adds nothing to what the journal
       * already says (a recovery pass that learnt nothing new about an operation already unknown).
       */
      step: string | null;
      detail?: unknown;
      /** A sentence for the cashier: why, and what to do. */
      reason?: string;
    };

/** A fact learnt midway through an operation, written down before the adapter takes its next step. */
export interface OperationProgress {
  step: string;
  facts?: TransactionPatch;
  /** Set when the outcome has become uncertain (an answer was lost or unusable): the operation turns `unknown`. */
  uncertain?: string;
  detail?: unknown;
}

export interface OperationContext {
  /** Journals a step of the operation under its claim; resolves once it is written, rejects when the claim is gone. */
  progress(p: OperationProgress): Promise<void>;
  /**
   * Throws when the claim on the operation is gone (taken over, or not renewed for a lease): called
   * before every outward step that changes something, which then is not taken.
   */
  guard(): Promise<void>;
  /**
   * The journal's clock minus this process's, as read when the settle began (0 while executing):
   * a time the journal wrote (`updatedAt`), less this, is the same moment on this process's clock —
   * so "asked late enough after it was sent" holds whichever instance, with whatever clock, asks.
   */
  journalAheadMs: number;
}

/**
 * One outward operation as an adapter performs it: a QR wallet's charge or give-back, a pinpad's
 * purchase, cancel or refund. `execute` sends it — once — and reads the answers (asking the
 * provider's or terminal's status itself when an answer is lost, within the same turn where the
 * wire needs it); `settle` finds out how an operation already sent ended, by asking only.
 */
export interface OperationAdapter {
  execute(op: Transaction, ctx: OperationContext): Promise<Verdict>;
  settle(op: Transaction, ctx: OperationContext): Promise<Verdict>;
}

/** For a row nothing can be asked about (its payment or terminal is gone from the journal or the configuration): it stays as it is. */
export const UNSETTLEABLE: OperationAdapter = {
  execute: () => Promise.reject(new Error('nothing may be sent for an operation PayBridge cannot settle')),
  settle: async () => ({ outcome: 'unknown', step: null, reason: 'nothing PayBridge knows can be asked about it (its payment or its terminal is gone)' }),
};
