import { SYSTEM_CLOCK, type Clock } from '../../lib/clock.js';
import { clockExplanation } from '../clock.js';
import {
  type CancelOutcome,
  type CancelRequest,
  type ChargeOutcome,
  type ChargeProgress,
  type ChargeRequest,
  type FiscalOutcome,
  type FiscalReceipt,
  type FiscalSubmission,
  type GiveBackStatus,
  type GiveBackStatusRequest,
  type QrProvider,
  type RecoverRequest,
  NO_GUARD,
  type SendGuard,
} from '../../payments/ports/qr-provider.js';
import { absenceProven, classify, type OutcomeRule } from '../../payments/outcome-table.js';
import { giveBackStatusOf } from '../give-back-status.js';
import type { UzumClient, UzumExchange } from './client.js';
import { CASHIER_HINTS, exchangeText, integer, keys, text, UZUM_GIVE_BACK_STATUS, UZUM_PAYMENT, UZUM_PAYMENT_AGAIN, UZUM_RECORD, UZUM_REVERSAL, UZUM_STATUS, UZUM_STATUS_BORROWED } from './outcomes.js';
import { cannotAsk, gotNoAnswer, recordFromRule } from '../wallet-record.js';
import type { WalletRecord, WalletRecordQuery } from '../../payments/wallet-records.js';

export interface UzumFastPayPolicy {
  /** Time and pauses (the system's, unless a simulation gives its own). */
  clock?: Clock;
  pollIntervalMs: number;
  /** How long PayBridge keeps asking (status, or the same charge again) before the outcome is unknown. */
  statusDeadlineMs: number;
  /** A status "not found" proves nothing before this long after the charge was sent. */
  notFoundAfterMs: number;
}

type Progress = (p: ChargeProgress) => Promise<void>;

const SUCCESS_MESSAGE = 'Успешно подтвержден';
/** The step journaled just before v2/payment is sent. */
export const SENDING = 'sending_to_uzum';
/**
 * The step journaled when the payment_id PayBridge follows came from a DUPLICATED answer or from the
 * same request sent again: the contract does not say it is the first request's payment, so its
 * FAILED or "not found" proves nothing (UZUM_STATUS_BORROWED). `payment_id_learnt`, journaled by older
 * versions for a repeat's id, means the same.
 */
export const BORROWED_ID = 'payment_id_borrowed';
const BORROWED_STEPS = [BORROWED_ID, 'payment_id_learnt'];

function paymentIdOf(x: UzumExchange): string {
  return x.kind === 'reply' ? text(x.reply.payment_id) : '';
}

/** An answer that says the request duplicates an earlier operation: DUPLICATED, or a `*.duplicated` message. */
export function isDuplicateAnswer(x: UzumExchange): boolean {
  return keys(x).some((k) => k === 'payment_status DUPLICATED' || /^error_message [a-z.]*duplicated$/.test(k));
}

function phoneOf(x: UzumExchange): string | null {
  const phone = x.kind === 'reply' ? text(x.reply.client_phone_number) : '';
  return phone || null;
}

/** Uzum refuses an Authorization whose timestamp is more than this far from its clock (its contract). */
export const UZUM_AUTH_WINDOW_S = 50;

/** The cashier's sentence for a refusal, with the contract's explanation where the cause is at the till. */
function refusal(x: UzumExchange, rule: OutcomeRule, what: string): { providerCode: string; providerText: string; reason: string } {
  const found = keys(x);
  let hint = found.map((k) => CASHIER_HINTS[k]).find((h) => h !== undefined);
  if (x.kind === 'not_sent') return { providerCode: x.code, providerText: x.error, reason: `Uzum could not be reached; nothing was ${what}. Try again.` };
  // Uzum documents a stale Authorization as error_code 403; a bare HTTP 401/403 on the way may be the
  // same check or the credentials. The offset read from this very answer's Date says which is likelier.
  const offset = x.kind === 'http' || x.kind === 'reply' ? x.clockOffsetMs : undefined;
  if (x.kind === 'http') {
    const clock = x.statusCode === 401 || x.statusCode === 403 ? `: the credentials are wrong or the clock is — ${clockExplanation('Uzum', offset, UZUM_AUTH_WINDOW_S, 'the credentials are')}` : '';
    return { providerCode: `HTTP ${x.statusCode}`, providerText: 'refused', reason: `Uzum refused the request (HTTP ${x.statusCode}, ${rule.answer})${clock}; nothing was ${what}.` };
  }
  if (found.includes('error_code 403')) hint = `${hint} — ${clockExplanation('Uzum', offset, UZUM_AUTH_WINDOW_S, 'a request held up on the way is')}`;
  else if (found.includes('error_code 401') && offset !== undefined && Math.abs(offset) / 1000 > UZUM_AUTH_WINDOW_S) {
    hint = `${hint} — ${clockExplanation('Uzum', offset, UZUM_AUTH_WINDOW_S, 'the credentials are')}`;
  }
  const reply = x.kind === 'reply' ? x.reply : {};
  const code = integer(reply.error_code);
  const message = text(reply.error_message) || text(reply.payment_status) || 'declined';
  return {
    providerCode: String(code ?? 'UNKNOWN'),
    providerText: message,
    reason: `Uzum declined: ${hint ?? message}; nothing was ${what}.`,
  };
}

