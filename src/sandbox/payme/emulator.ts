import { createHash, randomBytes } from 'node:crypto';
import type { JsonValue } from '../../lib/lenient-json.js';
import { EmulatorServer, readCabinetRefund, SandboxRefusal, sandboxRoute, sandboxTiyin, UNPARSABLE } from '../emulator-server.js';
import { fiscalTroubleOf, giveBackTroubleOf, isPaymeCreateLostAnswer, MAGIC, magicOf, PAYME_MAGIC, paymeCreateMagicOf, type GiveBackTrouble } from '../magic.js';
import { LedgerFile } from '../ledger-file.js';

export interface PaymeEmulatorOptions {
  cashboxId: string;
  cashboxKey: string;
  host?: string;
  port?: number;
  /** How long the answer to a "lost answer" QR code (and to a receipts.create of an amount ending in 60100) is held back. */
  lostAnswerDelayMs: number;
  /** How long a "processing" QR code keeps its receipt in flight (state 2). */
  processingMs: number;
  /** How long a cancelled paid receipt stays queued for cancellation (state 21) before it is cancelled (50). */
  cancelQueueMs: number;
  /**
   * The account field the cashbox is set up with: receipts.create must carry it, as Payme checks a
   * receipt's account against the cashbox's settings. Unset: any account object is taken.
   */
  accountField?: string;
  /** Where the ledger survives a restart (sandbox mode: under the data dir); without it, memory only. */
  ledgerFile?: string;
}

/** A receipt as the emulator's ledger keeps it; amounts in tiyin. */
export interface EmulatedReceipt {
  _id: string;
  amount: number;
  account: JsonValue;
  detail: JsonValue | null;
  createTime: number;
  payTime: number;
  cancelTime: number;
  paidUntil: number;
  paid: boolean;
  token: string | null;
  phone: string | null;
  cardNumber: string | null;
  fiscalData: JsonValue | null;
  /** receipts.set_fiscal_data requests that reached this receipt (absent in a ledger written before they were counted). */
  fiscalRequests?: number;
  /** Paid with a "325" QR code: every receipts.cancel is refused with −32400. */
  cancelRefused: boolean;
  /**
   * How a cancel of the paid receipt goes (its QR code's give-back magic, "624"/"625"/"623"): applied
   * and answered −32400, applied and the connection dropped, or the first one answered −32400 unapplied.
   */
  cancelTrouble: GiveBackTrouble | null;
  /** receipts.cancel requests that reached this receipt, applied or not. */
  cancelRequests: number;
  /** Of those, the ones that reached it paid (state 4): give-back attempts. */
  paidCancelRequests: number;
  /** Cancelled while unpaid, but queued (21) until cancel_queue_ms has passed (an amount ending …60300). */
  queuedUnpaid?: boolean;
  /** receipts.check and receipts.get requests of this receipt (absent in older ledgers: none). */
  statusRequests?: number;
  /** Made outside PayBridge: in the merchant cabinet or by another till on the same cashbox. */
  outside?: boolean;
  /** Cancelled paid in the merchant cabinet, outside PayBridge. */
  cabinetCancelled?: boolean;
}

type Params = Record<string, JsonValue>;

class RpcFailure extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data: JsonValue = null,
  ) {
    super(message);
  }
}

const ru = (text: string) => ({ ru: text, uz: text, en: text });

/**
 * A stand-in for the Payme Subscribe API: JSON-RPC over a real HTTP server on loopback, checking
 * `X-Auth` like Payme does, with the documented receipt states and its own ledger. PayBridge reaches
 * it with exactly the client it uses for the real Payme.
 */
export class PaymeEmulator {
  private readonly server = new EmulatorServer();
  private readonly receipts = new Map<string, EmulatedReceipt>();
  private readonly file: LedgerFile<EmulatedReceipt>;

