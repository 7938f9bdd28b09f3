import type { Envelope } from '../../src/http/envelope.js';
import type { SqlConnection, SqlStatement } from '../../src/journal/sqlite/connection.js';
import { LEDGER_SQL } from '../../src/journal/rows.js';
import type { Fence } from '../../src/payments/ports/journal.js';
import type { Transaction } from '../../src/payments/transaction.js';
import type { AttemptContext, JournalObserver } from './journal-proxy.js';
import type { MoneyEvent, Truth } from './truth.js';
import type { Generation } from './world.js';

/**
 * The properties a run must keep, checked as it goes (each money movement, journal write and
 * answer is checked when it happens) and at every quiet point:
 *
 * 1. a till request is charged at most once (one charge per one-time code, per card request);
 * 2. nothing is journaled `failed`, and no till is told `failed`, while the provider or the pinpad
 *    moved the money (whenever it moves it) — an operator's own wrong decision aside;
 * 3. given back ≤ paid for every payment: in the journal (given back + reserved) and at the
 *    provider or bank;
 * 4. when quiet, the journal agrees with the providers' and the bank's ledgers, operation by
 *    operation;
 * 5. when quiet, every operation is settled, or left `unknown` only where nothing can be asked
 *    (the operator's list);
 * 6. no write by a lost claim: a transition the database accepts comes from the row's current claim
 *    (owner and epoch), read apart from the engine's SQL; and no money-moving request leaves for an
 *    operation its process does not hold;
 * 7. what a till is told succeeded did, for the request it made (not another transaction's);
 * 6b. an operator's decision is written under the operator's own claim, never a holder's;
 * 6c. no proof of money moved is dropped: an operation a living process learnt succeeded is, when
 *    quiet, journaled as such or kept as a conflict;
 * 8. a till's keyed retry of an operation whose first request has ended is answered promptly: within
 *    the longest settle the configuration allows (plus the time its journal calls waited), never after
 *    `idempotency.wait_ms`.
 */

export class Violation extends Error {
  constructor(
    message: string,
    readonly about: string[],
  ) {
    super(message);
    this.name = 'Violation';
  }
}

/** What the checks know of a till's (or an operator's) request. */
export interface IntentView {
  n: number;
  kind: 'pay' | 'give_back' | 'resolve' | 'other';
  label: string;
  amount?: number;
  /** The payment a give-back or resolve is about. */
  target?: string;
  /** For a resolve: the status asked for. */
  decision?: 'succeeded' | 'failed';
  /** Journal rows its attempts created. */
  ops: Set<string>;
  charges: number;
}

export interface AttemptView {
  intent: IntentView;
  /** How far the serving process's clock was set back, and how long it was frozen, since the attempt began: its deadlines stretch by that much. */
  setBack(): number;
  n: number;
  startedAt: number;
  /** The longest this attempt may take (virtual ms, before its journal waits), when it is held to one. */
  boundMs: number | undefined;
  context: AttemptContext;
}

interface Row {
  id: string;
  status: string;
  kind: string;
  method: string;
  amount: number;
  refunded_amount: number;
  original_id: string | null;
  provider_payment_id: string | null;
  claimed_by: string | null;
  claim_epoch: number;
}

export class Invariants implements Pick<JournalObserver, 'transitioned' | 'created' | 'ledgerTouched'> {
  violation: Violation | null = null;
  /** Journal row → the request that created it. */
  readonly intentOf = new Map<string, IntentView>();
  /** One-time code → the request that scanned it. */
  readonly codeIntent = new Map<string, IntentView>();
  /** Rows PayBridge itself journaled `failed`. */
  private readonly journaledFailed = new Set<string>();
  /** Rows a till was told failed. */
  private readonly toldFailed = new Set<string>();
  /**
   * Rows an operator decided against the truth (as it is, or as it turns out: a pinpad still in its
   * dialogue, a charge still on its way), and the payments whose ledgers such a decision touched:
   * what follows from a wrong decision is the operator's doing.
   */
  readonly tainted = new Set<string>();
  private readonly decided = new Map<string, { to: string; payment: string | null }>();
  readonly checks = { transitions: 0, money: 0, answers: 0, quiet: 0, ledger: 0 };
  private readonly rowStatement: SqlStatement;
  private readonly ledgerStatement: SqlStatement;
  private readonly allStatement: SqlStatement;
  private readonly eventsStatement: SqlStatement;
  private readonly unsettledStatement: SqlStatement;
  private readonly conflictedStatement: SqlStatement;

