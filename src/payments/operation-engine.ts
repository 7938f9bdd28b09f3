import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { statusText, text } from '../i18n/text.js';
import { paymentError } from './errors.js';
import { SYSTEM_CLOCK, type Clock } from '../lib/clock.js';
import { decideGiveBack, type GiveBackAsk } from './give-back.js';
import { ClaimGoneError, HeldClaim } from './live-claim.js';
import {
  ClaimLostError,
  fenceOf,
  firstWrite,
  StaleTransitionError,
  type ClaimHeld,
  type Fence,
  type GiveBackReservation,
  type Journal,
  type JournalEntryStep,
  KeyTakenOverError,
  type KeyLink,
  type NewConflict,
  type NewTransaction,
} from './ports/journal.js';
import type { OperationAdapter, OperationContext, Verdict } from './ports/operation-adapter.js';
import type { TransactionStatus } from './state-machine.js';
import type { Transaction, TransactionWithEvents } from './transaction.js';

export interface OperationHooks {
  /** Told of every operation as soon as it is journaled: ties it to the idempotency key being served. */
  onTransaction?: (transactionId: string) => Promise<void>;
  /**
   * The idempotency key being served, if any: tied to a new operation in its first write instead
   * (one durable write fewer before anything is sent); onTransaction then only serves operations
   * journaled some other way.
   */
  keyLink?: () => KeyLink | undefined;
  /**
   * How long a claim lasts between renewals (a third of it apart): a request's live claim, a retry's
   * or an operator's. The journal's insert takes the request's claim for `recovery.grace_ms`; this
   * is that same lease.
   */
  leaseMs?: number;
  /** This PayBridge: the holder name of the claims it takes outside a request (a retry, an operator). */
  instance?: string;
  clock?: Clock;
  log?: Logger;
  /** Told of every proof kept as a conflict (`journaled`) or held in memory until the journal takes it. */
  onProof?: (kind: NewConflict['kind'], journaled: boolean) => void;
}

/** An operation after the engine has run it: as journaled, and the verdict that settled it (its reason for the till). */
export interface Executed {
  tx: Transaction;
  verdict: Verdict;
  /** False when the verdict could not be written as the row's state (a success is answered as one all the same). */
  recorded: boolean;
}

/** How an adapter is made for a row just re-read under its claim (a give-back needs its payment, say). */
export type AdapterFor = (fresh: TransactionWithEvents) => OperationAdapter | Promise<OperationAdapter>;

/** What one settle-now of one operation came to: settled, still open, or held by someone else. */
export interface SettleOnce {
  tx: Transaction | undefined;
  /** Who held the row instead (it was not asked about), when someone did. */
  heldBy: ClaimHeld | null;
  /** The verdict's reason, when it was asked about. */
  reason?: string;
}

const INTERRUPTED = 'PayBridge failed while the operation was under way, so whether money moved is not known. Do not repeat it: PayBridge keeps checking.';
const TAKEN_OVER = 'another PayBridge process (or recovery, or an operator) took this operation over before it ended, so this one stopped; whether money moved is not known. Do not repeat it: PayBridge keeps checking.';

const UNSETTLED: readonly TransactionStatus[] = ['pending', 'unknown'];

/** Whether the row already says what a success proves: a payment paid (and maybe given back since), a give-back given. */
function agreesWithSuccess(tx: Transaction): boolean {
  return tx.status === 'succeeded' || (tx.kind === 'payment' && (tx.status === 'cancelled' || tx.status === 'refunded'));
}

/**
 * The one life every outward operation shares, whatever it reaches (a wallet's API or a pinpad) and
 * whatever it is (a charge, a cancel, a refund):
 *
 * 1. journaled before anything is sent — its first write, so a journal that cannot be written means
 *    nothing started; a give-back with its amount reserved against its payment in the same database
 *    transaction. The insert claims the row for the request (a fence: an owner and an epoch);
 * 2. tied at once to the idempotency key being served (a retry at any later time finds it instead of
 *    starting another);
 * 3. held while its request works on it: the claim is renewed and each renewal checked; a holder
 *    that lost its claim sends nothing more;
 * 4. handed to its adapter, which sends it once and reads the answers through its outcome table; every
 *    fact the adapter learns midway is written down — under the claim — before its next step, and an
 *    answer that is lost turns the operation `unknown` there and then;
 * 5. settled by the adapter's verdict, written under the claim: `succeeded`, `failed` (only on proof),
 *    or `unknown` — which recovery (or a retry, promptly) later settles through the same adapter's
 *    `settle`, by asking, never by sending again, under a claim of its own taken on the journal's clock.
 *
 * A verdict that proves money moved and meets a row its writer no longer holds — someone else settled
 * it otherwise, or holds it now — or a journal that cannot take it, is never dropped: it is journaled
 * as a conflict (or kept here until the journal takes it), and an operator decides.
 *
 * The services say what to journal and what the till hears; the adapters say what to send and what
 * the answers prove. This order, and every write of an operation's state, belong to the engine.
 */
