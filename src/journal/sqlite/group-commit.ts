import type { SqlConnection } from './connection.js';

interface Pending {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

/**
 * Group commit: the writes asked for within one turn of the event loop go to disk in one
 * transaction, so one fsync (synchronous=FULL) serves many payments instead of one each. No write
 * is weakened: each caller's promise resolves only after the COMMIT that holds its write, and each
 * write runs in a savepoint of its own, so one that throws (a stale transition) is undone alone
 * and the others still commit.
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
    const outcomes: { ok: boolean; value: unknown }[] = [];
    try {
      this.db.exec('BEGIN IMMEDIATE');
      for (const item of batch) {
        this.db.exec('SAVEPOINT write');
        try {
          outcomes.push({ ok: true, value: item.work() });
          this.db.exec('RELEASE write');
        } catch (err) {
          this.db.exec('ROLLBACK TO write');
          this.db.exec('RELEASE write');
          outcomes.push({ ok: false, value: err });
        }
      }
      this.db.exec('COMMIT');
    } catch (err) {
      // Nothing of this batch is on disk: every caller hears so.
      try {
        this.db.exec('ROLLBACK');
      } catch {
        // no transaction was open
      }
      for (const item of batch) item.reject(err);
      return;
    }
    batch.forEach((item, i) => (outcomes[i]!.ok ? item.resolve(outcomes[i]!.value) : item.reject(outcomes[i]!.value)));
  }
}
