import { createRequire } from 'node:module';
import type * as PromClient from 'prom-client';
import type { Journal } from '../payments/ports/journal.js';
import { PAYMENT_METHODS, QR_METHODS } from '../payments/transaction.js';
import { DISCREPANCY_KINDS } from '../payments/wallet-records.js';
import type { CallObserver } from '../providers/http-transport.js';
import type { TerminalDriver } from '../payments/ports/terminal.js';
import { observeDriver } from '../terminals/link-state.js';

export interface TerminalGaugeSource {
  id: string;
  method: string;
  queue: { depth: number; isBusy: boolean };
}

/**
 * prom-client's parts, each from its own file: its index also loads what PayBridge never uses
 * (Summary, the Pushgateway, cluster aggregation) and the default process metrics, which bring
 * @opentelemetry/api, about 90 files in all (docs/performance.md, 4). The process metrics are loaded
 * by the first scrape (see `exposition`).
 */
const requireHere = createRequire(import.meta.url);
const Registry = requireHere('prom-client/lib/registry') as typeof PromClient.Registry;
const Counter = requireHere('prom-client/lib/counter') as typeof PromClient.Counter;
const Gauge = requireHere('prom-client/lib/gauge') as typeof PromClient.Gauge;
const Histogram = requireHere('prom-client/lib/histogram') as typeof PromClient.Histogram;
type Counter<T extends string> = PromClient.Counter<T>;
type Histogram<T extends string> = PromClient.Histogram<T>;

const CPU_COUNTERS = [
  ['paybridge_process_cpu_user_seconds_total', 'user'],
  ['paybridge_process_cpu_system_seconds_total', 'system'],
  ['paybridge_process_cpu_seconds_total', 'both'],
] as const;

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
// A pinpad operation waits for the customer: seconds to minutes.
const TERMINAL_BUCKETS = [0.05, 0.25, 1, 2.5, 5, 10, 20, 30, 60, 120, 180];

