import type { AsyncLocalStorage } from 'node:async_hooks';
import pino from 'pino';
import type { Config } from '../../src/config/schema.js';
import { failure, type Envelope } from '../../src/http/envelope.js';
import { idempotentHandler } from '../../src/http/idempotent.js';
import { presentTransaction } from '../../src/http/present.js';
import { SqliteJournal } from '../../src/journal/sqlite/sqlite-journal.js';
import { CardPaymentService, type CardTerminal } from '../../src/payments/card-payment-service.js';
import { internalError, journalUnavailable, PayBridgeError } from '../../src/payments/errors.js';
import { FiscalHandoffService } from '../../src/payments/fiscal-handoff.js';
import { IdempotencyService, tillScope } from '../../src/payments/idempotency.js';
import { OperationEngine, type AdapterFor, type Executed, type OperationHooks } from '../../src/payments/operation-engine.js';
import type { OperationAdapter, Verdict } from '../../src/payments/ports/operation-adapter.js';
import type { ClaimHeld } from '../../src/payments/ports/journal.js';
import type { Transaction } from '../../src/payments/transaction.js';
import { OperatorService } from '../../src/payments/operator-service.js';
import { JournalUnavailableError, type Journal } from '../../src/payments/ports/journal.js';
import type { QrProvider } from '../../src/payments/ports/qr-provider.js';
import { QrPaymentService, type QrMethod } from '../../src/payments/qr-payment-service.js';
import { RecoveryService } from '../../src/payments/recovery.js';
import { TerminalQueue } from '../../src/payments/terminal-queue.js';
import { ClickClient } from '../../src/providers/click/client.js';
import { ClickPass } from '../../src/providers/click/click-pass.js';
import { PaymeClient } from '../../src/providers/payme/client.js';
import { PaymeGo } from '../../src/providers/payme/payme-go.js';
import { UzumClient } from '../../src/providers/uzum/client.js';
import { UzumFastPay } from '../../src/providers/uzum/fast-pay.js';
import { longestSettleMs } from '../../src/config/leases.js';
import { attempts, JournalProxy, type JournalFaults, type JournalObserver } from './journal-proxy.js';
import { SimTransport, type NetControl, type SimProvider } from './net.js';
import { SimTerminalDriver, type SimPinpad } from './pinpad.js';
import type { Rng } from './random.js';
import { Generation, SimClock, type World } from './world.js';

/**
 * One simulated PayBridge process, wired as src/app.ts wires production — the same journal, engine,
 * services, recovery, fiscal hand-off, idempotency and operator service, the providers' real
 * adapters and clients, and the HTTP layer's own Idempotency-Key handler — with the simulator's
 * clock, transports, pinpad drivers and journal in place of the computer's. A machine outlives its
 * processes: its clock's skew stays across a crash, its journal file is the shared one.
 */

const SILENT = pino({ level: 'silent' });

export class Machine {
  skew = 0;
  /** When its clock was set back, and by how much (ms): deadlines run on the wall clock, and stretch by that much. */
  readonly setBack: { at: number; ms: number }[] = [];
  gen: Generation | null = null;
  app: SimApp | null = null;
  private generations = 0;

  constructor(readonly name: string) {}

  /** When its process was frozen (true time). */
  readonly frozen: { from: number; until: number }[] = [];

  /** How far its clock was set back since `since` (true time), and how long its process was frozen since then (to `now`): a deadline's stretch. */
  setBackSince(since: number, now = Infinity): number {
    const setBack = this.setBack.filter((j) => j.at >= since).reduce((sum, j) => sum + j.ms, 0);
    const frozen = this.frozen.reduce((sum, f) => sum + Math.max(0, Math.min(f.until, now) - Math.max(f.from, since)), 0);
    return setBack + frozen;
  }

  get alive(): boolean {
    return !!this.gen?.alive;
  }

  nextGeneration(): Generation {
    this.gen = new Generation(this.name, ++this.generations);
    return this.gen;
  }
}

export interface SimEnv {
  world: World;
  rng: Rng;
  config: Config;
  journalPath: string;
  /** How many PayBridge processes share the journal: one lets dead claims go at start (SQLite's rule). */
  instances: number;
  net: NetControl;
  providers: Record<'click' | 'payme' | 'uzum', SimProvider>;
  pinpads: SimPinpad[];
  journalFaults: JournalFaults;
  observer: JournalObserver;
  faults(): boolean;
  /** The journal's clock: the one true clock (PostgreSQL's, or the one process holding the SQLite file). */
  journalClock(machine: Machine): () => number;
  /** Told of each request that may move money, before it leaves (invariant 6). */
  sending(instance: string, op: string | undefined, what: string): void;
  /** Told of every verdict an adapter reached, before the engine writes it (what PayBridge learnt). */
  verdict(gen: Generation, op: string, verdict: Verdict): void;
}