  constructor(private readonly options: PaymeEmulatorOptions) {
    this.file = new LedgerFile(options.ledgerFile, (r) => r._id);
    for (const r of this.file.load()) this.receipts.set(r._id, r);
    this.ledgerRoute();
    this.server.app.post('/api', async (req, reply) => {
      const body = req.body === UNPARSABLE ? undefined : (req.body as Params | undefined);
      const id = body?.id ?? null;
      const answer = (result: JsonValue) => ({ jsonrpc: '2.0', id, result });
      const fail = (e: RpcFailure) => ({ jsonrpc: '2.0', id, error: { code: e.code, message: ru(e.message), data: e.data } });
      if (!body || typeof body !== 'object') return fail(new RpcFailure(-32700, 'Ошибка при парсинге JSON'));
      if (req.headers['x-auth'] !== `${options.cashboxId}:${options.cashboxKey}`) return fail(new RpcFailure(-32504, 'Недостаточно привилегий для выполнения метода'));
      if (typeof body.method !== 'string' || !body.params || typeof body.params !== 'object') return fail(new RpcFailure(-32600, 'Отсутствуют обязательные поля в RPC-запросе'));
      const params = body.params as Params;
      try {
        switch (body.method) {
          case 'receipts.create': {
            const receipt = this.create(params);
            // Created, but the answer comes too late: the client may never learn the receipt's id.
            if (isPaymeCreateLostAnswer(receipt.amount) && !(await this.server.hold(options.lostAnswerDelayMs, req, reply))) return reply;
            return answer({ receipt: this.view(receipt) });
          }
          case 'receipts.pay': {
            const receipt = this.find(params.id);
            const token = typeof params.token === 'string' ? params.token : '';
            const magic = magicOf(token);
            if (magic === MAGIC.serviceDown) return reply.code(502).type('text/html').send('<html><body>502 Bad Gateway</body></html>');
            if (magic === MAGIC.garbage) return reply.code(200).type('application/json').send('{"jsonrpc":"2.0","result":<html>');
            this.pay(receipt, token, magic);
            if (magic === MAGIC.lostAnswer && !(await this.server.hold(options.lostAnswerDelayMs, req, reply))) return reply;
            // The card was debited, but Payme answers with a system error.
            if (magic === PAYME_MAGIC.errorAfterDebit || magic === PAYME_MAGIC.errorAfterDebitCancelRefused) throw new RpcFailure(-32400, 'Системная ошибка');
            return answer({ receipt: this.view(receipt) });
          }
          case 'receipts.check':
            return answer({ state: this.stateOf(this.asked(this.find(params.id))) });
          case 'receipts.get':
            return answer({ receipt: this.view(this.asked(this.find(params.id))) });
          case 'receipts.get_all': {
            const listed = this.getAll(params);
            // An amount ending …60200: the list is down while such a receipt in the window is young.
            if (this.listDown(params)) throw new RpcFailure(-32400, 'Системная ошибка');
            return answer(listed.map((r) => this.view(r)));
          }
          case 'receipts.cancel': {
            const receipt = this.find(params.id);
            receipt.cancelRequests += 1;
            // A give-back (the receipt is paid) meets its magic's trouble; an unpaid receipt's cancel never does.
            const paid = this.stateOf(receipt) === 4;
            if (paid) receipt.paidCancelRequests += 1;
            this.file.put(receipt);
            const trouble = paid ? receipt.cancelTrouble : null;
            if (trouble === 'not_applied_once' && receipt.paidCancelRequests === 1) throw new RpcFailure(-32400, 'Системная ошибка');
            this.cancel(receipt);
            if (trouble === 'applied_then_error') throw new RpcFailure(-32400, 'Системная ошибка');
            if (trouble === 'applied_then_dropped') {
              // Cancelled, and then the connection goes: no answer at all.
              reply.hijack();
              req.raw.socket.destroy();
              return reply;
            }
            return answer({ receipt: this.view(receipt) });
          }
          case 'receipts.set_fiscal_data': {
            const receipt = this.find(params.id);
            const fiscal = params.fiscal_data as Params | undefined;
            if (!fiscal || typeof fiscal.qr_code_url !== 'string' || fiscal.receipt_id === undefined) {
              throw new RpcFailure(-32602, 'Неверные параметры: fiscal_data.receipt_id, fiscal_data.qr_code_url');
            }
            receipt.fiscalRequests = (receipt.fiscalRequests ?? 0) + 1;
            this.file.put(receipt);
            // A cancelled receipt has nothing to fiscalise: refused as receipts.pay refuses it (Payme does not document this case).
            if (this.stateOf(receipt) === 21 || this.stateOf(receipt) === 50) throw new RpcFailure(-31403, 'Чек отменен');
            if (this.stateOf(receipt) !== 4) throw new RpcFailure(-31402, 'Чек не оплачен');
            const trouble = fiscalTroubleOf(receipt.token);
            // A repeat refused as "already": an error Payme does not document, for what it may answer a receipt it holds.
            if (trouble === 'answer_lost_then_refused' && receipt.fiscalRequests > 1) throw new RpcFailure(-31099, 'Фискальные данные уже переданы');
            receipt.fiscalData = fiscal;
            this.file.put(receipt);
            if (trouble !== null && receipt.fiscalRequests === 1) throw new RpcFailure(-32400, 'Системная ошибка');
            return answer({ receipt: { _id: receipt._id, create_time: receipt.createTime, pay_time: receipt.payTime } });
          }
          default:
            throw new RpcFailure(-32601, `Метод ${body.method} не найден`);
        }
      } catch (err) {
        if (err instanceof RpcFailure) return fail(err);
        throw err;
      }
    });
  }

