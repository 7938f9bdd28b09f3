import crypto from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { operationBounds } from '../../src/config/leases.js';
import { tillScope } from '../../src/payments/idempotency.js';
import type { Config } from '../../src/config/schema.js';
import type { Envelope } from '../../src/http/envelope.js';
import { openSqlite, type SqlConnection } from '../../src/journal/sqlite/connection.js';
import { SqliteJournal } from '../../src/journal/sqlite/sqlite-journal.js';
import { simConfig } from './config.js';
import { coverage, resetCoverage, type Coverage } from './coverage.js';
import { SimApp, Machine, type SimEnv } from './instance.js';
import { Invariants, type AttemptView, type IntentView, Violation } from './invariants.js';
import { attempts, journalWait, JournalProxy, type AttemptContext, type JournalFaults } from './journal-proxy.js';
import type { NetControl, ProviderName, Weather } from './net.js';
import { SimPinpad } from './pinpad.js';
import { qrCode, SimClick, SimPayme, SimUzum, type ProviderEnv } from './providers.js';
import { Rng } from './random.js';
import { short, Trace } from './trace.js';
import { Truth } from './truth.js';
import { drain, World } from './world.js';

export interface SimOptions {
  seed: number;
  /** Operations to run: till requests (retries too), operators' actions, crashes, clock jumps, faults. */
  ops: number;
  /** PayBridge processes on the journal (1–3); drawn from the seed when absent. */
  instances?: number;
  /** Trace lines kept for a failure's report. */
  traceLines?: number;
  /** A quiet period (faults off, everything settled and compared) after this many operations. */
  quietEvery?: number;
  /** Progress on stderr. */
  progress?: boolean;
  /** Proxies may retry a PUT or DELETE (off by default: PayBridge does not survive it yet, docs/simulation.md). */
  proxyRetries?: boolean;
  /**
   * Clocks seconds to minutes apart (20 minutes at worst), stepped across restarts; off by default,
   * when NTP keeps every clock within 100 ms: PayBridge does not survive them yet (docs/simulation.md).
   */
  wildClocks?: boolean;
  /** Large clock steps while operations run (off by default: PayBridge does not survive them yet, docs/simulation.md). */
  clockSteps?: boolean;
}

export interface SimResult {
  seed: number;
  ok: boolean;
  ops: number;
  steps: number;
  virtualMs: number;
  wallMs: number;
  digest: string;
  instances: number;
  violation?: { message: string; trace: string };
  /** Every kept trace line (the whole run, up to the ring's size). */
  dump: () => string;
  stats: Record<string, number>;
  config: string;
  /** The outcome tables' rows the run classified answers by. */
  coverage: Coverage;
}

type Method = 'click' | 'payme' | 'uzum' | 'humo' | 'uzcard';
const QR: readonly Method[] = ['click', 'payme', 'uzum'];

/** A till's (or an operator's) request, across all its attempts. */
interface Intent extends IntentView {
  method?: Method;
  key?: string;
  qr?: string;
  till: Till | null;
  /** What the request sends, attempt after attempt. */
  send: (app: SimApp, key: string | undefined) => Promise<Envelope>;
  outcome: 'open' | 'succeeded' | 'failed' | 'refused' | 'abandoned';
  attempts: Attempt[];
  /** What the till learnt of a payment it took: to give it back later. */
  paid?: { txId: string; paymentId: string | null; rrn: string | null; receipt: number | null; givenBack: boolean };
}

interface Attempt extends AttemptView {
  machine: Machine;
  done: boolean;
  gen: number;
  answer?: Envelope;
}

const settledOf = (e: Envelope): 'success' | 'failed' | 'open' | 'refused' => {
  if (e.is_success) return 'success';
  const err = (e.error ?? {}) as Record<string, unknown>;
  const status = String(err.give_back_status ?? err.transaction_status ?? '');
  if (status === 'failed') return 'failed';
  if (status === 'pending' || status === 'unknown' || err.data === 'OUTCOME_UNKNOWN' || err.code === 103 || Number(err.reserved_amount ?? 0) > 0 || err.idempotency_key !== undefined) return 'open';
  return 'refused';
};

export class Simulation {
  readonly world: World;
  readonly trace: Trace;
  readonly truth: Truth;
  readonly invariants: Invariants;
  readonly config: Config;
  readonly machines: Machine[] = [];
  private readonly dir: string;
  private readonly raw: SqlConnection;
  private readonly env: SimEnv;
  private readonly actors: Rng;
  private readonly chaosRng: Rng;
  private readonly tills: Till[] = [];
  readonly intents: Intent[] = [];
  ops = 0;
  mode: 'storm' | 'quiet' | 'done' = 'storm';
  private quietSince = 0;
  private nextQuietAt: number;
  private readonly faults = {
    on: true,
    writeFailure: new Map<string, { rate: number; until: number }>(),
    stalled: new Map<string, number>(),
    ambiguous: 0.002,
  };
  private readonly net: NetControl;
  /** The operator's last key, the request it was last used for, and every request it was ever used for. */
  private operatorKey: OperatorKey | undefined;
  readonly stats: Record<string, number> = {};
  readonly settleBoundMs: number;

