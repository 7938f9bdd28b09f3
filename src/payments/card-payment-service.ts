import type { LinkState } from '../terminals/link-state.js';
import { statusText, text } from '../i18n/text.js';
import { METHOD_NAMES } from './transaction.js';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { firstWrite, type Journal, type NewTransaction, type TransactionPatch } from '../journal/journal.js';
import { classifyCode, describeCode } from '../terminals/response-codes.js';
import { TerminalLinkError, type ShiftTotals, type TerminalAnswer, type TerminalDriver, type TerminalRequest } from '../terminals/terminal.js';
import { TerminalBusyError, type TerminalQueue } from '../terminals/terminal-queue.js';
import { ErrorCode, invalidRequest, overRemaining, paymentError, PayBridgeError, type ErrorExtras } from './errors.js';
import { KeyedLock } from './keyed-lock.js';
import type { TransactionStatus } from './state-machine.js';
import type { Transaction } from './transaction.js';
import type { PaymentServiceHooks } from './qr-payment-service.js';

export type CardMethod = 'humo' | 'uzcard';

export interface CardTerminal {
  id: string;
  method: CardMethod;
  isDefault: boolean;
  driver: TerminalDriver;
  queue: TerminalQueue;
  /** What the last exchange said about the link (see terminals/link-state.ts). */
  link?: LinkState;
}

/** The seed documents' answer: the slip as printed, and the RRN as `ppt_id`. */
export interface CardAnswer {
  message: string;
  ppt_id: string | null;
  [extra: string]: unknown;
}

type Operation = 'purchase' | 'cancel' | 'refund';

const TERMINAL_ERROR = { humo: ErrorCode.HUMO_TERMINAL, uzcard: ErrorCode.UZCARD_TERMINAL } as const;

function terminalError(method: CardMethod, code: string, extras: ErrorExtras = {}): PayBridgeError {
  return new PayBridgeError(TERMINAL_ERROR[method], { pinpadCode: code }, describeCode(code), { response_code: code, ...extras });
}

function facts(answer: TerminalAnswer): TransactionPatch {
  return {
    providerPaymentId: answer.rrn,
    receiptNumber: answer.receiptNumber,
    shiftNumber: answer.shiftNumber,
    authCode: answer.authCode,
    slip: answer.slip || null,
  };
}

/**
 * Card payments on Humo and UzCard pinpads: one operation at a time per terminal, every operation
 * journaled before the terminal is touched, and an answer that never came settled by asking the
 * terminal — never by sending the operation again.
 */
export class CardPaymentService {
  private readonly locks = new KeyedLock();
  private readonly inFlight = new Set<string>();

  constructor(
    private readonly journal: Journal,
    private readonly terminals: readonly CardTerminal[],
    private readonly log: Logger,
    private readonly options: { allowForeignRrns: boolean },
    private readonly hooks: PaymentServiceHooks = {},
  ) {}

  isInFlight(transactionId: string): boolean {
    return this.inFlight.has(transactionId);
  }

  /** Journals a new card operation, tied to the idempotency key being served. */
  private async begin(tx: NewTransaction, detail: unknown): Promise<Transaction> {
    const created = await firstWrite(this.journal.insert(tx, { step: 'received', detail }));
    await this.hooks.onTransaction?.(created.id);
    return created;
  }

