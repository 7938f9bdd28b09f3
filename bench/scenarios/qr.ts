import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import Fastify from 'fastify';
import { clickAuthHeader } from '../../src/providers/click/auth.js';
import { SANDBOX_CLICK } from '../../src/sandbox/credentials.js';
import { openSqlite } from '../../src/journal/sqlite/connection.js';
import { memoryOf, startBridgeProcess, startEmulatorProcess } from '../lib/children.js';
import { load, oneAtATime, percentile, type LoadResult } from '../lib/load.js';
import { pacedLoad } from '../lib/paced.js';
import type { BenchContext, Figure } from '../lib/report.js';
import { counterProblems, loopDelay, oneAtATimeFigure, probeWork, workFigures, type PaymentWork } from '../lib/work.js';

/** A QR code no earlier request used (a repeated one is answered from the journal), never a magic suffix. */
const qr = (n: number) => `8801${process.pid}${String(n).padStart(9, '0')}000`;
const payBody = (prefix: string) => (n: number) => JSON.stringify({ amount: 500, qr_code: qr(n) + prefix });

/** 1. What PayBridge adds to a Click Pass payment: through PayBridge minus straight to the emulator, same client, same rate. */
export async function gatewayOverhead(ctx: BenchContext): Promise<Figure[]> {
  const rate = 500;
  const seconds = ctx.quick ? 3 : 10;
  const warmSeconds = ctx.quick ? 1 : 2;
  const emulators = await startEmulatorProcess(0);
  const bridge = await startBridgeProcess({ port: ctx.port(), click: emulators.click, countWork: true });
  try {
    // Requests spread evenly over each second (pacedLoad), as a chain's tills send them; the same
    // client, connections and rate for both.
    const direct = (warm: boolean) =>
      pacedLoad({
        url: `${emulators.click.replace('localhost', '127.0.0.1')}click_pass/payment`,
        headers: { accept: 'application/json', auth: clickAuthHeader(SANDBOX_CLICK.merchantUserId, SANDBOX_CLICK.secretKey) },
        body: (n) => JSON.stringify({ service_id: SANDBOX_CLICK.serviceId, otp_data: qr(n) + (warm ? 'w' : 'd'), amount: 5.0, transaction_id: randomUUID() }),
        ok: (text) => text.includes('"error_code":0'),
        connections: 50,
        rate,
        seconds: warm ? warmSeconds : seconds,
      });
    const via = (warm: boolean) => pacedLoad({ url: `${bridge.url}/payment/click`, body: payBody(warm ? 'w' : 'p'), connections: 50, rate, seconds: warm ? warmSeconds : seconds });
    await direct(true);
    await via(true);
    const d: LoadResult = await direct(false);
    const probe = await probeWork(bridge.process, bridge.url);
    await loopDelay(bridge.process, 'start');
    const p: LoadResult = await via(false);
    const lag = await loopDelay(bridge.process, 'stop');
    const work: PaymentWork = await probe.end();
    ctx.check(d.failures === 0 && p.failures === 0, `gateway overhead: ${d.failures} direct and ${p.failures} PayBridge requests failed`);
    for (const problem of counterProblems(work)) ctx.check(false, `gateway overhead: ${problem}`);
    // The same payments one at a time, where no two can share a group commit.
    const single = await probeWork(bridge.process, bridge.url);
    const singleFailures = await oneAtATime(`${bridge.url}/payment/click`, ctx.quick ? 200 : 500, payBody('s'));
    const alone: PaymentWork = await single.end();
    ctx.check(singleFailures === 0, `gateway overhead: ${singleFailures} of the payments one at a time failed`);
    for (const problem of counterProblems(alone)) ctx.check(false, `gateway overhead, one at a time: ${problem}`);
    const disk = durableCommitLatency(`${bridge.dataDir}/floor.sqlite`, ctx.quick ? 500 : 3_000);
    // Each journal write waits for a COMMIT (its own, or one it shares with writes of the same turn).
    const writes = work.work.journalWrites / work.payments;
    return [
      ...workFigures(1, work, { everyRequestAnswered: true }),
      oneAtATimeFigure(1, alone),
      {
        scenario: 1,
        name: 'overhead p50 (ms)',
        value: p.p50 - d.p50,
        unit: 'ms',
        ratio: p.p50 / d.p50,
        ratioOf: 'PayBridge p50 / emulator p50',
        lowerIsBetter: true,
        gate: false,
        detail: `emulator ${d.p50.toFixed(2)} ms, PayBridge ${p.p50.toFixed(2)} ms at ${rate}/s`,
      },
      {
        scenario: 1,
        name: 'overhead p50 beyond its commit waits (ms)',
        value: p.p50 - d.p50 - writes * disk.p50,
        unit: 'ms',
        ratio: (p.p50 - d.p50) / (writes * disk.p50),
        ratioOf: "overhead p50 ÷ (journal writes per payment × this disk's commit p50)",
        lowerIsBetter: true,
        gate: false,
        detail: `${writes.toFixed(2)} writes × ${disk.p50.toFixed(3)} ms; the rest is CPU and the wait for it`,
      },
      {
        scenario: 1,
        name: 'overhead p99 (ms)',
        value: p.p99 - d.p99,
        unit: 'ms',
        ratio: p.p99 / d.p99,
        ratioOf: 'PayBridge p99 / emulator p99',
        target: { max: 1.5 },
        detail: `emulator ${d.p99.toFixed(2)} ms, PayBridge ${p.p99.toFixed(2)} ms; ${p.requests} payments`,
        lowerIsBetter: true,
        gate: false,
      },
      {
        scenario: 1,
        name: 'event-loop delay p99 (ms)',
        value: lag?.p99 ?? NaN,
        unit: 'ms',
        ratio: (lag?.p99 ?? NaN) / (p.p99 - d.p99),
        ratioOf: 'of the overhead p99',
        lowerIsBetter: true,
        gate: false,
        detail: lag ? `monitorEventLoopDelay (1 ms) in PayBridge during the ${rate}/s run: p50 ${lag.p50.toFixed(2)}, max ${lag.max.toFixed(1)} ms` : 'not measured',
      },
      {
        scenario: 1,
        name: 'one durable commit p99 (ms)',
        value: disk.p99,
        unit: 'ms',
        ratio: (p.p99 - d.p99) / (2 * disk.p99),
        ratioOf: 'overhead p99 ÷ the p99 of the 2 commits a Click payment makes',
        lowerIsBetter: true,
        gate: false,
        detail: `this disk, WAL + synchronous=FULL, one row per commit: p50 ${disk.p50.toFixed(3)} ms`,
      },
    ];
  } finally {
    await bridge.stop();
    await emulators.stop();
    rmSync(bridge.dataDir, { recursive: true, force: true });
  }
}