  constructor(
    raw: SqlConnection,
    private readonly truth: Truth,
  ) {
    this.rowStatement = raw.prepare('SELECT id, status, kind, method, amount, refunded_amount, original_id, provider_payment_id, claimed_by, claim_epoch FROM transactions WHERE id = ?');
    this.ledgerStatement = raw.prepare(LEDGER_SQL.replace('$1', '?'));
    this.allStatement = raw.prepare('SELECT id, status, kind, method, amount, refunded_amount, original_id, provider_payment_id, claimed_by, claim_epoch FROM transactions ORDER BY created_at, id');
    this.unsettledStatement = raw.prepare(
      "SELECT id, status, kind, method, amount, refunded_amount, original_id, provider_payment_id, claimed_by, claim_epoch FROM transactions WHERE status IN ('pending', 'unknown') ORDER BY created_at, id",
    );
    this.conflictedStatement = raw.prepare("SELECT DISTINCT transaction_id FROM operation_conflicts WHERE proven = 'succeeded'");
    this.eventsStatement = raw.prepare('SELECT step FROM transaction_events WHERE transaction_id = ? ORDER BY seq');
  }

  fail(message: string, about: (string | undefined | null)[]): void {
    if (!this.violation) this.violation = new Violation(message, about.filter((a): a is string => !!a));
  }

  row(id: string): Row | undefined {
    return this.rowStatement.get(id) as Row | undefined;
  }

  /** The row as the journal proxy reads it before a transition. */
  rowNow = (id: string) => this.row(id);

  private taintedPayment(paymentId: string): boolean {
    return this.tainted.has(paymentId);
  }

  // ---- 1, 2 and 3 at the provider, as the money moves

  /** An operator said `failed` of an operation whose money moves after all: that decision was wrong. */
  private contradicts(op: string): void {
    const d = this.decided.get(op);
    if (d?.to !== 'failed') return;
    this.tainted.add(op);
    if (d.payment) this.tainted.add(d.payment);
  }

  onMoney(e: MoneyEvent): void {
    this.checks.money++;
    this.contradicts(e.kind === 'charge' ? e.charge.txId : (e.giveBack.opId ?? ''));
    if (e.kind === 'charge') {
      const c = e.charge;
      const row = this.row(c.txId);
      if (!row) return this.fail(`${c.provider} charged ${c.amount} for ${c.txId}, which the journal never had`, [c.txId]);
      if ((this.truth.charges.get(c.txId)?.length ?? 0) > 1) return this.fail(`${c.txId} was charged twice at ${c.provider} (one payment, two charges)`, [c.txId]);
      const intent = (c.code ? this.codeIntent.get(c.code) : undefined) ?? this.intentOf.get(c.txId);
      if (intent) {
        intent.charges++;
        // A till told "failed" by an operator's wrong decision takes the payment again: the operator's doing.
        const misled = [...intent.ops].some((op) => this.tainted.has(op));
        if (intent.charges > 1 && !misled) return this.fail(`till request #${intent.n} (${intent.label}) was charged twice: the second time as ${c.txId}`, [c.txId, ...intent.ops]);
      }
      if (this.journaledFailed.has(c.txId)) return this.fail(`${c.provider} charged ${c.txId} after PayBridge journaled it failed`, [c.txId]);
      if (this.toldFailed.has(c.txId) && !this.tainted.has(c.txId)) return this.fail(`${c.provider} charged ${c.txId} after a till was told it failed`, [c.txId]);
      return;
    }
    const g = e.giveBack;
    if (!g.opId) return this.fail(`money of ${g.paymentTxId} went back (${g.amount}) for a request that no give-back operation sent`, [g.paymentTxId]);
    const op = this.row(g.opId);
    if (!op || op.original_id !== g.paymentTxId) return this.fail(`money of ${g.paymentTxId} went back for ${g.opId}, which is not a give-back of that payment`, [g.paymentTxId, g.opId]);
    if ((this.truth.byOp.get(g.opId)?.length ?? 0) > 1) return this.fail(`give-back ${g.opId} was carried out twice`, [g.opId, g.paymentTxId]);
    const given = this.truth.givenBack.get(g.paymentTxId) ?? 0;
    const paid = this.truth.charged(g.paymentTxId);
    if (given > paid && !this.taintedPayment(g.paymentTxId)) return this.fail(`payment ${g.paymentTxId}: ${given} given back at the provider or bank, ${paid} paid`, [g.paymentTxId, g.opId]);
    if (this.journaledFailed.has(g.opId)) return this.fail(`give-back ${g.opId} was carried out after PayBridge journaled it failed`, [g.opId, g.paymentTxId]);
    if (this.toldFailed.has(g.opId) && !this.tainted.has(g.opId)) return this.fail(`give-back ${g.opId} was carried out after a till was told it failed`, [g.opId, g.paymentTxId]);
  }

