import { SYSTEM_CLOCK, type Clock } from './clock.js';

/**
 * Background work that runs every `intervalMs`, never twice at once: a pass still running when the
 * next is due is joined, not doubled. `stop()` waits for the pass under way.
 */
export class Periodic<T> {
  private stopTimer: (() => void) | undefined;
  private running: Promise<T> | undefined;

  constructor(
    private readonly intervalMs: number,
    private readonly task: () => Promise<T>,
    private readonly onError: (err: unknown) => void,
    private readonly clock: Clock = SYSTEM_CLOCK,
  ) {}

  /** Runs a pass now, or joins the one under way. */
  runOnce(): Promise<T> {
    this.running ??= this.task().finally(() => (this.running = undefined));
    return this.running;
  }

  start({ now }: { now: boolean }): void {
    if (this.stopTimer) return;
    const pass = () => void this.runOnce().catch(this.onError);
    if (now) pass();
    this.stopTimer = this.clock.every(this.intervalMs, pass);
  }

  async stop(): Promise<void> {
    this.stopTimer?.();
    this.stopTimer = undefined;
    await this.running?.catch(() => undefined);
  }
}