  /** Not part of Payme: lets a developer (and the fault suite) see the emulator's ledger, and change it as the merchant cabinet would. */
  private ledgerRoute(): void {
    const app = this.server.app;
    app.get('/_sandbox/receipts', async () =>
      this.ledger().map((r) => ({
        _id: r._id,
        amount: r.amount,
        state: r.state,
        account: r.account,
        paid: r.paid,
        create_time: r.createTime,
        pay_time: r.payTime,
        cancel_time: r.cancelTime,
        // A paid receipt that is cancelled (21, then 50) gave the customer's money back.
        given_back: r.paid && r.cancelTime ? r.amount : 0,
        refunded_tiyin: r.paid && r.cancelTime ? r.amount : 0,
        cancel_requests: r.cancelRequests,
        give_back_requests: r.paidCancelRequests,
        status_requests: r.statusRequests ?? 0,
        outside: r.outside ?? false,
        cabinet_cancelled: r.cabinetCancelled ?? false,
      })),
    );
    app.post('/_sandbox/payme/cabinet-refund', (req, reply) =>
      sandboxRoute(reply, () => {
        const r = readCabinetRefund(req.body, 'receipt_id');
        return this.cabinetCancel({ transactionId: r.transactionId, receiptId: r.providerId, amount: r.amount });
      }),
    );
    app.post('/_sandbox/payme/outside-receipt', (req, reply) =>
      sandboxRoute(reply, () => {
        const body = req.body;
        if (body === UNPARSABLE || body === null || typeof body !== 'object' || Array.isArray(body)) {
          throw new SandboxRefusal(400, 'the body must be a JSON object: {"amount": <tiyin>, "paid": true|false, "account": {…}}');
        }
        const b = body as Record<string, JsonValue>;
        const amount = sandboxTiyin(b.amount);
        if (amount === undefined) throw new SandboxRefusal(400, 'amount (tiyin) is required');
        if (b.paid !== undefined && typeof b.paid !== 'boolean') throw new SandboxRefusal(400, 'paid must be true or false');
        if (b.account !== undefined && (b.account === null || typeof b.account !== 'object' || Array.isArray(b.account))) throw new SandboxRefusal(400, 'account must be a JSON object');
        return this.view(this.outsideReceipt(amount, b.paid !== false, b.account as Params | undefined));
      }),
    );
  }

  /** The account field that carries PayBridge's transaction id: the cashbox's, else PayBridge's default. */
  private get transactionField(): string {
    return this.options.accountField ?? 'order_id';
  }

  /** The receipt's value of account field `field`, whether the account is kept as an object or as Payme's array of {name, value}. */
  private static accountValue(account: JsonValue, field: string): string | undefined {
    if (Array.isArray(account)) {
      const entry = account.find((e) => e !== null && typeof e === 'object' && !Array.isArray(e) && e.name === field) as Params | undefined;
      return entry?.value === undefined || entry.value === null ? undefined : String(entry.value);
    }
    if (account !== null && typeof account === 'object') {
      const value = account[field];
      return value === undefined || value === null ? undefined : String(value);
    }
    return undefined;
  }

