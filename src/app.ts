import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Value } from './lib/typebox.js';
import { IdempotencyService, tillScope } from './payments/idempotency.js';
import { RecoveryService } from './payments/recovery.js';
import { WalletReconciliation } from './payments/wallet-reconciliation.js';
import { DailyWalletReconciliation } from './payments/daily-reconciliation.js';
import { shopDate, shopDaysEndingWith } from './lib/shop-time.js';
import type { QrPaymentMethod } from './payments/transaction.js';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { ClickConfigSchema, PAYME_URLS, PaymeConfigSchema, UzumConfigSchema, type ClickConfig, type Config, type PaymeConfig, type UzumConfig } from './config/schema.js';
import { buildServer } from './http/server.js';
import type { Journal } from './payments/ports/journal.js';
import { SqliteJournal } from './journal/sqlite/sqlite-journal.js';
import { FiscalHandoffService } from './payments/fiscal-handoff.js';
import { QrPaymentService } from './payments/qr-payment-service.js';
import type { QrProvider } from './payments/ports/qr-provider.js';
import { SANDBOX_CLICK, SANDBOX_PAYME, SANDBOX_UZUM } from './sandbox/credentials.js';
import type { Emulators } from './sandbox/start.js';
import { CardPaymentService, type CardTerminal } from './payments/card-payment-service.js';
import { TerminalQueue } from './payments/terminal-queue.js';
import { VERSION } from './version.js';
import { Metrics } from './metrics/metrics.js';
import { watchLink } from './terminals/link-state.js';
import { OperatorService } from './payments/operator-service.js';
import { OperationEngine } from './payments/operation-engine.js';
import { longestSettleMs } from './config/leases.js';
import { ShiftCloseRecovery } from './payments/shift-close.js';
import { SYSTEM_CLOCK, type Clock } from './lib/clock.js';
import { ConfigError, postgresTillProblems } from './config/load.js';

export interface PayBridge {
  config: Config;
  server: FastifyInstance;
  journal: Journal;
  payments: QrPaymentService;
  fiscal: FiscalHandoffService;
  cards: CardPaymentService;
  recovery: RecoveryService;
  walletReconciliation: WalletReconciliation;
  /** Settles the shift closes a PayBridge left `sent`. */
  shiftCloses: ShiftCloseRecovery;
  /** Set in sandbox mode. */
  emulators: Emulators | undefined;
  close(): Promise<void>;
}

/*
 * Each provider's code (and each terminal driver's) is loaded only when the configuration names it:
 * a till without Click loads nothing of Click (docs/performance.md, 4).
 */

/**
 * `confirmWindowMs`: CLICK's documented 30 s in production; in sandbox mode the emulator's own window
 * (`sandbox.click.confirm_window_ms`), since that is the provider PayBridge talks to there.
 */
async function clickPass(click: ClickConfig, metrics: Metrics, clock: Clock, sandboxConfirmWindowMs?: number): Promise<QrProvider> {
  const [{ ClickClient }, { ClickPass, confirmLapseAfterMs }, { CLICK_CONFIRM_WINDOW_MS }] = await Promise.all([
    import('./providers/click/client.js'),
    import('./providers/click/click-pass.js'),
    import('./providers/click/outcomes.js'),
  ]);
  const confirmWindowMs = sandboxConfirmWindowMs ?? CLICK_CONFIRM_WINDOW_MS;
  const client = new ClickClient(
    {
      baseUrl: click.base_url,
      serviceId: click.service_id,
      merchantUserId: click.merchant_user_id,
      secretKey: click.secret_key,
      cashboxCode: click.cashbox_code,
    },
    { connectMs: click.timeouts.connect_ms, responseMs: click.timeouts.response_ms },
    metrics.providerObserver('click'),
  );
  return new ClickPass(client, {
    pollIntervalMs: click.poll_interval_ms,
    statusDeadlineMs: click.status_deadline_ms,
    notFoundAfterMs: click.not_found_after_ms,
    partialReversal: click.partial_reversal,
    confirmMode: click.confirm_mode,
    confirmLapseAfterMs: confirmLapseAfterMs(click.timeouts.response_ms, confirmWindowMs),
    clock,
  });
}

async function paymeGo(payme: PaymeConfig, metrics: Metrics, clock: Clock): Promise<QrProvider> {
  const [{ PaymeClient }, { PaymeGo }] = await Promise.all([import('./providers/payme/client.js'), import('./providers/payme/payme-go.js')]);
  const client = new PaymeClient(
    { url: payme.url ?? PAYME_URLS[payme.environment], cashboxId: payme.cashbox_id, cashboxKey: payme.cashbox_key },
    { connectMs: payme.timeouts.connect_ms, responseMs: payme.timeouts.response_ms },
    metrics.providerObserver('payme'),
  );
  return new PaymeGo(client, { pollIntervalMs: payme.poll_interval_ms, statusDeadlineMs: payme.status_deadline_ms, notFoundAfterMs: payme.not_found_after_ms, accountField: payme.account_field, clock });
}