export class OperationEngine {
  /** This process's own operations under way: a fast path only; the claims in the journal decide. */
  private readonly inFlight = new Set<string>();
  /** Proofs the journal could not take yet (it was unreachable): written at the next `flushProofs`. */
  private readonly heldProofs: NewConflict[] = [];
  private readonly clock: Clock;
  private readonly leaseMs: number;
  private readonly instance: string;

  constructor(
    private readonly journal: Journal,
    private readonly hooks: OperationHooks = {},
  ) {
    this.clock = hooks.clock ?? SYSTEM_CLOCK;
    this.leaseMs = hooks.leaseMs ?? 60_000;
    this.instance = hooks.instance ?? 'paybridge';
  }

  /** Journals a new operation (claimed for this request) and ties it to the key being served. */
  async begin(tx: NewTransaction, step: JournalEntryStep): Promise<Transaction> {
    const link = this.keyLink();
    const created = await this.firstWrite(this.journal.insert(tx, step, link));
    if (!link) await this.link(created.id);
    return created;
  }

  /** The key being served, to tie to an operation in its first write (see OperationHooks.keyLink). */
  keyLink(): KeyLink | undefined {
    return this.hooks.keyLink?.();
  }

  /**
   * An operation's first write: a journal that cannot be reached means nothing was sent (firstWrite);
   * a key a retry took over meanwhile means nothing was journaled, and nothing may be sent.
   */
  async firstWrite<T>(write: Promise<T>): Promise<T> {
    try {
      return await firstWrite(write);
    } catch (err) {
      if (err instanceof KeyTakenOverError) throw paymentError(text('key_taken_over', { key: err.key }), { idempotency_key: err.key });
      throw err;
    }
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
    const link = this.keyLink();
    const reservation = await this.firstWrite(this.journal.reserveGiveBack(originalId, (payment, ledger) => describe(payment, decideGiveBack(payment, ledger, ask)), link));
    if (!link) await this.link(reservation.giveBack.id);
    return reservation;
  }

  private link(id: string): Promise<void> {
    return this.hooks.onTransaction?.(id) ?? Promise.resolve();
  }

  private hold(id: string, fence: Fence, leaseMs: number): HeldClaim {
    return new HeldClaim(this.journal, id, fence, leaseMs, this.clock, (err) => this.hooks.log?.warn({ err, transaction_id: id }, 'could not renew or release a claim')).start();
  }

  /**
   * Sends a journaled operation through its adapter under the claim its insert took, and records the
   * verdict under it. An operation left unsettled is let go at once, so that recovery may take it up
   * without waiting for the request's lease to run out. `link`: tie it to the key being served first
   * (for an operation journaled some other way; a key that cannot be tied lets it go unsent).
   */
  async execute(tx: Transaction, adapter: OperationAdapter, options: { link?: boolean } = {}): Promise<Executed> {
    const fence = fenceOf(tx);
    if (!fence) throw new Error(`operation ${tx.id} was journaled without a claim: nothing may be sent for it`);
    this.inFlight.add(tx.id);
    const claim = this.hold(tx.id, fence, this.leaseMs);
    try {
      if (options.link) {
        try {
          await this.link(tx.id);
        } catch (err) {
          await claim.release();
          throw err;
        }
      }
      const steps = this.steps(tx, claim);
      let verdict: Verdict;
      try {
        await claim.ensureHeld();
        verdict = await adapter.execute(tx, steps.ctx);
      } catch (err) {
        // A bug, the journal failing midway, or the claim lost: whether money moved is not known, so say exactly that.
        const lost = err instanceof ClaimGoneError || err instanceof ClaimLostError;
        if (lost) this.hooks.log?.warn({ transaction_id: tx.id, reason: (err as Error).message }, 'operation stopped: its claim was taken over');
        else this.hooks.log?.error({ err, transaction_id: tx.id }, 'operation failed unexpectedly');
        const reason = lost ? TAKEN_OVER : INTERRUPTED;
        verdict = { outcome: 'unknown', step: lost ? 'claim_lost' : 'interrupted', detail: { reason }, reason };
      }
      const { tx: done, recorded } = await this.record(tx, steps.status(), verdict, claim);
      if (!recorded || UNSETTLED.includes(done.status)) await claim.release();
      else claim.stop();
      // Settled by whoever took it over: the till hears that outcome, for that holder's reason.
      if (!recorded && verdict.outcome !== 'succeeded' && !UNSETTLED.includes(done.status)) return { tx: done, verdict: settledBy(done), recorded };
      return { tx: done, verdict, recorded };
    } finally {
      claim.stop();
      this.inFlight.delete(tx.id);
    }
  }