  /**
   * A paid receipt cancelled in Payme's merchant cabinet, outside PayBridge. Payme gives back whole
   * receipts only (receipts.cancel has no amount), so `amount`, when given, must be the receipt's.
   * The receipt ends as one cancelled through receipts.cancel: queued (21) for `cancel_queue_ms`, then
   * 50, `cancel_time` set and `pay_time` kept. The API magic of its QR code (a "325" receipt whose
   * receipts.cancel is refused, the give-back trouble codes) is the API's, not the cabinet's: it does not apply.
   */
  cabinetCancel(request: { transactionId?: string | undefined; receiptId?: string | undefined; amount?: number | undefined }) {
    let receipt: EmulatedReceipt | undefined;
    if (request.receiptId !== undefined) {
      receipt = this.receipts.get(request.receiptId);
      if (!receipt) throw new SandboxRefusal(404, `Payme has no receipt ${request.receiptId}`);
    } else {
      const field = this.transactionField;
      const named = [...this.receipts.values()].filter((r) => PaymeEmulator.accountValue(r.account, field) === request.transactionId);
      if (named.length === 0) throw new SandboxRefusal(404, `Payme has no receipt whose account.${field} is ${request.transactionId}`);
      const paid = named.filter((r) => this.stateOf(r) === 4);
      if (paid.length > 1) throw new SandboxRefusal(409, `transaction ${request.transactionId} has ${paid.length} paid receipts (${paid.map((r) => r._id).join(', ')}): name one by receipt_id`);
      receipt = paid[0] ?? named[named.length - 1]!;
    }
    const state = this.stateOf(receipt);
    if (state !== 4) {
      const why = state === 0 ? 'it is not paid (state 0)' : state === 21 || state === 50 ? `it is already cancelled (state ${state})` : `it is being paid (state ${state})`;
      throw new SandboxRefusal(409, `receipt ${receipt._id} cannot be refunded: ${why}`);
    }
    if (request.amount !== undefined && request.amount !== receipt.amount) {
      throw new SandboxRefusal(400, `Payme cancels whole receipts: receipt ${receipt._id} is ${receipt.amount} tiyin, a refund of ${request.amount} is not possible`);
    }
    receipt.cancelTime = Date.now();
    receipt.cabinetCancelled = true;
    this.file.put(receipt);
    const after = this.stateOf(receipt);
    return {
      receipt_id: receipt._id,
      transaction_id: PaymeEmulator.accountValue(receipt.account, this.transactionField) ?? null,
      amount: receipt.amount,
      refunded_tiyin: receipt.amount,
      remaining_tiyin: 0,
      status: after,
      state: after,
      pay_time: receipt.payTime,
      cancel_time: receipt.cancelTime,
    };
  }

  /**
   * A receipt of this cashbox made outside PayBridge (the merchant cabinet, another till): created
   * now, and paid now unless `paid` is false. Its account defaults to the cashbox's field with a
   * `cabinet-…` value no PayBridge transaction has.
   */
  outsideReceipt(amount: number, paid: boolean, account?: Params): EmulatedReceipt {
    const now = Date.now();
    const digest = randomBytes(6);
    const receipt: EmulatedReceipt = {
      _id: randomBytes(12).toString('hex'),
      amount,
      account: account ?? { [this.transactionField]: `cabinet-${randomBytes(6).toString('hex')}` },
      detail: null,
      createTime: now,
      payTime: paid ? now : 0,
      cancelTime: 0,
      paidUntil: paid ? now : 0,
      paid,
      token: null,
      phone: paid ? `99893${String(digest.readUInt32BE(0) % 10_000_000).padStart(7, '0')}` : null,
      cardNumber: paid ? `860014******${String(digest.readUInt16BE(4) % 10_000).padStart(4, '0')}` : null,
      fiscalData: null,
      cancelRefused: false,
      cancelTrouble: null,
      cancelRequests: 0,
      paidCancelRequests: 0,
      outside: true,
    };
    this.receipts.set(receipt._id, receipt);
    this.file.put(receipt);
    return receipt;
  }

