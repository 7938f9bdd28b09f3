import { STATUS_CODES } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JsonValue } from '../../lib/lenient-json.js';
import { TransportError } from '../http-transport.js';
import type {
  CancelOutcome,
  CancelRequest,
  ChargeOutcome,
  ChargeProgress,
  ChargeRequest,
  FiscalOutcome,
  FiscalReceipt,
  QrProvider,
  RecoverRequest,
} from '../qr-provider.js';
import { ClickClient, ClickHttpError, type ClickReply } from './client.js';

export interface ClickPassPolicy {
  /** CLICK confirmed payment/partial_reversal for this service. */
  partialReversal: boolean;
  /** Pause between two status queries while a payment is processing or its answer was lost. */
  pollIntervalMs: number;
  /** How long after the first answer (or its loss) PayBridge keeps asking before calling the outcome unknown. */
  statusDeadlineMs: number;
}

type Progress = (p: ChargeProgress) => Promise<void>;

const DEFAULT_SUCCESS_NOTE = 'Успешно подтвержден';

function integer(value: JsonValue | undefined): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
  return undefined;
}

function idText(value: JsonValue | undefined): string | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return String(value);
  if (typeof value === 'string' && /^\d{1,20}$/.test(value) && !/^0+$/.test(value)) return value;
  return undefined;
}

function note(reply: ClickReply): string {
  return typeof reply.error_note === 'string' ? reply.error_note : '';
}

/** The calendar day in Tashkent (UTC+5, no daylight saving) and in UTC: the zone of status_by_mti's date is undocumented. */
function candidateDates(createdAt: number): string[] {
  const tashkent = new Date(createdAt + 5 * 3600_000).toISOString().slice(0, 10);
  const utc = new Date(createdAt).toISOString().slice(0, 10);
  return tashkent === utc ? [tashkent] : [tashkent, utc];
}

/** The cause given when recovery looks for a charge long after it was sent. */
const RECOVERY = Symbol('recovery');

function describe(err: unknown): string {
  if (err === RECOVERY) return 'PayBridge stopped before it learnt the outcome';
  if (err instanceof ClickHttpError) return err.garbage ? `Click answered HTTP ${err.statusCode} with an unreadable body` : `Click answered HTTP ${err.statusCode}`;
  if (err instanceof TransportError) return `no answer from Click: ${err.message}`;
  return `unexpected failure talking to Click: ${(err as Error).message}`;
}

function failed(providerCode: string, providerText: string, reason: string, detail?: unknown): ChargeOutcome {
  return { status: 'failed', providerCode, providerText, reason, detail };
}

/**
 * Click Pass: charge a QR code from the customer's CLICK app, and find out the truth whenever an
 * answer is missing. The rules (facts from Click's documentation):
 *  - only `payment_status` 2 means money was taken; 0 and 1 are still processing; below 0 failed;
 *  - a non-zero `error_code` is a refusal;
 *  - there is no idempotency key, so a charge is never sent twice: a lost answer is resolved by
 *    asking `status_by_mti` for our own transaction id, then `payment/status`.
 */
export class ClickPass implements QrProvider {
  readonly method = 'click' as const;

  constructor(
    private readonly client: ClickClient,
    private readonly policy: ClickPassPolicy,
  ) {}