  constructor(readonly options: SimOptions) {
    const seed = options.seed;
    this.world = new World(seed);
    const root = new Rng(seed, 1);
    this.actors = root.fork('actors');
    this.chaosRng = root.fork('chaos');
    this.config = simConfig(root.fork('config'));
    this.settleBoundMs = operationBounds(this.config).settle!.ms;
    const instances = options.instances ?? root.fork('instances').pick([1, 1, 2, 3]);
    this.trace = new Trace(options.traceLines ?? 20_000, this.world.now);
    this.truth = new Truth((e) => this.invariants.onMoney(e));
    this.dir = mkdtempSync(join(tmpdir(), 'paybridge-sim-'));
    const journalPath = join(this.dir, 'journal.sqlite');
    // The schema first, from a journal of its own, so that the simulator's connection finds it.
    new SqliteJournal({ path: journalPath, durability: 'memory' }).close();
    this.raw = openSqlite(journalPath);
    this.invariants = new Invariants(this.raw, this.truth);
    this.nextQuietAt = options.quietEvery ?? 2_500;
    this.net = {
      faults: true,
      proxyRetries: !!options.proxyRetries,
      weather: { click: 'calm', payme: 'calm', uzum: 'calm' },
      trace: (line) => this.note(line),
    };
    const providerEnv = (name: string): ProviderEnv => ({
      world: this.world,
      rng: root.fork(`provider-${name}`),
      truth: this.truth,
      faults: () => this.faults.on,
      notFoundAfterMs: this.config[name as ProviderName]!.not_found_after_ms,
      skewOf: (instance) => this.machines.find((m) => m.name === instance)?.skew ?? 0,
    });
    const journalFaults: JournalFaults = {
      writeFailure: (instance) => {
        const f = this.faults.writeFailure.get(instance);
        return this.faults.on && f && f.until > this.world.now ? f.rate : 0;
      },
      stalledUntil: (instance) => (this.faults.on ? (this.faults.stalled.get(instance) ?? 0) : 0),
      ambiguousCommit: () => (this.faults.on ? this.faults.ambiguous : 0),
    };
    const pinpadRng = root.fork('pinpads');
    this.env = {
      world: this.world,
      rng: root.fork('instances-rng'),
      config: this.config,
      journalPath,
      instances,
      net: this.net,
      providers: { click: new SimClick(providerEnv('click'), this.config.click!.partial_reversal), payme: new SimPayme(providerEnv('payme')), uzum: new SimUzum(providerEnv('uzum')) },
      pinpads: [
        new SimPinpad('humo-1', 'humo', this.world, pinpadRng.fork('humo'), this.truth, () => this.faults.on, (l) => this.note(l), 100_000_000_000),
        new SimPinpad('uzcard-1', 'uzcard', this.world, pinpadRng.fork('uzcard'), this.truth, () => this.faults.on, (l) => this.note(l), 200_000_000_000),
      ],
      journalFaults,
      observer: {
        rowNow: (id) => this.invariants.rowNow(id),
        transitioned: (gen, a, before, after) => this.invariants.transitioned(gen, a, before, after),
        created: (gen, tx, context) => this.invariants.created(gen, tx, context),
        ledgerTouched: (id) => this.invariants.ledgerTouched(id),
        trace: (line) => this.note(line),
      },
      faults: () => this.faults.on,
      journalClock: () => () => this.world.now,
      sending: (instance, op, what) => this.invariants.sending(instance, op, what),
      verdict: (gen, op, v) => {
        this.note(`${gen} learnt: ${op} ${v.outcome}${v.step ? ` (${v.step})` : ''}`);
        this.invariants.verdict(gen, op, v.outcome);
      },
    };
    for (let i = 1; i <= instances; i++) this.machines.push(new Machine(`pb${i}`));
    const tillCount = this.actors.range(2, 6);
    for (let i = 1; i <= tillCount; i++) this.tills.push(new Till(this, `till${i}`, this.machines[(i - 1) % instances]!, this.actors.fork(`till${i}`)));
  }

  note(line: string): void {
    this.trace.write(this.world.now, line);
  }

  count(stat: string, by = 1): void {
    this.stats[stat] = (this.stats[stat] ?? 0) + by;
  }

  describeConfig(): string {
    const c = this.config;
    const p = (name: 'click' | 'payme' | 'uzum') => {
      const x = c[name]!;
      return `${name}: poll ${x.poll_interval_ms}, deadline ${x.status_deadline_ms}, not-found-after ${x.not_found_after_ms}, timeouts ${x.timeouts.connect_ms}/${x.timeouts.response_ms}${name === 'click' ? `, partial reversal ${c.click!.partial_reversal}` : ''}`;
    };
    return [
      `instances ${this.machines.length}, tills ${this.tills.length}`,
      p('click'),
      p('payme'),
      p('uzum'),
      `recovery: interval ${c.recovery.interval_ms}, grace ${c.recovery.grace_ms}, claim ${c.recovery.claim_ms}; idempotency wait ${c.idempotency.wait_ms}; terminal queue ${c.terminals.queue_wait_ms}; longest settle ${this.settleBoundMs}`,
    ].join('\n  ');
  }

