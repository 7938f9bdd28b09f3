import diagnostics from 'node:diagnostics_channel';
import type { SqlConnection } from './connection.js';
import { JournalUnavailableError } from '../../payments/ports/journal.js';
import { journalUnwritable, storageFailureCode } from './storage-errors.js';

/**
 * Told of every batch committed (`{ writes }`): the benchmark's work counter counts journal writes here
 * (bench/lib/work-counter.mjs); nothing is published while nobody listens.
 */
const committed = diagnostics.channel('paybridge.journal.commit');
/** Told of every WAL sync completed off the event loop (`{ commits }`: the COMMITs it made durable), for the same counter. */
const synced = diagnostics.channel('paybridge.journal.sync');

type Outcome = { ok: boolean; value: unknown };

/** Every WAL sync running, of every journal in this process. */
const syncsInFlight = new Set<Promise<void>>();

/**
 * Resolves once no journal's WAL sync is running (true if it had to wait). For tests on a clock they
 * move by hand (test/manual-clock.ts): a journal write now completes on the thread pool, not within
 * a few turns of the event loop.
 */
export async function walSyncsIdle(): Promise<boolean> {
  if (syncsInFlight.size === 0) return false;
  while (syncsInFlight.size > 0) await Promise.allSettled([...syncsInFlight]);
  return true;
}

interface Pending {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

/**
 * Makes the WAL's content durable (an fdatasync of the `-wal` file): see WalSync in wal-sync.ts.
 * Resolves once everything written to the WAL before it was called is on disk; rejects if the
 * operating system could not say so.
 */
export type DurableSync = () => Promise<void>;

/**
 * The WAL could not be synced: writes this journal committed may not be on disk, and it takes no more.
 * A JournalUnavailableError, so that an operation's first write that meets it tells the till
 * JOURNAL_UNAVAILABLE (nothing was sent), and a later one that its outcome is not known.
 */
export class JournalSyncError extends JournalUnavailableError {
  constructor(override readonly cause: unknown) {
    super(`the journal's WAL could not be synced to disk (${(cause as Error)?.message ?? String(cause)}): writes since the last sync may be lost, and this journal accepts no more writes until PayBridge is restarted`);
    this.name = 'JournalSyncError';
  }

  /** The same failure, as an error of its own for one caller (see journalUnwritable). */
  again(): JournalSyncError {
    return new JournalSyncError(this.cause);
  }
}

/** A batch whose callers wait for the WAL sync that covers it. */
interface Waiting {
  /** The COMMITs (counted by `commits`) that must be on disk before its callers hear anything. */
  through: number;
  settle: () => void;
  fail: (err: unknown) => void;
}

/**
 * Group commit: the writes asked for within one turn of the event loop go to disk in one
 * transaction, so one fsync serves many payments instead of one each. No write is weakened: each
 * caller's promise resolves only after the COMMIT that holds its write is on disk.
 *
 * Where that fsync happens depends on `sync`. Without it, the connection runs with
 * synchronous=FULL and COMMIT itself fsyncs the WAL, on the main thread. With it (the file
 * journal, see SqliteJournal), the connection runs with synchronous=NORMAL — COMMIT writes the WAL
 * frames but does not sync them — and `sync` then fdatasyncs the WAL file on libuv's thread pool:
 * the event loop serves other requests while the disk works. The callers of a batch hear their
 * outcome only after a sync that started after their COMMIT has completed. Syncs are grouped too:
 * batches committed while a sync is in flight wait for the next one, which covers them all. Even a
 * write that failed, or a batch that committed nothing, waits for the commits before it to be on
 * disk, since what it saw (a row another write changed) may be what made it fail: nobody learns
 * anything from the journal's writes that a power cut could take back.
 *
 * A sync that fails fails every batch it would have covered, and every later write: after a failed
 * fsync the kernel may have dropped the pages it could not write and a second fsync can succeed
 * without them, so nothing committed since the last good sync can ever be called durable by this
 * process.
 *
 * A write that throws (a stale transition, a refused claim) must leave nothing of itself behind, and
 * must not take the others with it. Savepoints around every write would ensure it at the price of two
 * statements per write, paid by every payment for a case that is rare; instead the batch runs bare,
 * and only when one of its writes throws is it rolled back whole and run again, each write in a
 * savepoint of its own (a batch of one is simply rolled back). So a write's work must depend on
 * nothing but the database and its arguments: it may run twice, and only the second run counts.
 */
export class GroupCommit {
  private pending: Pending[] = [];
  private scheduled = false;
  /** COMMITs made, and of those, how many a completed sync covers. */
  private commits = 0;
  private durableThrough = 0;
  private waiting: Waiting[] = [];
  private syncing: Promise<void> | undefined;
  private broken: JournalSyncError | undefined;
  private unwritableSince: { cause: unknown } | undefined;

