import { SYSTEM_CLOCK, type Clock } from '../lib/clock.js';
import type { OutcomeRule } from '../payments/outcome-table.js';
import type { GiveBackStatus } from '../payments/ports/qr-provider.js';

export interface GiveBackAsk {
  rule: OutcomeRule;
  detail: unknown;
}

/**
 * Settles a give-back whose answer was lost by one status question through the provider's give-back
 * table: `paid` there means the money went back. A status showing the payment still whole
 * (`not_found` in the table) is proof that the give-back did not happen only when it was asked
 * `notFoundAfterMs` after the give-back was sent (status APIs lag) and a second question,
 * `confirmGapMs` later, agrees; anything else leaves it unknown, still reserved, for the next pass.
 */
export async function giveBackStatusOf(
  ask: () => Promise<GiveBackAsk>,
  timing: { sentAt: number; notFoundAfterMs: number; confirmGapMs: number },
  clock: Clock = SYSTEM_CLOCK,
): Promise<GiveBackStatus> {
  const first = await ask();
  if (first.rule.outcome === 'paid') return { status: 'given_back', rule: first.rule.answer, detail: first.detail };
  if (first.rule.outcome === 'declined') return { status: 'not_given_back', rule: first.rule.answer, reason: first.rule.answer, detail: first.detail };
  if (first.rule.outcome !== 'not_found' || clock.now() < timing.sentAt + timing.notFoundAfterMs) {
    return { status: 'unknown', rule: first.rule.answer, reason: `${first.rule.answer}: not yet proof either way`, detail: first.detail };
  }
  await clock.sleep(timing.confirmGapMs);
  const second = await ask();
  if (second.rule.outcome === 'paid') return { status: 'given_back', rule: second.rule.answer, detail: second.detail };
  if (second.rule.outcome === 'not_found') {
    return { status: 'not_given_back', rule: second.rule.answer, reason: `${second.rule.answer}, asked twice after the give-back was sent: the money was not given back`, detail: second.detail };
  }
  return { status: 'unknown', rule: second.rule.answer, reason: `${second.rule.answer}: not yet proof either way`, detail: second.detail };
}
