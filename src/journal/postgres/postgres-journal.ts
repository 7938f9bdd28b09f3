import { createHash } from 'node:crypto';
import pg from 'pg';
import { maskDeep, maskUrlPassword } from '../../payments/masking.js';
import { assertMove, type TransactionStatus } from '../../payments/state-machine.js';
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
import type { FiscalHandoff, HandoffState, ShiftClose, ShiftCloseState, Transaction, TransactionEvent, TransactionWithEvents } from '../../payments/transaction.js';
import type { ShiftTotals } from '../../payments/ports/terminal.js';
import {
  JournalUnavailableError,
  StaleTransitionError,
  KeyTakenOverError,
  type KeyLink,
  type HandoffPatch,
  type IdempotencyClaim,
  type IdempotencyRecord,
  type Journal,
  type JournalEntryStep,
  type JournalHealth,
  type TotalsScope,
  type JournalOrigin,
  type NewHandoff,
  type NewTransaction,
  type OpenCounts,
  type PeriodTotalsRow,
  type BucketTotalsRow,
  type ShiftCloseFilter,
  type TransactionFilter,
  type TransactionPage,
  type TransactionPatch,
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
  type GiveBackLedger,
  type GiveBackPlan,
  type GiveBackReservation,
  type NewClaim,
  type HandoffClaimAttempt,
  type ShiftCloseClaimAttempt,
} from '../../payments/ports/journal.js';
import { newestPerDate, rowToWalletRun, type WalletRunRow } from '../wallet-run-rows.js';
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
import { MIN_MIGRATABLE_VERSION, MIN_SERVER_VERSION_NUM, POSTGRES_MIGRATIONS } from './migrations.js';
import { JournalTooNewError } from '../too-new.js';

export interface PostgresJournalOptions {
  /** postgres://user:password@host:port/database; its password never appears in an error or a log. */
  url: string;
  origin?: JournalOrigin;
  /** Most connections this PayBridge holds open. */
  poolSize?: number;
  /** How long to wait for a connection before a write fails (and the payment is refused). */
  connectTimeoutMs?: number;
  /** Told about errors of idle connections (the server restarted, the network dropped). */
  onIdleError?: (err: Error) => void;
}

/**
 * After a give-back `$1` succeeded: its payment's ledger summed again (LEDGER_SQL's sums) and
 * written on the payment — refunded_amount, and cancelled or refunded once given back whole — with
 * the payment's event. Nothing when `$1` is not a succeeded give-back or the payment already says
 * so (a writer that lost the fence changes nothing: whoever made the write did this in its batch).
 * The event's detail as the SQLite journal writes it (JSON, in that key order); a reference with a
 * run of 13 or more digits, which maskText would take for a card number, has every digit masked.
 */
const GIVEN_BACK_SQL = `WITH g AS (SELECT * FROM transactions WHERE id = $1 AND status = 'succeeded' AND original_id IS NOT NULL AND kind <> 'payment'),
     l AS (${LEDGER_SQL.replace('$1', '(SELECT original_id FROM g)')}),
     n AS (SELECT p.id, l.given,
                  CASE WHEN p.status = 'succeeded' AND l.given >= p.amount THEN CASE WHEN l.refunds = 0 THEN 'cancelled' ELSE 'refunded' END ELSE p.status END AS status,
                  g.updated_at AS at, CASE WHEN g.kind = 'cancel' THEN 'cancelled' ELSE 'refunded' END AS step,
                  '{"give_back_id":' || to_json(g.id)::text || ',"amount":' || g.amount || ',"given_back":' || l.given || ',"rrn":'
                    || COALESCE(to_json(CASE WHEN g.provider_payment_id ~ '[0-9]([ -]?[0-9]){12}' THEN regexp_replace(g.provider_payment_id, '[0-9]', '*', 'g')
                                             ELSE g.provider_payment_id END)::text, 'null') || '}' AS detail
           FROM g JOIN transactions p ON p.id = g.original_id CROSS JOIN l),
     o AS (UPDATE transactions p SET refunded_amount = n.given, status = n.status, updated_at = n.at FROM n
           WHERE p.id = n.id AND (p.refunded_amount <> n.given OR p.status <> n.status) RETURNING p.id, p.status)
INSERT INTO transaction_events (transaction_id, at, status, step, detail) SELECT o.id, n.at, o.status, n.step, n.detail FROM o JOIN n ON n.id = o.id`;

const FINAL_STATUSES: readonly TransactionStatus[] = ['succeeded', 'failed', 'cancelled', 'refunded'];

/**
 * The database's clock in epoch milliseconds: every claim of a chain expires by it, never by the
 * clock of the PayBridge that took or checks it (instances' clocks disagree).
 */
const DB_NOW = `(floor(extract(epoch from clock_timestamp()) * 1000))::bigint`;

/**
 * BIGINT arrives from the server as text; pg leaves it a string so as never to round. Every BIGINT
 * here is tiyin (bounded by limits.max_amount_tiyin), epoch milliseconds or a count, far inside
 * 2^53, so it becomes a Number, and anything that is not exactly one is an error rather than a
 * silently wrong amount. Per pool, not pg's global parsers, so no other user of pg is affected.
 */
function parseBigint(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new Error(`journal: integer ${text} is beyond 2^53 and cannot be read exactly`);
  return n;
}
const TYPES = new pg.TypeOverrides();
TYPES.setTypeParser(pg.types.builtins.INT8, parseBigint);

// The migration lock and the QR locks live in different advisory-lock key spaces (two int4 keys
// vs one bigint), so neither can ever wait on the other. Both are transaction-level: a lock held by
// a session across transactions would, through PgBouncer in transaction pooling, stay on a server
// connection that other clients' transactions then run on (docs/deployment.md).
const MIGRATION_LOCK = 'SELECT pg_advisory_xact_lock(hashtext($1), 1)';

/**
 * A value as a literal of the simple query protocol, which has no parameters: quoted as an
 * untyped literal, exactly as the extended protocol sends a parameter (text of unknown type, typed
 * by where it stands), and escaped in an E'' string, so it reads the same whatever
 * standard_conforming_strings says. Values are what pg itself would send: null, booleans, numbers,
 * strings, and JSON for anything else.
 */
