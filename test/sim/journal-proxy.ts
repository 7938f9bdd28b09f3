import { AsyncLocalStorage } from 'node:async_hooks';
import type { SqliteJournal } from '../../src/journal/sqlite/sqlite-journal.js';
import { journalUnwritable } from '../../src/journal/sqlite/storage-errors.js';
import { JournalUnavailableError, type Fence, type Journal } from '../../src/payments/ports/journal.js';
import type { Transaction } from '../../src/payments/transaction.js';
import type { Rng } from './random.js';
import type { Generation, World } from './world.js';

/**
 * One simulated PayBridge's view of the shared journal. Every call it makes becomes an event: it
 * reaches the real SQLite engine only when the seed lets it (after a latency, or a stall), so the
 * order in which the processes' reads and writes meet the database is the seed's, and a crash can
 * come between any two of them — a write not yet made is lost with the process, one made whose
 * answer had not come back is in the file. A write may also fail before it reaches SQLite (a full
 * disk, a database that cannot be reached), or — as a PostgreSQL connection lost after COMMIT
 * does — be made and still be reported failed.
 *
 * Before a `transition` reaches SQLite its row is read on a connection of the simulator's own, and a
 * write the engine accepts from a writer whose fence is not the row's claim (owner and epoch) is a
 * violation, whatever the SQL says.
 */

/** What a till request (or an operator's) is doing while it runs: who to credit the journal rows and provider calls to. */
export interface AttemptContext {
  /** The till's (or operator's) request this belongs to. */
  intent: number;
  attempt: number;
  /** The journal rows this request created, newest last. */
  ops: string[];
  /** Virtual time its journal calls spent waiting for the database: allowed on top of any deadline. */
  journalMs: number;
  /** When each of its journal calls still waiting was made, by call. */
  waiting: Map<number, number>;
}

/** The time an attempt's journal calls have waited, those still waiting included. */
export function journalWait(c: AttemptContext, now: number): number {
  let earliest = Infinity;
  for (const at of c.waiting.values()) earliest = Math.min(earliest, at);
  return c.journalMs + (earliest === Infinity ? 0 : now - earliest);
}

export const attempts = new AsyncLocalStorage<AttemptContext>();

export interface JournalFaults {
  /** Share of writes that fail before reaching SQLite, per instance (0 when the disk is well). */
  writeFailure(instance: string): number;
  /** Until when (true time) the instance's journal answers nothing: a stalled disk or database. */
  stalledUntil(instance: string): number;
  /** Share of writes made and reported failed (a connection lost after COMMIT). */
  ambiguousCommit(): number;
}

/** What the simulator reads and checks around each call. */
export interface JournalObserver {
  /** The row as it is now, read apart from the journal's own connection. */
  rowNow(id: string): { status: string; claimed_by: string | null; claim_epoch: number; original_id: string | null; kind: string } | undefined;
  /** A transition the engine accepted: from `before` (as read just before), under `fence`. */
  transitioned(gen: Generation, args: { id: string; from: string; to: string; step: string; fence: Fence; correction: boolean }, before: ReturnType<JournalObserver['rowNow']>, after: Transaction): void;
  /** A row created (insert, QR insert, reserved give-back) by a request. */
  created(gen: Generation, tx: Transaction, context: AttemptContext | undefined): void;
  /** A give-back reservation or transition touched payment `paymentId`'s ledger. */
  ledgerTouched(paymentId: string): void;
  trace(line: string): void;
}

const READS = new Set([
  'now',
  'get',
  'giveBackLedger',
  'findByProviderPaymentId',
  'getHandoff',
  'getShiftClose',
  'findCardPayment',
  'hasCardOperationAfter',
  'findCardOperationByRrn',
  'findCardPaymentByRrn',
  'shiftTotals',
  'isShiftClosed',
  'listClaimable',
  'listDueHandoffs',
  'listUnsettledShiftCloses',
  'openConflicts',
  'conflictsOf',
  'getIdempotencyKey',
  'list',
  'periodTotals',
  'bucketTotals',
  'giveBacksOf',
  'oldestUnknown',
  'listShiftCloses',
  'latestShift',
  'openCounts',
  'health',
]);

