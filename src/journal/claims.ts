import { ClaimLostError, FencedWriteRefusedError, StaleTransitionError, type ClaimAttempt, type ClaimHeld, type Fence, type HandoffPatch, type NewConflict } from '../payments/ports/journal.js';
import { maskDeep } from '../payments/masking.js';
import type { TransactionStatus } from '../payments/state-machine.js';
import type { HandoffState, ShiftClose, ShiftCloseState } from '../payments/transaction.js';
import { claimOfRow, rowToTransaction, type HandoffRow, type ShiftCloseRow, type TransactionRow } from './rows.js';

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

/** A row's claim while it lasts (journal's clock `now`); null once it ran out or nobody holds it. */
export function liveHolder(row: { claimed_by: string | null; claim_epoch: number | string; claim_expires_at: number | string | null }, now: number): ClaimHeld | null {
  const claim = claimOfRow(row);
  return claim && claim.expiresAt > now ? claim : null;
}

/** Why a fenced write to a hand-off matched no row (both engines). */
export function refusedHandoffWrite(id: string, from: HandoffState, fence: Fence, row: HandoffRow | undefined): FencedWriteRefusedError {
  return new FencedWriteRefusedError('fiscal_handoffs', id, fence, from, row?.state, row ? claimOfRow(row) : null);
}

/** Why a fenced write to a shift close matched no row (both engines). */
export function refusedShiftCloseWrite(id: string, from: ShiftCloseState, fence: Fence, row: ShiftCloseRow | undefined): FencedWriteRefusedError {
  return new FencedWriteRefusedError('shift_closes', id, fence, from, row?.state, row ? claimOfRow(row) : null);
}

/**
 * The columns a hand-off patch sets, encoded as both engines store them (the provider's answer masked
 * as any event's evidence is); `retryInMs` is each engine's own, on its own clock.
 */
export function handoffSets(patch: HandoffPatch): { column: string; key: string; value: unknown }[] {
  const sets: { column: string; key: string; value: unknown }[] = [];
  if (patch.state !== undefined) sets.push({ column: 'state', key: 'state', value: patch.state });
  if (patch.attempts !== undefined) sets.push({ column: 'attempts', key: 'attempts', value: patch.attempts });
  if (patch.lastError !== undefined) sets.push({ column: 'last_error', key: 'lastError', value: patch.lastError });
  if (patch.result !== undefined) sets.push({ column: 'result', key: 'result', value: patch.result === null ? null : JSON.stringify(maskDeep(patch.result)) });
  if (patch.receipt !== undefined) sets.push({ column: 'receipt', key: 'receipt', value: JSON.stringify(patch.receipt) });
  return sets;
}

/** A shift close's columns as both engines store them. */
export function shiftCloseParams(close: ShiftClose) {
  return {
    id: close.id,
    state: close.state,
    terminal: close.terminal,
    shiftNumber: close.shiftNumber,
    closedAt: close.closedAt,
    report: close.report,
    terminalTotals: close.terminalTotals ? JSON.stringify(close.terminalTotals) : null,
    journalTotals: JSON.stringify(close.journalTotals),
    matched: close.matched === null ? null : close.matched ? 1 : 0,
    reason: close.reason ?? null,
    hostReconciliation: close.hostReconciliation ? JSON.stringify(close.hostReconciliation) : null,
  };
}

/** Hand-offs not yet delivered, and those of them that may already be at the provider. */
export const HANDOFF_COUNTS_SQL = `SELECT SUM(CASE WHEN state IN ('pending', 'unknown') THEN 1 ELSE 0 END) AS open,
         SUM(CASE WHEN state = 'unknown' THEN 1 ELSE 0 END) AS unknown
       FROM fiscal_handoffs WHERE state IN ('pending', 'unknown')`;

/**
 * A close whose outcome is unknown that no later `closed` close of its terminal has overtaken: once
 * one has, whatever shift was open then is closed, and nothing is left to find out.
 */
export const UNKNOWN_UNRESOLVED_SQL = `state = 'unknown' AND NOT EXISTS (
         SELECT 1 FROM shift_closes later WHERE later.terminal = shift_closes.terminal AND later.state = 'closed' AND later.closed_at > shift_closes.closed_at)`;
