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
import { PaymeClient, PaymeHttpError, PaymeRpcError, type PaymeObject } from './client.js';

export interface PaymeGoPolicy {
  pollIntervalMs: number;
  /** How long PayBridge keeps checking a receipt whose payment is in flight or whose answer was lost. */
  statusDeadlineMs: number;
}

type Progress = (p: ChargeProgress) => Promise<void>;

/** Receipt states (Payme's "состояния чека"). */
export const RECEIPT_PAID = 4;
export const RECEIPT_CANCELLED = 50;
export const RECEIPT_CREATED = 0;
export const RECEIPT_CANCELLING = 21;

const SUCCESS_MESSAGE = 'Успешно подтвержден';

function describe(err: unknown): string {
  if (err instanceof PaymeRpcError) return `Payme error ${err.code}: ${err.text}`;
  if (err instanceof PaymeHttpError) return `Payme answered HTTP ${err.statusCode} without a JSON-RPC reply`;
  if (err instanceof TransportError) return `no answer from Payme: ${err.message}`;
  return `unexpected failure talking to Payme: ${(err as Error).message}`;
}

function stateOf(receipt: PaymeObject): number | undefined {
  return typeof receipt.state === 'number' ? receipt.state : undefined;
}

function phoneOf(receipt: PaymeObject): string | null {
  const payer = receipt.payer as Record<string, JsonValue> | null | undefined;
  return payer && typeof payer === 'object' && typeof payer.phone === 'string' && payer.phone ? payer.phone : null;
}

function failed(providerCode: string, providerText: string, reason: string, detail?: unknown): ChargeOutcome {
  return { status: 'failed', providerCode, providerText, reason, detail };
}

/**
 * Payme Go: one receipt per payment (`receipts.create`, its `_id` journaled), paid with the
 * scanned QR as the token (`receipts.pay`). A receipt that will not be paid is cancelled, so none
 * is left open to be paid later; a lost answer is resolved by checking the same receipt, never by
 * paying again.
 */
export class PaymeGo implements QrProvider {
  readonly method = 'payme' as const;
  /** receipts.cancel gives back the whole receipt; its `partially` is a split between receivers, not an amount. */
  readonly supportsPartialCancel = false;

  constructor(
    private readonly client: PaymeClient,
    private readonly policy: PaymeGoPolicy,
  ) {}

  /**
   * Settles a payment whose outcome was not learnt. Without a journaled receipt id, receipts.pay was
   * never sent (the id is journaled before it), so nothing was paid. With one, the receipt's state
   * decides; an unpaid receipt is cancelled so that it cannot be paid later.
   */
  async recover(request: RecoverRequest, progress: Progress): Promise<ChargeOutcome> {
    if (!request.providerPaymentId) {
      return failed('NO_RECEIPT', 'no receipt was paid', 'PayBridge stopped before paying a receipt; nothing was charged.');
    }
    let state: number | undefined;
    try {
      state = await this.client.check(request.providerPaymentId);
    } catch (err) {
      return { status: 'unknown', providerPaymentId: request.providerPaymentId, reason: `${describe(err)}; the receipt's state is not known yet.` };
    }
    await progress({ step: 'check', detail: { state } });
    if (state === RECEIPT_CREATED) {
      if (await this.cancelUnpaid(request.providerPaymentId, progress)) {
        return failed(String(RECEIPT_CREATED), 'receipt never paid', 'The receipt was never paid and is now cancelled; nothing was charged.');
      }
    }
    return this.resolve(request.providerPaymentId, request.amount, state === undefined ? undefined : { state }, progress, 'PayBridge stopped before it learnt the outcome');
  }

  /** `receipts.cancel`: a paid receipt goes to 21 (queued for cancellation), then 50. */
  async cancel(request: CancelRequest): Promise<CancelOutcome> {
    try {
      const receipt = await this.client.cancel(request.providerPaymentId);
      const state = stateOf(receipt);
      if (state === RECEIPT_CANCELLED || state === RECEIPT_CANCELLING) return { status: 'cancelled', detail: receipt };
      return { status: 'unknown', reason: `Payme answered the cancellation with receipt state ${String(state)}; check the receipt before trying again.` };
    } catch (err) {
      if (err instanceof PaymeRpcError) {
        return { status: 'refused', providerCode: String(err.code), providerText: err.text, reason: `Payme refused to cancel the receipt: ${err.text}.` };
      }
      if (err instanceof TransportError && !err.sent) {
        return { status: 'refused', providerCode: err.code, providerText: err.message, reason: 'Payme could not be reached; nothing was cancelled. Try again.' };
      }
      if (err instanceof TransportError || err instanceof PaymeHttpError) {
        return { status: 'unknown', reason: `${describe(err)}: whether Payme cancelled the receipt is not known. Check before trying again.` };
      }
      throw err;
    }
  }

  /** `receipts.set_fiscal_data`; the answer is Payme's JSON-RPC reply, shown to the till as is. */
  async submitFiscal(receipt: FiscalReceipt): Promise<FiscalOutcome> {
    try {
      const { id, result } = await this.client.setFiscalData(receipt.paymentId, {
        receipt_id: receipt.receiptId ?? 0,
        qr_code_url: receipt.qrCodeUrl,
        status_code: receipt.statusCode,
        message: receipt.message,
        terminal_id: receipt.terminalId,
        date: receipt.date,
        fiscal_sign: receipt.fiscalSign,
      });
      return { status: 'submitted', result: { id, result, error: null } };
    } catch (err) {
      if (err instanceof PaymeRpcError) {
        // Payme's own trouble (system error, processing centre down) is worth another try.
        if (err.code === -32400 || err.code === -31002 || err.code === -31001) return { status: 'retry', error: describe(err) };
        return { status: 'refused', providerCode: String(err.code), providerText: err.text };
      }
      if (err instanceof TransportError || err instanceof PaymeHttpError) return { status: 'retry', error: describe(err) };
      throw err;
    }
  }