/** Not journal calls a process makes mid-operation: the simulator closes the file itself. */
const DIRECT = new Set(['close', 'constructor']);

/**
 * SQLite's own words for a disk that is full, as the SQLite journal hands them on (mapped to
 * JournalUnavailableError by its group commit), and what PostgreSQL's journal says when it cannot be reached.
 */
function sqliteError(message: string, code: string): Error {
  return Object.assign(new Error(message), { name: 'SqliteError', code });
}

function writeFailure(rng: Rng): Error {
  if (rng.chance(0.5)) return journalUnwritable('a write', sqliteError('database or disk is full', 'SQLITE_FULL'));
  return new JournalUnavailableError('the journal cannot be reached (simulated)');
}

function describe(method: string, args: unknown[]): string {
  const a = args as [any, any, any, any, any, any, any];
  switch (method) {
    case 'transition':
      return `transition(${a[0]} ${a[1]}→${a[2]} ${a[4]?.step} by ${a[5]?.owner}/${a[5]?.epoch}${a[6]?.correction ? ' correction' : ''})`;
    case 'insert':
    case 'insertQrPayment':
      return `${method}(${a[0]?.id} ${a[0]?.method} ${a[0]?.kind ?? 'payment'} ${a[0]?.amount})`;
    case 'reserveGiveBack':
      return `reserveGiveBack(of ${a[0]})`;
    case 'claim':
      return `claim(${a[0]} for ${a[1]}${a[3]?.retakeOwn ? ' retakeOwn' : ''})`;
    case 'renewClaim':
    case 'releaseClaim':
      return `${method}(${a[0]} ${a[1]?.owner}/${a[1]?.epoch})`;
    case 'claimIdempotencyKey':
      return `claimIdempotencyKey(${a[0]?.key})`;
    case 'linkIdempotencyKey':
      return `linkIdempotencyKey(${a[1]} → ${a[2]})`;
    case 'completeIdempotencyKey':
    case 'releaseIdempotencyKey':
    case 'getIdempotencyKey':
      return `${method}(${a[1]})`;
    case 'recordConflict':
      return `recordConflict(${a[0]?.transactionId} ${a[0]?.kind} by ${a[0]?.writer})`;
    case 'resolveConflicts':
      return `resolveConflicts(${a[0]} ${a[1]?.decision})`;
    default:
      return `${method}(${typeof a[0] === 'string' ? a[0] : ''})`;
  }
}

function outcome(method: string, value: unknown): string {
  if (value === undefined) return 'ok';
  const v = value as any;
  switch (method) {
    case 'transition':
    case 'insert':
      return `→ ${v.status}`;
    case 'insertQrPayment':
      return v.created ? `→ new ${v.transaction.id}` : `→ existing ${v.transaction.id} (${v.transaction.status})`;
    case 'reserveGiveBack':
      return `→ ${v.giveBack.id} ${v.giveBack.kind} ${v.giveBack.amount}`;
    case 'claim':
      return v.taken ? `→ taken, epoch ${v.tx.claim.epoch}` : `→ not taken (${v.tx?.status ?? 'no row'}${v.holder ? `, held by ${v.holder.owner}/${v.holder.epoch}` : ''})`;
    case 'get':
      return `→ ${v.status}${v.claim ? ` held by ${v.claim.owner}/${v.claim.epoch}` : ''}`;
    case 'listClaimable':
      return `→ [${(v as Transaction[]).map((t) => t.id).join(' ')}]`;
    case 'getIdempotencyKey':
    case 'claimIdempotencyKey':
      return v ? `→ ${v.state}${v.transactionId ? ` ${v.transactionId}` : ''}` : '→ none';
    default:
      return typeof v === 'boolean' || typeof v === 'number' ? `→ ${v}` : 'ok';
  }
}

export class JournalProxy {
  /** Calls that reached SQLite and have not answered yet: the loop waits for them between events. */
  static inFlight = 0;
  private static calls = 0;

  constructor(
    private readonly world: World,
    private readonly rng: Rng,
    private readonly gen: Generation,
    private readonly real: SqliteJournal,
    private readonly faults: JournalFaults,
    private readonly observer: JournalObserver,
  ) {}

