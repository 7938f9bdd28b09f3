import type { Logger } from 'pino';
import type { Journal, OperationConflict, PeriodTotalsRow, TotalsScope } from './ports/journal.js';
import type { ShiftTotals } from './ports/terminal.js';
import { statusText, text } from '../i18n/text.js';
import type { CardPaymentService } from './card-payment-service.js';
import { paymentError } from './errors.js';
import { DEFAULT_SHOP_TIMEZONE, shopDay, shopDaysEndingWith, shopHours } from '../lib/shop-time.js';
import { moneyOf, takingsPerBucket } from './takings.js';
import { remainingToGiveBack } from './give-back-ledger.js';
import type { QrPaymentService } from './qr-payment-service.js';
import type { RecoveryService } from './recovery.js';
import type { ShiftCloseRecovery } from './shift-close.js';
import { isQrMethod, PAYMENT_METHODS, type PaymentMethod, type ShiftClose, type Transaction, type TransactionWithEvents } from './transaction.js';

export interface MethodTotals {
  method: PaymentMethod;
  /** Payments that took money (still paid, or given back afterwards), and their sum in tiyin. */
  paid_count: number;
  paid_amount: number;
  /** Tiyin given back: QR cancellations and refunds, pinpad cancels and refunds (give-backs that succeeded, when they were made). */
  returned_amount: number;
  /** How many give-backs succeeded. */
  returned_count: number;
  net_amount: number;
  failed_count: number;
  pending_count: number;
  unknown_count: number;
}

const snake = (t: ShiftTotals) => ({ purchase_count: t.purchaseCount, purchase_amount: t.purchaseAmount, return_count: t.returnCount, return_amount: t.returnAmount });

/** A reconciliation as the manager reads it: both sides, and what differs. */
export function presentShiftClose(c: ShiftClose) {
  const t = c.terminalTotals;
  const j = c.journalTotals;
  return {
    id: c.id,
    state: c.state,
    terminal: c.terminal,
    shift_number: c.shiftNumber,
    closed_at: new Date(c.closedAt).toISOString(),
    matched: c.matched,
    mismatch: c.matched === false,
    // Only what was compared is shown as compared: a close whose report printed no totals, or named
    // no shift, has no journal side and no difference, and says why.
    reason: c.reason ?? null,
    terminal_host_reconciliation: c.hostReconciliation ?? null,
    terminal_totals: t && snake(t),
    journal_totals: j && snake(j),
    difference: t && j
      ? snake({
          purchaseCount: t.purchaseCount - j.purchaseCount,
          purchaseAmount: t.purchaseAmount - j.purchaseAmount,
          returnCount: t.returnCount - j.returnCount,
          returnAmount: t.returnAmount - j.returnAmount,
        })
      : null,
    report: c.report,
  };
}

/**
 * What the shop's manager and the CLI ask of PayBridge beyond taking payments: a day's totals,
 * the terminals' state, reconciliations, giving money back from the journal, settling now.
 */
export class OperatorService {
  constructor(
    private readonly journal: Journal,
    private readonly qr: QrPaymentService,
    private readonly cards: CardPaymentService,
    private readonly recovery: RecoveryService,
    private readonly log: Logger,
    /** The shop's IANA zone: what "a day" means in the summary. */
    private readonly timezone: string = DEFAULT_SHOP_TIMEZONE,
    /** Settles shift closes left `sent`, when "settle now" is asked for. */
    private readonly closeRecovery?: Pick<ShiftCloseRecovery, 'recoverOnce'>,
    /** This PayBridge's own shop and till (instance.shop, instance.till): its terminals are that till's. */
    private readonly here: { shop?: string | undefined; till?: string | undefined } = {},
  ) {}

  /** This PayBridge's own shop and till, as it records them on every transaction (null: not named). */
  thisTill(): { shop: string | null; till: string | null } {
    return { shop: this.here.shop ?? null, till: this.here.till ?? null };
  }

