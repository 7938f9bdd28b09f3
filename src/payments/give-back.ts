import { soum, text, statusText } from '../i18n/text.js';
import { paymentError, overRemaining } from './errors.js';
import { remainingToGiveBack, type GiveBackLedger } from './give-back-ledger.js';
import type { Transaction } from './transaction.js';

export interface GiveBackAsk {
  /** Tiyin to give back; all that remains when absent. */
  amount?: number | undefined;
  /** The provider or terminal can give back part of a payment. */
  partialSupported: boolean;
  /** For the refusal's words. */
  methodName: string;
  /** A pinpad's cancel: only of a payment nothing was given back from yet. */
  cancelOnly?: boolean;
}

/**
 * Decides a give-back against the payment and its ledger as the journal reads them while it holds
 * the payment (see Journal.reserveGiveBack): the amount to reserve, and whether it is part of the
 * payment; or a refusal (code 106) before anything is journaled or sent. Pure.
 */
export function decideGiveBack(original: Transaction, ledger: GiveBackLedger, ask: GiveBackAsk): { amount: number; partial: boolean } {
  const extras = { transaction_id: original.id, transaction_status: original.status };
  if (original.status === 'cancelled' || original.status === 'refunded') {
    throw paymentError(text('already_given_back', { status: statusText(original.status) }), { ...extras, remaining_amount: 0, refunded_amount: ledger.givenBack, reserved_amount: ledger.reserved });
  }
  if (original.status === 'pending' || original.status === 'unknown') throw paymentError(text('outcome_not_final', { status: statusText(original.status) }), extras);
  if (original.status !== 'succeeded') throw paymentError(text('not_paid', { status: statusText(original.status) }), extras);
  const remaining = remainingToGiveBack(ledger);
  const amount = ask.amount ?? remaining;
  const ledgerExtras = { ...extras, remaining_amount: remaining, refunded_amount: ledger.givenBack, reserved_amount: ledger.reserved };
  if (amount > remaining || amount <= 0) {
    const shown = amount > 0 ? amount : ledger.paid;
    throw paymentError(
      ledger.reserved > 0
        ? text('give_back_reserved', { amount: soum(shown), paid: soum(ledger.paid), reserved: soum(ledger.reserved), remaining: soum(remaining) })
        : overRemaining(shown, remaining, ledger.paid),
      ledgerExtras,
    );
  }
  if (ask.cancelOnly && ledger.live > 0) throw paymentError(text('partly_cancelled'), ledgerExtras);
  const partial = amount < ledger.paid;
  if (partial && !ask.partialSupported) {
    throw paymentError(text('partial_not_supported', { method: ask.methodName, remaining: soum(remaining) }), ledgerExtras);
  }
  return { amount, partial };
}
