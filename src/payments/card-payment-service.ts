import { text } from '../i18n/text.js';
import { METHOD_NAMES } from './transaction.js';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { firstWrite, type Journal, type NewTransaction, type TransactionPatch } from './ports/journal.js';
import { describeCode } from './pinpad-codes.js';
import { isApproval, operationKeys, statusKeys, type StatusEvidence } from './terminal-evidence.js';
import { classify, type OutcomeRule } from './outcome-table.js';
import { OperationEngine, type OperationHooks } from './operation-engine.js';
import { TerminalLinkError, type LinkState, type ShiftTotals, type TerminalAnswer, type TerminalDriver, type TerminalRequest } from './ports/terminal.js';
import { TerminalBusyError, type TerminalQueue } from './terminal-queue.js';
import { ErrorCode, invalidRequest, paymentError, PayBridgeError, type ErrorExtras } from './errors.js';
import { remainingToGiveBack } from './give-back-ledger.js';
import type { TransactionStatus } from './state-machine.js';
import type { ShiftCloseState, Transaction, TransactionWithEvents } from './transaction.js';

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

const NOT_SENT = 'NOT_SENT';

/** The journal shows this operation was never handed to the terminal: it waited its turn when PayBridge stopped. */
function neverSent(tx: TransactionWithEvents): boolean {
  const received = tx.events.find((e) => e.step === 'received');
  const marks = !!received && typeof received.detail === 'object' && received.detail !== null && (received.detail as { marks_sending?: unknown }).marks_sending === true;
  return marks && !tx.events.some((e) => e.step === 'sent_to_terminal');
}

function notSentError(method: CardMethod) {
  return { code: TERMINAL_ERROR[method], message: 'NOT_SENT', data: `${NOT_SENT}: never handed to the terminal` };
}

/**
 * Card payments on Humo and UzCard pinpads: one operation at a time per terminal, every operation
 * journaled before the terminal is touched, and an answer that never came settled by asking the
 * terminal — never by sending the operation again.
 */
export class CardPaymentService {
  private readonly engine: OperationEngine;

  constructor(
    private readonly journal: Journal,
    private readonly terminals: readonly CardTerminal[],
    private readonly log: Logger,
    private readonly options: { allowForeignRrns: boolean },
    hooks: OperationHooks = {},
  ) {
    this.engine = new OperationEngine(journal, hooks);
  }

  isInFlight(transactionId: string): boolean {
    return this.engine.isInFlight(transactionId);
  }

  /** Journals a new card operation, tied to the idempotency key being served. */
  private async begin(tx: NewTransaction, detail: Record<string, unknown>): Promise<Transaction> {
    // `marks_sending`: this entry records the moment it is handed to the terminal (`sent_to_terminal`),
    // so an entry without that step provably never left PayBridge.
    return this.engine.begin(tx, { step: 'received', detail: { ...detail, marks_sending: true } });
  }

  /**
   * Settles a card operation left pending or unknown (PayBridge stopped, or the terminal could not be
   * asked) by asking its terminal; never repeats it. One the journal shows was never handed to the
   * terminal (it waited its turn when PayBridge stopped) failed: nothing was sent. A terminal that
   * cannot tell about one request (Arcus2: only the last slip) settles it only when that slip proves
   * something; otherwise it stays unknown for an operator.
   */
  async recover(tx: Transaction): Promise<Transaction> {
    if (this.engine.isInFlight(tx.id)) return tx;
    const terminal = this.terminals.find((t) => t.id === tx.terminal);
    if (!terminal) return tx;
    const op: Operation = tx.kind === 'payment' ? 'purchase' : tx.kind;
    const from = tx.status;
    const full = await this.journal.get(tx.id);
    if (full && neverSent(full)) {
      return this.journal.transition(tx.id, from, 'failed', { error: notSentError(terminal.method) }, { step: 'recovered', detail: { evidence: 'never handed to the terminal' } });
    }
    let evidence: { status: TerminalAnswer | 'not_found' | undefined; evidence: StatusEvidence };
    try {
      evidence = await terminal.queue.run(() => this.evidence(terminal, tx, op, { requestId: tx.id, amount: tx.amount }));
    } catch {
      return tx;
    }
    const rule = classify(terminal.driver.outcomes, statusKeys(evidence.evidence));
    const status = evidence.status;
    if (rule.outcome === 'paid' && status && status !== 'not_found') {
      return this.journal.transition(tx.id, from, 'succeeded', facts(status), { step: 'recovered', detail: { code: status.code, rrn: status.rrn, rule: rule.answer } });
    }
    if (rule.outcome === 'declined' || rule.outcome === 'not_found') {
      // The terminal's own refusal when it gave one; otherwise 202, "transaction not found": it never performed it.
      const code = evidence.evidence.kind === 'answer' ? evidence.evidence.code : '202';
      return this.journal.transition(tx.id, from, 'failed', { error: this.errorOf(terminal.method, code) }, { step: 'recovered', detail: { code, rule: rule.answer } });
    }
    if (from === 'pending') return this.journal.transition(tx.id, 'pending', 'unknown', {}, { step: 'recovery_inconclusive', detail: { rule: rule.answer, last_slip_rrn: status && status !== 'not_found' ? status.rrn : null } });
    return tx;
  }

