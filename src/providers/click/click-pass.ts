import { STATUS_CODES } from 'node:http';
import { SYSTEM_CLOCK, type Clock } from '../../lib/clock.js';
import { shopDate } from '../../lib/shop-time.js';
import { clockExplanation } from '../clock.js';
import { TransportError } from '../http-transport.js';
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
  type PreparedCharge,
  type SendGuard,
} from '../../payments/ports/qr-provider.js';
import { classify, type OutcomeRule } from '../../payments/outcome-table.js';
import { ClickClient, ClickHttpError, type ClickReply } from './client.js';
import { giveBackStatusOf } from '../give-back-status.js';
import { cannotAsk, gotNoAnswer, recordFromRule } from '../wallet-record.js';
import type { WalletRecord, WalletRecordQuery } from '../../payments/wallet-records.js';
import {
  CLICK_CONFIRM_WINDOW_MS,
  CLICK_LOOKUP,
  CLICK_PASS_PAGE_RU,
  CLICK_PAYMENT,
  CLICK_REVERSAL_STATUS,
  CLICK_STATUS,
  CONFIRM_LAPSE_QUOTE,
  idText,
  integer,
  lookupKeys,
  paymentKeys,
  statusQueryKeys,
  type ClickExchange,
} from './outcomes.js';

export interface ClickPassPolicy {
  /** Time and pauses (the system's, unless a simulation gives its own). */
  clock?: Clock;
  /** CLICK confirmed payment/partial_reversal for this service. */
  partialReversal: boolean;
  /** Pause between two status queries while a payment is processing or its answer was lost. */
  pollIntervalMs: number;
  /** How long after the first answer (or its loss) PayBridge keeps asking before calling the outcome unknown. */
  statusDeadlineMs: number;
  /**
   * Kept for the configuration's shape: CLICK documents no "not found" for its lookups, so no answer of
   * theirs proves a charge absent (see CLICK_LOOKUP); only the confirmation mode's lapse does.
   */
  notFoundAfterMs?: number;
  /**
   * CLICK's confirmation mode (`click.confirm_mode`, on by default): every charge is preceded by
   * switching the mode on for the service (PUT click_pass/confirmation) and followed, on a successful
   * answer, by click_pass/confirm. A charge whose answer is lost is then settled by CLICK's documented
   * lapse. Off: a lost answer stays unknown unless a status question finds the payment.
   */
  confirmMode?: boolean;
  /**
   * How long after a charge was sent an unconfirmed payment of the confirmation mode is surely
   * cancelled: see confirmLapseAfterMs(). Defaults to the production value for a 10 s response timeout.
   */
  confirmLapseAfterMs?: number;
}

/**
 * How long after sending a charge PayBridge waits before it counts on CLICK's cancellation of an
 * unconfirmed payment ("Неподтвержденные платежи будут отменены после 30 секунд после создания
 * платежа", docs.click.uz/click-pass): CLICK's window runs from the payment's creation, which is after
 * our send; for any answer that came (an error, a 5xx, an unreadable body) it is no later than our
 * response timeout after it. So: the response timeout + the window + a slack of a third of the window
 * (10 s in production) for this computer's clock — a monotonic measure within one process, the
 * journal's time of the last write (later than the send) across a restart. Production: 10 s + 30 s +
 * 10 s = 50 s. Should CLICK have created the payment later still (a request it sat on after our timeout),
 * the money's outcome is the same: the payment was never confirmed, so CLICK cancels it whenever its 30 s
 * end; only the moment PayBridge says so may then come before CLICK's.
 *
 * `windowMs` is CLICK's 30 s in production; in sandbox mode it is the emulator's own setting
 * (`sandbox.click.confirm_window_ms`), the window of the provider PayBridge talks to there.
 */
export function confirmLapseAfterMs(responseTimeoutMs: number, windowMs: number = CLICK_CONFIRM_WINDOW_MS): number {
  return responseTimeoutMs + windowMs + Math.ceil(windowMs / 3);
}

/**
 * The step journaled just before a charge left in the confirmation mode, the mode switched on (PayBridge's
 * own evidence), by the PayBridge versions that switched it on after journaling the payment. Now the mode
 * is switched on first and its answer journaled with the payment's first step (`prepared`), read by
 * switchedOnBeforeSending; payments journaled before are still read by this step.
 */
export const SENDING_CONFIRM_MODE = 'sending_to_click_confirmation_mode';

/** CLICK's answer to switching the confirmation mode on, as prepareCharge journals it with the payment's first step. */
function switchedOnFor(prepared: PreparedCharge | undefined): ClickExchange | undefined {
  const x = prepared?.confirmation_mode as ClickExchange | undefined;
  return x && typeof x === 'object' && typeof x.kind === 'string' ? x : undefined;
}

