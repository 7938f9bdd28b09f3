import { KeyedLock } from './keyed-lock.js';
import type { Logger } from 'pino';
import { fenceOf, LIVE_SUFFIX, type ClaimHeld, type Journal } from './ports/journal.js';
import { SYSTEM_CLOCK, type Clock } from '../lib/clock.js';
import { Periodic } from '../lib/periodic.js';
import type { CardPaymentService } from './card-payment-service.js';
import type { OperationEngine } from './operation-engine.js';
import type { QrPaymentService } from './qr-payment-service.js';
import { isQrMethod, type Transaction } from './transaction.js';

export interface RecoveryOptions {
  /** How often unsettled transactions are looked at again. */
  intervalMs: number;
  /** A transaction younger than this is still someone's work in progress, not recovery's. */
  graceMs: number;
  /** This PayBridge, as the holder of the transactions it claims for settling. */
  owner: string;
  /** How long a claim lasts: a PayBridge that dies holding one lets it go after this. */
  claimMs: number;
  /**
   * The longest one transaction's settle can take with the configured timeouts (longestSettleMs,
   * src/config/leases.ts): loadConfig refuses a claimMs no longer than it. The claim is renewed while
   * a settle runs all the same, so a settle that overruns does not lose it.
   */
  settleMs?: number;
  clock?: Clock;
}

/** The most transactions one pass looks at. */
const PASS_SIZE = 200;

/**
 * Nothing is left pending: on start and then periodically, every transaction still `pending` or
 * `unknown` is settled by asking its provider or terminal — never by sending it again. What cannot
 * be settled stays `unknown`, listed by GET /payment/transactions?status=unknown, for an operator.
 *
 * One transaction at a time is claimed (on the journal's clock, with a new epoch that fences out
 * whoever held it before), read again under that claim, settled while the claim is renewed, and let
 * go; the rest of a pass's list stays free meanwhile — for a till's retry or an operator to take.
 */
export class RecoveryService {
  /** One pass at a time, periodic or asked for. */
  private readonly passes = new KeyedLock();
  private readonly periodic: Periodic<number>;
  private readonly graceMs: number;
  private readonly owner: string;
  private readonly claimMs: number;
  private readonly clock: Clock;

  constructor(
    private readonly journal: Journal,
    private readonly qr: QrPaymentService,
    private readonly cards: CardPaymentService,
    private readonly log: Logger,
    options: RecoveryOptions,
    /** The engine whose held proofs each pass writes, once the journal takes them again. */
    private readonly engine?: Pick<OperationEngine, 'flushProofs' | 'resolve'>,
  ) {
    this.graceMs = options.graceMs;
    this.owner = options.owner;
    this.claimMs = options.claimMs;
    this.clock = options.clock ?? SYSTEM_CLOCK;
    this.periodic = new Periodic(options.intervalMs, () => this.pass(), (err) => this.log.error({ err }, 'recovery pass failed'), options.clock);
  }

  /** One pass (or the one under way); resolves to how many transactions it settled. */
  recoverOnce(): Promise<number> {
    return this.periodic.runOnce();
  }

  /**
   * An operator's "settle now": a pass over every pending or unknown transaction however young,
   * after the pass under way. Those still being worked on by a request are left to it.
   */
  recoverNow(): Promise<number> {
    // "However young" includes one journaled in this very millisecond (the bound is exclusive): a
    // grace of -1 ms.
    return this.passes.run('pass', () => this.settleAll(-1));
  }

  private pass(): Promise<number> {
    return this.passes.run('pass', () => this.settleAll(this.graceMs));
  }

  private async settleAll(graceMs: number): Promise<number> {
    if (this.engine && (await this.engine.flushProofs()) > 0) this.log.warn('proofs of money moved are still held in memory: the journal does not take them yet');
    await this.journal.closeAgreedConflicts();
    const candidates = await this.journal.listClaimable(graceMs, PASS_SIZE, this.owner);
    let settled = 0;
    for (const candidate of candidates) {
      // Claimed only now, right before it is asked about: the list may be stale, the claim is not.
      const attempt = await this.journal.claim(candidate.id, this.owner, this.claimMs, { retakeOwn: true });
      if (!attempt.taken) continue;
      const claimed = attempt.tx;
      try {
        const after = await this.settle(claimed);
        if (after.status !== 'pending' && after.status !== 'unknown') {
          settled++;
          this.log.info({ transaction_id: claimed.id, method: claimed.method, status: after.status }, 'recovered a transaction left unsettled');
        }
      } catch (err) {
        this.log.warn({ err, transaction_id: claimed.id }, 'recovery could not settle a transaction yet');
      } finally {
        await this.journal.releaseClaim(claimed.id, fenceOf(claimed)!).catch((err: unknown) => this.log.warn({ err, transaction_id: claimed.id }, 'could not release a recovery claim'));
      }
    }
    return settled;
  }

  private settle(tx: Transaction & { claim: ClaimHeld }): Promise<Transaction> {
    return isQrMethod(tx.method) ? this.qr.recover(tx, this.claimMs) : this.cards.recover(tx, this.claimMs);
  }

  /**
   * Asks about one unsettled transaction now — a till's retry of it — under a claim of its own, by
   * the same adapters recovery uses: never sends it again. A row someone else holds is left to them.
   */
  async settleOne(id: string): Promise<{ heldByRequest: boolean }> {
    const tx = await this.journal.get(id);
    if (!tx || (tx.status !== 'pending' && tx.status !== 'unknown')) return { heldByRequest: false };
    // A request still at it (its live claim not yet lapsed) is left alone without a write; the claim decides otherwise.
    if (tx.claim?.owner.endsWith(LIVE_SUFFIX) && tx.claim.expiresAt > this.clock.now()) return { heldByRequest: true };
    const { heldBy } = await (isQrMethod(tx.method) ? this.qr.settleOnce(id) : this.cards.settleOnce(id));
    return { heldByRequest: heldBy?.owner.endsWith(LIVE_SUFFIX) === true };
  }

  /**
   * An operator's decision on a transaction no provider or terminal could settle (or on a conflict):
   * who decided, why, and what they saw, kept in its timeline — under a claim like any other write,
   * refused while recovery, a request or another operator holds it.
   */
  async resolveByOperator(id: string, to: 'succeeded' | 'failed', operator: string, reason: string): Promise<Transaction> {
    if (!this.engine) throw new Error('RecoveryService built without an engine cannot take an operator’s decision');
    return this.engine.resolve(id, to, operator, reason);
  }

  /** Runs a pass now (what the last run left open) and then periodically. */
  start(): void {
    this.periodic.start({ now: true });
  }

  stop(): Promise<void> {
    return this.periodic.stop();
  }
}