/** The floor under any durable payment: how long one fsync'd commit takes on this disk. */
function durableCommitLatency(path: string, commits: number): { p50: number; p99: number } {
  const db = openSqlite(path, 'auto');
  db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; CREATE TABLE t (id TEXT PRIMARY KEY, body TEXT NOT NULL)`);
  const insert = db.prepare('INSERT INTO t VALUES (?, ?)');
  const times: number[] = [];
  for (let i = 0; i < commits; i++) {
    const t = performance.now();
    insert.run(randomUUID(), 'x'.repeat(200));
    times.push(performance.now() - t);
  }
  db.close();
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

/** 2. Durable payments per second, against a bare Fastify route and a bare loop of the same durable commits. */
export async function durableThroughput(ctx: BenchContext): Promise<Figure[]> {
  const seconds = ctx.quick ? 3 : 10;
  const connections = 64;
  const emulators = await startEmulatorProcess(0);
  const bridge = await startBridgeProcess({ port: ctx.port(), click: emulators.click, countWork: true });
  let payments: LoadResult;
  let commitsPerPayment: number;
  let work: PaymentWork;
  try {
    await load({ url: `${bridge.url}/payment/click`, body: payBody('w'), connections, duration: ctx.quick ? 1 : 2 });
    const probe = await probeWork(bridge.process, bridge.url);
    payments = await load({ url: `${bridge.url}/payment/click`, body: payBody('t'), connections, duration: seconds });
    work = await probe.end();
    ctx.check(payments.failures === 0, `durable throughput: ${payments.failures} payments failed`);
    for (const problem of counterProblems(work)) ctx.check(false, `durable throughput: ${problem}`);
  } finally {
    await bridge.stop();
    await emulators.stop();
  }
  {
    // Every status change is one durable commit; so is the insert.
    const db = openSqlite(`${bridge.dataDir}/journal.sqlite`, 'auto');
    const row = db.prepare(`SELECT (SELECT COUNT(*) FROM transaction_events) * 1.0 / COUNT(*) AS commits FROM transactions`).get() as { commits: number };
    commitsPerPayment = row.commits;
    db.close();
  }

  // (a) The same JSON from a bare Fastify route, same client and connections.
  const bare = Fastify();
  const answer = { data: { status_code: 0, status: 'successfully', message: 'Успешно подтвержден', transaction_id: randomUUID(), payment_id: '2170000001', amount: 500, qr_code: qr(1), client_phone_number: '998903496384' }, error: null, is_success: true };
  bare.post('/payment/click', async () => answer);
  const bareUrl = await bare.listen({ port: ctx.port(), host: '127.0.0.1' });
  const fastify = await load({ url: `${bareUrl}/payment/click`, body: payBody('b'), connections, duration: seconds });
  await bare.close();

  // (b) The same number of durable commits (WAL, synchronous=FULL), one row each, in a bare loop.
  const path = `${bridge.dataDir}/bare.sqlite`;
  const db = openSqlite(path, 'auto');
  db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; CREATE TABLE t (id TEXT PRIMARY KEY, body TEXT NOT NULL)`);
  const insert = db.prepare('INSERT INTO t VALUES (?, ?)');
  const commits = Math.round(payments.requests * commitsPerPayment);
  const started = performance.now();
  for (let i = 0; i < commits; i++) insert.run(randomUUID(), JSON.stringify(answer));
  const loopSeconds = (performance.now() - started) / 1000;
  db.close();
  rmSync(bridge.dataDir, { recursive: true, force: true });
  const loopPaymentsPerSecond = payments.requests / loopSeconds;

  return [
    ...workFigures(2, work, { everyRequestAnswered: false }),
    {
      scenario: 2,
      name: 'durable payments/s',
      value: payments.perSecond,
      unit: '/s',
      ratio: payments.perSecond / loopPaymentsPerSecond,
      ratioOf: 'of the bare durable-commit loop (b)',
      target: { min: 2_000, orRatio: 0.4 },
      gate: false,
      detail: `${payments.requests} payments, ${commitsPerPayment.toFixed(2)} commits each; p99 ${payments.p99.toFixed(1)} ms; loop: ${Math.round(commits / loopSeconds)} commits/s = ${Math.round(loopPaymentsPerSecond)} payments/s`,
    },
    {
      scenario: 2,
      name: 'vs bare Fastify',
      value: fastify.perSecond,
      unit: '/s',
      ratio: payments.perSecond / fastify.perSecond,
      ratioOf: 'payments/s ÷ bare Fastify requests/s (a)',
      gate: false,
      detail: `bare route p99 ${fastify.p99.toFixed(1)} ms`,
    },
  ];
}

