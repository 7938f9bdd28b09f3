import type { Logger } from 'pino';
import { decideGiveBack, type GiveBackAsk } from './give-back.js';
import { NO_CLAIMS, type LiveClaims } from './live-claim.js';
import { firstWrite, type GiveBackReservation, type Journal, type JournalEntryStep, type NewTransaction } from './ports/journal.js';
import type { OperationAdapter, OperationContext, Verdict } from './ports/operation-adapter.js';
import type { TransactionStatus } from './state-machine.js';
import type { Transaction } from './transaction.js';

export interface OperationHooks {
  /** Told of every operation as soon as it is journaled: ties it to the idempotency key being served. */
  onTransaction?: (transactionId: string) => Promise<void>;
  /** Keeps the journal's claim of an operation alive while its request works on it. */
  claims?: Pick<LiveClaims, 'hold' | 'letGo'>;
  log?: Logger;
}

/** An operation after the engine has run it: as journaled, and the verdict that settled it (its reason for the till). */
export interface Executed {
  tx: Transaction;
  verdict: Verdict;
  /** False when the journal could not record the outcome (a success answered as one all the same). */
  recorded: boolean;
}

const INTERRUPTED = 'PayBridge failed while the operation was under way, so whether money moved is not known. Do not repeat it: PayBridge keeps checking.';

/**
 * The one life every outward operation shares, whatever it reaches (a wallet's API or a pinpad) and
 * whatever it is (a charge, a cancel, a refund):
 *
 * 1. journaled before anything is sent — its first write, so a journal that cannot be written means
 *    nothing started; a give-back with its amount reserved against its payment in the same database
 *    transaction;
 * 2. tied at once to the idempotency key being served (a retry at any later time finds it instead of
 *    starting another);
 * 3. claimed in the journal while its request works on it (recovery and other instances keep off);
 * 4. handed to its adapter, which sends it once and reads the answers through its outcome table; every
 *    fact the adapter learns midway is written down before its next step, and an answer that is lost
 *    turns the operation `unknown` there and then;
 * 5. settled by the adapter's verdict: `succeeded`, `failed` (only on proof), or `unknown` — which
 *    recovery later settles through the same adapter's `settle`, by asking, never by sending again.
 *
 * The services say what to journal and what the till hears; the adapters say what to send and what
 * the answers prove. This order, and every write of an operation's state, belong to the engine.
 */
export class OperationEngine {
  /** This process's own operations under way: a fast path only; the live claims in the journal decide. */
  private readonly inFlight = new Set<string>();
  private readonly claims: Pick<LiveClaims, 'hold' | 'letGo'>;

  constructor(
    private readonly journal: Journal,
    private readonly hooks: OperationHooks = {},
  ) {
    this.claims = hooks.claims ?? NO_CLAIMS;
  }

  /** Journals a new operation and ties it to the key being served. */
  async begin(tx: NewTransaction, step: JournalEntryStep): Promise<Transaction> {
    const created = await firstWrite(this.journal.insert(tx, step));
    await this.link(created.id);
    return created;
  }

  /**
   * Journals a give-back of `originalId` with its amount reserved, as `decideGiveBack` allows it
   * against the ledger inside the reserving transaction (or refuses it: nothing is journaled), and
   * ties it to the key being served.
   */
  async beginGiveBack(
    originalId: string,
    ask: GiveBackAsk,
    describe: (payment: Transaction, decided: { amount: number; partial: boolean }) => { tx: NewTransaction & { kind: 'cancel' | 'refund' }; step: JournalEntryStep },
  ): Promise<GiveBackReservation> {
    const reservation = await firstWrite(this.journal.reserveGiveBack(originalId, (payment, ledger) => describe(payment, decideGiveBack(payment, ledger, ask))));
    await this.link(reservation.giveBack.id);
    return reservation;
  }

  private link(id: string): Promise<void> {
    return this.hooks.onTransaction?.(id) ?? Promise.resolve();
  }