  /** Settles a payment whose outcome was not learnt: by its payment_id when known, else by our transaction id. */
  async recover(request: RecoverRequest, progress: Progress): Promise<ChargeOutcome> {
    if (request.providerPaymentId) return this.pollUntilFinal(request.providerPaymentId, undefined, null, '', progress);
    return this.findByOurId(request, progress, RECOVERY);
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
      return {
        status: 'refused',
        providerCode: String(code ?? 'UNKNOWN'),
        providerText: note(reply) || 'reversal refused',
        reason: `CLICK refused the reversal: ${note(reply) || `error ${String(code)}`}. CLICK reverses only online-card payments of the current month.`,
        detail: reply,
      };
    } catch (err) {
      if (err instanceof TransportError && !err.sent) {
        return { status: 'refused', providerCode: err.code, providerText: err.message, reason: 'CLICK could not be reached; nothing was reversed. Try again.' };
      }
      if (err instanceof ClickHttpError && err.statusCode < 500 && !err.garbage) {
        return { status: 'refused', providerCode: `HTTP ${err.statusCode}`, providerText: STATUS_CODES[err.statusCode] ?? 'error', reason: `CLICK refused the reversal (HTTP ${err.statusCode}).` };
      }
      if (err instanceof TransportError || err instanceof ClickHttpError) {
        return { status: 'unknown', reason: `${describe(err)}: whether CLICK reversed the payment is not known. Check before trying again.` };
      }
      throw err;
    }
  }

  /** `payment/ofd_data/submit_qrcode`: the URL of the cheque our own fiscal module printed. */
  async submitFiscal(receipt: FiscalReceipt): Promise<FiscalOutcome> {
    try {
      const reply = await this.client.submitQrcode(receipt.paymentId, receipt.qrCodeUrl);
      const code = integer(reply.error_code);
      if (code === 0) return { status: 'submitted', result: reply };
      return { status: 'refused', providerCode: String(code ?? 'UNKNOWN'), providerText: note(reply) || 'refused' };
    } catch (err) {
      if (err instanceof ClickHttpError && err.statusCode >= 400 && err.statusCode < 500) {
        return { status: 'refused', providerCode: `HTTP ${err.statusCode}`, providerText: STATUS_CODES[err.statusCode] ?? 'error' };
      }
      if (err instanceof TransportError || err instanceof ClickHttpError) return { status: 'retry', error: describe(err) };
      throw err;
    }
  }

  async charge(request: ChargeRequest, progress: Progress): Promise<ChargeOutcome> {
    let reply: ClickReply;
    try {
      reply = await this.client.pay({ otpData: request.qrCode, amountTiyin: request.amount, transactionId: request.transactionId });
    } catch (err) {
      if (err instanceof TransportError && !err.sent) {
        return failed(err.code, err.message, 'Click could not be reached; nothing was charged. Try again.');
      }
      if (err instanceof ClickHttpError && (err.statusCode === 401 || err.statusCode === 403)) {
        return failed(
          `HTTP ${err.statusCode}`,
          'authentication refused',
          'Click refused PayBridge’s credentials (merchant_user_id / secret_key); nothing was charged.',
          { body: err.bodySnippet },
        );
      }
      if (!(err instanceof TransportError) && !(err instanceof ClickHttpError)) throw err;
      const why = describe(err);
      await progress({ step: 'answer_lost', uncertain: why, detail: { error: why, body: err instanceof ClickHttpError ? err.bodySnippet : undefined } });
      return this.findByOurId(request, progress, err);
    }
    return this.follow(request, reply, progress);
  }

  /** Acts on a `click_pass/payment` reply. */
  private async follow(request: ChargeRequest, reply: ClickReply, progress: Progress): Promise<ChargeOutcome> {
    const errorCode = integer(reply.error_code);
    if (errorCode === undefined) {
      await progress({ step: 'answer_unreadable', uncertain: 'Click’s reply has no error_code', detail: reply });
      return this.findByOurId(request, progress, new ClickHttpError(200, JSON.stringify(reply).slice(0, 200), true));
    }
    if (errorCode !== 0) {
      return failed(String(errorCode), note(reply) || 'declined', `Click declined the payment: ${note(reply) || `error ${errorCode}`}.`, reply);
    }
    const paymentId = idText(reply.payment_id);
    if (!paymentId) {
      await progress({ step: 'answer_unreadable', uncertain: 'Click’s reply has no payment_id', detail: reply });
      return this.findByOurId(request, progress, new ClickHttpError(200, JSON.stringify(reply).slice(0, 200), true));
    }
    const phone = typeof reply.phone_number === 'string' && reply.phone_number ? reply.phone_number : null;
    const status = integer(reply.payment_status);
    const confirmMode = integer(reply.confirm_mode) === 1;
    // Paid in the first answer: the outcome itself carries the payment id and the reply, written in
    // one durable step instead of two (a crash before it is settled through status_by_mti, as a lost
    // answer is).
    if (status === 2 && !confirmMode) {
      return { status: 'succeeded', providerPaymentId: paymentId, clientPhoneNumber: phone, message: note(reply) || DEFAULT_SUCCESS_NOTE, detail: reply };
    }
    await progress({ step: 'payment_created', providerPaymentId: paymentId, detail: reply });

    if (confirmMode && (status === undefined || status >= 0)) {
      const confirmed = await this.confirm(paymentId, progress);
      if (confirmed) return confirmed;
    }
    return this.pollUntilFinal(paymentId, status, phone, note(reply), progress);
  }

  /** Confirmation mode: Click cancels an unconfirmed payment by itself after 30 s. Returns an outcome only when confirming settled it. */
  private async confirm(paymentId: string, progress: Progress): Promise<ChargeOutcome | undefined> {
    try {
      const reply = await this.client.confirm(paymentId);
      const code = integer(reply.error_code);
      if (code !== 0) {
        return failed(
          String(code ?? 'UNKNOWN'),
          note(reply) || 'confirmation refused',
          'Click refused to confirm the payment; Click cancels unconfirmed payments by itself.',
          reply,
        );
      }
      await progress({ step: 'confirmed', detail: reply });
      return undefined;
    } catch (err) {
      if (err instanceof TransportError && !err.sent) {
        return failed(err.code, err.message, 'Click could not be reached to confirm the payment; Click cancels unconfirmed payments by itself.');
      }
      // The confirmation may have landed: the status queries below tell.
      await progress({ step: 'confirm_answer_lost', uncertain: describe(err) });
      return undefined;
    }
  }

  /** Asks `payment/status` until the payment is paid, failed, or the deadline passes. */
  private async pollUntilFinal(
    paymentId: string,
    firstStatus: number | undefined,
    phone: string | null,
    firstNote: string,
    progress: Progress,
  ): Promise<ChargeOutcome> {
    const deadline = Date.now() + this.policy.statusDeadlineMs;
    let status = firstStatus;
    let lastNote = firstNote;
    let lastError = '';
    for (;;) {
      if (status === 2) {
        return { status: 'succeeded', providerPaymentId: paymentId, clientPhoneNumber: phone, message: lastNote || DEFAULT_SUCCESS_NOTE };
      }
      if (status !== undefined && status < 0) {
        return failed(String(status), lastNote || 'payment failed', `Click reports the payment failed: ${lastNote || `status ${status}`}.`);
      }
      if (Date.now() >= deadline) break;
      await sleep(this.policy.pollIntervalMs);
      try {
        const reply = await this.client.status(paymentId);
        if (integer(reply.error_code) === 0) {
          status = integer(reply.payment_status);
          lastNote = note(reply) || lastNote;
          await progress({ step: 'status', detail: reply });
        } else {
          lastError = `payment/status error ${String(reply.error_code)}: ${note(reply)}`;
        }
      } catch (err) {
        lastError = describe(err);
      }
    }
    return {
      status: 'unknown',
      providerPaymentId: paymentId,
      reason: `Click has not reported a final status for payment ${paymentId} in time${lastError ? ` (${lastError})` : ''}. Do not take the payment again; PayBridge keeps checking.`,
    };
  }

  /**
   * The answer to the charge is missing or unusable, so ask Click whether a payment with our
   * transaction id exists. When Click had answered (an HTTP error, a garbled body), its side of the
   * exchange is over and a payment it cannot find was not made. When the answer never came, the
   * request may still be in flight at Click, so keep asking until the deadline.
   */
  private async findByOurId(request: { transactionId: string; createdAt: number }, progress: Progress, cause: unknown): Promise<ChargeOutcome> {
    // When Click answered (an HTTP error, a garbled body), or the charge is long past, Click's side of
    // it is over: a payment status_by_mti cannot find was not made.
    const clickAnswered = cause instanceof ClickHttpError || cause === RECOVERY;
    const deadline = Date.now() + this.policy.statusDeadlineMs;
    let lastError = '';
    for (;;) {
      let lookupsAnswered = 0;
      for (const date of candidateDates(request.createdAt)) {
        try {
          const reply = await this.client.statusByMti(request.transactionId, date);
          lookupsAnswered++;
          const paymentId = integer(reply.error_code) === 0 ? idText(reply.payment_id) : undefined;
          if (!paymentId) continue;
          const echoed = reply.merchant_trans_id;
          if (echoed !== undefined && String(echoed) !== request.transactionId) {
            lastError = `status_by_mti answered for another transaction (${String(echoed)})`;
            continue;
          }
          await progress({ step: 'found_by_transaction_id', providerPaymentId: paymentId, detail: reply });
          return this.pollUntilFinal(paymentId, integer(reply.payment_status), null, note(reply), progress);
        } catch (err) {
          lastError = describe(err);
        }
      }
      const allSaidNotFound = lookupsAnswered === candidateDates(request.createdAt).length;
      if (clickAnswered && allSaidNotFound) {
        await progress({ step: 'not_found_by_transaction_id', detail: { cause: describe(cause) } });
        if (!(cause instanceof ClickHttpError)) {
          return failed('NOT_FOUND', 'no payment for this transaction', 'Click has no payment for this transaction; nothing was charged.');
        }
        return failed(
          `HTTP ${cause.statusCode}`,
          cause.garbage ? 'unreadable reply' : (STATUS_CODES[cause.statusCode] ?? 'error'),
          `${describe(cause)}; Click has no payment for this transaction, nothing was charged.`,
          { body: cause.bodySnippet },
        );
      }
      if (Date.now() >= deadline) break;
      await sleep(this.policy.pollIntervalMs);
    }
    return {
      status: 'unknown',
      reason: `${describe(cause)}, and Click could not confirm whether the payment exists${lastError ? ` (${lastError})` : ''}. Do not take the payment again; PayBridge keeps checking.`,
    };
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