  constructor(
    private readonly db: SqlConnection,
    private readonly options: { maxBatch?: number; sync?: DurableSync; where?: string } = {},
  ) {}

  /** Set once a WAL sync failed: the journal is no longer durable and refuses writes. */
  get failure(): JournalSyncError | undefined {
    return this.broken;
  }

  /**
   * Why the last batch could not be written (the disk full, the volume read-only, an I/O error), until
   * a batch commits again: nothing else is kept of it, and the next batch simply tries again, so the
   * journal recovers by itself once the disk takes writes again.
   */
  get unwritable(): JournalUnavailableError | undefined {
    return this.unwritableSince && journalUnwritable(this.options.where ?? 'journal', this.unwritableSince.cause);
  }

  run<T>(work: () => T): Promise<T> {
    if (this.broken) return Promise.reject(this.broken.again());
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits everything asked for so far; also called before the connection closes. */
  flush(): void {
    this.scheduled = false;
    const maxBatch = this.options.maxBatch ?? 512;
    while (this.pending.length > 0) this.commit(this.pending.splice(0, maxBatch));
  }

  /**
   * Resolves once every COMMIT made so far is on disk: at once without a WAL sync, or when the last
   * sync covered them all. A read of the journal waits for it before its caller sees its answer (see
   * answersOnceDurable), since what it read may be a commit whose sync is still running.
   */
  durable(): Promise<void> {
    if (this.broken) return Promise.reject(this.broken.again());
    if (!this.options.sync || this.durableThrough >= this.commits) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiting.push({ through: this.commits, settle: resolve, fail: (err) => reject(err instanceof JournalSyncError ? err.again() : err) });
      this.startSync();
    });
  }

  /** Commits everything asked for, and waits until every batch's callers have heard (its sync done). */
  async drain(): Promise<void> {
    this.flush();
    while (this.syncing) await this.syncing;
  }

  private commit(batch: Pending[]): void {
    if (this.broken) {
      for (const item of batch) item.reject(this.broken.again());
      return;
    }
    let outcomes: Outcome[];
    try {
      this.db.exec('BEGIN IMMEDIATE');
      const bare = this.runBare(batch);
      if ('failed' in bare) {
        // The disk, not the write, failed: running the writes again one by one would meet it again.
        // (SQLite may already have rolled the transaction back: the catch below rolls back what is left.)
        if (storageFailureCode(bare.failed)) throw bare.failed;
        this.db.exec('ROLLBACK');
        // A batch of one: its failure is its outcome, and nothing of it was kept.
        if (batch.length === 1) {
          const failed = bare.failed;
          return this.whenDurable(() => batch[0]!.reject(failed), batch);
        }
        this.db.exec('BEGIN IMMEDIATE');
        outcomes = this.runIsolated(batch);
      } else {
        outcomes = bare.outcomes;
      }
      this.db.exec('COMMIT');
      this.commits += 1;
      this.unwritableSince = undefined;
      if (committed.hasSubscribers) committed.publish({ writes: batch.length });
    } catch (err) {
      // Nothing of this batch is on disk: every caller hears so. A storage failure (SQLITE_FULL at the
      // COMMIT, say) leaves the connection usable once the transaction is rolled back: the next batch
      // begins afresh, and succeeds once the disk takes writes again.
      this.rollback();
      if (storageFailureCode(err)) {
        this.unwritableSince = { cause: err };
        const where = this.options.where ?? 'journal';
        return this.whenDurable(() => batch.forEach((item) => item.reject(journalUnwritable(where, err))), batch);
      }
      return this.whenDurable(() => batch.forEach((item) => item.reject(err)), batch);
    }
    this.whenDurable(() => batch.forEach((item, i) => (outcomes[i]!.ok ? item.resolve(outcomes[i]!.value) : item.reject(outcomes[i]!.value))), batch);
  }

