import type { TransactionStatus } from './state-machine.js';

/**
 * Money given back is a ledger, never a counter: every cancel and refund is an operation of its own
 * (a journal row of kind `cancel` or `refund` linked to its payment), and what a payment still has
 * to give back is computed from those rows. A give-back counts against the payment from the moment
 * it is journaled — while it is pending, and while its outcome is unknown — until it is settled: a
 * success keeps counting (as given back), a failure stops counting. The journal reserves the amount
 * in the same database transaction that writes the row (see Journal.reserveGiveBack), so give-backs
 * from several PayBridge processes, the console, the CLI and retries never add up to more than was
 * paid. Pure: no I/O.
 */
export interface GiveBackLedger {
  /** The payment's amount, tiyin. */
  paid: number;
  /** Give-backs that succeeded, tiyin. */
  givenBack: number;
  /** Give-backs pending or unknown: reserved until they settle, tiyin. */
  reserved: number;
  /** How many give-backs are pending or unknown. */
  open: number;
  /** How many give-backs did not fail (succeeded, pending or unknown). */
  live: number;
  /** Whether every give-back that succeeded was a cancel (then a payment given back whole is `cancelled`). */
  onlyCancels: boolean;
}

/** What may still be given back: paid − Σ(given back) − Σ(reserved). */
export function remainingToGiveBack(ledger: GiveBackLedger): number {
  return ledger.paid - ledger.givenBack - ledger.reserved;
}

/**
 * The ledger once a give-back reserved in it succeeded: what the till is told when the journal could
 * not record that success (the reservation holds there until recovery records it).
 */
export function withGiveBackSucceeded(ledger: GiveBackLedger, amount: number): GiveBackLedger {
  return { ...ledger, givenBack: ledger.givenBack + amount, reserved: ledger.reserved - amount, open: ledger.open - 1 };
}

/**
 * The payment's status the ledger stands for, once a give-back succeeded: given back whole, it is
 * `cancelled` (only cancels did it) or `refunded`; otherwise it stays as it was.
 */
export function statusAfterGiveBacks(status: TransactionStatus, ledger: GiveBackLedger): TransactionStatus {
  if (status !== 'succeeded' || ledger.givenBack < ledger.paid) return status;
  return ledger.onlyCancels ? 'cancelled' : 'refunded';
}

/** The ledger of a payment from its give-back rows (the journal computes the same in SQL). */
export function ledgerOf(paid: number, giveBacks: readonly { status: TransactionStatus; amount: number; kind: string }[]): GiveBackLedger {
  let givenBack = 0;
  let reserved = 0;
  let open = 0;
  let live = 0;
  let onlyCancels = true;
  for (const g of giveBacks) {
    if (g.status === 'failed') continue;
    live++;
    if (g.status === 'succeeded') {
      givenBack += g.amount;
      if (g.kind !== 'cancel') onlyCancels = false;
    } else {
      reserved += g.amount;
      open++;
    }
  }
  return { paid, givenBack, reserved, open, live, onlyCancels };
}