/**
 * Uzum Fast Pay: the code scanned from the customer's Uzum app is charged by `v2/payment`, our
 * transaction id as its `order_id` and `transaction_id`. Unlike CLICK, Uzum deduplicates by those
 * ids, so an answer lost before its `payment_id` was learnt is asked for by sending the same request
 * again: Uzum answers the one payment (or DUPLICATED with its id), it never charges a second time.
 * With a `payment_id`, `payment/status` decides. A refusal of a repeated request proves nothing of
 * the first one, so it never makes a payment failed.
 */
export class UzumFastPay implements QrProvider {
  readonly method = 'uzum' as const;
  /** `v2/payment/reversal` gives back the whole payment: "Partial cancellation is not supported." */
  readonly supportsPartialCancel = false;

  constructor(
    private readonly client: UzumClient,
    private readonly policy: UzumFastPayPolicy,
  ) {}

  private get clock(): Clock {
    return this.policy.clock ?? SYSTEM_CLOCK;
  }

  async charge(request: ChargeRequest, progress: Progress, guard: SendGuard = NO_GUARD): Promise<ChargeOutcome> {
    const send = () => this.client.payment({ amount: request.amount, otpData: request.qrCode, orderId: request.transactionId, transactionId: request.transactionId });
    // Journaled before the request leaves: a payment without this step was never sent (see recover).
    await progress({ step: SENDING });
    await guard();
    const sentAt = this.clock.now();
    const first = await send();
    const rule = classify(UZUM_PAYMENT, keys(first));
    if (rule.outcome === 'paid') return this.paid(first, paymentIdOf(first), progress);
    if (rule.outcome === 'declined') {
      const r = refusal(first, rule, 'charged');
      return { status: 'failed', ...r, detail: { rule: rule.answer, reply: first } };
    }
    let paymentId = paymentIdOf(first);
    // A DUPLICATED answer's payment_id (or a duplicate message's: order, transaction or QR code already
    // used) may be the earlier payment's or the rejected repeat's: whose, the contract does not say.
    let borrowed = paymentId !== '' && isDuplicateAnswer(first);
    if (borrowed) await progress({ step: BORROWED_ID, detail: { from: 'DUPLICATED', payment_id: paymentId } });
    await progress({ step: 'answer_uncertain', ...(paymentId ? { providerPaymentId: paymentId } : {}), uncertain: `${exchangeText(first)} (${rule.answer})`, detail: { reply: first } });
    const deadline = this.clock.now() + this.policy.statusDeadlineMs;
    let last = exchangeText(first);
    // When the payment could have been made: a payment_id learnt from a repeat may be the repeat's
    // own (the first request never reached Uzum), and its status lags from then, not from the first.
    let lastSentAt = sentAt;
    // Without Uzum's payment_id there is nothing to ask payment/status about: the same request again
    // (same order_id and transaction_id) is the question, answered by the one payment of the order.
    while (!paymentId) {
      if (this.clock.now() >= deadline) {
        return { status: 'unknown', reason: `${last}; asking again with the same order id did not settle it in time. Do not take the payment again: PayBridge keeps asking.` };
      }
      await this.clock.sleep(this.policy.pollIntervalMs);
      await guard();
      lastSentAt = this.clock.now();
      const again = await send();
      const againRule = classify(UZUM_PAYMENT_AGAIN, keys(again));
      await progress({ step: 'asked_again', detail: { answer: againRule.answer, reply: again } });
      if (againRule.outcome === 'paid') return this.paid(again, paymentIdOf(again), progress);
      paymentId = paymentIdOf(again);
      last = exchangeText(again);
      if (paymentId) {
        // The repeat's answer names a payment: the first request's, or the repeat's own (rejected) one.
        borrowed = true;
        await progress({ step: BORROWED_ID, providerPaymentId: paymentId, detail: { from: againRule.answer } });
      }
    }
    return this.pollUntilFinal(paymentId, lastSentAt, deadline, progress, last, borrowed);
  }

