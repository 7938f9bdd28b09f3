import { describeCode } from './pinpad-codes.js';
import { ErrorCode, PayBridgeError, type ErrorExtras } from './errors.js';
import { classify, type OutcomeRule } from './outcome-table.js';
import type { Journal, TransactionPatch } from './ports/journal.js';
import type { OperationAdapter, OperationContext, Verdict } from './ports/operation-adapter.js';
import { TerminalLinkError, type LinkState, type TerminalAnswer, type TerminalDriver, type TerminalRequest } from './ports/terminal.js';
import { isApproval, operationKeys, OTHER_PAYMENT_KEY, otherPayment, statusKeys, type StatusEvidence } from './terminal-evidence.js';
import { TerminalBusyError, type TerminalQueue } from './terminal-queue.js';
import type { Transaction, TransactionError, TransactionWithEvents } from './transaction.js';

/**
 * A pinpad's purchases, cancels and refunds as the engine runs them: one operation at a time per
 * terminal, in its queue; the driver's answers classified through the driver's outcome table
 * (src/terminals/outcomes.ts); a lost answer settled by asking the terminal in the same turn —
 * never by sending the operation again.
 */

export type CardMethod = 'humo' | 'uzcard';
export type CardOperation = 'purchase' | 'cancel' | 'refund';

export interface CardTerminal {
  id: string;
  method: CardMethod;
  isDefault: boolean;
  driver: TerminalDriver;
  queue: TerminalQueue;
  /** What the last exchange said about the link (see terminals/link-state.ts). */
  link?: LinkState;
}

const TERMINAL_ERROR = { humo: ErrorCode.HUMO_TERMINAL, uzcard: ErrorCode.UZCARD_TERMINAL } as const;

export function terminalErrorCode(method: CardMethod): (typeof TERMINAL_ERROR)[CardMethod] {
  return TERMINAL_ERROR[method];
}

export function terminalError(method: CardMethod, code: string, extras: ErrorExtras = {}): PayBridgeError {
  return new PayBridgeError(TERMINAL_ERROR[method], { pinpadCode: code }, describeCode(code), { response_code: code, ...extras });
}

/** A pinpad code as the journal keeps it: the till's error for it. */
function pinpadError(method: CardMethod, code: string): TransactionError {
  const e = terminalError(method, code);
  return { code: e.code, message: e.message, data: e.data };
}

/** The pinpad code a journaled card error stands for. */
export function pinpadCodeOf(error: TransactionError | null): string {
  return /^(\d{3})/.exec(error?.data ?? '')?.[1] ?? '999';
}

export const NOT_SENT = 'NOT_SENT';

function facts(answer: TerminalAnswer): TransactionPatch {
  return {
    providerPaymentId: answer.rrn,
    receiptNumber: answer.receiptNumber,
    shiftNumber: answer.shiftNumber,
    authCode: answer.authCode,
    slip: answer.slip || null,
  };
}

/** The journal shows this operation was never handed to the terminal: it waited its turn when PayBridge stopped. */
function neverSent(tx: TransactionWithEvents): boolean {
  const received = tx.events.find((e) => e.step === 'received');
  const marks = !!received && typeof received.detail === 'object' && received.detail !== null && (received.detail as { marks_sending?: unknown }).marks_sending === true;
  return marks && !tx.events.some((e) => e.step === 'sent_to_terminal');
}

/** What a status question found. */
interface Asked {
  status: TerminalAnswer | 'not_found' | undefined;
  evidence: StatusEvidence;
}

/**
 * One card operation on `terminal`. `request` is what the driver is sent (the original payment's RRN
 * and receipt number for a give-back).
 */