  /** 6, for the outward step itself: a money-moving request leaves only for an operation its process holds. */
  sending(instance: string, op: string | undefined, what: string): void {
    if (!op) return this.fail(`${instance} sent ${what} outside any request of a till or an operator`, []);
    const row = this.row(op);
    if (!row) return this.fail(`${instance} sent ${what} for ${op}, which the journal does not have`, [op]);
    const mine = row.claimed_by === instance || !!row.claimed_by?.startsWith(`${instance}#`);
    if (!mine || (row.status !== 'pending' && row.status !== 'unknown')) {
      this.fail(`${instance} sent ${what} for ${op} while the row is ${row.status} and held by ${row.claimed_by ?? 'nobody'}/${row.claim_epoch}: an outward step without the claim`, [op]);
    }
  }

  // ---- 2, 3 and 6 in the journal, as each write is accepted

  transitioned(gen: Generation, a: { id: string; from: string; to: string; step: string; fence: Fence; correction: boolean }, before: Pick<Row, 'status' | 'claimed_by' | 'claim_epoch'> | undefined, after: Transaction): void {
    this.checks.transitions++;
    if (!before) return this.fail(`${gen} wrote ${a.id}, which did not exist`, [a.id]);
    if (before.claimed_by !== a.fence.owner || before.claim_epoch !== a.fence.epoch) {
      return this.fail(
        `${gen} wrote ${a.id} (${a.from}→${a.to}, ${a.step}) under ${a.fence.owner}/${a.fence.epoch}, but the row was held by ${before.claimed_by ?? 'nobody'}/${before.claim_epoch}: a write by a lost claim was accepted`,
        [a.id],
      );
    }
    if (before.status !== a.from) return this.fail(`${gen} moved ${a.id} from ${a.from} while it was ${before.status}: the compare-and-set on the status let it through`, [a.id]);
    const operator = a.step === 'operator_decision' || a.step === 'operator_accepted_proof';
    if (operator && !a.fence.owner.endsWith('#operator')) {
      return this.fail(`${gen} wrote an operator's decision on ${a.id} (${a.from}→${a.to}) under ${a.fence.owner}/${a.fence.epoch}, a claim that is not the operator's`, [a.id]);
    }
    if (operator) {
      this.decided.set(a.id, { to: a.to, payment: after.originalId });
      const moved = this.truth.moved(a.id);
      if ((a.to === 'failed' && moved) || (a.to === 'succeeded' && !moved)) {
        this.tainted.add(a.id);
        if (after.originalId) this.tainted.add(after.originalId);
        if (after.kind === 'payment') this.tainted.add(a.id);
      }
      return;
    }
    if (a.to === 'failed' && a.from !== 'failed') {
      this.journaledFailed.add(a.id);
      if (this.truth.moved(a.id)) this.fail(`${gen} journaled ${a.id} failed (${a.step}) while the money had moved`, [a.id, after.originalId]);
    }
  }

  created(_gen: Generation, tx: Transaction, context: AttemptContext | undefined): void {
    if (!context) return;
    const intent = this.attemptIntent.get(context);
    if (!intent) return;
    intent.ops.add(tx.id);
    this.intentOf.set(tx.id, intent);
  }

