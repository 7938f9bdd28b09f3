/**
 * The fault-injection suite (`npm run test:faults -- --runs 60 --seed 42`): PayBridge as a real child
 * process, the emulators in another, and for each run one payment with one fault injected — PayBridge
 * killed with SIGKILL before, during or after the provider call, an answer that comes too late, a 5xx,
 * garbage, a silent or aborting pinpad, and the real world's ambiguity: a charge answered by a 504,
 * by garbage or by a JSON-RPC error, a status API that lags behind the charge or fails, a cancel that
 * is refused, a receipt whose creation answer is lost, a pinpad dialogue that answers 984 even to its
 * status, a queued payment whose PayBridge dies — then a restart and a retry with the same
 * Idempotency-Key. Checked against the emulators' own ledgers: exactly one charge or none; no answer
 * the till got says "failed" while the ledger shows the charge; the journal agreeing; no Payme receipt
 * left open; nothing left pending or unknown.
 *
 * Give-backs too: a payment taken without trouble is then given back whole (CLICK reversal, Payme
 * cancel, Humo cancel, UzCard refund) with a fault — its answer lost after the provider or pinpad
 * applied it (answered 504/−32400/999, or the connection dropped), answered with an error without
 * being applied, or PayBridge killed around it (before it sends, or right after the emulator saw it) —
 * and the till retries with its key until settled (and, told it failed, gives back again under a new
 * key). Checked: no payment given back more than was paid at the emulator, the journal's
 * refunded_amount equal to what the emulator gave back once recovery is done, no give-back told
 * "failed" while the emulator applied it, and each payment given back in the end.
 *
 * At the end, with PayBridge up, the wallets' records are reconciled with the journal (issue #26): the
 * suite plants differences of its own at the emulators — a cabinet refund of a Payme and of an Uzum
 * payment that ended succeeded (one of the runs' plain ones, else a fresh one), a Payme receipt made
 * outside PayBridge — and reconciles every shop day of the suite. Each fault is settled by PayBridge or,
 * where no answer can tell, by an operator from the emulator's ledger, so the journal must agree with the
 * wallets everywhere else: the reported differences, leaving out `not_confirmed` (the wallet cannot say:
 * CLICK documents no reversed status, an unconfirmed payment reads "processing") and
 * `settled_by_reconciliation` (a late recovery), must be exactly the planted ones. A planted one missing or
 * any other fails the suite; both are printed with the run they came from.
 *
 * Every (method, fault) pair is drawn once per round, in a seeded order, so a run of at least one
 * round covers them all.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RESTART_MS, SLOW_ANSWER_MS, TERMINAL_GIVE_BACK_MAGIC, TERMINAL_MAGIC } from '../../src/sandbox/card-terminal/emulated-terminal.js';
import { CLICK_GIVE_BACK_MAGIC, CLICK_MAGIC, MAGIC, PAYME_CREATE_LOST_ANSWER, PAYME_CREATE_MAGIC, PAYME_GIVE_BACK_MAGIC, PAYME_MAGIC } from '../../src/sandbox/magic.js';
import { SANDBOX_UZUM } from '../../src/sandbox/credentials.js';
import { UZUM_MAGIC } from '../../src/sandbox/uzum/emulator.js';
import { dropTestDatabases, freshDatabase } from '../postgres.js';
import { shopDate } from '../../src/lib/shop-time.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const RUNS = arg('runs', Number(process.env.FAULT_RUNS ?? 60));
// The whole suite is bounded in time, whatever happens.
const SUITE_DEADLINE = Date.now() + arg('max-seconds', 600) * 1000;
const SEED = arg('seed', Number(process.env.FAULT_SEED ?? Date.now() % 1_000_000));
// `--journal postgres`: the same faults with the journal in a fresh database on the test server
// (PAYBRIDGE_TEST_POSTGRES_URL), each killed PayBridge replaced by a new instance that must settle
// what the dead one left.
const ENGINE = process.argv.includes('--journal') ? process.argv[process.argv.indexOf('--journal') + 1] : 'sqlite';
if (ENGINE !== 'sqlite' && ENGINE !== 'postgres') throw new Error(`--journal sqlite|postgres, not ${ENGINE}`);

// A small seeded generator, so that a failing run can be replayed with --seed.
let state = SEED >>> 0;
const random = () => {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// ---- the timings of the emulators and of PayBridge, and what the suite derives from them ----

const T = {
  /** Emulators: a "408" answer held; a "534"/"535" payment's status lagging; a cancelled paid receipt's 21. */
  lostAnswerMs: 2_500,
  clickStatusLagMs: 2_000,
  paymeCancelQueueMs: 500,
  /** PayBridge's providers. A "not found" proves nothing before not_found_after_ms, which must exceed the lag. */
  connectMs: 1_000,
  responseMs: 700,
  pollMs: 100,
  clickStatusDeadlineMs: 6_000,
  paymeStatusDeadlineMs: 4_000,
  notFoundAfterMs: 3_000,
  /** PayBridge's terminals (the emulated pinpads' slow answers take SLOW_ANSWER_MS). */
  terminalTimeoutMs: 1_500,
  queueWaitMs: 8_000,
  /** PayBridge's idempotency and recovery. */
  idempotencyWaitMs: 1_500,
  recoveryIntervalMs: 250,
  recoveryGraceMs: 400,
  /**
   * Longer than the longest settle of one transaction these timeouts allow (src/config/leases.ts, which
   * PayBridge refuses to start without): a Payme recovery without a receipt id, 12 calls of
   * connect + 2 × response and a status deadline with a poll = 32.9 s.
   */
  recoveryClaimMs: 40_000,
  /** The wallet reconciliation at the end: quick, since the emulators mind no rate. */
  reconcileCallsPerSecond: 20,
  reconcileRetryPauseMs: 100,
};
/** The shop's days, which the reconciliation at the end reconciles. */
const SHOP_TIMEZONE = 'Asia/Tashkent';
if (T.notFoundAfterMs <= T.clickStatusLagMs) throw new Error('not_found_after_ms must exceed the emulated status lag');
if (T.clickStatusDeadlineMs <= T.notFoundAfterMs || T.paymeStatusDeadlineMs <= T.notFoundAfterMs) throw new Error('status_deadline_ms must exceed not_found_after_ms');
/** How much slower than its configured timings a loaded machine may run the suite. */
const LOAD_FACTOR = 2;
/** The longest a till's first request may take: a provider asked until its deadline, or a pinpad behind a queue. */
const FIRST_ANSWER_MS =
  Math.max(
    T.connectMs + T.responseMs + Math.max(T.clickStatusDeadlineMs, T.paymeStatusDeadlineMs),
    T.queueWaitMs + SLOW_ANSWER_MS + T.terminalTimeoutMs,
  ) + T.idempotencyWaitMs;
/** The longest recovery may take to settle what was left open: its grace, a dead instance's claim, a pass, and one status deadline. */
const RECOVERY_MS =
  T.recoveryGraceMs +
  T.recoveryClaimMs +
  2 * T.recoveryIntervalMs +
  Math.max(
    T.clickStatusDeadlineMs,
    T.paymeStatusDeadlineMs,
    T.lostAnswerMs + T.responseMs,
    SLOW_ANSWER_MS + T.terminalTimeoutMs,
    // A give-back: one not applied is failed only past not_found_after_ms and a second question; a
    // pinpad that lost a give-back's answer restarts before it can be asked.
    T.notFoundAfterMs + T.pollMs + 2 * (T.connectMs + 2 * T.responseMs),
    RESTART_MS + 2 * T.terminalTimeoutMs,
  );
/** settle(): how long the till retries before the run fails for want of a settled answer. */
const SETTLE_MS = LOAD_FACTOR * (FIRST_ANSWER_MS + RECOVERY_MS);
/** After the settled answers, how long recovery gets before anything still open counts as unresolved. */
const RECOVERY_WAIT_MS = LOAD_FACTOR * RECOVERY_MS;

// ---- the faults ----

type Method = 'click' | 'payme' | 'uzum' | 'humo' | 'uzcard';
const METHODS: readonly Method[] = ['click', 'payme', 'uzum', 'humo', 'uzcard'];
const QR_METHODS: readonly Method[] = ['click', 'payme', 'uzum'];
/**
 * Uzum's faults leave out PayBridge dying before Uzum's answer (kill_before, kill_during): Uzum's
 * payment/status asks only by Uzum's own payment_id, and the one-time code is not journaled to ask
 * again with the same order id, so such a payment waits for an operator (docs/outcomes.md). A lost
 * answer while PayBridge lives (late, http_5xx, garbage, http_504_after_charge) is asked again live.
 * (kill_before lands after the request left as often as before it; one that never left is proven
 * never sent by the journal's sending_to_uzum step, tested in test/uzum.test.ts.)
 */