/**
 * The production engine, with each adapter's verdict seen as it is reached: what this process learnt
 * about an operation, whatever the journal then makes of it.
 */
class ObservedEngine extends OperationEngine {
  constructor(
    journal: Journal,
    hooks: OperationHooks,
    private readonly seen: (op: string, verdict: Verdict) => void,
  ) {
    super(journal, hooks);
  }

  private watched(adapter: OperationAdapter): OperationAdapter {
    return {
      execute: async (op, ctx) => {
        const v = await adapter.execute(op, ctx);
        this.seen(op.id, v);
        return v;
      },
      settle: async (op, ctx) => {
        const v = await adapter.settle(op, ctx);
        this.seen(op.id, v);
        return v;
      },
    };
  }

  override execute(tx: Transaction, adapter: OperationAdapter, options?: { link?: boolean }): Promise<Executed> {
    return super.execute(tx, this.watched(adapter), options);
  }

  override recover(claimed: Transaction & { claim: ClaimHeld }, adapterFor: AdapterFor, leaseMs: number): Promise<Transaction> {
    return super.recover(claimed, async (fresh) => this.watched(await adapterFor(fresh)), leaseMs);
  }
}

/** A request as src/http/idempotent.ts reads it. */
interface FakeRequest {
  method: string;
  url: string;
  routeOptions: { url: string };
  params: Record<string, string>;
  body: unknown;
  headers: Record<string, string>;
  language: 'en';
  id: string;
}

export class SimApp {
  readonly journal: Journal;
  readonly sqlite: SqliteJournal;
  readonly engine: OperationEngine;
  readonly payments: QrPaymentService;
  readonly cards: CardPaymentService;
  readonly recovery: RecoveryService;
  readonly fiscal: FiscalHandoffService;
  readonly idempotency: IdempotencyService;
  readonly operator: OperatorService;
  readonly clock: SimClock;
  private readonly serve: ReturnType<typeof idempotentHandler>;
  private requests = 0;
  /** Set once started, as src/service.ts listens only after createPayBridge returns: requests before are refused. */
  listening = false;