  // ---- processes

  private launch(m: Machine): void {
    const gen = m.nextGeneration();
    const app = new SimApp(this.env, m, gen);
    m.app = app;
    this.note(`${gen} starts (clock ${m.skew >= 0 ? '+' : ''}${m.skew} ms)`);
    // Hourly, as src/app.ts purges keys.
    app.clock.every(3_600_000, () => void app.idempotency.purge().catch(() => undefined));
    void app.start().catch((err: unknown) => this.note(`${gen} start failed: ${(err as Error).message}`));
  }

  crash(m: Machine, downMs: number, why = 'CRASHES (memory lost, journal kept)'): void {
    if (!m.gen?.alive) return;
    this.note(`${m.gen} ${why}; back in ${downMs} ms`);
    m.gen.alive = false;
    m.app!.kill();
    m.app = null;
    this.count('crashes');
    // Its clock may have been set while it was down.
    if (this.options.wildClocks && this.chaosRng.chance(0.3)) this.step(m, clockOffset(this.chaosRng, true));
    this.world.schedule(downMs, null, `${m.name} restarts`, () => {
      if (!m.alive && this.mode !== 'done') this.launch(m);
    });
  }

  /** Sets a machine's clock to `skew` off the true time (a step, forward or back). */
  private step(m: Machine, skew: number): void {
    const before = m.skew;
    m.skew = skew;
    if (m.skew < before) m.setBack.push({ at: this.world.now, ms: before - m.skew });
    if (m.skew !== before) this.note(`${m.name}'s clock steps ${m.skew - before >= 0 ? '+' : ''}${m.skew - before} ms (now ${m.skew >= 0 ? '+' : ''}${m.skew} ms off)${m.alive ? '' : ', while PayBridge is down'}`);
  }

  // ---- requests

  /** Sends one attempt of a request to a PayBridge; its answer (if its process lives to give one) is checked and handed to `then`. */
  attempt(intent: Intent, machine: Machine, retry: boolean, then: (a: Attempt) => void): void {
    this.ops++;
    const n = intent.attempts.length + 1;
    const context: AttemptContext = { intent: intent.n, attempt: n, ops: [], journalMs: 0, waiting: new Map() };
    this.invariants.attemptIntent.set(context, intent);
    const earlierEnded = intent.attempts.length > 0 && intent.attempts.every((a) => a.done || a.machine.gen?.n !== a.gen || !a.machine.alive);
    const bound = retry && intent.key !== undefined && earlierEnded && this.keyTiedToOperation(intent.key) ? this.settleBoundMs + 1_000 : undefined;
    const startedAt = this.world.now;
    const attempt: Attempt = { intent, n, startedAt, boundMs: bound, context, machine, done: false, gen: machine.gen?.n ?? 0, setBack: () => machine.setBackSince(startedAt, this.world.now) };
    intent.attempts.push(attempt);
    const app = machine.app;
    this.note(`${intent.label} #${intent.n} attempt ${n}${intent.key ? ` key ${intent.key}` : ''} → ${machine.alive && app?.listening ? machine.gen : `${machine.name} (down)`}${bound !== undefined ? ` [answer within ${bound} ms]` : ''}`);
    if (!app || !machine.alive || !app.listening) {
      // Connection refused: the till hears it at once, nothing reached PayBridge.
      this.world.schedule(this.actors.range(1, 20), null, `${intent.label} refused`, () => {
        attempt.done = true;
        attempt.answer = { data: null, error: { code: 0, message: 'ECONNREFUSED', data: null }, is_success: false };
        then(attempt);
      });
      return;
    }
    if (bound !== undefined) this.watch(attempt, bound);
    void attempts
      .run(context, () => intent.send(app, intent.key))
      .then((envelope) => {
        attempt.done = true;
        attempt.answer = envelope;
        this.note(`${intent.label} #${intent.n} attempt ${n} answered after ${this.world.now - attempt.startedAt} ms: ${JSON.stringify(envelope).slice(0, 400)}`);
        this.invariants.answered(attempt, envelope, this.world.now);
        then(attempt);
      });
  }

  /** A retry held to an answer within `bound` (plus its journal waits) is checked even if it never answers. */
  private watch(attempt: Attempt, bound: number): void {
    const allowance = () => bound + journalWait(attempt.context, this.world.now) + attempt.machine.setBackSince(attempt.startedAt, this.world.now);
    // Looked at again no sooner than a second later: while its journal waits, the allowance grows with the clock.
    this.world.schedule(Math.max(1_000, attempt.startedAt + allowance() + 1 - this.world.now), null, `watch ${attempt.intent.label} #${attempt.intent.n}`, () => {
      if (attempt.done || !attempt.machine.alive || attempt.machine.gen?.n !== attempt.gen) return;
      if (this.world.now - attempt.startedAt > allowance()) {
        this.invariants.fail(
          `till request #${attempt.intent.n} (${attempt.intent.label}), retry ${attempt.n} with its key after the first request had ended, has had no answer for ${((this.world.now - attempt.startedAt) / 1000).toFixed(1)} s — more than the longest settle (${(bound / 1000).toFixed(1)} s) plus its journal waits`,
          [...attempt.intent.ops],
        );
      } else this.watch(attempt, bound);
    });
  }