  /** The Journal the simulated PayBridge is given. */
  journal(): Journal {
    const real = this.real as unknown as Record<string, unknown>;
    return new Proxy(real, {
      get: (target, prop) => {
        const value = target[prop as string];
        if (typeof prop !== 'string' || typeof value !== 'function' || DIRECT.has(prop) || prop.startsWith('_')) return value;
        return (...args: unknown[]) => this.call(prop, args, () => (value as (...a: unknown[]) => Promise<unknown>).apply(target, args));
      },
    }) as unknown as Journal;
  }

  private call(method: string, args: unknown[], run: () => Promise<unknown>): Promise<unknown> {
    const { world, rng, gen, faults } = this;
    const context = attempts.getStore();
    const calledAt = world.now;
    // Whatever is not a read is a write (every method of the Journal port is one or the other).
    const write = !READS.has(method);
    const latency = Math.max(rng.chance(0.97) ? rng.range(0, 2) : rng.logUniform(3, 400), faults.stalledUntil(gen.instance) - world.now);
    const call = ++JournalProxy.calls;
    context?.waiting.set(call, calledAt);
    return new Promise((resolve, reject) => {
      world.schedule(latency, gen, `${gen} journal.${method}`, () => {
        if (context) {
          context.journalMs += world.now - calledAt;
          context.waiting.delete(call);
        }
        const label = `${gen} journal.${describe(method, args)}`;
        if (write && rng.chance(faults.writeFailure(gen.instance))) {
          const err = writeFailure(rng);
          this.observer.trace(`${label} ✗ failed before reaching SQLite: ${err.message}`);
          reject(err);
          return;
        }
        if (!write && rng.chance(faults.writeFailure(gen.instance) / 10)) {
          this.observer.trace(`${label} ✗ read failed`);
          reject(journalUnwritable('a read', sqliteError('disk I/O error', 'SQLITE_IOERR')));
          return;
        }
        const ambiguous = write && method !== 'releaseDeadClaims' && rng.chance(faults.ambiguousCommit());
        const before = method === 'transition' ? this.observer.rowNow(args[0] as string) : undefined;
        JournalProxy.inFlight++;
        let promise: Promise<unknown>;
        try {
          promise = run();
        } catch (err) {
          promise = Promise.reject(err);
        }
        promise.then(
          (value) => {
            JournalProxy.inFlight--;
            this.observed(method, args, value, before, context);
            if (ambiguous) {
              this.observer.trace(`${label} ${outcome(method, value)}, but the answer was lost after COMMIT`);
              reject(new JournalUnavailableError('the connection to the journal was lost after COMMIT (simulated)'));
              return;
            }
            this.observer.trace(`${label} ${outcome(method, value)}`);
            resolve(value);
          },
          (err: unknown) => {
            JournalProxy.inFlight--;
            this.observer.trace(`${label} ✗ ${(err as Error).name}: ${(err as Error).message}`);
            reject(err);
          },
        );
      });
    });
  }

  private observed(method: string, args: unknown[], value: unknown, before: ReturnType<JournalObserver['rowNow']>, context: AttemptContext | undefined): void {
    const { gen } = this;
    const observer = {
      ...this.observer,
      created: (g: Generation, tx: Transaction, c: AttemptContext | undefined) => {
        c?.ops.push(tx.id);
        this.observer.created(g, tx, c);
      },
    };
    switch (method) {
      case 'transition': {
        const [id, from, to, , step, fence, options] = args as [string, string, string, unknown, { step: string }, Fence, { correction?: boolean } | undefined];
        const after = value as Transaction;
        observer.transitioned(gen, { id, from, to, step: step.step, fence, correction: !!options?.correction }, before, after);
        if (after.originalId) observer.ledgerTouched(after.originalId);
        return;
      }
      case 'insert':
        observer.created(gen, value as Transaction, context);
        return;
      case 'insertQrPayment': {
        const v = value as { created: boolean; transaction: Transaction };
        if (v.created) observer.created(gen, v.transaction, context);
        return;
      }
      case 'reserveGiveBack': {
        const v = value as { giveBack: Transaction; original: Transaction };
        observer.created(gen, v.giveBack, context);
        observer.ledgerTouched(v.original.id);
        return;
      }
    }
  }
}
