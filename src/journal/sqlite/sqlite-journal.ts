import { mkdirSync, statSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import { openSqlite, type SqlConnection, type SqliteDriverChoice, type SqlStatement } from './connection.js';
import { maskDeep } from '../../payments/masking.js';
import { assertMove, type TransactionStatus } from '../../payments/state-machine.js';
import { statusAfterGiveBacks } from '../../payments/give-back-ledger.js';
import type { FiscalHandoff, HandoffState, ShiftClose, ShiftCloseState, Transaction, TransactionEvent, TransactionWithEvents } from '../../payments/transaction.js';
import type { ShiftTotals } from '../../payments/ports/terminal.js';
import {
  type OpenCounts,
  type PeriodTotalsRow,
  type BucketTotalsRow,
  type ShiftCloseFilter,
  StaleTransitionError,
  KeyTakenOverError,
  type KeyLink,
  type Journal,
  type JournalEntryStep,
  type HandoffPatch,
  type IdempotencyClaim,
  type IdempotencyRecord,
  type JournalHealth,
  type JournalSpace,
  type TotalsScope,
  type JournalOrigin,
  type NewHandoff,
  type NewTransaction,
  type TransactionFilter,
  type TransactionPage,
  type TransactionPatch,
  type GiveBackLedger,
  type GiveBackPlan,
  type GiveBackReservation,
  liveClaimOwner,
  DEFAULT_LEASE_MS,
  UNNAMED_WRITER,
  type ClaimAttempt,
  type ClaimHeld,
  type WalletRun,
  type WalletRunAttempt,
  type Fence,
  type NewConflict,
  type OperationConflict,
  type NewClaim,
  type HandoffClaimAttempt,
  type ShiftCloseClaimAttempt,
} from '../../payments/ports/journal.js';
import { SqliteWalletRuns } from './wallet-runs.js';
import {
  AGREED,
  conflictParams,
  handoffSets,
  HANDOFF_COUNTS_SQL,
  liveHolder,
  notTaken,
  refusedHandoffWrite,
  refusedShiftCloseWrite,
  refusedWrite,
  shiftCloseParams,
  UNKNOWN_UNRESOLVED_SQL,
} from '../claims.js';
import { SQLITE_MIGRATIONS } from './migrations.js';
import { JournalTooNewError } from '../too-new.js';
import {
  claimOfRow,
  decodeCursor,
  PATCH_COLUMNS,
  rowToHandoff,
  pageOf,
  rowToIdempotencyRecord,
  rowToShiftClose,
  rowToTransaction,
  rowToConflict,
  type ConflictRow,
  LEDGER_SQL,
  rowToLedger,
  type LedgerRow,
  type EventRow,
  type HandoffRow,
  type IdempotencyRow,
  type ShiftCloseRow,
  type TransactionRow,
} from '../rows.js';
import { answersOnceDurable, GroupCommit } from './group-commit.js';
import { WalSync } from './wal-sync.js';

export interface SqliteJournalOptions {
  /** Path of the database file, created with its folder when missing. */
  path: string;
  /** Milliseconds to wait for a lock held by another process before failing. */
  busyTimeoutMs?: number;
  /** Which SQLite binding; `auto` picks by Node.js version (see connection.ts). */
  driver?: SqliteDriverChoice;
  /** Stamped on every transaction recorded; without it, none is (tools that only read or copy). */
  origin?: JournalOrigin;
  /**
   * The journal's clock, which claims expire by: one process holds an SQLite file, so it is that
   * process's clock (the simulator gives one of its own). Date.now by default.
   */
  clock?: () => number;
  /**
   * `full` (the default): every commit is on disk when its promise resolves. `memory`: the simulator's
   * throw-away journals, with SQLite's own semantics but no fsync.
   */
  durability?: 'full' | 'memory';
  /** Free space on the journal's volume below which /health, /metrics and the console warn (journal.low_space_mb). */
  lowSpaceBytes?: number;
  /** How large the `-wal` file may stay between checkpoints (see checkpointIfLarge). */
  walLimitBytes?: number;
  /** How often the WAL's size is looked at (see checkpointIfLarge); 0: never (a test calls it itself). */
  checkpointEveryMs?: number;
}

/** 200 MiB: at about 1 KiB a payment in the journal, weeks of a busy till, and room for the WAL and a backup's copy. */
export const DEFAULT_LOW_SPACE_BYTES = 200 * 1024 * 1024;
/** Twice what the WAL reaches between automatic checkpoints (1000 pages of 4 KiB and their frame headers). */
export const DEFAULT_WAL_LIMIT_BYTES = 8 * 1024 * 1024;
/**
 * The journal connection's page cache, in KiB (`PRAGMA cache_size = -N`): SQLite's own default, the one
 * node:sqlite runs with. better-sqlite3 is built with 16 000 instead, and a journal that grows fills
 * it: 16 MB of a till's memory for pages the OS keeps cached anyway. The same figure bounds the
 * memory SQLite sorts in before it spills to a temporary file (the summary's GROUP BY sorts the day's
 * rows), so a day of many rows cannot hold tens of MB in malloc's arenas (docs/performance.md, the soak).
 */
export const JOURNAL_CACHE_KIB = 2_000;
/** While the disk is merely low, a write is tried by /health at most this often (while it fails: at every call). */
const LOW_SPACE_PROBE_MS = 10_000;

const FINAL_STATUSES: readonly TransactionStatus[] = ['succeeded', 'failed', 'cancelled', 'refunded'];
const PATCH_KEYS = Object.keys(PATCH_COLUMNS) as (keyof typeof PATCH_COLUMNS)[];
/** A new transaction's row (insertParams names its values): every one `pending`, claimed by its writer, epoch 1. */
const INSERT_COLUMNS = `id, method, status, amount, qr_code_masked, qr_code_hash, kind, original_id, terminal, shop, till, instance,
                        claimed_by, claim_epoch, claim_expires_at, created_at, updated_at`;
const INSERT_VALUES = `@id, @method, 'pending', @amount, @qrCodeMasked, @qrCodeHash, @kind, @originalId, @terminal, @shop, @till, @instance,
                       @liveOwner, 1, @claimExpiresAt, @createdAt, @now`;

/**
 * The embedded journal: one SQLite file in WAL mode whose WAL is on disk before any promise resolves
 * (synchronous=NORMAL and an fdatasync off the event loop, see group-commit.ts; synchronous=FULL where
 * that cannot be used), so a payment recorded here survives a power cut the moment its promise resolves.
 */
export class SqliteJournal implements Journal {
  readonly engine = 'sqlite';
  private readonly db: SqlConnection;
  private readonly statements;
  private readonly writes: GroupCommit;
  /** The WAL synced off the event loop (synchronous=NORMAL + fdatasync before any caller hears): see group-commit.ts. */
  private readonly walSync: WalSync | undefined;
  private closing: Promise<void> | undefined;
  private readonly checkpointTimer: NodeJS.Timeout | undefined;
  /** The write /health tries (see health): one at a time, and when the disk is only low, not at every call. */
  private probing: Promise<void> | undefined;
  private probedAt = -Infinity;
  private readonly clockNow: () => number;
  private readonly walletRuns: SqliteWalletRuns;

  constructor(private readonly options: SqliteJournalOptions) {
    this.clockNow = options.clock ?? Date.now;
    if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
    this.db = openSqlite(options.path, options.driver);
    const synchronous = options.durability === 'memory' ? 'OFF' : 'FULL';
    this.db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = ${synchronous}; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = ${options.busyTimeoutMs ?? 5000};`);
    // See checkpointIfLarge: the WAL is cut back to this size whenever SQLite starts it over.
    this.db.exec(`PRAGMA journal_size_limit = ${options.walLimitBytes ?? DEFAULT_WAL_LIMIT_BYTES}; PRAGMA cache_size = -${JOURNAL_CACHE_KIB}`);
    this.migrate();
    this.walSync = this.openWalSync();
    this.writes = new GroupCommit(this.db, { sync: this.walSync?.sync, where: options.path });
    const every = options.checkpointEveryMs ?? 60_000;
    if (options.path !== ':memory:' && every > 0) this.checkpointTimer = setInterval(() => this.checkpointIfLarge(), every).unref();
    this.walletRuns = new SqliteWalletRuns(this.db, this.writes, () => this.clockNow());
    this.statements = {
      insert: this.db.prepare(`INSERT INTO transactions (${INSERT_COLUMNS}) VALUES (${INSERT_VALUES}) RETURNING *`),
      // A QR payment unless an earlier one of the same code and amount in the window did not fail.
      insertQr: this.db.prepare(
        `INSERT INTO transactions (${INSERT_COLUMNS})
         SELECT ${INSERT_VALUES}
         WHERE NOT EXISTS (SELECT 1 FROM transactions WHERE qr_code_hash = @qrCodeHash AND +method = @method AND amount = @amount
                                                        AND kind = 'payment' AND +created_at >= @since AND status <> 'failed')
         RETURNING *`,
      ),
      event: this.db.prepare(`INSERT INTO transaction_events (transaction_id, at, status, step, detail) VALUES (?, ?, ?, ?, ?)`),
      get: this.db.prepare(`SELECT * FROM transactions WHERE id = ?`),
      ledger: this.db.prepare(LEDGER_SQL.replace('$1', '?')),
      derive: this.db.prepare(`UPDATE transactions SET refunded_amount = ?, status = ?, updated_at = ? WHERE id = ?`),
      events: this.db.prepare(`SELECT at, status, step, detail FROM transaction_events WHERE transaction_id = ? ORDER BY seq`),
      byProviderId: this.db.prepare(`SELECT * FROM transactions WHERE method = ? AND provider_payment_id = ? AND kind = 'payment' ORDER BY created_at DESC LIMIT 1`),
      // One hand-off per method and payment: a second writer (another request, another PayBridge on
      // the file) inserts nothing and is told so.
      insertHandoff: this.db.prepare(
        `INSERT INTO fiscal_handoffs (id, method, payment_id, transaction_id, receipt, state, next_attempt_at, created_at, updated_at,
                                      claimed_by, claim_epoch, claim_expires_at)
         VALUES (@id, @method, @paymentId, @transactionId, @receipt, @state, @nextAttemptAt, @createdAt, @createdAt,
                 @owner, CASE WHEN @owner IS NULL THEN 0 ELSE 1 END, @claimExpiresAt)
         ON CONFLICT (method, payment_id) DO NOTHING
         RETURNING *`,
      ),
      // Each claim taken gets a new epoch: whoever held the hand-off before can no longer write it.
      claimHandoff: this.db.prepare(
        `UPDATE fiscal_handoffs SET claimed_by = @owner, claim_epoch = claim_epoch + 1, claim_expires_at = @until
         WHERE id = @id AND state <> 'submitted'
           AND (@due = 0 OR (state IN ('pending', 'unknown') AND (next_attempt_at IS NULL OR next_attempt_at <= @now)))
           AND (claimed_by IS NULL OR claim_expires_at IS NULL OR claim_expires_at <= @now OR (@retakeOwn = 1 AND claimed_by = @owner))
         RETURNING *`,
      ),
      renewHandoffClaim: this.db.prepare(`UPDATE fiscal_handoffs SET claim_expires_at = @until WHERE id = @id AND claimed_by = @owner AND claim_epoch = @epoch`),
      releaseHandoffClaim: this.db.prepare(`UPDATE fiscal_handoffs SET claimed_by = NULL, claim_expires_at = NULL WHERE id = @id AND claimed_by = @owner AND claim_epoch = @epoch`),
      dueHandoffs: this.db.prepare(
        `SELECT * FROM fiscal_handoffs
         WHERE state IN ('pending', 'unknown') AND (next_attempt_at IS NULL OR next_attempt_at <= @now)
           AND (claimed_by IS NULL OR claimed_by = @owner OR claim_expires_at IS NULL OR claim_expires_at <= @now)
         ORDER BY created_at LIMIT @limit`,
      ),
      handoffById: this.db.prepare(`SELECT * FROM fiscal_handoffs WHERE id = ?`),
      handoffByPayment: this.db.prepare(`SELECT * FROM fiscal_handoffs WHERE method = ? AND payment_id = ?`),
      handoffByTransaction: this.db.prepare(`SELECT * FROM fiscal_handoffs WHERE transaction_id = ?`),
      cardByRrn: this.db.prepare(
        `SELECT * FROM transactions WHERE terminal = ? AND provider_payment_id = ? AND kind = 'payment' ORDER BY created_at DESC LIMIT 1`,
      ),
      cardByReceipt: this.db.prepare(
        `SELECT * FROM transactions WHERE terminal = ? AND receipt_number = ? AND kind = 'payment' ORDER BY created_at DESC LIMIT 1`,
      ),
      laterOnTerminal: this.db.prepare(`SELECT 1 FROM transactions WHERE terminal = ? AND created_at > ? LIMIT 1`),
      cardOperationByRrn: this.db.prepare(`SELECT * FROM transactions WHERE method = ? AND provider_payment_id = ? ORDER BY created_at DESC LIMIT 1`),
      cardByMethodRrn: this.db.prepare(
        `SELECT * FROM transactions WHERE method = ? AND provider_payment_id = ? AND kind = 'payment' ORDER BY created_at DESC LIMIT 1`,
      ),
      shiftTotals: this.db.prepare(
        `SELECT
           COALESCE(SUM(CASE WHEN kind = 'payment' THEN 1 END), 0) AS purchaseCount,
           COALESCE(SUM(CASE WHEN kind = 'payment' THEN amount END), 0) AS purchaseAmount,
           COALESCE(SUM(CASE WHEN kind <> 'payment' THEN 1 END), 0) AS returnCount,
           COALESCE(SUM(CASE WHEN kind <> 'payment' THEN amount END), 0) AS returnAmount
         FROM transactions
         WHERE terminal = ? AND shift_number = ? AND status IN ('succeeded', 'cancelled', 'refunded')`,
      ),
      insertShiftClose: this.db.prepare(
        `INSERT INTO shift_closes (id, state, terminal, shift_number, closed_at, report, terminal_totals, journal_totals, matched, reason, host_reconciliation,
                                   claimed_by, claim_epoch, claim_expires_at)
         VALUES (@id, @state, @terminal, @shiftNumber, @closedAt, @report, @terminalTotals, @journalTotals, @matched, @reason, @hostReconciliation,
                 @owner, 1, @claimExpiresAt)
         RETURNING claimed_by, claim_epoch, claim_expires_at`,
      ),
      // The fence: the state it was read in, and the claim it was read under, in the same statement. A
      // settled close is nobody's work any more.
      updateShiftClose: this.db.prepare(
        `UPDATE shift_closes SET state = @state, shift_number = @shiftNumber, closed_at = @closedAt, report = @report, terminal_totals = @terminalTotals,
           journal_totals = @journalTotals, matched = @matched, reason = @reason, host_reconciliation = @hostReconciliation,
           claimed_by = CASE WHEN @state IN ('sent', 'unknown') THEN claimed_by END,
           claim_expires_at = CASE WHEN @state IN ('sent', 'unknown') THEN claim_expires_at END
         WHERE id = @id AND state = @from AND claimed_by = @owner AND claim_epoch = @epoch`,
      ),
      shiftCloseById: this.db.prepare(`SELECT * FROM shift_closes WHERE id = ?`),
      claimShiftClose: this.db.prepare(
        `UPDATE shift_closes SET claimed_by = @owner, claim_epoch = claim_epoch + 1, claim_expires_at = @until
         WHERE id = @id AND state IN ('sent', 'unknown')
           AND (claimed_by IS NULL OR claim_expires_at IS NULL OR claim_expires_at <= @now OR (@retakeOwn = 1 AND claimed_by = @owner))
         RETURNING *`,
      ),
      renewShiftCloseClaim: this.db.prepare(`UPDATE shift_closes SET claim_expires_at = @until WHERE id = @id AND claimed_by = @owner AND claim_epoch = @epoch`),
      releaseShiftCloseClaim: this.db.prepare(`UPDATE shift_closes SET claimed_by = NULL, claim_expires_at = NULL WHERE id = @id AND claimed_by = @owner AND claim_epoch = @epoch`),
      unsettledShiftCloses: this.db.prepare(
        `SELECT * FROM shift_closes
         WHERE state = 'sent' AND (claimed_by IS NULL OR claimed_by = @owner OR claim_expires_at IS NULL OR claim_expires_at <= @now)
         ORDER BY closed_at LIMIT @limit`,
      ),
      shiftClosed: this.db.prepare(`SELECT 1 FROM shift_closes WHERE terminal = ? AND shift_number = ? AND state = 'closed' LIMIT 1`),
      // The unary + keeps SQLite off the (method, created_at) index, which under load means walking
      // every payment of the retry window; a QR code's hash finds its one or two rows at once. One that
      // did not fail comes first, whatever the creation times say: they are the clocks of the processes
      // that wrote them, and a clock set back makes an earlier failed attempt look like the newest.
      recentQr: this.db.prepare(
        `SELECT * FROM transactions WHERE qr_code_hash = ? AND +method = ? AND amount = ? AND kind = 'payment' AND +created_at >= ?
         ORDER BY status = 'failed', created_at DESC LIMIT 1`,
      ),
      claimable: this.db.prepare(
        `SELECT * FROM transactions
         WHERE status IN ('pending', 'unknown') AND created_at < @before
           AND (claimed_by IS NULL OR claimed_by = @owner OR claim_expires_at IS NULL OR claim_expires_at <= @now)
         ORDER BY created_at LIMIT @limit`,
      ),
      // One row: unsettled, or settled with a proof against it still open (an operator deciding it).
      // Each claim taken gets a new epoch: whoever held the row before can no longer write it (the fence).
      claimOne: this.db.prepare(
        `UPDATE transactions SET claimed_by = @owner, claim_epoch = claim_epoch + 1, claim_expires_at = @until
         WHERE id = @id
           AND (status IN ('pending', 'unknown')
                OR EXISTS (SELECT 1 FROM operation_conflicts c WHERE c.transaction_id = transactions.id AND c.state = 'open'))
           AND (claimed_by IS NULL OR claim_expires_at IS NULL OR claim_expires_at <= @now OR (@retakeOwn = 1 AND claimed_by = @owner))
         RETURNING *`,
      ),
      releaseClaim: this.db.prepare(`UPDATE transactions SET claimed_by = NULL, claim_expires_at = NULL WHERE id = @id AND claimed_by = @owner AND claim_epoch = @epoch`),
      renewClaim: this.db.prepare(`UPDATE transactions SET claim_expires_at = @until WHERE id = @id AND claimed_by = @owner AND claim_epoch = @epoch`),
      releaseDead: this.db.prepare(`UPDATE transactions SET claimed_by = NULL, claim_expires_at = NULL, claim_epoch = claim_epoch + 1 WHERE claimed_by IS NOT NULL`),
      releaseDeadHandoffs: this.db.prepare(`UPDATE fiscal_handoffs SET claimed_by = NULL, claim_expires_at = NULL, claim_epoch = claim_epoch + 1 WHERE claimed_by IS NOT NULL`),
      releaseDeadCloses: this.db.prepare(`UPDATE shift_closes SET claimed_by = NULL, claim_expires_at = NULL, claim_epoch = claim_epoch + 1 WHERE claimed_by IS NOT NULL`),
      insertConflict: this.db.prepare(
        `INSERT INTO operation_conflicts (id, transaction_id, kind, writer, journal_status, holder, proven, verdict, created_at)
         VALUES (@id, @transactionId, @kind, @writer, @journalStatus, @holder, @proven, @verdict, @createdAt)`,
      ),
      openConflicts: this.db.prepare(`SELECT * FROM operation_conflicts WHERE state = 'open' ORDER BY created_at, id LIMIT ?`),
      conflictsOf: this.db.prepare(`SELECT * FROM operation_conflicts WHERE transaction_id = ? ORDER BY created_at, id`),
      resolveConflicts: this.db.prepare(`UPDATE operation_conflicts SET state = 'resolved', resolved_at = ?, resolution = ? WHERE transaction_id = ? AND state = 'open'`),
      closeAgreed: this.db.prepare(
        `UPDATE operation_conflicts SET state = 'resolved', resolved_at = @now, resolution = @resolution
         WHERE state = 'open' AND EXISTS (SELECT 1 FROM transactions t WHERE t.id = operation_conflicts.transaction_id AND t.status IN ('succeeded', 'cancelled', 'refunded'))`,
      ),
      claimKey: this.db.prepare(
        `INSERT INTO idempotency_keys (key, scope, fingerprint, state, owner, created_at, expires_at)
         VALUES (@key, @scope, @fingerprint, 'in_progress', @owner, @createdAt, @expiresAt) ON CONFLICT (scope, key) DO NOTHING`,
      ),
      getKey: this.db.prepare(`SELECT * FROM idempotency_keys WHERE scope = ? AND key = ?`),
      completeKey: this.db.prepare(
        `UPDATE idempotency_keys SET state = 'done', response = @response, transaction_id = @tx
         WHERE scope = @scope AND key = @key AND state = 'in_progress' AND owner = @owner`,
      ),
      linkKey: this.db.prepare(`UPDATE idempotency_keys SET transaction_id = @tx WHERE scope = @scope AND key = @key AND (@owner IS NULL OR owner = @owner)`),
      releaseKey: this.db.prepare(`DELETE FROM idempotency_keys WHERE scope = @scope AND key = @key AND state = 'in_progress' AND (@owner IS NULL OR owner = @owner)`),
      // A key whose operation is still unsettled outlives its TTL: a retry must find that operation.
      purgeKeys: this.db.prepare(
        `DELETE FROM idempotency_keys WHERE expires_at < ?
           AND NOT (state = 'in_progress' AND transaction_id IS NOT NULL
                    AND EXISTS (SELECT 1 FROM transactions t WHERE t.id = idempotency_keys.transaction_id AND t.status IN ('pending', 'unknown')))`,
      ),
    };
    // With the WAL synced off the event loop, reads answer only once what they saw is on disk (group-commit.ts).
    if (this.walSync) return answersOnceDurable(this, this.writes, ['health', 'close', 'freeSpace', 'checkpointIfLarge'], options.path);
  }

  /** The schema version this file is at. */
  get schemaVersion(): number {
    return Number(this.db.pragma('user_version'));
  }

  /**
   * A file journal in WAL mode syncs its WAL off the event loop: from here on COMMIT leaves the sync
   * to the group commit (synchronous=NORMAL), which fdatasyncs the WAL before any caller hears. The
   * migrations before ran with synchronous=FULL. Anything else (an in-memory or `memory` journal, a
   * file system where SQLite refused WAL, a WAL file or folder that cannot be opened and synced)
   * keeps COMMIT's own sync. docs/performance.md, "3b. Durable commits off the event loop", says why.
   */
  private openWalSync(): WalSync | undefined {
    if (this.options.durability === 'memory' || this.options.path === ':memory:') return undefined;
    if (String(this.db.pragma('journal_mode')).toLowerCase() !== 'wal') return undefined;
    let wal: WalSync;
    try {
      wal = WalSync.open(this.options.path);
    } catch {
      return undefined;
    }
    this.db.exec('PRAGMA synchronous = NORMAL');
    return wal;
  }

  private migrate(): void {
    const current = this.schemaVersion;
    if (current > SQLITE_MIGRATIONS.length) {
      throw new JournalTooNewError(`the journal ${this.options.path}`, current, SQLITE_MIGRATIONS.length, 'restoring the backup taken before the upgrade (paybridge journal restore)');
    }
    for (let version = current; version < SQLITE_MIGRATIONS.length; version++) {
      this.db.transaction(() => {
        this.db.exec(SQLITE_MIGRATIONS[version]!);
        this.db.exec(`PRAGMA user_version = ${version + 1}`);
      });
    }
  }

  private writeEvent(id: string, status: TransactionStatus, step: JournalEntryStep, at: number): void {
    const detail = step.detail === undefined ? null : JSON.stringify(maskDeep(step.detail));
    this.statements.event.run(id, at, status, step.step, detail);
  }

  async insert(tx: NewTransaction, step: JournalEntryStep, link?: KeyLink): Promise<Transaction> {
    return this.writes.run(() => this.insertNow(tx, step, link));
  }

  private insertNow(tx: NewTransaction, step: JournalEntryStep, link?: KeyLink): Transaction {
    return this.inserted(this.statements.insert.get(this.insertParams(tx)) as TransactionRow, step, link);
  }

  /**
   * Inside the write that inserted `row`: its first timeline event, and the key tied to it — or a
   * throw, and the group commit undoes the whole write.
   */
  private inserted(row: TransactionRow, step: JournalEntryStep, link: KeyLink | undefined): Transaction {
    this.writeEvent(row.id, 'pending', step, step.at ?? row.created_at);
    if (link && Number(this.statements.linkKey.run({ scope: link.scope, key: link.key, tx: row.id, owner: link.owner }).changes) !== 1) throw new KeyTakenOverError(link.key);
    return rowToTransaction(row);
  }

  private insertParams(tx: NewTransaction): Record<string, unknown> {
    const origin = this.options.origin;
    return {
      kind: 'payment',
      originalId: null,
      terminal: null,
      ...tx,
      shop: origin?.shop ?? null,
      till: origin?.till ?? null,
      instance: origin?.instance ?? null,
      // Every new row is its writer's from the start: nothing is written to it, or sent for it, but under that claim.
      liveOwner: liveClaimOwner(origin?.instance ?? UNNAMED_WRITER),
      claimExpiresAt: this.clockNow() + (origin?.inFlightLeaseMs ?? DEFAULT_LEASE_MS),
      // When the journal took it, on its clock (created_at is the writer's: when the till asked).
      now: this.clockNow(),
    };
  }

  async insertQrPayment(tx: NewTransaction, step: JournalEntryStep, since: number, link?: KeyLink): Promise<{ created: boolean; transaction: Transaction }> {
    // The look-up and the insert are one statement in one write transaction (BEGIN IMMEDIATE holds the
    // file's write lock), so another process on the same file cannot slip a second payment in between.
    return this.writes.run(() => {
      const row = this.statements.insertQr.get({ ...this.insertParams(tx), since }) as TransactionRow | undefined;
      if (row) return { created: true, transaction: this.inserted(row, step, link) };
      // An earlier payment of the same code and amount that did not fail stands for this one.
      return { created: false, transaction: rowToTransaction(this.statements.recentQr.get(tx.qrCodeHash, tx.method, tx.amount, since) as TransactionRow) };
    });
  }

  async transition(
    id: string,
    from: TransactionStatus,
    to: TransactionStatus,
    patch: TransactionPatch,
    step: JournalEntryStep,
    fence: Fence,
    options: { correction?: boolean } = {},
  ): Promise<Transaction> {
    assertMove(from, to, options.correction);
    const at = step.at ?? this.clockNow();
    const params: Record<string, unknown> = { id, from, to, at, owner: fence.owner, epoch: fence.epoch };
    // Which columns the patch sets, as bits: one prepared statement per shape, found without building its SQL.
    let shape = FINAL_STATUSES.includes(to) ? 1 : 0;
    for (let i = 0; i < PATCH_KEYS.length; i++) {
      const key = PATCH_KEYS[i]!;
      if (patch[key] !== undefined) {
        shape |= 2 << i;
        params[key] = patch[key];
      }
    }
    if (patch.error !== undefined) {
      shape |= 2 << PATCH_KEYS.length;
      params.errorCode = patch.error?.code ?? null;
      params.errorMessage = patch.error?.message ?? null;
      params.errorData = patch.error?.data ?? null;
    }
    const update = this.transitionStatement(shape);
    return this.writes.run(() => {
      const row = update.get(params) as TransactionRow | undefined;
      if (!row) throw refusedWrite(id, from, fence, this.statements.get.get(id) as TransactionRow | undefined);
      this.writeEvent(id, to, step, at);
      if (to === 'succeeded' && from !== 'succeeded' && row.original_id !== null) this.deriveOriginal(row, at);
      return rowToTransaction(row);
    });
  }

  /** Inside the write transaction: the payment's given-back total and status, from its ledger. */
  private deriveOriginal(giveBack: TransactionRow, at: number): void {
    const original = this.statements.get.get(giveBack.original_id) as TransactionRow | undefined;
    if (!original) return;
    const ledger = this.ledgerNow(original);
    const status = statusAfterGiveBacks(original.status as TransactionStatus, ledger);
    this.statements.derive.run(ledger.givenBack, status, at, original.id);
    this.writeEvent(original.id, status, { step: giveBack.kind === 'cancel' ? 'cancelled' : 'refunded', detail: { give_back_id: giveBack.id, amount: giveBack.amount, given_back: ledger.givenBack, rrn: giveBack.provider_payment_id } }, at);
  }

  private ledgerNow(original: TransactionRow): GiveBackLedger {
    return rowToLedger(original.amount, this.statements.ledger.get(original.id) as LedgerRow);
  }

  async reserveGiveBack(originalId: string, plan: GiveBackPlan, link?: KeyLink): Promise<GiveBackReservation> {
    // BEGIN IMMEDIATE (the group commit's transaction) holds the file's write lock: no other
    // process can journal a give-back of this payment between the ledger's read and the insert.
    return this.writes.run(() => {
      const row = this.statements.get.get(originalId) as TransactionRow | undefined;
      if (!row) throw new StaleTransitionError(originalId, 'succeeded', undefined);
      const original = rowToTransaction(row);
      const { tx, step } = plan(original, this.ledgerNow(row));
      const giveBack = this.insertNow({ ...tx, originalId }, step, link);
      return { original, giveBack, ledger: this.ledgerNow(row) };
    });
  }

  async giveBackLedger(originalId: string): Promise<GiveBackLedger> {
    const row = this.statements.get.get(originalId) as TransactionRow | undefined;
    if (!row) throw new StaleTransitionError(originalId, 'succeeded', undefined);
    return this.ledgerNow(row);
  }

  private readonly statementCache = new Map<string, SqlStatement>();

  /** Statements built from a request's filters or a patch's fields: a few shapes, each prepared once. */
  private prepared(sql: string): SqlStatement {
    let statement = this.statementCache.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statementCache.set(sql, statement);
    }
    return statement;
  }

  private readonly transitions = new Map<number, SqlStatement>();

  /** The fenced UPDATE of a transition that sets the columns `shape` names (see transition), prepared once. */
  private transitionStatement(shape: number): SqlStatement {
    let statement = this.transitions.get(shape);
    if (!statement) {
      const sets = ['status = @to', 'updated_at = @at'];
      // A settled transaction is nobody's work any more: whoever held it lets go.
      if (shape & 1) sets.push('claimed_by = NULL', 'claim_expires_at = NULL');
      PATCH_KEYS.forEach((key, i) => {
        if (shape & (2 << i)) sets.push(`${PATCH_COLUMNS[key]} = @${key}`);
      });
      if (shape & (2 << PATCH_KEYS.length)) sets.push('error_code = @errorCode', 'error_message = @errorMessage', 'error_data = @errorData');
      // The fence: the status it was read in, and the claim it was read under, in the same statement.
      statement = this.db.prepare(`UPDATE transactions SET ${sets.join(', ')} WHERE id = @id AND status = @from AND claimed_by = @owner AND claim_epoch = @epoch RETURNING *`);
      this.transitions.set(shape, statement);
    }
    return statement;
  }

  async get(id: string): Promise<TransactionWithEvents | undefined> {
    const row = this.statements.get.get(id) as TransactionRow | undefined;
    if (!row) return undefined;
    const events = (this.statements.events.all(id) as EventRow[]).map(
      (e): TransactionEvent => ({
        at: e.at,
        status: e.status as TransactionStatus,
        step: e.step,
        detail: e.detail === null ? null : (JSON.parse(e.detail) as unknown),
      }),
    );
    const handoff = this.statements.handoffByTransaction.get(id) as HandoffRow | undefined;
    return { ...rowToTransaction(row), events, fiscal: handoff ? rowToHandoff(handoff) : null };
  }

  async findByProviderPaymentId(method: string, providerPaymentId: string): Promise<Transaction | undefined> {
    const row = this.statements.byProviderId.get(method, providerPaymentId) as TransactionRow | undefined;
    return row ? rowToTransaction(row) : undefined;
  }

  async insertHandoff(handoff: NewHandoff, claim?: NewClaim): Promise<FiscalHandoff | undefined> {
    return this.writes.run(() => {
      const row = this.statements.insertHandoff.get({
        ...handoff,
        nextAttemptAt: handoff.nextAttemptAt ?? null,
        receipt: JSON.stringify(handoff.receipt),
        owner: claim?.owner ?? null,
        claimExpiresAt: claim ? this.clockNow() + claim.leaseMs : null,
      }) as HandoffRow | undefined;
      return row && rowToHandoff(row);
    });
  }

  async getHandoff(method: string, paymentId: string): Promise<FiscalHandoff | undefined> {
    const row = this.statements.handoffByPayment.get(method, paymentId) as HandoffRow | undefined;
    return row ? rowToHandoff(row) : undefined;
  }

  async updateHandoff(id: string, from: HandoffState, patch: HandoffPatch, fence: Fence): Promise<FiscalHandoff> {
    const now = this.clockNow();
    const params: Record<string, unknown> = { id, from, now, owner: fence.owner, epoch: fence.epoch };
    const assignments = ['updated_at = @now'];
    for (const { column, key, value } of handoffSets(patch)) {
      assignments.push(`${column} = @${key}`);
      params[key] = value;
    }
    if (patch.retryInMs !== undefined) {
      assignments.push('next_attempt_at = @nextAttemptAt');
      params.nextAttemptAt = patch.retryInMs === null ? null : now + patch.retryInMs;
    }
    // A delivered receipt is nobody's work any more: whoever held it lets go.
    if (patch.state === 'submitted') assignments.push('claimed_by = NULL', 'claim_expires_at = NULL');
    const update = this.prepared(`UPDATE fiscal_handoffs SET ${assignments.join(', ')} WHERE id = @id AND state = @from AND claimed_by = @owner AND claim_epoch = @epoch`);
    return this.writes.run(() => {
      const { changes } = update.run(params);
      if (Number(changes) !== 1) throw refusedHandoffWrite(id, from, fence, this.statements.handoffById.get(id) as HandoffRow | undefined);
      return rowToHandoff(this.statements.handoffById.get(id) as HandoffRow);
    });
  }

  async claimHandoff(id: string, owner: string, leaseMs: number, options: { due?: boolean; retakeOwn?: boolean } = {}): Promise<HandoffClaimAttempt> {
    return this.writes.run(() => {
      const now = this.clockNow();
      const taken = this.statements.claimHandoff.get({ id, owner, now, until: now + leaseMs, due: options.due ? 1 : 0, retakeOwn: options.retakeOwn ? 1 : 0 }) as HandoffRow | undefined;
      if (taken) return { taken: true, handoff: rowToHandoff(taken) as FiscalHandoff & { claim: ClaimHeld } };
      const row = this.statements.handoffById.get(id) as HandoffRow | undefined;
      return { taken: false, handoff: row && rowToHandoff(row), holder: row ? liveHolder(row, now) : null };
    });
  }

  async renewHandoffClaim(id: string, fence: Fence, leaseMs: number): Promise<boolean> {
    return this.writes.run(() => Number(this.statements.renewHandoffClaim.run({ id, ...fence, until: this.clockNow() + leaseMs }).changes) === 1);
  }

  async releaseHandoffClaim(id: string, fence: Fence): Promise<void> {
    await this.writes.run(() => this.statements.releaseHandoffClaim.run({ id, ...fence }));
  }

  async listDueHandoffs(limit: number, owner: string): Promise<FiscalHandoff[]> {
    return (this.statements.dueHandoffs.all({ now: this.clockNow(), limit, owner }) as HandoffRow[]).map(rowToHandoff);
  }

  async findCardPayment(terminal: string, by: { rrn: string } | { receiptNumber: number }): Promise<Transaction | undefined> {
    const row = ('rrn' in by ? this.statements.cardByRrn.get(terminal, by.rrn) : this.statements.cardByReceipt.get(terminal, by.receiptNumber)) as
      | TransactionRow
      | undefined;
    return row ? rowToTransaction(row) : undefined;
  }

  async hasCardOperationAfter(terminal: string, createdAt: number): Promise<boolean> {
    return this.statements.laterOnTerminal.get(terminal, createdAt) !== undefined;
  }

  async findCardOperationByRrn(method: string, rrn: string): Promise<Transaction | undefined> {
    const row = this.statements.cardOperationByRrn.get(method, rrn) as TransactionRow | undefined;
    return row ? rowToTransaction(row) : undefined;
  }

  async findCardPaymentByRrn(method: string, rrn: string): Promise<Transaction | undefined> {
    const row = this.statements.cardByMethodRrn.get(method, rrn) as TransactionRow | undefined;
    return row ? rowToTransaction(row) : undefined;
  }

  async shiftTotals(terminal: string, shift: number): Promise<ShiftTotals> {
    return this.statements.shiftTotals.get(terminal, shift) as ShiftTotals;
  }

  async insertShiftClose(close: ShiftClose, claim: NewClaim): Promise<ClaimHeld> {
    return this.writes.run(() => {
      const row = this.statements.insertShiftClose.get({ ...shiftCloseParams(close), owner: claim.owner, claimExpiresAt: this.clockNow() + claim.leaseMs }) as ShiftCloseRow;
      return claimOfRow(row)!;
    });
  }

  async updateShiftClose(close: ShiftClose, from: ShiftCloseState, fence: Fence): Promise<void> {
    await this.writes.run(() => {
      const { changes } = this.statements.updateShiftClose.run({ ...shiftCloseParams(close), from, owner: fence.owner, epoch: fence.epoch });
      if (Number(changes) !== 1) throw refusedShiftCloseWrite(close.id, from, fence, this.statements.shiftCloseById.get(close.id) as ShiftCloseRow | undefined);
    });
  }

  async getShiftClose(id: string): Promise<ShiftClose | undefined> {
    const row = this.statements.shiftCloseById.get(id) as ShiftCloseRow | undefined;
    return row && rowToShiftClose(row);
  }

  async claimShiftClose(id: string, owner: string, leaseMs: number, options: { retakeOwn?: boolean } = {}): Promise<ShiftCloseClaimAttempt> {
    return this.writes.run(() => {
      const now = this.clockNow();
      const taken = this.statements.claimShiftClose.get({ id, owner, now, until: now + leaseMs, retakeOwn: options.retakeOwn ? 1 : 0 }) as ShiftCloseRow | undefined;
      if (taken) return { taken: true, close: rowToShiftClose(taken), claim: claimOfRow(taken)! };
      const row = this.statements.shiftCloseById.get(id) as ShiftCloseRow | undefined;
      return { taken: false, close: row && rowToShiftClose(row), holder: row ? liveHolder(row, now) : null };
    });
  }

  async renewShiftCloseClaim(id: string, fence: Fence, leaseMs: number): Promise<boolean> {
    return this.writes.run(() => Number(this.statements.renewShiftCloseClaim.run({ id, ...fence, until: this.clockNow() + leaseMs }).changes) === 1);
  }

  async releaseShiftCloseClaim(id: string, fence: Fence): Promise<void> {
    await this.writes.run(() => this.statements.releaseShiftCloseClaim.run({ id, ...fence }));
  }

  async listUnsettledShiftCloses(limit: number, owner: string): Promise<ShiftClose[]> {
    return (this.statements.unsettledShiftCloses.all({ now: this.clockNow(), limit, owner }) as ShiftCloseRow[]).map(rowToShiftClose);
  }

  async isShiftClosed(terminal: string, shift: number): Promise<boolean> {
    return this.statements.shiftClosed.get(terminal, shift) !== undefined;
  }

  async listClaimable(graceMs: number, limit: number, owner: string): Promise<Transaction[]> {
    const now = this.clockNow();
    return (this.statements.claimable.all({ before: now - graceMs, limit, owner, now }) as TransactionRow[]).map(rowToTransaction);
  }

  async claim(id: string, owner: string, leaseMs: number, options: { retakeOwn?: boolean } = {}): Promise<ClaimAttempt> {
    return this.writes.run(() => {
      const now = this.clockNow();
      const taken = this.statements.claimOne.get({ id, owner, now, until: now + leaseMs, retakeOwn: options.retakeOwn ? 1 : 0 }) as TransactionRow | undefined;
      if (taken) return { taken: true, tx: rowToTransaction(taken) as Transaction & { claim: ClaimHeld } };
      return notTaken(this.statements.get.get(id) as TransactionRow | undefined);
    });
  }

  async now(): Promise<number> {
    return this.clockNow();
  }

  async renewClaim(id: string, fence: Fence, leaseMs: number): Promise<boolean> {
    return this.writes.run(() => Number(this.statements.renewClaim.run({ id, ...fence, until: this.clockNow() + leaseMs }).changes) === 1);
  }

  async releaseClaim(id: string, fence: Fence): Promise<void> {
    await this.writes.run(() => this.statements.releaseClaim.run({ id, ...fence }));
  }

  async releaseDeadClaims(): Promise<number> {
    return this.writes.run(
      () =>
        Number(this.statements.releaseDead.run().changes) +
        Number(this.statements.releaseDeadHandoffs.run().changes) +
        Number(this.statements.releaseDeadCloses.run().changes) +
        this.walletRuns.releaseDeadClaims(),
    );
  }

  startWalletRun(fresh: { id: string; scope: string; date: string; methods: string[] }, claim: NewClaim): Promise<WalletRunAttempt> {
    return this.walletRuns.startWalletRun(fresh, claim);
  }

  renewWalletRun(id: string, fence: Fence, leaseMs: number): Promise<boolean> {
    return this.walletRuns.renewWalletRun(id, fence, leaseMs);
  }

  saveWalletAnswer(runId: string, key: string, answer: unknown): Promise<void> {
    return this.walletRuns.saveWalletAnswer(runId, key, answer);
  }

  walletAnswers(runId: string): Promise<Map<string, unknown>> {
    return this.walletRuns.walletAnswers(runId);
  }

  finishWalletRun(id: string, fence: Fence, report: unknown): Promise<boolean> {
    return this.walletRuns.finishWalletRun(id, fence, report);
  }

  latestWalletRun(scope: string, date: string): Promise<WalletRun | undefined> {
    return this.walletRuns.latestWalletRun(scope, date);
  }

  finishedWalletRuns(scope: string, fromDate: string): Promise<WalletRun[]> {
    return this.walletRuns.finishedWalletRuns(scope, fromDate);
  }

  async recordConflict(c: NewConflict): Promise<void> {
    await this.writes.run(() => this.statements.insertConflict.run(conflictParams(c)));
  }

  async openConflicts(limit: number): Promise<OperationConflict[]> {
    return (this.statements.openConflicts.all(limit) as ConflictRow[]).map(rowToConflict);
  }

  async conflictsOf(transactionId: string): Promise<OperationConflict[]> {
    return (this.statements.conflictsOf.all(transactionId) as ConflictRow[]).map(rowToConflict);
  }

  async resolveConflicts(transactionId: string, resolution: { by: string; decision: 'accepted' | 'dismissed'; reason: string }): Promise<number> {
    return this.writes.run(() => Number(this.statements.resolveConflicts.run(this.clockNow(), JSON.stringify(resolution), transactionId).changes));
  }

  async closeAgreedConflicts(): Promise<number> {
    return this.writes.run(() => Number(this.statements.closeAgreed.run({ now: this.clockNow(), resolution: AGREED }).changes));
  }

  async claimIdempotencyKey(claim: IdempotencyClaim): Promise<IdempotencyRecord | undefined> {
    return this.writes.run(() => {
      const { changes } = this.statements.claimKey.run({ ...claim });
      return Number(changes) === 1 ? undefined : this.readKey(claim.scope, claim.key);
    });
  }

  async getIdempotencyKey(scope: string, key: string): Promise<IdempotencyRecord | undefined> {
    return this.readKey(scope, key);
  }

  private readKey(scope: string, key: string): IdempotencyRecord | undefined {
    const row = this.statements.getKey.get(scope, key) as IdempotencyRow | undefined;
    return row && rowToIdempotencyRecord(row);
  }

  async completeIdempotencyKey(scope: string, key: string, owner: string, response: unknown, transactionId: string | null): Promise<boolean> {
    return this.writes.run(() => Number(this.statements.completeKey.run({ response: JSON.stringify(response), tx: transactionId, scope, key, owner }).changes) === 1);
  }

  async linkIdempotencyKey(scope: string, key: string, transactionId: string, owner?: string): Promise<boolean> {
    return this.writes.run(() => Number(this.statements.linkKey.run({ tx: transactionId, scope, key, owner: owner ?? null }).changes) === 1);
  }

  async releaseIdempotencyKey(scope: string, key: string, owner?: string): Promise<void> {
    await this.writes.run(() => this.statements.releaseKey.run({ scope, key, owner: owner ?? null }));
  }

  async purgeIdempotencyKeys(now: number): Promise<number> {
    return this.writes.run(() => Number(this.statements.purgeKeys.run(now).changes));
  }

  async list(filter: TransactionFilter): Promise<TransactionPage> {
    const where: string[] = [];
    const params: Record<string, unknown> = { limit: filter.limit + 1 };
    if (filter.method) {
      where.push('method = @method');
      params.method = filter.method;
    }
    if (filter.status) {
      where.push('status = @status');
      params.status = filter.status;
    }
    // No index on kind: the newest-first walk of transactions_created (or of the method/status
    // index) stops at the page's end, and skips the other kind on the way.
    if (filter.kind === 'payment') where.push("kind = 'payment'");
    if (filter.kind === 'give_back') where.push("kind IN ('cancel', 'refund')");
    if (filter.shop !== undefined) {
      where.push('shop = @shop');
      params.shop = filter.shop;
    }
    if (filter.till !== undefined) {
      where.push('till = @till');
      params.till = filter.till;
    }
    if (filter.from !== undefined) {
      where.push('created_at >= @from');
      params.from = filter.from;
    }
    if (filter.to !== undefined) {
      where.push('created_at < @to');
      params.to = filter.to;
    }
    if (filter.cursor) {
      const c = decodeCursor(filter.cursor);
      where.push('(created_at < @cursorAt OR (created_at = @cursorAt AND id < @cursorId))');
      params.cursorAt = c.createdAt;
      params.cursorId = c.id;
    }
    const sql = `SELECT * FROM transactions ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY created_at DESC, id DESC LIMIT @limit`;
    const rows = this.db.prepare(sql).all(params) as TransactionRow[];
    return pageOf(rows, filter.limit);
  }

  async periodTotals(from: number, to: number, scope: TotalsScope = {}): Promise<PeriodTotalsRow[]> {
    const narrow = scopeSql(scope, '');
    const rows = this.prepared(
      `SELECT method, kind, status, terminal, COUNT(*) AS count, SUM(amount) AS amount, SUM(refunded_amount) AS refunded
       FROM transactions WHERE created_at >= ? AND created_at < ?${narrow.sql} GROUP BY method, kind, status, terminal`,
    ).all(from, to, ...narrow.params) as PeriodTotalsRow[];
    return rows.map((r) => ({ ...r, count: Number(r.count), amount: Number(r.amount), refunded: Number(r.refunded) }));
  }

  async bucketTotals(boundaries: readonly number[], scope: TotalsScope = {}): Promise<BucketTotalsRow[]> {
    if (boundaries.length < 2) return [];
    const buckets = boundaries.slice(1).map((_, i) => `(${i}, ?, ?)`).join(', ');
    const params = boundaries.slice(1).flatMap((to, i) => [boundaries[i]!, to]);
    const narrow = scopeSql(scope, 't.');
    // The outer range keeps the scan on transactions_created; the join only names each row's bucket.
    const rows = this.prepared(
      `WITH b (i, lo, hi) AS (VALUES ${buckets})
       SELECT b.i AS bucket, t.method, t.kind, t.status, COUNT(*) AS count, SUM(t.amount) AS amount
       FROM transactions t JOIN b ON t.created_at >= b.lo AND t.created_at < b.hi
       WHERE t.created_at >= ? AND t.created_at < ? AND t.status IN ('succeeded', 'cancelled', 'refunded')${narrow.sql}
       GROUP BY b.i, t.method, t.kind, t.status`,
    ).all(...params, boundaries[0]!, boundaries.at(-1)!, ...narrow.params) as BucketTotalsRow[];
    return rows.map((r) => ({ ...r, bucket: Number(r.bucket), count: Number(r.count), amount: Number(r.amount) }));
  }

  async tillsIn(from: number, to: number, shop?: string): Promise<{ shop: string | null; till: string }[]> {
    const narrow = scopeSql({ shop }, '');
    return this.prepared(
      `SELECT DISTINCT shop, till FROM transactions WHERE created_at >= ? AND created_at < ? AND till IS NOT NULL${narrow.sql}`,
    ).all(from, to, ...narrow.params) as { shop: string | null; till: string }[];
  }

  async giveBacksOf(originalId: string): Promise<Transaction[]> {
    const rows = this.prepared(`SELECT * FROM transactions WHERE original_id = ? ORDER BY created_at, id`).all(originalId) as TransactionRow[];
    return rows.map(rowToTransaction);
  }

  async oldestUnknown(limit: number): Promise<Transaction[]> {
    // The IN term is the partial index's own condition (transactions_unsettled), so SQLite can use it.
    const rows = this.prepared(
      `SELECT * FROM transactions WHERE status IN ('pending', 'unknown') AND status = 'unknown' ORDER BY created_at, id LIMIT ?`,
    ).all(limit) as TransactionRow[];
    return rows.map(rowToTransaction);
  }

  async listShiftCloses(filter: ShiftCloseFilter): Promise<ShiftClose[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.terminal) {
      where.push('terminal = ?');
      params.push(filter.terminal);
    }
    if (filter.mismatchedSince !== undefined) {
      where.push('matched = 0 AND closed_at >= ?');
      params.push(filter.mismatchedSince);
    }
    if (filter.unknownUnresolved) where.push(UNKNOWN_UNRESOLVED_SQL);
    const rows = this.prepared(`SELECT * FROM shift_closes ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY closed_at DESC LIMIT ?`).all(
      ...params,
      filter.limit,
    ) as ShiftCloseRow[];
    return rows.map(rowToShiftClose);
  }

  async latestShift(terminal: string): Promise<number | null> {
    const row = this.prepared(`SELECT MAX(shift_number) AS shift FROM transactions WHERE terminal = ? AND shift_number IS NOT NULL`).get(terminal) as { shift: number | null };
    return row.shift === null ? null : Number(row.shift);
  }

  async openCounts(): Promise<OpenCounts> {
    const transactions = this.db
      .prepare(`SELECT method, status, COUNT(*) AS count FROM transactions WHERE status IN ('pending', 'unknown') GROUP BY method, status`)
      .all() as OpenCounts['transactions'];
    const handoffs = this.prepared(HANDOFF_COUNTS_SQL).get() as { open: number | null; unknown: number | null };
    const conflicts = this.db.prepare(`SELECT COUNT(*) AS count FROM operation_conflicts WHERE state = 'open'`).get() as { count: number };
    const closes = this.prepared(`SELECT COUNT(*) AS count FROM shift_closes WHERE ${UNKNOWN_UNRESOLVED_SQL}`).get() as { count: number };
    return {
      transactions: transactions.map((t) => ({ ...t, count: Number(t.count) })),
      handoffsPending: Number(handoffs.open ?? 0),
      handoffsUnknown: Number(handoffs.unknown ?? 0),
      shiftClosesUnknown: Number(closes.count),
      conflictsOpen: Number(conflicts.count),
    };
  }

  /**
   * Up only while the journal can be written. Reading is not enough: a full disk or a read-only volume
   * still answers SELECT. So when the last write failed, or the disk is low, /health tries a write
   * itself (see probe): down while it fails, up again as soon as one commits, without a restart.
   * A failed WAL sync is for good (see JournalSyncError): down until PayBridge is restarted.
   */
  async health(): Promise<JournalHealth> {
    let space: JournalSpace | undefined;
    try {
      this.db.prepare('SELECT 1').get();
      space = await this.freeSpace().catch(() => undefined);
      const spaceFields = space ? { free_bytes: space.freeBytes, low_space: space.low } : {};
      const warning = space?.low ? { warning: `only ${mib(space.freeBytes)} free on the journal's volume (warning below ${mib(this.lowSpaceBytes)}): free some space, or payments will be refused when it runs out` } : {};
      if (this.writes.failure) return { engine: this.engine, ok: false, detail: this.writes.failure.message, ...spaceFields, ...warning };
      if (this.writes.unwritable || (space?.low && performance.now() - this.probedAt >= LOW_SPACE_PROBE_MS)) await this.probe();
      const unwritable = this.writes.failure ?? this.writes.unwritable;
      if (unwritable) return { engine: this.engine, ok: false, detail: unwritable.message, ...spaceFields, ...warning };
      const sync = this.walSync ? 'synchronous=NORMAL + WAL fdatasync before each answer' : 'synchronous=FULL';
      return { engine: this.engine, ok: true, detail: `schema v${this.schemaVersion}, WAL, ${sync}, ${this.db.driver}`, ...spaceFields, ...warning };
    } catch (err) {
      return { engine: this.engine, ok: false, detail: (err as Error).message };
    }
  }

  /**
   * One write through the group commit, as small as SQLite allows and changing nothing: the schema
   * version written again over itself (a page of the WAL, synced like any payment's). Its failure is
   * recorded by the group commit (GroupCommit.unwritable), its success clears it.
   */
  private probe(): Promise<void> {
    this.probing ??= this.writes
      .run(() => this.db.exec(`PRAGMA user_version = ${this.schemaVersion}`))
      .catch(() => undefined)
      .finally(() => {
        this.probedAt = performance.now();
        this.probing = undefined;
      });
    return this.probing;
  }

  private get lowSpaceBytes(): number {
    return this.options.lowSpaceBytes ?? DEFAULT_LOW_SPACE_BYTES;
  }

  /** Free space on the journal's volume (fs.statfs on its folder): what an unprivileged process may use. */
  async freeSpace(): Promise<JournalSpace | undefined> {
    if (this.options.path === ':memory:') return undefined;
    const fs = await statfs(dirname(this.options.path));
    const freeBytes = Number(fs.bavail) * Number(fs.bsize);
    return { freeBytes, totalBytes: Number(fs.blocks) * Number(fs.bsize), low: freeBytes < this.lowSpaceBytes };
  }

  /**
   * Keeps the `-wal` file from growing without bound. SQLite checkpoints by itself after a commit once
   * the WAL holds 1000 pages (wal_autocheckpoint), and starts the WAL over from its beginning at the
   * next write once every frame is copied back — but the file itself never shrinks, and two things can
   * keep it growing: a reader that holds an old snapshot (another process reading the journal: a long
   * export, a backup) stops the checkpoint short of the end, so every write adds to the file; and a
   * write that failed (the disk full) leaves frames past the commit point. journal_size_limit (set at
   * open) has SQLite cut the file back to walLimitBytes each time it starts the WAL over; this
   * function, run every checkpointEveryMs, does a TRUNCATE checkpoint when the file is past that size
   * anyway (the readers gone, but no write since to start it over). busy_timeout is 0 meanwhile: where
   * a reader still holds the WAL the checkpoint does what it can and returns at once, instead of holding
   * the event loop (and every till) for the busy timeout; it is tried again next time. A checkpoint
   * with synchronous=NORMAL syncs the WAL before copying and the database after, so nothing not yet
   * synced by the group commit is lost by it. Returns the WAL's size after, or undefined when it was
   * not looked at.
   */
  checkpointIfLarge(): number | undefined {
    if (!this.db.isOpen || this.options.path === ':memory:') return undefined;
    const wal = `${this.options.path}-wal`;
    const size = () => {
      try {
        return statSync(wal).size;
      } catch {
        return undefined;
      }
    };
    const before = size();
    if (before === undefined || before <= (this.options.walLimitBytes ?? DEFAULT_WAL_LIMIT_BYTES)) return before;
    try {
      this.db.exec('PRAGMA busy_timeout = 0');
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      // The disk full, a reader's lock: tried again at the next look.
    } finally {
      this.db.exec(`PRAGMA busy_timeout = ${this.options.busyTimeoutMs ?? 5000}`);
    }
    return size();
  }

  async close(): Promise<void> {
    if (!this.db.isOpen) return;
    if (this.checkpointTimer) clearInterval(this.checkpointTimer);
    this.closing ??= (async () => {
      await this.writes.drain();
      this.walSync?.close();
      this.db.close();
    })();
    return this.closing;
  }
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MiB`;

/** The conditions that narrow a totals query to a shop or a till (`prefix`: the table's alias), with their values in order. */
function scopeSql(scope: TotalsScope, prefix: string): { sql: string; params: string[] } {
  let sql = '';
  const params: string[] = [];
  if (scope.shop !== undefined) {
    sql += ` AND ${prefix}shop = ?`;
    params.push(scope.shop);
  }
  if (scope.till !== undefined) {
    sql += ` AND ${prefix}till = ?`;
    params.push(scope.till);
  }
  return { sql, params };
}