  private keyStatement: ReturnType<SqlConnection['prepare']> | undefined;

  private keyTiedToOperation(key: string): boolean {
    this.keyStatement ??= this.raw.prepare("SELECT transaction_id, state FROM idempotency_keys WHERE scope = ? AND key = ? AND state = 'in_progress'");
    const row = this.keyStatement.get(tillScope(this.config.instance), key) as { transaction_id: string | null } | undefined;
    return !!row?.transaction_id;
  }

  newIntent(partial: Omit<Intent, 'n' | 'ops' | 'charges' | 'attempts' | 'outcome'>): Intent {
    const intent: Intent = { ...partial, n: this.intents.length + 1, ops: new Set(), charges: 0, attempts: [], outcome: 'open' };
    this.intents.push(intent);
    if (intent.qr) this.invariants.codeIntent.set(intent.qr, intent);
    return intent;
  }

  liveMachine(rng: Rng): Machine | undefined {
    const live = this.machines.filter((m) => m.alive && m.app?.listening);
    return live.length ? rng.pick(live) : undefined;
  }

  // ---- the operator and the weather

  /** What waits for the operator: unknown operations and open conflicts (the attention list), oldest first. */
  private waiting(): string[] {
    this.waitingStatement ??= this.raw.prepare(
      `SELECT id FROM (SELECT id, created_at FROM transactions WHERE status IN ('pending', 'unknown') AND status = 'unknown'
                       UNION SELECT t.id, t.created_at FROM operation_conflicts c JOIN transactions t ON t.id = c.transaction_id WHERE c.state = 'open')
       ORDER BY created_at LIMIT 50`,
    );
    return (this.waitingStatement.all() as { id: string }[]).map((r) => r.id);
  }

  private waitingStatement: ReturnType<SqlConnection['prepare']> | undefined;
  private paidStatement: ReturnType<SqlConnection['prepare']> | undefined;

  private operatorActs(): void {
    const r = this.actors;
    // The longer the list, the sooner the operator works on it (as a shop's manager would).
    const backlog = this.mode === 'storm' ? this.waiting().length : 0;
    this.world.schedule(r.logUniform(1_000, 40_000) / (1 + backlog / 5), null, 'the operator', () => this.operatorActs());
    if (this.mode !== 'storm') return;
    const machine = this.liveMachine(r);
    if (!machine) return;
    /** `request`: what the key is for; the same request again with its key would be a retry, not a reuse. */
    const key = (request: string) => {
      if (!r.chance(0.7)) return undefined;
      const next = nextOperatorKey(this.operatorKey, request, r);
      this.operatorKey = next;
      return next.key;
    };
    const action = r.weighted([['resolve', 6 + backlog], ['refund', 3], ['settle', 2]] as const);
    if (action === 'settle') {
      const intent = this.newIntent({ kind: 'other', label: 'settle now', till: null, send: (app, k) => app.settleNow(k), key: key('settle now') });
      this.attempt(intent, machine, false, () => undefined);
      return;
    }
    if (action === 'resolve') {
      const rows = this.waiting();
      if (!rows.length) return;
      const id = r.pick(rows);
      const truth = this.truth.moved(id) ? 'succeeded' : 'failed';
      // An operator who misreads the cabinet, or reads it before it shows the give-back.
      const decision = r.chance(0.15) ? (truth === 'succeeded' ? 'failed' : 'succeeded') : truth;
      const body = { status: decision, operator: 'sim-operator', reason: decision === truth ? 'as the cabinet shows' : 'misread the cabinet' } as const;
      const intent = this.newIntent({ kind: 'resolve', label: `resolve ${id} as ${decision}`, target: id, decision, till: null, key: key(`resolve ${id} ${JSON.stringify(body)}`), send: (app, k) => app.resolve(id, body, k) });
      this.count(decision === truth ? 'operator_resolves' : 'operator_mistakes');
      this.attempt(intent, machine, false, (a) => this.operatorRetry(intent, a));
      return;
    }
    this.paidStatement ??= this.raw.prepare("SELECT id, amount, method FROM transactions WHERE status = 'succeeded' AND kind = 'payment' ORDER BY created_at DESC LIMIT 50");
    const rows = this.paidStatement.all() as { id: string; amount: number; method: string }[];
    if (!rows.length) return;
    const payment = r.pick(rows);
    const amount = r.chance(0.5) ? undefined : Math.max(1, Math.floor((payment.amount * r.range(1, 100)) / 100));
    const intent = this.newIntent({
      kind: 'give_back',
      label: `operator refund of ${payment.id}${amount ? ` (${amount})` : ''}`,
      target: payment.id,
      till: null,
      key: key(`refund ${payment.id} ${amount ?? 'all'}`),
      send: (app, k) => app.refund(payment.id, { ...(amount ? { amount } : {}), operator: 'sim-operator' }, k),
    });
    this.attempt(intent, machine, false, (a) => this.operatorRetry(intent, a));
  }