  /**
   * Settles a card operation left pending or unknown (PayBridge stopped, or the terminal could not be
   * asked) by asking its terminal; never repeats it. A terminal that cannot tell about one request
   * (Arcus2: only the last slip) settles it only when that slip is this operation's.
   */
  async recover(tx: Transaction): Promise<Transaction> {
    if (this.inFlight.has(tx.id)) return tx;
    const terminal = this.terminals.find((t) => t.id === tx.terminal);
    if (!terminal) return tx;
    const op: Operation = tx.kind === 'payment' ? 'purchase' : tx.kind;
    let status: TerminalAnswer | 'not_found';
    try {
      status = await terminal.queue.run(() => terminal.driver.status({ requestId: tx.id, amount: tx.amount }));
    } catch {
      return tx;
    }
    const from = tx.status;
    if (status !== 'not_found' && (await this.isAbout(status, tx, op))) {
      const done = await this.journal.transition(tx.id, from, 'succeeded', facts(status), { step: 'recovered', detail: { code: status.code, rrn: status.rrn } });
      if (done.originalId) await this.applyReturn(done.originalId, tx.kind as 'cancel' | 'refund', tx.amount, done);
      return done;
    }
    // Arcus2 shows only the last slip. If that slip is an operation the journal already knows, made
    // before this one, nothing happened on the terminal since: this operation never ran.
    const lastKnown = status !== 'not_found' && status.rrn ? await this.journal.findCardOperationByRrn(tx.method, status.rrn) : undefined;
    // A last slip with no RRN (nothing yet, or a refusal) when nothing was journaled on the terminal
    // since: no approved operation of ours can be behind it either.
    const noneSince = status !== 'not_found' && !status.rrn && !(await this.journal.hasCardOperationAfter(terminal.id, tx.createdAt));
    const neverRan = (!!lastKnown && lastKnown.id !== tx.id && lastKnown.createdAt < tx.createdAt) || noneSince;
    if (status === 'not_found' || terminal.driver.exactStatus || neverRan) {
      const code = status === 'not_found' ? '999' : status.code;
      return this.journal.transition(tx.id, from, 'failed', { error: this.errorOf(terminal.method, code) }, { step: 'recovered', detail: { code } });
    }
    if (from === 'pending') return this.journal.transition(tx.id, 'pending', 'unknown', {}, { step: 'recovery_inconclusive', detail: { last_slip_rrn: status.rrn } });
    return tx;
  }

  /** Every configured terminal, for the operator's view. */
  all(): readonly CardTerminal[] {
    return this.terminals;
  }

  terminal(method: CardMethod, name?: string): CardTerminal {
    const mine = this.terminals.filter((t) => t.method === method);
    const found = name ? mine.find((t) => t.id === name) : (mine.find((t) => t.isDefault) ?? mine[0]);
    if (found) return found;
    if (name) throw invalidRequest([`terminal: no ${method} terminal "${name}" (configured: ${mine.map((t) => t.id).join(', ') || 'none'})`]);
    const why = text('terminal_not_configured', { method: METHOD_NAMES[method] });
    throw new PayBridgeError(TERMINAL_ERROR[method], why, 'NOT_CONFIGURED', { reason: why });
  }

  async pay(method: CardMethod, amount: number, terminalName?: string): Promise<CardAnswer> {
    const terminal = this.terminal(method, terminalName);
    const tx = await this.begin(
      { id: randomUUID(), method, amount, qrCodeMasked: null, qrCodeHash: null, createdAt: Date.now(), kind: 'payment', terminal: terminal.id },
      { amount, terminal: terminal.id },
    );
    const done = await this.operate(terminal, tx, 'purchase', { requestId: tx.id, amount });
    return this.answer(done);
  }

  /** Humo universal cancel, within the shift of the payment; `requestId` is the slip's receipt number or the RRN. */
  async cancel(method: CardMethod, requestId: string, amount: number, terminalName?: string): Promise<CardAnswer> {
    const terminal = this.terminal(method, terminalName);
    const original =
      (/^\d{12}$/.test(requestId) ? await this.journal.findCardPayment(terminal.id, { rrn: requestId }) : undefined) ??
      (/^\d{1,9}$/.test(requestId) ? await this.journal.findCardPayment(terminal.id, { receiptNumber: Number(requestId) }) : undefined);
    if (!original) throw paymentError(text('card_payment_not_found', { ref: requestId, terminal: terminal.id }));
    return this.giveBack(terminal, original, 'cancel', amount);
  }

  /** UzCard refund by RRN, whole or in part, in any shift. */
  async refund(method: CardMethod, rrn: string, amount: number, terminalName?: string): Promise<CardAnswer> {
    const terminal = this.terminal(method, terminalName);
    const original = await this.journal.findCardPaymentByRrn(method, rrn);
    if (!original && !this.options.allowForeignRrns) throw paymentError(text('rrn_not_found', { rrn, method: METHOD_NAMES[method] }));
    if (!original) {
      const tx = await this.begin(
        { id: randomUUID(), method, amount, qrCodeMasked: null, qrCodeHash: null, createdAt: Date.now(), kind: 'refund', terminal: terminal.id },
        { amount, rrn, foreign: true },
      );
      return this.answer(await this.operate(terminal, tx, 'refund', { requestId: tx.id, amount, rrn }));
    }
    return this.giveBack(terminal, original, 'refund', amount);
  }

