import { KeyedLock } from './keyed-lock.js';
import { statusText, text } from '../i18n/text.js';
import type { Logger } from 'pino';
import type { Journal } from './ports/journal.js';
import { Periodic } from '../lib/periodic.js';
import type { CardPaymentService } from './card-payment-service.js';
import { paymentError } from './errors.js';
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
   * src/config/leases.ts). No settle starts on a claim with this much time left or less: the claims
   * are renewed first, and a claimMs that is no longer than this (loadConfig refuses one) settles nothing.
   */
  settleMs: number;
}

/** The most transactions one pass claims. */
const PASS_SIZE = 200;

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
  private readonly settleMs: number;

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
    this.settleMs = options.settleMs;
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
    const before = now - graceMs;
    let until = now + this.claimMs;
    let queue = await this.journal.claimUnsettled(before, PASS_SIZE, { owner: this.owner, now, until });
    /** Transactions this pass has settled or tried to. */
    const tried = new Set<string>();
    let settled = 0;
    while (queue.length > 0) {
      // The transactions are settled one after another under one claim, and one settle may take up to
      // settleMs: none starts on a claim that could lapse before it ends, or another PayBridge could
      // take the same transaction up meanwhile. The claim is renewed first.
      if (until - Date.now() <= this.settleMs) {
        ({ until, queue } = await this.renew(before, queue, tried));
        if (queue.length > 0 && until - Date.now() <= this.settleMs) {
          this.log.warn(
            { claim_ms: this.claimMs, settle_ms: this.settleMs, left: queue.length },
            'recovery stopped its pass: even a renewed claim leaves too little time for one settle (recovery.claim_ms must exceed the longest settle); the rest is left for the next pass',
          );
          await Promise.all(queue.map((tx) => this.release(tx.id)));
          break;
        }
        continue;
      }
      const tx = queue.shift()!;
      tried.add(tx.id);
      try {
        const after = await this.settle(tx);
        if (after.status !== 'pending' && after.status !== 'unknown') {
          settled++;
          this.log.info({ transaction_id: tx.id, method: tx.method, status: after.status }, 'recovered a transaction left unsettled');
        }
      } catch (err) {
        this.log.warn({ err, transaction_id: tx.id }, 'recovery could not settle a transaction yet');
      }
      await this.release(tx.id);
    }
    return settled;
  }

  /**
   * Extends this PayBridge's claims on the transactions the pass has yet to settle: claiming again in
   * its own name re-takes and extends what it holds (the journal's claimUnsettled). What that brings
   * along which the pass is not going to settle — transactions it already tried, or others grown
   * claimable since — is let go again; a transaction it no longer brings (settled or taken over
   * meanwhile, or beyond the limit) is dropped from the pass, and let go if it is still ours.
   */
  private async renew(before: number, queue: readonly Transaction[], tried: ReadonlySet<string>): Promise<{ until: number; queue: Transaction[] }> {
    const now = Date.now();
    const until = now + this.claimMs;
    const retaken = await this.journal.claimUnsettled(before, queue.length + tried.size, { owner: this.owner, now, until });
    const fresh = new Map(retaken.map((tx) => [tx.id, tx]));
    const wanted = new Set(queue.map((tx) => tx.id));
    const kept = queue.flatMap((tx) => {
      const again = fresh.get(tx.id);
      return again ? [again] : [];
    });
    const letGo = [...retaken.filter((tx) => !wanted.has(tx.id)), ...queue.filter((tx) => !fresh.has(tx.id))];
    await Promise.all(letGo.map((tx) => this.release(tx.id)));
    return { until, queue: kept };
  }

  /**
   * Lets a claim go: the next pass of any PayBridge may try the transaction (a settled one has no claim
   * left) — unless a request here is still working on it, which keeps it ours.
   */
  private async release(id: string): Promise<void> {
    if (this.qr.isInFlight(id) || this.cards.isInFlight(id)) return;
    await this.journal.releaseClaim(id, this.owner).catch((err: unknown) => this.log.warn({ err, transaction_id: id }, 'could not release a recovery claim'));
  }

  private settle(tx: Transaction): Promise<Transaction> {
    return isQrMethod(tx.method) ? this.qr.recover(tx) : this.cards.recover(tx);
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