  private operatorRetry(intent: Intent, a: Attempt): void {
    if (!a.answer || settledOf(a.answer) !== 'open' || intent.key === undefined || intent.attempts.length >= 3 || this.mode === 'done') return;
    this.world.schedule(this.actors.logUniform(1_000, 60_000), null, `operator retries #${intent.n}`, () => {
      const machine = this.liveMachine(this.actors);
      if (machine && this.mode !== 'done') this.attempt(intent, machine, true, (next) => this.operatorRetry(intent, next));
    });
  }

  private chaos(): void {
    const r = this.chaosRng;
    this.world.schedule(r.logUniform(500, 60_000), null, 'chaos', () => this.chaos());
    if (this.mode !== 'storm') return;
    this.ops++;
    const m = r.pick(this.machines);
    const action = r.weighted([['crash', 3], ['jump', 3], ['disk', 1], ['stall', 2], ['pause', 2], ['weather', 3]] as const);
    switch (action) {
      case 'crash':
        this.crash(m, r.logUniform(50, 60_000));
        return;
      case 'jump': {
        // While PayBridge runs its clock is stepped by little (NTP slews and steps by fractions of a
        // second; by default every offset stays within 100 ms); with --wild-clocks a large step comes
        // with a restart (a clock set while the service was down), and with --clock-steps under
        // running operations too (docs/simulation.md).
        const wild = !!this.options.wildClocks;
        this.step(m, this.options.clockSteps || !m.alive ? clockOffset(r, wild) : wild ? m.skew + (r.chance(0.5) ? 1 : -1) * r.range(1, 100) : clockOffset(r, false));
        this.count('clock_jumps');
        return;
      }
      case 'disk': {
        const rate = r.pick([0.2, 0.5, 1]);
        const ms = r.logUniform(100, 10_000);
        this.faults.writeFailure.set(m.name, { rate, until: this.world.now + ms });
        this.count('journal_fault_periods');
        this.note(`${m.name}'s journal fails ${Math.round(rate * 100)}% of writes for ${ms} ms`);
        return;
      }
      case 'stall': {
        const ms = r.logUniform(100, 60_000);
        this.faults.stalled.set(m.name, this.world.now + ms);
        this.count('journal_stalls');
        this.note(`${m.name}'s journal stalls for ${ms} ms`);
        return;
      }
      case 'pause': {
        // The whole process frozen (a long GC pause, a suspended VM): its claims may lapse meanwhile,
        // and it carries on afterwards as if nothing happened — the fence's reason to be.
        if (!m.gen?.alive) return;
        const ms = r.logUniform(100, 60_000);
        m.gen.pausedUntil = Math.max(m.gen.pausedUntil, this.world.now + ms);
        m.frozen.push({ from: this.world.now, until: this.world.now + ms });
        this.count('pauses');
        this.note(`${m.gen} is frozen for ${ms} ms`);
        return;
      }
      case 'weather': {
        const p = r.pick(['click', 'payme', 'uzum'] as const);
        const w: Weather = r.weighted([['calm', 6], ['flaky', 3], ['down', 1]] as const);
        this.net.weather[p] = w;
        this.note(`${p}'s network is ${w} now`);
        return;
      }
    }
  }

  // ---- quiet periods

  private enterQuiet(final: boolean): void {
    this.mode = 'quiet';
    this.quietSince = this.world.now;
    this.faults.on = false;
    this.net.faults = false;
    this.faults.stalled.clear();
    this.faults.writeFailure.clear();
    this.net.weather = { click: 'calm', payme: 'calm', uzum: 'calm' };
    for (const m of this.machines) {
      // An operator sets a clock far off right (Uzum and CLICK refuse one, and nothing would settle),
      // and restarts PayBridge with it; every process is up for the quiet period.
      if (Math.abs(m.skew) > 100) {
        if (m.alive) this.crash(m, 0, 'restarted by an operator who set its clock right');
        this.step(m, clockOffset(this.chaosRng, false));
      }
      if (!m.alive) this.launch(m);
    }
    this.note(`QUIET${final ? ' (final)' : ''}: faults off, clocks right, every process up; waiting for everything to settle`);
    this.count('quiet_periods');
    this.pollQuiet(final);
  }

  private quietCapMs(): number {
    const c = this.config.recovery;
    return c.grace_ms + (this.machines.length > 1 ? c.claim_ms : 0) + 4 * c.interval_ms + 3 * this.settleBoundMs + 10 * this.config.idempotency.wait_ms + 300_000;
  }