async function uzumFastPay(uzum: UzumConfig, metrics: Metrics, clock: Clock): Promise<QrProvider> {
  const [{ UzumClient }, { UzumFastPay }] = await Promise.all([import('./providers/uzum/client.js'), import('./providers/uzum/fast-pay.js')]);
  const client = new UzumClient(
    { baseUrl: uzum.base_url, serviceId: uzum.service_id, merchantServiceUserId: uzum.merchant_service_user_id, secretKey: uzum.secret_key, cashboxCode: uzum.cashbox_code, timestamp: uzum.timestamp },
    { connectMs: uzum.timeouts.connect_ms, responseMs: uzum.timeouts.response_ms },
    metrics.providerObserver('uzum'),
  );
  return new UzumFastPay(client, { pollIntervalMs: uzum.poll_interval_ms, statusDeadlineMs: uzum.status_deadline_ms, notFoundAfterMs: uzum.not_found_after_ms, clock });
}

/** In sandbox mode each provider talks to its emulator; the file may still tune its timeouts. */
export function sandboxProviders(config: Config, emulators: Emulators): { click: ClickConfig; payme: PaymeConfig; uzum: UzumConfig } {
  const click = Value.Default(ClickConfigSchema, {
    ...structuredClone(config.click ?? {}),
    base_url: emulators.click.baseUrl,
    service_id: SANDBOX_CLICK.serviceId,
    merchant_user_id: SANDBOX_CLICK.merchantUserId,
    secret_key: SANDBOX_CLICK.secretKey,
  }) as ClickConfig;
  const payme = Value.Default(PaymeConfigSchema, {
    ...structuredClone(config.payme ?? {}),
    url: emulators.payme.url,
    cashbox_id: SANDBOX_PAYME.cashboxId,
    cashbox_key: SANDBOX_PAYME.cashboxKey,
  }) as PaymeConfig;
  const uzum = Value.Default(UzumConfigSchema, {
    ...structuredClone(config.uzum ?? {}),
    base_url: emulators.uzum.baseUrl,
    service_id: SANDBOX_UZUM.serviceId,
    merchant_service_user_id: SANDBOX_UZUM.merchantServiceUserId,
    secret_key: SANDBOX_UZUM.secretKey,
    cashbox_code: SANDBOX_UZUM.cashboxCode,
  }) as UzumConfig;
  return { click, payme, uzum };
}

/**
 * The journal the configuration names. Every transaction it records carries this process's shop,
 * till and instance, and stays claimed by this instance for the recovery grace period: the request
 * that started it owns it, and recovery (here or in another PayBridge on the same database) leaves
 * it alone until then.
 */
export async function openJournal(config: Config, logger: Logger, instance: string): Promise<Journal> {
  const origin = { instance, shop: config.instance.shop, till: config.instance.till, inFlightLeaseMs: config.recovery.grace_ms };
  if (config.journal.engine === 'postgres') {
    // pg loads only where it is used: a till on SQLite starts without it.
    const { PostgresJournal } = await import('./journal/postgres/postgres-journal.js');
    return PostgresJournal.open({
      url: config.journal.url!,
      origin,
      poolSize: config.journal.pool_size,
      connectTimeoutMs: config.journal.connect_timeout_ms,
      onIdleError: (err) => logger.warn({ err }, 'a PostgreSQL journal connection failed while idle'),
    });
  }
  return new SqliteJournal({ path: config.journal.path!, driver: config.journal.sqlite_driver, origin, lowSpaceBytes: config.journal.low_space_mb * 1024 * 1024 });
}

/**
 * Wires PayBridge together from its configuration: the journal, the providers (or, in sandbox
 * mode, the emulators they talk to over loopback) and the HTTP server. Does not listen.
 */