function isSwitchedOn(x: ClickExchange | undefined): boolean {
  return x?.kind === 'reply' && integer(x.reply.error_code) === 0;
}

/** Whether the journal proves the charge left (if it left at all) with the confirmation mode switched on for it. */
function switchedOnBeforeSending(request: RecoverRequest): boolean {
  return request.steps?.includes(SENDING_CONFIRM_MODE) === true || isSwitchedOn(switchedOnFor(request.prepared));
}

type Progress = (p: ChargeProgress) => Promise<void>;

const DEFAULT_SUCCESS_NOTE = 'Успешно подтвержден';

/** Click works on Tashkent time whatever the shop's own zone. */
const CLICK_TIMEZONE = 'Asia/Tashkent';

function note(reply: ClickReply): string {
  return typeof reply.error_note === 'string' ? reply.error_note : '';
}

/**
 * How far this computer's clock may be from CLICK's when it files a payment under a day: within it
 * of midnight, the day by our clock may not be CLICK's (the QR retry window's default, 10 minutes).
 */
const CLOCK_MARGIN_MS = 600_000;

/**
 * The calendar days a payment created at `createdAt` (this computer's clock) may be filed under:
 * in Tashkent (Click's zone, whatever the shop's) and in UTC, since the zone of status_by_mti's date
 * is undocumented — and, within CLOCK_MARGIN_MS of either midnight, the day on its other side, since
 * the day is CLICK's clock's. At most three, the likeliest first; asking one more day only makes a
 * "not found" harder to prove, never a payment easier to miss.
 */
function candidateDates(createdAt: number): string[] {
  const days = new Set<string>();
  for (const at of [createdAt, createdAt - CLOCK_MARGIN_MS, createdAt + CLOCK_MARGIN_MS]) {
    days.add(shopDate(CLICK_TIMEZONE, at));
    days.add(shopDate('UTC', at));
  }
  return [...days];
}

function describe(err: unknown): string {
  if (err instanceof ClickHttpError) return err.garbage ? `Click answered HTTP ${err.statusCode} with an unreadable body` : `Click answered HTTP ${err.statusCode}`;
  if (err instanceof TransportError) return `no answer from Click: ${err.message}`;
  return `unexpected failure talking to Click: ${(err as Error).message}`;
}

/**
 * CLICK's refusal of the request itself. A 401 is as likely the till's clock as the credentials:
 * the `Auth` header's timestamp is checked against CLICK's clock.
 */
export function clickRefusal(statusCode: number, clockOffsetMs: number | undefined): string {
  if (statusCode === 403) return 'Click refused the request (HTTP 403): check merchant_user_id, secret_key and service_id in the click section of the configuration';
  if (statusCode !== 401) return `Click refused the request (HTTP ${statusCode})`;
  return `Click refused PayBridge’s authentication (HTTP 401): the credentials (merchant_user_id / secret_key) are wrong, or the clock is — ${clockExplanation('Click', clockOffsetMs, undefined, 'the credentials are')}`;
}

/** What an exchange was, for a reason the cashier and the operator read. */
function exchangeText(x: ClickExchange): string {
  if (x.kind === 'not_sent') return `Click could not be reached (${x.code})`;
  if (x.kind === 'no_answer') return `no answer from Click: ${x.error}`;
  if (x.kind === 'http') return x.garbage ? `Click answered HTTP ${x.statusCode} with an unreadable body` : `Click answered HTTP ${x.statusCode}`;
  const code = integer(x.reply.error_code);
  return `Click answered error_code ${String(code ?? 'none')}${note(x.reply) ? ` (${note(x.reply)})` : ''}`;
}

/** A charge CLICK provably did not make, in the words the till and the operator get. */
/**
 * A charge CLICK_PAYMENT declines: only the request never sent, or a documented failed status
 * (`error_code` 0, `payment_status` < 0). No HTTP status or error code declines a charge (issue #25).
 */
function declinedCharge(x: ClickExchange): ChargeOutcome {
  if (x.kind === 'not_sent') return failed(x.code, x.error, 'Click could not be reached; nothing was charged. Try again.');
  const reply = (x as { reply: ClickReply }).reply;
  const status = integer(reply.payment_status);
  return failed(String(status), note(reply) || 'payment failed', `Click reports the payment failed: ${note(reply) || `status ${status}`}.`, reply);
}

function failed(providerCode: string, providerText: string, reason: string, detail?: unknown): ChargeOutcome {
  return { status: 'failed', providerCode, providerText, reason, detail };
}