  constructor(
    private readonly env: SimEnv,
    readonly machine: Machine,
    readonly gen: Generation,
  ) {
    const { world, config } = env;
    const rng = env.rng.fork(`${gen}`);
    this.clock = new SimClock(world, gen, () => machine.skew);
    const clock = this.clock;
    const origin = { instance: machine.name, shop: config.instance.shop, till: config.instance.till, inFlightLeaseMs: config.recovery.grace_ms };
    this.sqlite = new SqliteJournal({ path: env.journalPath, origin, clock: env.journalClock(machine), durability: 'memory' });
    this.journal = new JournalProxy(world, rng.fork('journal'), gen, this.sqlite, env.journalFaults, env.observer).journal();
    const journal = this.journal;
    const op = () => attempts.getStore()?.ops.at(-1);
    const transport = (name: 'click' | 'payme' | 'uzum', timeouts: { connect_ms: number; response_ms: number }, base: string) =>
      new SimTransport(
        world,
        rng.fork(`net-${name}`),
        env.net,
        env.providers[name],
        { instance: machine.name, gen, skew: () => machine.skew, op, sending: env.sending },
        { connectMs: timeouts.connect_ms, responseMs: timeouts.response_ms },
        base,
        config[name]!.not_found_after_ms / 4,
      );
    const click = config.click!;
    const payme = config.payme!;
    const uzum = config.uzum!;
    const providers = new Map<string, QrProvider>([
      [
        'click',
        new ClickPass(
          new ClickClient({ baseUrl: click.base_url, serviceId: click.service_id, merchantUserId: click.merchant_user_id, secretKey: click.secret_key }, { connectMs: click.timeouts.connect_ms, responseMs: click.timeouts.response_ms }, undefined, {
            transport: transport('click', click.timeouts, click.base_url),
            now: () => clock.now(),
          }),
          { clock, pollIntervalMs: click.poll_interval_ms, statusDeadlineMs: click.status_deadline_ms, notFoundAfterMs: click.not_found_after_ms, partialReversal: click.partial_reversal },
        ),
      ],
      [
        'payme',
        new PaymeGo(
          new PaymeClient({ url: payme.url!, cashboxId: payme.cashbox_id, cashboxKey: payme.cashbox_key }, { connectMs: payme.timeouts.connect_ms, responseMs: payme.timeouts.response_ms }, undefined, {
            transport: transport('payme', payme.timeouts, payme.url!),
          }),
          { clock, pollIntervalMs: payme.poll_interval_ms, statusDeadlineMs: payme.status_deadline_ms, notFoundAfterMs: payme.not_found_after_ms, accountField: payme.account_field },
        ),
      ],
      [
        'uzum',
        new UzumFastPay(
          new UzumClient(
            { baseUrl: uzum.base_url, serviceId: uzum.service_id, merchantServiceUserId: uzum.merchant_service_user_id, secretKey: uzum.secret_key, cashboxCode: uzum.cashbox_code },
            { connectMs: uzum.timeouts.connect_ms, responseMs: uzum.timeouts.response_ms },
            undefined,
            () => clock.now(),
            transport('uzum', uzum.timeouts, uzum.base_url),
          ),
          { clock, pollIntervalMs: uzum.poll_interval_ms, statusDeadlineMs: uzum.status_deadline_ms, notFoundAfterMs: uzum.not_found_after_ms },
        ),
      ],
    ]);
    const terminals: CardTerminal[] = env.pinpads.map((pinpad, i) => {
      const device = config.terminals.devices[i]!;
      return {
        id: pinpad.id,
        method: pinpad.method,
        isDefault: true,
        driver: new SimTerminalDriver(pinpad, world, rng.fork(`pinpad-${pinpad.id}`), gen, device.bridge!.answer_timeout_ms, env.faults, env.sending),
        queue: new TerminalQueue(config.terminals.queue_wait_ms, clock),
      };
    });
    this.idempotency = new IdempotencyService(journal, SILENT, {
      ttlMs: config.idempotency.key_ttl_ms,
      waitMs: config.idempotency.wait_ms,
      owner: `${gen}`,
      till: tillScope(config.instance),
      settleOnce: (id) => this.recovery.settleOne(id),
      clock,
    });
    const idempotency = this.idempotency;
    this.engine = new ObservedEngine(journal, { onTransaction: (id) => idempotency.linkTransaction(id), leaseMs: config.recovery.grace_ms, instance: machine.name, log: SILENT, clock }, (op, v) =>
      env.verdict(gen, op, v),
    );
    this.payments = new QrPaymentService(journal, providers, SILENT, config.shop, { qrRetryWindowMs: config.idempotency.qr_retry_window_ms, retryWaitMs: config.idempotency.wait_ms, clock }, this.engine);
    this.fiscal = new FiscalHandoffService(journal, this.payments, SILENT, {
      allowForeignPaymentIds: false,
      retryInitialMs: config.fiscal.retry_initial_ms,
      retryMaxMs: config.fiscal.retry_max_ms,
      sweepIntervalMs: config.fiscal.sweep_interval_ms,
      attemptLeaseMs: 60_000,
      instance: machine.name,
      clock,
    });
    this.cards = new CardPaymentService(journal, terminals, SILENT, { allowForeignRrns: false, instance: machine.name, closeLeaseMs: config.recovery.grace_ms, clock }, this.engine);
    this.recovery = new RecoveryService(
      journal,
      this.payments,
      this.cards,
      SILENT,
      { intervalMs: config.recovery.interval_ms, graceMs: config.recovery.grace_ms, owner: machine.name, claimMs: config.recovery.claim_ms, settleMs: longestSettleMs(config), clock },
      this.engine,
    );
    this.operator = new OperatorService(journal, this.payments, this.cards, this.recovery, SILENT, config.shop.timezone);
    this.serve = idempotentHandler(this.idempotency);
  }

  /** What src/app.ts does once it is wired: dead claims let go (one process on the file), recovery and the fiscal sweep started. */
  async start(): Promise<void> {
    if (this.env.instances === 1) await this.journal.releaseDeadClaims().catch(() => 0);
    this.fiscal.start();
    this.recovery.start();
    this.listening = true;
  }

  /**
   * The process is gone: its file handle closed (nothing of its own is pending there between
   * events), and its request context let go — in one Node process every AsyncLocalStorage ever made
   * stays on every promise until disabled, and a run makes one per simulated process.
   */
  kill(): void {
    this.sqlite.close().catch(() => undefined);
    (this.idempotency as unknown as { context: AsyncLocalStorage<unknown> }).context.disable();
  }

  private request(url: string, pattern: string, body: unknown, key: string | undefined, params: Record<string, string> = {}): FakeRequest {
    return { method: 'POST', url, routeOptions: { url: pattern }, params, body, headers: key === undefined ? {} : { 'idempotency-key': key }, language: 'en', id: `${this.gen}-req-${++this.requests}` };
  }