  /**
   * A shop day's totals per method and terminal, its hours and the `days` shop days ending with it
   * (oldest first), all by one rule of attribution (see takings.ts).
   */
  async summary(date?: string, days = 7, scope: SummaryScope = {}) {
    const day = shopDay(this.timezone, date);
    const hours = shopHours(this.timezone, day);
    const lastDays = shopDaysEndingWith(this.timezone, day.date, days);
    // Narrowed to a shop or a till by the journal itself (instance.shop / instance.till on every row).
    const [rows, hourRows, dayRows] = await Promise.all([
      this.journal.periodTotals(day.from, day.to, scope),
      this.journal.bucketTotals([...hours.map((h) => h.from), day.to], scope),
      this.journal.bucketTotals([...lastDays.map((d) => d.from), day.to], scope),
    ]);
    const byMethod = new Map<PaymentMethod, MethodTotals>(
      PAYMENT_METHODS.map((method) => [method, { method, paid_count: 0, paid_amount: 0, returned_amount: 0, returned_count: 0, net_amount: 0, failed_count: 0, pending_count: 0, unknown_count: 0 }]),
    );
    for (const row of rows) addToTotals(byMethod.get(row.method)!, row);
    for (const m of byMethod.values()) m.net_amount = m.paid_amount - m.returned_amount;
    // This PayBridge's terminals are its own till's: shown when the summary is of that till (or of all).
    const ours = (scope.shop === undefined || scope.shop === this.here.shop) && (scope.till === undefined || scope.till === this.here.till);
    const terminals = !ours
      ? []
      : await Promise.all(
          this.cards.all().map(async (t) => {
            const shift = await this.currentShift(t.id);
            const totals = shift.number === null ? null : await this.journal.shiftTotals(t.id, shift.number);
            return { terminal: t.id, method: t.method, shift_number: shift.number, shift_open: shift.open, totals: totals && snake(totals) };
          }),
        );
    const iso = (ms: number) => new Date(ms).toISOString();
    const perHour = takingsPerBucket(hours.length, hourRows);
    const perDay = takingsPerBucket(lastDays.length, dayRows);
    return {
      date: day.date,
      timezone: this.timezone,
      from: iso(day.from),
      to: iso(day.to),
      shop: scope.shop ?? null,
      till: scope.till ?? null,
      this_till: this.thisTill(),
      tills: await this.tillsOf(day, scope.shop),
      methods: [...byMethod.values()],
      terminals,
      hourly: hours.map((h, i) => ({ hour: h.hour, from: iso(h.from), methods: perHour[i]! })),
      days: lastDays.map((d, i) => ({ date: d.date, from: iso(d.from), to: iso(d.to), methods: perDay[i]! })),
    };
  }

  /**
   * The tills (of `shop`, or of every shop) with a transaction on the day, and this PayBridge's own
   * when it names one: what a console offers to choose from. Sorted by shop, then till (numbers as numbers).
   */
  private async tillsOf(day: { date: string; from: number; to: number }, shop: string | undefined): Promise<TillId[]> {
    const seen = new Map<string, TillId>();
    const add = (s: string | null, t: string | null) => {
      if (t !== null) seen.set(`${s ?? ''}\u0000${t}`, { shop: s, till: t });
    };
    for (const t of await this.journal.tillsIn(day.from, day.to, shop)) add(t.shop, t.till);
    if (this.here.till !== undefined && (shop === undefined || shop === this.here.shop)) add(this.here.shop ?? null, this.here.till);
    const order = new Intl.Collator('en', { numeric: true });
    return [...seen.values()].sort((a, b) => order.compare(a.shop ?? '', b.shop ?? '') || order.compare(a.till, b.till));
  }

