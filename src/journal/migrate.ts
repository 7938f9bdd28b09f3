import pg from 'pg';
import { tillScope } from '../payments/idempotency.js';
import { maskUrlPassword } from '../payments/masking.js';
import { openSqlite, type SqliteDriverChoice } from './sqlite/connection.js';
import { SqliteJournal } from './sqlite/sqlite-journal.js';
import { PostgresJournal } from './postgres/postgres-journal.js';

export interface CopyOptions {
  /** The till's SQLite journal. */
  sqlitePath: string;
  sqliteDriver?: SqliteDriverChoice;
  /** The central PostgreSQL journal. */
  url: string;
  /**
   * Stamped on copied transactions that do not say where they were taken (journaled before
   * PayBridge recorded it), so the central journal can tell this till's history from the others'.
   */
  shop?: string | undefined;
  till?: string | undefined;
  /** Told after every batch of transactions. */
  progress?: (done: number, total: number) => void;
}

export interface CopyReport {
  transactions: { total: number; inserted: number; updated: number };
  events: number;
  handoffs: number;
  shiftCloses: number;
  idempotencyKeys: number;
  /** Conflicts of proof copied or brought up to date (an operator's decision on the till since the last run). */
  conflicts: number;
  /** The target, without its password. */
  target: string;
}

const TX_COLUMNS = [
  'id', 'method', 'status', 'amount', 'qr_code_masked', 'qr_code_hash', 'provider_payment_id', 'client_phone_number', 'provider_message',
  'refunded_amount', 'kind', 'original_id', 'terminal', 'receipt_number', 'shift_number', 'auth_code', 'slip', 'error_code', 'error_message',
  'error_data', 'shop', 'till', 'instance', 'created_at', 'updated_at',
] as const;
const HANDOFF_COLUMNS = ['id', 'method', 'payment_id', 'transaction_id', 'receipt', 'state', 'attempts', 'next_attempt_at', 'last_error', 'result', 'created_at', 'updated_at'] as const;
const CLOSE_COLUMNS = ['id', 'state', 'terminal', 'shift_number', 'closed_at', 'report', 'terminal_totals', 'journal_totals', 'matched', 'reason', 'host_reconciliation'] as const;
const CONFLICT_COLUMNS = ['id', 'transaction_id', 'kind', 'writer', 'journal_status', 'holder', 'proven', 'verdict', 'state', 'created_at', 'resolved_at', 'resolution'] as const;
const KEY_COLUMNS = ['key', 'scope', 'fingerprint', 'state', 'owner', 'transaction_id', 'response', 'created_at', 'expires_at'] as const;

const placeholders = (n: number, from = 1) => Array.from({ length: n }, (_, i) => `$${i + from}`).join(', ');

/** Updates every column but the key from the incoming row, only when it is newer than the stored one. */
function upsertNewer(table: string, columns: readonly string[]): string {
  const updates = columns.filter((c) => c !== 'id').map((c) => `${c} = EXCLUDED.${c}`);
  return `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${placeholders(columns.length)})
          ON CONFLICT (id) DO UPDATE SET ${updates.join(', ')} WHERE ${table}.updated_at < EXCLUDED.updated_at
          RETURNING (xmax = 0) AS inserted`;
}

/**
 * Copies a till's SQLite journal into the central PostgreSQL journal. Re-runnable: rows are
 * matched by their primary keys (transactions, hand-offs and shift closes by id — UUIDs, unique
 * across tills — idempotency keys by scope and key), so a second run adds only what is new. A
 * transaction that changed on the till since the last run (given back, settled by recovery) is
 * updated when the till's copy is newer, and its timeline gets the events it did not have yet:
 * a transaction's events are only ever appended, so the first N already copied are the till's first N.
 */
