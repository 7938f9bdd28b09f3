/**
 * Time as the domain and the providers' adapters see it: what time it is here, and waiting. Every
 * reading of the clock and every pause of a money path goes through one of these, so the
 * deterministic simulator (test/sim/) can give each simulated PayBridge a clock of its own — skewed,
 * jumping, or stopped between its steps — and run the production code in virtual time.
 *
 * `now()` is this process's clock. It is never the authority on a claim: claims expire on the
 * journal's clock (PostgreSQL's `now()`, or the one process that holds an SQLite file).
 */
export interface Clock {
  /** Epoch milliseconds by this process's clock. */
  now(): number;
  /** Resolves after `ms`. */
  sleep(ms: number): Promise<void>;
  /** Calls `fn` after `ms`, unless cancelled first. Returns the cancel. */
  after(ms: number, fn: () => void): () => void;
  /** Calls `fn` every `ms` until stopped; never keeps the process alive. Returns the stop. */
  every(ms: number, fn: () => void): () => void;
}

/** The computer's own clock and Node's timers. */
export const SYSTEM_CLOCK: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
  after(ms, fn) {
    const timer = setTimeout(fn, ms);
    return () => clearTimeout(timer);
  },
  every(ms, fn) {
    const timer = setInterval(fn, ms);
    timer.unref();
    return () => clearInterval(timer);
  },
};