/**
 * Click Pass: charge a QR code from the customer's CLICK app, and find out the truth whenever an
 * answer is missing. The rules (facts from Click's documentation):
 *  - only `payment_status` 2 means money was taken; 0 and 1 are still processing; below 0 failed;
 *  - CLICK publishes no Pass error codes, so a non-zero `error_code` refuses nothing: the status
 *    questions decide, and then the confirmation mode's lapse or an operator;
 *  - there is no idempotency key, so a charge is never sent twice: a lost answer is looked for with
 *    `status_by_mti` for our own transaction id (which CLICK does not document to find Pass payments,
 *    so finding nothing proves nothing), then `payment/status`;
 *  - in the confirmation mode (the default) a payment PayBridge never confirmed is cancelled by CLICK
 *    30 s after its creation: a lost answer, no payment_id, no confirmation — nothing is charged once
 *    that has surely passed (confirmLapseAfterMs). A payment is only ever confirmed right after the
 *    successful answer to its own charge, never later (not by recovery, not after a lookup).
 */
export class ClickPass implements QrProvider {
  readonly method = 'click' as const;

  constructor(
    private readonly client: ClickClient,
    private readonly policy: ClickPassPolicy,
  ) {}

  private get clock(): Clock {
    return this.policy.clock ?? SYSTEM_CLOCK;
  }

  /** Settles a payment whose outcome was not learnt: by its payment_id when known, else by our transaction id. */
  async recover(request: RecoverRequest, progress: Progress): Promise<ChargeOutcome> {
    // Sent in the confirmation mode (journaled before the charge left): a confirmation may or may not
    // have gone out, so a 2 is final only once CLICK's lapse has surely passed.
    // The mode's switch journaled with the payment and refused: the charge was never sent (charge()
    // sends nothing unless CLICK answered error_code 0 to it) — PayBridge's own evidence.
    const switched = switchedOnFor(request.prepared);
    if (switched && !isSwitchedOn(switched) && !request.providerPaymentId) return this.notSwitchedOn(switched);
    const confirmModeSent = switchedOnBeforeSending(request);
    const lapseAt = confirmModeSent ? request.sentAt + this.lapseAfterMs : 0;
    if (request.providerPaymentId) return this.pollUntilFinal(request.providerPaymentId, undefined, null, '', progress, lapseAt);
    // No payment_id was ever journaled, and a confirmation is sent only after its payment_id is: none was.
    return this.findByOurId(request, progress, 'PayBridge stopped before it learnt the outcome', undefined, confirmModeSent);
  }

  /**
   * CLICK's record of a payment for the day's reconciliation: `payment/status` by the payment_id
   * PayBridge journaled (CLICK_STATUS), or `status_by_mti` by our transaction id when none was. CLICK
   * documents no status of a reversed payment, so a payment the journal gave money back for is read
   * by CLICK_REVERSAL_STATUS: it is never confirmed by PayBridge (CLICK's cabinet is where to look).
   */
  async walletRecord(query: WalletRecordQuery): Promise<WalletRecord> {
    const table = query.givenBack > 0 ? CLICK_REVERSAL_STATUS : CLICK_STATUS;
    const why = query.givenBack > 0 ? 'CLICK documents no status of a reversed payment: look it up in CLICK’s merchant cabinet' : undefined;
    if (query.providerPaymentId) {
      const x = await this.ask(() => this.client.status(query.providerPaymentId!));
      return this.recordOf(x, classify(table, statusQueryKeys(x)), query.providerPaymentId, why);
    }
    let last: WalletRecord = cannotAsk('not found', 'CLICK’s status_by_mti found no payment by our transaction id; CLICK documents no “not found”, so that proves nothing');
    for (const date of candidateDates(query.createdAt)) {
      const x = await this.ask(() => this.client.statusByMti(query.transactionId, date));
      const found = classify(CLICK_LOOKUP, lookupKeys(x, query.transactionId));
      const paymentId = x.kind === 'reply' && integer(x.reply.error_code) === 0 ? (idText(x.reply.payment_id) ?? null) : null;
      if (paymentId && found.answer !== 'another merchant_trans_id') return this.recordOf(x, classify(table, statusQueryKeys(x)), paymentId, why);
      if (gotNoAnswer(x)) last = this.recordOf(x, found, null, undefined);
    }
    return last;
  }

  private recordOf(x: ClickExchange, rule: OutcomeRule, paymentId: string | null, why: string | undefined): WalletRecord {
    const status = x.kind === 'reply' ? (integer(x.reply.error_code) === 0 ? `payment_status ${String(x.reply.payment_status)}` : `error_code ${String(x.reply.error_code)}`) : exchangeText(x);
    return recordFromRule(rule, { providerId: paymentId, providerStatus: status, askAgain: gotNoAnswer(x), ...(why ? { reason: why } : {}) });
  }