export function cardOperation(terminal: CardTerminal, journal: Journal, op: CardOperation, request: TerminalRequest): OperationAdapter {
  const table = terminal.driver.outcomes;
  const errorOf = (code: string) => pinpadError(terminal.method, code);
  const intended = { rrn: request.rrn, receiptNumber: request.receiptNumber };
  const readAnswer = (answer: TerminalAnswer) =>
    classify(table, operationKeys(answer.code, op, { operation: answer.operation, amount: answer.amount, expectedAmount: request.amount, original: answer.original, intended }));

  /** The payment a give-back means: the request's, or (in recovery, asked with no reference) the journaled original's. */
  const intendedOf = async (tx: Transaction) => {
    if (request.rrn !== undefined || request.receiptNumber !== undefined || !tx.originalId) return intended;
    const original = await journal.get(tx.originalId);
    return { rrn: original?.providerPaymentId ?? undefined, receiptNumber: original?.receiptNumber ?? undefined };
  };

  /** Step recorded when a give-back's approval names another payment: a flag for an operator. */
  const MISMATCH_STEP = 'gave_back_another_payment';

  /** Whether a status answer is about this operation: same kind and amount, approved, and an RRN no other entry has. */
  const isAbout = async (answer: TerminalAnswer, tx: Transaction): Promise<boolean> => {
    if (!isApproval(answer.code, op) || answer.operation !== op || answer.amount !== tx.amount || !answer.rrn) return false;
    // A give-back's slip that names another payment is that payment's give-back, not this one's.
    if (op !== 'purchase' && otherPayment(answer.original, await intendedOf(tx)).length) return false;
    const other = await journal.findCardPaymentByRrn(tx.method, answer.rrn);
    return !other || other.id === tx.id;
  };

  /**
   * Asks the terminal about an operation whose answer was lost, in the caller's turn at the terminal,
   * and says what the answer proves. A bridge terminal's "never performed" (202) is asked twice.
   */
  const ask = async (tx: Transaction, about: TerminalRequest): Promise<Asked> => {
    const once = () => terminal.driver.status(about).catch(() => undefined);
    let status = await once();
    if (status === 'not_found') status = await once();
    if (status === undefined) return { status, evidence: { kind: 'no_answer' } };
    if (status === 'not_found') return { status, evidence: { kind: 'not_found' } };
    if (terminal.driver.exactStatus) return { status, evidence: { kind: 'answer', code: status.code, matches: await isAbout(status, tx) } };
    // Arcus2 shows only its last slip, and only when print-last itself succeeded.
    if (!isApproval(status.code)) return { status, evidence: { kind: 'print_last_failed', code: status.code } };
    if (await isAbout(status, tx)) return { status, evidence: { kind: 'slip_of_this_operation' } };
    // The last slip is an operation the journal knows, made before this one: nothing ran on the
    // terminal since, so this operation left no slip and was not approved.
    const lastKnown = status.rrn ? await journal.findCardOperationByRrn(tx.method, status.rrn) : undefined;
    if (lastKnown && lastKnown.id !== tx.id && lastKnown.createdAt < tx.createdAt) return { status, evidence: { kind: 'slip_of_an_earlier_operation' } };
    if (!status.rrn && !(await journal.hasCardOperationAfter(terminal.id, tx.createdAt))) return { status, evidence: { kind: 'no_approval_since' } };
    return { status, evidence: { kind: 'slip_unrelated' } };
  };

  /** Sends the operation in its turn; when the answer is lost, asks about it in the same turn. */
  const send = async (
    tx: Transaction,
    ctx: OperationContext,
  ): Promise<{ answered: TerminalAnswer; rule: OutcomeRule } | { mismatch: string[]; answer: TerminalAnswer } | { lost: string; answer: TerminalAnswer | undefined; asked: Asked }> =>
    // The operation and the question about it share one turn at the terminal: nothing else may run in
    // between and change what "the last slip" is.
    terminal.queue.run(async () => {
      // Written before the terminal hears of it: an entry without this step was never sent.
      await ctx.progress({ step: 'sent_to_terminal' });
      let answer: TerminalAnswer | undefined;
      let why: string;
      try {
        answer = await (op === 'purchase' ? terminal.driver.purchase(request) : op === 'cancel' ? terminal.driver.cancel(request) : terminal.driver.refund(request));
        const rule = readAnswer(answer);
        if (rule.outcome !== 'uncertain') return { answered: answer, rule };
        // Not asked about: the last slip would be this very slip, and would "prove" the wrong payment given back.
        if (rule.answer === OTHER_PAYMENT_KEY) return { mismatch: otherPayment(answer.original, intended), answer };
        why =
          rule.answer === 'an approval that names another operation or amount'
            ? `the terminal answered ${answer.code} for ${answer.operation ?? 'an operation'} of ${String(answer.amount)} tiyin, not this ${op} of ${String(request.amount)}`
            : `the terminal answered ${answer.code} (${describeCode(answer.code)})`;
      } catch (err) {
        if (!(err instanceof TerminalLinkError) || !err.maybeSent) throw err;
        why = err.message;
      }
      await ctx.progress({ step: 'answer_lost', uncertain: why });
      return { lost: why, answer, asked: await ask(tx, request) };
    });

  const approved = (answer: TerminalAnswer): Verdict => ({
    outcome: 'succeeded',
    facts: facts(answer),
    step: 'approved',
    detail: { code: answer.code, rrn: answer.rrn, receipt: answer.receiptNumber, shift: answer.shiftNumber },
  });

  const answered = (answer: TerminalAnswer, rule: OutcomeRule): Verdict => {
    if (rule.outcome === 'paid') return approved(answer);
    return { outcome: 'failed', facts: { ...facts(answer), error: errorOf(answer.code) }, step: 'declined', detail: { code: answer.code, rule: rule.answer } };
  };

  return {
    async execute(tx, ctx) {
      let sent: Awaited<ReturnType<typeof send>>;
      try {
        sent = await send(tx, ctx);
      } catch (err) {
        // Provably never sent: the terminal was busy with another operation, or the link failed before the request left.
        const code = err instanceof TerminalBusyError ? '984' : err instanceof TerminalLinkError ? '999' : undefined;
        if (code === undefined) throw err;
        const message = (err as Error).message;
        return { outcome: 'failed', facts: { error: errorOf(code) }, step: 'not_sent', detail: { error: message }, reason: `${message}; nothing was sent to the terminal` };
      }
      if ('answered' in sent) return answered(sent.answered, sent.rule);
      if ('mismatch' in sent) {
        const { answer } = sent;
        const reason = `the terminal approved a ${op} whose slip names another payment (${sent.mismatch.join('; ')}): the money of that payment may have been given back instead of this one's (receipt ${String(request.receiptNumber ?? '?')}, RRN ${request.rrn ?? '?'}). Not recorded as given back; an operator must compare the slip with the journal.`;
        return {
          outcome: 'unknown',
          facts: { slip: answer.slip || null, error: errorOf(answer.code) },
          step: MISMATCH_STEP,
          detail: {
            reason,
            rule: OTHER_PAYMENT_KEY,
            intended: { rrn: request.rrn ?? null, receipt: request.receiptNumber ?? null, amount: request.amount ?? null },
            slip: { code: answer.code, rrn: answer.rrn, receipt: answer.receiptNumber, amount: answer.amount ?? null, original: answer.original ?? null },
          },
          reason,
        };
      }
      const { lost: why, answer, asked } = sent;
      const rule = classify(table, statusKeys(asked.evidence));
      if (rule.outcome === 'paid' && asked.status && asked.status !== 'not_found') {
        await ctx.progress({ step: 'status', detail: { code: asked.status.code, rrn: asked.status.rrn, rule: rule.answer } });
        return approved(asked.status);
      }
      if (rule.outcome === 'declined' || rule.outcome === 'not_found') {
        // Proof from the terminal itself: it never performed this operation, or refused it.
        const code = asked.evidence.kind === 'answer' ? asked.evidence.code : (answer?.code ?? '999');
        const finding = rule.outcome === 'not_found' ? 'the terminal has no record of it (asked twice)' : `the terminal shows it was not performed (${rule.answer})`;
        return { outcome: 'failed', facts: { error: errorOf(code) }, step: 'status_not_performed', detail: { reason: why, rule: rule.answer }, reason: `${why}; ${finding}: nothing was charged` };
      }
      const reason = `${why}; asked about it, the terminal could not tell (${rule.answer}). Do not repeat the operation: PayBridge keeps asking the terminal, or look at the pinpad's screen and slip.`;
      return { outcome: 'unknown', facts: { error: errorOf(answer?.code ?? '999') }, step: 'status_inconclusive', detail: { reason, rule: rule.answer }, reason };
    },

    /**
     * One the journal shows was never handed to the terminal (it waited its turn when PayBridge
     * stopped) failed: nothing was sent. A terminal that cannot tell about one request (Arcus2: only
     * the last slip) settles it only when that slip proves something; otherwise it stays unknown.
     */
    async settle(tx) {
      const full = await journal.get(tx.id);
      // A give-back flagged for giving back another payment stays with the operator: its slip is the
      // terminal's last and would otherwise pass for this operation's.
      if (full?.events.some((e) => e.step === MISMATCH_STEP)) return { outcome: 'unknown', step: null, reason: 'its slip names another payment; an operator decides' };
      if (full && neverSent(full)) {
        return { outcome: 'failed', facts: { error: { code: TERMINAL_ERROR[terminal.method], message: 'NOT_SENT', data: `${NOT_SENT}: never handed to the terminal` } }, step: 'recovered', detail: { evidence: 'never handed to the terminal' } };
      }
      let asked: Asked;
      try {
        asked = await terminal.queue.run(() => ask(tx, { requestId: tx.id, amount: tx.amount }));
      } catch {
        return { outcome: 'unknown', step: null, reason: 'the terminal is busy' };
      }
      const rule = classify(table, statusKeys(asked.evidence));
      const status = asked.status;
      if (rule.outcome === 'paid' && status && status !== 'not_found') {
        return { outcome: 'succeeded', facts: facts(status), step: 'recovered', detail: { code: status.code, rrn: status.rrn, rule: rule.answer } };
      }
      if (rule.outcome === 'declined' || rule.outcome === 'not_found') {
        // The terminal's own refusal when it gave one; otherwise 202, "transaction not found": it never performed it.
        const code = asked.evidence.kind === 'answer' ? asked.evidence.code : '202';
        return { outcome: 'failed', facts: { error: errorOf(code) }, step: 'recovered', detail: { code, rule: rule.answer } };
      }
      return {
        outcome: 'unknown',
        step: tx.status === 'pending' ? 'recovery_inconclusive' : null,
        detail: { rule: rule.answer, last_slip_rrn: status && status !== 'not_found' ? status.rrn : null },
        reason: `asked about it, the terminal could not tell (${rule.answer})`,
      };
    },
  };
}
