import type { BucketTotalsRow, PeriodTotalsRow } from './ports/journal.js';
import { PAYMENT_METHODS, type PaymentMethod } from './transaction.js';

/**
 * How money is attributed to time, one rule for a day's totals, its hours and the last days: a
 * payment's amount counts when the payment was created (if it took money: succeeded, or given back
 * afterwards); a give-back's amount counts when the give-back was created (if it succeeded) — so a
 * refund today of yesterday's sale lowers today's net, not yesterday's. Pure.
 */
export interface Takings {
  paid_count: number;
  paid_amount: number;
  returned_amount: number;
  net_amount: number;
}

const TOOK_MONEY = new Set(['succeeded', 'cancelled', 'refunded']);

export function noTakings(): Takings {
  return { paid_count: 0, paid_amount: 0, returned_amount: 0, net_amount: 0 };
}

/** Zeros for every method, so a chart never has to guess which are missing. */
export function takingsByMethod(): Record<PaymentMethod, Takings> {
  return Object.fromEntries(PAYMENT_METHODS.map((m) => [m, noTakings()])) as Record<PaymentMethod, Takings>;
}

/** Whether a journal row is money in (a payment that took it) or out (a give-back that succeeded), by the rule above. */
export function moneyOf(row: Pick<PeriodTotalsRow, 'kind' | 'status' | 'count' | 'amount'>): { paidCount: number; paid: number; returnedCount: number; returned: number } {
  if (row.kind === 'payment') return TOOK_MONEY.has(row.status) ? { paidCount: row.count, paid: row.amount, returnedCount: 0, returned: 0 } : { paidCount: 0, paid: 0, returnedCount: 0, returned: 0 };
  return row.status === 'succeeded' ? { paidCount: 0, paid: 0, returnedCount: row.count, returned: row.amount } : { paidCount: 0, paid: 0, returnedCount: 0, returned: 0 };
}

/** Buckets of takings per method from the journal's bucket totals; `count` buckets, every method in each. */
export function takingsPerBucket(count: number, rows: readonly BucketTotalsRow[]): Record<PaymentMethod, Takings>[] {
  const buckets = Array.from({ length: count }, takingsByMethod);
  for (const row of rows) {
    const t = buckets[row.bucket]?.[row.method];
    if (!t) continue;
    const money = moneyOf(row);
    t.paid_count += money.paidCount;
    t.paid_amount += money.paid;
    t.returned_amount += money.returned;
  }
  for (const b of buckets) for (const t of Object.values(b)) t.net_amount = t.paid_amount - t.returned_amount;
  return buckets;
}
