import { text } from '../i18n/text.js';
import { METHOD_NAMES } from './transaction.js';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { FencedWriteRefusedError, firstWrite, liveClaimOwner, type ClaimHeld, type Journal, type NewTransaction } from './ports/journal.js';
import { HeldClaim } from './live-claim.js';
import { SYSTEM_CLOCK, type Clock } from '../lib/clock.js';
import { askAboutClose, closeClaims, CLOSE_UNKNOWN_HINT, type CloseFinding } from './shift-close.js';
import { isApproval } from './terminal-evidence.js';
import { hostReconciliationOf } from './close-report.js';
import { OperationEngine, type Executed, type OperationHooks, type SettleOnce } from './operation-engine.js';
import { UNSETTLEABLE, type OperationAdapter } from './ports/operation-adapter.js';
import { TerminalLinkError, type ShiftTotals, type TerminalAnswer, type TerminalRequest } from './ports/terminal.js';
import { TerminalBusyError } from './terminal-queue.js';
import { invalidRequest, paymentError, PayBridgeError } from './errors.js';
import { remainingToGiveBack, withGiveBackSucceeded } from './give-back-ledger.js';
import { cardOperation, NOT_SENT, pinpadCodeOf, terminalError, terminalErrorCode, type CardMethod, type CardOperation, type CardTerminal } from './card-operations.js';
import type { ShiftClose, Transaction } from './transaction.js';
import { unknownHeadline, unknownOutcome } from './unknown-outcome.js';
import { describeCode } from './pinpad-codes.js';

export type { CardMethod, CardTerminal };