  private get lapseAfterMs(): number {
    return this.policy.confirmLapseAfterMs ?? confirmLapseAfterMs(10_000);
  }

  get supportsPartialCancel(): boolean {
    return this.policy.partialReversal;
  }

  /** `payment/reversal` (or `partial_reversal` where CLICK enabled it). */
  async cancel(request: CancelRequest): Promise<CancelOutcome> {
    try {
      const reply = request.partial
        ? await this.client.partialReversal(request.providerPaymentId, request.amount)
        : await this.client.reversal(request.providerPaymentId);
      const code = integer(reply.error_code);
      if (code === 0) return { status: 'cancelled', detail: reply };
      // CLICK documents no error codes for payment/reversal, and a "cannot cancel" may answer a repeat
      // of a reversal already applied (a proxy's retry): not proof that nothing went back.
      return {
        status: 'unknown',
        reason: `CLICK answered the reversal with error ${String(code ?? 'without a code')}${note(reply) ? ` (${note(reply)})` : ''}; CLICK documents no reversal error codes, so whether the money went back is not known. CLICK reverses only online-card payments of the current month: look the payment up in CLICK's merchant cabinet, then decide the give-back as an operator.`,
      };
    } catch (err) {
      if (err instanceof TransportError && !err.sent) {
        return { status: 'refused', providerCode: err.code, providerText: err.message, reason: 'CLICK could not be reached; nothing was reversed. Try again.' };
      }
      if (err instanceof TransportError || err instanceof ClickHttpError) {
        return { status: 'unknown', reason: `${describe(err)}: whether CLICK reversed the payment is not known. Check before trying again.` };
      }
      throw err;
    }
  }

  /** A reversal whose answer was lost, settled through `payment/status` (CLICK_REVERSAL_STATUS). */
  async giveBackStatus(request: GiveBackStatusRequest): Promise<GiveBackStatus> {
    if (request.partial) {
      return { status: 'unknown', rule: 'partial reversal', reason: 'CLICK’s payment/status does not show partial reversals: check the merchant cabinet, then decide the give-back as an operator' };
    }
    return giveBackStatusOf(
      async () => {
        const x = await this.ask(() => this.client.status(request.providerPaymentId));
        return { rule: classify(CLICK_REVERSAL_STATUS, statusQueryKeys(x)), detail: x };
      },
      { sentAt: request.sentAt, notFoundAfterMs: this.policy.notFoundAfterMs ?? 0, confirmGapMs: this.policy.pollIntervalMs },
      this.clock,
    );
  }

  /**
   * `payment/ofd_data/submit_qrcode`: the URL of the cheque our own fiscal module printed.
   *
   * CLICK documents no error codes for it, and nothing of what a second submission of the same URL is
   * answered. It does document reading a payment's fiscal data back (`GET payment/ofd_data/…`), so a
   * receipt that may already be there (an earlier answer was lost) is looked for first, and sent
   * again only when CLICK does not show it; what CLICK then answers a repeat is not read as a
   * refusal by PayBridge (fiscal-handoff.ts keeps it unknown).
   */
  async submitFiscal(receipt: FiscalReceipt, submission: FiscalSubmission = { resubmission: false }): Promise<FiscalOutcome> {
    if (submission.resubmission) {
      const held = await this.fiscalOnRecord(receipt);
      if (held) return { status: 'submitted', result: held, evidence: 'CLICK’s ofd_data shows this receipt for the payment already' };
    }
    await submission.guard?.();
    try {
      const reply = await this.client.submitQrcode(receipt.paymentId, receipt.qrCodeUrl);
      const code = integer(reply.error_code);
      if (code === 0) return { status: 'submitted', result: reply };
      return { status: 'refused', providerCode: String(code ?? 'UNKNOWN'), providerText: note(reply) || 'refused' };
    } catch (err) {
      if (err instanceof ClickHttpError && err.statusCode >= 400 && err.statusCode < 500) {
        return { status: 'refused', providerCode: `HTTP ${err.statusCode}`, providerText: STATUS_CODES[err.statusCode] ?? 'error' };
      }
      if (err instanceof TransportError) return err.sent ? { status: 'unknown', error: describe(err) } : { status: 'not_taken', error: describe(err) };
      // A 5xx or an unreadable body: CLICK (or a proxy in front of it) got the request, and may have recorded it.
      if (err instanceof ClickHttpError) return { status: 'unknown', error: describe(err) };
      throw err;
    }
  }

