import type { ChildProcess } from 'node:child_process';
import type { Figure } from './report.js';

/** What bench/lib/work-counter.mjs counted inside a PayBridge process since it started. */
export interface WorkCounts {
  /** Every SQL statement executed (prepared statements' run/get/all/iterate, and exec calls). */
  statements: number;
  /** COMMITs: with synchronous=FULL one fsync of the WAL each; with the WAL synced off the event loop, none (see walSyncs). */
  commits: number;
  /** fdatasyncs of the WAL on libuv's thread pool, each making every COMMIT before it durable (0 with synchronous=FULL). */
  walSyncs: number;
  begins: number;
  /** SAVEPOINTs: the group commit puts each write in one only when a batch is run again after a failed write. */
  savepoints: number;
  rollbacks: number;
  /** Journal writes, as the group commit publishes them: each one durable before its caller goes on. */
  journalWrites: number;
  /** Lines and bytes written to stdout, where pino writes one line per log record. */
  logLines: number;
  logBytes: number;
  /** process.cpuUsage(), user + system. */
  cpuMicros: number;
  /** Bytes allocated on the V8 heap. */
  heapBytes: number;
  httpRequests: number;
  /** Requests received and not yet answered (or given up by their client). */
  httpInFlight: number;
  /** The SQLite bindings the counter could hook. */
  hooked: string[];
}

const COUNTED = ['statements', 'commits', 'walSyncs', 'begins', 'savepoints', 'rollbacks', 'journalWrites', 'logLines', 'logBytes', 'cpuMicros', 'heapBytes', 'httpRequests'] as const;
export type WorkDelta = Record<(typeof COUNTED)[number], number>;

/**
 * One question to the work counter over the IPC channel: `request` sent, the first message of the
 * same type that `pick` takes an answer from (`{ value }`) resolves it; 30 s without one rejects.
 */
function askCounter<T>(child: ChildProcess, request: { type: string; [field: string]: unknown }, what: string, pick: (message: Record<string, unknown>) => { value: T } | undefined): Promise<T> {
  return new Promise((resolve, reject) => {
    if (!child.send || !child.connected) return reject(new Error('PayBridge was not started with the work counter (no IPC channel)'));
    const timer = setTimeout(() => {
      child.off('message', onMessage);
      reject(new Error(`PayBridge did not report ${what} within 30 s`));
    }, 30_000);
    const onMessage = (message: unknown) => {
      const m = message as Record<string, unknown> | null;
      const answer = m?.type === request.type ? pick(m) : undefined;
      if (!answer) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(answer.value);
    };
    child.on('message', onMessage);
    child.send(request);
  });
}

/** Asks the process (started with the counter and an IPC channel) for its counts. */
export function readWork(child: ChildProcess): Promise<WorkCounts> {
  return askCounter(child, { type: 'paybridge-bench-counts' }, 'its work counts', (m) => (m.counts ? { value: m.counts as WorkCounts } : undefined));
}

export function workBetween(before: WorkCounts, after: WorkCounts): WorkDelta {
  return Object.fromEntries(COUNTED.map((k) => [k, after[k] - before[k]])) as WorkDelta;
}

/** The sum of a Prometheus counter's samples whose labels include all of `labels`. */
export function metricSum(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const open = line.indexOf('{');
    const labelText = open === name.length ? line.slice(open + 1, line.indexOf('}')) : '';
    if (Object.entries(labels).every(([k, v]) => labelText.includes(`${k}="${v}"`))) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

/** What PayBridge says it did: payments recorded as succeeded and calls made to CLICK. */
export interface PaymentTally {
  payments: number;
  providerCalls: number;
}

export async function paymentTally(baseUrl: string): Promise<PaymentTally> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  return {
    payments: metricSum(text, 'paybridge_transactions_total', { method: 'click', kind: 'payment', status: 'succeeded' }),
    providerCalls: metricSum(text, 'paybridge_provider_request_duration_seconds_count', { provider: 'click' }),
  };
}

/** A measured phase: the counts and the tally before it, and a function that closes it. */
export interface WorkProbe {
  end(): Promise<PaymentWork>;
}

export interface PaymentWork {
  payments: number;
  providerCalls: number;
  work: WorkDelta;
  hooked: string[];
}

/** The event loop's delay over a phase, from the work counter: 'start' opens the phase, 'stop' closes it and gives its figures (ms). */
export function loopDelay(child: ChildProcess, action: 'start' | 'stop'): Promise<LoopDelay | null> {
  return askCounter(child, { type: 'paybridge-bench-loop-delay', action }, 'its event-loop delay', (m) => ({ value: (m.delay as LoopDelay | null | undefined) ?? null }));
}

export interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
  samples: number;
}

/**
 * The counts once PayBridge is quiet: no request in flight and nothing journaled or logged for two
 * readings in a row, 100 ms apart (at most 20 s). A load generator that stops at a deadline leaves
 * payments PayBridge finishes afterwards; their work and their count must fall on the same side of
 * the line.
 */
export async function quietWork(child: ChildProcess): Promise<WorkCounts> {
  let last = await readWork(child);
  let quiet = 0;
  for (const deadline = performance.now() + 20_000; performance.now() < deadline; ) {
    await new Promise((r) => setTimeout(r, 100));
    const now = await readWork(child);
    const still = now.httpInFlight === 0 && now.statements === last.statements && now.logLines === last.logLines;
    last = now;
    quiet = still ? quiet + 1 : 0;
    if (quiet >= 2) break;
  }
  return last;
}