export async function copySqliteToPostgres(options: CopyOptions): Promise<CopyReport> {
  // Both ends at this PayBridge's schema first: the till's file gains the newer columns, the
  // central database its tables.
  await new SqliteJournal({ path: options.sqlitePath, ...(options.sqliteDriver ? { driver: options.sqliteDriver } : {}) }).close();
  await (await PostgresJournal.open({ url: options.url })).close();

  const source = openSqlite(options.sqlitePath, options.sqliteDriver);
  const target = new pg.Client({ connectionString: options.url });
  await target.connect().catch((err: Error) => {
    source.close();
    throw new Error(`PostgreSQL journal at ${maskUrlPassword(options.url)} cannot be reached: ${maskUrlPassword(err.message)}`);
  });
  const report: CopyReport = {
    transactions: { total: 0, inserted: 0, updated: 0 },
    events: 0,
    handoffs: 0,
    shiftCloses: 0,
    idempotencyKeys: 0,
    conflicts: 0,
    target: maskUrlPassword(options.url),
  };
  try {
    // Payments before the cancels and refunds that point at them (original_id).
    const transactions = source
      .prepare(`SELECT ${TX_COLUMNS.join(', ')} FROM transactions ORDER BY kind <> 'payment', created_at, id`)
      .all() as Record<string, unknown>[];
    const events = source.prepare('SELECT at, status, step, detail FROM transaction_events WHERE transaction_id = ? ORDER BY seq');
    const insertTx = upsertNewer('transactions', TX_COLUMNS);
    report.transactions.total = transactions.length;
    for (const [i, row] of transactions.entries()) {
      row.shop ??= options.shop ?? null;
      row.till ??= options.till ?? null;
      // One transaction per row: a run cut short leaves each transaction whole, with all its events or none of the new ones.
      await target.query('BEGIN');
      try {
        const { rows } = await target.query<{ inserted: boolean }>(insertTx, TX_COLUMNS.map((c) => row[c]));
        if (rows[0]?.inserted) report.transactions.inserted++;
        else if (rows.length === 1) report.transactions.updated++;
        // The row lock of this transaction keeps two copies running at once from appending the same events.
        await target.query('SELECT 1 FROM transactions WHERE id = $1 FOR UPDATE', [row.id]);
        const have = Number((await target.query<{ n: number }>('SELECT COUNT(*) AS n FROM transaction_events WHERE transaction_id = $1', [row.id])).rows[0]!.n);
        const missing = (events.all(row.id) as { at: number; status: string; step: string; detail: string | null }[]).slice(have);
        for (const e of missing) {
          await target.query('INSERT INTO transaction_events (transaction_id, at, status, step, detail) VALUES ($1, $2, $3, $4, $5)', [row.id, e.at, e.status, e.step, e.detail]);
        }
        report.events += missing.length;
        await target.query('COMMIT');
      } catch (err) {
        await target.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
      if ((i + 1) % 500 === 0 || i + 1 === transactions.length) options.progress?.(i + 1, transactions.length);
    }

    const handoffSql = upsertNewer('fiscal_handoffs', HANDOFF_COLUMNS);
    for (const row of source.prepare(`SELECT ${HANDOFF_COLUMNS.join(', ')} FROM fiscal_handoffs ORDER BY created_at`).all() as Record<string, unknown>[]) {
      report.handoffs += (await target.query(handoffSql, HANDOFF_COLUMNS.map((c) => row[c]))).rowCount ?? 0;
    }
    const closeSql = `INSERT INTO shift_closes (${CLOSE_COLUMNS.join(', ')}) VALUES (${placeholders(CLOSE_COLUMNS.length)}) ON CONFLICT (id) DO NOTHING`;
    for (const row of source.prepare(`SELECT ${CLOSE_COLUMNS.join(', ')} FROM shift_closes ORDER BY closed_at`).all() as Record<string, unknown>[]) {
      report.shiftCloses += (await target.query(closeSql, CLOSE_COLUMNS.map((c) => row[c]))).rowCount ?? 0;
    }
    // A proof of money moved is never left behind: an open one reserves a give-back's amount in the
    // chain's ledger too; one decided on the till since the last run takes that decision along.
    const conflictSql = `INSERT INTO operation_conflicts (${CONFLICT_COLUMNS.join(', ')}) VALUES (${placeholders(CONFLICT_COLUMNS.length)})
      ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, resolved_at = EXCLUDED.resolved_at, resolution = EXCLUDED.resolution
      WHERE operation_conflicts.state = 'open' AND EXCLUDED.state = 'resolved'`;
    for (const row of source.prepare(`SELECT ${CONFLICT_COLUMNS.join(', ')} FROM operation_conflicts ORDER BY created_at`).all() as Record<string, unknown>[]) {
      report.conflicts += (await target.query(conflictSql, CONFLICT_COLUMNS.map((c) => row[c]))).rowCount ?? 0;
    }
    // Only keys still in force: an expired one protects nothing. A key the central journal already
    // has stays as it is there (another till cannot have the same one with the same request).
    const keySql = `INSERT INTO idempotency_keys (${KEY_COLUMNS.join(', ')}) VALUES (${placeholders(KEY_COLUMNS.length)}) ON CONFLICT (scope, key) DO NOTHING`;
    for (const row of source.prepare(`SELECT ${KEY_COLUMNS.join(', ')} FROM idempotency_keys WHERE expires_at >= ?`).all(Date.now()) as Record<string, unknown>[]) {
      // A till that named no shop or till kept its keys under the unnamed till (the whole scope now;
      // followed by the route before a key was the till's for one request; before keys were per
      // till, the bare route): in the chain's journal they become the given till's, in the same form.
      const scope = String(row.scope);
      const unnamed = tillScope({});
      const named = tillScope({ shop: options.shop, till: options.till });
      if (scope === unnamed) row.scope = named;
      else if (scope.startsWith(`${unnamed} `)) row.scope = named + scope.slice(unnamed.length);
      else if (!scope.startsWith('{')) row.scope = `${named} ${scope}`;
      report.idempotencyKeys += (await target.query(keySql, KEY_COLUMNS.map((c) => row[c]))).rowCount ?? 0;
    }
  } finally {
    source.close();
    await target.end();
  }
  return report;
}