  /**
   * What waits for an operator: transactions whose outcome nobody could settle (oldest first, at
   * most 100 of them listed), reconciliations that did not match, closed within the last
   * ATTENTION_DAYS shop days (newest first), open conflicts of proof (oldest first), and shift closes
   * whose outcome is unknown — the shift may or may not be closed — until a later close of the same
   * terminal closes it (newest first, at most 100 listed).
   */
  async attention(): Promise<{
    unknown: Transaction[];
    unknownCount: number;
    mismatched: ShiftClose[];
    conflicts: ConflictSeen[];
    conflictsCount: number;
    unknownCloses: ShiftClose[];
    unknownClosesCount: number;
  }> {
    const since = shopDaysEndingWith(this.timezone, shopDay(this.timezone).date, ATTENTION_DAYS)[0]!.from;
    const [unknown, open, mismatched, conflicts, unknownCloses] = await Promise.all([
      this.journal.oldestUnknown(100),
      this.journal.openCounts(),
      this.journal.listShiftCloses({ limit: 200, mismatchedSince: since }),
      this.journal.openConflicts(100),
      this.journal.listShiftCloses({ limit: 100, unknownUnresolved: true }),
    ]);
    const unknownCount = open.transactions.filter((t) => t.status === 'unknown').reduce((n, t) => n + t.count, 0);
    const seen = await Promise.all(
      conflicts.map(async (conflict): Promise<ConflictSeen[]> => {
        const tx = await this.journal.get(conflict.transactionId);
        return tx ? [{ conflict, tx }] : [];
      }),
    );
    return { unknown, unknownCount, mismatched, conflicts: seen.flat(), conflictsCount: open.conflictsOpen, unknownCloses, unknownClosesCount: open.shiftClosesUnknown };
  }

  /**
   * A transaction with what belongs to it: a payment's give-backs (oldest first) and what may still
   * be given back; a give-back's payment (null for a foreign one).
   */
  async transactionDetail(id: string): Promise<
    | { tx: TransactionWithEvents; conflicts: OperationConflict[]; giveBacks: Transaction[]; remaining: number; original?: undefined }
    | { tx: TransactionWithEvents; conflicts: OperationConflict[]; original: Transaction | null; giveBacks?: undefined; remaining?: undefined }
    | undefined
  > {
    const tx = await this.journal.get(id);
    if (!tx) return undefined;
    const conflicts = await this.journal.conflictsOf(tx.id);
    if (tx.kind !== 'payment') return { tx, conflicts, original: tx.originalId ? ((await this.journal.get(tx.originalId)) ?? null) : null };
    const [giveBacks, ledger] = await Promise.all([this.journal.giveBacksOf(tx.id), this.journal.giveBackLedger(tx.id)]);
    // Only money that was taken can go back: a failed, pending or unknown payment has nothing to give.
    return { tx, conflicts, giveBacks, remaining: tx.status === 'succeeded' ? remainingToGiveBack(ledger) : 0 };
  }

  /** The shift a terminal is in: the last one on a slip, or the one after the last close. */
  private async currentShift(terminal: string): Promise<{ number: number | null; open: boolean }> {
    const [onSlips, recent] = await Promise.all([this.journal.latestShift(terminal), this.journal.listShiftCloses({ terminal, limit: 10 })]);
    const closed = recent.find((c) => c.state === 'closed')?.shiftNumber ?? null;
    if (closed !== null && (onSlips === null || closed >= onSlips)) return { number: closed + 1, open: false };
    return { number: onSlips, open: onSlips !== null };
  }

  async terminals() {
    return Promise.all(
      this.cards.all().map(async (t) => {
        const [shift, [lastClose]] = await Promise.all([this.currentShift(t.id), this.journal.listShiftCloses({ terminal: t.id, limit: 1 })]);
        const online = t.link?.online ?? true;
        return {
          id: t.id,
          method: t.method,
          driver: t.driver.kind,
          default: t.isDefault,
          state: t.queue.isBusy ? 'busy' : online ? 'idle' : 'offline',
          queue_depth: t.queue.depth,
          last_answer_at: t.link?.lastAnswerAt ? new Date(t.link.lastAnswerAt).toISOString() : null,
          last_error: t.link?.lastError ? { at: new Date(t.link.lastError.at).toISOString(), message: t.link.lastError.message } : null,
          shift_number: shift.number,
          last_close: lastClose ? { state: lastClose.state, closed_at: new Date(lastClose.closedAt).toISOString(), shift_number: lastClose.shiftNumber, matched: lastClose.matched } : null,
        };
      }),
    );
  }

  async shiftCloses(filter: { terminal?: string; limit: number }) {
    return (await this.journal.listShiftCloses(filter)).map(presentShiftClose);
  }