/**
 * Opens a measured phase on a PayBridge started with the work counter. The tally is read before
 * the counts at the start and after them at the end, so the `/metrics` requests themselves fall
 * outside the counted work.
 */
export async function probeWork(child: ChildProcess, baseUrl: string): Promise<WorkProbe> {
  await quietWork(child);
  const tallyBefore = await paymentTally(baseUrl);
  // Quiet again: the /metrics request's own log line is written as its answer leaves.
  const before = await quietWork(child);
  return {
    async end() {
      const after = await quietWork(child);
      const tallyAfter = await paymentTally(baseUrl);
      return {
        payments: tallyAfter.payments - tallyBefore.payments,
        providerCalls: tallyAfter.providerCalls - tallyBefore.providerCalls,
        work: workBetween(before, after),
        hooked: after.hooked,
      };
    },
  };
}

/** The smallest counts a working counter must see for a Click payment; anything less means it hooked nothing. */
export function counterProblems(w: PaymentWork): string[] {
  const problems: string[] = [];
  if (w.payments <= 0) problems.push('no payment was counted as succeeded in /metrics');
  if (w.hooked.length === 0) problems.push('the work counter hooked no SQLite binding');
  if (w.work.journalWrites <= 0 || w.work.commits <= 0 || w.work.statements <= 0) problems.push('the work counter saw no journal write');
  if (w.work.logLines <= 0) problems.push('the work counter saw no log line');
  return problems;
}

/**
 * Work per payment as figures. The ones marked `gate: 'count'` are what CI judges: they depend on
 * the code, not on how fast the machine is at the moment. The COMMITs per payment are reported only:
 * the group commit shares one COMMIT among the journal writes that arrive in one turn of the event
 * loop, and how many do depends on the load and the machine (see oneAtATimeFigure for the gated one).
 */
export function workFigures(scenario: number, w: PaymentWork, { everyRequestAnswered }: { everyRequestAnswered: boolean }): Figure[] {
  const per = (n: number) => n / w.payments;
  const counted = `counted in PayBridge over ${w.payments} payments`;
  const count = (name: string, value: number, detail: string, extra: Partial<Figure> = {}): Figure => ({
    scenario,
    name,
    value,
    unit: '/payment',
    ratio: value,
    ratioOf: 'per payment',
    lowerIsBetter: true,
    gate: 'count',
    detail,
    ...extra,
  });
  const txControl = w.work.begins + w.work.commits;
  return [
    count('journal writes per payment', per(w.work.journalWrites), `${counted}; each write is durable before its caller goes on`),
    count('durable commits per payment', per(w.work.commits), `${counted}; the group commit shares one among the writes of one event-loop turn, so this follows the load; ${w.work.walSyncs > 0 ? `synced off the loop: ${per(w.work.walSyncs).toFixed(3)} WAL fdatasyncs per payment` : 'one fsync each (synchronous=FULL)'}`, {
      gate: false,
    }),
    count('SQL statements per payment', per(w.work.statements - txControl), `${counted}; BEGIN/COMMIT of the group commit not included (${per(txControl).toFixed(2)} per payment)`),
    // A load generator that stops at a deadline cuts off the requests in flight: their payments are
    // made, but their "request completed" lines are never written. Such a run reports these only.
    count('log lines per payment', per(w.work.logLines), everyRequestAnswered ? `${counted}, written to stdout` : `${counted}; requests cut off at the deadline have no completion line`, {
      ...(everyRequestAnswered ? {} : { gate: false }),
    }),
    count('log bytes per payment', per(w.work.logBytes), counted, { tolerance: 0.15, ...(everyRequestAnswered ? {} : { gate: false }) }),
    count('CLICK calls per payment', w.providerCalls / w.payments, `from /metrics (paybridge_provider_request_duration_seconds_count)`),
    {
      scenario,
      name: 'CPU time per payment (ms)',
      value: per(w.work.cpuMicros) / 1000,
      unit: 'ms',
      ratio: per(w.work.cpuMicros) / 1000,
      ratioOf: 'per payment',
      lowerIsBetter: true,
      gate: false,
      detail: 'process.cpuUsage of PayBridge; grows when the CPU is shared (caches, frequency), so reported only',
    },
    count('heap allocated per payment (KB)', per(w.work.heapBytes) / 1024, 'V8 heap, from the heap before and after each garbage collection (v8.GCProfiler)', {
      unit: 'KB/payment',
      // What the JIT has optimised yet moves it a little; a new copy of every answer moves it a lot.
      tolerance: 0.25,
    }),
  ];
}

/**
 * Durable commits per payment when payments come one at a time: no two payments' writes can share a
 * group commit, so every journal write a payment waits for is a COMMIT, an fsync, of its own. This is
 * the count an extra durable write in the payment path moves, whatever the machine.
 */
export function oneAtATimeFigure(scenario: number, w: PaymentWork): Figure {
  return {
    scenario,
    name: 'durable commits per payment, one at a time',
    value: w.work.commits / w.payments,
    unit: '/payment',
    ratio: w.work.commits / w.payments,
    ratioOf: 'per payment',
    lowerIsBetter: true,
    gate: 'count',
    detail: `${w.payments} payments sent one after another; ${(w.work.journalWrites / w.payments).toFixed(2)} journal writes and ${(w.work.statements / w.payments).toFixed(1)} SQL statements each`,
  };
}