  /**
   * Asks the terminal about an operation whose answer was lost, in the caller's turn at the terminal,
   * and says what the answer proves. A bridge terminal's "never performed" (202) is asked twice.
   */
  private async evidence(
    terminal: CardTerminal,
    tx: Transaction,
    op: Operation,
    request: TerminalRequest,
  ): Promise<{ status: TerminalAnswer | 'not_found' | undefined; evidence: StatusEvidence }> {
    const ask = () => terminal.driver.status(request).catch(() => undefined);
    let status = await ask();
    if (status === 'not_found') status = await ask();
    if (status === undefined) return { status, evidence: { kind: 'no_answer' } };
    if (status === 'not_found') return { status, evidence: { kind: 'not_found' } };
    if (terminal.driver.exactStatus) {
      return { status, evidence: { kind: 'answer', code: status.code, matches: await this.isAbout(status, tx, op) } };
    }
    // Arcus2 shows only its last slip, and only when print-last itself succeeded.
    if (!isApproval(status.code)) return { status, evidence: { kind: 'print_last_failed', code: status.code } };
    if (await this.isAbout(status, tx, op)) return { status, evidence: { kind: 'slip_of_this_operation' } };
    // The last slip is an operation the journal knows, made before this one: nothing ran on the
    // terminal since, so this operation left no slip and was not approved.
    const lastKnown = status.rrn ? await this.journal.findCardOperationByRrn(tx.method, status.rrn) : undefined;
    if (lastKnown && lastKnown.id !== tx.id && lastKnown.createdAt < tx.createdAt) return { status, evidence: { kind: 'slip_of_an_earlier_operation' } };
    if (!status.rrn && !(await this.journal.hasCardOperationAfter(terminal.id, tx.createdAt))) return { status, evidence: { kind: 'no_approval_since' } };
    return { status, evidence: { kind: 'slip_unrelated' } };
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

  /**
   * A cancel or refund of a journaled payment: journaled with its amount reserved against the
   * payment (atomically, across every PayBridge on the journal) before the terminal hears of it, so
   * give-backs — retried, lost, or sent from two tills at once — never add up to more than was paid.
   */
  private async giveBack(terminal: CardTerminal, found: Transaction, kind: 'cancel' | 'refund', amount: number): Promise<CardAnswer> {
    if (kind === 'cancel' && found.status === 'succeeded' && found.shiftNumber !== null && (await this.journal.isShiftClosed(terminal.id, found.shiftNumber))) {
      throw paymentError(text('shift_closed', { shift: found.shiftNumber, terminal: terminal.id }), { transaction_id: found.id, transaction_status: found.status });
    }
    const { giveBack: tx, original } = await this.engine.beginGiveBack(
      found.id,
      { amount, partialSupported: true, methodName: METHOD_NAMES[found.method], cancelOnly: kind === 'cancel' },
      (payment) => ({
        tx: { id: randomUUID(), method: payment.method, amount, qrCodeMasked: null, qrCodeHash: null, createdAt: Date.now(), kind, originalId: payment.id, terminal: terminal.id },
        step: { step: 'received', detail: { amount, original_id: payment.id, rrn: payment.providerPaymentId, marks_sending: true } },
      }),
    );
    const done = await this.operate(terminal, tx, kind, {
      requestId: tx.id,
      amount,
      rrn: original.providerPaymentId ?? undefined,
      receiptNumber: original.receiptNumber ?? undefined,
    });
    const ledger = await this.journal.giveBackLedger(original.id);
    return this.answer(done, { original_transaction_id: original.id, refunded_amount: ledger.givenBack, remaining_amount: remainingToGiveBack(ledger) });
  }

  /**
   * Runs one operation on the terminal, in its queue, and settles the journal entry: succeeded,
   * failed, or — when the answer was lost — whatever the terminal says when asked.
   */
  private async operate(terminal: CardTerminal, tx: Transaction, op: Operation, request: TerminalRequest): Promise<Transaction> {
    return this.engine.run(tx.id, () => this.operateNow(terminal, tx, op, request));
  }

  private async operateNow(terminal: CardTerminal, tx: Transaction, op: Operation, request: TerminalRequest): Promise<Transaction> {
    const log = this.log.child({ transaction_id: tx.id, terminal: terminal.id, op });
    const table = terminal.driver.outcomes;
    type Turn =
      | { kind: 'answered'; answer: TerminalAnswer; rule: OutcomeRule }
      | { kind: 'not_sent'; error: TerminalLinkError }
      | { kind: 'lost'; answer: TerminalAnswer | undefined; why: string; status: TerminalAnswer | 'not_found' | undefined; evidence: StatusEvidence };
    let turn: Turn;
    try {
      // The operation and, when its answer is lost, the question about it share one turn at the
      // terminal: nothing else may run in between and change what "the last slip" is.
      turn = await terminal.queue.run(async (): Promise<Turn> => {
        // Written before the terminal hears of it: an entry without this step was never sent.
        await this.journal.transition(tx.id, 'pending', 'pending', {}, { step: 'sent_to_terminal' });
        let answer: TerminalAnswer | undefined;
        let why: string;
        try {
          answer = await (op === 'purchase' ? terminal.driver.purchase(request) : op === 'cancel' ? terminal.driver.cancel(request) : terminal.driver.refund(request));
          const rule = classify(table, operationKeys(answer.code, op, { operation: answer.operation, amount: answer.amount, expectedAmount: request.amount }));
          if (rule.outcome !== 'uncertain') return { kind: 'answered', answer, rule };
          why =
            rule.answer === 'an approval that names another operation or amount'
              ? `the terminal answered ${answer.code} for ${answer.operation ?? 'an operation'} of ${String(answer.amount)} tiyin, not this ${op} of ${String(request.amount)}`
              : `the terminal answered ${answer.code} (${describeCode(answer.code)})`;
        } catch (err) {
          if (!(err instanceof TerminalLinkError)) throw err;
          if (!err.maybeSent) return { kind: 'not_sent', error: err };
          why = err.message;
        }
        log.warn({ reason: why }, 'terminal outcome unknown; asking the terminal');
        await this.journal.transition(tx.id, 'pending', 'unknown', {}, { step: 'answer_lost', detail: { reason: why } });
        return { kind: 'lost', answer, why, ...(await this.evidence(terminal, tx, op, request)) };
      });
    } catch (err) {
      if (err instanceof TerminalBusyError) {
        await this.journal.transition(tx.id, 'pending', 'failed', { error: this.errorOf(terminal.method, '984') }, { step: 'not_sent', detail: { error: err.message } });
        throw terminalError(terminal.method, '984', { reason: `${err.message}; nothing was sent to the terminal`, transaction_id: tx.id, transaction_status: 'failed' });
      }
      throw err;
    }
    if (turn.kind === 'not_sent') {
      await this.journal.transition(tx.id, 'pending', 'failed', { error: this.errorOf(terminal.method, '999') }, { step: 'not_sent', detail: { error: turn.error.message } });
      throw terminalError(terminal.method, '999', { reason: `${turn.error.message}; nothing was sent to the terminal`, transaction_id: tx.id, transaction_status: 'failed' });
    }
    if (turn.kind === 'answered') return this.settle(terminal, tx, 'pending', turn.answer, turn.rule);

    const { why, status, answer, evidence } = turn;
    const rule = classify(table, statusKeys(evidence));
    if (rule.outcome === 'paid' && status && status !== 'not_found') {
      await this.journal.transition(tx.id, 'unknown', 'unknown', {}, { step: 'status', detail: { code: status.code, rrn: status.rrn, rule: rule.answer } });
      return this.settle(terminal, tx, 'unknown', status, { answer: rule.answer, outcome: 'paid', source: rule.source });
    }
    if (rule.outcome === 'declined' || rule.outcome === 'not_found') {
      // Proof from the terminal itself: it never performed this operation, or refused it.
      const code = evidence.kind === 'answer' ? evidence.code : (answer?.code ?? '999');
      await this.journal.transition(tx.id, 'unknown', 'failed', { error: this.errorOf(terminal.method, code) }, { step: 'status_not_performed', detail: { reason: why, rule: rule.answer } });
      const finding = rule.outcome === 'not_found' ? 'the terminal has no record of it (asked twice)' : `the terminal shows it was not performed (${rule.answer})`;
      throw terminalError(terminal.method, code, { reason: `${why}; ${finding}: nothing was charged`, transaction_id: tx.id, transaction_status: 'failed' });
    }
    const reason = `${why}; asked about it, the terminal could not tell (${rule.answer}). Do not repeat the operation: PayBridge keeps asking the terminal, or look at the pinpad's screen and slip.`;
    await this.journal.transition(tx.id, 'unknown', 'unknown', { error: this.errorOf(terminal.method, answer?.code ?? '999') }, { step: 'status_inconclusive', detail: { reason, rule: rule.answer } });
    throw terminalError(terminal.method, answer?.code ?? '999', { reason, transaction_id: tx.id, transaction_status: 'unknown' });
  }

  /** Whether a status answer is about this operation: same kind and amount, approved, and an RRN no other entry has. */
  private async isAbout(answer: TerminalAnswer, tx: Transaction, op: Operation): Promise<boolean> {
    if (!isApproval(answer.code, op) || answer.operation !== op || answer.amount !== tx.amount || !answer.rrn) return false;
    const other = await this.journal.findCardPaymentByRrn(tx.method, answer.rrn);
    return !other || other.id === tx.id;
  }

  private errorOf(method: CardMethod, code: string) {
    const e = terminalError(method, code);
    return { code: e.code, message: e.message, data: e.data };
  }

  private async settle(terminal: CardTerminal, tx: Transaction, from: TransactionStatus, answer: TerminalAnswer, rule: OutcomeRule): Promise<Transaction> {
    if (rule.outcome === 'paid') {
      return this.journal.transition(tx.id, from, 'succeeded', facts(answer), { step: 'approved', detail: { code: answer.code, rrn: answer.rrn, receipt: answer.receiptNumber, shift: answer.shiftNumber } });
    }
    await this.journal.transition(tx.id, from, 'failed', { ...facts(answer), error: this.errorOf(terminal.method, answer.code) }, { step: 'declined', detail: { code: answer.code, rule: rule.answer } });
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
      if (tx.error?.data?.startsWith(NOT_SENT)) {
        throw new PayBridgeError(TERMINAL_ERROR[method], text('card_never_sent'), tx.error.data, { reason: text('card_never_sent'), transaction_id: tx.id, transaction_status: 'failed', replayed: true });
      }
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
    const none: ShiftTotals = { purchaseCount: 0, purchaseAmount: 0, returnCount: 0, returnAmount: 0 };
    // Journaled before the terminal hears of it, like every outward operation: a close whose answer
    // is lost stays on record as `unknown` instead of vanishing.
    const close = { id: randomUUID(), terminal: terminal.id, shiftNumber: null, report: '', terminalTotals: null, journalTotals: none, matched: null };
    const record = (state: ShiftCloseState, report: string) => this.journal.recordShiftClose({ ...close, state, report, closedAt: Date.now() });
    let answer: TerminalAnswer;
    try {
      answer = await terminal.queue.run(async () => {
        await firstWrite(record('sent', ''));
        try {
          return await terminal.driver.closeShift({ requestId: close.id });
        } catch (err) {
          if (err instanceof TerminalLinkError) await record(err.maybeSent ? 'unknown' : 'not_sent', err.message);
          throw err;
        }
      });
    } catch (err) {
      if (err instanceof TerminalBusyError) throw terminalError(method, '984', { reason: err.message });
      if (err instanceof TerminalLinkError) {
        throw terminalError(method, '999', { reason: err.maybeSent ? `${err.message}; the shift may or may not be closed, print the last report to see` : `${err.message}; nothing was sent to the terminal` });
      }
      throw err;
    }
    if (!isApproval(answer.code)) {
      await record('refused', answer.slip);
      throw terminalError(method, answer.code);
    }
    const shift = answer.shiftNumber;
    const journalTotals: ShiftTotals = shift === null ? none : await this.journal.shiftTotals(terminal.id, shift);
    const terminalTotals = answer.totals ?? null;
    const matched = terminalTotals === null ? null : (Object.keys(journalTotals) as (keyof ShiftTotals)[]).every((k) => journalTotals[k] === terminalTotals[k]);
    await this.journal.recordShiftClose({ ...close, state: 'closed', shiftNumber: shift, closedAt: Date.now(), report: answer.slip, terminalTotals, journalTotals, matched });
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
