import { SYSTEM_CLOCK, type Clock } from '../lib/clock.js';

/** Raised when a terminal stayed busy for longer than a request may wait: pinpad code 984. */
export class TerminalBusyError extends Error {
  constructor(readonly waitedMs: number) {
    super(`the terminal stayed busy for ${waitedMs} ms`);
    this.name = 'TerminalBusyError';
  }
}

/**
 * One operation at a time per terminal, in arrival order. A request that cannot start within
 * `maxWaitMs` gives up with TerminalBusyError and never reaches the terminal.
 */
export class TerminalQueue {
  private tail: Promise<void> = Promise.resolve();
  private busy = false;
  private queued = 0;

  constructor(
    private readonly maxWaitMs: number,
    private readonly clock: Clock = SYSTEM_CLOCK,
  ) {}

  get isBusy(): boolean {
    return this.busy;
  }

  /** Requests waiting for their turn (the one at the terminal not counted). */
  get depth(): number {
    return this.queued;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    let release!: () => void;
    const turn = new Promise<void>((resolve) => (release = resolve));
    const previous = this.tail;
    this.tail = previous.then(() => turn);
    let cancel: (() => void) | undefined;
    const gaveUp = new Promise<'timeout'>((resolve) => (cancel = this.clock.after(this.maxWaitMs, () => resolve('timeout'))));
    this.queued += 1;
    const started = await Promise.race([previous.then(() => 'go' as const), gaveUp]);
    this.queued -= 1;
    cancel?.();
    if (started === 'timeout') {
      // Keep our place in the chain so those queued behind us are not released early.
      void previous.then(release);
      throw new TerminalBusyError(this.maxWaitMs);
    }
    this.busy = true;
    try {
      return await work();
    } finally {
      this.busy = false;
      release();
    }
  }
}
