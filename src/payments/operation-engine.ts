import { decideGiveBack, type GiveBackAsk } from './give-back.js';
import { NO_CLAIMS, type LiveClaims } from './live-claim.js';
import { firstWrite, type GiveBackReservation, type Journal, type JournalEntryStep, type NewTransaction } from './ports/journal.js';
import type { Transaction } from './transaction.js';

export interface OperationHooks {
  /** Told of every operation as soon as it is journaled: ties it to the idempotency key being served. */
  onTransaction?: (transactionId: string) => Promise<void>;
  /** Keeps the journal's claim of an operation alive while its request works on it. */
  claims?: LiveClaims;
}

/**
 * The life every outward operation shares, whatever it reaches (a wallet's API or a pinpad) and
 * whatever it is (a charge, a cancel, a refund): journaled before anything is sent — its first
 * write, so a journal that cannot be written means nothing started —, tied at once to the
 * idempotency key being served (a retry at any later time finds it instead of starting another),
 * claimed in the journal while its request works on it (recovery and other instances keep off), and
 * only then handed to the adapter. A give-back is journaled with its amount reserved against its
 * payment in the same database transaction. The services say what to send and how to read the
 * answers (their outcome tables); the engine owns this order.
 */
export class OperationEngine {
  /** This process's own operations under way: a fast path only; the live claims in the journal decide. */
  private readonly inFlight = new Set<string>();

  constructor(
    private readonly journal: Journal,
    private readonly hooks: OperationHooks = {},
  ) {}

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

  /** Ties an operation journaled some other way (a QR charge's insert-unless-retry) to the key being served. */
  link(id: string): Promise<void> {
    return this.hooks.onTransaction?.(id) ?? Promise.resolve();
  }

  /** Runs an operation's outward work while holding it: in flight here, claimed in the journal. */
  async run<T>(id: string, work: () => Promise<T>): Promise<T> {
    this.inFlight.add(id);
    try {
      return await (this.hooks.claims ?? NO_CLAIMS).hold(id, work);
    } finally {
      this.inFlight.delete(id);
    }
  }

  isInFlight(id: string): boolean {
    return this.inFlight.has(id);
  }
}
