import diagnostics from 'node:diagnostics_channel';
import type { SqlConnection } from './connection.js';

/**
 * Told of every batch committed (`{ writes }`): the benchmark's work counter counts journal writes here
 * (bench/lib/work-counter.mjs); nothing is published while nobody listens.
 */
const committed = diagnostics.channel('paybridge.journal.commit');

type Outcome = { ok: boolean; value: unknown };

interface Pending {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

/**
 * Group commit: the writes asked for within one turn of the event loop go to disk in one
 * transaction, so one fsync (synchronous=FULL) serves many payments instead of one each. No write
 * is weakened: each caller's promise resolves only after the COMMIT that holds its write.
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

  constructor(
    private readonly db: SqlConnection,
    private readonly maxBatch = 512,
  ) {}

  run<T>(work: () => T): Promise<T> {
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
    while (this.pending.length > 0) this.commit(this.pending.splice(0, this.maxBatch));
  }

  private commit(batch: Pending[]): void {
    let outcomes: Outcome[];
    try {
      this.db.exec('BEGIN IMMEDIATE');
      const bare = this.runBare(batch);
      if ('failed' in bare) {
        this.db.exec('ROLLBACK');
        // A batch of one: its failure is its outcome, and nothing of it was kept.
        if (batch.length === 1) return batch[0]!.reject(bare.failed);
        this.db.exec('BEGIN IMMEDIATE');
        outcomes = this.runIsolated(batch);
      } else {
        outcomes = bare.outcomes;
      }
      this.db.exec('COMMIT');
      if (committed.hasSubscribers) committed.publish({ writes: batch.length });
    } catch (err) {
      // Nothing of this batch is on disk: every caller hears so.
      this.rollback();
      for (const item of batch) item.reject(err);
      return;
    }
    batch.forEach((item, i) => (outcomes[i]!.ok ? item.resolve(outcomes[i]!.value) : item.reject(outcomes[i]!.value)));
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