const UZUM_FAULTS = ['none', 'kill_after', 'late', 'http_5xx', 'garbage', 'declined', 'http_504_after_charge', 'give_back_lost', 'kill_around_give_back', 'duplicate_names_failed'] as const;
const QR_FAULTS = ['none', 'kill_before', 'kill_during', 'kill_after', 'late', 'http_5xx', 'garbage', 'declined'] as const;
const CLICK_FAULTS = ['http_504_after_charge', 'garbage_after_charge', 'lagging_status', 'lookup_error', 'lookup_never_finds', 'system_error_after_charge', 'system_error_naming_payment', 'already_paid_after_charge', 'unknown_code'] as const;
/**
 * Payme's receipts.create answers lost while PayBridge lives (issue #25), each by its amount: the orphan new
 * (create_answer_lost, …60100), the receipt list down while the orphan is young (list_down, …60200: unknown
 * until recovery reads it), the orphan's cancel answered 21 before 50 (cancel_queued, …60300), `account`
 * answered as an object instead of the documented array (account_object, …60500).
 */
const PAYME_FAULTS = ['rpc_error_after_debit', 'cancel_refused', 'kill_during_create', 'create_answer_lost', 'list_down', 'cancel_queued', 'account_object'] as const;
const PAYME_CREATE_TAIL: Partial<Record<string, number>> = {
  kill_during_create: PAYME_CREATE_LOST_ANSWER.remainder,
  create_answer_lost: PAYME_CREATE_LOST_ANSWER.remainder,
  list_down: PAYME_CREATE_MAGIC.listDown,
  cancel_queued: PAYME_CREATE_MAGIC.cancelQueued,
  account_object: PAYME_CREATE_MAGIC.accountObject,
};
/**
 * Faults whose truth no provider answer can tell, so the till is rightly told "unknown" and an operator
 * decides (here: from the emulator's ledger, as an operator from the provider's cabinet). Uzum …419: the
 * repeat answered DUPLICATED naming the rejected repeat (FAILED), whose status proves nothing.
 */
const OPERATOR_FAULTS: ReadonlySet<string> = new Set(['duplicate_names_failed']);
const CARD_FAULTS = ['none', 'kill_before', 'kill_during', 'kill_after', 'silent', 'aborted', 'declined', 'busy', 'busy_status', 'kill_queued'] as const;
/**
 * Give-back faults: the payment is taken without trouble, then given back whole with the fault.
 * give_back_lost: applied, then the answer is lost (CLICK HTTP 504, Payme −32400, a pinpad's 999 and
 * restart); give_back_dropped: applied, then the connection dropped; give_back_not_applied: the first
 * give-back answered 502/−32400 without being applied; kill_around_give_back: PayBridge killed just
 * after the till asked, or as soon as the emulator has seen the give-back.
 */
const QR_GIVE_BACK_FAULTS = ['give_back_lost', 'give_back_dropped', 'give_back_not_applied', 'kill_around_give_back'] as const;
const CARD_GIVE_BACK_FAULTS = ['give_back_lost', 'kill_around_give_back'] as const;
type GiveBackFault = (typeof QR_GIVE_BACK_FAULTS)[number];
type Fault = (typeof QR_FAULTS)[number] | (typeof UZUM_FAULTS)[number] | (typeof CLICK_FAULTS)[number] | (typeof PAYME_FAULTS)[number] | (typeof CARD_FAULTS)[number] | GiveBackFault;
const FAULTS: Record<Method, readonly Fault[]> = {
  click: [...QR_FAULTS, ...CLICK_FAULTS, ...QR_GIVE_BACK_FAULTS],
  payme: [...QR_FAULTS, ...PAYME_FAULTS, ...QR_GIVE_BACK_FAULTS],
  uzum: UZUM_FAULTS,
  humo: [...CARD_FAULTS, ...CARD_GIVE_BACK_FAULTS],
  uzcard: [...CARD_FAULTS, ...CARD_GIVE_BACK_FAULTS],
};
const isGiveBackFault = (fault: Fault): fault is GiveBackFault => (QR_GIVE_BACK_FAULTS as readonly Fault[]).includes(fault);

const MAGIC_QR: Partial<Record<Fault, string>> = {
  kill_during: MAGIC.lostAnswer,
  late: MAGIC.lostAnswer,
  http_5xx: MAGIC.serviceDown,
  garbage: MAGIC.garbage,
  declined: MAGIC.insufficientFunds,
  http_504_after_charge: CLICK_MAGIC.gatewayTimeoutAfterCharge,
  garbage_after_charge: CLICK_MAGIC.garbageAfterCharge,
  lagging_status: CLICK_MAGIC.laggingStatus,
  lookup_error: CLICK_MAGIC.lookupError,
  // Issue #25: codes CLICK documents for no Pass call, and a lookup answering −6 for a payment that exists.
  lookup_never_finds: CLICK_MAGIC.lookupNeverFinds,
  system_error_after_charge: CLICK_MAGIC.systemErrorAfterCharge,
  system_error_naming_payment: CLICK_MAGIC.systemErrorNamingPayment,
  already_paid_after_charge: CLICK_MAGIC.alreadyPaidAfterCharge,
  unknown_code: CLICK_MAGIC.unknownCode,
  rpc_error_after_debit: PAYME_MAGIC.errorAfterDebit,
  cancel_refused: PAYME_MAGIC.errorAfterDebitCancelRefused,
  duplicate_names_failed: UZUM_MAGIC.duplicateNamesFailedRepeat,
};
/** The QR code a payment is charged with marks how its give-backs go (each emulator its own codes). */
const GIVE_BACK_QR: Record<'click' | 'payme' | 'uzum', Partial<Record<Fault, string>>> = {
  uzum: { give_back_lost: UZUM_MAGIC.reversalLost },
  click: {
    give_back_lost: CLICK_GIVE_BACK_MAGIC.reversalAppliedThen504,
    give_back_dropped: CLICK_GIVE_BACK_MAGIC.reversalAppliedThenDropped,
    give_back_not_applied: CLICK_GIVE_BACK_MAGIC.reversalNotAppliedOnce,
  },
  payme: {
    give_back_lost: PAYME_GIVE_BACK_MAGIC.cancelAppliedThenSystemError,
    give_back_dropped: PAYME_GIVE_BACK_MAGIC.cancelAppliedThenDropped,
    give_back_not_applied: PAYME_GIVE_BACK_MAGIC.cancelNotAppliedOnce,
  },
};
const MAGIC_AMOUNT: Partial<Record<Fault, number>> = {
  kill_during: TERMINAL_MAGIC.slow,
  silent: TERMINAL_MAGIC.noAnswer,
  aborted: TERMINAL_MAGIC.aborted,
  declined: TERMINAL_MAGIC.insufficientFunds,
  busy_status: TERMINAL_MAGIC.busyDialogue,
  // Paid normally, then given back whole: a give-back of this amount loses its answer.
  give_back_lost: TERMINAL_GIVE_BACK_MAGIC.answerLost,
};

/** `--only give_back_lost,kill_around_give_back`: only these faults (to replay or stress a few); a method's name (`--only uzum`) takes all of its faults. */
const ONLY = process.argv.includes('--only') ? new Set(process.argv[process.argv.indexOf('--only') + 1]!.split(',')) : undefined;
/** Each round draws every (method, fault) pair once, in a seeded order. */
const PAIRS = METHODS.flatMap((method) => FAULTS[method].filter((fault) => !ONLY || ONLY.has(fault) || ONLY.has(method)).map((fault) => ({ method, fault })));
if (!PAIRS.length) throw new Error(`--only ${[...(ONLY ?? [])].join(',')}: no such fault`);
let deck: typeof PAIRS = [];
function draw(): { method: Method; fault: Fault } {
  if (!deck.length) {
    deck = [...PAIRS];
    for (let i = deck.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [deck[i], deck[j]] = [deck[j]!, deck[i]!];
    }
  }
  return deck.pop()!;
}

/** The run's own amount: never a multiple of 100, so never one of the pinpads' magic amounts, and unique in the suite. */
function amountOf(method: Method, fault: Fault, run: number): number {
  const createTail = PAYME_CREATE_TAIL[fault];
  if (createTail !== undefined) return run * PAYME_CREATE_LOST_ANSWER.modulus + createTail;
  if (method === 'humo' || method === 'uzcard') return MAGIC_AMOUNT[fault] ?? 10_001 + run * 100;
  return 10_001 + run * 100;
}

// ---- the processes ----

const dir = mkdtempSync(join(tmpdir(), 'paybridge-faults-'));
/**
 * The receipt's account field PayBridge is configured with, and the one this suite reads a receipt's
 * transaction from in the Payme emulator's ledger: set here, so the two cannot disagree.
 */