  /** CLICK's fiscal data for the payment, when it names this very receipt URL; undefined otherwise or when it cannot be read. */
  private async fiscalOnRecord(receipt: FiscalReceipt): Promise<ClickReply | undefined> {
    try {
      const reply = await this.client.ofdData(receipt.paymentId);
      return reply.qrCodeURL === receipt.qrCodeUrl ? reply : undefined;
    } catch {
      return undefined;
    }
  }

  /** One call to CLICK, its failure turned into the exchange the outcome tables read. */
  private async ask(call: () => Promise<ClickReply>): Promise<ClickExchange> {
    try {
      return { kind: 'reply', reply: await call() };
    } catch (err) {
      if (err instanceof TransportError) return err.sent ? { kind: 'no_answer', error: err.message } : { kind: 'not_sent', code: err.code, error: err.message };
      if (err instanceof ClickHttpError) return { kind: 'http', statusCode: err.statusCode, garbage: err.garbage, body: err.bodySnippet, clockOffsetMs: err.clockOffsetMs };
      throw err;
    }
  }

  /**
   * In the confirmation mode, switches it on for the service (PUT click_pass/confirmation) before the
   * payment is journaled: CLICK's answer is journaled with the payment's first step, and the charge
   * leaves right after that write.
   */
  async prepareCharge(): Promise<PreparedCharge> {
    if (this.policy.confirmMode !== true) return {};
    return { confirmation_mode: await this.ask(() => this.client.setConfirmationMode(true)) };
  }

  async charge(request: ChargeRequest, progress: Progress, guard: SendGuard = NO_GUARD): Promise<ChargeOutcome> {
    await guard();
    const confirmMode = this.policy.confirmMode === true;
    if (confirmMode) {
      // The lapse proves anything only if the mode was on for this very charge: switched on just
      // before it, by PayBridge, said so by CLICK, and journaled before the charge leaves. Not
      // switched on, the charge is not sent.
      const prepared = switchedOnFor(request.prepared);
      const switched = prepared ?? (await this.ask(() => this.client.setConfirmationMode(true)));
      if (!isSwitchedOn(switched)) return this.notSwitchedOn(switched);
      if (!prepared) {
        // Not prepared before the payment was journaled (a caller without prepareCharge): its own step.
        await progress({ step: SENDING_CONFIRM_MODE, detail: { confirmation_mode: (switched as { reply: ClickReply }).reply } });
        await guard();
      }
    }
    const sentAt = this.clock.now();
    const answer = await this.ask(() => this.client.pay({ otpData: request.qrCode, amountTiyin: request.amount, transactionId: request.transactionId }));
    const rule = classify(CLICK_PAYMENT, paymentKeys(answer));
    const paymentId = answer.kind === 'reply' ? idText(answer.reply.payment_id) : undefined;
    if (rule.outcome === 'declined') return declinedCharge(answer);
    if (answer.kind === 'reply' && paymentId) return this.follow(answer.reply, paymentId, rule, progress, guard, confirmMode ? sentAt + this.lapseAfterMs : 0);
    // No payment id to follow: the answer is lost. CLICK has no idempotency key, so the payment is
    // looked up by our own transaction id, never sent again.
    const why = exchangeText(answer);
    await progress({ step: 'answer_lost', uncertain: why, detail: { answer: rule.answer, ...(answer.kind === 'http' ? { body: answer.body } : answer.kind === 'reply' ? { reply: answer.reply } : {}) } });
    // In the confirmation mode a payment PayBridge does not confirm cannot end charged: CLICK cancels
    // it 30 s after creating it. Without its id PayBridge can never confirm it, so the outcome is
    // settled now — the till is not held for the 30 s (a declined card is the commonest case).
    if (confirmMode) return this.neverConfirmed(why, answer, undefined);
    return this.findByOurId({ ...request, sentAt }, progress, why, answer, confirmMode);
  }

  /** The confirmation mode could not be switched on: the charge was never sent (PayBridge's own evidence). */
  private notSwitchedOn(x: ClickExchange): ChargeOutcome {
    const what = x.kind === 'http' && !x.garbage && (x.statusCode === 401 || x.statusCode === 403) ? clickRefusal(x.statusCode, x.clockOffsetMs) : exchangeText(x);
    const code = x.kind === 'http' ? `HTTP ${x.statusCode}` : x.kind === 'not_sent' ? x.code : x.kind === 'reply' ? String(integer(x.reply.error_code) ?? 'UNKNOWN') : 'NO_ANSWER';
    return failed(code, 'confirmation mode not switched on', `${what}, switching on the confirmation mode (PUT click_pass/confirmation): the payment was not sent, nothing was charged. Try again.`, {
      rule: 'request never sent',
      evidence: 'the charge (click_pass/payment) is sent only after CLICK answered error_code 0 to switching the confirmation mode on; it did not',
      answer: x.kind === 'reply' ? x.reply : x.kind === 'http' ? { status: x.statusCode, body: x.body } : x,
    });
  }

