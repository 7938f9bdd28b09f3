import { createHash } from 'node:crypto';
import { shopDate } from '../../src/lib/shop-time.js';
import { soumLiteralToTiyin } from '../../src/payments/money.js';
import type { ProviderName, SimProvider, WireAnswer, WireRequest } from './net.js';
import type { Rng } from './random.js';
import type { Truth } from './truth.js';
import type { World } from './world.js';

/**
 * The three QR wallets as PayBridge's real clients meet them: their published wire shapes (CLICK's
 * merchant API, Payme's JSON-RPC Subscribe API, Uzum Fast Pay), each with a ledger of its own that
 * is the truth the invariants read. Every answer is chosen by the seed among those the provider's
 * documentation allows for what it really did — each row of PayBridge's outcome tables for that
 * endpoint (docs/outcomes.md), and the answers no table names (no error_code, a 4xx, an unknown
 * code, a payment without its status): an answer a table calls a refusal is only ever given when
 * nothing moved, an answer it calls proof of payment only when the money moved, and an uncertain
 * one either way. That is the providers' contract PayBridge relies on; the simulator keeps it and
 * nothing more:
 *
 * - a status lookup shows a charge or a give-back by `not_found_after_ms` after its request was
 *   sent (true time), and may lag before that;
 * - a charge still processing settles later, paid or failed (and a failed one moved no money);
 * - a one-time code is not refused when used again: PayBridge must not charge twice on its own.
 */

export interface ProviderEnv {
  world: World;
  rng: Rng;
  truth: Truth;
  /** False in a quiet period: only the documented, plain answers, and no lag beyond a moment. */
  faults(): boolean;
  notFoundAfterMs: number;
  /** The simulated PayBridge's clock skew (for the providers' signature-age checks). */
  skewOf(instance: string): number;
}

/** When a request's effect shows in the provider's status answers: after a lag, but by `not_found_after_ms` after it was sent. */
function visibleAt(env: ProviderEnv, appliedAt: number, sentAt: number): number {
  const lag = env.faults() ? env.rng.logUniform(1, env.notFoundAfterMs * 2) : env.rng.range(0, 50);
  return Math.max(appliedAt, Math.min(appliedAt + lag, sentAt + env.notFoundAfterMs - 1));
}

const json = (status: number, value: unknown): WireAnswer => ({ status, body: JSON.stringify(value) });