  /** Counts a status question (receipts.check, receipts.get) of `receipt`. */
  private asked(receipt: EmulatedReceipt): EmulatedReceipt {
    receipt.statusRequests = (receipt.statusRequests ?? 0) + 1;
    this.file.put(receipt);
    return receipt;
  }

  /** Sets Payme's clock `ms` ahead of the real one (behind when negative), as its `Date` header shows it. */
  shiftClock(ms: number): void {
    this.server.clockOffsetMs = ms;
  }

  /** The JSON-RPC URL to put in PayBridge's `payme.url`. */
  get url(): string {
    return `${this.server.origin}/api`;
  }

  async start(): Promise<this> {
    await this.server.listen(this.options.host ?? '127.0.0.1', this.options.port ?? 0);
    return this;
  }

  close(): Promise<void> {
    return this.server.close();
  }

  ledger(): (EmulatedReceipt & { state: number })[] {
    return [...this.receipts.values()].map((r) => ({ ...r, state: this.stateOf(r) }));
  }

  /** Receipts that hold the customer's money: paid and not cancelled. */
  charges(): (EmulatedReceipt & { state: number })[] {
    return this.ledger().filter((r) => r.state === 4);
  }

  stateOf(r: EmulatedReceipt, now = Date.now()): number {
    if (r.cancelTime) return (r.paid || r.queuedUnpaid) && now - r.cancelTime < this.options.cancelQueueMs ? 21 : 50;
    if (!r.paid) return 0;
    return now < r.paidUntil ? 2 : 4;
  }

  private find(id: JsonValue | undefined): EmulatedReceipt {
    const receipt = typeof id === 'string' ? this.receipts.get(id) : undefined;
    if (!receipt) throw new RpcFailure(-31602, 'Чек не найден');
    return receipt;
  }

  private create(params: Params): EmulatedReceipt {
    const amount = typeof params.amount === 'string' && /^\d+$/.test(params.amount) ? Number(params.amount) : NaN;
    if (!Number.isSafeInteger(amount) || amount < 100) throw new RpcFailure(-31611, 'Неверная сумма');
    if (!params.account || typeof params.account !== 'object') throw new RpcFailure(-32602, 'Неверные параметры: account');
    // Payme's answer to an account the cashbox does not know is not documented for the Subscribe API:
    // the emulator answers it as invalid params, naming the field.
    const field = this.options.accountField;
    if (field !== undefined && (Array.isArray(params.account) || typeof (params.account as Params)[field] !== 'string' || Object.keys(params.account).length !== 1)) {
      throw new RpcFailure(-32602, `Неверные параметры: account.${field}`);
    }
    const receipt: EmulatedReceipt = {
      _id: randomBytes(12).toString('hex'),
      amount,
      account: params.account,
      detail: params.detail ?? null,
      createTime: Date.now(),
      payTime: 0,
      cancelTime: 0,
      paidUntil: 0,
      paid: false,
      token: null,
      phone: null,
      cardNumber: null,
      fiscalData: null,
      cancelRefused: false,
      cancelTrouble: null,
      cancelRequests: 0,
      paidCancelRequests: 0,
    };
    this.receipts.set(receipt._id, receipt);
    this.file.put(receipt);
    return receipt;
  }

  /**
   * `receipts.get_all` {count (1..50), from, to (epoch ms, inclusive bounds of create_time), offset?}:
   * the receipts created in the window, newest first, `offset` of them skipped.
   */
  private getAll(params: Params): EmulatedReceipt[] {
    const integer = (value: JsonValue | undefined): number => {
      const n = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : NaN;
      return Number.isSafeInteger(n) ? n : NaN;
    };
    const count = integer(params.count);
    const from = integer(params.from);
    const to = integer(params.to);
    const offset = params.offset === undefined || params.offset === null ? 0 : integer(params.offset);
    const bad = [
      !(count >= 1 && count <= 50) && 'count',
      !(from >= 0) && 'from',
      !(to >= 0) && 'to',
      !(offset >= 0) && 'offset',
    ].filter(Boolean);
    if (bad.length) throw new RpcFailure(-32602, `Неверные параметры: ${bad.join(', ')}`);
    // Reversed first, so that of receipts created in the same millisecond the later one comes first.
    return [...this.receipts.values()]
      .reverse()
      .filter((r) => r.createTime >= from && r.createTime <= to)
      .sort((a, b) => b.createTime - a.createTime)
      .slice(offset, offset + count);
  }

