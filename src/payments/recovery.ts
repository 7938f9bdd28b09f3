import { KeyedLock } from './keyed-lock.js';
import { statusText, text } from '../i18n/text.js';
import type { Logger } from 'pino';
import type { Journal } from '../journal/journal.js';
import { Periodic } from '../lib/periodic.js';
import type { CardPaymentService } from './card-payment-service.js';
import { paymentError } from './errors.js';
import type { QrPaymentService } from './qr-payment-service.js';
import type { Transaction } from './transaction.js';

export interface RecoveryOptions {
  /** How often unsettled transactions are looked at again. */
  intervalMs: number;
  /** A transaction younger than this is still someone's work in progress, not recovery's. */
  graceMs: number;
  /** This PayBridge, as the holder of the transactions it claims for settling. */
  owner: string;
  /** How long a claim lasts: a PayBridge that dies holding one lets it go after this. */
  claimMs: number;
}

/**
 * Nothing is left pending: on start and then periodically, every transaction still `pending` or
 * `unknown` is settled by asking its provider or terminal — never by sending it again. What cannot
 * be settled stays `unknown`, listed by GET /payment/transactions?status=unknown, for an operator.
 */
export class RecoveryService {
  /** One pass at a time, periodic or asked for. */
  private readonly passes = new KeyedLock();
  private readonly periodic: Periodic<number>;
  private readonly graceMs: number;
  private readonly owner: string;
  private readonly claimMs: number;

  constructor(
    private readonly journal: Journal,
    private readonly qr: QrPaymentService,
    private readonly cards: CardPaymentService,
    private readonly log: Logger,
    options: RecoveryOptions,
  ) {
    this.graceMs = options.graceMs;
    this.owner = options.owner;
    this.claimMs = options.claimMs;
    this.periodic = new Periodic(options.intervalMs, () => this.pass(), (err) => this.log.error({ err }, 'recovery pass failed'));
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
    // Claimed, not merely listed: several PayBridge processes on one journal never ask about the
    // same transaction at once, and one that dies mid-pass frees its claims when they expire.
    const now = Date.now();
    const unsettled = await this.journal.claimUnsettled(now - graceMs, 200, { owner: this.owner, now, until: now + this.claimMs });
    let settled = 0;
    for (const tx of unsettled) {
      if (Date.now() >= now + this.claimMs) {
        // The claims left have run out: others may hold them by now.
        break;
      }
      try {
        const after = await this.settle(tx);
        if (after.status !== 'pending' && after.status !== 'unknown') {
          settled++;
          this.log.info({ transaction_id: tx.id, method: tx.method, status: after.status }, 'recovered a transaction left unsettled');
        }
      } catch (err) {
        this.log.warn({ err, transaction_id: tx.id }, 'recovery could not settle a transaction yet');
      }
      // Still open: the next pass of any PayBridge may try it (a settled one has no claim left) —
      // unless a request here is still working on it, which keeps it ours.
      if (this.qr.isInFlight(tx.id) || this.cards.isInFlight(tx.id)) continue;
      await this.journal.releaseClaim(tx.id, this.owner).catch((err: unknown) => this.log.warn({ err, transaction_id: tx.id }, 'could not release a recovery claim'));
    }
    return settled;
  }

  private settle(tx: Transaction): Promise<Transaction> {
    return tx.method === 'click' || tx.method === 'payme' ? this.qr.recover(tx) : this.cards.recover(tx);
  }

  /**
   * An operator's decision on a transaction no provider or terminal could settle: who decided, why,
   * and what they saw, kept in its timeline.
   */
  async resolveByOperator(id: string, to: 'succeeded' | 'failed', operator: string, reason: string): Promise<Transaction> {
    const tx = await this.journal.get(id);
    if (!tx) throw paymentError(text('transaction_not_found', { id }));
    if (tx.status !== 'unknown') throw paymentError(text('resolve_not_unknown', { id, status: statusText(tx.status) }), { transaction_id: id, transaction_status: tx.status });
    if (this.qr.isInFlight(id) || this.cards.isInFlight(id) || (await this.journal.isHeldLive(id, Date.now()))) throw paymentError(text('still_in_flight', { id }), { transaction_id: id });
    return this.journal.transition(id, 'unknown', to, {}, { step: 'operator_decision', detail: { operator, reason } });
  }

  /** Runs a pass now (what the last run left open) and then periodically. */
  start(): void {
    this.periodic.start({ now: true });
  }

  stop(): Promise<void> {
    return this.periodic.stop();
  }
}