function parse(body: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(body) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------- CLICK

interface ClickPayment {
  id: string;
  txId: string;
  amount: number;
  otp: string;
  createdAt: number;
  /** What it ends as: 2 (paid) or -1 (failed, nothing taken). */
  final: 2 | -1;
  /** Until then it reads `processing` (1). */
  processingUntil: number;
  visibleAt: number;
  reversed: number;
  /** A whole reversal: shows as payment_status −2 from then on. */
  reversedVisibleAt: number | null;
}

export class SimClick implements SimProvider {
  readonly name: ProviderName = 'click';
  private readonly byId = new Map<string, ClickPayment>();
  private readonly byTx = new Map<string, ClickPayment[]>();
  private nextId = 2_170_000_000;
  /** CLICK's own day for status_by_mti (undocumented: one of the two PayBridge tries). */
  readonly dateZone: string;
  /** How far off an `Auth` timestamp CLICK accepts (undocumented): seconds. */
  readonly authWindowS: number;

  constructor(
    private readonly env: ProviderEnv,
    readonly partialReversal: boolean,
  ) {
    this.dateZone = env.rng.pick(['Asia/Tashkent', 'UTC']);
    this.authWindowS = env.rng.pick([120, 300, 900]);
  }

  movesMoney(method: WireRequest['method'], path: string): boolean {
    return (method === 'POST' && path === 'click_pass/payment') || (method === 'DELETE' && /^payment\/(partial_)?reversal\//.test(path));
  }

  handle(req: WireRequest): WireAnswer {
    const { env } = this;
    const auth = (req.headers.auth ?? '').split(':');
    if (auth.length !== 3 || Math.abs(Number(auth[2]) - env.world.now / 1000) > this.authWindowS) return json(401, { error_code: -401, error_note: 'Unauthorized' });
    const parts = req.path.split('/');
    if (req.method === 'POST' && req.path === 'click_pass/payment') return this.pay(req);
    if (req.method === 'GET' && parts[0] === 'payment' && parts[1] === 'status') return this.status(parts[3] ?? '');
    if (req.method === 'GET' && parts[0] === 'payment' && parts[1] === 'status_by_mti') return this.statusByMti(decodeURIComponent(parts[3] ?? ''), parts[4] ?? '');
    if (req.method === 'DELETE' && parts[0] === 'payment' && parts[1] === 'reversal') return this.reversal(req, parts[3] ?? '', undefined);
    if (req.method === 'DELETE' && parts[0] === 'payment' && parts[1] === 'partial_reversal') return this.reversal(req, parts[3] ?? '', parts[4] ?? '');
    if (req.method === 'POST' && req.path === 'payment/ofd_data/submit_qrcode') return this.fiscal(req);
    return json(404, { error_code: -404, error_note: 'Not found' });
  }

  /** The payment as `payment_status` shows it now. */
  private statusOf(p: ClickPayment): number {
    const now = this.env.world.now;
    if (now < p.processingUntil) return 1;
    if (p.reversedVisibleAt !== null && now >= p.reversedVisibleAt) return -2;
    return p.final;
  }

  private pay(req: WireRequest): WireAnswer {
    const { env } = this;
    const b = parse(req.body);
    const otp = typeof b?.otp_data === 'string' ? b.otp_data : '';
    const txId = typeof b?.transaction_id === 'string' ? b.transaction_id : '';
    const literal = /"amount":([0-9.]+)/.exec(req.body)?.[1];
    const amount = literal ? soumLiteralToTiyin(literal) : NaN;
    if (!otp || !txId || !(amount > 0)) return { status: 200, body: '{"error_code":-8,"error_note":"Ошибка в запросе"}' };
    const r = env.rng;
    const variant = env.faults()
      ? r.weighted([
          ['paid', 50],
          ['processing', 15],
          ['declined', 15],
          ['undocumented_decline', 2],
          ['no_payment_id', 2],
          ['error_with_status', 2],
          ['no_error_code', 2],
          ['no_status', 2],
          ['http_4xx', 1],
          ['http_403', 1],
          ['http_401', 1],
          ['http_500', 1],
        ] as const)
      : r.weighted([
          ['paid', 70],
          ['processing', 15],
          ['declined', 15],
        ] as const);
    const apply = (final: 2 | -1, processingMs: number): ClickPayment => {
      const now = env.world.now;
      const p: ClickPayment = {
        id: String(this.nextId++),
        txId,
        amount,
        otp,
        createdAt: now,
        final,
        processingUntil: now + processingMs,
        visibleAt: visibleAt(env, now, req.sentAt),
        reversed: 0,
        reversedVisibleAt: null,
      };
      this.byId.set(p.id, p);
      this.byTx.set(txId, [...(this.byTx.get(txId) ?? []), p]);
      if (final === 2) env.truth.charge({ txId, provider: 'click', amount, code: otp, at: now });
      return p;
    };
    const maybe = () => (r.chance(0.5) ? apply(2, 0) : undefined);
    switch (variant) {
      case 'paid': {
        const p = apply(2, 0);
        return { status: 200, body: `{"error_code":0,"error_note":"Успешно подтвержден","payment_id":${p.id},"payment_status":2,"phone_number":"998901234567"}` };
      }
      case 'processing': {
        const p = apply(r.chance(0.75) ? 2 : -1, r.logUniform(100, 4 * env.notFoundAfterMs));
        return { status: 200, body: `{"error_code":0,"error_note":"В обработке","payment_id":${p.id},"payment_status":${r.pick([0, 1])}}` };
      }
      case 'declined':
        return json(200, r.pick([
          { error_code: -5017, error_note: 'Недостаточно средств на карте' },
          { error_code: -2, error_note: 'Неверная сумма' },
          { error_code: -9, error_note: 'Платеж отклонен' },
        ]));
      case 'undocumented_decline':
        return json(200, { error_code: -r.range(10, 99_999), error_note: 'unknown' });
      case 'no_payment_id':
        maybe();
        return json(200, { error_code: 0, error_note: 'ok' });
      case 'error_with_status': {
        const p = maybe();
        return { status: 200, body: `{"error_code":-500,"error_note":"Системная ошибка"${p ? `,"payment_id":${p.id}` : ''},"payment_status":${r.pick([0, 1, 2])}}` };
      }
      case 'no_error_code': {
        const p = maybe();
        return { status: 200, body: p ? `{"payment_id":${p.id},"payment_status":2}` : '{"error_note":"?"}' };
      }
      case 'no_status': {
        const p = maybe();
        return { status: 200, body: `{"error_code":0,"error_note":"?"${p ? `,"payment_id":${p.id}` : ''}}` };
      }
      case 'http_4xx':
        return json(r.pick([400, 409, 429]), { error_code: -1, error_note: 'Bad request' });
      case 'http_403':
        return json(403, { error_code: -403, error_note: 'Forbidden' });
      case 'http_401':
        return json(401, { error_code: -401, error_note: 'Unauthorized' });
      case 'http_500':
        maybe();
        return json(500, { error_code: -500, error_note: 'Internal error' });
    }
  }

  private statusAnswer(p: ClickPayment, extra: Record<string, unknown> = {}): WireAnswer {
    return { status: 200, body: `{"error_code":0,"error_note":"Успешно","payment_id":${p.id}${extra.mti ? `,"merchant_trans_id":${JSON.stringify(extra.mti)}` : ''},"payment_status":${this.statusOf(p)}}` };
  }

  /** A question's own trouble (uncertain in every table): a system error, no error_code, no status, a 4xx. `p`: the payment it is about, if there is one. */
  private troubledQuestion(p?: ClickPayment): WireAnswer | undefined {
    const r = this.env.rng;
    if (!this.env.faults() || !r.chance(0.06)) return undefined;
    return r.pick([
      json(200, { error_code: -500, error_note: 'Системная ошибка' }),
      json(200, { error_note: 'no code' }),
      json(200, { error_code: 0, error_note: 'Успешно' }),
      p ? { status: 200, body: `{"error_code":0,"error_note":"Успешно","payment_id":${p.id}}` } : json(200, { error_code: 0, error_note: 'Успешно' }),
      json(429, { error_code: -1, error_note: 'Too many requests' }),
      json(500, { error_code: -500, error_note: 'Internal error' }),
    ]);
  }

  private status(id: string): WireAnswer {
    const p = this.byId.get(id);
    const trouble = this.troubledQuestion(p && this.env.world.now >= p.visibleAt ? p : undefined);
    if (trouble) return trouble;
    if (!p || this.env.world.now < p.visibleAt) return json(200, { error_code: -6, error_note: 'Платеж не найден' });
    return this.statusAnswer(p);
  }

  private statusByMti(mti: string, date: string): WireAnswer {
    const now = this.env.world.now;
    const found = (this.byTx.get(mti) ?? []).filter((p) => now >= p.visibleAt && shopDate(this.dateZone, p.createdAt) === date).at(-1);
    const trouble = this.troubledQuestion(found);
    if (trouble) return trouble;
    if (!found) {
      // An answer about another transaction (no table trusts it): the seed may give one.
      if (this.env.faults() && this.env.rng.chance(0.03) && this.byId.size > 0) {
        const other = [...this.byId.values()].at(-1)!;
        if (other.txId !== mti) return this.statusAnswer(other, { mti: other.txId });
      }
      return json(200, { error_code: -6, error_note: 'Платеж не найден' });
    }
    return this.statusAnswer(found, { mti });
  }

  private reversal(req: WireRequest, id: string, partialLiteral: string | undefined): WireAnswer {
    const { env } = this;
    const p = this.byId.get(id);
    if (!p) return json(200, { error_code: -6, error_note: 'Платеж не найден' });
    const partial = partialLiteral !== undefined;
    if (partial && !this.partialReversal) return json(404, { error_code: -404, error_note: 'Not found' });
    const amount = partial ? soumLiteralToTiyin(partialLiteral) : p.amount;
    // CLICK reverses only a paid payment, once whole (or in parts adding up to no more than it).
    const refusable = this.statusOf(p) !== 2 || p.reversedVisibleAt !== null || (partial ? p.reversed + amount > p.amount : p.reversed > 0);
    if (refusable || (env.faults() && env.rng.chance(0.05))) return json(200, { error_code: -9, error_note: 'Отмена невозможна' });
    if (env.faults() && env.rng.chance(0.03)) return json(403, { error_code: -403, error_note: 'Forbidden' });
    p.reversed += amount;
    if (!partial) p.reversedVisibleAt = visibleAt(env, env.world.now, req.sentAt);
    env.truth.giveBack({ paymentTxId: p.txId, opId: req.op, amount, at: env.world.now });
    return json(200, { error_code: 0, error_note: partial ? 'Частичная отмена выполнена' : 'Платеж отменен', payment_id: Number(p.id) });
  }

  private fiscal(req: WireRequest): WireAnswer {
    const id = /"payment_id":(\d+)/.exec(req.body)?.[1] ?? '';
    const p = this.byId.get(id);
    if (!p) return json(200, { error_code: -6, error_note: 'Платеж не найден' });
    if (this.statusOf(p) !== 2) return json(200, { error_code: -9, error_note: 'Платеж отменен' });
    return json(200, { error_code: 0, error_note: 'Успешно' });
  }
}

// ---------------------------------------------------------------------------------------- Payme

interface Receipt {
  _id: string;
  txId: string;
  amount: number;
  createTime: number;
  /** Set once receipts.pay was applied: when, whether it ends paid, and until when it is in flight. */
  pay: { at: number; paid: boolean; inFlightUntil: number; visibleAt: number; token: string } | null;
  /**
   * receipts.cancel applied: when, and whether it gave paid money back (21 for a while, then 50); an
   * unpaid one `queued` shows 21 for a while too (issue #25: 21 is never "cancelled").
   */
  cancel: { at: number; wasPaid: boolean; queued?: boolean } | null;
  /** Its `account` answered as an object ({order_id}) rather than the documented array, as some cashboxes answer. */
  objectAccount?: boolean;
}

const PAYME_CANCEL_QUEUE_MS = 400;

export class SimPayme implements SimProvider {
  readonly name: ProviderName = 'payme';
  private readonly receipts = new Map<string, Receipt>();
  /** Receipts in creation order (create_time never goes back): what receipts.get_all walks. */
  private readonly ordered: Receipt[] = [];

  constructor(private readonly env: ProviderEnv) {}

  stateOf(r: Receipt): number {
    const now = this.env.world.now;
    if (r.cancel) return (r.cancel.wasPaid || r.cancel.queued) && now - r.cancel.at < PAYME_CANCEL_QUEUE_MS ? 21 : 50;
    if (!r.pay) return 0;
    // In flight (1–3), held (5, 6) or paused (20), the same for a while.
    if (now < r.pay.inFlightUntil) return [1, 2, 3, 5, 6, 20][(r.createTime + Math.floor(now / 200)) % 6]!;
    if (!r.pay.paid) return 50;
    return now < r.pay.visibleAt ? this.lagState(r) : 4;
  }

  /** Before the payment shows: in flight, or still new (no table takes a 0 seen early as proof). */
  private lagState(r: Receipt): number {
    return (r.createTime + r.amount) % 2 === 0 ? 2 : 0;
  }

  private view(r: Receipt): Record<string, unknown> {
    return {
      _id: r._id,
      create_time: r.createTime,
      pay_time: r.pay?.at ?? 0,
      cancel_time: r.cancel?.at ?? 0,
      state: this.stateOf(r),
      type: 2,
      amount: r.amount,
      account: r.objectAccount ? { order_id: r.txId } : [{ name: 'order_id', title: 'Номер заказа', value: r.txId }],
      payer: r.pay ? { phone: '998901112233' } : null,
    };
  }

  /** A pay; or a cancel of a receipt paid (or being paid): a give-back. A cancel of an unpaid receipt moves nothing. */
  movesMoney(_method: WireRequest['method'], _path: string, text: string): boolean {
    const body = parse(text);
    const params = (body?.params ?? {}) as Record<string, unknown>;
    if (body?.method === 'receipts.pay') return true;
    if (body?.method !== 'receipts.cancel') return false;
    const receipt = typeof params.id === 'string' ? this.receipts.get(params.id) : undefined;
    return !!receipt?.pay?.paid && !receipt.cancel;
  }

  handle(req: WireRequest): WireAnswer {
    const body = parse(req.body);
    const id = typeof body?.id === 'number' ? body.id : null;
    const ok = (result: unknown): WireAnswer => json(200, { jsonrpc: '2.0', id, result });
    const error = (code: number, message: string): WireAnswer => json(200, { jsonrpc: '2.0', id, error: { code, message: { ru: message, uz: message, en: message } } });
    const params = (body?.params ?? {}) as Record<string, unknown>;
    const r = this.env.rng;
    const faults = this.env.faults();
    const receipt = typeof params.id === 'string' ? this.receipts.get(params.id) : undefined;
    const system = () => error(r.pick([-32400, -31001, -31002]), 'Системная ошибка');
    switch (body?.method) {
      case 'receipts.create': {
        const account = params.account as Record<string, unknown> | undefined;
        const amount = Number(params.amount);
        if (!account || typeof account.order_id !== 'string' || !(amount >= 100)) return error(-32602, 'Неверные параметры');
        const variant = faults ? r.weighted([['ok', 90], ['system_created', 3], ['system_not_created', 3], ['refused', 2], ['no_receipt', 2]] as const) : 'ok';
        if (variant === 'refused') return error(r.pick([-32504, -32602, -31611]), 'Отказано');
        if (variant === 'system_not_created') return system();
        const created: Receipt = { _id: r.hex(24), txId: account.order_id, amount, createTime: this.env.world.now, pay: null, cancel: null, objectAccount: faults && r.chance(0.1) };
        this.receipts.set(created._id, created);
        this.ordered.push(created);
        if (variant === 'system_created') return system();
        if (variant === 'no_receipt') return ok({ receipt: { state: 0 } });
        return ok({ receipt: this.view(created) });
      }
      case 'receipts.pay': {
        if (!receipt) return error(-31602, 'Чек не найден');
        const token = typeof params.token === 'string' ? params.token : '';
        const state = this.stateOf(receipt);
        if (state === 21 || state === 50) return error(-31403, 'Чек отменен');
        if (receipt.pay) return error(-31402, 'Чек уже оплачен');
        const variant = faults
          ? r.weighted([
              ['paid', 55],
              ['in_flight', 12],
              ['declined', 15],
              ['system_paid', 3],
              ['system_not_paid', 3],
              ['state0_pays_later', 3],
              ['state0_never', 2],
              ['not_found_lag', 2],
              ['refused_unprocessed', 2],
              ['no_state', 3],
              ['already_paid', 1],
              ['expired', 1],
              ['state50', 1],
            ] as const)
          : r.weighted([['paid', 70], ['in_flight', 15], ['declined', 15]] as const);
        const apply = (paid: boolean, inFlightMs: number) => {
          const now = this.env.world.now;
          receipt.pay = { at: now, paid, inFlightUntil: now + inFlightMs, visibleAt: visibleAt(this.env, now + inFlightMs, req.sentAt), token };
          if (paid) this.env.truth.charge({ txId: receipt.txId, provider: 'payme', amount: receipt.amount, code: token, at: now });
        };
        switch (variant) {
          case 'paid':
            apply(true, 0);
            return ok({ receipt: { ...this.view(receipt), state: 4 } });
          case 'in_flight':
            apply(r.chance(0.8), r.logUniform(50, Math.max(100, this.env.notFoundAfterMs / 2)));
            // In flight (1–3), held (5, 6) or paused (20): uncertain, checked again until final.
            return ok({ receipt: { ...this.view(receipt), state: r.pick([1, 2, 3, 5, 6, 20]) } });
          case 'already_paid':
            // Possibly paid by this very request (Payme's own retry): the receipt's state decides.
            apply(true, 0);
            return error(-31402, 'Чек уже оплачен');
          case 'expired':
            receipt.cancel = { at: this.env.world.now, wasPaid: false };
            return error(-31403, 'Чек просрочен');
          case 'state50':
            receipt.cancel = { at: this.env.world.now, wasPaid: false };
            return ok({ receipt: this.view(receipt) });
          case 'declined':
            return error(r.pick([-31303, -31300, -31301, -31302, -31400, -31101, -31102, -31103, -31110, -32500]), 'Отказ');
          case 'system_paid':
            apply(true, 0);
            return system();
          case 'system_not_paid':
            return system();
          case 'state0_pays_later': {
            // Answered "new" while the payment goes on behind it: shown paid by not_found_after_ms.
            apply(true, 0);
            return ok({ receipt: { ...this.view(receipt), state: 0 } });
          }
          case 'state0_never':
            return ok({ receipt: this.view(receipt) });
          case 'not_found_lag':
            return error(r.pick([-31401, -31602]), 'Чек не найден');
          case 'refused_unprocessed':
            return error(r.pick([-32300, -32700, -32600, -32601, -32504, -32602]), 'Ошибка запроса');
          case 'no_state':
            if (r.chance(0.5)) apply(true, 0);
            return ok({ receipt: { _id: receipt._id } });
        }
        return system();
      }
      case 'receipts.check': {
        if (!receipt) return error(-31602, 'Чек не найден');
        if (faults && r.chance(0.05)) return r.chance(0.5) ? system() : ok({ nothing: true });
        return ok({ state: this.stateOf(receipt) });
      }
      case 'receipts.get': {
        if (!receipt) return error(-31602, 'Чек не найден');
        return ok({ receipt: this.view(receipt) });
      }
      case 'receipts.get_all': {
        if (faults && r.chance(0.04)) return system();
        const from = Number(params.from);
        const to = Number(params.to);
        const count = Number(params.count);
        const offset = Number(params.offset ?? 0);
        if (!(count >= 1 && count <= 50) || !(from >= 0) || !(to >= 0) || !(offset >= 0)) return error(-32602, 'Неверные параметры');
        // Newest first: walked back from the newest receipt created at or before `to`.
        let hi = this.ordered.length;
        let lo = 0;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (this.ordered[mid]!.createTime <= to) lo = mid + 1;
          else hi = mid;
        }
        const page: Record<string, unknown>[] = [];
        let skipped = 0;
        for (let i = lo - 1; i >= 0 && page.length < count; i--) {
          const x = this.ordered[i]!;
          if (x.createTime < from) break;
          if (skipped++ < offset) continue;
          page.push(this.view(x));
        }
        return ok(page);
      }
      case 'receipts.cancel': {
        if (!receipt) return error(-31602, 'Чек не найден');
        const state = this.stateOf(receipt);
        if (state === 21 || state === 50) return error(-31403, 'Чек уже отменен');
        // In flight (or its payment not shown yet): cannot be cancelled now.
        if (state === 2 || (receipt.pay && state === 0)) return error(-31630, 'Чек в обработке');
        if (faults && r.chance(0.04)) return system();
        const paid = state === 4;
        const queued = !paid && faults && r.chance(0.2);
        const applied = () => {
          receipt.cancel = { at: this.env.world.now, wasPaid: paid, queued };
          if (paid) this.env.truth.giveBack({ paymentTxId: receipt.txId, opId: req.op, amount: receipt.amount, at: this.env.world.now });
        };
        if (faults && r.chance(0.03)) {
          applied();
          return system();
        }
        applied();
        return ok({ receipt: this.view(receipt) });
      }
      case 'receipts.set_fiscal_data': {
        if (!receipt) return error(-31602, 'Чек не найден');
        const state = this.stateOf(receipt);
        if (state === 21 || state === 50) return error(-31403, 'Чек отменен');
        if (state !== 4) return error(-31402, 'Чек не оплачен');
        return ok({ receipt: { _id: receipt._id, create_time: receipt.createTime, pay_time: receipt.pay?.at ?? 0 } });
      }
      default:
        return error(-32601, 'Метод не найден');
    }
  }
}

// ---------------------------------------------------------------------------------------- Uzum

interface UzumPayment {
  id: string;
  orderId: string;
  amount: number;
  otp: string;
  /** SUCCESS or FAILED once out of HOLD. */
  final: 'SUCCESS' | 'FAILED';
  holdUntil: number;
  visibleAt: number;
  reversedVisibleAt: number | null;
}

export class SimUzum implements SimProvider {
  readonly name: ProviderName = 'uzum';
  private readonly byId = new Map<string, UzumPayment>();
  private readonly byOrder = new Map<string, UzumPayment>();

  constructor(private readonly env: ProviderEnv) {}

  private statusOf(p: UzumPayment): string {
    const now = this.env.world.now;
    if (now < p.holdUntil) return 'HOLD';
    if (p.reversedVisibleAt !== null && now >= p.reversedVisibleAt) return 'REVERSED';
    return p.final;
  }

  movesMoney(method: WireRequest['method'], path: string): boolean {
    return (method === 'POST' && path === 'v2/payment') || (method === 'PUT' && path.startsWith('v2/payment/reversal/'));
  }

  handle(req: WireRequest): WireAnswer {
    const { env } = this;
    const m = /^(\d+):([0-9a-f]{40}):(\d+)$/.exec(req.headers.authorization ?? '');
    if (!m) return json(401, { error_code: 401, error_message: 'apelsin.pay.authorization.error' });
    // The contract: more than 50 s between the signature's time and the request's processing is refused.
    if (Math.abs(env.world.now - Number(m[3])) > 50_000) return json(200, { error_code: 403, error_message: null });
    const b = parse(req.body) ?? {};
    if (req.path === 'v2/payment') return this.payment(req, b);
    if (req.path === 'payment/status') return this.status(String(b.payment_id ?? ''));
    if (req.path.startsWith('v2/payment/reversal/')) return this.reversal(req, decodeURIComponent(req.path.slice('v2/payment/reversal/'.length)), String(b.payment_id ?? ''));
    if (req.path === 'payment/fiscal') {
      const p = this.byId.get(String(b.payment_id ?? ''));
      if (!p) return json(200, { error_code: 404, error_message: 'operation.not.found' });
      if (this.statusOf(p) === 'REVERSED') return json(200, { error_code: 400, error_message: 'apelsin.pay.unsupported.operation' });
      return json(200, { payment_id: p.id, payment_status: this.statusOf(p), error_code: 0, error_message: null });
    }
    return json(404, { error_code: 404, error_message: 'not found' });
  }

  private ok(p: UzumPayment, status: string): WireAnswer {
    return json(200, { payment_id: p.id, payment_status: status, error_code: 0, error_message: null, client_phone_number: '998946532140' });
  }

  private payment(req: WireRequest, b: Record<string, unknown>): WireAnswer {
    const { env } = this;
    const r = env.rng;
    const orderId = typeof b.order_id === 'string' ? b.order_id : '';
    const otp = typeof b.otp_data === 'string' ? b.otp_data : '';
    const amount = Number(b.amount);
    if (!orderId || !otp || !(amount > 0)) return json(200, { error_code: 400, error_message: null });
    const existing = this.byOrder.get(orderId);
    if (existing) {
      // The order's one payment: its SUCCESS, DUPLICATED with its id, or a duplicate's message (its status decides).
      if (existing.final === 'SUCCESS' && r.chance(0.3) && this.statusOf(existing) === 'SUCCESS') return this.ok(existing, 'SUCCESS');
      if (env.faults() && r.chance(0.3)) return json(200, { error_code: 400, error_message: r.pick(['order.id.duplicated', 'transaction.duplicated', 'qr.duplicated']), payment_id: existing.id });
      if (env.faults() && r.chance(0.2)) {
        // DUPLICATED naming the rejected repeat, a FAILED operation of its own, not the order's payment
        // (the contract does not say whose id a DUPLICATED answer carries).
        const now = env.world.now;
        const rejected: UzumPayment = { id: `${r.hex(8)}-${r.hex(4)}-4${r.hex(3)}-a${r.hex(3)}-${r.hex(12)}`, orderId, amount, otp, final: 'FAILED', holdUntil: now, visibleAt: now, reversedVisibleAt: null };
        this.byId.set(rejected.id, rejected);
        return json(200, { ...JSON.parse(this.ok(rejected, 'DUPLICATED').body), operation_time: '2026-11-26 23:50:00.000' });
      }
      return json(200, { ...JSON.parse(this.ok(existing, 'DUPLICATED').body), operation_time: '2026-11-26 23:50:00.000' });
    }
    const faults = env.faults();
    const variant = faults
      ? r.weighted([
          ['success', 50],
          ['in_process_id', 10],
          ['failed', 5],
          ['declined', 15],
          ['in_process_no_id', 4],
          ['unavailable', 4],
          ['no_error_code', 2],
          ['no_status', 2],
          ['http_4xx', 1],
          ['http_auth', 1],
          ['http_500', 1],
          ['duplicated_first', 1],
        ] as const)
      : r.weighted([['success', 70], ['in_process_id', 10], ['declined', 20]] as const);
    const apply = (final: 'SUCCESS' | 'FAILED', holdMs: number): UzumPayment => {
      const now = env.world.now;
      const p: UzumPayment = {
        id: `${r.hex(8)}-${r.hex(4)}-4${r.hex(3)}-a${r.hex(3)}-${r.hex(12)}`,
        orderId,
        amount,
        otp,
        final,
        holdUntil: now + holdMs,
        visibleAt: visibleAt(env, now, req.sentAt),
        reversedVisibleAt: null,
      };
      this.byId.set(p.id, p);
      this.byOrder.set(orderId, p);
      if (final === 'SUCCESS') env.truth.charge({ txId: orderId, provider: 'uzum', amount, code: otp, at: now });
      return p;
    };
    switch (variant) {
      case 'success':
        return this.ok(apply('SUCCESS', 0), 'SUCCESS');
      case 'failed':
        return this.ok(apply('FAILED', 0), 'FAILED');
      case 'in_process_id': {
        const p = apply(r.chance(0.8) ? 'SUCCESS' : 'FAILED', r.logUniform(100, 3 * env.notFoundAfterMs));
        return json(200, { error_code: 0, error_message: 'operation.is.inProcess', payment_id: p.id });
      }
      case 'declined':
        return json(200, uzumRefusal(r));
      case 'http_auth':
        return json(r.pick([401, 403]), { error_code: 401, error_message: 'apelsin.pay.authorization.error' });
      case 'http_500':
        if (r.chance(0.5)) apply('SUCCESS', 0);
        return json(r.pick([500, 503]), { error_code: 500, error_message: 'internal error' });
      case 'duplicated_first':
        // Uzum's own retry inside: a duplicate of the operation it just made; its status decides.
        return this.ok(apply(r.chance(0.8) ? 'SUCCESS' : 'FAILED', 0), 'DUPLICATED');
      case 'in_process_no_id':
        if (r.chance(0.5)) apply(r.chance(0.8) ? 'SUCCESS' : 'FAILED', r.logUniform(100, 3 * env.notFoundAfterMs));
        return json(200, { error_code: 0, error_message: 'operation.is.inProcess' });
      case 'unavailable':
        if (r.chance(0.5)) apply('SUCCESS', 0);
        return json(200, { error_code: r.pick([500, 0]), error_message: r.pick(['external.service.unavailable', 'apelsin.pay.service.not.working']) });
      case 'no_error_code': {
        const p = r.chance(0.5) ? apply('SUCCESS', 0) : undefined;
        return json(200, p ? { payment_id: p.id, payment_status: 'SUCCESS' } : { error_message: null });
      }
      case 'no_status': {
        const p = r.chance(0.5) ? apply('SUCCESS', 0) : undefined;
        return json(200, p ? { payment_id: p.id, error_code: 0, error_message: null } : { error_code: 0, error_message: null });
      }
      case 'http_4xx':
        return json(r.pick([400, 404, 429]), { error: 'bad request' });
    }
  }

  private status(id: string): WireAnswer {
    const { env } = this;
    const p = this.byId.get(id);
    if (env.faults() && env.rng.chance(0.06)) {
      return env.rng.pick([
        json(200, { error_code: 0, error_message: 'operation.is.inProcess' }),
        json(200, { error_code: 500, error_message: 'external.service.unavailable' }),
        json(200, { error_code: 7, error_message: 'something.else' }),
        json(200, { error_message: null }),
        json(200, { error_code: 0, error_message: null }),
        json(200, { error_code: 0, error_message: null, payment_id: id }),
        json(env.rng.pick([500, 502]), { error_code: 500, error_message: 'internal error' }),
        json(env.rng.pick([401, 403]), { error_code: 401, error_message: 'apelsin.pay.authorization.error' }),
        json(429, { error: 'too many requests' }),
      ]);
    }
    if (!p || env.world.now < p.visibleAt) return json(200, { error_code: 404, error_message: env.rng.chance(0.5) ? 'operation.not.found' : null });
    return json(200, { payment_id: p.id, payment_status: this.statusOf(p), error_code: 0, error_message: null });
  }

  private reversal(req: WireRequest, orderId: string, paymentId: string): WireAnswer {
    const { env } = this;
    const p = this.byId.get(paymentId);
    if (!p || p.orderId !== orderId) return json(200, { error_code: 404, error_message: 'operation.not.found' });
    const status = this.statusOf(p);
    if (p.reversedVisibleAt !== null) return json(200, { error_code: 400, error_message: 'apelsin.pay.unsupported.operation' });
    if (status === 'HOLD') return json(200, { error_code: 0, error_message: 'operation.is.inProcess' });
    if (status !== 'SUCCESS') return json(200, { error_code: 400, error_message: 'operation.failed' });
    if (env.faults() && env.rng.chance(0.05)) return json(200, env.rng.chance(0.5) ? { error_code: 400, error_message: 'apelsin.pay.reverse.not.allowed' } : uzumRefusal(env.rng));
    if (env.faults() && env.rng.chance(0.03)) return json(env.rng.pick([401, 403]), { error_code: 401, error_message: 'apelsin.pay.authorization.error' });
    const reverse = () => {
      p.reversedVisibleAt = visibleAt(env, env.world.now, req.sentAt);
      env.truth.giveBack({ paymentTxId: p.orderId, opId: req.op, amount: p.amount, at: env.world.now });
    };
    if (env.faults() && env.rng.chance(0.05)) {
      // Answers no table trusts: done or not.
      if (env.rng.chance(0.5)) reverse();
      return env.rng.pick([json(200, { payment_status: 'REVERSED' }), json(200, { error_code: 0, error_message: null }), json(200, { error_code: 0, error_message: null, payment_id: p.id }), json(500, { error_code: 500, error_message: 'internal error' }), json(429, { error: 'too many' })]);
    }
    reverse();
    return json(200, { payment_id: p.id, payment_status: 'REVERSED', error_code: 0, error_message: null });
  }
}

/** Every refusal the Uzum contract documents (DECLINES and CODES in src/providers/uzum/outcomes.ts), and an undocumented code: nothing done. */
function uzumRefusal(r: Rng): Record<string, unknown> {
  return r.pick([
    { error_code: 400, error_message: 'operation.failed' },
    { error_code: 400, error_message: 'apelsin.pay.user.otp.data.expired' },
    { error_code: 416, error_message: 'apelsin.pay.safe.mode.on' },
    { error_code: 400, error_message: 'user.card.not.found' },
    { error_code: 400, error_message: 'limit.was.set' },
    { error_code: 401, error_message: 'apelsin.pay.authorization.error' },
    { error_code: 400, error_message: 'apelsin.pay.wrong.prefix.otp.data' },
    { error_code: 400, error_message: 'apelsin.pay.unsupported.operation' },
    { error_code: 400, error_message: 'device.not.registered' },
    { error_code: 400, error_message: 'receipt.qr.only.yours' },
    { error_code: 400, error_message: 'user.does.not.exist' },
    { error_code: 400, error_message: 'operation.forbidden' },
    { error_code: 400, error_message: null },
    { error_code: 401, error_message: null },
    { error_code: 403, error_message: null },
    { error_code: 416, error_message: null },
    { error_code: 503, error_message: null },
    { error_code: r.range(1000, 9999), error_message: 'some.undocumented.error' },
  ]);
}

/** A one-time code as a customer's app shows it: 40 characters and more (Uzum refuses shorter ones). */
export function qrCode(rng: Rng): string {
  return `${rng.digits(8)}${createHash('sha1').update(rng.hex(16)).digest('hex')}`;
}