/** 3. Many payments in flight at once, the provider answering after 2 s. */
export async function concurrency(ctx: BenchContext): Promise<Figure[]> {
  const inFlight = ctx.quick ? 1_000 : 5_000;
  const emulators = await startEmulatorProcess(2_000);
  const bridge = await startBridgeProcess({ port: ctx.port(), click: emulators.click });
  try {
    const result = await load({ url: `${bridge.url}/payment/click`, body: payBody('c'), connections: inFlight, amount: inFlight });
    const memory = memoryOf(bridge.process.pid!);
    const metrics = await (await fetch(`${bridge.url}/metrics`)).text();
    const lag = Number(/^paybridge_nodejs_eventloop_lag_p99_seconds (\S+)/m.exec(metrics)?.[1] ?? NaN) * 1000;
    ctx.check(result.failures === 0 && result.requests === inFlight, `concurrency: ${result.failures} of ${result.requests} failed`);
    return [
      { scenario: 3, name: `${inFlight} in flight: all paid`, value: result.requests - result.failures, unit: 'payments', ratio: (result.requests - result.failures) / inFlight, ratioOf: 'succeeded / sent', detail: `p50 ${result.p50.toFixed(0)} ms, max ${result.max.toFixed(0)} ms (provider 2000 ms)` },
      { scenario: 3, name: 'peak RSS (MB)', value: memory.peakRssMb, unit: 'MB', ratio: memory.peakRssMb / 300, ratioOf: 'of the 300 MB limit', target: { max: 300 }, lowerIsBetter: true, detail: `RSS after: ${memory.rssMb.toFixed(0)} MB` },
      { scenario: 3, name: 'event-loop delay p99 (ms)', value: lag, unit: 'ms', ratio: result.max / 2_000, ratioOf: 'slowest answer / provider delay', lowerIsBetter: true, detail: 'prom-client monitorEventLoopDelay over the run' },
    ];
  } finally {
    await bridge.stop();
    await emulators.stop();
    rmSync(bridge.dataDir, { recursive: true, force: true });
  }
}