  /**
   * Settles a payment whose outcome was not learnt. Without the step journaled just before the charge
   * left, it was never sent: failed, nothing charged. With Uzum's payment_id, its status decides.
   * Without it the request cannot be asked again (the scanned one-time code is never kept) and the
   * status API knows only Uzum's id: an operator looks the order up in Uzum's merchant cabinet.
   */
  async recover(request: RecoverRequest, progress: Progress): Promise<ChargeOutcome> {
    if (!request.providerPaymentId && request.steps && !request.steps.includes(SENDING)) {
      return { status: 'failed', providerCode: 'NOT_SENT', providerText: 'never sent to Uzum', reason: 'PayBridge stopped before sending the payment to Uzum; nothing was charged.' };
    }
    if (request.providerPaymentId) {
      const borrowed = (request.steps ?? []).some((s) => BORROWED_STEPS.includes(s));
      return this.pollUntilFinal(request.providerPaymentId, request.sentAt, this.clock.now() + this.policy.statusDeadlineMs, progress, 'PayBridge stopped before it learnt the outcome', borrowed);
    }
    return {
      status: 'unknown',
      reason: `PayBridge stopped before Uzum named the payment: Uzum's payment/status asks by Uzum's payment_id, and the one-time code is not kept to ask again. Look up order ${request.transactionId} in the Uzum merchant cabinet and decide it as an operator.`,
    };
  }

  private async paid(x: UzumExchange, paymentId: string, progress: Progress): Promise<ChargeOutcome> {
    await progress({ step: 'paid', providerPaymentId: paymentId, detail: x.kind === 'reply' ? x.reply : undefined });
    return { status: 'succeeded', providerPaymentId: paymentId, clientPhoneNumber: phoneOf(x), message: SUCCESS_MESSAGE, detail: x.kind === 'reply' ? x.reply : undefined };
  }

  /**
   * payment/status until SUCCESS or FAILED, a not-found proven (late enough, twice), or the deadline.
   * Of an id `borrowed` from a DUPLICATED answer or a repeat, only SUCCESS settles (UZUM_STATUS_BORROWED).
   */
  private async pollUntilFinal(paymentId: string, sentAt: number, deadline: number, progress: Progress, cause: string, borrowed = false): Promise<ChargeOutcome> {
    const notFoundAt: number[] = [];
    let last = cause;
    for (;;) {
      const x = await this.client.status(paymentId);
      const rule = classify(borrowed ? UZUM_STATUS_BORROWED : UZUM_STATUS, keys(x));
      await progress({ step: 'status', detail: { answer: rule.answer, reply: x } });
      if (rule.outcome === 'paid') return this.paid(x, paymentId, progress);
      if (rule.outcome === 'declined') {
        return { status: 'failed', providerCode: text(x.kind === 'reply' ? x.reply.payment_status : '') || 'FAILED', providerText: 'payment failed', reason: `Uzum reports payment ${paymentId} not completed (FAILED); nothing was charged.`, detail: x };
      }
      if (rule.outcome === 'not_found') {
        notFoundAt.push(this.clock.now());
        if (absenceProven(notFoundAt, sentAt, this.policy.notFoundAfterMs, this.policy.pollIntervalMs)) {
          return { status: 'failed', providerCode: 'NOT_FOUND', providerText: 'operation not found', reason: `Uzum has no payment ${paymentId}, asked twice after the charge: nothing was charged.`, detail: x };
        }
      }
      last = `${exchangeText(x)} (${rule.answer})`;
      if (this.clock.now() >= deadline) break;
      await this.clock.sleep(this.policy.pollIntervalMs);
    }
    const whose = borrowed ? ' (the id came from a DUPLICATED answer or a repeat and may not be the first request’s payment: only SUCCESS settles it; an operator can look the order up in Uzum’s merchant cabinet)' : '';
    return { status: 'unknown', providerPaymentId: paymentId, reason: `${cause ? `${cause}; ` : ''}Uzum's status of payment ${paymentId} is not final: ${last}${whose}. Do not take the payment again: PayBridge keeps asking.` };
  }

