import type { TransactionStatus } from '../state-machine.js';
import type {
  FiscalHandoff,
  HandoffState,
  PaymentMethod,
  ShiftClose,
  ShiftCloseState,
  Transaction,
  TransactionError,
  TransactionKind,
  TransactionWithEvents,
} from '../transaction.js';
import type { ShiftTotals } from './terminal.js';
import type { GiveBackLedger } from '../give-back-ledger.js';

export type { GiveBackLedger };

/**
 * Decides, from the payment and its give-back ledger as they are inside the reserving database
 * transaction, what give-back to journal; throws (a refusal) to journal nothing. Pure and
 * synchronous in spirit: it may run while the payment's row is locked.
 */
export type GiveBackPlan = (original: Transaction, ledger: GiveBackLedger) => { tx: NewTransaction & { kind: 'cancel' | 'refund' }; step: JournalEntryStep };

export interface GiveBackReservation {
  original: Transaction;
  giveBack: Transaction;
  /** The ledger with this give-back reserved. */
  ledger: GiveBackLedger;
}

export interface NewTransaction {
  id: string;
  method: PaymentMethod;
  amount: number;
  qrCodeMasked: string | null;
  qrCodeHash: string | null;
  createdAt: number;
  kind?: TransactionKind;
  originalId?: string | null;
  terminal?: string | null;
}

/** Fields a step may fill in; absent fields keep their value. */
export interface TransactionPatch {
  providerPaymentId?: string | null;
  clientPhoneNumber?: string | null;
  providerMessage?: string | null;
  receiptNumber?: number | null;
  shiftNumber?: number | null;
  authCode?: string | null;
  slip?: string | null;
  error?: TransactionError | null;
}

export type NewHandoff = Omit<FiscalHandoff, 'attempts' | 'nextAttemptAt' | 'lastError' | 'result' | 'updatedAt' | 'claim'> & {
  /** When a sweep may first try it (epoch ms, journal's clock); absent or null: at once. */
  nextAttemptAt?: number | null;
};

export interface HandoffPatch {
  state?: HandoffState;
  attempts?: number;
  /**
   * When a sweep may try it next: this many ms from now on the journal's clock (the clock its
   * due-ness is judged by); null: at once.
   */
  retryInMs?: number | null;
  lastError?: string | null;
  result?: unknown;
  receipt?: FiscalHandoff['receipt'];
}

/** Who holds a row being journaled, and for how long from now on the journal's clock. */
export interface NewClaim {
  owner: string;
  leaseMs: number;
}

/** What taking a claim on one fiscal hand-off came to. */
export type HandoffClaimAttempt =
  | { taken: true; handoff: FiscalHandoff & { claim: ClaimHeld } }
  /** Held by someone else (`holder`), delivered (`holder` null), not due, or missing (`handoff` undefined). */
  | { taken: false; handoff: FiscalHandoff | undefined; holder: ClaimHeld | null };

/** What taking a claim on one shift close came to. */
export type ShiftCloseClaimAttempt =
  | { taken: true; close: ShiftClose; claim: ClaimHeld }
  /** Held by someone else (`holder`), settled (`holder` null), or missing (`close` undefined). */
  | { taken: false; close: ShiftClose | undefined; holder: ClaimHeld | null };

export interface JournalEntryStep {
  step: string;
  /** Evidence for the step; the journal masks it again before writing. */
  detail?: unknown;
  at?: number;
}

export interface TransactionFilter {
  method?: PaymentMethod;
  shop?: string;
  till?: string;
  status?: TransactionStatus;
  /** Payments only, or give-backs only (cancels and refunds, foreign ones included). */
  kind?: 'payment' | 'give_back';
  /** Inclusive lower bound on creation time, epoch ms. */
  from?: number;
  /** Exclusive upper bound on creation time, epoch ms. */
  to?: number;
  limit: number;
  cursor?: string;
}