  /**
   * Sends a journaled operation through its adapter, while holding it, and records the verdict. An
   * operation left unsettled is let go at once, so that recovery may take it up without waiting for
   * the request's lease to run out. `link`: tie it to the key being served first, under the hold
   * (for an operation journaled some other way; a key that cannot be tied lets it go unsent).
   */
  async execute(tx: Transaction, adapter: OperationAdapter, options: { link?: boolean } = {}): Promise<Executed> {
    this.inFlight.add(tx.id);
    try {
      return await this.claims.hold(tx.id, async () => {
        if (options.link) await this.link(tx.id);
        const steps = this.steps(tx);
        let verdict: Verdict;
        try {
          verdict = await adapter.execute(tx, steps.ctx);
        } catch (err) {
          // A bug, or the journal failing midway: whether money moved is not known, so say exactly that.
          this.hooks.log?.error({ err, transaction_id: tx.id }, 'operation failed unexpectedly');
          verdict = { outcome: 'unknown', step: 'interrupted', detail: { reason: INTERRUPTED }, reason: INTERRUPTED };
        }
        const { tx: done, onRecord } = await this.record(tx, steps.status(), verdict);
        if (!onRecord || done.status === 'pending' || done.status === 'unknown') await this.claims.letGo(tx.id);
        return { tx: done, verdict, recorded: onRecord };
      });
    } finally {
      this.inFlight.delete(tx.id);
    }
  }

  /**
   * Settles an operation left pending or unknown (PayBridge stopped, or an answer was lost) through its
   * adapter's `settle`: by asking, never by sending it again. One this process is still executing is
   * left to it.
   */
  async recover(tx: Transaction, adapter: OperationAdapter): Promise<Transaction> {
    if (this.inFlight.has(tx.id)) return tx;
    const steps = this.steps(tx);
    const verdict = await adapter.settle(tx, steps.ctx);
    return (await this.record(tx, steps.status(), verdict)).tx;
  }

  isInFlight(id: string): boolean {
    return this.inFlight.has(id);
  }

  /** The context an adapter writes its progress through, and the status those writes have left. */
  private steps(tx: Transaction): { ctx: OperationContext; status: () => TransactionStatus } {
    let status = tx.status;
    const ctx: OperationContext = {
      progress: async (p) => {
        const to: TransactionStatus = p.uncertain && status === 'pending' ? 'unknown' : status;
        await this.journal.transition(tx.id, status, to, p.facts ?? {}, { step: p.step, detail: p.uncertain ? { reason: p.uncertain, evidence: p.detail } : p.detail });
        if (to !== status) this.hooks.log?.warn({ transaction_id: tx.id, step: p.step, reason: p.uncertain }, 'operation outcome uncertain; asking the provider or terminal');
        status = to;
      },
    };
    return { ctx, status: () => status };
  }

  /**
   * Writes the verdict down. A success that cannot be written is still a success (`onRecord` false):
   * the money moved, and recovery finishes the record.
   */
  private async record(tx: Transaction, from: TransactionStatus, verdict: Verdict): Promise<{ tx: Transaction; onRecord: boolean }> {
    const facts = verdict.facts ?? {};
    if (verdict.outcome === 'succeeded') {
      try {
        return { tx: await this.journal.transition(tx.id, from, 'succeeded', facts, { step: verdict.step, detail: verdict.detail }), onRecord: true };
      } catch (err) {
        // Telling the till otherwise would invite a second charge or give-back; the journal keeps the
        // operation unsettled (a give-back: still reserved) until recovery asks again.
        this.hooks.log?.error({ err, transaction_id: tx.id }, 'operation succeeded but could not be recorded as such');
        return { tx: { ...tx, ...facts, status: 'succeeded' }, onRecord: false };
      }
    }
    if (verdict.step === null) return { tx: { ...tx, status: from }, onRecord: true };
    return { tx: await this.journal.transition(tx.id, from, verdict.outcome, facts, { step: verdict.step, detail: verdict.detail }), onRecord: true };
  }
}
