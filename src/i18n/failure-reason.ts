import { cashierText } from '../payments/pinpad-codes.js';
import type { Transaction } from '../payments/transaction.js';
import type { Language } from './language.js';
import { text, translate } from './text.js';

const CARD_METHODS = new Set(['humo', 'uzcard']);

/**
 * Why a journaled transaction failed, in words for people, in `language`: the sentence the till was
 * told when it failed (nothing charged, nothing given back), a card's with its pinpad code spelled out
 * first. The journal keeps only the error's code, message and the provider's or pinpad's raw words
 * ("104: BILLING_ERROR", "400: apelsin.pay.wrong.prefix.otp.data"); those stay beside this, as detail.
 * Null for a transaction that did not fail, or has no error to explain.
 */
export function failureReason(tx: Pick<Transaction, 'method' | 'kind' | 'status' | 'error'>, language: Language): string | null {
  if (tx.status !== 'failed' || !tx.error) return null;
  const giveBack = tx.kind !== 'payment';
  if (!CARD_METHODS.has(tx.method)) return translate(text(giveBack ? 'give_back_declined' : 'provider_declined'), language);
  const sentence = translate(text(giveBack ? 'card_declined_give_back' : 'card_declined_payment'), language);
  // A pinpad's answer code leads its data ("051 …"); an operation never handed to the terminal has none.
  const code = /^(\d{3})\b/.exec(tx.error.data ?? '')?.[1];
  return code ? `${cashierText(code, language).replace(/\.$/, '')}. ${sentence}` : sentence;
}