  private pollQuiet(final: boolean): void {
    this.world.schedule(2_000, null, 'quiet check', () => {
      const busy = this.intents.some((i) => i.attempts.some((a) => !a.done && a.machine.alive && a.machine.gen?.n === a.gen));
      const waiting = this.tills.some((t) => t.intent && t.intent.outcome === 'open');
      const { open } = this.invariants.quiet(false);
      const over = this.world.now - this.quietSince > this.quietCapMs();
      if (!over && (busy || waiting || open.length > 0)) return this.pollQuiet(final);
      const { rows } = this.invariants.quiet(true);
      this.note(`quiet check: ${rows} journal rows agree with the providers' and the bank's ledgers${over ? ' (at the cap)' : ''}`);
      if (final) {
        this.mode = 'done';
        return;
      }
      this.mode = 'storm';
      this.faults.on = true;
      this.net.faults = true;
      this.nextQuietAt = this.ops + (this.options.quietEvery ?? 2_500);
    });
  }

  // ---- the run

  async run(): Promise<SimResult> {
    const started = performance.now();
    resetCoverage();
    const restore = guardNondeterminism(this);
    let error: unknown;
    try {
      for (const m of this.machines) {
        m.skew = clockOffset(this.chaosRng, !!this.options.wildClocks);
        this.launch(m);
      }
      for (const t of this.tills) t.start();
      this.world.schedule(this.actors.logUniform(1_000, 30_000), null, 'the operator', () => this.operatorActs());
      this.world.schedule(this.chaosRng.logUniform(1_000, 30_000), null, 'chaos', () => this.chaos());
      let lastReport = performance.now();
      while (this.mode !== 'done' && !this.invariants.violation) {
        if (this.mode === 'storm' && this.ops >= this.options.ops) this.enterQuiet(true);
        else if (this.mode === 'storm' && this.ops >= this.nextQuietAt) this.enterQuiet(false);
        const event = this.world.take();
        if (!event) {
          this.invariants.fail('the simulation ran out of events: every process waits on something that never comes', []);
          break;
        }
        event.fn();
        await drain(() => JournalProxy.inFlight);
        if (this.options.progress && performance.now() - lastReport > 5_000) {
          lastReport = performance.now();
          process.stderr.write(`  ${this.ops} ops, ${this.world.steps} events, ${((this.world.now - this.trace.startTime) / 3_600_000).toFixed(2)} virtual h, ${Math.round(this.ops / ((performance.now() - started) / 1000))} ops/s\n`);
        }
      }
    } catch (err) {
      error = err;
    } finally {
      restore();
    }
    for (const m of this.machines) if (m.gen) m.gen.alive = false;
    for (const m of this.machines) m.app?.kill();
    // Let the last group commits end before the files go.
    await new Promise((resolve) => setImmediate(resolve));
    this.raw.close();
    rmSync(this.dir, { recursive: true, force: true });
    const violation = this.invariants.violation ?? (error ? new Violation(`the simulator itself failed: ${(error as Error).stack ?? String(error)}`, []) : null);
    const wallMs = performance.now() - started;
    return {
      seed: this.options.seed,
      ok: !violation,
      ops: this.ops,
      steps: this.world.steps,
      virtualMs: this.world.now - this.trace.startTime,
      wallMs,
      digest: this.trace.digest,
      instances: this.machines.length,
      ...(violation ? { violation: { message: short(violation.message), trace: this.trace.render(violation.about, 60) } } : {}),
      dump: () => this.trace.dump(),
      stats: { ...this.stats, ...Object.fromEntries(Object.entries(this.invariants.checks).map(([k, v]) => [`checks_${k}`, v])), intents: this.intents.length },
      config: this.describeConfig(),
      coverage: coverage(),
    };
  }
}

/**
 * Where a computer's clock stands against the true time. By default the clocks are kept by NTP:
 * within 100 ms of the true time, so that any two (and one before and after a step) differ by less
 * than the shortest poll interval (250 ms) — what PayBridge's cross-process comparisons of time need
 * today (docs/simulation.md). With `wild`: mostly within 2 s, sometimes a minute off, now and then
 * several (at most 4.5 minutes, within the 10-minute QR retry window of each other), rarely a badly
 * set clock 20 minutes off. A jump draws a new offset; offsets do not add up.
 */
function clockOffset(r: Rng, wild: boolean): number {
  const sign = r.chance(0.5) ? 1 : -1;
  if (!wild) return sign * r.range(0, 100);
  return sign * r.weighted([
    [r.range(0, 2_000), 70],
    [r.range(2_000, 60_000), 20],
    [r.range(60_000, 270_000), 8],
    [r.range(270_000, 1_200_000), 2],
  ] as const);
}

// ------------------------------------------------------------------------------------------ tills

/**
 * A till and its cashier: one customer at a time — a payment by QR code or card, a cancel or
 * refund of a payment it took, a fiscal receipt — with or without an Idempotency-Key. An answer
 * that leaves the outcome open is asked again (the same key, or the same QR code and amount without
 * one); an answer that takes too long is given up on and asked again while the first may still run.
 */