  /** What src/http/server.ts's error handler makes of what a route throws. */
  private async answer(run: () => Promise<Envelope>, request: FakeRequest): Promise<Envelope> {
    try {
      return await run();
    } catch (err) {
      if (err instanceof PayBridgeError) return failure(err, request.language);
      if (err instanceof JournalUnavailableError) return failure(err.nothingSent ? journalUnavailable(request.id) : internalError(request.id), request.language);
      return failure(internalError(request.id), request.language);
    }
  }

  private served<T>(request: FakeRequest, work: () => Promise<T>, fromTransaction: (id: string, orUnsettled?: boolean) => Promise<T | undefined>): Promise<Envelope> {
    return this.answer(() => this.serve(request as never, work, fromTransaction), request);
  }

  // ---- the routes a till and an operator call (src/http/routes/*.ts), body for body

  payQr(method: QrMethod, body: { amount: number; qr_code: string }, key?: string): Promise<Envelope> {
    const r = this.request(`/payment/${method}`, `/payment/${method}`, body, key);
    return this.served(r, () => this.payments.pay(method, { amount: body.amount, qrCode: body.qr_code }), (id, orUnsettled) => this.payments.replay(id, body.qr_code, orUnsettled));
  }

  cancelQr(method: QrMethod, body: { transaction_id?: string; payment_id?: string; amount?: number }, key?: string): Promise<Envelope> {
    const r = this.request(`/payment/${method}_cancel`, `/payment/${method}_cancel`, body, key);
    return this.served(r, () => this.payments.cancel(method, { transactionId: body.transaction_id?.toLowerCase(), paymentId: body.payment_id, amount: body.amount }), (id, orUnsettled) => this.payments.giveBackAnswer(id, orUnsettled));
  }

  card(method: 'humo' | 'uzcard', body: { amount: number; request_id?: string; is_return?: boolean }, key?: string): Promise<Envelope> {
    const path = method === 'humo' ? 'xumo' : 'uzcard';
    const r = this.request(`/payment/${path}`, `/payment/${path}`, body, key);
    const work = () =>
      !body.is_return
        ? this.cards.pay(method, body.amount)
        : method === 'humo'
          ? this.cards.cancel(method, body.request_id!, body.amount)
          : this.cards.refund(method, body.request_id!, body.amount);
    return this.served(r, work, (id, orUnsettled) => this.cards.replay(id, orUnsettled));
  }

  fiscalQr(method: QrMethod, body: { payment_id: string; qr_code: string; receipt_id?: number }, key?: string): Promise<Envelope> {
    const r = this.request(`/payment/${method}_confirm`, `/payment/${method}_confirm`, body, key);
    return this.served(
      r,
      async () => {
        const { delivered, handoff } = await this.fiscal.submit(method, { paymentId: body.payment_id, qrCodeUrl: body.qr_code, receiptId: body.receipt_id });
        return delivered ? { payment_id: body.payment_id, qr_code: body.qr_code, status: 'successfully', error: null } : { status: 'queued', payment_id: handoff.paymentId };
      },
      async () => undefined,
    );
  }

  refund(transactionId: string, body: { amount?: number; operator?: string }, key?: string): Promise<Envelope> {
    const r = this.request(`/payment/transactions/${transactionId}/refund`, '/payment/transactions/:transaction_id/refund', body, key, { transaction_id: transactionId });
    return this.served(r, () => this.operator.giveBack(transactionId.toLowerCase(), body.amount, body.operator), (id, orUnsettled) => this.operator.replayGiveBack(id, orUnsettled));
  }

  resolve(transactionId: string, body: { status: 'succeeded' | 'failed'; operator: string; reason: string }, key?: string): Promise<Envelope> {
    const r = this.request(`/payment/transactions/${transactionId}/resolve`, '/payment/transactions/:transaction_id/resolve', body, key, { transaction_id: transactionId });
    return this.served(
      r,
      async () => presentTransaction(await this.recovery.resolveByOperator(transactionId.toLowerCase(), body.status, body.operator, body.reason)),
      async (id) => {
        const tx = await this.journal.get(id);
        return tx && tx.status !== 'unknown' ? presentTransaction(tx) : undefined;
      },
    );
  }

  settleNow(key?: string): Promise<Envelope> {
    const r = this.request('/payment/recovery/run', '/payment/recovery/run', undefined, key);
    return this.served(r, () => this.operator.settleNow(), async () => undefined);
  }
}