  private giveBack(terminal: CardTerminal, found: Transaction, kind: 'cancel' | 'refund', amount: number): Promise<CardAnswer> {
    return this.locks.run(found.id, async () => {
      const original = (await this.journal.get(found.id))!;
      const extras = { transaction_id: original.id, transaction_status: original.status };
      if (original.status === 'cancelled' || original.status === 'refunded') throw paymentError(text('already_given_back', { status: statusText(original.status) }), extras);
      if (original.status !== 'succeeded') throw paymentError(text('not_paid', { status: statusText(original.status) }), extras);
      const remaining = original.amount - original.refundedAmount;
      if (amount > remaining) throw paymentError(overRemaining(amount, remaining, original.amount), { ...extras, remaining_amount: remaining });
      if (kind === 'cancel') {
        if (original.refundedAmount > 0) throw paymentError(text('partly_cancelled'), extras);
        if (original.shiftNumber !== null && (await this.journal.isShiftClosed(terminal.id, original.shiftNumber))) {
          throw paymentError(text('shift_closed', { shift: original.shiftNumber, terminal: terminal.id }), extras);
        }
      }
      const tx = await this.begin(
        { id: randomUUID(), method: original.method, amount, qrCodeMasked: null, qrCodeHash: null, createdAt: Date.now(), kind, originalId: original.id, terminal: terminal.id },
        { amount, original: original.id, rrn: original.providerPaymentId },
      );
      const done = await this.operate(terminal, tx, kind, {
        requestId: tx.id,
        amount,
        rrn: original.providerPaymentId ?? undefined,
        receiptNumber: original.receiptNumber ?? undefined,
      });
      const refunded = await this.applyReturn(original.id, kind, amount, done);
      return this.answer(done, { original_transaction_id: original.id, refunded_amount: refunded });
    });
  }

  /** Records on the original payment what a cancel or refund gave back; returns the new total given back. */
  private async applyReturn(originalId: string, kind: 'cancel' | 'refund', amount: number, by: Transaction): Promise<number> {
    const original = (await this.journal.get(originalId))!;
    const refunded = original.refundedAmount + amount;
    const to: TransactionStatus = refunded < original.amount ? 'succeeded' : kind === 'cancel' ? 'cancelled' : 'refunded';
    await this.journal.transition(original.id, 'succeeded', to, { refundedAmount: refunded }, { step: kind === 'cancel' ? 'cancelled' : 'refunded', detail: { by: by.id, amount, rrn: by.providerPaymentId } });
    return refunded;
  }

  /**
   * Runs one operation on the terminal, in its queue, and settles the journal entry: succeeded,
   * failed, or — when the answer was lost — whatever the terminal says when asked.
   */
  private async operate(terminal: CardTerminal, tx: Transaction, op: Operation, request: TerminalRequest): Promise<Transaction> {
    this.inFlight.add(tx.id);
    try {
      return await this.operateNow(terminal, tx, op, request);
    } finally {
      this.inFlight.delete(tx.id);
    }
  }