/**
 * PayBridge's Prometheus metrics, one registry per instance (tests run several in one process).
 * Open payments and hand-offs are read from the journal at scrape time, so they are right after a
 * restart too; counters start at zero with the process, as Prometheus expects.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests: Counter<'route' | 'method' | 'outcome'>;
  readonly httpDuration: Histogram<'route' | 'method'>;
  readonly payments: Counter<'method' | 'kind' | 'status'>;
  readonly providerLatency: Histogram<'provider' | 'outcome'>;
  readonly terminalLatency: Histogram<'terminal' | 'operation' | 'outcome'>;
  readonly proofs: Counter<'kind' | 'journaled'>;
  /** Proofs held in memory because the journal did not take them: set by the engine's owner. */
  proofsHeld: () => number = () => 0;
  /** The differences of the newest wallet reconciliation of each recent shop day: set by the app. */
  walletDiscrepancies: () => Promise<readonly { kind: string; method: string }[]> = async () => [];
  readonly walletReconciliations: Counter<'result'>;

  private processMetrics = false;

  /**
   * The Prometheus text of every metric. The process's own metrics (paybridge_process_*,
   * paybridge_nodejs_*) are registered by the first scrape: the CPU counters are then given the CPU
   * time the process used until then, so they count from the process's start; the event-loop lag
   * and garbage-collection histograms observe from the first scrape on, which a rate() between
   * scrapes cannot tell apart.
   */
  async exposition(): Promise<string> {
    if (!this.processMetrics) {
      this.processMetrics = true;
      const before = process.cpuUsage();
      (requireHere('prom-client/lib/defaultMetrics') as typeof PromClient.collectDefaultMetrics)({ register: this.registry, prefix: 'paybridge_' });
      for (const [name, part] of CPU_COUNTERS) {
        const micros = part === 'user' ? before.user : part === 'system' ? before.system : before.user + before.system;
        (this.registry.getSingleMetric(name) as Counter<string> | undefined)?.inc(micros / 1e6);
      }
    }
    return this.registry.metrics();
  }

  constructor(journal: Journal, terminals: readonly TerminalGaugeSource[]) {
    const registers = [this.registry];
    this.httpRequests = new Counter({
      name: 'paybridge_http_requests_total',
      help: 'Requests answered, by route and outcome (ok, or error_<code> from the envelope).',
      labelNames: ['route', 'method', 'outcome'],
      registers,
    });
    this.httpDuration = new Histogram({
      name: 'paybridge_http_request_duration_seconds',
      help: 'Time to answer a request, by route.',
      labelNames: ['route', 'method'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.payments = new Counter({
      name: 'paybridge_transactions_total',
      help: 'Transactions reaching a status (pending when journaled), by method and kind (payment, cancel, refund).',
      labelNames: ['method', 'kind', 'status'],
      registers,
    });
    this.providerLatency = new Histogram({
      name: 'paybridge_provider_request_duration_seconds',
      help: 'One HTTP call to Click, Payme or Uzum, by provider and outcome (2xx…5xx, error).',
      labelNames: ['provider', 'outcome'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.terminalLatency = new Histogram({
      name: 'paybridge_terminal_operation_duration_seconds',
      help: 'One pinpad operation, the customer included, by terminal, operation and outcome (answered, error).',
      labelNames: ['terminal', 'operation', 'outcome'],
      buckets: TERMINAL_BUCKETS,
      registers,
    });
    new Gauge({
      name: 'paybridge_open_transactions',
      help: 'Transactions still pending or unknown (unknown: waiting for recovery or an operator), by method.',
      labelNames: ['method', 'status'],
      registers,
      async collect() {
        this.reset();
        const counts = await journal.openCounts();
        for (const method of PAYMENT_METHODS) for (const status of ['pending', 'unknown']) this.set({ method, status }, 0);
        for (const t of counts.transactions) this.set({ method: t.method, status: t.status }, t.count);
      },
    });
    this.proofs = new Counter({
      name: 'paybridge_conflicts_total',
      help: 'Verdicts proving money moved that could not be written as the operation\'s state (contradicted: someone else settled it otherwise; unrecorded: the writer had lost its claim, or the journal failed), by whether the journal took the proof (true) or it is held in memory (false).',
      labelNames: ['kind', 'journaled'],
      registers,
    });
    const metrics = this;
    new Gauge({
      name: 'paybridge_open_conflicts',
      help: 'Proofs of money moved that an operator must decide (GET /payment/attention), journaled or still held in memory.',
      registers,
      async collect() {
        this.set((await journal.openCounts()).conflictsOpen + metrics.proofsHeld());
      },
    });
    new Gauge({
      name: 'paybridge_wallet_discrepancies',
      help: 'Differences between the journal and the wallets’ own records, by kind and method, in the newest wallet reconciliation of each of the last 7 shop days (GET /payment/reconciliation/wallets).',
      labelNames: ['kind', 'method'],
      registers,
      async collect() {
        this.reset();
        for (const kind of DISCREPANCY_KINDS) for (const method of QR_METHODS) this.set({ kind, method }, 0);
        for (const d of await metrics.walletDiscrepancies()) this.inc({ kind: d.kind, method: d.method });
      },
    });
    this.walletReconciliations = new Counter({
      name: 'paybridge_wallet_reconciliations_total',
      help: 'Wallet reconciliations finished by this process, by result (match, discrepancies, not_confirmed).',
      labelNames: ['result'],
      registers,
    });
    // Set only for a journal on a local volume (SQLite); absent for PostgreSQL.
    new Gauge({
      name: 'paybridge_journal_free_bytes',
      help: "Bytes free on the SQLite journal's volume (what PayBridge may use).",
      registers,
      async collect() {
        this.reset();
        const space = await journal.freeSpace?.().catch(() => undefined);
        if (space) this.set(space.freeBytes);
      },
    });
    new Gauge({
      name: 'paybridge_journal_low_space',
      help: "1 while the free space on the SQLite journal's volume is below journal.low_space_mb: free some before payments are refused.",
      registers,
      async collect() {
        this.reset();
        const space = await journal.freeSpace?.().catch(() => undefined);
        if (space) this.set(space.low ? 1 : 0);
      },
    });
    new Gauge({
      name: 'paybridge_fiscal_handoffs_pending',
      help: 'Fiscal receipts not yet delivered to Click, Payme or Uzum.',
      registers,
      async collect() {
        this.set((await journal.openCounts()).handoffsPending);
      },
    });
    new Gauge({
      name: 'paybridge_terminal_queue_depth',
      help: 'Requests waiting for a terminal (the one at the pinpad not counted).',
      labelNames: ['terminal', 'method'],
      registers,
      collect() {
        for (const t of terminals) this.set({ terminal: t.id, method: t.method }, t.queue.depth);
      },
    });
    new Gauge({
      name: 'paybridge_terminal_busy',
      help: '1 while an operation is at the terminal.',
      labelNames: ['terminal', 'method'],
      registers,
      collect() {
        for (const t of terminals) this.set({ terminal: t.id, method: t.method }, t.queue.isBusy ? 1 : 0);
      },
    });
  }

  /** A proof kept as a conflict (journaled), or held in memory until the journal takes it. */
  proofKept(kind: string, journaled: boolean): void {
    this.proofs.inc({ kind, journaled: String(journaled) });
  }

  providerObserver(provider: string): CallObserver {
    return (seconds, outcome) => this.providerLatency.observe({ provider, outcome }, seconds);
  }

  /** The driver, with each operation timed. */
  timedDriver(terminal: string, driver: TerminalDriver): TerminalDriver {
    return observeDriver(driver, (operation, startedAt, error) =>
      this.terminalLatency.observe({ terminal, operation, outcome: error === undefined ? 'answered' : 'error' }, (performance.now() - startedAt) / 1000),
    );
  }

  /** The journal, counting every status a transaction reaches. */
  countingJournal(journal: Journal): Journal {
    const payments = this.payments;
    return new Proxy(journal, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver) as unknown;
        if (property === 'insert') {
          return async (...args: Parameters<Journal['insert']>) => {
            const tx = await target.insert(...args);
            payments.inc({ method: tx.method, kind: tx.kind, status: tx.status });
            return tx;
          };
        }
        if (property === 'insertQrPayment') {
          return async (...args: Parameters<Journal['insertQrPayment']>) => {
            const result = await target.insertQrPayment(...args);
            if (result.created) payments.inc({ method: result.transaction.method, kind: result.transaction.kind, status: result.transaction.status });
            return result;
          };
        }
        if (property === 'reserveGiveBack') {
          return async (...args: Parameters<Journal['reserveGiveBack']>) => {
            const result = await target.reserveGiveBack(...args);
            payments.inc({ method: result.giveBack.method, kind: result.giveBack.kind, status: result.giveBack.status });
            return result;
          };
        }
        if (property === 'transition') {
          return async (...args: Parameters<Journal['transition']>) => {
            const tx = await target.transition(...args);
            if (args[1] !== args[2]) payments.inc({ method: tx.method, kind: tx.kind, status: tx.status });
            return tx;
          };
        }
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  }
}
