import type { Logger } from 'pino';
import { SYSTEM_CLOCK, type Clock } from '../lib/clock.js';
import { Periodic } from '../lib/periodic.js';
import { previousShopDate, shopDate, shopDay } from '../lib/shop-time.js';
import type { WalletReconciliation } from './wallet-reconciliation.js';

/** The shop's minute of the day at `ms` (0..1439). */
function shopMinute(timezone: string, ms: number): number {
  const day = shopDay(timezone, shopDate(timezone, ms));
  return Math.floor((ms - day.from) / 60_000);
}

/**
 * The day's wallet reconciliation, by itself: once the shop's clock passes `daily_at` the day is
 * reconciled; before it, yesterday is, if no run of it finished (PayBridge was down at its hour).
 * Looked at every minute; a day already reconciled is left alone, one being reconciled elsewhere
 * (another PayBridge of this till) is left to it. Only a day with wallet payments in the journal is
 * caught up at a start — an empty day is reconciled at its own hour only.
 */
export class DailyWalletReconciliation {
  private readonly periodic: Periodic<void>;
  private readonly at: number;
  private readonly clock: Clock;

  constructor(
    private readonly reconciliation: WalletReconciliation,
    private readonly hasPayments: (day: { from: number; to: number }) => Promise<boolean>,
    private readonly log: Logger,
    private readonly options: { timezone: string; dailyAt: string; checkEveryMs?: number; clock?: Clock },
  ) {
    const [h, m] = options.dailyAt.split(':').map(Number) as [number, number];
    this.at = h * 60 + m;
    this.clock = options.clock ?? SYSTEM_CLOCK;
    this.periodic = new Periodic(options.checkEveryMs ?? 60_000, () => this.tick(), (err) => this.log.warn({ err }, 'the daily wallet reconciliation could not run'), this.clock);
  }

  /** The shop day due now, and whether it is due by its hour (or only as a catch-up). */
  due(now: number): { date: string; byItsHour: boolean } {
    const today = shopDate(this.options.timezone, now);
    if (shopMinute(this.options.timezone, now) >= this.at) return { date: today, byItsHour: true };
    return { date: previousShopDate(this.options.timezone, today), byItsHour: false };
  }

  /** One look: runs the due day's reconciliation unless it is done; resolves when it ends. */
  async tick(): Promise<void> {
    const { date, byItsHour } = this.due(this.clock.now());
    const run = await this.reconciliation.view(date);
    if (run?.state === 'done') return;
    if (!run && !byItsHour && !(await this.hasPayments(shopDay(this.options.timezone, date)))) return;
    this.log.info({ date }, 'daily wallet reconciliation');
    await this.reconciliation.run(date);
  }

  start(): void {
    this.periodic.start({ now: true });
  }

  stop(): Promise<void> {
    return this.periodic.stop();
  }
}
