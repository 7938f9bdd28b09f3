import { SYSTEM_CLOCK, type Clock } from '../../lib/clock.js';
import type { JsonValue } from '../../lib/lenient-json.js';
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
  type SendGuard,
} from '../../payments/ports/qr-provider.js';
import { absenceProven, classify, type OutcomeRule } from '../../payments/outcome-table.js';
import { PaymeClient, PaymeHttpError, PaymeRpcError, type PaymeObject } from './client.js';
import { giveBackStatusOf } from '../give-back-status.js';
import { ClaimGoneError } from '../../payments/live-claim.js';
import { ClaimLostError, StaleTransitionError } from '../../payments/ports/journal.js';
import { cancelKeys, checkKeys, createKeys, PAYME_CANCEL, PAYME_CHECK, PAYME_CREATE, PAYME_GIVE_BACK_CHECK, PAYME_PAY, PAYME_RECORD, payKeys, receiptStateOf, recordKeys, SYSTEM_ERROR_CODES, type PaymeExchange } from './outcomes.js';
import { cannotAsk, gotNoAnswer, recordFromRule } from '../wallet-record.js';
import type { WalletListed, WalletRecord, WalletRecordQuery } from '../../payments/wallet-records.js';

export interface PaymeGoPolicy {
  /** Time and pauses (the system's, unless a simulation gives its own). */
  clock?: Clock;
  pollIntervalMs: number;
  /** How long PayBridge keeps checking a receipt whose payment is in flight or whose answer was lost. */
  statusDeadlineMs: number;
  /** After an uncertain receipts.pay, an unpaid receipt (state 0) counts as unpaid only this long after the pay was sent. */
  notFoundAfterMs: number;
  /** The receipt's `account` field that carries our transaction id (`payme.account_field`). */
  accountField?: string | undefined;
}

/**
 * Payme checks a receipt's `account` against the fields its cashbox is set up with, so the name is
 * the shop's to configure; public Payme Go till code sends `order_id`.
 */
export const DEFAULT_ACCOUNT_FIELD = 'order_id';

type Progress = (p: ChargeProgress) => Promise<void>;

/** What Payme's list showed of the receipts of a payment whose receipt id PayBridge never learnt. */
interface OrphanSettlement {
  /** A receipt of ours, paid: the payment succeeded. */
  paid?: PaymeObject;
  /** Why the list cannot vouch that no receipt of ours is open or paid. */
  unsure?: string;
  /** Receipts of ours cancelled (50) on the way. */
  cancelled: string[];
}

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

/** What an exchange was, for a reason the cashier and the operator read. */
function exchangeText(x: PaymeExchange): string {
  if (x.kind === 'not_sent') return `Payme could not be reached (${x.code})`;
  if (x.kind === 'no_answer') return `no answer from Payme: ${x.error}`;
  if (x.kind === 'http') return `Payme answered HTTP ${x.statusCode} without a JSON-RPC reply`;
  if (x.kind === 'error') return `Payme error ${x.code}: ${x.text}`;
  return 'Payme answered without a usable receipt';
}

/**
 * The value of one account field of a receipt: `receipts.create` takes `account` as an object, but
 * `receipts.get` and `receipts.get_all` give it back as an array of `{name, title, value}` (Payme's
 * own examples); both are read.
 */