  /** Runs `settle` once every COMMIT made so far is on disk: at once with synchronous=FULL (COMMIT synced), after a WAL sync otherwise. */
  private whenDurable(settle: () => void, batch: Pending[]): void {
    if (!this.options.sync || this.durableThrough >= this.commits) return settle();
    this.waiting.push({ through: this.commits, settle, fail: (err) => batch.forEach((item) => item.reject(err instanceof JournalSyncError ? err.again() : err)) });
    this.startSync();
  }

  private startSync(): void {
    const sync = this.options.sync;
    if (!sync || this.syncing || this.broken || this.waiting.length === 0) return;
    const through = this.commits;
    const syncing = sync().then(
      () => {
        if (synced.hasSubscribers) synced.publish({ commits: through - this.durableThrough });
        this.durableThrough = through;
        const ready = this.waiting.filter((w) => w.through <= through);
        this.waiting = this.waiting.filter((w) => w.through > through);
        this.syncing = undefined;
        for (const w of ready) w.settle();
        this.startSync();
      },
      (err: unknown) => {
        this.broken = new JournalSyncError(err);
        const failed = this.waiting;
        this.waiting = [];
        this.syncing = undefined;
        for (const w of failed) w.fail(this.broken);
      },
    );
    this.syncing = syncing;
    syncsInFlight.add(syncing);
    void syncing.finally(() => syncsInFlight.delete(syncing));
  }

  /** Every write of the batch, one after another, inside the open transaction, until one throws. */
  private runBare(batch: Pending[]): { outcomes: Outcome[] } | { failed: unknown } {
    const outcomes: Outcome[] = [];
    for (const item of batch) {
      try {
        outcomes.push({ ok: true, value: item.work() });
      } catch (err) {
        return { failed: err };
      }
    }
    return { outcomes };
  }

  /** Every write of the batch in a savepoint of its own: one that throws is undone alone. */
  private runIsolated(batch: Pending[]): Outcome[] {
    return batch.map((item) => {
      this.db.exec('SAVEPOINT write');
      try {
        const value = item.work();
        this.db.exec('RELEASE write');
        return { ok: true, value };
      } catch (err) {
        // The disk failed, not this write: the whole batch fails (see commit).
        if (storageFailureCode(err)) throw err;
        this.db.exec('ROLLBACK TO write');
        this.db.exec('RELEASE write');
        return { ok: false, value: err };
      }
    });
  }

  private rollback(): void {
    try {
      this.db.exec('ROLLBACK');
    } catch {
      // no transaction was open
    }
  }
}

/**
 * `journal`, each of whose methods answers only once every COMMIT made before the answer is on disk
 * (GroupCommit.durable), `except` the ones named. With the WAL synced off the event loop, a COMMIT is
 * visible to the connection's reads before it is durable; without this, a status read could tell a
 * till of a payment that a power cut then takes back. Writes already wait for their own sync, so for
 * them it costs a comparison; a read waits at most for the sync in flight, as under synchronous=FULL it
 * would have waited behind the COMMIT holding the main thread.
 */
export function answersOnceDurable<T extends object>(journal: T, writes: GroupCommit, except: readonly string[], where = 'journal'): T {
  // By function, not by name: a method replaced on the instance (as tests do) is wrapped anew.
  const wrapped = new WeakMap<(...args: unknown[]) => unknown, (...args: unknown[]) => unknown>();
  return new Proxy(journal, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function' || typeof prop !== 'string' || except.includes(prop)) return value;
      const method = value as (...args: unknown[]) => unknown;
      let fn = wrapped.get(method);
      if (!fn) {
        fn = function (this: unknown, ...args: unknown[]) {
          const answer = method.apply(this, args);
          // A read that meets a storage failure (SQLITE_IOERR_READ, say) is the journal unavailable too.
          return answer instanceof Promise
            ? answer.then(
                (v) => writes.durable().then(() => v),
                (err: unknown) => {
                  throw storageFailureCode(err) ? journalUnwritable(where, err) : err;
                },
              )
            : answer;
        };
        wrapped.set(method, fn);
      }
      return fn;
    },
  });
}
