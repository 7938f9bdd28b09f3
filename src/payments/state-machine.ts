/**
 * The life of a transaction, the same for every payment method. Pure: no I/O, so the rules can be
 * tested exhaustively and every store and every provider flow obeys the same ones.
 *
 *   pending ──▶ succeeded ──▶ cancelled | refunded (partial refunds stay `succeeded` until the last one)
 *      │  └───▶ failed
 *      └──────▶ unknown ──▶ succeeded | failed   (only on a provider/terminal status answer or an operator's decision)
 */
export const TRANSACTION_STATUSES = ['pending', 'succeeded', 'failed', 'unknown', 'cancelled', 'refunded'] as const;
export type TransactionStatus = (typeof TRANSACTION_STATUSES)[number];

const ALLOWED: Readonly<Record<TransactionStatus, readonly TransactionStatus[]>> = {
  pending: ['succeeded', 'failed', 'unknown'],
  unknown: ['succeeded', 'failed'],
  succeeded: ['cancelled', 'refunded'],
  failed: [],
  cancelled: [],
  refunded: [],
};

export const FINAL_STATUSES: readonly TransactionStatus[] = ['failed', 'cancelled', 'refunded'];

export function isTransactionStatus(value: unknown): value is TransactionStatus {
  return typeof value === 'string' && (TRANSACTION_STATUSES as readonly string[]).includes(value);
}

export function canTransition(from: TransactionStatus, to: TransactionStatus): boolean {
  return ALLOWED[from].includes(to);
}

export class IllegalTransitionError extends Error {
  constructor(
    readonly from: TransactionStatus,
    readonly to: TransactionStatus,
  ) {
    super(`illegal transaction transition ${from} → ${to}`);
    this.name = 'IllegalTransitionError';
  }
}

/**
 * The one correction of a final status: a row journaled `failed` whose money, a proof shows, did
 * move (an open conflict), accepted by an operator. Nothing else ever leaves `failed`.
 */
export function assertCorrection(from: TransactionStatus, to: TransactionStatus): void {
  if (from !== 'failed' || to !== 'succeeded') throw new IllegalTransitionError(from, to);
}

/** A state write's move: a step (the same status), a transition, or — said so — the one correction. */
export function assertMove(from: TransactionStatus, to: TransactionStatus, correction = false): void {
  if (correction) assertCorrection(from, to);
  else if (from !== to) assertTransition(from, to);
}

export function assertTransition(from: TransactionStatus, to: TransactionStatus): void {
  if (!canTransition(from, to)) throw new IllegalTransitionError(from, to);
}