export interface TransactionPage {
  items: Transaction[];
  /** Pass back as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

/** Who writes: stamped on every transaction this journal records. */
export interface JournalOrigin {
  /** This PayBridge process; also the holder of the claims it takes. */
  instance: string;
  shop?: string | undefined;
  till?: string | undefined;
  /**
   * How long a transaction just recorded stays claimed by its writer: the request working on it
   * owns it, and recovery elsewhere leaves it alone until then (or until it settles).
   */
  inFlightLeaseMs: number;
}

/**
 * The right to write an operation's state: who holds its row, and the epoch the row's claim had when
 * they took it. The epoch changes every time the claim changes hands, and every state write is a
 * compare-and-set on it (and on the status), so a writer whose claim lapsed and was taken over — a
 * recovery pass on a stale snapshot, a request whose renewals failed, another instance, an operator
 * — writes nothing, whatever its own clock says.
 */
export interface Fence {
  owner: string;
  epoch: number;
}

/** A claim as the row holds it; `expiresAt` is on the journal's clock. */
export interface ClaimHeld extends Fence {
  expiresAt: number;
}

/** The fence a transaction's row stands under, for the holder that just read it; undefined when nobody holds it. */
export function fenceOf(tx: Transaction): Fence | undefined {
  return tx.claim ? { owner: tx.claim.owner, epoch: tx.claim.epoch } : undefined;
}

/** What taking a claim on one transaction came to. */
export type ClaimAttempt =
  | { taken: true; tx: Transaction & { claim: ClaimHeld } }
  /** Held by someone else (`holder`), or settled (`holder` null: a final status is nobody's work). */
  | { taken: false; tx: Transaction; holder: ClaimHeld | null }
  | { taken: false; tx: undefined; holder: null };

/**
 * A verdict that proved money moved and could not be written as such: the row was settled
 * otherwise by someone else (`contradicted`), or the writer had lost its claim while the row was still
 * open, or the journal could not take the write at all (`unrecorded`). Never dropped: journaled, shown
 * to the operator, and a give-back's amount stays reserved while it is open.
 */
export interface NewConflict {
  id: string;
  transactionId: string;
  kind: 'contradicted' | 'unrecorded';
  /** The holder whose verdict it is. */
  writer: string;
  /** The row's status when the proof met it. */
  journalStatus: TransactionStatus;
  /** Who held the row then (null: nobody, or it was settled). */
  holder: string | null;
  /** What the verdict says: always money that moved, so far `succeeded`. */
  proven: 'succeeded';
  /** The verdict's step, facts and evidence, as the engine would have written them. */
  verdict: { step: string; facts: TransactionPatch; detail?: unknown };
  createdAt: number;
}

export interface OperationConflict extends NewConflict {
  state: 'open' | 'resolved';
  resolvedAt: number | null;
  /** Who decided, how and why; or `agreed` when the row came to say the same by itself. */
  resolution: { by: string; decision: 'accepted' | 'dismissed' | 'agreed'; reason: string } | null;
}

/**
 * The holder a live request's claim is written under: distinct from the instance's recovery claims,
 * so that recovery never mistakes a request under way (even in its own process) for its own work.
 */
export function liveClaimOwner(instance: string): string {
  return `${instance}${LIVE_SUFFIX}`;
}

export const LIVE_SUFFIX = '#live';

/** The writer a journal opened without an origin (a tool, a test) claims its new rows as. */
export const UNNAMED_WRITER = 'paybridge';
/** A new row's claim when the journal was given no lease of its own. */
export const DEFAULT_LEASE_MS = 60_000;

export interface JournalHealth {
  engine: string;
  ok: boolean;
  detail: string;
  /** Bytes free on the journal's volume, where the journal is a local file (SQLite). */
  free_bytes?: number;
  /** The free space is below the configured threshold (journal.low_space_mb): a warning, the journal still writes. */
  low_space?: boolean;
  /** A sentence for whoever reads /health, with `low_space`. */
  warning?: string;
}

/** The free space of a local journal's volume (see JournalHealth). */
export interface JournalSpace {
  freeBytes: number;
  totalBytes: number;
  /** Below the threshold the journal was configured with. */
  low: boolean;
}

/**
 * Where every payment is written down before anything is sent anywhere. One interface, several
 * engines (embedded SQLite for one till; PostgreSQL shared by the tills of a chain). Every write is
 * durable when its promise resolves.
 */
/** Transactions created in a period, grouped: what a day's totals are made of. */
export interface PeriodTotalsRow {
  method: PaymentMethod;
  kind: 'payment' | 'cancel' | 'refund';
  status: TransactionStatus;
  terminal: string | null;
  count: number;
  /** Sum of `amount`, tiyin. */
  amount: number;
  /** Sum of `refunded_amount` (derived from the succeeded give-backs), tiyin. */
  refunded: number;
}

/**
 * Money that moved in one bucket of time (bucket i is [boundaries[i], boundaries[i + 1])): settled
 * transactions only (succeeded, cancelled, refunded), by method, kind and status.
 */
export interface BucketTotalsRow {
  bucket: number;
  method: PaymentMethod;
  kind: 'payment' | 'cancel' | 'refund';
  status: TransactionStatus;
  count: number;
  /** Sum of `amount`, tiyin. */
  amount: number;
}

export interface ShiftCloseFilter {
  terminal?: string;
  limit: number;
  /** Only reconciliations whose totals differed (matched false), closed at or after this epoch ms. */
  mismatchedSince?: number;
  /**
   * Only closes whose outcome is `unknown` and that no later `closed` close of the same terminal
   * has overtaken (once one has, whatever shift was open then is closed).
   */
  unknownUnresolved?: boolean;
}

export interface OpenCounts {
  transactions: { method: PaymentMethod; status: 'pending' | 'unknown'; count: number }[];
  /** Fiscal hand-offs not yet delivered: `pending` and `unknown` ones. */
  handoffsPending: number;
  /** Of those, the ones that may already be at the provider (`unknown`). */
  handoffsUnknown: number;
  /** Shift closes whose outcome is `unknown` and not overtaken by a later close (see ShiftCloseFilter). */
  shiftClosesUnknown: number;
  /** Proven verdicts that met a row settled otherwise, or could not be written (see NewConflict). */
  conflictsOpen: number;
}

/**
 * One wallet reconciliation of a shop day (src/payments/wallet-reconciliation.ts): run by one
 * PayBridge at a time under a claim like any row's, its answers kept as they come so a run taken
 * over after a crash or a restart resumes without asking again what it already learnt.
 */
export interface WalletRun {
  id: string;
  /** Whose day: "shop/till" of the PayBridge that runs it (each till asks with its own credentials). */
  scope: string;
  date: string;
  methods: string[];
  state: 'running' | 'done';
  startedAt: number;
  finishedAt: number | null;
  claim: ClaimHeld | null;
  /** The finished run's report (src/payments/wallet-reconciliation.ts: WalletReport). */
  report: unknown;
}

export type WalletRunAttempt =
  /** A new run, or the day's running one taken over (resumed) with a new epoch. */
  | { taken: true; run: WalletRun & { claim: ClaimHeld }; resumed: boolean }
  /** The day's run is held by another PayBridge whose claim has not lapsed. */
  | { taken: false; run: WalletRun };

export interface WalletRunStore {
  /** Takes the running run of `scope`'s `date` (when nobody holds it, or `owner` does), or starts `fresh`. */
  startWalletRun(fresh: { id: string; scope: string; date: string; methods: string[] }, claim: NewClaim): Promise<WalletRunAttempt>;
  renewWalletRun(id: string, fence: Fence, leaseMs: number): Promise<boolean>;
  /** Keeps one answer learnt by a run (first one kept: an answer is a fact, never overwritten). */
  saveWalletAnswer(runId: string, key: string, answer: unknown): Promise<void>;
  walletAnswers(runId: string): Promise<Map<string, unknown>>;
  /** Ends the run with its report, if `fence` still holds it. */
  finishWalletRun(id: string, fence: Fence, report: unknown): Promise<boolean>;
  /** The newest run of `scope`'s `date`, running or done. */
  latestWalletRun(scope: string, date: string): Promise<WalletRun | undefined>;
  /** The newest finished run of each date from `fromDate` on (inclusive), oldest date first. */
  finishedWalletRuns(scope: string, fromDate: string): Promise<WalletRun[]>;
}

export interface Journal extends WalletRunStore {
  readonly engine: string;
  /**
   * Records a new transaction in `pending`, with its first timeline event — and, with `link`, ties
   * the request's idempotency key to it in the same write (refused whole, KeyTakenOverError, when
   * the key is no longer the request's).
   */
  insert(tx: NewTransaction, step: JournalEntryStep, link?: KeyLink): Promise<Transaction>;
  /**
   * Moves a transaction from `from` to `to` (the same status to only record a step) and applies the
   * patch, atomically with its timeline event — only while `fence` holds the row (its owner and
   * epoch are the row's claim; ClaimLostError otherwise). Rejects an illegal transition, and a
   * transaction that is no longer in `from` (StaleTransitionError). A final status lets the claim go.
   * A give-back that succeeds updates its payment in the same database transaction:
   * `refunded_amount` = Σ(succeeded give-backs), read under the payment's lock, and the status the
   * ledger stands for (see statusAfterGiveBacks). `correction`: an operator's acceptance of a proven
   * conflict, the one way a `failed` row becomes `succeeded`.
   */
  transition(
    id: string,
    from: TransactionStatus,
    to: TransactionStatus,
    patch: TransactionPatch,
    step: JournalEntryStep,
    fence: Fence,
    options?: { correction?: boolean },
  ): Promise<Transaction>;
  get(id: string): Promise<TransactionWithEvents | undefined>;
  /**
   * Journals a give-back (cancel or refund) of payment `originalId` and reserves its amount, in one
   * database transaction that holds the payment against every other PayBridge on the same database
   * (SQLite: the write lock; PostgreSQL: the payment's row locked FOR UPDATE): `plan` sees the
   * ledger as it is at that moment and either describes the give-back or throws a refusal, so
   * concurrent give-backs can never reserve more than was paid. The give-back row is live-claimed
   * by its writer like any new transaction.
   */
  reserveGiveBack(originalId: string, plan: GiveBackPlan, link?: KeyLink): Promise<GiveBackReservation>;
  /** The give-back ledger of a payment as the journal has it now. */
  giveBackLedger(originalId: string): Promise<GiveBackLedger>;
  /** The transaction a provider knows by this id (CLICK payment_id, Payme receipt _id). */
  findByProviderPaymentId(method: PaymentMethod, providerPaymentId: string): Promise<Transaction | undefined>;
  /**
   * Journals a new fiscal hand-off, held by `claim` (a new epoch, its lease on the journal's clock)
   * when one is given. Undefined, writing nothing, when the payment already has one: another request
   * or PayBridge journaled it first (one hand-off per method and payment id, decided by the database).
   */
  insertHandoff(handoff: NewHandoff, claim?: NewClaim): Promise<FiscalHandoff | undefined>;
  getHandoff(method: FiscalHandoff['method'], paymentId: string): Promise<FiscalHandoff | undefined>;
  /**
   * Writes a hand-off's new state and facts, only while `fence` holds it and it is still in `from`
   * (FencedWriteRefusedError otherwise, naming who holds it now). `submitted` lets the claim go.
   */
  updateHandoff(id: string, from: HandoffState, patch: HandoffPatch, fence: Fence): Promise<FiscalHandoff>;
  /**
   * Takes one hand-off for `owner`, for `leaseMs` (journal's clock), with a new epoch, unless it is
   * delivered or someone else holds it (or held: until their lease ran out). `due`: only a pending or
   * unknown one whose next attempt is due now (journal's clock). `retakeOwn`: also one `owner` holds
   * already (a sweep of this instance that died).
   */
  claimHandoff(id: string, owner: string, leaseMs: number, options?: { due?: boolean; retakeOwn?: boolean }): Promise<HandoffClaimAttempt>;
  /** Extends a hand-off's claim to `leaseMs` from now (journal's clock); false when `fence` no longer holds it. */
  renewHandoffClaim(id: string, fence: Fence, leaseMs: number): Promise<boolean>;
  /** Gives up a hand-off's claim, if `fence` still holds it. */
  releaseHandoffClaim(id: string, fence: Fence): Promise<void>;
  /**
   * Pending and unknown hand-offs due now (journal's clock) that `owner` could claim — nobody holds
   * them, their holder's lease ran out, or they are `owner`'s own — oldest first, at most `limit`.
   * Only a list: each is claimed (`claimHandoff` with `due`) right before it is attempted.
   */
  listDueHandoffs(limit: number, owner: string): Promise<FiscalHandoff[]>;
  /** The newest card payment on `terminal` with this RRN or receipt number. */
  findCardPayment(terminal: string, by: { rrn: string } | { receiptNumber: number }): Promise<Transaction | undefined>;
  /** Whether any operation on `terminal` was journaled after `createdAt`. */
  hasCardOperationAfter(terminal: string, createdAt: number): Promise<boolean>;
  /** The card operation of any kind (payment, cancel, refund) with this RRN. */
  findCardOperationByRrn(method: PaymentMethod, rrn: string): Promise<Transaction | undefined>;
  /** The newest card payment of `method` with this RRN, on any terminal. */
  findCardPaymentByRrn(method: PaymentMethod, rrn: string): Promise<Transaction | undefined>;
  /** What the journal saw approved on `terminal` during `shift`. */
  shiftTotals(terminal: string, shift: number): Promise<ShiftTotals>;
  /**
   * Journals a shift close (as `sent`, before the terminal hears of it) held by `claim`, with a new
   * epoch and its lease on the journal's clock; resolves to the claim.
   */
  insertShiftClose(close: ShiftClose, claim: NewClaim): Promise<ClaimHeld>;
  /**
   * Writes a close's state and findings in place, only while `fence` holds it and it is still in
   * `from` (FencedWriteRefusedError otherwise). A settled state (`closed`, `refused`, `not_sent`)
   * lets the claim go.
   */
  updateShiftClose(close: ShiftClose, from: ShiftCloseState, fence: Fence): Promise<void>;
  getShiftClose(id: string): Promise<ShiftClose | undefined>;
  /**
   * Takes an open close (`sent` or `unknown`) for `owner`, for `leaseMs` (journal's clock), with a
   * new epoch, unless someone else holds it and their lease has not run out (`retakeOwn`: `owner`'s
   * own claim is taken again).
   */
  claimShiftClose(id: string, owner: string, leaseMs: number, options?: { retakeOwn?: boolean }): Promise<ShiftCloseClaimAttempt>;
  renewShiftCloseClaim(id: string, fence: Fence, leaseMs: number): Promise<boolean>;
  releaseShiftCloseClaim(id: string, fence: Fence): Promise<void>;
  /**
   * Closes still `sent` that `owner` could claim now — nobody holds them (their writer let go without
   * settling them), their holder's lease ran out (journal's clock), or they are `owner`'s own —
   * oldest first, at most `limit`.
   */
  listUnsettledShiftCloses(limit: number, owner: string): Promise<ShiftClose[]>;
  isShiftClosed(terminal: string, shift: number): Promise<boolean>;
  /**
   * Records a new QR payment unless the same code (by hash) and amount of `method` was journaled at
   * or after `since` and did not fail: then writes nothing and returns that one. Atomic against
   * every PayBridge writing to the same database, so a retry sent to two of them pays once. `link`:
   * as for `insert`, only when the payment is created.
   */
  insertQrPayment(tx: NewTransaction, step: JournalEntryStep, since: number, link?: KeyLink): Promise<{ created: boolean; transaction: Transaction }>;
  /**
   * Unsettled transactions journaled more than `graceMs` ago (on the journal's clock) that `owner`
   * could claim now — nobody holds them, their holder's claim ran out, or they are `owner`'s own —
   * oldest first, at most `limit`. Only a list: each is claimed (`claim`) right before it is settled.
   */
  listClaimable(graceMs: number, limit: number, owner: string): Promise<Transaction[]>;
  /**
   * Takes one transaction for `owner`, for `leaseMs`, if it is unsettled (or a proof against it is
   * still open) and nobody holds it or its holder's claim ran out (journal's clock) — or, with
   * `retakeOwn`, `owner` holds it already (a recovery of this instance that died) — with a new epoch;
   * otherwise says who holds it and until when.
   */
  claim(id: string, owner: string, leaseMs: number, options?: { retakeOwn?: boolean }): Promise<ClaimAttempt>;
  /**
   * The journal's clock: what claims expire by, and what `updatedAt` is written on — one clock for
   * every instance, where "how long since it was sent" must read the same whoever asks.
   */
  now(): Promise<number>;
  /** Extends a claim to `leaseMs` from now (journal's clock); false when `fence` no longer holds the row. */
  renewClaim(id: string, fence: Fence, leaseMs: number): Promise<boolean>;
  /** Gives up a claim, if `fence` still holds it (a final status clears any claim by itself). */
  releaseClaim(id: string, fence: Fence): Promise<void>;
  /**
   * At start, where one process holds the journal (SQLite), every claim in it is a dead process's:
   * all are let go (with new epochs), so nothing waits for their leases. A no-op where several
   * processes share the journal (PostgreSQL): there claims run out by the database's clock.
   */
  releaseDeadClaims(): Promise<number>;
  /** Journals a proven verdict that could not be written as the row's state (see NewConflict). */
  recordConflict(conflict: NewConflict): Promise<void>;
  /** Open conflicts, oldest first. */
  openConflicts(limit: number): Promise<OperationConflict[]>;
  /** A transaction's conflicts, open and resolved, oldest first. */
  conflictsOf(transactionId: string): Promise<OperationConflict[]>;
  /** Closes a transaction's open conflicts with an operator's decision; how many it closed. */
  resolveConflicts(transactionId: string, resolution: { by: string; decision: 'accepted' | 'dismissed'; reason: string }): Promise<number>;
  /** Closes the open conflicts whose transaction now says what they proved (`agreed`); how many. */
  closeAgreedConflicts(): Promise<number>;
  /**
   * Claims an idempotency key for a request with this fingerprint. Returns the existing record when
   * the key is already known (then nothing is written), or undefined when this caller now owns it.
   */
  claimIdempotencyKey(claim: IdempotencyClaim): Promise<IdempotencyRecord | undefined>;
  getIdempotencyKey(scope: string, key: string): Promise<IdempotencyRecord | undefined>;
  /**
   * Stores a key's final answer, only while `owner` still holds it in progress: false (nothing
   * written) when another request took the key over or it is already done, so a request that lost
   * its key never overwrites the answer of the one that has it. Completing for a request that died,
   * name the owner read with the claim.
   */
  completeIdempotencyKey(scope: string, key: string, owner: string, response: unknown, transactionId: string | null): Promise<boolean>;
  /**
   * Ties a key to the operation its request journaled; with `owner`, only while that request still
   * holds the key (false: a retry took it over, and the request must send nothing).
   */
  linkIdempotencyKey(scope: string, key: string, transactionId: string, owner?: string): Promise<boolean>;
  /** Drops a claim whose request never got as far as an answer worth keeping (with `owner`: only that request's). */
  releaseIdempotencyKey(scope: string, key: string, owner?: string): Promise<void>;
  purgeIdempotencyKeys(now: number): Promise<number>;
  list(filter: TransactionFilter): Promise<TransactionPage>;
  /** Totals of the transactions created in [from, to), by method, kind, status and terminal; of one shop or till when `scope` names it. */
  periodTotals(from: number, to: number, scope?: TotalsScope): Promise<PeriodTotalsRow[]>;
  /**
   * Settled money per bucket of time, in one query: `boundaries` ascending, bucket i from
   * boundaries[i] (inclusive) to boundaries[i + 1] (exclusive), by creation time; of one shop or till
   * when `scope` names it.
   */
  bucketTotals(boundaries: readonly number[], scope?: TotalsScope): Promise<BucketTotalsRow[]>;
  /** The tills (instance.shop, instance.till as recorded) with a transaction created in [from, to), of `shop` when given. */
  tillsIn(from: number, to: number, shop?: string): Promise<{ shop: string | null; till: string }[]>;
  /** Every give-back (cancel or refund, any status) of a payment, oldest first. */
  giveBacksOf(originalId: string): Promise<Transaction[]>;
  /** Transactions whose outcome is unknown, oldest first, at most `limit`. */
  oldestUnknown(limit: number): Promise<Transaction[]>;
  /** Stored reconciliations, newest first. */
  listShiftCloses(filter: ShiftCloseFilter): Promise<ShiftClose[]>;
  /** The highest shift number on a slip of `terminal` in the journal, or null before its first. */
  latestShift(terminal: string): Promise<number | null>;
  /** What is still open: transactions pending/unknown by method, fiscal hand-offs not yet delivered, unknown shift closes. */
  openCounts(): Promise<OpenCounts>;
  health(): Promise<JournalHealth>;
  /** A local journal's free space (SQLite); engines on another machine have none to tell. */
  freeSpace?(): Promise<JournalSpace | undefined>;
  close(): Promise<void>;
}

export interface IdempotencyClaim {
  scope: string;
  key: string;
  fingerprint: string;
  /** Which PayBridge process owns the claim: a claim of a process that is gone is not waited for. */
  owner: string;
  createdAt: number;
  expiresAt: number;
}

export interface IdempotencyRecord extends IdempotencyClaim {
  state: 'in_progress' | 'done';
  transactionId: string | null;
  response: unknown;
}

/**
 * The idempotency key a request is served under, tied to the operation the request journals in the
 * operation's first write (what `linkIdempotencyKey` does, without a durable write of its own): a
 * retry at any later time finds the operation instead of starting another. Only while `owner` still
 * holds the key: otherwise nothing of that write is made (KeyTakenOverError).
 */
export interface KeyLink {
  scope: string;
  key: string;
  owner: string;
}

/** The request's idempotency key was taken over by a retry: nothing was journaled, and nothing may be sent. */
export class KeyTakenOverError extends Error {
  constructor(readonly key: string) {
    super(`idempotency key ${key} is no longer this request's: a retry took it over`);
    this.name = 'KeyTakenOverError';
  }
}

export class StaleTransitionError extends Error {
  constructor(
    readonly id: string,
    readonly expected: TransactionStatus,
    readonly actual: TransactionStatus | undefined,
  ) {
    super(actual === undefined ? `transaction ${id} does not exist` : `transaction ${id} is ${actual}, not ${expected}`);
    this.name = 'StaleTransitionError';
  }
}

/**
 * A write refused because its writer no longer holds the row: the claim changed hands (another
 * PayBridge, recovery or an operator took it over) or was let go. `holder` is who holds it now.
 */
export class ClaimLostError extends Error {
  constructor(
    readonly id: string,
    readonly fence: Fence,
    readonly holder: ClaimHeld | null,
    readonly status: TransactionStatus | undefined,
  ) {
    super(
      `transaction ${id}: ${fence.owner} (epoch ${fence.epoch}) no longer holds it` +
        (holder ? `; ${holder.owner} does (epoch ${holder.epoch}, until ${new Date(holder.expiresAt).toISOString()})` : '; nobody holds it now') +
        (status ? `, status ${status}` : ''),
    );
    this.name = 'ClaimLostError';
  }
}

/**
 * A fenced write to a fiscal hand-off or a shift close that matched no row: the row is no longer in
 * the state it was read in (`actual`), or no longer held by the writer's claim (`holder` holds it
 * now, or nobody does).
 */
export class FencedWriteRefusedError extends Error {
  constructor(
    readonly table: 'fiscal_handoffs' | 'shift_closes',
    readonly id: string,
    readonly fence: Fence,
    readonly expected: string,
    readonly actual: string | undefined,
    readonly holder: ClaimHeld | null,
  ) {
    super(
      actual === undefined
        ? `${table} ${id} does not exist`
        : actual !== expected
          ? `${table} ${id} is ${actual}, not ${expected}`
          : `${table} ${id}: ${fence.owner} (epoch ${fence.epoch}) no longer holds it` +
            (holder ? `; ${holder.owner} does (epoch ${holder.epoch}, until ${new Date(holder.expiresAt).toISOString()})` : '; nobody holds it now'),
    );
    this.name = 'FencedWriteRefusedError';
  }