  /**
   * Gives a payment's money back, whatever its method: Click/Payme cancellation, Humo cancel
   * within the shift, UzCard refund by RRN. Without `amount`, everything that remains. The same
   * checks and refusals as the tills' own endpoints.
   */
  async giveBack(transactionId: string, amount: number | undefined, operator: string | undefined) {
    const tx = await this.journal.get(transactionId);
    if (!tx) throw paymentError(text('transaction_not_found', { id: transactionId }), { transaction_id: transactionId });
    const extras = { transaction_id: tx.id, transaction_status: tx.status };
    if (tx.kind !== 'payment') throw paymentError(text('not_a_payment', { id: tx.id }), extras);
    this.log.info({ transaction_id: tx.id, method: tx.method, amount: amount ?? 'all', operator: operator ?? null }, 'money given back from the journal by an operator');
    if (isQrMethod(tx.method)) return this.qr.cancel(tx.method, { transactionId: tx.id, amount });
    const remaining = remainingToGiveBack(await this.journal.giveBackLedger(tx.id));
    if (tx.status !== 'succeeded') throw paymentError(text(tx.status === 'cancelled' || tx.status === 'refunded' ? 'already_given_back' : 'not_paid', { status: statusText(tx.status) }), extras);
    if (!tx.providerPaymentId) throw paymentError(text('no_rrn', { id: tx.id }), extras);
    const terminal = tx.terminal ?? undefined;
    return tx.method === 'humo'
      ? this.cards.cancel('humo', tx.providerPaymentId, amount ?? remaining, terminal)
      : this.cards.refund('uzcard', tx.providerPaymentId, amount ?? remaining, terminal);
  }

  /** Settles every pending or unknown transaction now; tells what is still open afterwards. */
  async settleNow() {
    const settled = await this.recovery.recoverNow();
    await this.closeRecovery?.recoverOnce();
    const open = await this.journal.openCounts();
    const count = (status: 'pending' | 'unknown') => open.transactions.filter((t) => t.status === status).reduce((n, t) => n + t.count, 0);
    const unknown = await this.journal.list({ status: 'unknown', limit: 50 });
    return {
      settled,
      pending: count('pending'),
      unknown: count('unknown'),
      unknown_transactions: unknown.items.map((t) => ({ transaction_id: t.id, method: t.method, amount: t.amount, created_at: new Date(t.createdAt).toISOString() })),
      fiscal_handoffs_pending: open.handoffsPending,
      fiscal_handoffs_unknown: open.handoffsUnknown,
    };
  }

  /** The answer a give-back stands for, to a retry with its key; undefined while it is unsettled, unless `orUnsettled`. */
  async replayGiveBack(id: string, orUnsettled = false): Promise<unknown> {
    const tx = await this.journal.get(id);
    if (!tx || tx.kind === 'payment') return undefined;
    return isQrMethod(tx.method) ? this.qr.giveBackAnswer(id, orUnsettled) : this.cards.replay(id, orUnsettled);
  }
}

/** A conflict with the transaction it is about, as the journal has it now. */
export interface ConflictSeen {
  conflict: OperationConflict;
  tx: Transaction;
}

/** A summary narrowed to one shop, one till, or one till of one shop: what the journal's totals take. */
export type SummaryScope = TotalsScope;

/** A till as the journal names it: its shop (null when that PayBridge named none) and its id. */
export interface TillId {
  shop: string | null;
  till: string;
}

/** Shop days a mismatched reconciliation stays on the attention list. */
export const ATTENTION_DAYS = 7;

function addToTotals(m: MethodTotals, row: PeriodTotalsRow): void {
  // Give-backs count on their own day, as in the hours and days (takings.ts), not on their payment's.
  const money = moneyOf(row);
  m.paid_count += money.paidCount;
  m.paid_amount += money.paid;
  m.returned_amount += money.returned;
  m.returned_count += money.returnedCount;
  if (row.kind !== 'payment') return;
  if (row.status === 'failed') m.failed_count += row.count;
  else if (row.status === 'pending') m.pending_count += row.count;
  else if (row.status === 'unknown') m.unknown_count += row.count;
}
