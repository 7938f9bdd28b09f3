import type { TransactionStatus } from '../state-machine.js';
import type {
  FiscalHandoff,
  HandoffState,
  PaymentMethod,
  ShiftClose,
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

export type NewHandoff = Omit<FiscalHandoff, 'attempts' | 'nextAttemptAt' | 'lastError' | 'result' | 'updatedAt'> & {
  /** Until then no sweep takes it: the request that wrote it makes the first attempt itself. */
  nextAttemptAt?: number | null;
};

export interface HandoffPatch {
  state?: HandoffState;
  attempts?: number;
  nextAttemptAt?: number | null;
  lastError?: string | null;
  result?: unknown;
  receipt?: FiscalHandoff['receipt'];
}

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
 * The holder a live request's claim is written under: distinct from the instance's recovery claims,
 * so that recovery never mistakes a request under way (even in its own process) for its own work.
 */
export function liveClaimOwner(instance: string): string {
  return `${instance}${LIVE_SUFFIX}`;
}

export const LIVE_SUFFIX = '#live';

export interface JournalHealth {
  engine: string;
  ok: boolean;
  detail: string;
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
}

export interface OpenCounts {
  transactions: { method: PaymentMethod; status: 'pending' | 'unknown'; count: number }[];
  handoffsPending: number;
}

export interface Journal {
  readonly engine: string;
  /** Records a new transaction in `pending`, with its first timeline event. */
  insert(tx: NewTransaction, step: JournalEntryStep): Promise<Transaction>;
  /**
   * Moves a transaction from `from` to `to` (the same status to only record a step) and applies the
   * patch, atomically with its timeline event. Rejects an illegal transition, and a transaction that
   * is no longer in `from` (someone else moved it). A give-back that succeeds updates its payment in
   * the same database transaction: `refunded_amount` = Σ(succeeded give-backs), read under the
   * payment's lock, and the status the ledger stands for (see statusAfterGiveBacks).
   */
  transition(id: string, from: TransactionStatus, to: TransactionStatus, patch: TransactionPatch, step: JournalEntryStep): Promise<Transaction>;
  get(id: string): Promise<TransactionWithEvents | undefined>;
  /**
   * Journals a give-back (cancel or refund) of payment `originalId` and reserves its amount, in one
   * database transaction that holds the payment against every other PayBridge on the same database
   * (SQLite: the write lock; PostgreSQL: the payment's row locked FOR UPDATE): `plan` sees the
   * ledger as it is at that moment and either describes the give-back or throws a refusal, so
   * concurrent give-backs can never reserve more than was paid. The give-back row is live-claimed
   * by its writer like any new transaction.
   */
  reserveGiveBack(originalId: string, plan: GiveBackPlan): Promise<GiveBackReservation>;
  /** The give-back ledger of a payment as the journal has it now. */
  giveBackLedger(originalId: string): Promise<GiveBackLedger>;
  /** The transaction a provider knows by this id (CLICK payment_id, Payme receipt _id). */
  findByProviderPaymentId(method: PaymentMethod, providerPaymentId: string): Promise<Transaction | undefined>;
  insertHandoff(handoff: NewHandoff): Promise<FiscalHandoff>;
  getHandoff(method: FiscalHandoff['method'], paymentId: string): Promise<FiscalHandoff | undefined>;
  updateHandoff(id: string, patch: HandoffPatch): Promise<FiscalHandoff>;
  /**
   * Claims the pending hand-offs due at `now`, oldest first: their next attempt moves to `until`, in
   * the same statement, so no other sweep (of this PayBridge or another on the same database) takes
   * them while this one delivers. One that dies mid-attempt leaves them due again at `until`.
   */
  claimDueHandoffs(now: number, limit: number, until: number): Promise<FiscalHandoff[]>;
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
  recordShiftClose(close: ShiftClose): Promise<void>;
  isShiftClosed(terminal: string, shift: number): Promise<boolean>;
  /**
   * Records a new QR payment unless the same code (by hash) and amount of `method` was journaled at
   * or after `since` and did not fail: then writes nothing and returns that one. Atomic against
   * every PayBridge writing to the same database, so a retry sent to two of them pays once.
   */
  insertQrPayment(tx: NewTransaction, step: JournalEntryStep, since: number): Promise<{ created: boolean; transaction: Transaction }>;
  /**
   * Takes unsettled transactions created before `before` for recovery by `claim.owner` until
   * `claim.until`: those nobody holds, whose holder's lease ran out (it died), or already its own.
   * Another PayBridge on the same database skips them meanwhile.
   */
  claimUnsettled(before: number, limit: number, claim: { owner: string; now: number; until: number }): Promise<Transaction[]>;
  /** Gives up `owner`'s claim on a transaction (a final status clears any claim by itself). */
  releaseClaim(id: string, owner: string): Promise<void>;
  /**
   * A transaction is claimed by the request that journals it (this PayBridge's live claim, see
   * `liveClaimOwner`) from its insert on: recovery and "settle now" in any PayBridge leave it alone
   * while the claim holds. The request extends it while it works and lets it go when it is done.
   */
  renewLiveClaim(id: string, until: number): Promise<void>;
  releaseLiveClaim(id: string): Promise<void>;
  /** Whether a live request of any PayBridge holds the transaction at `now`. */
  isHeldLive(id: string, now: number): Promise<boolean>;
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
  /** Totals of the transactions created in [from, to), by method, kind, status and terminal. */
  periodTotals(from: number, to: number): Promise<PeriodTotalsRow[]>;
  /**
   * Settled money per bucket of time, in one query: `boundaries` ascending, bucket i from
   * boundaries[i] (inclusive) to boundaries[i + 1] (exclusive), by creation time.
   */
  bucketTotals(boundaries: readonly number[]): Promise<BucketTotalsRow[]>;
  /** Every give-back (cancel or refund, any status) of a payment, oldest first. */
  giveBacksOf(originalId: string): Promise<Transaction[]>;
  /** Transactions whose outcome is unknown, oldest first, at most `limit`. */
  oldestUnknown(limit: number): Promise<Transaction[]>;
  /** Stored reconciliations, newest first. */
  listShiftCloses(filter: ShiftCloseFilter): Promise<ShiftClose[]>;
  /** The highest shift number on a slip of `terminal` in the journal, or null before its first. */
  latestShift(terminal: string): Promise<number | null>;
  /** What is still open: transactions pending/unknown by method, fiscal hand-offs not yet delivered. */
  openCounts(): Promise<OpenCounts>;
  health(): Promise<JournalHealth>;
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

export class InvalidCursorError extends Error {
  constructor() {
    super('cursor: not a cursor this journal issued');
    this.name = 'InvalidCursorError';
  }
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