const PAYME_ACCOUNT_FIELD = 'order_id';
const paymeTransactionOf = (account: Record<string, string | undefined> | null) => account?.[PAYME_ACCOUNT_FIELD] ?? null;

const ports = { click: await freePort(), payme: await freePort(), uzum: await freePort(), uzcard: await freePort(), paybridge: await freePort() };
const emuData = join(dir, 'emulators');
writeFileSync(
  join(dir, 'sandbox.yaml'),
  `sandbox:
  click: { lost_answer_delay_ms: ${T.lostAnswerMs}, status_lag_ms: ${T.clickStatusLagMs} }
  payme: { lost_answer_delay_ms: ${T.lostAnswerMs}, cancel_queue_ms: ${T.paymeCancelQueueMs} }
  uzum: { lost_answer_delay_ms: ${T.lostAnswerMs} }
`,
);
const journalUrl = ENGINE === 'postgres' ? await freshDatabase() : undefined;
const config = `mode: production
data_dir: ${JSON.stringify(join(dir, 'paybridge'))}
${journalUrl ? `journal: { engine: postgres, url: ${JSON.stringify(journalUrl)} }\ninstance: { shop: faults, till: "1" }` : ''}
log: { level: warn }
click:
  base_url: http://127.0.0.1:${ports.click}/v2/merchant/
  service_id: 10001
  merchant_user_id: sandbox-user
  secret_key: sandbox-secret-key
  timeouts: { connect_ms: ${T.connectMs}, response_ms: ${T.responseMs} }
  poll_interval_ms: ${T.pollMs}
  status_deadline_ms: ${T.clickStatusDeadlineMs}
  not_found_after_ms: ${T.notFoundAfterMs}
payme:
  url: http://127.0.0.1:${ports.payme}/api
  cashbox_id: sandbox-cashbox
  cashbox_key: sandbox-cashbox-key
  account_field: ${PAYME_ACCOUNT_FIELD}
  timeouts: { connect_ms: ${T.connectMs}, response_ms: ${T.responseMs} }
  poll_interval_ms: ${T.pollMs}
  status_deadline_ms: ${T.paymeStatusDeadlineMs}
  not_found_after_ms: ${T.notFoundAfterMs}
uzum:
  base_url: http://127.0.0.1:${ports.uzum}/api/apelsin-pay/merchant/
  service_id: ${SANDBOX_UZUM.serviceId}
  merchant_service_user_id: "${SANDBOX_UZUM.merchantServiceUserId}"
  secret_key: ${SANDBOX_UZUM.secretKey}
  cashbox_code: ${SANDBOX_UZUM.cashboxCode}
  timeouts: { connect_ms: ${T.connectMs}, response_ms: ${T.responseMs} }
  poll_interval_ms: ${T.pollMs}
  status_deadline_ms: ${T.paymeStatusDeadlineMs}
  not_found_after_ms: ${T.notFoundAfterMs}
terminals:
  queue_wait_ms: ${T.queueWaitMs}
  devices:
    - { id: uzcard-1, method: uzcard, default: true, driver: bridge, bridge: { transport: tcp, host: 127.0.0.1, port: ${ports.uzcard}, answer_timeout_ms: ${T.terminalTimeoutMs} } }
    - id: humo-1
      method: humo
      default: true
      driver: arcus2
      arcus2:
        command: ${JSON.stringify(process.execPath)}
        args: [${JSON.stringify(join(root, 'dist/sandbox/arcus2/command-line-tool.js'))}]
        work_dir: ${JSON.stringify(join(emuData, 'sandbox', 'arcus2'))}
        timeout_ms: ${T.terminalTimeoutMs}
idempotency: { wait_ms: ${T.idempotencyWaitMs} }
recovery: { interval_ms: ${T.recoveryIntervalMs}, grace_ms: ${T.recoveryGraceMs}, claim_ms: ${T.recoveryClaimMs} }
shop: { timezone: ${SHOP_TIMEZONE} }
reconciliation: { daily: false, calls_per_second: ${T.reconcileCallsPerSecond}, attempts: 2, retry_pause_ms: ${T.reconcileRetryPauseMs}, answer_within_ms: 30000 }
`;
writeFileSync(join(dir, 'paybridge.yaml'), config);

function start(script: string, env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [join(root, script)], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', (d: Buffer) => process.stderr.write(`[${script}] ${d}`));
  return child;
}

const emulators = start('dist/sandbox/main.js', {
  PAYBRIDGE_DATA_DIR: emuData,
  PAYBRIDGE_CONFIG: join(dir, 'sandbox.yaml'),
  LOG_LEVEL: 'warn',
  SANDBOX_CLICK_PORT: String(ports.click),
  SANDBOX_PAYME_PORT: String(ports.payme),
  SANDBOX_UZUM_PORT: String(ports.uzum),
  SANDBOX_UZCARD_PORT: String(ports.uzcard),
});

let paybridge: ChildProcess | undefined;
const base = `http://127.0.0.1:${ports.paybridge}`;

async function startPayBridge(): Promise<void> {
  const child = start('dist/main.js', { PAYBRIDGE_CONFIG: join(dir, 'paybridge.yaml'), PORT: String(ports.paybridge) });
  paybridge = child;
  // Generous: a loaded machine starts Node slowly, and a start that fails ends the process at once.
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && alive(child)) {
    try {
      if ((await fetch(`${base}/health`)).status === 200) return;
    } catch {
      /* starting */
    }
    await sleep(25);
  }
  throw new Error(`PayBridge did not start${alive(child) ? ' within 30 s' : ` (exit ${child.exitCode ?? child.signalCode})`}`);
}

const alive = (child: ChildProcess | undefined) => !!child && child.exitCode === null && child.signalCode === null;

