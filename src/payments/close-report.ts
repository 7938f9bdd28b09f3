/**
 * What a shift-close report says about the terminal's own reconciliation with its bank host. That is
 * evidence of a different agreement from PayBridge's: «Итоги совпали» means the terminal's and the
 * host's totals agreed, and says nothing about whether PayBridge's journal holds the same operations.
 * The phrases are the ones the close reports FiscalBox publishes for Humo (Ingenico) and UzCard
 * (PAX A35) print (abdullo211/fiscal_document, Payments/Humo (Ingenico).md and Payments/Uzcard (PAX
 * A35).md, `xumo_close` / `uzcard_close`; Payment.md of 2024-07 to 2024-12 for «Сверка итогов не
 * требуется»). «Итоги не совпали» is the same message's negation as such reports would print it; no
 * published sample shows it.
 */

export type HostReconciliationResult = 'matched' | 'not_matched' | 'not_required' | 'mixed';

export interface HostReconciliation {
  /** `matched` only when every verdict printed is «Итоги совпали»; a report of two terminals may print two. */
  result: HostReconciliationResult;
  /** The verdict lines as printed, in order. */
  printed: string[];
}

const VERDICTS: { pattern: RegExp; result: Exclude<HostReconciliationResult, 'mixed'> }[] = [
  // Tried in this order on each line, so that «не совпали» is never read as «совпали».
  { pattern: /итоги\s+не\s+совпали/iu, result: 'not_matched' },
  { pattern: /сверка\s+итогов\s+не\s+требуется/iu, result: 'not_required' },
  { pattern: /итоги\s+совпали/iu, result: 'matched' },
];

/** The terminal/host verdicts a close report prints; null when it prints none. */
export function hostReconciliationOf(report: string): HostReconciliation | null {
  const found: { line: string; result: Exclude<HostReconciliationResult, 'mixed'> }[] = [];
  for (const raw of report.split(/\r?\n/)) {
    const line = raw.trim();
    const verdict = VERDICTS.find((v) => v.pattern.test(line));
    if (verdict) found.push({ line, result: verdict.result });
  }
  if (found.length === 0) return null;
  const results = new Set(found.map((f) => f.result));
  return { result: results.size === 1 ? found[0]!.result : 'mixed', printed: found.map((f) => f.line) };
}
