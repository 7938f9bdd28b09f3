import type { TransactionStatus } from '../payments/state-machine.js';
import type { FiscalHandoff, ShiftClose, Transaction } from '../payments/transaction.js';
import type { ShiftTotals } from '../payments/ports/terminal.js';
import type { HostReconciliation } from '../payments/close-report.js';
import type { GiveBackLedger } from '../payments/give-back-ledger.js';
import { InvalidCursorError, type ClaimHeld, type IdempotencyRecord, type OperationConflict, type TransactionPage, type TransactionPatch } from '../payments/ports/journal.js';

/**
 * The journal's rows as both engines store them (the same columns, snake_case, times in epoch
 * milliseconds, money in integer tiyin) and their mapping to the domain's types: one shape, so a
 * till's SQLite journal copies into the central PostgreSQL column for column.
 */

export interface TransactionRow {
  id: string;
  method: string;
  status: string;
  amount: number;
  qr_code_masked: string | null;
  qr_code_hash: string | null;
  provider_payment_id: string | null;
  client_phone_number: string | null;
  provider_message: string | null;
  refunded_amount: number;
  kind: string;
  original_id: string | null;
  terminal: string | null;
  receipt_number: number | null;
  shift_number: number | null;
  auth_code: string | null;
  slip: string | null;
  shop: string | null;
  till: string | null;
  instance: string | null;
  error_code: number | null;
  error_message: string | null;
  error_data: string | null;
  created_at: number;
  updated_at: number;
  claimed_by: string | null;
  claim_epoch: number;
  claim_expires_at: number | null;
}

export interface HandoffRow {
  id: string;
  method: string;
  payment_id: string;
  transaction_id: string | null;
  receipt: string;
  state: string;
  attempts: number;
  next_attempt_at: number | null;
  last_error: string | null;
  result: string | null;
  created_at: number;
  updated_at: number;
  claimed_by: string | null;
  claim_epoch: number;
  claim_expires_at: number | null;
}

/** The claim a row of any claimed table stands under, or null when nobody holds it. */
export function claimOfRow(row: { claimed_by: string | null; claim_epoch: number | string; claim_expires_at: number | string | null }): ClaimHeld | null {
  return row.claimed_by === null ? null : { owner: row.claimed_by, epoch: Number(row.claim_epoch), expiresAt: Number(row.claim_expires_at ?? 0) };
}

export function rowToHandoff(row: HandoffRow): FiscalHandoff {
  return {
    id: row.id,
    method: row.method as FiscalHandoff['method'],
    paymentId: row.payment_id,
    transactionId: row.transaction_id,
    receipt: JSON.parse(row.receipt) as FiscalHandoff['receipt'],
    state: row.state as FiscalHandoff['state'],
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    result: row.result === null ? null : (JSON.parse(row.result) as unknown),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    claim: claimOfRow(row),
  };
}

export interface IdempotencyRow {
  key: string;
  scope: string;
  fingerprint: string;
  state: string;
  owner: string;
  transaction_id: string | null;
  /** The stored answer, as JSON text. */
  response: string | null;
  created_at: number;
  expires_at: number;
}