async function kill(): Promise<void> {
  const child = paybridge;
  if (!child || !alive(child)) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

// ---- the emulators' ledgers ----

interface LedgerEntry {
  key: string;
  amount: number;
  /** The customer's money is with the shop (paid, not reversed or cancelled). */
  charged: boolean;
  /** PayBridge's transaction id, where the provider keeps it. */
  transactionId: string | null;
  /** Payme only: the receipt's state. */
  state?: number;
}

async function ledger(method: Method): Promise<Map<string, LedgerEntry>> {
  const entries = new Map<string, LedgerEntry>();
  if (method === 'click') {
    const list = (await (await fetch(`http://127.0.0.1:${ports.click}/_sandbox/payments`)).json()) as {
      payment_id: number;
      merchant_trans_id: string | null;
      amount_tiyin: number;
      payment_status: number;
      reversed: boolean;
      reversed_tiyin: number;
    }[];
    for (const p of list) {
      // Charged: paid, or given back afterwards (only a paid payment can be reversed).
      const charged = (p.payment_status === 2 && !p.reversed) || p.reversed_tiyin > 0;
      entries.set(String(p.payment_id), { key: String(p.payment_id), amount: p.amount_tiyin, charged, transactionId: p.merchant_trans_id });
    }
    return entries;
  }
  if (method === 'uzum') {
    const list = (await (await fetch(`http://127.0.0.1:${ports.uzum}/_sandbox/payments`)).json()) as { payment_id: string; order_id: string; amount_tiyin: number; payment_status: string }[];
    // Charged: paid, or paid and reversed since (only a paid payment can be reversed).
    for (const p of list) entries.set(p.payment_id, { key: p.payment_id, amount: p.amount_tiyin, charged: p.payment_status === 'SUCCESS' || p.payment_status === 'REVERSED', transactionId: p.order_id });
    return entries;
  }
  if (method === 'payme') {
    const list = (await (await fetch(`http://127.0.0.1:${ports.payme}/_sandbox/receipts`)).json()) as {
      _id: string;
      amount: number;
      state: number;
      account: Record<string, string | undefined> | null;
      given_back: number;
    }[];
    for (const r of list) {
      // Charged: paid, or paid and then given back (cancelled).
      entries.set(r._id, { key: r._id, amount: r.amount, charged: r.state === 4 || r.given_back > 0, transactionId: paymeTransactionOf(r.account), state: r.state });
    }
    return entries;
  }
  const file = method === 'uzcard' ? join(emuData, 'sandbox', 'uzcard-terminal.json') : join(emuData, 'sandbox', 'arcus2', 'arcus2-emulator.json');
  let terminal: { operations: { kind: string; amount: number; requestId: string | null }[]; pending?: { id: string; amount: number } | null };
  try {
    terminal = JSON.parse(readFileSync(file, 'utf8')) as typeof terminal;
  } catch {
    return entries;
  }
  // A purchase given back afterwards stays a charge here; its give-backs are entries of their own.
  terminal.operations.forEach((o, i) => entries.set(String(i), { key: String(i), amount: o.amount, charged: o.kind === 'purchase', transactionId: null }));
  // A pinpad dialogue under way completes whatever happens: the customer's card is as good as charged.
  if (terminal.pending) entries.set(`pending:${terminal.pending.id}`, { key: `pending:${terminal.pending.id}`, amount: terminal.pending.amount, charged: true, transactionId: null });
  return entries;
}

/** Charges made since `before`: entries charged now that were not charged then (a pending dialogue once applied is not new). */
function newCharges(before: Map<string, LedgerEntry>, after: Map<string, LedgerEntry>): LedgerEntry[] {
  const pendingBefore = [...before.values()].filter((e) => e.key.startsWith('pending:')).map((e) => e.amount);
  const fresh = [...after.values()].filter((e) => e.charged && !before.get(e.key)?.charged);
  // A dialogue pending at the start of the run and applied during it shows as a new operation of the same amount.
  for (const amount of pendingBefore) {
    const i = fresh.findIndex((e) => e.amount === amount && !e.key.startsWith('pending:'));
    if (i >= 0) fresh.splice(i, 1);
  }
  return fresh;
}

// ---- PayBridge's API ----

interface Answer {
  data: { transaction_id?: string } | null;
  error: { code: number; data: string | null; transaction_id?: string; transaction_status?: string } | null;
  is_success: boolean;
}

async function send(method: Method, body: object, key: string): Promise<Answer> {
  const path = method === 'humo' ? 'xumo' : method;
  const res = await fetch(`${base}/payment/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': key }, body: JSON.stringify(body) });
  return (await res.json()) as Answer;
}

const inProgress = (a: Answer) => a.error?.code === 106 && /in progress/.test(a.error.data ?? '');
const isOpen = (a: Answer | undefined) => !a || inProgress(a) || a.error?.transaction_status === 'unknown';
/** A failure the till may take as "nothing was charged": not marked unknown, not "still in progress". */
const saysFailed = (a: Answer) => !a.is_success && a.error?.transaction_status !== 'unknown' && !inProgress(a);
const idOf = (a: Answer | undefined) => a?.data?.transaction_id ?? a?.error?.transaction_id;

/**
 * Retries with the same key until the answer is settled (not "in progress", not unknown) — or, for a
 * fault only an operator can decide (`operatorDecides`), until it is the unknown-outcome answer.
 */
async function settle(method: Method, body: object, key: string, operatorDecides = false): Promise<Answer> {
  const deadline = Date.now() + SETTLE_MS;
  for (;;) {
    const answer = await send(method, body, key).catch(() => undefined);
    if (answer && !isOpen(answer)) return answer;
    if (answer && operatorDecides && answer.error?.transaction_status === 'unknown') return answer;
    if (Date.now() > deadline) throw new Error(`no settled answer within ${SETTLE_MS} ms: ${JSON.stringify(answer)}`);
    await sleep(300);
  }
}

interface JournalEntry {
  transaction_id: string;
  method: string;
  status: string;
  amount: number;
  kind: string;
}

async function journalSince(from: number): Promise<JournalEntry[]> {
  const res = (await (await fetch(`${base}/payment/transactions?from=${from}&limit=500`)).json()) as { data: { items: JournalEntry[] } };
  return res.data.items;
}

/** Why a transaction is still open, as its journal tells it: its last step and detail. */
async function whyOpen(id: string): Promise<string> {
  try {
    const tx = (await (await fetch(`${base}/payment/transactions/${id}`)).json()) as { data: { status: string; error: unknown; events: { step: string; detail: unknown }[] } | null };
    const last = tx.data?.events.at(-1);
    return `${tx.data?.status} after ${last?.step ?? '?'}${last?.detail ? ` ${JSON.stringify(last.detail).slice(0, 160)}` : ''}`;
  } catch (err) {
    return `cannot read it: ${(err as Error).message}`;
  }
}

// ---- the runs ----

/** One payment a till asks for in a run: the run's own, or another till's that holds the terminal. */
interface Intent {
  role: 'payment' | 'blocker';
  method: Method;
  amount: number;
  body: object;
  key: string;
  /** Every answer the till got: the first (if it came) and the settled retry. */
  answers: Answer[];
}

const stats = {
  runs: 0,
  passed: 0,
  failed: 0,
  charged: 0,
  notCharged: 0,
  doubleCharges: 0,
  toldFailedWhileCharged: 0,
  unresolved: 0,
  paymeLeftOpen: 0,
  /** Give-back runs: payments given back with a fault, and those given back whole in the end. */
  giveBackRuns: 0,
  givenBackWhole: 0,
  /** A payment the emulator gave back more of than was paid (twice, say). */
  givenBackMoreThanPaid: 0,
  /** A payment whose journal refunded_amount differs from what the emulator gave back, once recovery is done. */
  giveBackMismatches: 0,
  /** A give-back the till was told failed while the emulator applied it. */
  giveBackToldFailedWhileGivenBack: 0,
  /** The known bug above (checkGiveBack): a key stuck on a refusal by its own orphan give-back's reservation. */
  giveBackKeyStuck: 0,
};
const perPair = new Map<string, { ok: number; failed: number }>();
const failures: string[] = [];
const unresolvedList: string[] = [];
const countedOpen = new Set<string>();
/** The runs' payments (their journal ids), for the reconciliation at the end. */
const made: { run: number; method: Method; fault: Fault; transactionId: string; plain: boolean }[] = [];
/** "method:amount" → which run asked for it: every amount of the suite is its run's own. */
const runOfAmount = new Map<string, string>();
/** When the last run of each method began. */
const lastRunAt = new Map<Method, number>();

async function oneRun(run: number, method: Method, fault: Fault): Promise<string[]> {
  const problems: string[] = [];
  const giveBackQr = method === 'click' || method === 'payme' || method === 'uzum' ? GIVE_BACK_QR[method][fault] : undefined;
  // Uzum's otp_data is 40 characters at least (its contract); CLICK's and Payme's codes are shorter.
  const qr = `${method === 'uzum' ? '6385735999467329369938' : ''}8801${String(SEED % 100_000).padStart(5, '0')}${String(run).padStart(6, '0')}${giveBackQr ?? MAGIC_QR[fault] ?? '777'}`;
  const amount = amountOf(method, fault, run);
  const qrMethod = QR_METHODS.includes(method);
  const main: Intent = { role: 'payment', method, amount, body: qrMethod ? { amount, qr_code: qr } : { amount }, key: randomUUID(), answers: [] };
  // Another till's slow payment holds the terminal while this one arrives (busy), or while PayBridge dies (kill_queued).
  const blocker: Intent | undefined =
    fault === 'busy' || fault === 'kill_queued'
      ? { role: 'blocker', method, amount: TERMINAL_MAGIC.slow, body: { amount: TERMINAL_MAGIC.slow }, key: randomUUID(), answers: [] }
      : undefined;
  const intents = blocker ? [main, blocker] : [main];
  // A give-back run needs its payment taken: an earlier run's slow operation (a 40800 blocker's or a
  // 98400 dialogue's SLOW_ANSWER_MS at the pinpad, which PayBridge may have stopped waiting for) must be over.
  if (isGiveBackFault(fault) && !qrMethod) await sleep((lastRunAt.get(method) ?? 0) + SLOW_ANSWER_MS + 500 - Date.now());
  lastRunAt.set(method, Date.now());
  const before = await ledger(method);
  // The journal's clock is this machine's: a little slack for its millisecond.
  const runStart = Date.now() - 5;

  const blocked = blocker ? send(method, blocker.body, blocker.key).catch(() => undefined) : undefined;
  if (blocker) await sleep(100);
  const request = send(method, main.body, main.key).catch(() => undefined);
  if (fault === 'kill_before') {
    await sleep(Math.floor(random() * 40));
    await kill();
  } else if (fault === 'kill_during') {
    await sleep(300 + Math.floor(random() * 300));
    await kill();
  } else if (fault === 'kill_during_create') {
    // The receipt is created at once, its answer held for lost_answer_delay_ms; PayBridge would give up after response_ms.
    await sleep(150 + Math.floor(random() * Math.max(1, T.responseMs - 250)));
    await kill();
  } else if (fault === 'kill_queued') {
    // The blocker holds the terminal for terminal_timeout_ms at least; the run's payment waits in PayBridge's queue.
    await sleep(200 + Math.floor(random() * Math.max(1, T.terminalTimeoutMs - 1_000)));
    await kill();
  }
  const first = await request;
  if (first) main.answers.push(first);
  if (fault === 'kill_after') await kill();
  if (blocker) {
    const answer = await blocked;
    if (answer) blocker.answers.push(answer);
  }
  if (!alive(paybridge)) await startPayBridge();

  // The till retries each payment with its key until it gets a settled answer.
  const settled = new Map<Intent, Answer>();
  for (const intent of intents) {
    try {
      const answer = await settle(method, intent.body, intent.key, OPERATOR_FAULTS.has(fault));
      intent.answers.push(answer);
      settled.set(intent, answer);
    } catch (err) {
      problems.push(`${intent.role}: ${(err as Error).message}`);
    }
  }

  // A give-back run: the payment, taken, is now given back with the fault.
  const giveBack = isGiveBackFault(fault) ? await giveBackPhase(method, fault, main, settled.get(main), problems) : undefined;

  // A fault only an operator can decide: recovery must not decide it (it has no proof either way); then
  // the operator does, from the provider's own ledger, and the till's retry gets that answer.
  if (OPERATOR_FAULTS.has(fault)) {
    await sleep(3 * T.recoveryIntervalMs);
    const truth = await ledger(method);
    for (const t of (await journalSince(runStart)).filter((x) => x.status === 'unknown' || x.status === 'pending')) {
      const charged = [...truth.values()].some((e) => e.charged && e.transactionId === t.transaction_id);
      const refused = await resolveAsOperator(t.transaction_id, charged ? 'succeeded' : 'failed', `the provider's ledger shows ${charged ? 'the charge' : 'no charge'}`);
      if (refused) problems.push(`operator resolve of ${t.transaction_id} refused: ${refused}`);
    }
    const again = await send(method, main.body, main.key).catch(() => undefined);
    if (again) main.answers.push(again);
    if (again && !isOpen(again)) settled.set(main, again);
  }

  // What the reconciliation at the end reads: the run's payment, and whether its QR code carried any magic.
  const mainId = idOf(settled.get(main)) ?? main.answers.map(idOf).find((id) => !!id);
  for (const intent of intents) runOfAmount.set(`${method}:${intent.amount}`, `run ${run} ${method} ${fault}${intent.role === 'blocker' ? ' (blocker)' : ''}`);
  if (mainId) made.push({ run, method, fault, transactionId: mainId, plain: qrMethod && !giveBackQr && !MAGIC_QR[fault] && PAYME_CREATE_TAIL[fault] === undefined && !isGiveBackFault(fault) });

  // Give recovery its turn: nothing of this run may be left open.
  const recoveryDeadline = Date.now() + RECOVERY_WAIT_MS;
  let txs = await journalSince(runStart);
  while (txs.some((t) => t.status === 'pending' || t.status === 'unknown') && Date.now() < recoveryDeadline) {
    await sleep(T.recoveryIntervalMs);
    txs = await journalSince(runStart);
  }
  for (const t of txs.filter((x) => x.status === 'pending' || x.status === 'unknown')) {
    if (countedOpen.has(t.transaction_id)) continue;
    countedOpen.add(t.transaction_id);
    stats.unresolved++;
    const why = await whyOpen(t.transaction_id);
    unresolvedList.push(`run ${run} ${method} ${fault}: ${t.transaction_id} ${why}`);
    problems.push(`left open: ${t.method}:${t.status} (${why})`);
  }

  // A cancelled paid Payme receipt is queued (21) for cancel_queue_ms before it is cancelled (50).
  let after = await ledger(method);
  if (method === 'payme') {
    const drainBy = Date.now() + LOAD_FACTOR * T.paymeCancelQueueMs + 500;
    while ([...after.values()].some((r) => r.state === 21 && !before.has(r.key)) && Date.now() < drainBy) {
      await sleep(100);
      after = await ledger(method);
    }
  }
  const charges = newCharges(before, after);

  for (const intent of intents) {
    const mine = charges.filter((c) => c.amount === intent.amount);
    const itsTxs = txs.filter((t) => t.method === method && t.amount === intent.amount && t.kind === 'payment');
    const label = intents.length > 1 ? `${intent.role}: ` : '';
    if (mine.length > 1) {
      stats.doubleCharges++;
      problems.push(`${label}${mine.length} charges`);
    }
    if (intent.role === 'payment') {
      if (mine.length >= 1) stats.charged++;
      else stats.notCharged++;
    }
    // The till must never be told "failed" about money that moved.
    if (mine.length >= 1) {
      const told = intent.answers.filter(saysFailed);
      if (told.length) {
        stats.toldFailedWhileCharged++;
        problems.push(`${label}TOLD FAILED WHILE CHARGED: ${told.map((a) => `${a.error?.code} ${a.error?.transaction_status ?? ''} ${a.error?.data ?? ''}`.trim()).join(' | ')}`);
      }
    }
    const answer = settled.get(intent);
    if (answer && answer.is_success !== (mine.length === 1) && !(mine.length >= 1 && saysFailed(answer))) {
      problems.push(`${label}answer ${answer.is_success ? 'success' : 'failure'} but ${mine.length} charge(s) at the ${method} ledger`);
    }
    if (answer && mine.length >= 1 && !idOf(answer)) problems.push(`${label}charged, but no journal entry is named in the answer`);
    // The journal says succeeded (or given back since) wherever the ledger shows the charge, and nowhere else. A provider's
    // ledger names our transaction id; a pinpad's does not, so there the counts must agree (a request
    // journaled but never sent to the pinpad, say by a PayBridge killed at once, is rightly failed).
    const chargedIds = new Set(mine.map((c) => c.transactionId).filter((id): id is string => !!id));
    const txList = () => itsTxs.map((t) => `${t.transaction_id.slice(0, 8)}:${t.status}`).join(', ');
    if (chargedIds.size) {
      for (const t of itsTxs) {
        const isCharged = chargedIds.has(t.transaction_id);
        if (isCharged && !PAID.has(t.status)) problems.push(`${label}journal says ${t.status} but the ${method} ledger shows the charge`);
        if (!isCharged && PAID.has(t.status)) problems.push(`${label}journal says ${t.status} but the ${method} ledger shows no charge for it`);
      }
    } else {
      const succeeded = itsTxs.filter((t) => PAID.has(t.status)).length;
      if (succeeded !== mine.length) problems.push(`${label}journal has ${succeeded} succeeded (${txList()}) but the ${method} ledger shows ${mine.length} charge(s)`);
    }
    if (mine.length >= 1 && !itsTxs.length) problems.push(`${label}charged, but the journal has no transaction for it`);
  }
  if (giveBack) await checkGiveBack(method, giveBack, problems);
  const unattributed = charges.filter((c) => !intents.some((i) => i.amount === c.amount));
  if (unattributed.length) problems.push(`${unattributed.length} charge(s) of no payment of this run: ${unattributed.map((c) => `${c.key}:${c.amount}`).join(', ')}`);

  // No receipt of this run may be left open at Payme (0: could still be paid) or stuck cancelling (21).
  if (method === 'payme') {
    const open = [...after.values()].filter((r) => !before.has(r.key) && (r.state === 0 || r.state === 21));
    if (open.length) {
      stats.paymeLeftOpen += open.length;
      problems.push(`Payme receipt(s) left in state ${open.map((r) => `${r.state} (${r.key}, transaction ${r.transactionId})`).join(', ')}`);
    }
  }
  return problems;
}

