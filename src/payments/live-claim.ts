import type { Journal } from './ports/journal.js';

/**
 * A request's hold on the transaction it is making. The journal claims the transaction for it when
 * it is inserted, before anything is sent anywhere; while the request works the claim is extended,
 * a third of a lease at a time, and when it is done the claim is let go. Recovery and "settle now",
 * in this PayBridge or another on the same database, skip a held transaction — the claim in the
 * database decides, not this process's memory — and take it over only once a dead holder's lease
 * has run out.
 */
export class LiveClaims {
  constructor(
    private readonly journal: Journal,
    private readonly leaseMs: number,
    private readonly onError: (err: unknown, id: string) => void = () => {},
  ) {}

  /**
   * Runs `work` while holding `id`. The claim is let go when the work fails (the transaction may be
   * left unknown, and recovery must be free to take it at once); a transaction the work settled needs
   * no release — recovery takes only pending and unknown ones, and a final status clears any claim —
   * which keeps a payment at the durable commits it needs.
   */
  async hold<T>(id: string, work: () => Promise<T>): Promise<T> {
    const renew = setInterval(() => {
      this.journal.renewLiveClaim(id, Date.now() + this.leaseMs).catch((err: unknown) => this.onError(err, id));
    }, Math.max(20, Math.floor(this.leaseMs / 3)));
    renew.unref();
    try {
      return await work();
    } catch (err) {
      clearInterval(renew);
      await this.journal.releaseLiveClaim(id).catch((e: unknown) => this.onError(e, id));
      throw err;
    } finally {
      clearInterval(renew);
    }
  }

  /** Lets a held transaction go before its work ends: it was left unsettled, and recovery may take it up now. */
  async letGo(id: string): Promise<void> {
    await this.journal.releaseLiveClaim(id).catch((e: unknown) => this.onError(e, id));
  }
}

/** For a service built without claims (tests of the flow alone): the work runs, nothing is held. */
export const NO_CLAIMS: Pick<LiveClaims, 'hold' | 'letGo'> = { hold: (_id, work) => work(), letGo: () => Promise.resolve() };