  /**
   * Uzum's record of a payment for the day's reconciliation (UZUM_RECORD): one payment/status by the
   * payment_id PayBridge journaled. Without one there is nothing to ask (the contract has no status by
   * our order_id); an id borrowed from a DUPLICATED answer proves only a SUCCESS.
   */
  async walletRecord(query: WalletRecordQuery): Promise<WalletRecord> {
    if (!query.providerPaymentId) {
      return cannotAsk('no payment_id', 'Uzum never named a payment_id for it, and its contract has no status question by our order_id: look the order up in Uzum’s merchant cabinet');
    }
    const borrowed = query.steps.some((s) => BORROWED_STEPS.includes(s));
    const x = await this.client.status(query.providerPaymentId);
    const rule = classify(borrowed ? UZUM_STATUS_BORROWED : UZUM_RECORD, keys(x));
    const status = x.kind === 'reply' ? text(x.reply.payment_status) || text(x.reply.error_message) || `error_code ${String(x.reply.error_code)}` : exchangeText(x);
    return recordFromRule(rule, {
      providerId: query.providerPaymentId,
      providerStatus: status,
      askAgain: gotNoAnswer(x) || /unavailable|not\.working|inProcess/.test(rule.answer),
      ...(borrowed && rule.outcome !== 'paid' ? { reason: `${rule.answer}: the payment_id came from a DUPLICATED answer and may name the rejected repeat, so only SUCCESS proves anything` } : {}),
    });
  }

  async cancel(request: CancelRequest): Promise<CancelOutcome> {
    if (request.partial) {
      // Refused here, before Uzum hears of it: the contract cancels whole payments only.
      return { status: 'refused', providerCode: 'PARTIAL_NOT_SUPPORTED', providerText: 'partial cancellation is not supported', reason: 'Uzum Fast Pay cancels whole payments only; nothing was sent.' };
    }
    const x = await this.client.reversal(request.transactionId, request.providerPaymentId);
    const rule = classify(UZUM_REVERSAL, keys(x));
    if (rule.outcome === 'paid') return { status: 'cancelled', detail: x.kind === 'reply' ? x.reply : undefined };
    if (rule.outcome === 'declined') {
      const r = refusal(x, rule, 'reversed');
      return { status: 'refused', ...r, detail: { rule: rule.answer, reply: x } };
    }
    return { status: 'unknown', reason: `${exchangeText(x)} (${rule.answer}): whether Uzum reversed the payment is not known. Check before trying again.` };
  }

  async giveBackStatus(request: GiveBackStatusRequest): Promise<GiveBackStatus> {
    return giveBackStatusOf(
      async () => {
        const x = await this.client.status(request.providerPaymentId);
        return { rule: classify(UZUM_GIVE_BACK_STATUS, keys(x)), detail: x };
      },
      { sentAt: request.sentAt, notFoundAfterMs: this.policy.notFoundAfterMs, confirmGapMs: this.policy.pollIntervalMs },
      this.clock,
    );
  }

  /**
   * `payment/fiscal`; the answer is given to the till in FiscalBox's Uzum fields.
   *
   * Uzum's Fast Pay contract documents the call's answer (`error_code` 0 with the payment's status)
   * and one catalogue of `error_message`s for all its methods, none of them about a fiscal link given
   * twice, and no way to read the link back. A receipt that may already be there is therefore sent
   * again: `error_code` 0 delivers it; an error is not read as a refusal by PayBridge
   * (fiscal-handoff.ts keeps the hand-off unknown).
   */
  async submitFiscal(receipt: FiscalReceipt, submission: FiscalSubmission = { resubmission: false }): Promise<FiscalOutcome> {
    await submission.guard?.();
    const x = await this.client.fiscal(receipt.paymentId, receipt.qrCodeUrl);
    if (x.kind === 'not_sent') return { status: 'not_taken', error: exchangeText(x) };
    if (x.kind === 'no_answer' || x.kind === 'http') return { status: 'unknown', error: exchangeText(x) };
    const code = integer(x.reply.error_code);
    const message = text(x.reply.error_message);
    if (code === 0) {
      return {
        status: 'submitted',
        result: { payment_id: text(x.reply.payment_id) || receipt.paymentId, payment_status: text(x.reply.payment_status) || null, error_code: '0', error_message: null, client_phone_number: null },
      };
    }
    // The service says it could not serve the request now: nothing was taken.
    if (message === 'external.service.unavailable' || message === 'apelsin.pay.service.not.working') return { status: 'not_taken', error: exchangeText(x) };
    // No readable code, or "the request is being processed": it may yet be recorded.
    if (code === undefined || message === 'operation.is.inProcess') return { status: 'unknown', error: exchangeText(x) };
    return { status: 'refused', providerCode: String(code), providerText: message || 'refused' };
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