  /**
   * Acts on a `click_pass/payment` reply that names a payment. `lapseAt`: when the charge was sent in
   * the confirmation mode, the time past which CLICK has surely cancelled it if unconfirmed (0 otherwise).
   */
  private async follow(reply: ClickReply, paymentId: string, rule: OutcomeRule, progress: Progress, guard: SendGuard, lapseAt: number): Promise<ChargeOutcome> {
    const phone = typeof reply.phone_number === 'string' && reply.phone_number ? reply.phone_number : null;
    // The payment is in the confirmation mode unless CLICK's reply says it is not: a payment left
    // unconfirmed because a reply did not echo the flag would be cancelled after PayBridge said "paid".
    const confirmMode = lapseAt > 0 ? integer(reply.confirm_mode) !== 0 : integer(reply.confirm_mode) === 1;
    // Paid in the first answer: the outcome itself carries the payment id and the reply, written in
    // one durable step instead of two (a crash before it is settled through status_by_mti, as a lost
    // answer is).
    if (rule.outcome === 'paid' && !confirmMode) {
      return { status: 'succeeded', providerPaymentId: paymentId, clientPhoneNumber: phone, message: note(reply) || DEFAULT_SUCCESS_NOTE, detail: reply };
    }
    await progress({ step: 'payment_created', providerPaymentId: paymentId, detail: reply });
    if (!confirmMode) return this.pollUntilFinal(paymentId, { reply, rule }, phone, note(reply), progress, 0);
    const paidFinalAt = lapseAt || this.clock.now() + this.lapseAfterMs;
    // CLICK asks for a confirmation "right after a successful answer": only an error_code 0 is one. A
    // payment an error names is never confirmed, so CLICK cancels it: settled now — when PayBridge
    // itself switched the mode on for this charge; a reply that merely says the mode is on (another
    // integration's switch) is followed until CLICK's window has passed.
    if (integer(reply.error_code) !== 0 && lapseAt === 0) return this.pollUntilFinal(paymentId, undefined, phone, note(reply), progress, paidFinalAt);
    if (integer(reply.error_code) !== 0) return this.neverConfirmed(`Click answered error_code ${String(integer(reply.error_code))}${note(reply) ? ` (${note(reply)})` : ''}`, { kind: 'reply', reply }, paymentId);
    await guard();
    const confirmed = await this.confirm(paymentId, progress);
    // Paid (payment_status 2 in the charge's own answer) and confirmed: nothing is left for CLICK to
    // cancel, so no status question is needed.
    if (confirmed && rule.outcome === 'paid') {
      return { status: 'succeeded', providerPaymentId: paymentId, clientPhoneNumber: phone, message: note(reply) || DEFAULT_SUCCESS_NOTE, detail: { confirmed } };
    }
    // Confirmed (error_code 0): its status is final as it reads. Refused or its answer lost: a 2 is
    // final only once the lapse has surely passed (CLICK would have cancelled an unconfirmed one).
    return this.pollUntilFinal(paymentId, undefined, phone, note(reply), progress, confirmed ? 0 : paidFinalAt, confirmed);
  }

  /**
   * Confirmation mode: CLICK's answer when it was error_code 0, else undefined. A confirmation is not
   * journaled on its own: the payment_id journaled before it is what recovery needs, and its answer
   * rides with the next step (the outcome, mostly). A refusal or a lost answer is journaled at once.
   */
  private async confirm(paymentId: string, progress: Progress): Promise<ClickReply | undefined> {
    try {
      const reply = await this.client.confirm(paymentId);
      const code = integer(reply.error_code);
      if (code !== 0) {
        // A refused confirmation: CLICK cancels the payment by itself, but only payment/status
        // proves it; the poll below sees payment_status < 0 once it has.
        await progress({ step: 'confirm_refused', detail: reply });
        return undefined;
      }
      return reply;
    } catch (err) {
      // The confirmation may have landed: the status queries below tell.
      await progress({ step: 'confirm_answer_lost', uncertain: describe(err) });
      return undefined;
    }
  }