  /** Whether receipts.get_all is down for this window: it holds a young receipt of an amount ending …60200. */
  private listDown(params: Params): boolean {
    const from = Number(params.from);
    const to = Number(params.to);
    const now = Date.now();
    return [...this.receipts.values()].some(
      (r) => paymeCreateMagicOf(r.amount) === 'list_down' && r.createTime >= from && r.createTime <= to && now - r.createTime < this.options.lostAnswerDelayMs,
    );
  }

  /**
   * `account` as Payme answers it: an array of {name, title, value} (the receipts.create and
   * receipts.get_all examples), whatever object receipts.create was given; an amount ending …60500
   * answers the object as it came, as some cashboxes do.
   */
  private accountView(r: EmulatedReceipt): JsonValue {
    if (paymeCreateMagicOf(r.amount) === 'account_object' || !r.account || typeof r.account !== 'object' || Array.isArray(r.account)) return r.account;
    return Object.entries(r.account).map(([name, value], i) => ({ name, title: { ru: name, uz: name }, value, main: i === 0 }));
  }

  private pay(receipt: EmulatedReceipt, token: string, magic: string | undefined): void {
    const state = this.stateOf(receipt);
    if (state === 50 || state === 21) throw new RpcFailure(-31403, 'Чек отменен');
    if (state !== 0) throw new RpcFailure(-31402, 'Чек уже оплачен');
    if (!token) throw new RpcFailure(-32500, 'Неверный формат токена');
    if (magic === MAGIC.insufficientFunds) throw new RpcFailure(-31303, 'Недостаточно средств на карте');
    const digest = createHash('sha256').update(token).digest();
    const now = Date.now();
    receipt.paid = true;
    receipt.token = token;
    receipt.payTime = now;
    receipt.paidUntil = magic === MAGIC.processing ? now + this.options.processingMs : now;
    receipt.cancelRefused = magic === PAYME_MAGIC.errorAfterDebitCancelRefused;
    receipt.cancelTrouble = giveBackTroubleOf('payme', magic);
    receipt.phone = `99893${String(digest.readUInt32BE(0) % 10_000_000).padStart(7, '0')}`;
    receipt.cardNumber = `860014******${String(digest.readUInt16BE(4) % 10_000).padStart(4, '0')}`;
    this.file.put(receipt);
  }

  private cancel(receipt: EmulatedReceipt): EmulatedReceipt {
    const state = this.stateOf(receipt);
    if (state === 50 || state === 21) throw new RpcFailure(-31403, 'Чек уже отменен');
    if (state !== 0 && state !== 4) throw new RpcFailure(-31630, 'Чек в обработке, отмена невозможна');
    if (receipt.cancelRefused) throw new RpcFailure(-32400, 'Системная ошибка');
    receipt.cancelTime = Date.now();
    if (state === 0 && paymeCreateMagicOf(receipt.amount) === 'cancel_queued') receipt.queuedUnpaid = true;
    this.file.put(receipt);
    return receipt;
  }

  private view(r: EmulatedReceipt) {
    return {
      _id: r._id,
      create_time: r.createTime,
      pay_time: r.payTime,
      cancel_time: r.cancelTime,
      state: this.stateOf(r),
      type: 2,
      external: false,
      operation: -1,
      error: null,
      description: '',
      detail: r.detail,
      amount: r.amount,
      currency: 860,
      commission: 0,
      account: this.accountView(r),
      card: r.cardNumber ? { number: r.cardNumber, expire: '9903' } : null,
      merchant: { _id: this.options.cashboxId, name: 'PayBridge sandbox shop', epos: { merchantId: '90000001', terminalId: '90000001' } },
      payer: r.phone ? { phone: r.phone } : null,
    };
  }
}