class Till {
  intent: Intent | null = null;
  private readonly paid: Intent[] = [];
  private readonly timeoutMs: number;

  constructor(
    private readonly sim: Simulation,
    readonly name: string,
    private readonly home: Machine,
    private readonly rng: Rng,
  ) {
    // Mostly longer than the longest operation PayBridge may take (a till configured as docs say),
    // sometimes shorter: then it asks again while the first request still runs, and waits on it.
    const operation = operationBounds(sim.config).operation!.ms;
    this.timeoutMs = rng.chance(0.9) ? Math.ceil(operation * 1.2) : rng.pick([30_000, 60_000]);
  }

  start(): void {
    this.sim.world.schedule(this.rng.logUniform(10, 5_000), null, `${this.name} acts`, () => this.act());
  }

  private machine(): Machine {
    const others = this.sim.machines.filter((m) => m !== this.home);
    return others.length && this.rng.chance(0.25) ? this.rng.pick(others) : this.home;
  }

  private act(): void {
    const { sim, rng } = this;
    sim.world.schedule(rng.logUniform(200, 20_000), null, `${this.name} acts`, () => this.act());
    if (sim.mode === 'done') return;
    const intent = this.intent;
    if (intent && intent.outcome === 'open') return this.followUp(intent);
    if (sim.mode !== 'storm') return;
    this.intent = this.begin();
    if (this.intent) sim.attempt(this.intent, this.machine(), false, (a) => this.answered(this.intent!, a));
  }

  /** The next customer. */
  private begin(): Intent | null {
    const { sim, rng } = this;
    const candidates = this.paid.filter((p) => p.paid && !p.paid.givenBack);
    const what = rng.weighted([
      ['pay', 6],
      ['give_back', candidates.length ? 3 : 0],
      ['fiscal', candidates.some((p) => QR.includes(p.method!)) ? 1 : 0],
    ] as const);
    if (what === 'pay') {
      const method = rng.weighted<Method>([['click', 3], ['payme', 3], ['uzum', 2], ['humo', 1], ['uzcard', 1]]);
      const amount = rng.chance(0.8) ? rng.range(1, 5_000) * 100 : rng.range(100, 500_000);
      const key = rng.chance(0.7) ? `${this.name}-${rng.hex(10)}` : undefined;
      if (QR.includes(method)) {
        const qr = qrCode(rng);
        const m = method as 'click' | 'payme' | 'uzum';
        return sim.newIntent({ kind: 'pay', label: `${this.name} pays ${amount} by ${method}`, method, amount, qr, key, till: this, send: (app, k) => app.payQr(m, { amount, qr_code: qr }, k) });
      }
      const m = method as 'humo' | 'uzcard';
      return sim.newIntent({ kind: 'pay', label: `${this.name} pays ${amount} by ${method}`, method, amount, key, till: this, send: (app, k) => app.card(m, { amount }, k) });
    }
    const payment = rng.pick(what === 'fiscal' ? candidates.filter((p) => QR.includes(p.method!)) : candidates);
    const p = payment.paid!;
    if (what === 'fiscal') {
      const m = payment.method as 'click' | 'payme' | 'uzum';
      const body = { payment_id: p.paymentId ?? '', qr_code: `https://ofd.soliq.uz/check?t=EP000000000123&r=${rng.range(1, 99_999)}&c=20261126235000&s=512345678901` };
      return sim.newIntent({ kind: 'other', label: `${this.name} hands over the receipt of ${p.txId}`, till: this, key: rng.chance(0.5) ? `${this.name}-${rng.hex(10)}` : undefined, send: (app, k) => app.fiscalQr(m, body, k) });
    }
    p.givenBack = true;
    const key = rng.chance(0.7) ? `${this.name}-${rng.hex(10)}` : undefined;
    const whole = payment.amount!;
    const label = `${this.name} gives back ${p.txId}`;
    if (payment.method === 'humo') {
      const ref = rng.chance(0.5) && p.rrn ? p.rrn : String(p.receipt ?? p.rrn);
      return sim.newIntent({ kind: 'give_back', label, target: p.txId, amount: whole, till: this, key, send: (app, k) => app.card('humo', { amount: whole, request_id: ref, is_return: true }, k) });
    }
    if (payment.method === 'uzcard') {
      const amount = rng.chance(0.5) ? whole : rng.range(1, whole);
      return sim.newIntent({ kind: 'give_back', label, target: p.txId, amount, till: this, key, send: (app, k) => app.card('uzcard', { amount, request_id: p.rrn ?? '000000000000', is_return: true }, k) });
    }
    const m = payment.method as 'click' | 'payme' | 'uzum';
    const amount = rng.chance(0.6) ? undefined : rng.range(1, whole);
    const by = rng.chance(0.7) || !p.paymentId ? { transaction_id: p.txId } : { payment_id: p.paymentId };
    return sim.newIntent({ kind: 'give_back', label, target: p.txId, amount, till: this, key, send: (app, k) => app.cancelQr(m, { ...by, ...(amount ? { amount } : {}) }, k) });
  }