  /**
   * Asks `payment/status` until the payment is paid, failed, or the deadline passes. An answer that
   * settles it is journaled with the outcome, in one write; one that does not (still processing) is
   * journaled as a `status` step, after the confirmation it follows (`confirmed`), if any.
   */
  private async pollUntilFinal(
    paymentId: string,
    first: { reply: ClickReply; rule: OutcomeRule } | undefined,
    phone: string | null,
    firstNote: string,
    progress: Progress,
    /** A payment_status 2 counts as final only from then on (the confirmation mode's lapse); 0: at once. */
    paidFinalAt: number,
    /** CLICK's answer to this payment's confirmation, not journaled yet. */
    confirmed?: ClickReply,
  ): Promise<ChargeOutcome> {
    const deadline = Math.max(this.clock.now() + this.policy.statusDeadlineMs, paidFinalAt > 0 ? paidFinalAt + this.policy.pollIntervalMs : 0);
    let current = first;
    let lastNote = firstNote;
    let lastError = '';
    let unwritten = confirmed;
    // The status answer that settled it, journaled with the outcome (none when the first reply did).
    let settling: ClickReply | undefined;
    const evidence = () => ({ ...(unwritten ? { confirmed: unwritten } : {}), ...(settling ? { status: settling } : {}) });
    // With no answer yet to act on (right after a confirmation, or at recovery) the first question is
    // asked at once; later ones a poll interval apart.
    let asked = first !== undefined;
    for (;;) {
      const paidNow = current?.rule.outcome === 'paid' && this.clock.now() >= paidFinalAt;
      if (paidNow) {
        return { status: 'succeeded', providerPaymentId: paymentId, clientPhoneNumber: phone, message: lastNote || DEFAULT_SUCCESS_NOTE, ...(unwritten || settling ? { detail: evidence() } : {}) };
      }
      if (current?.rule.outcome === 'declined') {
        const status = integer(current.reply.payment_status);
        return failed(String(status), lastNote || 'payment failed', `Click reports the payment failed: ${lastNote || `status ${status}`}.`, {
          rule: current.rule.answer,
          cite: current.rule.cite,
          reply: current.reply,
          ...(unwritten ? { confirmed: unwritten } : {}),
        });
      }
      if (settling) {
        // The answer did not settle it after all (a 2 before the lapse has passed): on record now.
        await this.journalUnwritten(progress, unwritten);
        unwritten = undefined;
        await progress({ step: 'status', detail: settling });
        settling = undefined;
      }
      if (this.clock.now() >= deadline) break;
      if (asked) await this.clock.sleep(this.policy.pollIntervalMs);
      asked = true;
      const answer = await this.ask(() => this.client.status(paymentId));
      const rule = classify(CLICK_STATUS, statusQueryKeys(answer));
      if (answer.kind === 'reply' && integer(answer.reply.error_code) === 0) {
        current = { reply: answer.reply, rule };
        lastNote = note(answer.reply) || lastNote;
        if (rule.outcome === 'paid' || rule.outcome === 'declined') {
          settling = answer.reply;
        } else {
          await this.journalUnwritten(progress, unwritten);
          unwritten = undefined;
          await progress({ step: 'status', detail: answer.reply });
        }
      } else {
        lastError = `payment/status: ${exchangeText(answer)}`;
      }
    }
    await this.journalUnwritten(progress, unwritten);
    return {
      status: 'unknown',
      providerPaymentId: paymentId,
      reason: `Click has not reported a final status for payment ${paymentId} in time${lastError ? ` (${lastError})` : current?.rule.outcome === 'paid' ? ' (paid, but not confirmed: CLICK may still cancel it)' : ''}. Do not take the payment again; PayBridge keeps checking.`,
    };
  }

  /** A confirmation's answer that no outcome carried: journaled before anything else is. */
  private async journalUnwritten(progress: Progress, confirmed: ClickReply | undefined): Promise<void> {
    if (confirmed) await progress({ step: 'confirmed', detail: confirmed });
  }

