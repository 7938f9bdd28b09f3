/**
 * Schema versions of the central journal, applied in order, each recorded as a row of
 * `schema_version`. Append only: a migration that has shipped is never edited, a change is a new
 * entry. The columns are the embedded journal's (src/journal/sqlite/migrations.ts, all five of its
 * versions at once), so a till's journal copies over column for column: money and times BIGINT
 * (tiyin, epoch ms), JSON as TEXT exactly as SQLite keeps it.
 */
export const POSTGRES_MIGRATIONS: readonly string[] = [
  // 1: everything the embedded journal had at its version 5
  `
  CREATE TABLE transactions (
    id                  TEXT PRIMARY KEY,
    method              TEXT    NOT NULL,
    status              TEXT    NOT NULL,
    amount              BIGINT  NOT NULL CHECK (amount > 0),
    qr_code_masked      TEXT,
    qr_code_hash        TEXT,
    provider_payment_id TEXT,
    client_phone_number TEXT,
    provider_message    TEXT,
    refunded_amount     BIGINT  NOT NULL DEFAULT 0 CHECK (refunded_amount >= 0 AND refunded_amount <= amount),
    kind                TEXT    NOT NULL DEFAULT 'payment' CHECK (kind IN ('payment', 'cancel', 'refund')),
    original_id         TEXT    REFERENCES transactions (id),
    terminal            TEXT,
    receipt_number      BIGINT,
    shift_number        BIGINT,
    auth_code           TEXT,
    slip                TEXT,
    error_code          INTEGER,
    error_message       TEXT,
    error_data          TEXT,
    shop                TEXT,
    till                TEXT,
    instance            TEXT,
    claimed_by          TEXT,
    claim_expires_at    BIGINT,
    created_at          BIGINT  NOT NULL,
    updated_at          BIGINT  NOT NULL
  );
  CREATE INDEX transactions_created ON transactions (created_at DESC, id DESC);
  CREATE INDEX transactions_status_created ON transactions (status, created_at DESC, id DESC);
  CREATE INDEX transactions_method_created ON transactions (method, created_at DESC, id DESC);
  CREATE INDEX transactions_shop_till_created ON transactions (shop, till, created_at DESC, id DESC);
  CREATE INDEX transactions_qr_hash ON transactions (qr_code_hash) WHERE qr_code_hash IS NOT NULL;
  CREATE INDEX transactions_provider_payment ON transactions (method, provider_payment_id) WHERE provider_payment_id IS NOT NULL;
  CREATE INDEX transactions_terminal_shift ON transactions (terminal, shift_number) WHERE terminal IS NOT NULL;
  CREATE INDEX transactions_original ON transactions (original_id) WHERE original_id IS NOT NULL;
  CREATE INDEX transactions_unsettled ON transactions (created_at) WHERE status IN ('pending', 'unknown');

  CREATE TABLE transaction_events (
    seq            BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    transaction_id TEXT    NOT NULL REFERENCES transactions (id),
    at             BIGINT  NOT NULL,
    status         TEXT    NOT NULL,
    step           TEXT    NOT NULL,
    detail         TEXT
  );
  CREATE INDEX transaction_events_tx ON transaction_events (transaction_id, seq);

  CREATE TABLE fiscal_handoffs (
    id              TEXT PRIMARY KEY,
    method          TEXT    NOT NULL,
    payment_id      TEXT    NOT NULL,
    transaction_id  TEXT    REFERENCES transactions (id),
    receipt         TEXT    NOT NULL,
    state           TEXT    NOT NULL CHECK (state IN ('pending', 'submitted', 'refused')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT,
    last_error      TEXT,
    result          TEXT,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL
  );
  CREATE UNIQUE INDEX fiscal_handoffs_payment ON fiscal_handoffs (method, payment_id);
  CREATE INDEX fiscal_handoffs_due ON fiscal_handoffs (state, next_attempt_at);
  CREATE INDEX fiscal_handoffs_transaction ON fiscal_handoffs (transaction_id);

  CREATE TABLE shift_closes (
    id              TEXT    PRIMARY KEY,
    terminal        TEXT    NOT NULL,
    shift_number    BIGINT,
    closed_at       BIGINT  NOT NULL,
    report          TEXT    NOT NULL,
    terminal_totals TEXT,
    journal_totals  TEXT    NOT NULL,
    matched         INTEGER
  );
  CREATE INDEX shift_closes_terminal ON shift_closes (terminal, closed_at DESC);

  CREATE TABLE idempotency_keys (
    key            TEXT    NOT NULL,
    scope          TEXT    NOT NULL,
    fingerprint    TEXT    NOT NULL,
    state          TEXT    NOT NULL CHECK (state IN ('in_progress', 'done')),
    owner          TEXT    NOT NULL,
    transaction_id TEXT,
    response       TEXT,
    created_at     BIGINT  NOT NULL,
    expires_at     BIGINT  NOT NULL,
    PRIMARY KEY (scope, key)
  );
  CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);
  `,
  // 2: money given back is a ledger (the SQLite journal's migration 6).
  `
  INSERT INTO transactions (id, method, status, amount, kind, original_id, shop, till, instance, created_at, updated_at)
  SELECT uuid_in(md5(p.id || ' given back')::cstring)::text,
         p.method, 'succeeded', p.refunded_amount - COALESCE((SELECT SUM(g.amount) FROM transactions g WHERE g.original_id = p.id AND g.status = 'succeeded'), 0),
         CASE WHEN p.status = 'cancelled' THEN 'cancel' ELSE 'refund' END, p.id, p.shop, p.till, p.instance, p.updated_at, p.updated_at
  FROM transactions p
  WHERE p.kind = 'payment'
    AND p.refunded_amount > COALESCE((SELECT SUM(g.amount) FROM transactions g WHERE g.original_id = p.id AND g.status = 'succeeded'), 0);
  INSERT INTO transaction_events (transaction_id, at, status, step, detail)
  SELECT t.id, t.created_at, 'succeeded', 'migrated', '{"reason":"given back before give-backs were journaled as operations of their own (schema 6)"}'
  FROM transactions t WHERE t.kind <> 'payment' AND t.original_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM transaction_events e WHERE e.transaction_id = t.id);
  CREATE INDEX transactions_original_status ON transactions (original_id, status) WHERE original_id IS NOT NULL;
  `,
  // 3: a shift close is journaled before the terminal hears of it, and keeps where it stands
  `
  ALTER TABLE shift_closes ADD COLUMN state TEXT NOT NULL DEFAULT 'closed' CHECK (state IN ('sent', 'closed', 'refused', 'not_sent', 'unknown'));
  `,
  // 4: a reconciliation that compared nothing says why, and the terminal's own verdict on its host
  // reconciliation («Итоги совпали») is kept apart from PayBridge's comparison (the SQLite journal's migration 8)
  `
  ALTER TABLE shift_closes ADD COLUMN reason TEXT;
  ALTER TABLE shift_closes ADD COLUMN host_reconciliation TEXT;
  `,
  // 5: one authority per row: claim epochs and fenced writes, conflicts, claimed fiscal hand-offs
  // (with 'unknown') and shift closes (the SQLite journal's migration 9)
  `
  ALTER TABLE transactions ADD COLUMN claim_epoch BIGINT NOT NULL DEFAULT 0;
  CREATE TABLE operation_conflicts (
    id             TEXT    PRIMARY KEY,
    transaction_id TEXT    NOT NULL REFERENCES transactions (id),
    kind           TEXT    NOT NULL CHECK (kind IN ('contradicted', 'unrecorded')),
    writer         TEXT    NOT NULL,
    journal_status TEXT    NOT NULL,
    holder         TEXT,
    proven         TEXT    NOT NULL CHECK (proven IN ('succeeded')),
    verdict        TEXT    NOT NULL,
    state          TEXT    NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'resolved')),
    created_at     BIGINT  NOT NULL,
    resolved_at    BIGINT,
    resolution     TEXT
  );
  CREATE INDEX operation_conflicts_transaction ON operation_conflicts (transaction_id, state);
  CREATE INDEX operation_conflicts_open ON operation_conflicts (created_at) WHERE state = 'open';

  ALTER TABLE fiscal_handoffs DROP CONSTRAINT fiscal_handoffs_state_check;
  ALTER TABLE fiscal_handoffs ADD CONSTRAINT fiscal_handoffs_state_check CHECK (state IN ('pending', 'submitted', 'refused', 'unknown'));
  ALTER TABLE fiscal_handoffs ADD COLUMN claimed_by TEXT;
  ALTER TABLE fiscal_handoffs ADD COLUMN claim_epoch BIGINT NOT NULL DEFAULT 0;
  ALTER TABLE fiscal_handoffs ADD COLUMN claim_expires_at BIGINT;

  ALTER TABLE shift_closes ADD COLUMN claimed_by TEXT;
  ALTER TABLE shift_closes ADD COLUMN claim_epoch BIGINT NOT NULL DEFAULT 0;
  ALTER TABLE shift_closes ADD COLUMN claim_expires_at BIGINT;
  `,
  // 6: wallet reconciliations of shop days, and the answers each run learnt (the SQLite journal's migration 10)
  `
  CREATE TABLE wallet_runs (
    id               TEXT    PRIMARY KEY,
    scope            TEXT    NOT NULL,
    shop_date        TEXT    NOT NULL,
    methods          TEXT    NOT NULL,
    state            TEXT    NOT NULL CHECK (state IN ('running', 'done')),
    started_at       BIGINT  NOT NULL,
    finished_at      BIGINT,
    claimed_by       TEXT,
    claim_epoch      BIGINT  NOT NULL DEFAULT 1,
    claim_expires_at BIGINT,
    report           TEXT
  );
  CREATE UNIQUE INDEX wallet_runs_running ON wallet_runs (scope, shop_date) WHERE state = 'running';
  CREATE INDEX wallet_runs_day ON wallet_runs (scope, shop_date, started_at);
  CREATE TABLE wallet_run_answers (
    run_id  TEXT    NOT NULL REFERENCES wallet_runs (id),
    key     TEXT    NOT NULL,
    answer  TEXT    NOT NULL,
    at      BIGINT  NOT NULL,
    PRIMARY KEY (run_id, key)
  );
  `,
];
/** The oldest PostgreSQL whose SQL these migrations and queries use (identity columns, SKIP LOCKED). */
export const MIN_SERVER_VERSION_NUM = 120_000;

/**
 * The oldest schema version this PayBridge can still migrate forward. Raised only when a release
 * drops an upgrade path; a database below it is refused rather than half-migrated.
 */
export const MIN_MIGRATABLE_VERSION = 0;