// ---- give-backs ----

/** Statuses of a payment that took the customer's money (given back since, or not). */
const PAID = new Set(['succeeded', 'cancelled', 'refunded']);

interface GiveBackAnswer extends Answer {
  data: { transaction_id?: string; give_back_id?: string; replayed?: boolean } | null;
  error: (Answer['error'] & { give_back_id?: string; give_back_status?: string; reserved_amount?: number }) | null;
}

/** One give-back the till asked for under one key: every answer it got, and its settled one. */
interface GiveBackAttempt {
  key: string;
  answers: GiveBackAnswer[];
  settled?: GiveBackAnswer;
}

interface GiveBackRun {
  paymentId: string;
  amount: number;
  /** The RRN of a card payment. */
  rrn: string | null;
  attempts: GiveBackAttempt[];
}

/** The give-back's own status in an answer: QR answers carry it beside the payment's; a card's transaction is the give-back. */
const giveBackStatusOf = (a: GiveBackAnswer) => a.error?.give_back_status ?? a.error?.transaction_status;
/** Not settled yet: no answer, in progress, unknown — or refused only because another give-back of the payment holds its amount (ask again once that one settles). */
const giveBackOpen = (a: GiveBackAnswer | undefined) =>
  !a || inProgress(a) || giveBackStatusOf(a) === 'unknown' || giveBackStatusOf(a) === 'pending' || (a.error?.code === 106 && (a.error.reserved_amount ?? 0) > 0);
/** The till was told this give-back failed: nothing was given back. */
const toldNotGivenBack = (a: GiveBackAnswer) => !a.is_success && giveBackStatusOf(a) === 'failed';
const giveBackIdOf = (method: Method, a: GiveBackAnswer | undefined) =>
  QR_METHODS.includes(method) ? (a?.data?.give_back_id ?? a?.error?.give_back_id) : (a?.data?.transaction_id ?? a?.error?.transaction_id);