  /** Which request an attempt context belongs to (set by the till when it starts an attempt). */
  readonly attemptIntent = new WeakMap<AttemptContext, IntentView>();

  ledgerTouched(paymentId: string): void {
    this.checks.ledger++;
    const payment = this.row(paymentId);
    if (!payment) return;
    const l = this.ledgerStatement.get(paymentId) as { given: number; reserved: number };
    const given = Number(l.given);
    const reserved = Number(l.reserved);
    if (given + reserved > payment.amount) this.fail(`payment ${paymentId}: ${given} given back and ${reserved} reserved in the journal, ${payment.amount} paid`, [paymentId]);
    if (payment.refunded_amount !== given) this.fail(`payment ${paymentId}: refunded_amount ${payment.refunded_amount}, but its succeeded give-backs add up to ${given}`, [paymentId]);
  }

  // ---- 2, 3, 7 and 8 as each answer reaches a till

  answered(attempt: AttemptView, envelope: Envelope, now: number): void {
    this.checks.answers++;
    const { intent } = attempt;
    const data = (envelope.data ?? {}) as Record<string, unknown>;
    const error = (envelope.error ?? {}) as Record<string, unknown>;
    const took = now - attempt.startedAt;
    if (attempt.boundMs !== undefined && took > attempt.boundMs + attempt.context.journalMs + attempt.setBack()) {
      return this.fail(
        `till request #${intent.n} (${intent.label}), retry ${attempt.n} with its key after the first request had ended, was answered after ${(took / 1000).toFixed(1)} s — more than the longest settle (${(attempt.boundMs / 1000).toFixed(1)} s) plus its journal waits (${(attempt.context.journalMs / 1000).toFixed(1)} s) and its process's clock set back or frozen (${(attempt.setBack() / 1000).toFixed(1)} s): ${JSON.stringify(envelope).slice(0, 300)}`,
        [...intent.ops],
      );
    }
    if (envelope.is_success) {
      if (intent.kind === 'pay') {
        const tx = String(data.transaction_id ?? '');
        if (!intent.ops.has(tx)) return this.fail(`till request #${intent.n} (${intent.label}) was told it succeeded as ${tx}, which is not its payment`, [tx, ...intent.ops]);
        if (this.truth.charged(tx) === 0 && !this.tainted.has(tx)) return this.fail(`till request #${intent.n} (${intent.label}) was told ${tx} succeeded, and nothing was charged`, [tx]);
        if (data.amount !== undefined && data.amount !== intent.amount) return this.fail(`till request #${intent.n} was told ${tx} took ${String(data.amount)}, not ${intent.amount}`, [tx]);
      } else if (intent.kind === 'give_back') {
        const op = String(data.give_back_id ?? data.transaction_id ?? '');
        const payment = String(data.original_transaction_id ?? data.transaction_id ?? '');
        if (data.give_back_id !== undefined && payment !== intent.target) return this.fail(`request #${intent.n} (${intent.label}) was told a give-back of ${payment} succeeded, not of ${intent.target}`, [payment, intent.target, op]);
        if (!intent.ops.has(op)) return this.fail(`request #${intent.n} (${intent.label}) was told give-back ${op} succeeded, which is not one it made`, [op, intent.target, ...intent.ops]);
        if (!this.truth.byOp.has(op) && !this.tainted.has(op) && !this.tainted.has(intent.target!)) return this.fail(`request #${intent.n} (${intent.label}) was told give-back ${op} succeeded, and nothing went back`, [op, intent.target]);
        const refunded = Number(data.refunded_amount ?? 0);
        const paid = this.truth.charged(intent.target!);
        if (refunded > paid && !this.tainted.has(intent.target!)) return this.fail(`request #${intent.n} was told ${refunded} of ${intent.target} was given back, of ${paid} paid`, [intent.target]);
      } else if (intent.kind === 'resolve') {
        if (data.transaction_id !== intent.target) return this.fail(`an operator's decision on ${intent.target} was answered with ${String(data.transaction_id)}`, [intent.target, String(data.transaction_id)]);
      }
      return;
    }
    const failedOp =
      error.give_back_status === 'failed' ? String(error.give_back_id ?? '') : error.give_back_id === undefined && error.transaction_status === 'failed' ? String(error.transaction_id ?? '') : '';
    if (failedOp) {
      this.toldFailed.add(failedOp);
      if (this.truth.moved(failedOp) && !this.tainted.has(failedOp)) return this.fail(`till request #${intent.n} (${intent.label}) was told ${failedOp} failed while the money had moved`, [failedOp, intent.target]);
    }
  }