export function accountValue(account: unknown, field: string): unknown {
  if (Array.isArray(account)) {
    const entry = account.find((a) => a && typeof a === 'object' && (a as { name?: unknown }).name === field) as { value?: unknown } | undefined;
    return entry?.value;
  }
  return account && typeof account === 'object' ? (account as Record<string, unknown>)[field] : undefined;
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

  private get clock(): Clock {
    return this.policy.clock ?? SYSTEM_CLOCK;
  }

  private get accountField(): string {
    return this.policy.accountField ?? DEFAULT_ACCOUNT_FIELD;
  }

  /**
   * Settles a payment whose outcome was not learnt. Without a journaled receipt id, receipts.pay was
   * never sent (the id is journaled before it), so nothing was paid; a receipt created just before
   * PayBridge stopped is looked up by our transaction id and cancelled. With one, the receipt's state
   * decides, and it is cancelled only once it is provably unpaid.
   */
  async recover(request: RecoverRequest, progress: Progress, guard: SendGuard = NO_GUARD): Promise<ChargeOutcome> {
    if (!request.providerPaymentId) {
      const orphans = await this.settleOrphans(request.transactionId, request.createdAt, progress, guard);
      // The journal's proof (no receipt id, so receipts.pay never left) holds only where Payme's own
      // list does not say otherwise: a receipt of ours seen paid is the truth; one not settled (new and
      // not provably cancelled, queued for cancellation, in flight), or a list that could not be read,
      // leaves it open for the next pass.
      return this.orphanOutcome(orphans, 'NO_RECEIPT', 'no receipt was paid', 'PayBridge stopped before paying a receipt; nothing was charged.');
    }
    return this.settle(request.providerPaymentId, request.amount, request.sentAt, undefined, progress, 'PayBridge stopped before it learnt the outcome', undefined, guard);
  }

  /** `receipts.cancel`: a paid receipt goes to 21 (queued for cancellation), then 50. */
  async cancel(request: CancelRequest): Promise<CancelOutcome> {
    try {
      const receipt = await this.client.cancel(request.providerPaymentId);
      const state = stateOf(receipt);
      if (state === RECEIPT_CANCELLED) return { status: 'cancelled', detail: receipt };
      if (state === RECEIPT_CANCELLING) {
        // "Queued for cancellation" is not cancelled: followed with receipts.check until it is (50).
        const followed = await this.followCancelling(request.providerPaymentId);
        if (followed.cancelled) return { status: 'cancelled', detail: { ...receipt, state: RECEIPT_CANCELLED } };
        return {
          status: 'unknown',
          reason: `Payme queued the receipt for cancellation (state 21) and has not shown it cancelled (50)${followed.state !== undefined ? `; it is in state ${followed.state}` : ''}${followed.error ? `; ${followed.error}` : ''}. Do not give the money back another way; PayBridge keeps checking.`,
        };
      }
      return { status: 'unknown', reason: `Payme answered the cancellation with receipt state ${String(state)}; check the receipt before trying again.` };
    } catch (err) {
      if (err instanceof PaymeRpcError && SYSTEM_ERROR_CODES.includes(err.code)) {
        // A system error is no refusal: the cancel may have gone through, and a second one must not follow blindly.
        return { status: 'unknown', reason: `${describe(err)}: whether Payme cancelled the receipt is not known. Check before trying again.` };
      }
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

  /** Payme's record of a receipt for the day's reconciliation: `receipts.get` by the receipt id PayBridge journaled (PAYME_RECORD). */
  async walletRecord(query: WalletRecordQuery): Promise<WalletRecord> {
    if (!query.providerPaymentId) {
      return cannotAsk('no receipt', 'PayBridge journaled no receipt id for it; the day’s receipts.get_all finds a receipt made for it by its account');
    }
    const id = query.providerPaymentId;
    const x = await this.ask(() => this.client.get(id));
    return this.recordOf(x, id);
  }

  private recordOf(x: PaymeExchange, id: string): WalletRecord {
    const rule = classify(PAYME_RECORD, recordKeys(x));
    const receipt = x.kind === 'result' && x.result && typeof x.result === 'object' && !Array.isArray(x.result) ? (x.result as PaymeObject) : undefined;
    const amount = typeof receipt?.amount === 'number' && Number.isSafeInteger(receipt.amount) ? receipt.amount : null;
    return recordFromRule(rule, {
      providerId: id,
      providerStatus: receipt && typeof receipt.state === 'number' ? `state ${receipt.state}` : exchangeText(x),
      amount,
      askAgain: gotNoAnswer(x) || (x.kind === 'error' && SYSTEM_ERROR_CODES.includes(x.code)),
    });
  }

  /**
   * Every receipt of this cashbox created in [from, to) (`receipts.get_all`, 50 a page), each read
   * through PAYME_RECORD: the reconciliation finds there the receipts the journal never saw. Throws
   * when a page cannot be read, so a partial list is never taken for the whole day.
   */
  async listRecords(from: number, to: number): Promise<WalletListed[]> {
    const listed: WalletListed[] = [];
    for (let offset = 0; ; offset += 50) {
      if (offset >= 10_000) throw new Error('Payme listed more than 10 000 receipts for the day: more than one reconciliation looks through');
      const page = await this.client.getAll(from, to - 1, offset);
      for (const r of page) {
        if (typeof r._id !== 'string') continue;
        const createdAt = typeof r.create_time === 'number' ? r.create_time : from;
        if (createdAt < from || createdAt >= to) continue;
        const ours = accountValue(r.account, this.accountField);
        listed.push({
          providerId: r._id,
          transactionId: ours === undefined || ours === null ? null : String(ours),
          amount: typeof r.amount === 'number' && Number.isSafeInteger(r.amount) ? r.amount : 0,
          createdAt,
          record: this.recordOf({ kind: 'result', result: r }, r._id),
          open: stateOf(r) === RECEIPT_CREATED,
        });
      }
      if (page.length < 50) return listed;
    }
  }

  /** A cancel whose answer was lost, settled through `receipts.check` (PAYME_GIVE_BACK_CHECK). */
  async giveBackStatus(request: GiveBackStatusRequest): Promise<GiveBackStatus> {
    return giveBackStatusOf(
      async () => {
        const x = await this.ask(() => this.client.check(request.providerPaymentId).then((s) => ({ state: s ?? null })));
        return { rule: classify(PAYME_GIVE_BACK_CHECK, checkKeys(x)), detail: x };
      },
      { sentAt: request.sentAt, notFoundAfterMs: this.policy.notFoundAfterMs, confirmGapMs: this.policy.pollIntervalMs },
      this.clock,
    );
  }

  /**
   * `receipts.set_fiscal_data`; the answer is Payme's JSON-RPC reply, shown to the till as is.
   *
   * Payme documents the call's parameters and no errors of its own, nothing of what a second call for
   * a receipt that already has fiscal data is answered, and no way to read a receipt's fiscal data
   * back. A receipt that may already be there is therefore sent again: a result delivers it; an error
   * is not read as a refusal by PayBridge (fiscal-handoff.ts keeps the hand-off unknown).
   */
  async submitFiscal(receipt: FiscalReceipt, submission: FiscalSubmission = { resubmission: false }): Promise<FiscalOutcome> {
    await submission.guard?.();
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
        // Payme's own trouble (a system error, the processing centre down) says nothing of whether the method ran.
        if (SYSTEM_ERROR_CODES.includes(err.code)) return { status: 'unknown', error: describe(err) };
        return { status: 'refused', providerCode: String(err.code), providerText: err.text };
      }
      if (err instanceof TransportError) return err.sent ? { status: 'unknown', error: describe(err) } : { status: 'not_taken', error: describe(err) };
      if (err instanceof PaymeHttpError) return { status: 'unknown', error: describe(err) };
      throw err;
    }
  }

  /** One call to Payme, its failure turned into the exchange the outcome tables read. */
  private async ask(call: () => Promise<unknown>): Promise<PaymeExchange> {
    try {
      return { kind: 'result', result: (await call()) as JsonValue };
    } catch (err) {
      if (err instanceof PaymeRpcError) return { kind: 'error', code: err.code, text: err.text, data: err.data };
      if (err instanceof PaymeHttpError) return { kind: 'http', statusCode: err.statusCode, body: err.bodySnippet };
      if (err instanceof TransportError) return err.sent ? { kind: 'no_answer', error: err.message } : { kind: 'not_sent', code: err.code, error: err.message };
      throw err;
    }
  }

  async charge(request: ChargeRequest, progress: Progress, guard: SendGuard = NO_GUARD): Promise<ChargeOutcome> {
    await guard();
    const created = await this.ask(() => this.client.create(request.amount, { [this.accountField]: request.transactionId }).then((receipt) => ({ receipt })));
    const receipt = created.kind === 'result' ? ((created.result as PaymeObject).receipt as PaymeObject) : undefined;
    const receiptId = receipt && typeof receipt._id === 'string' ? receipt._id : '';
    if (!receiptId) {
      const rule = classify(PAYME_CREATE, createKeys(created));
      const code =
        created.kind === 'error' ? String(created.code) : created.kind === 'http' ? `HTTP ${created.statusCode}` : created.kind === 'not_sent' ? created.code : created.kind === 'result' ? 'NO_RECEIPT_ID' : 'REQUEST_DEADLINE';
      const text = created.kind === 'error' ? created.text : exchangeText(created);
      const reason = `${created.kind === 'error' ? `Payme refused to create the receipt: ${text}` : text}; no receipt was paid, nothing was charged.`;
      // No money can have moved (receipts.pay was never sent). A receipt that may have been made without
      // our learning its id (no answer, an unreadable one, Payme's own trouble) is found by account and
      // settled from its state before the payment is called failed, so none is left open.
      const mayHideReceipt = created.kind !== 'not_sent' && !(created.kind === 'error' && !SYSTEM_ERROR_CODES.includes(created.code));
      if (!mayHideReceipt) return failed(code, text, reason, { rule: rule.answer });
      await progress({ step: 'create_answer_lost', uncertain: `${exchangeText(created)} (${rule.answer})`, detail: { reply: created } });
      const orphans = await this.settleOrphans(request.transactionId, request.createdAt, progress, guard);
      return this.orphanOutcome(orphans, code, text, reason, { rule: rule.answer });
    }
    await progress({ step: 'receipt_created', providerPaymentId: receiptId, detail: receipt });

    await guard();
    const sentAt = this.clock.now();
    const paid = await this.ask(() => this.client.pay(receiptId, request.qrCode).then((receipt) => ({ receipt })));
    const rule = classify(PAYME_PAY, payKeys(paid));
    if (paid.kind === 'result') {
      // A receipt state is an answer, not a lost one: paid, or in flight and checked until final.
      const state = receiptStateOf(paid, 'receipt');
      await progress({ step: 'pay_answered', detail: (paid.result as PaymeObject).receipt });
      if (rule.outcome !== 'declined') return this.settle(receiptId, request.amount, sentAt, undefined, progress, '', state, guard);
    }
    if (rule.outcome === 'declined') {
      if (paid.kind !== 'result') await progress({ step: 'pay_declined', detail: { answer: rule.answer, reply: paid } });
      return this.settle(receiptId, request.amount, sentAt, { exchange: paid, rule }, progress, exchangeText(paid), undefined, guard);
    }
    await progress({ step: 'answer_lost', uncertain: `${exchangeText(paid)} (${rule.answer})`, detail: { reply: paid } });
    // A JSON-RPC error Payme does not document for receipts.pay is no decline, but its words are what the
    // till is told once the receipt itself proves unpaid (cancelled, 50).
    return this.settle(receiptId, request.amount, sentAt, undefined, progress, exchangeText(paid), undefined, guard, paid.kind === 'error' ? paid : undefined);
  }

  /**
   * Settles a receipt by its state, checking it until it is paid, provably unpaid, or the deadline
   * passes. "Provably unpaid" is a cancel answered with state 50, asked only after receipts.check
   * showed state 0 — at once after a documented decline of the pay, otherwise twice and late enough
   * (`notFoundAfterMs` after the pay was sent) for a payment under way to have shown.
   */
  private async settle(
    receiptId: string,
    amount: number,
    sentAt: number,
    declined: { exchange: PaymeExchange; rule: OutcomeRule } | undefined,
    progress: Progress,
    cause: string,
    firstState?: number,
    guard: SendGuard = NO_GUARD,
    /** Payme's own refusal of the pay, undocumented for it: not the proof, but the words the till is told once the receipt proves unpaid. */
    said?: PaymeExchange,
  ): Promise<ChargeOutcome> {
    const deadline = this.clock.now() + this.policy.statusDeadlineMs;
    const unpaidAt: number[] = [];
    let lastError = '';
    let state = firstState;
    // A state already known from receipts.pay's own answer is read with the same table as a check's.
    let outcome: OutcomeRule | undefined = state === undefined ? undefined : classify(PAYME_CHECK, checkKeys({ kind: 'result', result: { state } }));
    // State 0 in pay's own answer is no evidence of absence: it is checked like a lost answer.
    if (outcome?.outcome === 'not_found') outcome = undefined;
    for (;;) {
      if (outcome === undefined) {
        const checked = await this.ask(() => this.client.check(receiptId).then((s) => ({ state: s ?? null })));
        outcome = classify(PAYME_CHECK, checkKeys(checked));
        state = checked.kind === 'result' ? ((checked.result as PaymeObject).state as number | undefined) : undefined;
        if (checked.kind === 'result') await progress({ step: 'check', detail: { state } });
        else lastError = exchangeText(checked);
      }
      if (outcome.outcome === 'paid') {
        const receipt = await this.client.get(receiptId).catch(() => undefined);
        if (receipt && receipt.amount !== amount) {
          return {
            status: 'unknown',
            providerPaymentId: receiptId,
            reason: `Payme reports receipt ${receiptId} paid for ${String(receipt.amount)} tiyin, not ${amount}: refusing to call that a success.`,
          };
        }
        return { status: 'succeeded', providerPaymentId: receiptId, clientPhoneNumber: receipt ? phoneOf(receipt) : null, message: SUCCESS_MESSAGE, detail: receipt };
      }
      if (outcome.outcome === 'declined') return this.declinedOutcome(declined ?? (said && { exchange: said, rule: outcome }), 'Payme cancelled the receipt; nothing was charged.');
      if (outcome.outcome === 'not_found') {
        unpaidAt.push(this.clock.now());
        if (declined || absenceProven(unpaidAt, sentAt, this.policy.notFoundAfterMs, this.policy.pollIntervalMs)) {
          await guard();
          const cancelled = await this.ask(() => this.client.cancel(receiptId).then((receipt) => ({ receipt })));
          const rule = classify(PAYME_CANCEL, cancelKeys(cancelled));
          await progress({ step: rule.outcome === 'declined' ? 'receipt_cancelled' : 'receipt_cancel_not_confirmed', detail: { answer: rule.answer, reply: cancelled } });
          if (rule.outcome === 'declined') {
            return this.declinedOutcome(declined ?? (said && { exchange: said, rule }), `${cause || 'Payme did not complete the payment'}; the receipt was never paid and is now cancelled, nothing was charged.`);
          }
          // A refused or lost cancel proves nothing: the receipt's state is asked again.
          lastError = `receipts.cancel: ${exchangeText(cancelled)}`;
        }
      }
      outcome = undefined;
      if (this.clock.now() >= deadline) break;
      await this.clock.sleep(this.policy.pollIntervalMs);
    }
    if (declined) {
      // The pay was declined (or never sent): no money moved, even though Payme could not be asked to
      // close the receipt. It stays open, unpaid; nobody holds the token that could pay it.
      await progress({ step: 'receipt_left_open', detail: { receipt: receiptId, state, error: lastError } });
      return this.declinedOutcome(declined, 'Payme declined the payment; nothing was charged.');
    }
    return {
      status: 'unknown',
      providerPaymentId: receiptId,
      reason: `${cause ? `${cause}; ` : ''}Payme has not shown receipt ${receiptId} paid or provably unpaid${state !== undefined ? ` (state ${state})` : ''}${lastError ? `; ${lastError}` : ''}. Do not take the payment again; PayBridge keeps checking.`,
    };
  }

  /** The failure a till is told once the receipt is proven unpaid: Payme's own decline when it gave one. */
  private declinedOutcome(declined: { exchange: PaymeExchange; rule: OutcomeRule } | undefined, otherwise: string): ChargeOutcome {
    const x = declined?.exchange;
    if (x?.kind === 'error') return failed(String(x.code), x.text, `Payme declined the payment: ${x.text}.`, { data: x.data });
    if (x?.kind === 'not_sent') return failed(x.code, x.error, 'Payme could not be reached; nothing was charged.');
    return failed(String(RECEIPT_CANCELLED), 'receipt cancelled', otherwise);
  }

  /**
   * What a payment whose receipt id PayBridge never learnt comes to, from what Payme's list showed: a
   * receipt of ours paid is the success it is; anything not settled leaves it unknown; only a list read
   * in full with every receipt of ours settled (none, or each cancelled) lets "receipts.pay was never
   * sent" stand as the proof that nothing was charged.
   */
  private orphanOutcome(orphans: OrphanSettlement, code: string, text: string, reason: string, detail?: unknown): ChargeOutcome {
    if (orphans.paid) {
      const receipt = orphans.paid;
      return { status: 'succeeded', providerPaymentId: String(receipt._id), clientPhoneNumber: phoneOf(receipt), message: SUCCESS_MESSAGE, detail: receipt };
    }
    if (orphans.unsure) return { status: 'unknown', reason: `${orphans.unsure}. Do not take the payment again; PayBridge keeps checking.` };
    const cancelled = orphans.cancelled.length ? ` Its receipt ${orphans.cancelled.join(', ')}, made without PayBridge learning its id, is cancelled (state 50).` : '';
    return failed(code, text, `${reason}${cancelled}`, detail);
  }

  /**
   * Receipts of this transaction whose id PayBridge never learnt (the create's answer was lost, or
   * PayBridge stopped before journaling it): found by the account field carrying our id among the
   * receipts created around the transaction (`account` is an array of {name, title, value} in Payme's
   * answers, an object in what some cashboxes answer: both read), and settled from each one's state —
   * paid (4): the payment's truth, whatever the journal lacks; new (0): cancelled, an outward write so
   * only while `guard` says the operation's claim holds, and settled only by a cancel answered 50;
   * queued for cancellation (21): followed with receipts.check until 50; cancelled (50): settled; any
   * other state, or a list that cannot be read: `unsure`, never settled.
   */
  private async settleOrphans(transactionId: string, createdAt: number, progress: Progress, guard: SendGuard): Promise<OrphanSettlement> {
    const unsure: string[] = [];
    const cancelled: string[] = [];
    const from = createdAt - 60_000;
    const to = this.clock.now() + 60_000;
    let complete = false;
    for (let offset = 0; offset < 500; offset += 50) {
      let page: PaymeObject[];
      try {
        page = await this.client.getAll(from, to, offset);
      } catch (err) {
        if (err instanceof ClaimGoneError || err instanceof ClaimLostError || err instanceof StaleTransitionError) throw err;
        await progress({ step: 'orphan_receipt_lookup_failed', detail: { error: describe(err) } });
        return { cancelled, unsure: `Payme's receipt list (receipts.get_all) could not be read (${describe(err)}): a receipt of this payment may exist` };
      }
      for (const r of page) {
        if (String(accountValue(r.account, this.accountField) ?? '') !== transactionId || typeof r._id !== 'string') continue;
        const id = r._id;
        let state = stateOf(r);
        if (state === RECEIPT_PAID) {
          await progress({ step: 'orphan_receipt_paid', providerPaymentId: id, detail: { receipt: id, state } });
          return { paid: r, cancelled };
        }
        if (state === RECEIPT_CREATED) {
          await guard();
          const answer = await this.ask(() => this.client.cancel(id).then((receipt) => ({ receipt })));
          const rule = classify(PAYME_CANCEL, cancelKeys(answer));
          state = receiptStateOf(answer, 'receipt');
          await progress({ step: rule.outcome === 'declined' ? 'orphan_receipt_cancelled' : 'orphan_receipt_cancel_not_confirmed', detail: { receipt: id, answer: rule.answer, reply: answer } });
          if (rule.outcome === 'declined') {
            cancelled.push(id);
            continue;
          }
          if (state !== RECEIPT_CANCELLING) {
            unsure.push(`Payme did not confirm the cancellation of receipt ${id} of this payment (${answer.kind === 'result' ? `state ${String(state)}` : exchangeText(answer)})`);
            continue;
          }
        }
        if (state === RECEIPT_CANCELLING) {
          await progress({ step: 'orphan_receipt_cancelling', detail: { receipt: id, state } });
          const followed = await this.followCancelling(id);
          if (followed.cancelled) {
            await progress({ step: 'orphan_receipt_cancelled', detail: { receipt: id, state: RECEIPT_CANCELLED } });
            cancelled.push(id);
          } else {
            unsure.push(`Payme lists receipt ${id} of this payment queued for cancellation (21), not cancelled (50) yet${followed.state !== undefined ? `: last seen in state ${followed.state}` : ''}`);
          }
          continue;
        }
        await progress({ step: 'orphan_receipt_seen', detail: { receipt: id, state } });
        if (state !== RECEIPT_CANCELLED) unsure.push(`Payme lists receipt ${id} of this payment in state ${String(state)}, neither paid nor cancelled`);
      }
      if (page.length < 50) {
        complete = true;
        break;
      }
    }
    if (!complete) unsure.push('Payme listed more receipts of the period than PayBridge looks through');
    return { cancelled, ...(unsure.length ? { unsure: unsure.join('; ') } : {}) };
  }

  /**
   * A receipt queued for cancellation (21) is checked until Payme shows it cancelled (50), until
   * `statusDeadlineMs`. Only 50 counts: 21 is not "cancelled".
   */
  private async followCancelling(receiptId: string): Promise<{ cancelled: boolean; state?: number | undefined; error?: string }> {
    const deadline = this.clock.now() + this.policy.statusDeadlineMs;
    let state: number | undefined = RECEIPT_CANCELLING;
    let error = '';
    for (;;) {
      await this.clock.sleep(this.policy.pollIntervalMs);
      const checked = await this.ask(() => this.client.check(receiptId).then((s) => ({ state: s ?? null })));
      const rule = classify(PAYME_GIVE_BACK_CHECK, checkKeys(checked));
      if (checked.kind === 'result') {
        state = receiptStateOf(checked, 'state');
        error = '';
      } else error = `receipts.check: ${exchangeText(checked)}`;
      if (rule.outcome === 'paid') return { cancelled: true, state: RECEIPT_CANCELLED };
      if (this.clock.now() >= deadline) return { cancelled: false, state, error };
    }
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