export function rowToIdempotencyRecord(row: IdempotencyRow): IdempotencyRecord {
  return {
    key: row.key,
    scope: row.scope,
    fingerprint: row.fingerprint,
    state: row.state as IdempotencyRecord['state'],
    owner: row.owner,
    transactionId: row.transaction_id,
    response: row.response === null ? null : (JSON.parse(row.response) as unknown),
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}

export interface ShiftCloseRow {
  id: string;
  terminal: string;
  shift_number: number | null;
  closed_at: number;
  report: string;
  terminal_totals: string | null;
  journal_totals: string;
  /** 1 or 0; null when the terminal reported no totals. */
  matched: number | null;
  state: string;
  reason: string | null;
  /** JSON of HostReconciliation, or null. */
  host_reconciliation: string | null;
  claimed_by: string | null;
  claim_epoch: number;
  claim_expires_at: number | null;
}

export function rowToShiftClose(r: ShiftCloseRow): ShiftClose {
  return {
    id: r.id,
    state: r.state as ShiftClose['state'],
    terminal: r.terminal,
    shiftNumber: r.shift_number,
    closedAt: r.closed_at,
    report: r.report,
    terminalTotals: r.terminal_totals === null ? null : (JSON.parse(r.terminal_totals) as ShiftTotals),
    // 'null' when the journal's side was not computed (the column predates that and is NOT NULL).
    journalTotals: JSON.parse(r.journal_totals) as ShiftTotals | null,
    matched: r.matched === null ? null : r.matched === 1,
    reason: r.reason ?? null,
    hostReconciliation: r.host_reconciliation ? (JSON.parse(r.host_reconciliation) as HostReconciliation) : null,
  };
}

/** A listing page from up to `limit + 1` rows, newest first: the extra row only says there is more. */
export function pageOf(rows: TransactionRow[], limit: number): TransactionPage {
  const hasMore = rows.length > limit;
  const page = hasMore ? rows.slice(0, limit) : rows;
  const last = page[page.length - 1];
  return { items: page.map(rowToTransaction), nextCursor: hasMore && last ? encodeCursor(last) : null };
}

/** The give-back ledger as both engines' SQL returns it (see LEDGER_SQL). */
export interface LedgerRow {
  given: number | string;
  reserved: number | string;
  open: number | string;
  live: number | string;
  refunds: number | string;
}

/**
 * One statement, both engines: the give-back rows of payment `$1`, summed. A give-back journaled
 * `failed` that an open conflict proves succeeded (the provider or terminal gave the money back
 * after someone else settled the row) counts as reserved, as an unknown one does, until an operator
 * decides: the same money is never given back a second time.
 */
export const LEDGER_SQL = `SELECT COALESCE(SUM(CASE WHEN status = 'succeeded' THEN amount END), 0) AS given,
         COALESCE(SUM(CASE WHEN status IN ('pending', 'unknown') OR disputed THEN amount END), 0) AS reserved,
         COUNT(CASE WHEN status IN ('pending', 'unknown') OR disputed THEN 1 END) AS open,
         COUNT(CASE WHEN status <> 'failed' OR disputed THEN 1 END) AS live,
         COUNT(CASE WHEN status = 'succeeded' AND kind <> 'cancel' THEN 1 END) AS refunds
       FROM (SELECT g.status, g.amount, g.kind,
                    (g.status = 'failed' AND EXISTS (SELECT 1 FROM operation_conflicts c WHERE c.transaction_id = g.id AND c.state = 'open')) AS disputed
             FROM transactions g WHERE g.original_id = $1) AS give_backs`;

export function rowToLedger(paid: number, row: LedgerRow): GiveBackLedger {
  return { paid, givenBack: Number(row.given), reserved: Number(row.reserved), open: Number(row.open), live: Number(row.live), onlyCancels: Number(row.refunds) === 0 };
}

export interface EventRow {
  at: number;
  status: string;
  step: string;
  detail: string | null;
}

export const PATCH_COLUMNS: Record<keyof Omit<TransactionPatch, 'error'>, string> = {
  providerPaymentId: 'provider_payment_id',
  clientPhoneNumber: 'client_phone_number',
  providerMessage: 'provider_message',
  receiptNumber: 'receipt_number',
  shiftNumber: 'shift_number',
  authCode: 'auth_code',
  slip: 'slip',
};

export function rowToTransaction(row: TransactionRow): Transaction {
  return {
    id: row.id,
    method: row.method as Transaction['method'],
    status: row.status as TransactionStatus,
    amount: row.amount,
    qrCodeMasked: row.qr_code_masked,
    qrCodeHash: row.qr_code_hash,
    providerPaymentId: row.provider_payment_id,
    clientPhoneNumber: row.client_phone_number,
    providerMessage: row.provider_message,
    refundedAmount: row.refunded_amount,
    kind: row.kind as Transaction['kind'],
    originalId: row.original_id,
    terminal: row.terminal,
    receiptNumber: row.receipt_number,
    shiftNumber: row.shift_number,
    authCode: row.auth_code,
    slip: row.slip,
    shop: row.shop,
    till: row.till,
    instance: row.instance,
    error: row.error_code === null ? null : { code: row.error_code, message: row.error_message ?? '', data: row.error_data },
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    claim: row.claimed_by === null ? null : { owner: row.claimed_by, epoch: Number(row.claim_epoch), expiresAt: Number(row.claim_expires_at ?? 0) },
  };
}

export interface ConflictRow {
  id: string;
  transaction_id: string;
  kind: string;
  writer: string;
  journal_status: string;
  holder: string | null;
  proven: string;
  verdict: string;
  state: string;
  created_at: number;
  resolved_at: number | null;
  resolution: string | null;
}

export function rowToConflict(r: ConflictRow): OperationConflict {
  return {
    id: r.id,
    transactionId: r.transaction_id,
    kind: r.kind as OperationConflict['kind'],
    writer: r.writer,
    journalStatus: r.journal_status as TransactionStatus,
    holder: r.holder,
    proven: r.proven as OperationConflict['proven'],
    verdict: JSON.parse(r.verdict) as OperationConflict['verdict'],
    state: r.state as OperationConflict['state'],
    createdAt: Number(r.created_at),
    resolvedAt: r.resolved_at === null ? null : Number(r.resolved_at),
    resolution: r.resolution === null ? null : (JSON.parse(r.resolution) as OperationConflict['resolution']),
  };
}

/** Statuses in which an operation is still someone's work: only these can be claimed. */
export const UNSETTLED_SQL = "('pending', 'unknown')";

export function encodeCursor(row: { created_at: number; id: string }): string {
  return Buffer.from(`${row.created_at}:${row.id}`).toString('base64url');
}

export function decodeCursor(cursor: string): { createdAt: number; id: string } {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const m = /^(\d{1,16}):([0-9a-f-]{36})$/.exec(text);
  if (!m) throw new InvalidCursorError();
  return { createdAt: Number(m[1]), id: m[2]! };
}