  /** Operations a process learnt moved money (an adapter's verdict `succeeded`), and which processes learnt it. */
  private readonly learnt = new Map<string, Generation[]>();

  verdict(gen: Generation, op: string, outcome: string): void {
    if (outcome !== 'succeeded') return;
    this.learnt.set(op, [...(this.learnt.get(op) ?? []), gen]);
  }

  /** 6c: every proof learnt by a process still alive is in the journal, as the row's state or a conflict. */
  private proofsKept(conflicted: Set<string>): void {
    for (const [op, gens] of this.learnt) {
      if (!gens.some((g) => g.alive)) continue;
      const row = this.row(op);
      if (!row) continue;
      const agrees = row.status === 'succeeded' || (row.kind === 'payment' && (row.status === 'cancelled' || row.status === 'refunded'));
      if (agrees || conflicted.has(op)) continue;
      return this.fail(`${gens.filter((g) => g.alive).join(', ')} learnt that ${op} moved money, and the journal keeps no trace of it: ${row.status}, no conflict (a proof dropped)`, [op, row.original_id]);
    }
  }

  // ---- 4 and 5 when quiet

  /** Rows nothing can settle by asking: they wait for an operator, listed. */
  private unsettleable(row: Row): string | undefined {
    const steps = (this.eventsStatement.all(row.id) as { step: string }[]).map((e) => e.step);
    if (row.method === 'uzum' && row.kind === 'payment' && !row.provider_payment_id) return 'an Uzum payment whose payment_id was never learnt';
    if (row.method === 'uzum' && row.kind === 'payment' && steps.includes('payment_id_borrowed')) return 'an Uzum payment whose payment_id came from a DUPLICATED answer or a repeat (its FAILED proves nothing)';
    if (row.method === 'click' && row.kind === 'refund') return 'a CLICK partial reversal (payment/status does not show it)';
    // Issue #25: CLICK documents no "not found" for status_by_mti (−6 is the SHOP API's), and the
    // simulator runs CLICK without the confirmation mode, whose lapse alone could settle it.
    if (row.method === 'click' && row.kind === 'payment' && !row.provider_payment_id) return 'a CLICK payment whose payment_id was never learnt (no documented "not found"; the confirmation mode is off here)';
    // Nor does CLICK document what a reversed payment's payment/status reads.
    if (row.method === 'click' && row.kind === 'cancel') return 'a CLICK reversal whose answer was lost (a reversed payment’s status is undocumented)';
    if (row.method === 'payme' && row.kind === 'payment' && !row.provider_payment_id && steps.includes('orphan_receipt_lookup_failed')) return 'a Payme payment whose receipt list could not be read';
    if (row.method === 'payme' && row.kind === 'payment' && !row.provider_payment_id) return 'a Payme payment without its receipt id (the list may be longer than PayBridge reads)';
    if (steps.includes('gave_back_another_payment')) return 'a give-back whose slip names another payment';
    // The payment's journaled payment_id came from a DUPLICATED answer or a repeat and no SUCCESS of it
    // was ever seen (an operator decided the payment from the ledger): it may be the rejected repeat's,
    // whose FAILED says nothing of a reversal sent by order_id, and Uzum has no status by order_id.
    if (row.method === 'uzum' && row.original_id && this.borrowedUnconfirmed(row.original_id)) {
      return 'a give-back of an Uzum payment whose payment_id came from a DUPLICATED answer or a repeat and was never seen SUCCESS (it may be the rejected repeat’s)';
    }
    if (row.original_id && ['click', 'payme', 'uzum'].includes(row.method) && !this.row(row.original_id)?.provider_payment_id) return 'a give-back of a payment without its provider id';
    return undefined;
  }