/** The seed documents' answer: the slip as printed, and the RRN as `ppt_id`. */
export interface CardAnswer {
  message: string;
  ppt_id: string | null;
  [extra: string]: unknown;
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
    private readonly options: {
      allowForeignRrns: boolean;
      /** This PayBridge: the holder its requests' claims on shift closes are named after (`<instance>#live`). */
      instance?: string;
      /** The lease of a request's claim on its shift close (journal's clock), renewed while the terminal works. */
      closeLeaseMs?: number;
      /** Time (the system's, unless a simulation gives its own). */
      clock?: Clock;
    },
    engine: OperationEngine | OperationHooks = {},
  ) {
    this.engine = engine instanceof OperationEngine ? engine : new OperationEngine(journal, { log, ...engine });
    this.instance = options.instance ?? 'paybridge';
    this.closeLeaseMs = options.closeLeaseMs ?? 60_000;
    this.clock = options.clock ?? SYSTEM_CLOCK;
  }

  private readonly instance: string;
  private readonly closeLeaseMs: number;
  private readonly clock: Clock;

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
   * asked) by asking its terminal; never repeats it (card-operations.ts says what proves what).
   */
  recover(claimed: Transaction & { claim: ClaimHeld }, leaseMs: number): Promise<Transaction> {
    return this.engine.recover(claimed, (fresh) => this.settler(fresh), leaseMs);
  }

  /** Asks the terminal about one unsettled operation now, under a claim of its own (a till's retry). */
  settleOnce(id: string): Promise<SettleOnce> {
    return this.engine.settleOnce(id, (fresh) => this.settler(fresh));
  }

  private settler(fresh: Transaction): OperationAdapter {
    const terminal = this.terminals.find((t) => t.id === fresh.terminal);
    if (!terminal) return UNSETTLEABLE;
    const op: CardOperation = fresh.kind === 'payment' ? 'purchase' : fresh.kind;
    return cardOperation(terminal, this.journal, op, { requestId: fresh.id, amount: fresh.amount });
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
    throw new PayBridgeError(terminalErrorCode(method), why, 'NOT_CONFIGURED', { reason: why });
  }

  async pay(method: CardMethod, amount: number, terminalName?: string): Promise<CardAnswer> {
    const terminal = this.terminal(method, terminalName);
    const tx = await this.begin(
      { id: randomUUID(), method, amount, qrCodeMasked: null, qrCodeHash: null, createdAt: this.clock.now(), kind: 'payment', terminal: terminal.id },
      { amount, terminal: terminal.id },
    );
    const { tx: done } = await this.operate(terminal, tx, 'purchase', { requestId: tx.id, amount });
    return this.answer(done);
  }

  /** Humo universal cancel, within the shift of the payment; `requestId` is the slip's receipt number or the RRN. */
  async cancel(method: CardMethod, requestId: string, amount: number, terminalName?: string): Promise<CardAnswer> {
    const terminal = this.terminal(method, terminalName);
    const original =
      (/^\d{12}$/.test(requestId) ? await this.journal.findCardPayment(terminal.id, { rrn: requestId }) : undefined) ??
      (/^\d{1,9}$/.test(requestId) ? await this.journal.findCardPayment(terminal.id, { receiptNumber: Number(requestId) }) : undefined);
    if (original) return this.giveBack(terminal, original, 'cancel', amount);
    const notFound = text('card_payment_not_found', { ref: requestId, terminal: terminal.id });
    const reference = /^\d{12}$/.test(requestId) ? { rrn: requestId } : /^\d{1,9}$/.test(requestId) ? { receiptNumber: Number(requestId) } : undefined;
    if (!this.options.allowForeignRrns || !reference) throw paymentError(notFound, { reason: text('foreign_give_backs_off', { setting: 'terminals.allow_foreign_rrns' }) });
    // A payment taken before the switch (by FiscalBox, say), as a foreign UzCard refund is: there is no
    // payment to reserve against, so the pinpad's own check (it refuses a second cancel of a receipt)
    // is what stops it twice; the entry says it is foreign so the console and an audit can tell.
    const tx = await this.begin(
      { id: randomUUID(), method, amount, qrCodeMasked: null, qrCodeHash: null, createdAt: this.clock.now(), kind: 'cancel', terminal: terminal.id },
      { amount, ...('rrn' in reference ? { rrn: reference.rrn } : { receipt: reference.receiptNumber }), foreign: true },
    );
    return this.answer((await this.operate(terminal, tx, 'cancel', { requestId: tx.id, amount, ...reference })).tx, { foreign: true });
  }

  /** UzCard refund by RRN, whole or in part, in any shift. */
  async refund(method: CardMethod, rrn: string, amount: number, terminalName?: string): Promise<CardAnswer> {
    const terminal = this.terminal(method, terminalName);
    const original = await this.journal.findCardPaymentByRrn(method, rrn);
    if (!original && !this.options.allowForeignRrns) throw paymentError(text('rrn_not_found', { rrn, method: METHOD_NAMES[method] }));
    if (!original) {
      const tx = await this.begin(
        { id: randomUUID(), method, amount, qrCodeMasked: null, qrCodeHash: null, createdAt: this.clock.now(), kind: 'refund', terminal: terminal.id },
        { amount, rrn, foreign: true },
      );
      return this.answer((await this.operate(terminal, tx, 'refund', { requestId: tx.id, amount, rrn })).tx);
    }
    return this.giveBack(terminal, original, 'refund', amount);
  }

  /**
   * A cancel or refund of a journaled payment: journaled with its amount reserved against the
   * payment (atomically, across every PayBridge on the journal) before the terminal hears of it, so
   * give-backs — retried, lost, or sent from two tills at once — never add up to more than was paid.
   */
  private async giveBack(terminal: CardTerminal, found: Transaction, asked: 'cancel' | 'refund', amount: number): Promise<CardAnswer> {
    const refuse = { transaction_id: found.id, transaction_status: found.status };
    let kind = asked;
    if (kind === 'cancel' && found.status === 'succeeded' && found.shiftNumber !== null && (await this.journal.isShiftClosed(terminal.id, found.shiftNumber))) {
      // A closed shift's payment can only be refunded, and only where the terminal has a refund operation.
      if (terminal.driver.refunds === false) {
        throw paymentError(text('shift_closed', { shift: found.shiftNumber, terminal: terminal.id, rrn: found.providerPaymentId ?? '—' }), refuse);
      }
      kind = 'refund';
    }
    if (kind === 'refund' && terminal.driver.refunds === false) throw paymentError(text('no_refund_operation', { terminal: terminal.id, rrn: found.providerPaymentId ?? '—' }), refuse);
    const { giveBack: tx, original, ledger: reserved } = await this.engine.beginGiveBack(
      found.id,
      { amount, partialSupported: true, methodName: METHOD_NAMES[found.method], cancelOnly: kind === 'cancel' },
      (payment) => ({
        tx: { id: randomUUID(), method: payment.method, amount, qrCodeMasked: null, qrCodeHash: null, createdAt: this.clock.now(), kind, originalId: payment.id, terminal: terminal.id },
        step: {
          step: 'received',
          // A universal cancel asks the cashier for the payment's receipt number at the pinpad: the journal says which.
          detail: { amount, original_id: payment.id, rrn: payment.providerPaymentId, receipt: payment.receiptNumber, marks_sending: true, ...(kind !== asked ? { asked: asked, why: 'shift closed' } : {}) },
        },
      }),
    );
    const { tx: done, recorded } = await this.operate(terminal, tx, kind, {
      requestId: tx.id,
      amount,
      rrn: original.providerPaymentId ?? undefined,
      receiptNumber: original.receiptNumber ?? undefined,
    });
    // Given back but not on record: the till hears what happened all the same.
    const ledger = recorded ? await this.journal.giveBackLedger(original.id) : withGiveBackSucceeded(reserved, amount);
    return this.answer(done, {
      original_transaction_id: original.id,
      // The receipt number the cashier keys in at the pinpad for a universal cancel.
      ...(kind === 'cancel' ? { original_receipt_number: original.receiptNumber } : {}),
      ...(kind !== asked ? { given_back_as: kind } : {}),
      refunded_amount: ledger.givenBack,
      remaining_amount: remainingToGiveBack(ledger),
    });
  }

  /**
   * Runs one operation on the terminal through the engine, and gives the till the slip, or the
   * pinpad's error with the reason the operation ended as it did.
   */
  private async operate(terminal: CardTerminal, tx: Transaction, op: CardOperation, request: TerminalRequest): Promise<Executed> {
    const executed = await this.engine.execute(tx, cardOperation(terminal, this.journal, op, request));
    const { tx: done, verdict } = executed;
    if (done.status === 'succeeded') return executed;
    this.log.warn({ transaction_id: tx.id, terminal: terminal.id, op, outcome: done.status, reason: verdict.reason }, 'card operation not completed');
    throw cardRefusal(done, verdict.reason, verdict.step === 'declined' ? { slip: done.slip } : {});
  }

  /**
   * The answer a settled card operation stands for, to a retry of the request that started it;
   * undefined while unsettled, unless `orUnsettled`: then the answer that says its outcome is not
   * known yet (and not to repeat it).
   */
  async replay(transactionId: string, orUnsettled = false): Promise<CardAnswer | undefined> {
    const tx = await this.journal.get(transactionId);
    return tx ? this.answerFor(tx, orUnsettled) : undefined;
  }

  private answerFor(tx: Transaction, orUnsettled: boolean): CardAnswer | undefined {
    const method = tx.method as CardMethod;
    if (tx.status === 'pending' || tx.status === 'unknown') {
      if (!orUnsettled) return undefined;
      // To the till a row still pending after it was asked about is as unknown as one marked so.
      throw cardRefusal({ ...tx, status: 'unknown' }, undefined, { replayed: true });
    }
    if (tx.status === 'failed') {
      if (tx.error?.data?.startsWith(NOT_SENT)) {
        throw new PayBridgeError(terminalErrorCode(method), text('card_never_sent'), tx.error.data, { reason: text('card_never_sent'), transaction_id: tx.id, transaction_status: 'failed', replayed: true });
      }
      throw cardRefusal(tx, undefined, { replayed: true });
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

  /**
   * Closes the terminal's shift and compares its totals with the journal's, where there is something
   * to compare: the terminal's totals and the shift they belong to. The close reports published for
   * real Humo (Ingenico) and UzCard (PAX A35) terminals print neither, so there `matched` is null with
   * the reason, and the journal is never compared against zeros or against "shift null". What the
   * report says of the terminal's own reconciliation with its bank («Итоги совпали») is returned apart,
   * as `terminal_host_reconciliation`: it is the terminal's and the host's agreement, not PayBridge's.
   *
   * Journaled `sent` before the terminal hears of it, under a claim of this request's (renewed while
   * the terminal works, every later write fenced by it), and settled before the claim is let go: a
   * lost answer is asked about in the same turn where the terminal can be asked about one request,
   * and whatever happens the close does not stay `sent` — what this request cannot settle, its death
   * included, ShiftCloseRecovery does.
   */
  async closeShift(method: CardMethod, terminalName?: string): Promise<CardAnswer> {
    const terminal = this.terminal(method, terminalName);
    // Nothing is compared yet, so the journal's side is null rather than zeros that would read as "the journal holds nothing".
    const sent: ShiftClose = { id: randomUUID(), state: 'sent', terminal: terminal.id, shiftNumber: null, closedAt: this.clock.now(), report: '', terminalTotals: null, journalTotals: null, matched: null };
    let claim: HeldClaim | undefined;
    let finding: CloseFinding;
    try {
      finding = await terminal.queue.run(async (): Promise<CloseFinding> => {
        await this.refuseWhileUnsettled(terminal, 'close_unsettled');
        claim = this.holdClose(sent.id, await firstWrite(this.journal.insertShiftClose(sent, { owner: liveClaimOwner(this.instance), leaseMs: this.closeLeaseMs })));
        await claim.ensureHeld();
        try {
          return { kind: 'answered', answer: await terminal.driver.closeShift({ requestId: sent.id }) };
        } catch (err) {
          if (!(err instanceof TerminalLinkError)) throw err;
          if (!err.maybeSent) return { kind: 'not_sent', why: `${err.message}; nothing was sent to the terminal` };
          // Asked in the same turn, before anything else reaches the terminal and changes what it would say.
          const asked = await askAboutClose(terminal.driver, sent.id);
          return asked.kind === 'answered' ? asked : { ...asked, why: `${err.message}; ${asked.why}` };
        }
      });
    } catch (err) {
      if (claim) {
        await this.abandonClose(sent, claim, err);
        await claim.release();
      }
      if (err instanceof TerminalBusyError) throw terminalError(method, '984', { reason: err.message });
      throw err;
    }
    const held = claim!;
    try {
      const { close: done, found } = await this.settleClose(terminal, sent, finding, held);
      if (finding.kind !== 'answered') {
        if (done.state !== 'unknown') throw terminalError(method, '999', { reason: done.reason ?? undefined, close_id: sent.id, close_state: done.state });
        // The shift may or may not be closed: the headline says so, the reason what to do, PayBridge's account apart.
        const { reason, ...unknown } = unknownOutcome('close', { kind: 'card' }, done.reason);
        throw new PayBridgeError(terminalErrorCode(method), unknownHeadline('close', '999'), describeCode('999'), { response_code: '999', reason, close_id: sent.id, close_state: done.state, ...unknown });
      }
      if (done.state === 'refused') throw terminalError(method, finding.answer.code, { close_id: sent.id, close_state: done.state });
      if (found?.record.matched === false) this.log.warn({ terminal: terminal.id, shift: found.shift, difference: found.reconciliation.difference }, 'shift totals differ from the journal');
      if (found?.record.matched === null) this.log.info({ terminal: terminal.id, shift: found.shift, reason: found.reason }, 'shift closed without a reconciliation against the journal');
      return {
        message: finding.answer.slip,
        ppt_id: null,
        terminal: terminal.id,
        shift_number: done.shiftNumber,
        reconciliation: found?.reconciliation ?? { matched: null, reason: done.reason, compared: null, terminal: null, journal: null, difference: null, terminal_host_reconciliation: null },
      };
    } catch (err) {
      if (!(err instanceof PayBridgeError)) await this.abandonClose(sent, held, err);
      throw err;
    } finally {
      await held.release();
    }
  }

  /**
   * A close its PayBridge left `sent` (it died, or gave up on it), now held by recovery: asked about
   * where the terminal can tell about one request, in its turn at the terminal; `unknown` otherwise.
   */
  async settleLeftClose(close: ShiftClose, claim: HeldClaim): Promise<ShiftClose> {
    const stopped = "PayBridge stopped before the terminal's answer was recorded";
    const terminal = this.terminals.find((t) => t.id === close.terminal);
    if (!terminal) {
      const why = `${stopped}, and terminal ${close.terminal} is no longer configured to ask, so ${CLOSE_UNKNOWN_HINT}`;
      return this.writeClose(close, { ...close, state: 'unknown', report: why, reason: why, closedAt: this.clock.now() }, claim);
    }
    let finding: CloseFinding;
    try {
      finding = await terminal.queue.run(() => askAboutClose(terminal.driver, close.id));
    } catch (err) {
      finding = { kind: 'unknown', why: `the terminal could not be asked now (${(err as Error).message}), so ${CLOSE_UNKNOWN_HINT}` };
    }
    if (finding.kind !== 'answered') {
      this.log.warn({ close_id: close.id, terminal: close.terminal, finding: finding.kind }, 'a shift close left unanswered could not be confirmed by the terminal');
      finding = { ...finding, why: `${stopped}; ${finding.why}` };
    }
    return (await this.settleClose(terminal, close, finding, claim)).close;
  }

  /**
   * Writes what a finding says of a `sent` close, under its claim: closed (and reconciled with the
   * journal, as the till hears it), refused, not sent, or unknown.
   */
  private async settleClose(
    terminal: CardTerminal,
    sent: ShiftClose,
    finding: CloseFinding,
    claim: HeldClaim,
  ): Promise<{ close: ShiftClose; found?: Awaited<ReturnType<typeof reconcileWithJournal>> }> {
    const write = async (close: ShiftClose) => ({ close: await this.writeClose(sent, close, claim) });
    if (finding.kind !== 'answered') return write({ ...sent, state: finding.kind, report: finding.why, reason: finding.why, closedAt: this.clock.now() });
    const answer = finding.answer;
    if (!isApproval(answer.code)) return write({ ...sent, state: 'refused', report: answer.slip, closedAt: this.clock.now() });
    let found;
    try {
      found = await reconcileWithJournal(answer, (shift) => this.journal.shiftTotals(terminal.id, shift), 'close');
    } catch (err) {
      // The terminal closed the shift: that stands, compared or not.
      const reason = `the shift was closed, but the journal's totals could not be read to compare (${(err as Error).message})`;
      return write({ ...sent, state: 'closed', shiftNumber: answer.shiftNumber, report: answer.slip, terminalTotals: answer.totals ?? null, reason, closedAt: this.clock.now() });
    }
    return { ...(await write({ ...sent, state: 'closed', shiftNumber: found.shift, closedAt: this.clock.now(), report: answer.slip, ...found.record, reason: found.reason })), found };
  }

  private async writeClose(from: ShiftClose, to: ShiftClose, claim: HeldClaim): Promise<ShiftClose> {
    claim.assertHeld();
    try {
      await this.journal.updateShiftClose(to, from.state, claim.fence);
    } catch (err) {
      if (err instanceof FencedWriteRefusedError) claim.lose(err.message);
      throw err;
    }
    return to;
  }

  /**
   * A close this request can no longer follow (its code threw after it was journaled): written
   * `unknown` with why, if it is still `sent` under this request's claim. When even that cannot be
   * written, the claim lapses and ShiftCloseRecovery settles it.
   */
  private async abandonClose(sent: ShiftClose, claim: HeldClaim, err: unknown): Promise<void> {
    this.log.error({ err, close_id: sent.id, terminal: sent.terminal }, 'shift close interrupted after it was journaled');
    const why = `PayBridge failed while closing the shift (${(err as Error)?.message ?? String(err)}), so ${CLOSE_UNKNOWN_HINT}`;
    try {
      await this.journal.updateShiftClose({ ...sent, state: 'unknown', report: why, reason: why, closedAt: this.clock.now() }, 'sent', claim.fence);
    } catch (writeErr) {
      // Already settled (the write that failed came after it), or the journal is unreachable: recovery takes it from here.
      if (!(writeErr instanceof FencedWriteRefusedError)) this.log.warn({ err: writeErr, close_id: sent.id }, 'could not record the interrupted shift close; recovery will settle it');
    }
  }

  private holdClose(id: string, claim: ClaimHeld): HeldClaim {
    const fence = { owner: claim.owner, epoch: claim.epoch };
    return new HeldClaim(closeClaims(this.journal), id, fence, this.closeLeaseMs, this.clock, (err) => this.log.warn({ err, close_id: id }, 'could not renew or release a shift close’s claim')).start();
  }

  /**
   * A terminal that can only show its last slip (Arcus2, arccom) settles a lost answer by that slip; a
   * report printed meanwhile — a close or an X-report — would take its place and read as "nothing
   * approved since", turning a possibly paid operation into failed. Such a report waits until the
   * terminal's unsettled operations are settled (by recovery, or by an operator).
   */
  private async refuseWhileUnsettled(terminal: CardTerminal, why: 'x_report_unsettled' | 'close_unsettled'): Promise<void> {
    if (terminal.driver.exactStatus) return;
    const open = await Promise.all((['pending', 'unknown'] as const).map((status) => this.journal.list({ method: terminal.method, status, limit: 500 })));
    const unsettled = open.flatMap((page) => page.items).find((tx) => tx.terminal === terminal.id);
    if (!unsettled) return;
    const reason = text(why, { terminal: terminal.id, transaction: unsettled.id });
    throw new PayBridgeError(terminalErrorCode(terminal.method), reason, 'UNSETTLED_OPERATION', { reason, transaction_id: unsettled.id, transaction_status: unsettled.status });
  }

  /**
   * The X-report (FiscalBox's `xumo_shortreport` / `uzcard_shortreport`): the terminal's totals of
   * the open shift, printed without closing it, compared with the journal as a close is where the
   * report names totals and a shift. It only reads: it is not journaled as an operation, and a lost
   * answer is reported, never retried (asking again prints another report, nothing more).
   */
  async xReport(method: CardMethod, terminalName?: string): Promise<CardAnswer> {
    const terminal = this.terminal(method, terminalName);
    const driver = terminal.driver;
    if (!driver.xReport || driver.xReports === false) {
      const why = text('no_x_report', { terminal: terminal.id });
      throw new PayBridgeError(terminalErrorCode(method), why, 'X_REPORT_NOT_SUPPORTED', { reason: why });
    }
    let answer: TerminalAnswer;
    try {
      answer = await terminal.queue.run(async () => {
        // Checked in the report's own turn at the terminal, after any operation queued before it.
        await this.refuseWhileUnsettled(terminal, 'x_report_unsettled');
        return driver.xReport!({ requestId: randomUUID() });
      });
    } catch (err) {
      if (err instanceof TerminalBusyError) throw terminalError(method, '984', { reason: err.message });
      if (err instanceof TerminalLinkError) {
        throw terminalError(method, '999', { reason: `${err.message}; an X-report moves no money and leaves the shift open, so it is safe to ask for again` });
      }
      throw err;
    }
    if (!isApproval(answer.code)) {
      // 902 "invalid operation": a bridge adapter written before the X-report was added to the protocol.
      if (answer.code === '902') throw terminalError(method, answer.code, { reason: text('x_report_not_implemented', { terminal: terminal.id, code: answer.code }) });
      throw terminalError(method, answer.code);
    }
    const found = await reconcileWithJournal(answer, (shift) => this.journal.shiftTotals(terminal.id, shift), 'x_report');
    if (found.record.matched === false) this.log.warn({ terminal: terminal.id, shift: found.shift, difference: found.reconciliation.difference }, 'X-report totals differ from the journal');
    return { message: answer.slip, ppt_id: null, terminal: terminal.id, shift_number: found.shift, reconciliation: found.reconciliation };
  }

  /**
   * The last slip (`report`: the last shift-close report) again. A terminal that cannot print its
   * last report (Arcus2 without such an operation: print-last shows whatever was printed last) gets
   * the report journaled at its last close; `source` says which.
   */
  async printLast(method: CardMethod, kind: 'operation' | 'report', terminalName?: string): Promise<CardAnswer> {
    const terminal = this.terminal(method, terminalName);
    if (kind === 'report' && terminal.driver.reprintsReports === false) {
      // Newest first; a refused or unanswered close in between printed no report of a closed shift.
      const last = (await this.journal.listShiftCloses({ terminal: terminal.id, limit: 100 })).find((c) => c.state === 'closed');
      if (!last) throw paymentError(text('no_close_report', { terminal: terminal.id }));
      return { message: last.report, ppt_id: null, terminal: terminal.id, source: 'journal', shift_number: last.shiftNumber, closed_at: new Date(last.closedAt).toISOString() };
    }
    try {
      const answer = await terminal.queue.run(() => terminal.driver.lastSlip(kind));
      return { message: answer.slip, ppt_id: kind === 'report' ? null : answer.rrn, terminal: terminal.id, source: 'terminal' };
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

const snake = (t: ShiftTotals) => ({ purchase_count: t.purchaseCount, purchase_amount: t.purchaseAmount, return_count: t.returnCount, return_amount: t.returnAmount });

/**
 * A terminal's report (a shift close or an X-report) against the journal, where there is something
 * to compare: the terminal's totals and the shift they belong to. The reports published for real
 * Humo (Ingenico) and UzCard (PAX A35) terminals print neither (the close report), or totals in a
 * layout that names no shift (the X-report's «Оплата (5) 540.00 UZS»), so there `matched` is null
 * with the reason, and the journal is never compared against zeros or against "shift null". What the
 * report says of the terminal's own reconciliation with its bank («Итоги совпали») is returned apart,
 * as `terminal_host_reconciliation`: it is the terminal's and the host's agreement, not PayBridge's.
 */
export async function reconcileWithJournal(answer: TerminalAnswer, journalTotalsOf: (shift: number) => Promise<ShiftTotals>, report: 'close' | 'x_report') {
  const shift = answer.shiftNumber;
  const terminalTotals = answer.totals ?? null;
  const hostReconciliation = hostReconciliationOf(answer.slip);
  // The journal's side only for a shift the terminal named: for an unnamed one there is no set of
  // journaled operations it could stand for.
  const journalTotals: ShiftTotals | null = shift === null ? null : await journalTotalsOf(shift);
  const published = report === 'close' ? 'the close reports published for Humo and UzCard terminals print neither' : 'the X-reports published for Humo and UzCard terminals print neither in a layout PayBridge reads';
  let matched: boolean | null = null;
  let reason: string | null = null;
  if (terminalTotals === null) {
    reason =
      `the terminal's report prints no totals PayBridge can read${shift === null ? ' and no shift number' : ''} ` +
      `(${published}), so nothing was compared` +
      (journalTotals ? `; the journal's totals for shift ${shift} are shown for reference only` : ": the journal's side was not computed");
  } else if (journalTotals === null) {
    reason = "the terminal reported totals but no shift number, so PayBridge cannot tell which of its journaled operations they cover: the journal's side was not computed and nothing was compared";
  } else {
    matched = (Object.keys(journalTotals) as (keyof ShiftTotals)[]).every((k) => journalTotals[k] === terminalTotals[k]);
  }
  const difference =
    matched !== null && terminalTotals && journalTotals
      ? snake({
          purchaseCount: terminalTotals.purchaseCount - journalTotals.purchaseCount,
          purchaseAmount: terminalTotals.purchaseAmount - journalTotals.purchaseAmount,
          returnCount: terminalTotals.returnCount - journalTotals.returnCount,
          returnAmount: terminalTotals.returnAmount - journalTotals.returnAmount,
        })
      : null;
  const what = report === 'close' ? `for shift ${shift}` : `for shift ${shift} so far (the shift stays open)`;
  return {
    shift,
    reason,
    /** What the journal keeps of a close. */
    record: { terminalTotals, journalTotals, matched, hostReconciliation },
    /** What the till hears. */
    reconciliation: {
      matched,
      ...(reason ? { reason } : {}),
      compared: matched === null ? null : `the terminal's totals against the journal's ${what}`,
      terminal: terminalTotals && snake(terminalTotals),
      journal: journalTotals && snake(journalTotals),
      difference,
      terminal_host_reconciliation: hostReconciliation && {
        ...hostReconciliation,
        meaning: "the terminal's own reconciliation with its bank host, as its report prints it; not a comparison with PayBridge's journal",
      },
    },
  };
}

/**
 * The till's answer for a card operation that did not succeed. Failed: the pinpad's words as the
 * headline and a sentence that nothing moved by it. Unknown: a headline that says money may have
 * moved (the pinpad's words in it), what to do, and PayBridge's account of the exchange apart in
 * `provider_said` (never in the cashier's sentence). Fields keep the order they always had.
 */
function cardRefusal(tx: Transaction, account: string | undefined, extra: Record<string, unknown>): PayBridgeError {
  const method = tx.method as CardMethod;
  const code = pinpadCodeOf(tx.error);
  const operation = tx.kind;
  if (tx.status === 'unknown' || tx.status === 'pending') {
    const { reason, ...unknown } = unknownOutcome(operation, { kind: 'card' }, account);
    const { provider_said, ...status } = unknown;
    return new PayBridgeError(terminalErrorCode(method), unknownHeadline(operation, code), describeCode(code), {
      response_code: code,
      reason,
      transaction_id: tx.id,
      ...status,
      ...extra,
      ...(provider_said ? { provider_said } : {}),
    });
  }
  return terminalError(method, code, {
    reason: text(operation === 'payment' ? 'card_declined_payment' : 'card_declined_give_back'),
    transaction_id: tx.id,
    transaction_status: tx.status,
    ...extra,
    ...(account ? { provider_said: account } : {}),
  });
}
