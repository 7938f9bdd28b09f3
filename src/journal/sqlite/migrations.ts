/**
 * Schema versions of the embedded journal, applied in order and recorded in `PRAGMA user_version`.
 * Append only: a migration that has shipped is never edited, a change is a new entry.
 */
export const SQLITE_MIGRATIONS: readonly string[] = [
  // 1: transactions and their timeline
  `
  CREATE TABLE transactions (
    id                  TEXT PRIMARY KEY,
    method              TEXT    NOT NULL,
    status              TEXT    NOT NULL,
    amount              INTEGER NOT NULL CHECK (amount > 0),
    qr_code_masked      TEXT,
    qr_code_hash        TEXT,
    provider_payment_id TEXT,
    client_phone_number TEXT,
    provider_message    TEXT,
    error_code          INTEGER,
    error_message       TEXT,
    error_data          TEXT,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX transactions_created ON transactions (created_at DESC, id DESC);
  CREATE INDEX transactions_status_created ON transactions (status, created_at DESC, id DESC);
  CREATE INDEX transactions_method_created ON transactions (method, created_at DESC, id DESC);
  CREATE INDEX transactions_qr_hash ON transactions (qr_code_hash) WHERE qr_code_hash IS NOT NULL;

  CREATE TABLE transaction_events (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    transaction_id TEXT    NOT NULL REFERENCES transactions (id),
    at             INTEGER NOT NULL,
    status         TEXT    NOT NULL,
    step           TEXT    NOT NULL,
    detail         TEXT
  ) STRICT;
  CREATE INDEX transaction_events_tx ON transaction_events (transaction_id, seq);
  `,
  // 2: money given back, and fiscal receipt hand-offs
  `
  ALTER TABLE transactions ADD COLUMN refunded_amount INTEGER NOT NULL DEFAULT 0 CHECK (refunded_amount >= 0 AND refunded_amount <= amount);
  CREATE INDEX transactions_provider_payment ON transactions (method, provider_payment_id) WHERE provider_payment_id IS NOT NULL;

  CREATE TABLE fiscal_handoffs (
    id              TEXT PRIMARY KEY,
    method          TEXT    NOT NULL,
    payment_id      TEXT    NOT NULL,
    transaction_id  TEXT    REFERENCES transactions (id),
    receipt         TEXT    NOT NULL,
    state           TEXT    NOT NULL CHECK (state IN ('pending', 'submitted', 'refused')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER,
    last_error      TEXT,
    result          TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
  ) STRICT;
  CREATE UNIQUE INDEX fiscal_handoffs_payment ON fiscal_handoffs (method, payment_id);
  CREATE INDEX fiscal_handoffs_due ON fiscal_handoffs (state, next_attempt_at);
  `,
  // 3: card terminals: the facts of a slip, returns as rows of their own, shift closes
  `
  ALTER TABLE transactions ADD COLUMN kind TEXT NOT NULL DEFAULT 'payment' CHECK (kind IN ('payment', 'cancel', 'refund'));
  ALTER TABLE transactions ADD COLUMN original_id TEXT REFERENCES transactions (id);
  ALTER TABLE transactions ADD COLUMN terminal TEXT;
  ALTER TABLE transactions ADD COLUMN receipt_number INTEGER;
  ALTER TABLE transactions ADD COLUMN shift_number INTEGER;
  ALTER TABLE transactions ADD COLUMN auth_code TEXT;
  ALTER TABLE transactions ADD COLUMN slip TEXT;
  CREATE INDEX transactions_terminal_shift ON transactions (terminal, shift_number) WHERE terminal IS NOT NULL;
  CREATE INDEX transactions_original ON transactions (original_id) WHERE original_id IS NOT NULL;

  CREATE TABLE shift_closes (
    id              TEXT    PRIMARY KEY,
    terminal        TEXT    NOT NULL,
    shift_number    INTEGER,
    closed_at       INTEGER NOT NULL,
    report          TEXT    NOT NULL,
    terminal_totals TEXT,
    journal_totals  TEXT    NOT NULL,
    matched         INTEGER
  ) STRICT;
  CREATE INDEX shift_closes_terminal ON shift_closes (terminal, closed_at DESC);
  `,
  // 4: idempotency keys, and the index recovery walks
  `
  CREATE TABLE idempotency_keys (
    key            TEXT    NOT NULL,
    scope          TEXT    NOT NULL,
    fingerprint    TEXT    NOT NULL,
    state          TEXT    NOT NULL CHECK (state IN ('in_progress', 'done')),
    owner          TEXT    NOT NULL,
    transaction_id TEXT,
    response       TEXT,
    created_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
  ) STRICT;
  CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);
  CREATE INDEX transactions_unsettled ON transactions (created_at) WHERE status IN ('pending', 'unknown');
  `,
  // 5: where a transaction was taken (shop, till, PayBridge instance), and who holds it for recovery
  `
  ALTER TABLE transactions ADD COLUMN shop TEXT;
  ALTER TABLE transactions ADD COLUMN till TEXT;
  ALTER TABLE transactions ADD COLUMN instance TEXT;
  ALTER TABLE transactions ADD COLUMN claimed_by TEXT;
  ALTER TABLE transactions ADD COLUMN claim_expires_at INTEGER;
  CREATE INDEX transactions_shop_till_created ON transactions (shop, till, created_at DESC, id DESC);
  `,
  // 6: money given back is a ledger: every give-back is a row of its own (kind cancel/refund, original_id).
  // QR give-backs made before were a counter on the payment; each becomes one succeeded row for the
  // amount the rows do not yet account for, so Σ(succeeded give-backs) = refunded_amount everywhere.
  `
  INSERT INTO transactions (id, method, status, amount, kind, original_id, shop, till, instance, created_at, updated_at)
  SELECT lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-8' || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))),
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
  // 7: a shift close is journaled before the terminal hears of it, and keeps where it stands
  `
  ALTER TABLE shift_closes ADD COLUMN state TEXT NOT NULL DEFAULT 'closed' CHECK (state IN ('sent', 'closed', 'refused', 'not_sent', 'unknown'));
  `,
  // 8: a reconciliation that compared nothing says why, and the terminal's own verdict on its host
  // reconciliation («Итоги совпали») is kept apart from PayBridge's comparison
  `
  ALTER TABLE shift_closes ADD COLUMN reason TEXT;
  ALTER TABLE shift_closes ADD COLUMN host_reconciliation TEXT;
  `,
  // 9: one authority per row. A claim's epoch changes every time it changes hands, and every state
  // write compares it (fenced writes); proven verdicts that meet a row settled otherwise are kept as
  // conflicts. Fiscal hand-offs and shift closes are claimed the same way, and a hand-off whose
  // answer was lost is 'unknown' (the state's CHECK needs the table rebuilt in SQLite).
  `
  ALTER TABLE transactions ADD COLUMN claim_epoch INTEGER NOT NULL DEFAULT 0;
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
    created_at     INTEGER NOT NULL,
    resolved_at    INTEGER,
    resolution     TEXT
  ) STRICT;
  CREATE INDEX operation_conflicts_transaction ON operation_conflicts (transaction_id, state);
  CREATE INDEX operation_conflicts_open ON operation_conflicts (created_at) WHERE state = 'open';

  CREATE TABLE fiscal_handoffs_v9 (
    id               TEXT PRIMARY KEY,
    method           TEXT    NOT NULL,
    payment_id       TEXT    NOT NULL,
    transaction_id   TEXT    REFERENCES transactions (id),
    receipt          TEXT    NOT NULL,
    state            TEXT    NOT NULL CHECK (state IN ('pending', 'submitted', 'refused', 'unknown')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER,
    last_error       TEXT,
    result           TEXT,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    claimed_by       TEXT,
    claim_epoch      INTEGER NOT NULL DEFAULT 0,
    claim_expires_at INTEGER
  ) STRICT;
  INSERT INTO fiscal_handoffs_v9 (id, method, payment_id, transaction_id, receipt, state, attempts, next_attempt_at, last_error, result, created_at, updated_at)
    SELECT id, method, payment_id, transaction_id, receipt, state, attempts, next_attempt_at, last_error, result, created_at, updated_at FROM fiscal_handoffs;
  DROP TABLE fiscal_handoffs;
  ALTER TABLE fiscal_handoffs_v9 RENAME TO fiscal_handoffs;
  CREATE UNIQUE INDEX fiscal_handoffs_payment ON fiscal_handoffs (method, payment_id);
  CREATE INDEX fiscal_handoffs_due ON fiscal_handoffs (state, next_attempt_at);
  CREATE INDEX fiscal_handoffs_transaction ON fiscal_handoffs (transaction_id);

  ALTER TABLE shift_closes ADD COLUMN claimed_by TEXT;
  ALTER TABLE shift_closes ADD COLUMN claim_epoch INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE shift_closes ADD COLUMN claim_expires_at INTEGER;
  `,
  // 10: wallet reconciliations of shop days, and the answers each run learnt (a run resumes from them)
  `
  CREATE TABLE wallet_runs (
    id               TEXT    PRIMARY KEY,
    scope            TEXT    NOT NULL,
    shop_date        TEXT    NOT NULL,
    methods          TEXT    NOT NULL,
    state            TEXT    NOT NULL CHECK (state IN ('running', 'done')),
    started_at       INTEGER NOT NULL,
    finished_at      INTEGER,
    claimed_by       TEXT,
    claim_epoch      INTEGER NOT NULL DEFAULT 1,
    claim_expires_at INTEGER,
    report           TEXT
  ) STRICT;
  CREATE UNIQUE INDEX wallet_runs_running ON wallet_runs (scope, shop_date) WHERE state = 'running';
  CREATE INDEX wallet_runs_day ON wallet_runs (scope, shop_date, started_at);
  CREATE TABLE wallet_run_answers (
    run_id  TEXT    NOT NULL REFERENCES wallet_runs (id),
    key     TEXT    NOT NULL,
    answer  TEXT    NOT NULL,
    at      INTEGER NOT NULL,
    PRIMARY KEY (run_id, key)
  ) STRICT;
  `,
  // 11: the rows a process holds claimed, so that a start lets go of a dead process's claims through
  // an index of the few in flight instead of a scan of the whole journal (docs/performance.md, 4)
  `
  CREATE INDEX transactions_claimed ON transactions (claimed_by) WHERE claimed_by IS NOT NULL;
  CREATE INDEX fiscal_handoffs_claimed ON fiscal_handoffs (claimed_by) WHERE claimed_by IS NOT NULL;
  CREATE INDEX shift_closes_claimed ON shift_closes (claimed_by) WHERE claimed_by IS NOT NULL;
  `,
];