  private async operateNow(terminal: CardTerminal, tx: Transaction, op: Operation, request: TerminalRequest): Promise<Transaction> {
    const log = this.log.child({ transaction_id: tx.id, terminal: terminal.id, op });
    let outcome: { answer: TerminalAnswer; why?: undefined } | { answer: TerminalAnswer | undefined; why: string; status: TerminalAnswer | 'not_found' | Error };
    try {
      // The operation and, when its answer is lost, the question about it share one turn at the
      // terminal: nothing else may run in between and change what "the last slip" is.
      outcome = await terminal.queue.run(async () => {
        let answer: TerminalAnswer | undefined;
        let why: string;
        try {
          answer = await (op === 'purchase' ? terminal.driver.purchase(request) : op === 'cancel' ? terminal.driver.cancel(request) : terminal.driver.refund(request));
          if (classifyCode(answer.code, op) !== 'unknown') return { answer };
          why = `the terminal answered ${answer.code} (${describeCode(answer.code)})`;
        } catch (err) {
          if (!(err instanceof TerminalLinkError && err.maybeSent)) throw err;
          why = err.message;
        }
        log.warn({ reason: why }, 'terminal outcome unknown; asking the terminal');
        await this.journal.transition(tx.id, 'pending', 'unknown', {}, { step: 'answer_lost', detail: { reason: why } });
        const status = await terminal.driver.status(request).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))));
        return { answer, why, status };
      });
    } catch (err) {
      if (err instanceof TerminalBusyError || (err instanceof TerminalLinkError && !err.maybeSent)) {
        const code = err instanceof TerminalBusyError ? '984' : '999';
        await this.journal.transition(tx.id, 'pending', 'failed', { error: this.errorOf(terminal.method, code) }, { step: 'not_sent', detail: { error: err.message } });
        throw terminalError(terminal.method, code, { reason: `${err.message}; nothing was sent to the terminal`, transaction_id: tx.id, transaction_status: 'failed' });
      }
      throw err;
    }
    if (outcome.why === undefined) return this.settle(terminal, tx, 'pending', op, outcome.answer);

    const { why, status, answer } = outcome;
    if (status instanceof Error) {
      const reason = `${why}; the terminal could not be asked (${status.message}). Look at the pinpad's screen and the journal; do not repeat the operation.`;
      await this.journal.transition(tx.id, 'unknown', 'unknown', { error: this.errorOf(terminal.method, '999') }, { step: 'status_unavailable', detail: { reason } });
      throw terminalError(terminal.method, '999', { reason, transaction_id: tx.id, transaction_status: 'unknown' });
    }
    if (status !== 'not_found' && (await this.isAbout(status, tx, op))) {
      await this.journal.transition(tx.id, 'unknown', 'unknown', {}, { step: 'status', detail: { code: status.code, rrn: status.rrn } });
      return this.settle(terminal, tx, 'unknown', op, status);
    }
    // Asked in the same turn: a terminal with no record of it, or whose last slip is not this
    // operation's, did not perform it.
    const code = answer?.code ?? '999';
    await this.journal.transition(tx.id, 'unknown', 'failed', { error: this.errorOf(terminal.method, code) }, { step: 'status_not_found', detail: { reason: why } });
    throw terminalError(terminal.method, code, { reason: `${why}; the terminal has no record of it, nothing was charged`, transaction_id: tx.id, transaction_status: 'failed' });
  }

  /** Whether a status answer is about this operation: same kind and amount, approved, and an RRN no other entry has. */
  private async isAbout(answer: TerminalAnswer, tx: Transaction, op: Operation): Promise<boolean> {
    if (classifyCode(answer.code, op) !== 'approved' || answer.operation !== op || answer.amount !== tx.amount || !answer.rrn) return false;
    const other = await this.journal.findCardPaymentByRrn(tx.method, answer.rrn);
    return !other || other.id === tx.id;
  }

  private errorOf(method: CardMethod, code: string) {
    const e = terminalError(method, code);
    return { code: e.code, message: e.message, data: e.data };
  }

  private async settle(terminal: CardTerminal, tx: Transaction, from: TransactionStatus, op: Operation, answer: TerminalAnswer): Promise<Transaction> {
    const verdict = classifyCode(answer.code, op);
    if (verdict === 'approved') {
      return this.journal.transition(tx.id, from, 'succeeded', facts(answer), { step: 'approved', detail: { code: answer.code, rrn: answer.rrn, receipt: answer.receiptNumber, shift: answer.shiftNumber } });
    }
    await this.journal.transition(tx.id, from, 'failed', { ...facts(answer), error: this.errorOf(terminal.method, answer.code) }, { step: 'declined', detail: { code: answer.code } });
    throw terminalError(terminal.method, answer.code, { transaction_id: tx.id, transaction_status: 'failed', slip: answer.slip || null });
  }

  /** The answer a settled card operation stands for, to a retry of the request that started it; undefined while unsettled. */
  async replay(transactionId: string): Promise<CardAnswer | undefined> {
    const tx = await this.journal.get(transactionId);
    return tx ? this.answerFor(tx) : undefined;
  }

  private answerFor(tx: Transaction): CardAnswer | undefined {
    if (tx.status === 'pending' || tx.status === 'unknown') return undefined;
    const method = tx.method as CardMethod;
    if (tx.status === 'failed') {
      const code = /^(\d{3})/.exec(tx.error?.data ?? '')?.[1] ?? '999';
      throw terminalError(method, code, { transaction_id: tx.id, transaction_status: 'failed', replayed: true });
    }
    return this.answer(tx, { replayed: true });
  }

  private answer(tx: Transaction, extra: Record<string, unknown> = {}): CardAnswer {
    return {
      message: tx.slip ?? '',
      ppt_id: tx.providerPaymentId,
      transaction_id: tx.id,
      terminal: tx.terminal,
      receipt_number: tx.receiptNumber,
      shift_number: tx.shiftNumber,
      ...extra,
    };
  }

  /** Closes the terminal's shift and compares its totals with the journal's. */
  async closeShift(method: CardMethod, terminalName?: string): Promise<CardAnswer> {
    const terminal = this.terminal(method, terminalName);
    let answer: TerminalAnswer;
    try {
      answer = await terminal.queue.run(() => terminal.driver.closeShift({ requestId: randomUUID() }));
    } catch (err) {
      if (err instanceof TerminalBusyError) throw terminalError(method, '984', { reason: err.message });
      if (err instanceof TerminalLinkError) throw terminalError(method, '999', { reason: `${err.message}; the shift may or may not be closed, print the last report to see` });
      throw err;
    }
    if (classifyCode(answer.code, 'close') !== 'approved') throw terminalError(method, answer.code);
    const shift = answer.shiftNumber;
    const journalTotals: ShiftTotals =
      shift === null ? { purchaseCount: 0, purchaseAmount: 0, returnCount: 0, returnAmount: 0 } : await this.journal.shiftTotals(terminal.id, shift);
    const terminalTotals = answer.totals ?? null;
    const matched = terminalTotals === null ? null : (Object.keys(journalTotals) as (keyof ShiftTotals)[]).every((k) => journalTotals[k] === terminalTotals[k]);
    await this.journal.recordShiftClose({ id: randomUUID(), terminal: terminal.id, shiftNumber: shift, closedAt: Date.now(), report: answer.slip, terminalTotals, journalTotals, matched });
    const snake = (t: ShiftTotals) => ({ purchase_count: t.purchaseCount, purchase_amount: t.purchaseAmount, return_count: t.returnCount, return_amount: t.returnAmount });
    const difference = terminalTotals
      ? snake({
          purchaseCount: terminalTotals.purchaseCount - journalTotals.purchaseCount,
          purchaseAmount: terminalTotals.purchaseAmount - journalTotals.purchaseAmount,
          returnCount: terminalTotals.returnCount - journalTotals.returnCount,
          returnAmount: terminalTotals.returnAmount - journalTotals.returnAmount,
        })
      : null;
    if (matched === false) this.log.warn({ terminal: terminal.id, shift, difference }, 'shift totals differ from the journal');
    return {
      message: answer.slip,
      ppt_id: null,
      terminal: terminal.id,
      shift_number: shift,
      reconciliation: { matched, terminal: terminalTotals && snake(terminalTotals), journal: snake(journalTotals), difference },
    };
  }

  /** The last slip (`report`: the last shift-close report) again. */
  async printLast(method: CardMethod, kind: 'operation' | 'report', terminalName?: string): Promise<CardAnswer> {
    const terminal = this.terminal(method, terminalName);
    try {
      const answer = await terminal.queue.run(() => terminal.driver.lastSlip(kind));
      return { message: answer.slip, ppt_id: kind === 'report' ? null : answer.rrn, terminal: terminal.id };
    } catch (err) {
      if (err instanceof TerminalBusyError) throw terminalError(method, '984', { reason: err.message });
      if (err instanceof TerminalLinkError) throw terminalError(method, '999', { reason: err.message });
      throw err;
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.terminals.map((t) => t.driver.close()));
  }
}