async function sendGiveBack(method: Method, body: object, key: string): Promise<GiveBackAnswer> {
  const path = method === 'humo' ? 'xumo' : method === 'uzcard' ? 'uzcard' : `${method}_cancel`;
  const res = await fetch(`${base}/payment/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': key }, body: JSON.stringify(body) });
  return (await res.json()) as GiveBackAnswer;
}

/** Retries a give-back with its key until the answer is settled (not "in progress", not unknown). */
async function settleGiveBack(method: Method, body: object, key: string): Promise<GiveBackAnswer> {
  const deadline = Date.now() + SETTLE_MS;
  for (;;) {
    const answer = await sendGiveBack(method, body, key).catch(() => undefined);
    if (answer && !giveBackOpen(answer)) return answer;
    if (Date.now() > deadline) throw new Error(`give-back: no settled answer within ${SETTLE_MS} ms: ${JSON.stringify(answer)}`);
    await sleep(300);
  }
}

/**
 * What the emulator gave back of a payment, by its own ledger: tiyin in all, how many give-backs it
 * applied, and how many give-back requests reached it (a pinpad records only the ones it performed).
 */
async function givenBackAt(method: Method, paymentId: string, rrn: string | null): Promise<{ total: number; count: number; requests: number }> {
  if (method === 'click') {
    const list = (await (await fetch(`http://127.0.0.1:${ports.click}/_sandbox/payments`)).json()) as {
      merchant_trans_id: string | null;
      reversed_tiyin: number;
      reversals_applied: number;
      reversal_requests: number;
    }[];
    const mine = list.filter((p) => p.merchant_trans_id === paymentId);
    return { total: sum(mine.map((p) => p.reversed_tiyin)), count: sum(mine.map((p) => p.reversals_applied)), requests: sum(mine.map((p) => p.reversal_requests)) };
  }
  if (method === 'uzum') {
    const list = (await (await fetch(`http://127.0.0.1:${ports.uzum}/_sandbox/payments`)).json()) as { order_id: string; amount_tiyin: number; reversed: boolean; reversal_requests: number }[];
    // Uzum reverses whole payments, at most once.
    const mine = list.filter((p) => p.order_id === paymentId);
    return { total: sum(mine.map((p) => (p.reversed ? p.amount_tiyin : 0))), count: mine.filter((p) => p.reversed).length, requests: sum(mine.map((p) => p.reversal_requests)) };
  }
  if (method === 'payme') {
    const list = (await (await fetch(`http://127.0.0.1:${ports.payme}/_sandbox/receipts`)).json()) as {
      account: Record<string, string | undefined> | null;
      given_back: number;
      give_back_requests: number;
    }[];
    const mine = list.filter((r) => paymeTransactionOf(r.account) === paymentId);
    return { total: sum(mine.map((r) => r.given_back)), count: mine.filter((r) => r.given_back > 0).length, requests: sum(mine.map((r) => r.give_back_requests)) };
  }
  const file = method === 'uzcard' ? join(emuData, 'sandbox', 'uzcard-terminal.json') : join(emuData, 'sandbox', 'arcus2', 'arcus2-emulator.json');
  let ops: { kind: string; amount: number; originalRrn: string | null }[] = [];
  try {
    ops = (JSON.parse(readFileSync(file, 'utf8')) as { operations: typeof ops }).operations;
  } catch {
    // being written: nothing to count yet
  }
  const mine = ops.filter((o) => o.kind !== 'purchase' && rrn !== null && o.originalRrn === rrn);
  return { total: sum(mine.map((o) => o.amount)), count: mine.length, requests: mine.length };
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/**
 * The till gives the run's payment back whole, with the run's fault, and retries with its key until
 * the answer is settled. Meanwhile the cashier, told nothing certain (no answer, or "unknown"), asks
 * for the same give-back once more as a new request (a new key): the issue's "the same refund again",
 * which must never give back twice. Told a give-back failed (proven: nothing was given back), the
 * cashier asks again under a new key.
 */
async function giveBackPhase(method: Method, fault: GiveBackFault, main: Intent, paid: Answer | undefined, problems: string[]): Promise<GiveBackRun | undefined> {
  const data = paid?.data as { transaction_id?: string; ppt_id?: string | null } | null | undefined;
  if (!paid?.is_success || !data?.transaction_id) {
    problems.push(`the payment to give back was not taken: ${JSON.stringify(paid?.error ?? null)}`);
    return undefined;
  }
  stats.giveBackRuns++;
  const qrMethod = QR_METHODS.includes(method);
  const rrn = qrMethod ? null : (data.ppt_id ?? null);
  const body = qrMethod ? { transaction_id: data.transaction_id } : { request_id: rrn, amount: main.amount, is_return: true };
  const run: GiveBackRun = { paymentId: data.transaction_id, amount: main.amount, rrn, attempts: [] };
  const settleAttempt = async (attempt: GiveBackAttempt): Promise<boolean> => {
    try {
      attempt.settled = await settleGiveBack(method, body, attempt.key);
      attempt.answers.push(attempt.settled);
      return true;
    } catch (err) {
      problems.push(`give-back: ${(err as Error).message}`);
      return false;
    }
  };

  const first: GiveBackAttempt = { key: randomUUID(), answers: [] };
  run.attempts.push(first);
  const seen = (await givenBackAt(method, run.paymentId, rrn)).requests;
  const request = sendGiveBack(method, body, first.key).catch(() => undefined);
  if (fault === 'kill_around_give_back') {
    if (random() < 0.5) {
      // Around the moment PayBridge journals, reserves and sends it.
      await sleep(Math.floor(random() * 40));
    } else {
      // Right after it sent it: as soon as the emulator has seen the give-back (and applied it).
      const by = Date.now() + 3_000;
      while ((await givenBackAt(method, run.paymentId, rrn)).requests === seen && Date.now() < by) await sleep(3);
    }
    await kill();
  }
  const answer = await request;
  if (answer) first.answers.push(answer);
  if (!alive(paybridge)) await startPayBridge();
  // CLICK documents no status of a reversed payment and no reversal error codes (issue #25): a CLICK
  // give-back whose answer was lost stays unknown, reserved, whatever recovery asks. An operator decides
  // it from CLICK's own ledger (the emulator's, as a manager from CLICK's cabinet).
  if (method === 'click') await operatorDecidesGiveBacks(method, run, problems);
  if (giveBackOpen(answer)) {
    // The impatient cashier: the same give-back again, as a new request.
    const again: GiveBackAttempt = { key: randomUUID(), answers: [] };
    run.attempts.push(again);
    await settleAttempt(again);
  }
  if (!(await settleAttempt(first))) return run;
  if (run.attempts.some((a) => a.settled?.is_success) || !run.attempts.some((a) => a.settled && toldNotGivenBack(a.settled))) return run;
  // Told it failed, with proof: the cashier gives back again.
  const last: GiveBackAttempt = { key: randomUUID(), answers: [] };
  run.attempts.push(last);
  await settleAttempt(last);
  return run;
}

/**
 * An operator's decision, tried again while a request or recovery holds the operation's claim ("being
 * settled by …"); what the last refusal said, or '' once it was taken.
 */
async function resolveAsOperator(id: string, status: 'succeeded' | 'failed', reason: string): Promise<string> {
  let last = '';
  for (let attempt = 0; attempt < 40; attempt++) {
    const res = await fetch(`${base}/payment/transactions/${id}/resolve`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status, operator: 'faults', reason }),
    }).catch(() => undefined);
    const body = res ? ((await res.json().catch(() => ({}))) as Answer) : undefined;
    if (body?.is_success) return '';
    last = JSON.stringify(body ?? 'no answer').slice(0, 200);
    await sleep(T.recoveryIntervalMs);
  }
  return last;
}

/** Every give-back of the run's payment still open after recovery's turns, decided by an operator from the provider's ledger. */
async function operatorDecidesGiveBacks(method: Method, run: GiveBackRun, problems: string[]): Promise<void> {
  await sleep(3 * T.recoveryIntervalMs);
  const payment = (await (await fetch(`${base}/payment/transactions/${run.paymentId}`)).json()) as { data: { give_backs?: { transaction_id: string; status: string; amount: number }[] } | null };
  const open = (payment.data?.give_backs ?? []).filter((g) => g.status === 'unknown' || g.status === 'pending');
  if (!open.length) return;
  const truth = await givenBackAt(method, run.paymentId, run.rrn);
  // One give-back per run is sent at a time here; what the provider holds as given back is its.
  let left = truth.total;
  for (const g of open) {
    const given = left >= g.amount;
    if (given) left -= g.amount;
    const refused = await resolveAsOperator(g.transaction_id, given ? 'succeeded' : 'failed', `the provider's ledger shows ${given ? 'the money given back' : 'nothing given back'}`);
    if (refused) problems.push(`operator resolve of give-back ${g.transaction_id} refused: ${refused}`);
  }
}