export async function createPayBridge(config: Config, logger: Logger, options: { clock?: Clock } = {}): Promise<PayBridge> {
  // loadConfig refuses this already; a configuration built without it (an embedding, a test) must
  // not get a chain's journal with keys shared by its tills either.
  const unnamedTill = postgresTillProblems(config);
  if (unnamedTill.length) throw new ConfigError('configuration', unnamedTill);
  // This process's clock: the system's, unless a test gives it one that is skewed. Claims never run on it.
  const clock = options.clock ?? SYSTEM_CLOCK;
  const instance = config.instance.id ?? `${hostname()}:${process.pid}`;
  const store = await openJournal(config, logger, instance);
  const terminals: CardTerminal[] = [];
  const metrics = new Metrics(store, terminals);
  const journal = metrics.countingJournal(store);
  let emulators: Emulators | undefined;
  const providers = new Map<string, QrProvider>();
  try {
    let { click, payme, uzum } = config;
    // The emulators (and what they load) exist only in sandbox mode; production starts without them.
    const sandbox = config.mode === 'sandbox' ? await import('./sandbox/start.js') : undefined;
    if (sandbox) {
      emulators = await sandbox.startEmulators(config, logger);
      ({ click, payme, uzum } = sandboxProviders(config, emulators));
    }
    if (click) providers.set('click', await clickPass(click, metrics, clock, emulators ? config.sandbox.click.confirm_window_ms : undefined));
    if (payme) providers.set('payme', await paymeGo(payme, metrics, clock));
    if (uzum) providers.set('uzum', await uzumFastPay(uzum, metrics, clock));
    const devices = config.terminals.devices.length === 0 && emulators && sandbox ? sandbox.sandboxTerminals(emulators, config.sandbox.terminal_timeout_ms) : config.terminals.devices;
    const { buildTerminalDriver } = devices.length > 0 ? await import('./terminals/build.js') : { buildTerminalDriver: undefined };
    devices.forEach((t, i) => {
      const { driver, link } = watchLink(metrics.timedDriver(t.id, buildTerminalDriver!(t, `terminals.devices.${i}`, logger)));
      terminals.push({ id: t.id, method: t.method, isDefault: t.default, driver, link, queue: new TerminalQueue(config.terminals.queue_wait_ms, clock) });
    });
  } catch (err) {
    await emulators?.close();
    await journal.close();
    throw err;
  }

  const idempotency = new IdempotencyService(journal, logger, {
    ttlMs: config.idempotency.key_ttl_ms,
    waitMs: config.idempotency.wait_ms,
    owner: `${hostname()}:${process.pid}:${randomUUID()}`,
    // Keys are the till's (shop and till), never the process's: see tillScope.
    till: tillScope(config.instance),
    // A retry of an operation nobody is working on asks about it at once (recovery's adapters, its own claim).
    settleOnce: (id): Promise<{ heldByRequest: boolean }> => recovery.settleOne(id),
    clock,
  });
  // One engine runs every outward operation, QR and card alike: one way of claiming, one key link.
  // A request's claim lasts recovery.grace_ms between renewals, as the journal's insert takes it.
  const engine = new OperationEngine(journal, {
    onTransaction: (id: string) => idempotency.linkTransaction(id),
    keyLink: () => idempotency.currentLink(),
    leaseMs: config.recovery.grace_ms,
    instance,
    clock,
    log: logger,
    onProof: (kind, journaled) => metrics.proofKept(kind, journaled),
  });
  metrics.proofsHeld = () => engine.proofsHeld;
  const payments = new QrPaymentService(journal, providers, logger, config.shop, { qrRetryWindowMs: config.idempotency.qr_retry_window_ms, retryWaitMs: config.idempotency.wait_ms, clock }, engine);
  const fiscal = new FiscalHandoffService(journal, payments, logger, {
    allowForeignPaymentIds: config.fiscal.allow_foreign_payment_ids,
    retryInitialMs: config.fiscal.retry_initial_ms,
    retryMaxMs: config.fiscal.retry_max_ms,
    sweepIntervalMs: config.fiscal.sweep_interval_ms,
    // Longer than the longest call a provider client can make (connect, then twice the response time).
    attemptLeaseMs: Math.max(60_000, ...[config.click, config.payme, config.uzum].map((p) => (p ? 2 * (p.timeouts.connect_ms + 2 * p.timeouts.response_ms) : 0))),
    instance,
    clock,
  });
  // A close's claim is taken as a payment's is (recovery.grace_ms, renewed while the terminal works).
  const cards = new CardPaymentService(journal, terminals, logger, { allowForeignRrns: config.terminals.allow_foreign_rrns, instance, closeLeaseMs: config.recovery.grace_ms, clock }, engine);
  const shiftCloses = new ShiftCloseRecovery(journal, cards, logger, { intervalMs: config.recovery.interval_ms, owner: instance, claimMs: config.recovery.claim_ms, clock });
  const recovery = new RecoveryService(journal, payments, cards, logger, {
    intervalMs: config.recovery.interval_ms,
    graceMs: config.recovery.grace_ms,
    owner: instance,
    claimMs: config.recovery.claim_ms,
    settleMs: longestSettleMs(config),
    clock,
  }, engine);
  const scope = `${config.instance.shop ?? ''}/${config.instance.till ?? ''}`;
  const walletReconciliation = new WalletReconciliation(
    journal,
    new Map([...providers].map(([m, p]) => [m as QrPaymentMethod, p])),
    (id) => recovery.settleOne(id),
    logger,
    {
      scope,
      shop: config.instance.shop ?? null,
      till: config.instance.till ?? null,
      timezone: config.shop.timezone,
      owner: instance,
      claimMs: config.reconciliation.claim_ms,
      callsPerSecond: config.reconciliation.calls_per_second,
      attempts: config.reconciliation.attempts,
      retryPauseMs: config.reconciliation.retry_pause_ms,
      clock,
    },
    (report) => metrics.walletReconciliations.inc({ result: report.result }),
  );
  const recentDiscrepancies = async () => {
    const week = shopDaysEndingWith(config.shop.timezone, shopDate(config.shop.timezone, clock.now()), 7);
    return (await walletReconciliation.reportsSince(week[0]!.date)).flatMap((r) => r.discrepancies);
  };
  metrics.walletDiscrepancies = recentDiscrepancies;
  const dailyReconciliation =
    config.reconciliation.daily && providers.size > 0
      ? new DailyWalletReconciliation(
          walletReconciliation,
          async (day) => (await journal.list({ kind: 'payment', from: day.from, to: day.to, limit: 500 })).items.some((t) => providers.has(t.method)),
          logger,
          { timezone: config.shop.timezone, dailyAt: config.reconciliation.daily_at, clock },
        )
      : undefined;
  const server = buildServer({
    logger,
    journal,
    walletReconciliation,
    reconciliationAnswerWithinMs: config.reconciliation.answer_within_ms,
    recentDiscrepancies,
    payments,
    fiscal,
    cards,
    idempotency,
    recovery,
    shopInn: config.shop.inn,
    bodyLimitBytes: config.server.body_limit_bytes,
    requestTimeoutMs: config.server.request_timeout_ms,
    language: config.language,
    apiToken: config.server.api_token,
    corsOrigins: config.server.cors_origins,
    metrics,
    operator: new OperatorService(journal, payments, cards, recovery, logger, config.shop.timezone, shiftCloses, { shop: config.instance.shop, till: config.instance.till }),
    mode: config.mode,
    timezone: config.shop.timezone,
    limits: { maxAmountTiyin: config.limits.max_amount_tiyin, maxQrCodeLength: config.limits.max_qr_code_length },
    health: async () => {
      const j = await journal.health();
      return {
        ok: j.ok,
        // The disk low but the journal still writing: up (200), with this for whoever looks.
        ...(j.warning ? { warnings: [j.warning] } : {}),
        mode: config.mode,
        version: VERSION,
        timezone: config.shop.timezone,
        journal: j,
        methods: [...providers.keys(), ...new Set(terminals.map((t) => t.method))],
        terminals: terminals.map((t) => ({ id: t.id, method: t.method, driver: t.driver.kind, default: t.isDefault, busy: t.queue.isBusy })),
        ...(emulators ? { sandbox: { click: emulators.click.baseUrl, payme: emulators.payme.url, uzum: emulators.uzum.baseUrl, uzcard: `tcp://127.0.0.1:${emulators.uzcardPort}` } } : {}),
      };
    },
  });

  if (emulators) (await import('./sandbox/cabinet-forward.js')).registerCabinetForwards(server, emulators);

  // Where this process alone holds the journal (SQLite, under its lock), every claim found in it is a
  // dead process's: let go now, so a row a crash left claimed is not blocked for a whole lease.
  const released = await journal.releaseDeadClaims().catch((err: unknown) => (logger.warn({ err }, 'could not let go of the claims a previous run left'), 0));
  if (released > 0) logger.info({ released }, 'let go of the claims a previous PayBridge process left in the journal');
  // Hand-offs and payments left unsettled by a previous run are taken up again.
  fiscal.start();
  recovery.start();
  shiftCloses.start();
  dailyReconciliation?.start();
  const purge = setInterval(() => void idempotency.purge().catch((err: unknown) => logger.error({ err }, 'purging idempotency keys failed')), 3_600_000);
  purge.unref();
  let closed = false;
  return {
    config,
    server,
    journal,
    payments,
    fiscal,
    cards,
    recovery,
    walletReconciliation,
    shiftCloses,
    emulators,
    async close() {
      if (closed) return;
      closed = true;
      await server.close();
      clearInterval(purge);
      await dailyReconciliation?.stop();
      await recovery.stop();
      await shiftCloses.stop();
      await fiscal.stop();
      await Promise.allSettled([...providers.values()].map((p) => p.close()));
      await cards.close();
      await emulators?.close();
      await journal.close();
    },
  };
}
