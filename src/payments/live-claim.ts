import { SYSTEM_CLOCK, type Clock } from '../lib/clock.js';
import type { Fence, Journal } from './ports/journal.js';

/**
 * Raised before an outward step by a holder that no longer holds its row (or cannot tell that it
 * still does): it must not send anything more, and says so to whoever asked.
 */
export class ClaimGoneError extends Error {
  constructor(
    readonly id: string,
    readonly why: string,
  ) {
    super(`operation ${id}: ${why}; nothing more is sent for it here`);
    this.name = 'ClaimGoneError';
  }
}

/**
 * One holder's claim on one operation's row while it works on it: renewed a third of a lease at a
 * time, each renewal checked (the journal says whether the fence still holds). A renewal refused
 * means someone took the row over; renewals that keep failing for longer than a lease mean it may
 * have been. Either way the holder learns it before its next outward step (`ensureHeld`, which
 * also confirms a claim whose lease passed without a renewal — a frozen process), and its writes
 * are refused by the fence in any case.
 */
export class HeldClaim {
  private stopRenewing: (() => void) | undefined;
  private lostBecause: string | undefined;
  /** Until when (this process's clock) the last confirmed renewal surely holds. */
  private confirmedUntil: number;
  /** The last renewal failed (the journal did not answer): past `confirmedUntil` the claim may be someone else's. */
  private failing = false;
  /** A renewal asked for and not yet answered: a journal that stalls past the lease may have let the claim go. */
  private outstanding = false;

  constructor(
    /** Where the claim lives: a transaction's (the journal itself), or another table's claims in the same shape. */
    private readonly journal: Pick<Journal, 'renewClaim' | 'releaseClaim'>,
    readonly id: string,
    readonly fence: Fence,
    private readonly leaseMs: number,
    private readonly clock: Clock = SYSTEM_CLOCK,
    private readonly onError: (err: unknown, id: string) => void = () => {},
  ) {
    // The claim was taken (or renewed) just now for a lease: it holds at least that long from here.
    this.confirmedUntil = clock.now() + leaseMs;
  }

  /** Keeps the claim alive until `stop` (or until it is found lost). */
  start(): this {
    const every = Math.max(20, Math.floor(this.leaseMs / 3));
    this.stopRenewing = this.clock.every(every, () => void this.renew());
    return this;
  }

  private async renew(): Promise<void> {
    if (this.lostBecause) return;
    if (this.outstanding) return;
    const askedAt = this.clock.now();
    this.outstanding = true;
    try {
      if (await this.journal.renewClaim(this.id, this.fence, this.leaseMs)) {
        this.confirmedUntil = askedAt + this.leaseMs;
        this.failing = false;
      } else this.lose('its claim was taken over by another holder');
    } catch (err) {
      this.failing = true;
      this.onError(err, this.id);
    } finally {
      this.outstanding = false;
    }
  }

  /** Marks the claim lost (a fenced write was refused, or a renewal): no outward step follows. */
  lose(why: string): void {
    this.lostBecause ??= why;
    this.stop();
  }

  /** Why the claim is gone, or undefined while it holds (as far as this holder can tell). */
  get lost(): string | undefined {
    if (this.lostBecause) return this.lostBecause;
    // Past the last confirmed lease, a renewal that failed, or one asked for and not answered (a journal
    // stalled), leaves the claim possibly someone else's. One merely not yet due (a busy process, a
    // timer late) is no sign of a takeover; the fence refuses a lost holder's writes in any case.
    if ((this.failing || this.outstanding) && this.clock.now() >= this.confirmedUntil) return 'its claim could not be renewed for longer than its lease';
    return undefined;
  }

  /** Throws when the claim is known to be gone (without asking the journal). */
  assertHeld(): void {
    const why = this.lost;
    if (why) throw new ClaimGoneError(this.id, why);
  }

  /**
   * Before an outward step: throws when the claim is gone. Past the last confirmed lease — a process
   * frozen (a long pause, a suspended VM) or busy past it, whose renewals did not run — the claim is
   * renewed first and the step waits for the journal's answer: renewed, the claim was nobody else's
   * meanwhile (taking it changes its epoch); refused, another holder has it, and nothing is sent.
   */
  async ensureHeld(): Promise<void> {
    this.assertHeld();
    if (this.clock.now() < this.confirmedUntil) return;
    const askedAt = this.clock.now();
    let renewed: boolean;
    try {
      renewed = await this.journal.renewClaim(this.id, this.fence, this.leaseMs);
    } catch (err) {
      this.onError(err, this.id);
      this.lose('its claim could not be confirmed after its lease had passed');
      throw new ClaimGoneError(this.id, this.lostBecause!);
    }
    if (!renewed) this.lose('its claim was taken over by another holder');
    else {
      this.confirmedUntil = askedAt + this.leaseMs;
      this.failing = false;
    }
    this.assertHeld();
  }

  stop(): void {
    this.stopRenewing?.();
    this.stopRenewing = undefined;
  }

  /** Stops renewing and lets the row go, if this fence still holds it. */
  async release(): Promise<void> {
    this.stop();
    await this.journal.releaseClaim(this.id, this.fence).catch((err: unknown) => this.onError(err, this.id));
  }
}