/** After recovery: what the emulator gave back against what was paid, the journal and the till's answers. */
async function checkGiveBack(method: Method, run: GiveBackRun, problems: string[]): Promise<void> {
  const at = await givenBackAt(method, run.paymentId, run.rrn);
  if (at.total > run.amount) {
    stats.givenBackMoreThanPaid++;
    problems.push(`GIVEN BACK MORE THAN PAID: ${at.total} of ${run.amount} in ${at.count} give-back(s) at the ${method} emulator`);
  }
  const tx = (await (await fetch(`${base}/payment/transactions/${run.paymentId}`)).json()) as { data: { status: string; refunded_amount: number } | null };
  const journal = tx.data?.refunded_amount ?? NaN;
  if (journal !== at.total) {
    stats.giveBackMismatches++;
    problems.push(`JOURNAL ≠ EMULATOR: the journal gave back ${journal} (${tx.data?.status}), the ${method} emulator ${at.total}`);
  }
  for (const attempt of run.attempts) {
    const told = attempt.answers.filter(toldNotGivenBack);
    if (!told.length) continue;
    const id = giveBackIdOf(method, told[0]);
    const row = id ? ((await (await fetch(`${base}/payment/transactions/${id}`)).json()) as { data: { status: string } | null }).data : null;
    // Told "not given back": its give-back must be failed in the journal, and the emulator must hold no more than the journal says.
    if ((row && row.status !== 'failed') || at.total > journal) {
      stats.giveBackToldFailedWhileGivenBack++;
      problems.push(`TOLD A GIVE-BACK FAILED WHILE GIVEN BACK: ${told.map((a) => `${a.error?.code} ${a.error?.data ?? ''}`).join(' | ')} (journal: ${row?.status ?? 'no row'}, emulator gave back ${at.total})`);
    }
  }
  const succeeded = run.attempts.filter((a) => a.settled?.is_success).length;
  if (succeeded > 1) problems.push(`${succeeded} give-backs of one payment answered success`);
  // A request that stopped between journaling its give-back and tying it to its key leaves an orphan
  // give-back; the key's retry is refused 106 by the orphan's reservation. That refusal must not be the
  // key's last word: once the orphan is settled failed, a retry with the key gives the money back.
  const stuckOnReservation = (a: GiveBackAttempt) => !!a.settled && a.settled.error?.code === 106 && (a.settled.error.reserved_amount ?? 0) > 0;
  if (succeeded === 0 && at.total === 0 && journal === 0 && run.attempts.every(stuckOnReservation)) {
    stats.giveBackKeyStuck++;
    problems.push(`KEY STUCK ON ITS OWN ORPHAN GIVE-BACK: every key answered 106 "being given back" for good; nothing was given back`);
  } else if (succeeded === 1 && at.total === run.amount) stats.givenBackWhole++;
  else {
    const answers = run.attempts.map((a) => (a.settled ? JSON.stringify(a.settled.error ?? 'success') : 'none')).join(' | ');
    problems.push(`not given back in the end: the till's settled answers ${answers}, the emulator gave back ${at.total} of ${run.amount}`);
  }
  if (at.total === run.amount && tx.data && tx.data.status === 'succeeded') problems.push('given back whole, but the journal still says succeeded');
}

/** The emulators answer, and the Arcus2 folder they lay out (which PayBridge reads at start) is there. */
async function emulatorsReady(): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const up = await Promise.all([
      fetch(`http://127.0.0.1:${ports.click}/_sandbox/payments`).then((r) => r.ok, () => false),
      fetch(`http://127.0.0.1:${ports.payme}/_sandbox/receipts`).then((r) => r.ok, () => false),
    ]);
    if (up.every(Boolean) && existsSync(join(emuData, 'sandbox', 'arcus2', 'INI', 'ops.ini'))) return;
    if (Date.now() > deadline || emulators.exitCode !== null) throw new Error('the emulators did not start');
    await sleep(50);
  }
}

// ---- the reconciliation at the end: the wallets' records against the journal ----

interface ReportedDiscrepancy {
  kind: string;
  method: string;
  transaction_id: string;
  journal_status: string | null;
  provider_status: string;
  amount: number;
  detail?: string | null;
}
interface Planted {
  method: 'payme' | 'uzum';
  id: string;
  kind: 'given_back_outside' | 'unknown_to_journal';
  what: string;
}
/** Kinds that are the reconciliation's information, not a difference the journal and a wallet still hold. */
const INFORMATIONAL: ReadonlySet<string> = new Set(['not_confirmed', 'settled_by_reconciliation']);
const reconciliation = {
  ran: false,
  days: [] as string[],
  planted: [] as Planted[],
  /** Planted differences the reconciliation did not report. */
  missed: [] as Planted[],
  found: 0,
  reported: 0,
  unexpected: [] as { d: ReportedDiscrepancy; origin: string }[],
  notConfirmed: [] as { d: ReportedDiscrepancy; origin: string }[],
  settled: [] as { d: ReportedDiscrepancy; origin: string }[],
  problems: [] as string[],
  questions: 0,
  ms: 0,
};
const suiteStartedAt = Date.now();

async function postJson(url: string, body: object): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json().catch(() => null) };
}

/** A payment of the suite still as it ended (succeeded, nothing given back), or a fresh plain one of the method. */
async function paymentToRefund(method: 'payme' | 'uzum', run: number): Promise<string | undefined> {
  for (const p of made.filter((m) => m.method === method && m.plain)) {
    const tx = (await (await fetch(`${base}/payment/transactions/${p.transactionId}`)).json()) as { data: { status: string; refunded_amount: number } | null };
    if (tx.data?.status === 'succeeded' && tx.data.refunded_amount === 0) return p.transactionId;
  }
  // None: a plain payment of the method, taken now.
  const amount = 10_001 + run * 100;
  const qr = `${method === 'uzum' ? '6385735999467329369938' : ''}8801${String(SEED % 100_000).padStart(5, '0')}${String(run).padStart(6, '0')}777`;
  runOfAmount.set(`${method}:${amount}`, `the reconciliation's own ${method} payment`);
  const answer = await settle(method, { amount, qr_code: qr }, randomUUID());
  if (!answer.is_success || !idOf(answer)) {
    reconciliation.problems.push(`a plain ${method} payment to refund in the cabinet was not taken: ${JSON.stringify(answer.error)}`);
    return undefined;
  }
  return idOf(answer);
}

/** One day's report: the POST's, or (answered 202) GET's once done. */
async function reconcileDay(date: string): Promise<{ discrepancies: ReportedDiscrepancy[]; questions: number }> {
  const first = await postJson(`${base}/payment/reconciliation/wallets`, { date });
  let data = (first.body as { data?: { state?: string; discrepancies?: ReportedDiscrepancy[]; questions?: number } } | null)?.data;
  if (first.status !== 200 && first.status !== 202) throw new Error(`POST /payment/reconciliation/wallets ${date}: HTTP ${first.status} ${JSON.stringify(first.body).slice(0, 300)}`);
  const deadline = Date.now() + 300_000;
  while (data?.state !== 'done') {
    if (Date.now() > deadline) throw new Error(`the reconciliation of ${date} was not done within 300 s: ${JSON.stringify(data).slice(0, 300)}`);
    await sleep(500);
    data = ((await (await fetch(`${base}/payment/reconciliation/wallets?date=${date}`)).json()) as { data?: typeof data }).data;
  }
  return { discrepancies: data.discrepancies ?? [], questions: data.questions ?? 0 };
}

/** Which run of the suite a reported difference is about (by the journal's amount, each run's own). */
async function originOf(d: ReportedDiscrepancy): Promise<string> {
  const m = made.find((p) => p.transactionId === d.transaction_id);
  if (m) return `run ${m.run} ${m.method} ${m.fault}`;
  const tx = (await (await fetch(`${base}/payment/transactions/${d.transaction_id}`)).json().catch(() => null)) as { data: { amount: number } | null } | null;
  const amount = tx?.data?.amount ?? d.amount;
  return runOfAmount.get(`${d.method}:${amount}`) ?? (tx?.data ? 'a payment of no run' : 'not in the journal');
}

/**
 * After the runs, with PayBridge up: differences planted at the wallets (a cabinet refund of a Payme
 * and of an Uzum payment that ended succeeded, a Payme receipt made outside PayBridge), then every day
 * of the suite reconciled. What it reports, apart from what it could not confirm or settled itself,
 * must be exactly what was planted: whatever else is a difference the faults left between the journal
 * and a wallet.
 */