  /**
   * The answer to the charge is missing or unusable, so ask Click whether a payment with our
   * transaction id exists; what it finds is followed by payment/status. Finding nothing proves
   * nothing (CLICK documents neither that status_by_mti finds Pass payments by our id nor a "not
   * found"): without the confirmation mode the outcome stays unknown for an operator. In the mode
   * (`confirmModeSent`: switched on, journaled, before the charge left; no payment_id ever learnt, so
   * never confirmed), a round of lookups asked once CLICK's lapse has surely passed that still finds
   * nothing settles it: CLICK cancelled the payment, if it ever existed.
   */
  private async findByOurId(
    request: { transactionId: string; createdAt: number; sentAt: number },
    progress: Progress,
    cause: string,
    lost: ClickExchange | undefined,
    confirmModeSent: boolean,
  ): Promise<ChargeOutcome> {
    const lapseAt = confirmModeSent ? request.sentAt + this.lapseAfterMs : 0;
    const deadline = Math.max(this.clock.now() + this.policy.statusDeadlineMs, lapseAt > 0 ? lapseAt + this.policy.pollIntervalMs : 0);
    const dates = candidateDates(request.createdAt);
    let lastError = '';
    for (;;) {
      const askedAt = this.clock.now();
      for (const date of dates) {
        const answer = await this.ask(() => this.client.statusByMti(request.transactionId, date));
        const rule = classify(CLICK_LOOKUP, lookupKeys(answer, request.transactionId));
        const paymentId = answer.kind === 'reply' ? idText(answer.reply.payment_id) : undefined;
        if (answer.kind === 'reply' && paymentId && rule.answer !== 'another merchant_trans_id' && integer(answer.reply.error_code) === 0) {
          await progress({ step: 'found_by_transaction_id', providerPaymentId: paymentId, detail: answer.reply });
          return this.pollUntilFinal(paymentId, { reply: answer.reply, rule }, null, note(answer.reply), progress, lapseAt);
        }
        lastError = `status_by_mti: ${rule.answer}${answer.kind === 'reply' && note(answer.reply) ? ` (${note(answer.reply)})` : ''}`;
      }
      if (lapseAt > 0 && askedAt >= lapseAt) return this.lapsed(request, cause, lost, askedAt, lastError);
      if (this.clock.now() >= deadline) break;
      await this.clock.sleep(this.policy.pollIntervalMs);
    }
    return {
      status: 'unknown',
      reason: `${cause}, and Click could not confirm whether the payment exists${lastError ? ` (${lastError})` : ''}. Do not take the payment again; PayBridge keeps checking.`,
    };
  }

  /**
   * A charge of the confirmation mode that PayBridge will never confirm (its answer lost or an error):
   * whatever CLICK made of it, CLICK cancels an unconfirmed payment 30 s after creating it, so nothing
   * stays charged. Settled at once; the customer may see a hold that CLICK lifts within those 30 s.
   */
  private neverConfirmed(cause: string, answer: ClickExchange, paymentId: string | undefined): ChargeOutcome {
    return failed(
      answer.kind === 'http' ? `HTTP ${answer.statusCode}` : answer.kind === 'reply' ? String(integer(answer.reply.error_code) ?? 'UNKNOWN') : answer.kind === 'not_sent' ? answer.code : 'NO_ANSWER',
      (answer.kind === 'reply' && note(answer.reply)) || 'not confirmed: cancelled by CLICK',
      `${cause}; PayBridge ${paymentId ? `does not confirm payment ${paymentId}` : 'never learnt the payment’s id, so it cannot be confirmed'}, and CLICK cancels an unconfirmed payment 30 s after creating it: nothing stays charged (a debit the customer may see is returned by CLICK within those 30 s).`,
      {
        rule: 'confirmation mode: never confirmed',
        cite: { doc: CLICK_PASS_PAGE_RU, quote: CONFIRM_LAPSE_QUOTE },
        evidence: `the confirmation mode switched on (CLICK answered error_code 0) and journaled before the charge left; click_pass/confirm is sent only right after an error_code 0 naming the payment, never later (not by recovery)`,
        payment_id: paymentId ?? null,
        answer: answer.kind === 'reply' ? answer.reply : answer.kind === 'http' ? { status: answer.statusCode, body: answer.body } : answer,
      },
    );
  }

  /** A lost charge of the confirmation mode, never confirmed, past CLICK's documented lapse: nothing was charged. */
  private lapsed(request: { sentAt: number }, cause: string, lost: ClickExchange | undefined, askedAt: number, lastLookup: string): ChargeOutcome {
    const seconds = Math.round((askedAt - request.sentAt) / 100) / 10;
    return failed(
      lost?.kind === 'http' ? `HTTP ${lost.statusCode}` : lost?.kind === 'reply' ? String(integer(lost.reply.error_code) ?? 'UNKNOWN') : 'CONFIRMATION_LAPSED',
      // The provider's own words, where its lost answer had any (a −5017's "Недостаточно средств на карте"):
      // the till shows them; the lapse is PayBridge's account, in the reason.
      (lost?.kind === 'reply' && note(lost.reply)) || 'not confirmed: cancelled by CLICK',
      `${cause}; PayBridge never learnt the payment's id, so never confirmed it, and CLICK cancels an unconfirmed payment 30 s after creating it (asked ${seconds} s after sending, nothing found): nothing was charged.`,
      {
        rule: 'confirmation mode: never confirmed, lapse passed',
        cite: { doc: CLICK_PASS_PAGE_RU, quote: CONFIRM_LAPSE_QUOTE },
        evidence: `the confirmation mode switched on and journaled before the charge left; no payment_id journaled, so no click_pass/confirm was sent`,
        asked_ms_after_sending: askedAt - request.sentAt,
        lapse_after_ms: this.lapseAfterMs,
        last_lookup: lastLookup || null,
      },
    );
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
