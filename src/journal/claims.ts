import { ClaimLostError, StaleTransitionError, type ClaimAttempt, type Fence, type NewConflict } from '../payments/ports/journal.js';
import { maskDeep } from '../payments/masking.js';
import type { TransactionStatus } from '../payments/state-machine.js';
import { rowToTransaction, type TransactionRow } from './rows.js';

/**
 * What both engines say when a fenced write matched no row: the row moved on from the status it was
 * read in (StaleTransitionError), or it is no longer held by the writer's claim (ClaimLostError,
 * naming who holds it now).
 */
export function refusedWrite(id: string, from: TransactionStatus, fence: Fence, row: TransactionRow | undefined): Error {
  if (!row || row.status !== from) return new StaleTransitionError(id, from, row?.status as TransactionStatus | undefined);
  const holder = row.claimed_by === null ? null : { owner: row.claimed_by, epoch: Number(row.claim_epoch), expiresAt: Number(row.claim_expires_at ?? 0) };
  return new ClaimLostError(id, fence, holder, row.status as TransactionStatus);
}

/** A claim that was not taken: who holds the row, or that it is settled (or does not exist). */
export function notTaken(row: TransactionRow | undefined): ClaimAttempt {
  if (!row) return { taken: false, tx: undefined, holder: null };
  const tx = rowToTransaction(row);
  return { taken: false, tx, holder: tx.claim };
}

export function conflictParams(c: NewConflict) {
  return {
    id: c.id,
    transactionId: c.transactionId,
    kind: c.kind,
    writer: c.writer,
    journalStatus: c.journalStatus,
    holder: c.holder,
    proven: c.proven,
    // The evidence masked as any event's is; the facts (ids, the slip as the terminal masked it) kept as
    // they are, since accepting the proof writes them onto the row.
    verdict: JSON.stringify({ ...c.verdict, detail: maskDeep(c.verdict.detail) }),
    createdAt: c.createdAt,
  };
}

/** How a conflict closes by itself: the row came to say what the proof said. */
export const AGREED = JSON.stringify({ by: 'journal', decision: 'agreed', reason: 'the transaction was settled as the proof said' });