function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`journal: ${value} cannot be written`);
    text = String(value);
  } else if (typeof value === 'boolean' || typeof value === 'bigint') text = String(value);
  else text = JSON.stringify(value);
  if (text.includes('\0')) throw new Error('journal: a NUL character cannot be written');
  return `E'${text.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/**
 * Statements with $n parameters as one text for the simple query protocol: sent in one message, so
 * they cost one round trip, and run in one transaction of their own (an implicit one, unless the
 * text says BEGIN or COMMIT), each statement on a fresh snapshot, as separate statements would.
 */
function batch(statements: readonly (readonly [string, readonly unknown[]])[]): string {
  return statements.map(([sql, params]) => sql.replace(/\$(\d+)/g, (_, n: string) => literal(params[Number(n) - 1]))).join(';\n');
}

/** The results of a batch, one per statement (pg gives a lone result for a lone statement). */
function results(result: pg.QueryResult | pg.QueryResult[]): pg.QueryResult[] {
  return Array.isArray(result) ? result : [result];
}

/** Errors that mean "the database could not be reached", as opposed to a query that was refused. */
function isConnectionError(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  if (typeof e?.code === 'string' && (/^(08|57P0[1-3]|53300)/.test(e.code) || /^E(CONNREFUSED|CONNRESET|HOSTUNREACH|NETUNREACH|PIPE|TIMEDOUT|AI_AGAIN)$|^ENOTFOUND$/.test(e.code))) {
    return true;
  }
  return /Connection terminated|timeout exceeded when trying to connect|connect ETIMEDOUT|Client has encountered a connection error/i.test(e?.message ?? '');
}

/**
 * The journal of a chain: one PostgreSQL that every till's PayBridge writes to. Every method is
 * one statement or one short transaction, committed before its promise resolves (the server's
 * synchronous_commit decides how durable a COMMIT is; keep it on). What several PayBridge processes
 * must not do twice is decided by the database, not by their memory: idempotency keys by the
 * primary key, one-time QR codes by an advisory lock held across look-up and insert, recovery by a
 * claim with a lease.
 */
export class PostgresJournal implements Journal {
  readonly engine = 'postgres';
  private readonly pool: pg.Pool;
  private readonly where: string;
  private schema = 0;

  private constructor(private readonly options: PostgresJournalOptions) {
    this.where = maskUrlPassword(options.url);
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
      types: TYPES,
      application_name: `paybridge${options.origin ? ` ${options.origin.instance}` : ''}`.slice(0, 63),
    });
    // Without a listener an idle connection's error would end the process; the next query simply
    // takes a new connection.
    this.pool.on('error', (err) => options.onIdleError?.(new Error(maskUrlPassword(err.message))));
  }

  /** Connects, checks the server, and brings the schema to this PayBridge's version. */
  static async open(options: PostgresJournalOptions): Promise<PostgresJournal> {
    const journal = new PostgresJournal(options);
    try {
      await journal.migrate();
    } catch (err) {
      await journal.pool.end().catch(() => undefined);
      throw err;
    }
    return journal;
  }

  /** The schema version the database is at. */
  get schemaVersion(): number {
    return this.schema;
  }

  private unavailable(err: unknown): JournalUnavailableError {
    return new JournalUnavailableError(`PostgreSQL journal at ${this.where} cannot be reached: ${maskUrlPassword((err as Error).message || String(err))}`);
  }

  private async query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = [], client: pg.Pool | pg.PoolClient = this.pool): Promise<pg.QueryResult<R>> {
    try {
      return await client.query<R>(sql, params);
    } catch (err) {
      throw isConnectionError(err) ? this.unavailable(err) : err;
    }
  }

  /** Statements sent as one batch (see batch()): one round trip, their results in order. */
  private async batch(statements: readonly (readonly [string, readonly unknown[]])[], client: pg.Pool | pg.PoolClient = this.pool): Promise<pg.QueryResult[]> {
    try {
      return results((await client.query(batch(statements))) as unknown as pg.QueryResult | pg.QueryResult[]);
    } catch (err) {
      throw isConnectionError(err) ? this.unavailable(err) : err;
    }
  }

  /**
   * A connection of its own from the pool. A checked-out connection that dies emits 'error', which
   * without a listener would end the process; the query under way fails with the same error, so
   * the listener only has to exist.
   */
  private async connect(): Promise<{ client: pg.PoolClient; done: (broken?: boolean) => void }> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw this.unavailable(err);
    }
    const ignore = () => undefined;
    client.on('error', ignore);
    return {
      client,
      done: (broken = false) => {
        client.off('error', ignore);
        client.release(broken);
      },
    };
  }

  private async migrate(): Promise<void> {
    const { client, done } = await this.connect();
    try {
      const { rows } = await client.query<{ server_version_num: string }>('SHOW server_version_num');
      const serverVersion = Number(rows[0]!.server_version_num);
      if (serverVersion < MIN_SERVER_VERSION_NUM) {
        throw new Error(`PostgreSQL journal at ${this.where}: the server is version ${serverVersion}, too old; PayBridge needs ${MIN_SERVER_VERSION_NUM / 10_000} or later`);
      }
      // Several PayBridge processes starting at once: one migrates, the others wait and then find
      // nothing to do. All of it is one transaction, the lock a transaction's own (released by its
      // COMMIT or ROLLBACK): nothing of the session outlives it, so it works the same through
      // PgBouncer in transaction pooling, where the next transaction may run on another connection.
      // PostgreSQL's DDL is transactional: a migration that fails leaves nothing behind.
      await client.query('BEGIN');
      try {
        await client.query(MIGRATION_LOCK, ['paybridge journal migrations']);
        const found = await client.query<{ t: string | null; v: string | null }>(
          `SELECT to_regclass('transactions')::text AS t, to_regclass('schema_version')::text AS v`,
        );
        const { t, v } = found.rows[0]!;
        if (t !== null && v === null) {
          throw new Error(`PostgreSQL journal at ${this.where} has a "transactions" table but no schema_version: it is not a PayBridge journal (or one PayBridge cannot identify); refusing to touch it`);
        }
        await client.query(`CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL, paybridge TEXT NOT NULL)`);
        const current = Number((await client.query<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_version')).rows[0]!.v ?? 0);
        if (current > POSTGRES_MIGRATIONS.length) {
          throw new JournalTooNewError(`the PostgreSQL journal at ${this.where}`, current, POSTGRES_MIGRATIONS.length, 'restoring the pg_dump taken before the upgrade (pg_restore)');
        }
        if (current < MIN_MIGRATABLE_VERSION) {
          throw new Error(`PostgreSQL journal at ${this.where} has schema version ${current}, too old for this PayBridge to migrate (it starts from ${MIN_MIGRATABLE_VERSION}); upgrade through an older release first`);
        }
        const { VERSION } = await import('../../version.js');
        for (let version = current; version < POSTGRES_MIGRATIONS.length; version++) {
          await client.query(POSTGRES_MIGRATIONS[version]!);
          await client.query('INSERT INTO schema_version (version, applied_at, paybridge) VALUES ($1, $2, $3)', [version + 1, Date.now(), VERSION]);
        }
        await client.query('COMMIT');
        this.schema = POSTGRES_MIGRATIONS.length;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
    } catch (err) {
      throw isConnectionError(err) ? this.unavailable(err) : err;
    } finally {
      done();
    }
  }

  private eventDetail(step: JournalEntryStep): string | null {
    return step.detail === undefined ? null : JSON.stringify(maskDeep(step.detail));
  }

  /**
   * `unless`: a condition (on $18 and later, `extra`) under which nothing is inserted. `link`: the
   * request's idempotency key, tied to the row in the same statement; while it is not the request's
   * any more, nothing is inserted either (the callers tell the two apart).
   */
  private insertSql(tx: NewTransaction, step: JournalEntryStep, unless?: { sql: string; extra: unknown[] }, link?: KeyLink): [string, unknown[]] {
    const origin = this.options.origin;
    const values = `$1, $2, 'pending', $3::bigint, $4, $5, $6, $7, $8, $9, $10, $11, $17, 1, ${DB_NOW} + $12::bigint, $13::bigint, ${DB_NOW}`;
    const k = 18 + (unless?.extra.length ?? 0);
    const conditions = [...(unless ? [`NOT (${unless.sql})`] : []), ...(link ? ['EXISTS (SELECT 1 FROM k)'] : [])];
    // One statement writes the row, its first event and the key's tie to it: atomic without a transaction of its own.
    return [
      `WITH ${link ? `k AS (UPDATE idempotency_keys SET transaction_id = $1 WHERE scope = $${k} AND key = $${k + 1} AND owner = $${k + 2}${unless ? ` AND NOT (${unless.sql})` : ''} RETURNING 1),` : ''}
       t AS (
         INSERT INTO transactions (id, method, status, amount, qr_code_masked, qr_code_hash, kind, original_id, terminal, shop, till, instance,
                                   claimed_by, claim_epoch, claim_expires_at, created_at, updated_at)
         ${conditions.length ? `SELECT ${values} WHERE ${conditions.join(' AND ')}` : `VALUES (${values})`}
         RETURNING *),
       e AS (INSERT INTO transaction_events (transaction_id, at, status, step, detail) SELECT id, $14, 'pending', $15, $16 FROM t)
       SELECT * FROM t`,
      [
        tx.id,
        tx.method,
        tx.amount,
        tx.qrCodeMasked,
        tx.qrCodeHash,
        tx.kind ?? 'payment',
        tx.originalId ?? null,
        tx.terminal ?? null,
        origin?.shop ?? null,
        origin?.till ?? null,
        origin?.instance ?? null,
        origin?.inFlightLeaseMs ?? DEFAULT_LEASE_MS,
        tx.createdAt,
        step.at ?? tx.createdAt,
        step.step,
        this.eventDetail(step),
        // Every new row is its writer's from the start: nothing is written to it, or sent for it, but under that claim.
        liveClaimOwner(origin?.instance ?? UNNAMED_WRITER),
        ...(unless?.extra ?? []),
        ...(link ? [link.scope, link.key, link.owner] : []),
      ],
    ];
  }

  async insert(tx: NewTransaction, step: JournalEntryStep, link?: KeyLink): Promise<Transaction> {
    const [sql, params] = this.insertSql(tx, step, undefined, link);
    const row = (await this.query<TransactionRow>(sql, params)).rows[0];
    if (!row) throw new KeyTakenOverError(link!.key);
    return rowToTransaction(row);
  }

  async insertQrPayment(tx: NewTransaction, step: JournalEntryStep, since: number, link?: KeyLink): Promise<{ created: boolean; transaction: Transaction }> {
    // Two PayBridge processes given the same one-time code at once must not both charge it. A
    // unique constraint cannot say "unless the earlier one failed, or is older than the window",
    // so the look-up and the insert run under a transaction-scoped advisory lock on the code
    // (method and hash): the second waits for the first to commit, then its look-up (a new
    // snapshot under READ COMMITTED) sees the first's row. Different codes never wait on each other.
    // All three statements go as one batch, one round trip and one transaction (the lock is the
    // transaction's): the insert happens unless a payment of the code that did not fail is found,
    // and the look-up after it names that payment.
    const lockKey = createHash('sha256').update(`qr\n${tx.method}\n${tx.qrCodeHash}`).digest().readBigInt64BE(0).toString();
    const match = `qr_code_hash = $1 AND method = $2 AND amount = $3::bigint AND kind = 'payment' AND created_at >= $4::bigint`;
    const matchParams = [tx.qrCodeHash, tx.method, tx.amount, since];
    const shifted = match.replace(/\$(\d)/g, (_, n: string) => `$${Number(n) + 17}`);
    const [, inserted, earlier] = await this.batch([
      ['SELECT pg_advisory_xact_lock($1::bigint)', [lockKey]],
      this.insertSql(tx, step, { sql: `EXISTS (SELECT 1 FROM transactions WHERE ${shifted} AND status <> 'failed')`, extra: matchParams }, link),
      // One that did not fail first, whatever the creation times (the writers' clocks) say.
      [`SELECT * FROM transactions WHERE ${match} ORDER BY status = 'failed', created_at DESC LIMIT 1`, matchParams],
    ]);
    const created = inserted!.rows[0] as TransactionRow | undefined;
    if (created) return { created: true, transaction: rowToTransaction(created) };
    const found = earlier!.rows[0] as TransactionRow | undefined;
    // Nothing inserted and no earlier payment that did not fail: it was the key that stopped it.
    if (!found || found.status === 'failed') throw new KeyTakenOverError(link!.key);
    return { created: false, transaction: rowToTransaction(found) };
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
    // When it happened, on the database's clock unless the step says: every instance's writes on one
    // clock, so "how long since it was sent" reads the same whichever instance asks later.
    const params: unknown[] = [id, from, to, step.at ?? null, fence.owner, fence.epoch];
    const sets = ['status = $3', 'updated_at = (SELECT ms FROM at)'];
    const set = (column: string, value: unknown) => {
      params.push(value);
      sets.push(`${column} = $${params.length}`);
    };
    if (FINAL_STATUSES.includes(to)) sets.push('claimed_by = NULL', 'claim_expires_at = NULL');
    for (const [key, column] of Object.entries(PATCH_COLUMNS) as [keyof typeof PATCH_COLUMNS, string][]) {
      if (patch[key] !== undefined) set(column, patch[key]);
    }
    if (patch.error !== undefined) {
      set('error_code', patch.error?.code ?? null);
      set('error_message', patch.error?.message ?? null);
      set('error_data', patch.error?.data ?? null);
    }
    params.push(step.step, this.eventDetail(step));
    const n = params.length;
    // The row's update and its event in one statement; a concurrent transition of the same row
    // (another PayBridge) makes this one match nothing, which is the stale case below.
    // The fence: the status it was read in and the claim it was read under, in the same statement.
    const sql = `WITH at AS (SELECT COALESCE($4::bigint, ${DB_NOW}) AS ms),
            u AS (UPDATE transactions SET ${sets.join(', ')} WHERE id = $1 AND status = $2 AND claimed_by = $5 AND claim_epoch = $6 RETURNING *),
            e AS (INSERT INTO transaction_events (transaction_id, at, status, step, detail) SELECT id, (SELECT ms FROM at), $3, $${n - 1}, $${n} FROM u)
       SELECT * FROM u`;
    if (to !== 'succeeded' || from === 'succeeded') {
      const { rows } = await this.query<TransactionRow>(sql, params);
      if (rows.length === 1) return rowToTransaction(rows[0]!);
      throw refusedWrite(id, from, fence, (await this.query<TransactionRow>('SELECT * FROM transactions WHERE id = $1', [id])).rows[0]);
    }
    // A success may be a give-back's: one batch (one round trip, one transaction) locks its payment
    // first (the same lock a reservation takes), then makes the fenced write, then sums the ledger
    // on a snapshot taken after the lock (so it includes every give-back committed before it, and
    // this one) and writes it on the payment, and last reads the row as it stands (for a refusal).
    const [, written, , current] = await this.batch([
      ['SELECT 1 FROM transactions WHERE id = (SELECT original_id FROM transactions WHERE id = $1) FOR UPDATE', [id]],
      [sql, params],
      [GIVEN_BACK_SQL, [id]],
      ['SELECT * FROM transactions WHERE id = $1', [id]],
    ]);
    if (written!.rows.length === 1) return rowToTransaction(written!.rows[0] as TransactionRow);
    throw refusedWrite(id, from, fence, current!.rows[0] as TransactionRow | undefined);
  }

  private async ledgerOf(original: TransactionRow, client?: pg.PoolClient): Promise<GiveBackLedger> {
    return rowToLedger(Number(original.amount), (await this.query<LedgerRow>(LEDGER_SQL, [original.id], client)).rows[0]!);
  }

  async reserveGiveBack(originalId: string, plan: GiveBackPlan, link?: KeyLink): Promise<GiveBackReservation> {
    // The payment's row locked FOR UPDATE serialises every reservation and every give-back success
    // of this payment across all PayBridge processes; under READ COMMITTED the ledger read after the
    // lock sees everything committed before it. Two round trips: BEGIN, the lock and the ledger;
    // then (the plan decided) the insert, the ledger again and COMMIT.
    const { client, done } = await this.connect();
    let broken = false;
    try {
      const [, locked, before] = await this.batch(
        [
          ['BEGIN', []],
          ['SELECT * FROM transactions WHERE id = $1 FOR UPDATE', [originalId]],
          [LEDGER_SQL, [originalId]],
        ],
        client,
      );
      const row = locked!.rows[0] as TransactionRow | undefined;
      if (!row) throw new StaleTransitionError(originalId, 'succeeded', undefined);
      const original = rowToTransaction(row);
      const { tx, step } = plan(original, rowToLedger(Number(row.amount), before!.rows[0] as LedgerRow));
      const [inserted, after] = await this.batch([this.insertSql({ ...tx, originalId }, step, undefined, link), [LEDGER_SQL, [originalId]], ['COMMIT', []]], client);
      // Nothing was inserted (the key is another request's now), so nothing was committed either.
      if (!inserted!.rows[0]) throw new KeyTakenOverError(link!.key);
      return { original, giveBack: rowToTransaction(inserted!.rows[0] as TransactionRow), ledger: rowToLedger(Number(row.amount), after!.rows[0] as LedgerRow) };
    } catch (err) {
      broken = err instanceof JournalUnavailableError;
      if (!broken) await client.query('ROLLBACK').catch(() => (broken = true));
      throw err;
    } finally {
      done(broken);
    }
  }

  async giveBackLedger(originalId: string): Promise<GiveBackLedger> {
    const row = (await this.query<TransactionRow>('SELECT * FROM transactions WHERE id = $1', [originalId])).rows[0];
    if (!row) throw new StaleTransitionError(originalId, 'succeeded', undefined);
    return this.ledgerOf(row);
  }

  private async one(sql: string, params: unknown[]): Promise<Transaction | undefined> {
    const row = (await this.query<TransactionRow>(sql, params)).rows[0];
    return row ? rowToTransaction(row) : undefined;
  }

  async get(id: string): Promise<TransactionWithEvents | undefined> {
    // The row, its events and its hand-off in one batch: one round trip (and one snapshot-consistent
    // transaction) instead of three.
    const [row, events, handoff] = (await this.batch([
      ['SELECT * FROM transactions WHERE id = $1', [id]],
      ['SELECT at, status, step, detail FROM transaction_events WHERE transaction_id = $1 ORDER BY seq', [id]],
      ['SELECT * FROM fiscal_handoffs WHERE transaction_id = $1 LIMIT 1', [id]],
    ])) as [pg.QueryResult<TransactionRow>, pg.QueryResult<EventRow>, pg.QueryResult<HandoffRow>];
    if (!row.rows[0]) return undefined;
    const tx = rowToTransaction(row.rows[0]);
    return {
      ...tx,
      events: events.rows.map(
        (e): TransactionEvent => ({ at: e.at, status: e.status as TransactionStatus, step: e.step, detail: e.detail === null ? null : (JSON.parse(e.detail) as unknown) }),
      ),
      fiscal: handoff.rows[0] ? rowToHandoff(handoff.rows[0]) : null,
    };
  }

  findByProviderPaymentId(method: string, providerPaymentId: string): Promise<Transaction | undefined> {
    return this.one(`SELECT * FROM transactions WHERE method = $1 AND provider_payment_id = $2 AND kind = 'payment' ORDER BY created_at DESC LIMIT 1`, [method, providerPaymentId]);
  }

  async insertHandoff(handoff: NewHandoff, claim?: NewClaim): Promise<FiscalHandoff | undefined> {
    // One hand-off per method and payment: a second writer (another request, another PayBridge) inserts nothing and is told so.
    const { rows } = await this.query<HandoffRow>(
      `INSERT INTO fiscal_handoffs (id, method, payment_id, transaction_id, receipt, state, next_attempt_at, created_at, updated_at,
                                    claimed_by, claim_epoch, claim_expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9::text, CASE WHEN $9::text IS NULL THEN 0 ELSE 1 END,
               CASE WHEN $9::text IS NULL THEN NULL ELSE ${DB_NOW} + $10::bigint END)
       ON CONFLICT (method, payment_id) DO NOTHING
       RETURNING *`,
      [
        handoff.id,
        handoff.method,
        handoff.paymentId,
        handoff.transactionId,
        JSON.stringify(handoff.receipt),
        handoff.state,
        handoff.nextAttemptAt ?? null,
        handoff.createdAt,
        claim?.owner ?? null,
        claim?.leaseMs ?? 0,
      ],
    );
    return rows[0] && rowToHandoff(rows[0]);
  }

  async getHandoff(method: string, paymentId: string): Promise<FiscalHandoff | undefined> {
    const row = (await this.query<HandoffRow>('SELECT * FROM fiscal_handoffs WHERE method = $1 AND payment_id = $2', [method, paymentId])).rows[0];
    return row ? rowToHandoff(row) : undefined;
  }

  async updateHandoff(id: string, from: HandoffState, patch: HandoffPatch, fence: Fence): Promise<FiscalHandoff> {
    const params: unknown[] = [id, from, fence.owner, fence.epoch, Date.now()];
    const sets = ['updated_at = $5'];
    for (const { column, value } of handoffSets(patch)) {
      params.push(value);
      sets.push(`${column} = $${params.length}`);
    }
    if (patch.retryInMs !== undefined) {
      // Due by the database's clock, as its claims are: the instances' clocks disagree.
      params.push(patch.retryInMs);
      sets.push(`next_attempt_at = ${DB_NOW} + $${params.length}::bigint`);
    }
    // A delivered receipt is nobody's work any more: whoever held it lets go.
    if (patch.state === 'submitted') sets.push('claimed_by = NULL', 'claim_expires_at = NULL');
    // The fence: the state it was read in, and the claim it was read under, in the same statement.
    const { rows } = await this.query<HandoffRow>(
      `UPDATE fiscal_handoffs SET ${sets.join(', ')} WHERE id = $1 AND state = $2 AND claimed_by = $3 AND claim_epoch = $4 RETURNING *`,
      params,
    );
    if (rows[0]) return rowToHandoff(rows[0]);
    throw refusedHandoffWrite(id, from, fence, (await this.query<HandoffRow>('SELECT * FROM fiscal_handoffs WHERE id = $1', [id])).rows[0]);
  }

  async claimHandoff(id: string, owner: string, leaseMs: number, options: { due?: boolean; retakeOwn?: boolean } = {}): Promise<HandoffClaimAttempt> {
    // Every claim taken gets a new epoch (the fence); its lease and the hand-off's due time run on the database's clock.
    const { rows } = await this.query<HandoffRow>(
      `WITH now AS (SELECT ${DB_NOW} AS ms)
       UPDATE fiscal_handoffs SET claimed_by = $2, claim_epoch = claim_epoch + 1, claim_expires_at = (SELECT ms FROM now) + $3::bigint
       WHERE id = $1 AND state <> 'submitted'
         AND (NOT $4 OR (state IN ('pending', 'unknown') AND (next_attempt_at IS NULL OR next_attempt_at <= (SELECT ms FROM now))))
         AND (claimed_by IS NULL OR claim_expires_at IS NULL OR claim_expires_at <= (SELECT ms FROM now) OR ($5 AND claimed_by = $2))
       RETURNING *`,
      [id, owner, leaseMs, options.due === true, options.retakeOwn === true],
    );
    if (rows[0]) return { taken: true, handoff: rowToHandoff(rows[0]) as FiscalHandoff & { claim: ClaimHeld } };
    const row = (await this.query<HandoffRow & { now_ms: number }>(`SELECT *, ${DB_NOW} AS now_ms FROM fiscal_handoffs WHERE id = $1`, [id])).rows[0];
    return { taken: false, handoff: row && rowToHandoff(row), holder: row ? liveHolder(row, row.now_ms) : null };
  }

  async renewHandoffClaim(id: string, fence: Fence, leaseMs: number): Promise<boolean> {
    const { rowCount } = await this.query(`UPDATE fiscal_handoffs SET claim_expires_at = ${DB_NOW} + $4::bigint WHERE id = $1 AND claimed_by = $2 AND claim_epoch = $3`, [
      id,
      fence.owner,
      fence.epoch,
      leaseMs,
    ]);
    return rowCount === 1;
  }

  async releaseHandoffClaim(id: string, fence: Fence): Promise<void> {
    await this.query('UPDATE fiscal_handoffs SET claimed_by = NULL, claim_expires_at = NULL WHERE id = $1 AND claimed_by = $2 AND claim_epoch = $3', [id, fence.owner, fence.epoch]);
  }

  async listDueHandoffs(limit: number, owner: string): Promise<FiscalHandoff[]> {
    const { rows } = await this.query<HandoffRow>(
      `WITH now AS (SELECT ${DB_NOW} AS ms)
       SELECT * FROM fiscal_handoffs
       WHERE state IN ('pending', 'unknown') AND (next_attempt_at IS NULL OR next_attempt_at <= (SELECT ms FROM now))
         AND (claimed_by IS NULL OR claimed_by = $2 OR claim_expires_at IS NULL OR claim_expires_at <= (SELECT ms FROM now))
       ORDER BY created_at LIMIT $1`,
      [limit, owner],
    );
    return rows.map(rowToHandoff);
  }

  findCardPayment(terminal: string, by: { rrn: string } | { receiptNumber: number }): Promise<Transaction | undefined> {
    return 'rrn' in by
      ? this.one(`SELECT * FROM transactions WHERE terminal = $1 AND provider_payment_id = $2 AND kind = 'payment' ORDER BY created_at DESC LIMIT 1`, [terminal, by.rrn])
      : this.one(`SELECT * FROM transactions WHERE terminal = $1 AND receipt_number = $2 AND kind = 'payment' ORDER BY created_at DESC LIMIT 1`, [terminal, by.receiptNumber]);
  }

  async hasCardOperationAfter(terminal: string, createdAt: number): Promise<boolean> {
    return (await this.query('SELECT 1 FROM transactions WHERE terminal = $1 AND created_at > $2 LIMIT 1', [terminal, createdAt])).rows.length > 0;
  }

  findCardOperationByRrn(method: string, rrn: string): Promise<Transaction | undefined> {
    return this.one('SELECT * FROM transactions WHERE method = $1 AND provider_payment_id = $2 ORDER BY created_at DESC LIMIT 1', [method, rrn]);
  }

  findCardPaymentByRrn(method: string, rrn: string): Promise<Transaction | undefined> {
    return this.one(`SELECT * FROM transactions WHERE method = $1 AND provider_payment_id = $2 AND kind = 'payment' ORDER BY created_at DESC LIMIT 1`, [method, rrn]);
  }

  async shiftTotals(terminal: string, shift: number): Promise<ShiftTotals> {
    const { rows } = await this.query<ShiftTotals>(
      `SELECT
         COUNT(*) FILTER (WHERE kind = 'payment') AS "purchaseCount",
         COALESCE(SUM(amount) FILTER (WHERE kind = 'payment'), 0)::bigint AS "purchaseAmount",
         COUNT(*) FILTER (WHERE kind <> 'payment') AS "returnCount",
         COALESCE(SUM(amount) FILTER (WHERE kind <> 'payment'), 0)::bigint AS "returnAmount"
       FROM transactions
       WHERE terminal = $1 AND shift_number = $2 AND status IN ('succeeded', 'cancelled', 'refunded')`,
      [terminal, shift],
    );
    return rows[0]!;
  }

  async insertShiftClose(close: ShiftClose, claim: NewClaim): Promise<ClaimHeld> {
    const p = shiftCloseParams(close);
    const { rows } = await this.query<ShiftCloseRow>(
      `INSERT INTO shift_closes (id, terminal, shift_number, closed_at, report, terminal_totals, journal_totals, matched, state, reason, host_reconciliation,
                                 claimed_by, claim_epoch, claim_expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1, ${DB_NOW} + $13::bigint)
       RETURNING *`,
      [p.id, p.terminal, p.shiftNumber, p.closedAt, p.report, p.terminalTotals, p.journalTotals, p.matched, p.state, p.reason, p.hostReconciliation, claim.owner, claim.leaseMs],
    );
    return claimOfRow(rows[0]!)!;
  }

  async updateShiftClose(close: ShiftClose, from: ShiftCloseState, fence: Fence): Promise<void> {
    const p = shiftCloseParams(close);
    // The fence: the state it was read in, and the claim it was read under, in the same statement. A
    // settled close is nobody's work any more.
    const { rowCount } = await this.query(
      `UPDATE shift_closes SET state = $2, shift_number = $3, closed_at = $4, report = $5, terminal_totals = $6, journal_totals = $7, matched = $8,
         reason = $9, host_reconciliation = $10,
         claimed_by = CASE WHEN $2 IN ('sent', 'unknown') THEN claimed_by END,
         claim_expires_at = CASE WHEN $2 IN ('sent', 'unknown') THEN claim_expires_at END
       WHERE id = $1 AND state = $11 AND claimed_by = $12 AND claim_epoch = $13`,
      [p.id, p.state, p.shiftNumber, p.closedAt, p.report, p.terminalTotals, p.journalTotals, p.matched, p.reason, p.hostReconciliation, from, fence.owner, fence.epoch],
    );
    if (rowCount !== 1) throw refusedShiftCloseWrite(close.id, from, fence, (await this.query<ShiftCloseRow>('SELECT * FROM shift_closes WHERE id = $1', [close.id])).rows[0]);
  }

  async getShiftClose(id: string): Promise<ShiftClose | undefined> {
    const row = (await this.query<ShiftCloseRow>('SELECT * FROM shift_closes WHERE id = $1', [id])).rows[0];
    return row && rowToShiftClose(row);
  }

  async claimShiftClose(id: string, owner: string, leaseMs: number, options: { retakeOwn?: boolean } = {}): Promise<ShiftCloseClaimAttempt> {
    const { rows } = await this.query<ShiftCloseRow>(
      `WITH now AS (SELECT ${DB_NOW} AS ms)
       UPDATE shift_closes SET claimed_by = $2, claim_epoch = claim_epoch + 1, claim_expires_at = (SELECT ms FROM now) + $3::bigint
       WHERE id = $1 AND state IN ('sent', 'unknown')
         AND (claimed_by IS NULL OR claim_expires_at IS NULL OR claim_expires_at <= (SELECT ms FROM now) OR ($4 AND claimed_by = $2))
       RETURNING *`,
      [id, owner, leaseMs, options.retakeOwn === true],
    );
    if (rows[0]) return { taken: true, close: rowToShiftClose(rows[0]), claim: claimOfRow(rows[0])! };
    const row = (await this.query<ShiftCloseRow & { now_ms: number }>(`SELECT *, ${DB_NOW} AS now_ms FROM shift_closes WHERE id = $1`, [id])).rows[0];
    return { taken: false, close: row && rowToShiftClose(row), holder: row ? liveHolder(row, row.now_ms) : null };
  }

  async renewShiftCloseClaim(id: string, fence: Fence, leaseMs: number): Promise<boolean> {
    const { rowCount } = await this.query(`UPDATE shift_closes SET claim_expires_at = ${DB_NOW} + $4::bigint WHERE id = $1 AND claimed_by = $2 AND claim_epoch = $3`, [
      id,
      fence.owner,
      fence.epoch,
      leaseMs,
    ]);
    return rowCount === 1;
  }

  async releaseShiftCloseClaim(id: string, fence: Fence): Promise<void> {
    await this.query('UPDATE shift_closes SET claimed_by = NULL, claim_expires_at = NULL WHERE id = $1 AND claimed_by = $2 AND claim_epoch = $3', [id, fence.owner, fence.epoch]);
  }

  async listUnsettledShiftCloses(limit: number, owner: string): Promise<ShiftClose[]> {
    const { rows } = await this.query<ShiftCloseRow>(
      `WITH now AS (SELECT ${DB_NOW} AS ms)
       SELECT * FROM shift_closes
       WHERE state = 'sent' AND (claimed_by IS NULL OR claimed_by = $2 OR claim_expires_at IS NULL OR claim_expires_at <= (SELECT ms FROM now))
       ORDER BY closed_at LIMIT $1`,
      [limit, owner],
    );
    return rows.map(rowToShiftClose);
  }

  async isShiftClosed(terminal: string, shift: number): Promise<boolean> {
    return (await this.query(`SELECT 1 FROM shift_closes WHERE terminal = $1 AND shift_number = $2 AND state = 'closed' LIMIT 1`, [terminal, shift])).rows.length > 0;
  }

  async listClaimable(graceMs: number, limit: number, owner: string): Promise<Transaction[]> {
    const { rows } = await this.query<TransactionRow>(
      `WITH now AS (SELECT ${DB_NOW} AS ms)
       SELECT * FROM transactions
       WHERE status IN ('pending', 'unknown') AND created_at < (SELECT ms FROM now) - $1::bigint
         AND (claimed_by IS NULL OR claimed_by = $3 OR claim_expires_at IS NULL OR claim_expires_at <= (SELECT ms FROM now))
       ORDER BY created_at LIMIT $2`,
      [graceMs, limit, owner],
    );
    return rows.map(rowToTransaction);
  }

  async claim(id: string, owner: string, leaseMs: number, options: { retakeOwn?: boolean } = {}): Promise<ClaimAttempt> {
    // Every claim taken gets a new epoch (the fence); its lease runs on the database's clock, so an
    // instance whose clock is ahead cannot take a live claim early.
    const { rows } = await this.query<TransactionRow>(
      `WITH now AS (SELECT ${DB_NOW} AS ms)
       UPDATE transactions SET claimed_by = $2, claim_epoch = claim_epoch + 1, claim_expires_at = (SELECT ms FROM now) + $3::bigint
       WHERE id = $1
         AND (status IN ('pending', 'unknown')
              OR EXISTS (SELECT 1 FROM operation_conflicts c WHERE c.transaction_id = transactions.id AND c.state = 'open'))
         AND (claimed_by IS NULL OR claim_expires_at IS NULL OR claim_expires_at <= (SELECT ms FROM now) OR ($4 AND claimed_by = $2))
       RETURNING *`,
      [id, owner, leaseMs, options.retakeOwn === true],
    );
    if (rows[0]) return { taken: true, tx: rowToTransaction(rows[0]) as Transaction & { claim: ClaimHeld } };
    return notTaken((await this.query<TransactionRow>('SELECT * FROM transactions WHERE id = $1', [id])).rows[0]);
  }

  async renewClaim(id: string, fence: Fence, leaseMs: number): Promise<boolean> {
    const { rowCount } = await this.query(`UPDATE transactions SET claim_expires_at = ${DB_NOW} + $4::bigint WHERE id = $1 AND claimed_by = $2 AND claim_epoch = $3`, [
      id,
      fence.owner,
      fence.epoch,
      leaseMs,
    ]);
    return rowCount === 1;
  }

  async releaseClaim(id: string, fence: Fence): Promise<void> {
    await this.query('UPDATE transactions SET claimed_by = NULL, claim_expires_at = NULL WHERE id = $1 AND claimed_by = $2 AND claim_epoch = $3', [id, fence.owner, fence.epoch]);
  }

  async now(): Promise<number> {
    return Number((await this.query<{ ms: string }>(`SELECT ${DB_NOW} AS ms`)).rows[0]!.ms);
  }

  /** Several processes share this journal: a claim is dead only when its lease ran out by the database's clock. */
  async releaseDeadClaims(): Promise<number> {
    return 0;
  }

  async startWalletRun(fresh: { id: string; scope: string; date: string; methods: string[] }, claim: NewClaim): Promise<WalletRunAttempt> {
    // A running run of the day is taken over when nobody holds it (or this owner does); otherwise a new one is inserted,
    // and of two PayBridges inserting at once the unique index lets one through: the other takes or finds that one.
    for (let attempt = 0; attempt < 3; attempt++) {
      const { rows: taken } = await this.query<WalletRunRow>(
        `UPDATE wallet_runs SET claimed_by = $3, claim_epoch = claim_epoch + 1, claim_expires_at = ${DB_NOW} + $4::bigint
         WHERE scope = $1 AND shop_date = $2 AND state = 'running' AND (claimed_by IS NULL OR claim_expires_at <= ${DB_NOW} OR claimed_by = $3)
         RETURNING *`,
        [fresh.scope, fresh.date, claim.owner, claim.leaseMs],
      );
      if (taken[0]) return { taken: true, resumed: true, run: rowToWalletRun(taken[0]) as WalletRun & { claim: ClaimHeld } };
      const { rows: held } = await this.query<WalletRunRow>(`SELECT * FROM wallet_runs WHERE scope = $1 AND shop_date = $2 AND state = 'running'`, [fresh.scope, fresh.date]);
      if (held[0]) return { taken: false, run: rowToWalletRun(held[0]) };
      const { rows: inserted } = await this.query<WalletRunRow>(
        `INSERT INTO wallet_runs (id, scope, shop_date, methods, state, started_at, claimed_by, claim_epoch, claim_expires_at)
         VALUES ($1, $2, $3, $4, 'running', ${DB_NOW}, $5, 1, ${DB_NOW} + $6::bigint)
         ON CONFLICT (scope, shop_date) WHERE state = 'running' DO NOTHING RETURNING *`,
        [fresh.id, fresh.scope, fresh.date, JSON.stringify(fresh.methods), claim.owner, claim.leaseMs],
      );
      if (inserted[0]) return { taken: true, resumed: false, run: rowToWalletRun(inserted[0]) as WalletRun & { claim: ClaimHeld } };
    }
    throw new Error(`the wallet reconciliation of ${fresh.date} changed hands three times while being started`);
  }

  async renewWalletRun(id: string, fence: Fence, leaseMs: number): Promise<boolean> {
    const { rowCount } = await this.query(
      `UPDATE wallet_runs SET claim_expires_at = ${DB_NOW} + $4::bigint WHERE id = $1 AND state = 'running' AND claimed_by = $2 AND claim_epoch = $3`,
      [id, fence.owner, fence.epoch, leaseMs],
    );
    return rowCount === 1;
  }

  async saveWalletAnswer(runId: string, key: string, answer: unknown): Promise<void> {
    await this.query(`INSERT INTO wallet_run_answers (run_id, key, answer, at) VALUES ($1, $2, $3, ${DB_NOW}) ON CONFLICT (run_id, key) DO NOTHING`, [runId, key, JSON.stringify(answer)]);
  }

  async walletAnswers(runId: string): Promise<Map<string, unknown>> {
    const { rows } = await this.query<{ key: string; answer: string }>(`SELECT key, answer FROM wallet_run_answers WHERE run_id = $1`, [runId]);
    return new Map(rows.map((r) => [r.key, JSON.parse(r.answer) as unknown]));
  }

  async finishWalletRun(id: string, fence: Fence, report: unknown): Promise<boolean> {
    const { rowCount } = await this.query(
      `UPDATE wallet_runs SET state = 'done', finished_at = ${DB_NOW}, report = $4, claimed_by = NULL, claim_expires_at = NULL
       WHERE id = $1 AND state = 'running' AND claimed_by = $2 AND claim_epoch = $3`,
      [id, fence.owner, fence.epoch, JSON.stringify(report)],
    );
    return rowCount === 1;
  }

  async latestWalletRun(scope: string, date: string): Promise<WalletRun | undefined> {
    const { rows } = await this.query<WalletRunRow>(`SELECT * FROM wallet_runs WHERE scope = $1 AND shop_date = $2 ORDER BY started_at DESC, id COLLATE "C" DESC LIMIT 1`, [scope, date]);
    return rows[0] && rowToWalletRun(rows[0]);
  }

  async finishedWalletRuns(scope: string, fromDate: string): Promise<WalletRun[]> {
    const { rows } = await this.query<WalletRunRow>(
      `SELECT * FROM wallet_runs WHERE scope = $1 AND shop_date >= $2 AND state = 'done' ORDER BY shop_date COLLATE "C", finished_at, id COLLATE "C"`,
      [scope, fromDate],
    );
    return newestPerDate(rows.map(rowToWalletRun));
  }

  async recordConflict(c: NewConflict): Promise<void> {
    const p = conflictParams(c);
    await this.query(
      `INSERT INTO operation_conflicts (id, transaction_id, kind, writer, journal_status, holder, proven, verdict, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [p.id, p.transactionId, p.kind, p.writer, p.journalStatus, p.holder, p.proven, p.verdict, p.createdAt],
    );
  }

  async openConflicts(limit: number): Promise<OperationConflict[]> {
    const { rows } = await this.query<ConflictRow>(`SELECT * FROM operation_conflicts WHERE state = 'open' ORDER BY created_at, id COLLATE "C" LIMIT $1`, [limit]);
    return rows.map(rowToConflict);
  }

  async conflictsOf(transactionId: string): Promise<OperationConflict[]> {
    const { rows } = await this.query<ConflictRow>(`SELECT * FROM operation_conflicts WHERE transaction_id = $1 ORDER BY created_at, id COLLATE "C"`, [transactionId]);
    return rows.map(rowToConflict);
  }

  async resolveConflicts(transactionId: string, resolution: { by: string; decision: 'accepted' | 'dismissed'; reason: string }): Promise<number> {
    const { rowCount } = await this.query(
      `UPDATE operation_conflicts SET state = 'resolved', resolved_at = ${DB_NOW}, resolution = $2 WHERE transaction_id = $1 AND state = 'open'`,
      [transactionId, JSON.stringify(resolution)],
    );
    return rowCount ?? 0;
  }

  async closeAgreedConflicts(): Promise<number> {
    const { rowCount } = await this.query(
      `UPDATE operation_conflicts SET state = 'resolved', resolved_at = ${DB_NOW}, resolution = $1
       WHERE state = 'open' AND EXISTS (SELECT 1 FROM transactions t WHERE t.id = operation_conflicts.transaction_id AND t.status IN ('succeeded', 'cancelled', 'refunded'))`,
      [AGREED],
    );
    return rowCount ?? 0;
  }

  async claimIdempotencyKey(claim: IdempotencyClaim): Promise<IdempotencyRecord | undefined> {
    // The primary key decides who owns a key, whichever PayBridge the request reached.
    const { rowCount } = await this.query(
      `INSERT INTO idempotency_keys (key, scope, fingerprint, state, owner, created_at, expires_at)
       VALUES ($1, $2, $3, 'in_progress', $4, $5, $6) ON CONFLICT (scope, key) DO NOTHING`,
      [claim.key, claim.scope, claim.fingerprint, claim.owner, claim.createdAt, claim.expiresAt],
    );
    return rowCount === 1 ? undefined : this.getIdempotencyKey(claim.scope, claim.key);
  }

  async getIdempotencyKey(scope: string, key: string): Promise<IdempotencyRecord | undefined> {
    const row = (await this.query<IdempotencyRow>('SELECT * FROM idempotency_keys WHERE scope = $1 AND key = $2', [scope, key])).rows[0];
    return row && rowToIdempotencyRecord(row);
  }

  async completeIdempotencyKey(scope: string, key: string, owner: string, response: unknown, transactionId: string | null): Promise<boolean> {
    const { rowCount } = await this.query(
      `UPDATE idempotency_keys SET state = 'done', response = $1, transaction_id = $2 WHERE scope = $3 AND key = $4 AND state = 'in_progress' AND owner = $5`,
      [JSON.stringify(response), transactionId, scope, key, owner],
    );
    return rowCount === 1;
  }

  async linkIdempotencyKey(scope: string, key: string, transactionId: string, owner?: string): Promise<boolean> {
    const { rowCount } = await this.query('UPDATE idempotency_keys SET transaction_id = $1 WHERE scope = $2 AND key = $3 AND ($4::text IS NULL OR owner = $4)', [
      transactionId,
      scope,
      key,
      owner ?? null,
    ]);
    return rowCount === 1;
  }

  async releaseIdempotencyKey(scope: string, key: string, owner?: string): Promise<void> {
    await this.query(`DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND state = 'in_progress' AND ($3::text IS NULL OR owner = $3)`, [scope, key, owner ?? null]);
  }

  async purgeIdempotencyKeys(now: number): Promise<number> {
    // A key whose operation is still unsettled outlives its TTL: a retry must find that operation.
    return (
      (
        await this.query(
          `DELETE FROM idempotency_keys WHERE expires_at < $1
             AND NOT (state = 'in_progress' AND transaction_id IS NOT NULL
                      AND EXISTS (SELECT 1 FROM transactions t WHERE t.id = idempotency_keys.transaction_id AND t.status IN ('pending', 'unknown')))`,
          [now],
        )
      ).rowCount ?? 0
    );
  }

  async list(filter: TransactionFilter): Promise<TransactionPage> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: (p: string) => string, value: unknown) => {
      params.push(value);
      where.push(sql(`$${params.length}`));
    };
    if (filter.method) add((p) => `method = ${p}`, filter.method);
    if (filter.status) add((p) => `status = ${p}`, filter.status);
    // No index on kind: the newest-first walk stops at the page's end, skipping the other kind.
    if (filter.kind === 'payment') where.push("kind = 'payment'");
    if (filter.kind === 'give_back') where.push("kind IN ('cancel', 'refund')");
    if (filter.shop !== undefined) add((p) => `shop = ${p}`, filter.shop);
    if (filter.till !== undefined) add((p) => `till = ${p}`, filter.till);
    if (filter.from !== undefined) add((p) => `created_at >= ${p}`, filter.from);
    if (filter.to !== undefined) add((p) => `created_at < ${p}`, filter.to);
    if (filter.cursor) {
      const c = decodeCursor(filter.cursor);
      params.push(c.createdAt, c.id);
      where.push(`(created_at < $${params.length - 1} OR (created_at = $${params.length - 1} AND id COLLATE "C" < $${params.length}))`);
    }
    params.push(filter.limit + 1);
    // COLLATE "C": ids compare byte for byte, as SQLite compares them, so pages never depend on the server's locale.
    const { rows } = await this.query<TransactionRow>(
      `SELECT * FROM transactions ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id COLLATE "C" DESC LIMIT $${params.length}`,
      params,
    );
    return pageOf(rows, filter.limit);
  }

  async periodTotals(from: number, to: number, scope: TotalsScope = {}): Promise<PeriodTotalsRow[]> {
    const params: (number | string)[] = [from, to];
    const narrow = scopeSql(scope, '', params);
    const { rows } = await this.query<PeriodTotalsRow>(
      `SELECT method, kind, status, terminal, COUNT(*) AS count, SUM(amount)::bigint AS amount, SUM(refunded_amount)::bigint AS refunded
       FROM transactions WHERE created_at >= $1 AND created_at < $2${narrow} GROUP BY method, kind, status, terminal`,
      params,
    );
    return rows;
  }

  async bucketTotals(boundaries: readonly number[], scope: TotalsScope = {}): Promise<BucketTotalsRow[]> {
    if (boundaries.length < 2) return [];
    const params: (number | string)[] = [boundaries[0]!, boundaries.at(-1)!];
    const buckets = boundaries.slice(1).map((to, i) => {
      params.push(boundaries[i]!, to);
      return `(${i}, $${params.length - 1}::bigint, $${params.length}::bigint)`;
    });
    const narrow = scopeSql(scope, 't.', params);
    // The outer range keeps the scan on transactions_created; the join only names each row's bucket.
    const { rows } = await this.query<BucketTotalsRow>(
      `WITH b (i, lo, hi) AS (VALUES ${buckets.join(', ')})
       SELECT b.i AS bucket, t.method, t.kind, t.status, COUNT(*) AS count, SUM(t.amount)::bigint AS amount
       FROM transactions t JOIN b ON t.created_at >= b.lo AND t.created_at < b.hi
       WHERE t.created_at >= $1 AND t.created_at < $2 AND t.status IN ('succeeded', 'cancelled', 'refunded')${narrow}
       GROUP BY b.i, t.method, t.kind, t.status`,
      params,
    );
    return rows.map((r) => ({ ...r, bucket: Number(r.bucket), count: Number(r.count), amount: Number(r.amount) }));
  }

  async tillsIn(from: number, to: number, shop?: string): Promise<{ shop: string | null; till: string }[]> {
    const params: (number | string)[] = [from, to];
    const narrow = scopeSql({ shop }, '', params);
    const { rows } = await this.query<{ shop: string | null; till: string }>(
      `SELECT DISTINCT shop, till FROM transactions WHERE created_at >= $1 AND created_at < $2 AND till IS NOT NULL${narrow}`,
      params,
    );
    return rows;
  }

  async giveBacksOf(originalId: string): Promise<Transaction[]> {
    const { rows } = await this.query<TransactionRow>(`SELECT * FROM transactions WHERE original_id = $1 ORDER BY created_at, id COLLATE "C"`, [originalId]);
    return rows.map(rowToTransaction);
  }

  async oldestUnknown(limit: number): Promise<Transaction[]> {
    const { rows } = await this.query<TransactionRow>(
      `SELECT * FROM transactions WHERE status IN ('pending', 'unknown') AND status = 'unknown' ORDER BY created_at, id COLLATE "C" LIMIT $1`,
      [limit],
    );
    return rows.map(rowToTransaction);
  }

  async listShiftCloses(filter: ShiftCloseFilter): Promise<ShiftClose[]> {
    const where: string[] = [];
    const params: unknown[] = [filter.limit];
    if (filter.terminal) {
      params.push(filter.terminal);
      where.push(`terminal = $${params.length}`);
    }
    if (filter.mismatchedSince !== undefined) {
      params.push(filter.mismatchedSince);
      where.push(`matched = 0 AND closed_at >= $${params.length}`);
    }
    if (filter.unknownUnresolved) where.push(UNKNOWN_UNRESOLVED_SQL);
    const { rows } = await this.query<ShiftCloseRow>(`SELECT * FROM shift_closes ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY closed_at DESC LIMIT $1`, params);
    return rows.map(rowToShiftClose);
  }

  async latestShift(terminal: string): Promise<number | null> {
    const { rows } = await this.query<{ shift: number | null }>('SELECT MAX(shift_number) AS shift FROM transactions WHERE terminal = $1 AND shift_number IS NOT NULL', [terminal]);
    return rows[0]?.shift ?? null;
  }

  async openCounts(): Promise<OpenCounts> {
    const [transactions, handoffs, conflicts, closes] = await Promise.all([
      this.query<OpenCounts['transactions'][number]>(`SELECT method, status, COUNT(*) AS count FROM transactions WHERE status IN ('pending', 'unknown') GROUP BY method, status`),
      this.query<{ open: number | null; unknown: number | null }>(HANDOFF_COUNTS_SQL),
      this.query<{ count: number }>(`SELECT COUNT(*) AS count FROM operation_conflicts WHERE state = 'open'`),
      this.query<{ count: number }>(`SELECT COUNT(*) AS count FROM shift_closes WHERE ${UNKNOWN_UNRESOLVED_SQL}`),
    ]);
    return {
      transactions: transactions.rows,
      handoffsPending: Number(handoffs.rows[0]!.open ?? 0),
      handoffsUnknown: Number(handoffs.rows[0]!.unknown ?? 0),
      shiftClosesUnknown: closes.rows[0]!.count,
      conflictsOpen: conflicts.rows[0]!.count,
    };
  }

  async health(): Promise<JournalHealth> {
    try {
      const { rows } = await this.query<{ v: string }>("SELECT current_setting('server_version') AS v");
      return { engine: this.engine, ok: true, detail: `schema v${this.schema}, PostgreSQL ${rows[0]!.v}, ${this.where}` };
    } catch (err) {
      return { engine: this.engine, ok: false, detail: maskUrlPassword((err as Error).message) };
    }
  }

  private closed = false;

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

/** The conditions that narrow a totals query to a shop or a till (`prefix`: the table's alias), their values appended to `params`. */
function scopeSql(scope: TotalsScope, prefix: string, params: (number | string)[]): string {
  let sql = '';
  if (scope.shop !== undefined) {
    params.push(scope.shop);
    sql += ` AND ${prefix}shop = $${params.length}`;
  }
  if (scope.till !== undefined) {
    params.push(scope.till);
    sql += ` AND ${prefix}till = $${params.length}`;
  }
  return sql;
}