  /** An open request: asked again when its last answer left it open, or when the till gave up waiting. */
  private followUp(intent: Intent): void {
    const { sim, rng } = this;
    const running = intent.attempts.filter((a) => !a.done);
    const last = intent.attempts.at(-1)!;
    if (running.length && sim.world.now - running[0]!.startedAt < this.timeoutMs) return;
    if (intent.attempts.length >= 8) {
      intent.outcome = 'abandoned';
      sim.note(`${intent.label} #${intent.n}: given up after ${intent.attempts.length} attempts (left to an operator)`);
      sim.count('abandoned');
      return;
    }
    // A card payment without a key is never sent again: it would be another sale.
    const cardWithoutKey = intent.key === undefined && (intent.method === 'humo' || intent.method === 'uzcard');
    const giveBackWithoutKey = intent.key === undefined && intent.kind === 'give_back';
    if ((cardWithoutKey || giveBackWithoutKey) && (last.done || running.length)) {
      if (!giveBackWithoutKey || rng.chance(0.7)) {
        intent.outcome = 'abandoned';
        sim.count('abandoned');
        return;
      }
    }
    sim.attempt(intent, this.machine(), true, (a) => this.answered(intent, a));
  }

  private answered(intent: Intent, a: Attempt): void {
    if (intent.outcome !== 'open' || !a.answer) return;
    const settled = settledOf(a.answer);
    if (settled === 'open') return;
    if (settled === 'success') {
      intent.outcome = 'succeeded';
      this.sim.count(`${intent.kind}_succeeded`);
      if (intent.kind === 'pay') {
        const d = a.answer.data as Record<string, unknown>;
        intent.paid = {
          txId: String(d.transaction_id),
          paymentId: typeof d.payment_id === 'string' ? d.payment_id : null,
          rrn: typeof d.ppt_id === 'string' ? d.ppt_id : null,
          receipt: typeof d.receipt_number === 'number' ? d.receipt_number : null,
          givenBack: false,
        };
        this.paid.push(intent);
        if (this.paid.length > 30) this.paid.shift();
      }
      return;
    }
    intent.outcome = settled;
    this.sim.count(`${intent.kind}_${settled}`);
  }
}

// --------------------------------------------------------------------------------- determinism

/**
 * Everything random or timed in the production code must come from the simulator: UUIDs are drawn
 * from a counter (and read back short in the trace), and the computer's clock and Math.random are
 * refused while the simulation runs — a simulated path that reaches for them fails the run, since
 * it could not be replayed.
 */
function guardNondeterminism(sim: Simulation): () => void {
  const c = crypto as unknown as { randomUUID: () => string };
  const originalUuid = c.randomUUID;
  const originalNow = Date.now;
  const originalRandom = Math.random;
  let n = 0;
  c.randomUUID = () => `5e1d0000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
  syncBuiltinESMExports();
  // Production code reaching for them fails the run; anything else (a test runner's own bookkeeping) is let be.
  const fromProduction = (stack: string | undefined) => /[\\/]src[\\/]/.test(stack?.split('\n').slice(2, 4).join('\n') ?? '');
  Date.now = () => {
    const stack = new Error().stack;
    if (!fromProduction(stack)) return originalNow();
    sim.invariants.fail(`a simulated path read the computer's clock (Date.now), which no seed replays:\n${stack}`, []);
    return sim.world.now;
  };
  Math.random = () => {
    const stack = new Error().stack;
    if (!fromProduction(stack)) return originalRandom();
    sim.invariants.fail(`a simulated path called Math.random, which no seed replays:\n${stack}`, []);
    return 0.5;
  };
  return () => {
    c.randomUUID = originalUuid;
    syncBuiltinESMExports();
    Date.now = originalNow;
    Math.random = originalRandom;
  };
}

/** A console's key: the request it was last used for, and every request it was used for (`used`). */
export interface OperatorKey {
  key: string;
  request: string;
  used: ReadonlySet<string>;
}

/**
 * The key an operator's console sends with `request`: a new one, or — now and then — its last key
 * reused for another request (another transaction's decision or refund: issue #24, defect 3).
 *
 * Never for a request that key was already used for, even an earlier one than the last: to PayBridge
 * the same key with the same request is a retry of it, rightly answered with that request's answer
 * (seed 1413041475: a key used to refund t83602, then reused to refund t83325 — refused, 106 — then
 * for the same refund of t83602 again, was answered with the first refund's give-back, which the
 * checker, holding the two refunds of t83602 for separate requests, took for another request's). The
 * random draws are those of the last-request rule this replaces, so every other run takes the same
 * path as before.
 */
export function nextOperatorKey(last: OperatorKey | undefined, request: string, r: Pick<Rng, 'chance' | 'hex'>): OperatorKey {
  const reuse = !!last && last.request !== request && r.chance(0.2) && !last.used.has(request);
  if (reuse) return { key: last.key, request, used: new Set([...last.used, request]) };
  return { key: `op-${r.hex(12)}`, request, used: new Set([request]) };
}