  async charge(request: ChargeRequest, progress: Progress): Promise<ChargeOutcome> {
    let receipt: PaymeObject;
    try {
      receipt = await this.client.create(request.amount, { transaction_id: request.transactionId });
    } catch (err) {
      if (err instanceof PaymeRpcError) {
        return failed(String(err.code), err.text, `Payme refused to create the receipt: ${err.text}.`);
      }
      if (err instanceof PaymeHttpError || err instanceof TransportError) {
        // Without receipts.pay no money can move; an unpaid receipt that may exist is harmless.
        const code = err instanceof TransportError ? err.code : `HTTP ${err.statusCode}`;
        return failed(code, describe(err), `${describe(err)}; no receipt was paid, nothing was charged.`);
      }
      throw err;
    }
    const receiptId = typeof receipt._id === 'string' ? receipt._id : '';
    if (!receiptId) return failed('NO_RECEIPT_ID', 'receipts.create answered without _id', 'Payme did not return a receipt id; nothing was charged.', receipt);
    await progress({ step: 'receipt_created', providerPaymentId: receiptId, detail: receipt });

    let paid: PaymeObject;
    try {
      paid = await this.client.pay(receiptId, request.qrCode);
    } catch (err) {
      if (err instanceof PaymeRpcError || (err instanceof TransportError && !err.sent)) {
        const code = err instanceof PaymeRpcError ? String(err.code) : err.code;
        const text = err instanceof PaymeRpcError ? err.text : err.message;
        await this.cancelUnpaid(receiptId, progress);
        return failed(code, text, err instanceof PaymeRpcError ? `Payme declined the payment: ${text}.` : `Payme could not be reached; nothing was charged.`, {
          data: err instanceof PaymeRpcError ? err.data : undefined,
        });
      }
      if (!(err instanceof PaymeHttpError) && !(err instanceof TransportError)) throw err;
      await progress({ step: 'answer_lost', uncertain: describe(err) });
      return this.resolve(receiptId, request.amount, undefined, progress, describe(err));
    }
    await progress({ step: 'pay_answered', detail: paid });
    return this.resolve(receiptId, request.amount, paid, progress, '');
  }

  /** Settles a receipt by its state, checking it until it is final or the deadline passes. */
  private async resolve(receiptId: string, amount: number, first: PaymeObject | undefined, progress: Progress, cause: string): Promise<ChargeOutcome> {
    const deadline = Date.now() + this.policy.statusDeadlineMs;
    let state = first ? stateOf(first) : undefined;
    let receipt = first;
    let lastError = '';
    for (;;) {
      if (state === RECEIPT_PAID) {
        if (!receipt || stateOf(receipt) !== RECEIPT_PAID || receipt._id === undefined) receipt = await this.client.get(receiptId).catch(() => undefined);
        if (receipt && receipt.amount !== amount) {
          return {
            status: 'unknown',
            providerPaymentId: receiptId,
            reason: `Payme reports receipt ${receiptId} paid for ${String(receipt.amount)} tiyin, not ${amount}: refusing to call that a success.`,
          };
        }
        return {
          status: 'succeeded',
          providerPaymentId: receiptId,
          clientPhoneNumber: receipt ? phoneOf(receipt) : null,
          message: SUCCESS_MESSAGE,
          detail: receipt,
        };
      }
      if (state === RECEIPT_CANCELLED) {
        return failed(String(RECEIPT_CANCELLED), 'receipt cancelled', 'Payme cancelled the receipt; nothing was charged.');
      }
      if (Date.now() >= deadline) break;
      await sleep(this.policy.pollIntervalMs);
      try {
        state = await this.client.check(receiptId);
        await progress({ step: 'check', detail: { state } });
      } catch (err) {
        lastError = describe(err);
      }
    }
    if (state === RECEIPT_CREATED) {
      // Never paid by the deadline: cancel it so a late payment cannot land, then it is a failure.
      const cancelled = await this.cancelUnpaid(receiptId, progress);
      if (cancelled) return failed(String(RECEIPT_CREATED), 'receipt not paid in time', `${cause || 'Payme did not complete the payment'}; the receipt was cancelled, nothing was charged.`);
    }
    return {
      status: 'unknown',
      providerPaymentId: receiptId,
      reason: `Payme has not reported receipt ${receiptId} as paid or cancelled${state !== undefined ? ` (state ${state})` : ''}${lastError ? `; ${lastError}` : ''}. Do not take the payment again; PayBridge keeps checking.`,
    };
  }

  /** Cancels a receipt that must not be paid any more. True when Payme confirms it is cancelled. */
  private async cancelUnpaid(receiptId: string, progress: Progress): Promise<boolean> {
    try {
      const receipt = await this.client.cancel(receiptId);
      await progress({ step: 'receipt_cancelled', detail: receipt });
      return stateOf(receipt) === RECEIPT_CANCELLED;
    } catch (err) {
      await progress({ step: 'receipt_cancel_failed', detail: { error: describe(err) } });
      return false;
    }
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
