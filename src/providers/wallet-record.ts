import type { OutcomeRule } from '../payments/outcome-table.js';
import type { WalletRecord } from '../payments/wallet-records.js';

/**
 * A wallet's record of one payment, from the row its record table gives the answer: `paid` (with the
 * money given back since, as the row says) is a charge, `declined` and `not_found` show none, and
 * anything `uncertain` is not confirmed — asked again when the question itself got no answer.
 */
export function recordFromRule(
  rule: OutcomeRule,
  facts: { providerId: string | null; providerStatus: string; amount?: number | null; givenBackAmount?: number | null; askAgain: boolean; reason?: string },
): WalletRecord {
  if (rule.outcome === 'paid') {
    return {
      state: 'charged',
      amount: facts.amount ?? null,
      givenBack: rule.givenBack ?? 'none',
      givenBackAmount: rule.givenBack === 'whole' ? (facts.amount ?? null) : rule.givenBack === 'part' ? (facts.givenBackAmount ?? null) : 0,
      providerId: facts.providerId,
      providerStatus: facts.providerStatus,
      rule: rule.answer,
    };
  }
  if (rule.outcome === 'declined' || rule.outcome === 'not_found') return { state: 'not_charged', providerId: facts.providerId, providerStatus: facts.providerStatus, rule: rule.answer };
  return {
    state: 'not_confirmed',
    providerId: facts.providerId,
    providerStatus: facts.providerStatus,
    reason: facts.reason ?? `${rule.answer}: ${rule.source}`,
    askAgain: facts.askAgain,
  };
}

/** A payment the wallet cannot be asked about: no id it knows it by, and no lookup by ours. */
export function cannotAsk(providerStatus: string, reason: string): WalletRecord {
  return { state: 'not_confirmed', providerId: null, providerStatus, reason, askAgain: false };
}

/** An exchange that carried no usable answer (never sent, no answer, an HTTP error or an unreadable body): worth asking again. */
export function gotNoAnswer(x: { kind: string }): boolean {
  return x.kind === 'not_sent' || x.kind === 'no_answer' || x.kind === 'http';
}
