/**
 * Background work that runs every `intervalMs`, never twice at once: a pass still running when the
 * next is due is joined, not doubled. `stop()` waits for the pass under way.
 */
export class Periodic<T> {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<T> | undefined;

  constructor(
    private readonly intervalMs: number,
    private readonly task: () => Promise<T>,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Runs a pass now, or joins the one under way. */
  runOnce(): Promise<T> {
    this.running ??= this.task().finally(() => (this.running = undefined));
    return this.running;
  }

  start({ now }: { now: boolean }): void {
    if (this.timer) return;
    const pass = () => void this.runOnce().catch(this.onError);
    if (now) pass();
    this.timer = setInterval(pass, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }
}