  /**
   * Settles an operation left pending or unknown (PayBridge stopped, or an answer was lost) that
   * `claimed` holds: the row is read again under that claim (a batch read earlier may be stale), a
   * proof someone else journaled for it is applied first, and otherwise its adapter's `settle` asks —
   * never sends it again. Writes nothing when the pass learnt nothing new. The claim is renewed while
   * it settles; the caller lets it go.
   */
  async recover(claimed: Transaction & { claim: ClaimHeld }, adapterFor: AdapterFor, leaseMs: number): Promise<Transaction> {
    const fence = fenceOf(claimed)!;
    if (this.inFlight.has(claimed.id)) return claimed;
    const fresh = await this.journal.get(claimed.id);
    if (!fresh || !UNSETTLED.includes(fresh.status) || fresh.claim?.owner !== fence.owner || fresh.claim.epoch !== fence.epoch) return fresh ?? claimed;
    const claim = this.hold(fresh.id, fence, leaseMs);
    try {
      const proof = (await this.journal.conflictsOf(fresh.id)).find((c) => c.state === 'open' && c.proven === 'succeeded');
      // The row's times are the journal's clock; this process's may be ahead or behind it.
      const journalAheadMs = (await this.journal.now()) - this.clock.now();
      const steps = this.steps(fresh, claim, journalAheadMs);
      let verdict: Verdict;
      if (proof) {
        verdict = { outcome: 'succeeded', facts: proof.verdict.facts, step: 'proof_applied', detail: { conflict_id: proof.id, proven_by: proof.writer, evidence: proof.verdict.detail } };
      } else {
        try {
          await claim.ensureHeld();
          verdict = await (await adapterFor(fresh)).settle(fresh, steps.ctx);
        } catch (err) {
          if (err instanceof ClaimGoneError || err instanceof ClaimLostError) return (await this.journal.get(fresh.id)) ?? fresh;
          throw err;
        }
        if (verdict.outcome === 'unknown' && fresh.status === 'unknown' && saidBefore(fresh, verdict)) verdict = { ...verdict, step: null };
        // Looked at and not settled, a pending operation is unknown from now on: listed for an operator,
        // never left looking as if a request were still at it.
        if (verdict.outcome === 'unknown' && fresh.status === 'pending' && verdict.step === null) verdict = { ...verdict, step: 'recovery_inconclusive', detail: verdict.detail ?? { reason: verdict.reason } };
      }
      const { tx } = await this.record(fresh, steps.status(), verdict, claim);
      if (proof && agreesWithSuccess(tx)) await this.journal.closeAgreedConflicts();
      return tx;
    } finally {
      claim.stop();
    }
  }

  /**
   * Asks about one unsettled operation now, under a claim of its own, and lets it go: the prompt
   * answer to a till's retry. A row someone holds is not asked about (`heldBy` says who).
   */
  async settleOnce(id: string, adapterFor: AdapterFor): Promise<SettleOnce> {
    if (this.inFlight.has(id)) return { tx: await this.journal.get(id), heldBy: null };
    const attempt = await this.journal.claim(id, `${this.instance}#retry`, this.leaseMs);
    if (!attempt.taken) return { tx: attempt.tx, heldBy: attempt.holder };
    try {
      const tx = await this.recover(attempt.tx, adapterFor, this.leaseMs);
      return { tx, heldBy: null };
    } finally {
      await this.journal.releaseClaim(id, fenceOf(attempt.tx)!).catch((err: unknown) => this.hooks.log?.warn({ err, transaction_id: id }, 'could not release a retry claim'));
    }
  }