  /** An Uzum payment whose payment_id was borrowed and never confirmed by its own SUCCESS (the adapter's `paid`, a verdict, or an accepted proof). */
  private borrowedUnconfirmed(paymentId: string): boolean {
    const steps = (this.eventsStatement.all(paymentId) as { step: string }[]).map((e) => e.step);
    return steps.includes('payment_id_borrowed') && !steps.some((s) => s === 'paid' || s === 'succeeded' || s === 'operator_accepted_proof');
  }

  private failQuiet(message: string, about: (string | null)[]): { open: string[]; rows: number } {
    this.fail(message, about);
    return { open: [], rows: 0 };
  }

  /** 4, 5 and 6c; `final`: nothing may be left pending. Returns what is still open and could be settled (empty when done). */
  quiet(final: boolean): { open: string[]; rows: number } {
    this.checks.quiet++;
    const open: string[] = [];
    const rows = (final ? this.allStatement.all() : this.unsettledStatement.all()) as Row[];
    for (const row of rows) {
      if (row.status === 'pending') open.push(`${row.id} pending`);
      else if (row.status === 'unknown' && !this.unsettleable(row)) open.push(`${row.id} unknown (${row.kind} ${row.method})`);
    }
    if (!final) return { open, rows: rows.length };
    if (open.length) {
      this.fail(`after a quiet period, ${open.length} operation(s) are still unsettled though their provider or pinpad can tell: ${open.slice(0, 5).join(', ')}`, open.slice(0, 5).map((o) => o.split(' ')[0]!));
      return { open, rows: rows.length };
    }
    this.proofsKept(new Set((this.conflictedStatement.all() as { transaction_id: string }[]).map((c) => c.transaction_id)));
    if (this.violation) return { open, rows: rows.length };
    const byId = new Map(rows.map((r) => [r.id, r]));
    const unknownGiveBacks = new Map<string, number>();
    for (const r of rows) if (r.original_id && r.status === 'unknown') unknownGiveBacks.set(r.original_id, (unknownGiveBacks.get(r.original_id) ?? 0) + r.amount);
    for (const row of rows) {
      if (this.tainted.has(row.id) || (row.original_id && this.tainted.has(row.original_id))) continue;
      if (row.kind === 'payment') {
        const charged = this.truth.charged(row.id);
        const paid = row.status === 'succeeded' || row.status === 'cancelled' || row.status === 'refunded';
        if (paid && charged !== row.amount) return this.failQuiet(`quiet: ${row.id} is ${row.status} in the journal, ${charged} charged by ${row.method}`, [row.id]);
        if (row.status === 'failed' && charged > 0) return this.failQuiet(`quiet: ${row.id} is failed in the journal, ${charged} charged by ${row.method}`, [row.id]);
        if (charged > 0 && !paid && row.status !== 'unknown') return this.failQuiet(`quiet: ${row.method} charged ${row.id}, the journal says ${row.status}`, [row.id]);
        continue;
      }
      if (!row.original_id) continue;
      const applied = (this.truth.byOp.get(row.id) ?? []).reduce((sum, g) => sum + g.amount, 0);
      if (row.status === 'succeeded' && applied !== row.amount) return this.failQuiet(`quiet: give-back ${row.id} succeeded in the journal, ${applied} went back`, [row.id, row.original_id]);
      if (row.status === 'failed' && applied > 0) return this.failQuiet(`quiet: give-back ${row.id} failed in the journal, ${applied} went back`, [row.id, row.original_id]);
    }
    for (const [paymentId, given] of this.truth.givenBack) {
      const payment = byId.get(paymentId);
      if (!payment || this.tainted.has(paymentId)) continue;
      const open = unknownGiveBacks.get(paymentId) ?? 0;
      if (given < payment.refunded_amount || given > payment.refunded_amount + open) {
        return this.failQuiet(`quiet: payment ${paymentId} has ${payment.refunded_amount} given back in the journal (${open} more unknown), ${given} at its provider or bank`, [paymentId]);
      }
    }
    return { open, rows: rows.length };
  }
}