async function reconcileAtTheEnd(): Promise<void> {
  if (!alive(paybridge)) await startPayBridge();
  const began = Date.now();
  let extra = RUNS + 1;
  for (const method of ['payme', 'uzum'] as const) {
    const id = await paymentToRefund(method, extra++);
    if (!id) continue;
    const res = await postJson(`http://127.0.0.1:${ports[method]}/_sandbox/${method}/cabinet-refund`, { transaction_id: id });
    if (res.status !== 200) reconciliation.problems.push(`${method} cabinet refund of ${id}: HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
    else reconciliation.planted.push({ method, id, kind: 'given_back_outside', what: `${method} cabinet refund (${(await originOf({ method, transaction_id: id } as ReportedDiscrepancy))})` });
  }
  const outsideAmount = 10_001 + extra++ * 100;
  const outside = await postJson(`http://127.0.0.1:${ports.payme}/_sandbox/payme/outside-receipt`, { amount: outsideAmount });
  const receiptId = (outside.body as { _id?: string } | null)?._id;
  if (outside.status !== 200 || !receiptId) reconciliation.problems.push(`payme outside receipt: HTTP ${outside.status} ${JSON.stringify(outside.body).slice(0, 200)}`);
  else reconciliation.planted.push({ method: 'payme', id: receiptId, kind: 'unknown_to_journal', what: `payme receipt ${outsideAmount} made outside PayBridge` });
  // The cabinet's cancel of a paid receipt is queued (21) for cancel_queue_ms before it is cancelled (50).
  await sleep(LOAD_FACTOR * T.paymeCancelQueueMs + 500);

  // Every shop day the suite made payments on (two when it crossed the shop's midnight).
  reconciliation.days = [...new Set([shopDate(SHOP_TIMEZONE, suiteStartedAt), shopDate(SHOP_TIMEZONE, Date.now())])];
  const reported: ReportedDiscrepancy[] = [];
  for (const date of reconciliation.days) {
    const day = await reconcileDay(date);
    reported.push(...day.discrepancies);
    reconciliation.questions += day.questions;
  }
  reconciliation.ran = true;
  reconciliation.ms = Date.now() - began;
  const key = (method: string, id: string, kind: string) => `${method}|${id}|${kind}`;
  const differences = reported.filter((d) => !INFORMATIONAL.has(d.kind));
  reconciliation.reported = differences.length;
  for (const d of reported.filter((d) => d.kind === 'not_confirmed')) reconciliation.notConfirmed.push({ d, origin: await originOf(d) });
  for (const d of reported.filter((d) => d.kind === 'settled_by_reconciliation')) reconciliation.settled.push({ d, origin: await originOf(d) });
  const reportedKeys = new Set(differences.map((d) => key(d.method, d.transaction_id, d.kind)));
  const plantedKeys = new Set(reconciliation.planted.map((p) => key(p.method, p.id, p.kind)));
  reconciliation.missed = reconciliation.planted.filter((p) => !reportedKeys.has(key(p.method, p.id, p.kind)));
  reconciliation.found = reconciliation.planted.length - reconciliation.missed.length;
  for (const d of differences.filter((d) => !plantedKeys.has(key(d.method, d.transaction_id, d.kind)))) reconciliation.unexpected.push({ d, origin: await originOf(d) });
}

try {
  await emulatorsReady();
  await startPayBridge();
  for (let run = 1; run <= RUNS && Date.now() < SUITE_DEADLINE; run++) {
    const { method, fault } = draw();
    stats.runs++;
    let problems: string[];
    try {
      problems = await oneRun(run, method, fault);
    } catch (err) {
      problems = [(err as Error).message];
      if (!alive(paybridge)) await startPayBridge().catch(() => undefined);
    }
    const pair = `${method} ${fault}`;
    const tally = perPair.get(pair) ?? { ok: 0, failed: 0 };
    perPair.set(pair, tally);
    const line = `run ${run}: ${pair} → ${problems.length ? problems.join('; ') : 'ok'}`;
    if (problems.length) {
      stats.failed++;
      tally.failed++;
      failures.push(line);
    } else {
      stats.passed++;
      tally.ok++;
    }
    console.log(line);
  }
  try {
    await reconcileAtTheEnd();
  } catch (err) {
    reconciliation.problems.push(`the reconciliation at the end: ${(err as Error).message}`);
  }
} finally {
  await kill();
  emulators.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
  await dropTestDatabases();
}

const replay = `--seed ${SEED} --runs ${RUNS}${ENGINE === 'sqlite' ? '' : ` --journal ${ENGINE}`}`;
console.log(`\nfault suite, journal on ${ENGINE} (seed ${SEED}, replay with ${replay})`);
console.log(`timings: settle within ${SETTLE_MS} ms, recovery within ${RECOVERY_WAIT_MS} ms (from the configured deadlines, x${LOAD_FACTOR})`);
console.log(`runs: ${stats.runs}; charged once: ${stats.charged}; not charged: ${stats.notCharged}`);
console.log(
  `by fault: ${[...perPair.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([pair, t]) => `${pair} ${t.ok}/${t.ok + t.failed}`)
    .join(', ')}`,
);
const missing = PAIRS.filter((p) => !perPair.has(`${p.method} ${p.fault}`));
if (missing.length) console.log(`not drawn in this run (fewer runs than the ${PAIRS.length} pairs): ${missing.map((p) => `${p.method} ${p.fault}`).join(', ')}`);
console.log(`double charges: ${stats.doubleCharges} (must be 0)`);
console.log(`told failed while charged: ${stats.toldFailedWhileCharged} (must be 0)`);
console.log(`unresolved after the deadline and recovery: ${stats.unresolved} (must be 0)`);
for (const u of unresolvedList) console.log(`  UNRESOLVED ${u}`);
console.log(`Payme receipts left open (state 0 or 21): ${stats.paymeLeftOpen} (must be 0)`);
console.log(`give-backs: ${stats.giveBackRuns} payments given back with a fault, ${stats.givenBackWhole} given back whole in the end`);
console.log(`given back more than paid: ${stats.givenBackMoreThanPaid} (must be 0)`);
console.log(`journal ≠ emulator given back after recovery: ${stats.giveBackMismatches} (must be 0)`);
console.log(`told a give-back failed while given back: ${stats.giveBackToldFailedWhileGivenBack} (must be 0)`);
console.log(`keys stuck on their own orphan give-back's reservation: ${stats.giveBackKeyStuck}`);
const r = reconciliation;
const line = (d: ReportedDiscrepancy) => `${d.kind} ${d.method} ${d.transaction_id} (journal ${d.journal_status ?? '-'}, wallet ${d.provider_status}, ${d.amount} tiyin${d.detail ? `; ${d.detail}` : ''})`;
console.log(`reconciliation at the end: ${r.ran ? `${r.days.join(', ')} in ${r.ms} ms, ${r.questions} questions to the wallets` : 'did not finish'}`);
console.log(`discrepancies after reconciliation: ${r.reported} (planted ${r.planted.length}, found of those ${r.found}, unexpected ${r.unexpected.length})`);
for (const p of r.planted) console.log(`  planted ${p.kind} ${p.method} ${p.id}: ${p.what}${r.missed.includes(p) ? ' — NOT FOUND' : ''}`);
for (const u of r.unexpected) console.log(`  UNEXPECTED ${line(u.d)} — ${u.origin}`);
console.log(`not confirmed by the wallets: ${r.notConfirmed.length}`);
for (const { d, origin } of r.notConfirmed) console.log(`  ${line(d)} — ${origin}`);
console.log(`settled by the reconciliation: ${r.settled.length}`);
for (const { d, origin } of r.settled) console.log(`  ${line(d)} — ${origin}`);
for (const p of r.problems) console.log(`RECONCILIATION PROBLEM ${p}`);
const reconciled = r.ran && r.problems.length === 0 && r.missed.length === 0 && r.planted.length === 3 && r.unexpected.length === 0;
if (!reconciled) console.log(`FAILED the reconciliation at the end: ${[!r.ran && 'it did not finish', r.problems.length && `${r.problems.length} problem(s)`, r.planted.length !== 3 && `${r.planted.length} of 3 differences planted`, r.missed.length && `${r.missed.length} planted not found`, r.unexpected.length && `${r.unexpected.length} unexpected`].filter(Boolean).join(', ')}`);
for (const f of failures) console.log(`FAILED ${f}`);
console.log(`${stats.passed} passed, ${stats.failed} failed`);
if (stats.runs < RUNS) console.log(`only ${stats.runs} of ${RUNS} runs fitted in the time limit`);
const clean =
  stats.failed === 0 &&
  stats.doubleCharges === 0 &&
  stats.toldFailedWhileCharged === 0 &&
  stats.unresolved === 0 &&
  stats.paymeLeftOpen === 0 &&
  stats.givenBackMoreThanPaid === 0 &&
  stats.giveBackMismatches === 0 &&
  stats.giveBackToldFailedWhileGivenBack === 0 &&
  reconciled;
process.exit(clean && stats.runs === RUNS ? 0 : 1);