  /**
   * An operator's decision on an operation no provider or terminal could settle, or on a conflict (a
   * proof of money moved that met a row settled otherwise): taken under a claim like any other write,
   * and refused while someone else holds the row — saying who, and until when. On a conflict,
   * `succeeded` accepts the proof (a `failed` row is corrected to what the proof says) and `failed`
   * dismisses it (a give-back's reservation is freed); either way the conflict is closed with who
   * decided and why.
   */
  async resolve(id: string, to: 'succeeded' | 'failed', operator: string, reason: string): Promise<Transaction> {
    const attempt = await this.journal.claim(id, `${this.instance}#operator`, this.leaseMs);
    if (!attempt.taken) {
      if (!attempt.tx) throw paymentError(text('transaction_not_found', { id }));
      const extras = { transaction_id: id, transaction_status: attempt.tx.status };
      if (attempt.holder) {
        throw paymentError(text('held_by', { id, holder: attempt.holder.owner, until: new Date(attempt.holder.expiresAt).toISOString() }), {
          ...extras,
          held_by: attempt.holder.owner,
          held_until: new Date(attempt.holder.expiresAt).toISOString(),
        });
      }
      throw paymentError(text('resolve_not_unknown', { id, status: statusText(attempt.tx.status) }), extras);
    }
    const tx = attempt.tx;
    const fence = fenceOf(tx)!;
    const decision = { operator, reason };
    try {
      const conflicts = (await this.journal.conflictsOf(id)).filter((c) => c.state === 'open');
      let done: Transaction = tx;
      if (tx.status === 'unknown') {
        const proof = to === 'succeeded' ? conflicts[0]?.verdict.facts : undefined;
        done = await this.journal.transition(id, 'unknown', to, proof ?? {}, { step: 'operator_decision', detail: decision }, fence);
      } else if (tx.status === 'failed' && to === 'succeeded' && conflicts.length > 0) {
        done = await this.journal.transition(id, 'failed', 'succeeded', conflicts[0]!.verdict.facts, { step: 'operator_accepted_proof', detail: { ...decision, conflict_id: conflicts[0]!.id } }, fence, { correction: true });
      } else if (conflicts.length === 0) {
        throw paymentError(text(tx.status === 'pending' ? 'resolve_conflict_pending' : 'resolve_not_unknown', { id, status: statusText(tx.status) }), { transaction_id: id, transaction_status: tx.status });
      }
      if (conflicts.length > 0) await this.journal.resolveConflicts(id, { by: operator, decision: to === 'succeeded' ? 'accepted' : 'dismissed', reason });
      return done;
    } finally {
      await this.journal.releaseClaim(id, fence).catch(() => undefined);
    }
  }

  isInFlight(id: string): boolean {
    return this.inFlight.has(id);
  }

  /** Proofs waiting for the journal to take them. */
  get proofsHeld(): number {
    return this.heldProofs.length;
  }

  /** Writes the proofs the journal could not take before; resolves to how many are still held. */
  async flushProofs(): Promise<number> {
    while (this.heldProofs.length > 0) {
      try {
        await this.journal.recordConflict(this.heldProofs[0]!);
      } catch (err) {
        this.hooks.log?.warn({ err, held: this.heldProofs.length }, 'proofs of money moved are still waiting for the journal');
        return this.heldProofs.length;
      }
      const written = this.heldProofs.shift()!;
      this.hooks.onProof?.(written.kind, true);
    }
    return 0;
  }

  /**
   * The context an adapter writes its progress through (under the claim), and the status those writes
   * have left. A step the timeline already holds, word for word, since the operation came to its
   * status — the same poll answered the same way, pass after pass — is not written again: only what is
   * new is journaled.
   */
  private steps(
    tx: Transaction & { events?: readonly { status: TransactionStatus; step: string; detail: unknown }[] },
    claim: HeldClaim,
    journalAheadMs = 0,
  ): { ctx: OperationContext; status: () => TransactionStatus } {
    let status = tx.status;
    const said = (to: TransactionStatus, step: string, detail: unknown) => `${to}\n${step}\n${JSON.stringify(detail ?? null)}`;
    let seen = new Set((tx.events ?? []).filter((e) => e.status === status).map((e) => said(e.status, e.step, e.detail)));
    const ctx: OperationContext = {
      progress: async (p) => {
        claim.assertHeld();
        const to: TransactionStatus = p.uncertain && status === 'pending' ? 'unknown' : status;
        const detail = p.uncertain ? { reason: p.uncertain, evidence: p.detail } : p.detail;
        const now = said(to, p.step, detail);
        if (to === status && p.facts === undefined && seen.has(now)) return;
        try {
          await this.journal.transition(tx.id, status, to, p.facts ?? {}, { step: p.step, detail }, claim.fence);
        } catch (err) {
          if (err instanceof ClaimLostError || err instanceof StaleTransitionError) claim.lose(err.message);
          throw err;
        }
        if (to !== status) seen = new Set();
        seen.add(now);
        if (to !== status) this.hooks.log?.warn({ transaction_id: tx.id, step: p.step, reason: p.uncertain }, 'operation outcome uncertain; asking the provider or terminal');
        status = to;
      },
      guard: () => claim.ensureHeld(),
      journalAheadMs,
    };
    return { ctx, status: () => status };
  }

