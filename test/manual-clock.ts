import { walSyncsIdle } from '../src/journal/sqlite/group-commit.js';
import type { Clock } from '../src/lib/clock.js';

/**
 * A Clock that moves only when the test says: `advance` runs every timer that falls due on the way,
 * in time order, letting the promises they wake settle before the next. For tests of leases and
 * renewals that must not depend on how busy the machine is.
 */
export class ManualClock implements Clock {
  private timers: { at: number; seq: number; fn: () => void; every?: number }[] = [];
  private seq = 0;

  constructor(private time = 1_800_000_000_000) {}

  now(): number {
    return this.time;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.after(ms, resolve));
  }

  after(ms: number, fn: () => void): () => void {
    const timer = { at: this.time + ms, seq: this.seq++, fn };
    this.timers.push(timer);
    return () => (this.timers = this.timers.filter((t) => t !== timer));
  }

  every(ms: number, fn: () => void): () => void {
    const timer = { at: this.time + ms, seq: this.seq++, fn, every: ms };
    this.timers.push(timer);
    return () => (this.timers = this.timers.filter((t) => t !== timer));
  }

  /** Moves time forward by `ms`, firing what falls due, each followed by a few turns of the event loop. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      const next = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!next) break;
      this.time = next.at;
      if (next.every) next.at += next.every;
      else this.timers = this.timers.filter((t) => t !== next);
      next.fn();
      await settle();
    }
    this.time = end;
    await settle();
  }
}

/** Lets promises, the journal's group commit (setImmediate) and its WAL syncs (thread pool) run. */
export async function settle(turns = 5): Promise<void> {
  // A SQLite journal's write completes when its WAL sync, on the thread pool, has: wait for those too,
  // and for what their callers then do (a bounded number of rounds).
  for (let round = 0; round < 50; round++) {
    for (let i = 0; i < turns; i++) await new Promise((r) => setImmediate(r));
    if (!(await walSyncsIdle())) return;
  }
}