  /** True when the row is still in the state it was read in, only held by someone else (or nobody). */
  get claimLost(): boolean {
    return this.actual !== undefined && this.actual === this.expected;
  }
}

export class InvalidCursorError extends Error {
  constructor() {
    super('cursor: not a cursor this journal issued');
    this.name = 'InvalidCursorError';
  }
}

/** A shop, a till, or one till of one shop, as the journal records them (instance.shop, instance.till). */
export interface TotalsScope {
  shop?: string | undefined;
  till?: string | undefined;
}

/**
 * The journal cannot be written (its database is unreachable). Nothing is started without the
 * journal, so the till hears this instead of a payment; the message names where, never a password.
 */
export class JournalUnavailableError extends Error {
  /** Set where the failing write was an operation's first: then provably nothing was sent anywhere. */
  nothingSent = false;

  constructor(message: string) {
    super(message);
    this.name = 'JournalUnavailableError';
  }
}

/**
 * An operation's first journal write, before any provider or terminal hears of it: if the journal
 * cannot be written, the till may be told that nothing was started. Anywhere later, money may have
 * moved, and the till must be told to look before taking the payment again.
 */
export async function firstWrite<T>(write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (err) {
    if (err instanceof JournalUnavailableError) err.nothingSent = true;
    throw err;
  }
}