  /**
   * Writes the verdict down under the claim. A success that cannot be written is still a success
   * (`recorded` false): the money moved. Its proof is kept as a conflict for the row's holder, its
   * recovery and an operator to see; a give-back's amount stays reserved meanwhile.
   */
  private async record(tx: Transaction, from: TransactionStatus, verdict: Verdict, claim: HeldClaim): Promise<{ tx: Transaction; recorded: boolean }> {
    const facts = verdict.facts ?? {};
    if (verdict.step === null) return { tx: { ...tx, status: from }, recorded: true };
    try {
      return { tx: await this.journal.transition(tx.id, from, verdict.outcome, facts, { step: verdict.step, detail: verdict.detail }, claim.fence), recorded: true };
    } catch (err) {
      const refused = err instanceof ClaimLostError || err instanceof StaleTransitionError;
      if (refused) claim.lose(err.message);
      if (verdict.outcome === 'succeeded') {
        await this.keepProof(tx, claim.fence, verdict, err);
        return { tx: { ...tx, ...facts, status: 'succeeded' }, recorded: false };
      }
      if (!refused) throw err;
      // Someone else holds the row or settled it: what this writer learnt proved no money moved, which
      // the holder finds out by asking in turn. The till hears the row as it is now.
      this.hooks.log?.warn({ transaction_id: tx.id, outcome: verdict.outcome, reason: (err as Error).message }, 'verdict not written: the operation is no longer this writer’s');
      const now = await this.journal.get(tx.id).catch(() => undefined);
      return { tx: now ?? { ...tx, status: from }, recorded: false };
    }
  }

  /** A success that could not be written as the row's state: journaled as a conflict, or held until the journal takes it. */
  private async keepProof(tx: Transaction, fence: Fence, verdict: Verdict, err: unknown): Promise<void> {
    const current = await this.journal.get(tx.id).catch(() => undefined);
    if (current && agreesWithSuccess(current)) return; // someone else recorded the same truth
    const conflict: NewConflict = {
      id: randomUUID(),
      transactionId: tx.id,
      kind: current && !UNSETTLED.includes(current.status) ? 'contradicted' : 'unrecorded',
      writer: `${fence.owner} (epoch ${fence.epoch})`,
      journalStatus: current?.status ?? tx.status,
      holder: current?.claim ? current.claim.owner : null,
      proven: 'succeeded',
      verdict: { step: verdict.step ?? 'succeeded', facts: verdict.facts ?? {}, detail: verdict.detail },
      createdAt: this.clock.now(),
    };
    this.hooks.log?.error(
      { err, transaction_id: tx.id, kind: tx.kind, journal_status: conflict.journalStatus, holder: conflict.holder },
      'money moved but the journal could not record it as this operation’s outcome: kept as a conflict for an operator',
    );
    try {
      await this.journal.recordConflict(conflict);
      this.hooks.onProof?.(conflict.kind, true);
    } catch (writeErr) {
      this.heldProofs.push(conflict);
      this.hooks.onProof?.(conflict.kind, false);
      this.hooks.log?.error({ err: writeErr, transaction_id: tx.id }, 'the proof could not be journaled either; it is held here and written when the journal is back');
    }
  }
}

/** The verdict a row settled by another holder stands for: its status, and the reason its last step gave. */
function settledBy(tx: Transaction & { events?: readonly { detail: unknown }[] }): Verdict {
  const detail = tx.events?.at(-1)?.detail;
  const reason = detail && typeof detail === 'object' && typeof (detail as { reason?: unknown }).reason === 'string' ? (detail as { reason: string }).reason : undefined;
  if (tx.status === 'failed') return { outcome: 'failed', step: null, ...(reason ? { reason } : {}) };
  return { outcome: 'succeeded', step: 'settled_by_another_holder' };
}

/** Whether an inconclusive verdict says what the timeline already said while unknown (nothing new learnt): its step, for the same reason. */
function saidBefore(tx: TransactionWithEvents, verdict: Verdict): boolean {
  const reasonOf = (detail: unknown) => (detail && typeof detail === 'object' ? JSON.stringify((detail as { reason?: unknown }).reason ?? null) : 'null');
  const reason = reasonOf(verdict.detail ?? { reason: verdict.reason });
  return tx.events.some((e) => e.status === 'unknown' && e.step === verdict.step && reasonOf(e.detail) === reason);
}
