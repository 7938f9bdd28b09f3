import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { openSqlite } from '../../src/journal/sqlite/connection.js';
import { SqliteJournal } from '../../src/journal/sqlite/sqlite-journal.js';
import { memoryOf, startBridgeProcess, startEmulatorProcess } from '../lib/children.js';
import { percentile } from '../lib/load.js';
import type { BenchContext, Figure } from '../lib/report.js';

const METHODS = ['click', 'payme', 'humo', 'uzcard'] as const;

/** A journal of `count` transactions over the past year, with two timeline events each; returns its path and some ids. */
export async function buildLargeJournal(count: number): Promise<{ path: string; ids: string[]; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'paybridge-bench-journal-'));
  const path = join(dir, 'journal.sqlite');
  await new SqliteJournal({ path, driver: 'auto' }).close(); // the schema, by the journal's own migrations
  const db = openSqlite(path, 'auto');
  db.exec('PRAGMA synchronous = OFF');
  const tx = db.prepare(
    `INSERT INTO transactions (id, method, status, amount, qr_code_masked, qr_code_hash, provider_payment_id, created_at, updated_at, kind)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'payment')`,
  );
  const event = db.prepare(`INSERT INTO transaction_events (transaction_id, at, status, step, detail) VALUES (?, ?, ?, ?, ?)`);
  const ids: string[] = [];
  const now = Date.now();
  const batch = 20_000;
  for (let start = 0; start < count; start += batch) {
    db.exec('BEGIN');
    for (let i = start; i < Math.min(count, start + batch); i++) {
      const id = randomUUID();
      if (i % 1_000 === 0) ids.push(id);
      const method = METHODS[i % 4]!;
      const status = i % 50 === 0 ? 'failed' : i % 97 === 0 ? 'cancelled' : 'succeeded';
      const at = now - Math.floor(((count - i) / count) * 365 * 86_400_000);
      const qr = method === 'click' || method === 'payme';
      tx.run(id, method, status, 500 + (i % 100_000), qr ? '************3392' : null, qr ? randomUUID() : null, String(2_170_000_000 + i), at, at + 800);
      event.run(id, at, 'pending', 'received', '{"amount":500}');
      event.run(id, at + 800, status, status === 'succeeded' ? 'paid' : 'declined', '{"payment_status":2}');
    }
    db.exec('COMMIT');
  }
  db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  db.close();
  return { path, ids, dir };
}

/** 4. From process start to `GET /health` = 200 on a journal of a million transactions; idle memory. */
export async function startup(ctx: BenchContext, journal: { path: string }): Promise<Figure[]> {
  const runs = ctx.quick ? 3 : 7;
  const times: number[] = [];
  const rss: number[] = [];
  // V8 keeps the young generation that start-up grew until its memory reducer finds the process
  // idle (about 20 s here); only then is the resident size what an idle till's PayBridge holds.
  const settleMs = ctx.quick ? 0 : 25_000;
  let settledRss = NaN;
  for (let i = 0; i < runs; i++) {
    const dataDir = mkdtempSync(join(tmpdir(), 'paybridge-bench-start-'));
    copyFileSync(journal.path, join(dataDir, 'journal.sqlite'));
    const bridge = await startBridgeProcess({ port: ctx.port(), dataDir });
    times.push(bridge.readyMs);
    await new Promise((r) => setTimeout(r, 1_000));
    rss.push(memoryOf(bridge.process.pid!).rssMb);
    if (i === 0 && settleMs > 0) {
      await new Promise((r) => setTimeout(r, settleMs));
      settledRss = memoryOf(bridge.process.pid!).rssMb;
    }
    await bridge.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  // The floor: a bare Node process answering its first HTTP request, measured the same way.
  const bare: number[] = [];
  for (let i = 0; i < runs; i++) bare.push(await bareNodeReadyMs(ctx.port()));
  const median = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 50);
  return [
    { scenario: 4, name: 'start to /health 200 (ms)', value: median(times), unit: 'ms', ratio: median(times) / median(bare), ratioOf: 'of a bare Node HTTP server’s start', target: { max: 300 }, lowerIsBetter: true, detail: `median of ${runs}; bare Node ${median(bare).toFixed(0)} ms` },
    { scenario: 4, name: 'RSS 1 s after start (MB)', value: median(rss), unit: 'MB', ratio: median(rss) / 80, ratioOf: 'of the 80 MB target', lowerIsBetter: true, detail: `median of ${runs}` },
    ...(Number.isNaN(settledRss)
      ? []
      : [{ scenario: 4, name: 'idle RSS (MB)', value: settledRss, unit: 'MB', ratio: settledRss / 80, ratioOf: 'of the 80 MB target', target: { max: 80 }, lowerIsBetter: true, detail: `${settleMs / 1000 + 1} s after start, once V8 released the young generation` }]),
  ];
}

async function bareNodeReadyMs(port: number): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, ['-e', `require('http').createServer((q,r)=>r.end('{}')).listen(${port},'127.0.0.1')`], { stdio: 'ignore' });
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      await res.body?.cancel();
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 2));
    }
  }
  const ms = performance.now() - started;
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  return ms;
}

/** 5. Lookup and listing with a million transactions: the indexes, proven by the figures. */
export async function journalScale(_ctx: BenchContext, large: { path: string; ids: string[] }): Promise<Figure[]> {
  const journal = new SqliteJournal({ path: large.path, driver: 'auto' });
  const time = async (n: number, work: (i: number) => Promise<unknown>) => {
    const xs: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      await work(i);
      xs.push(performance.now() - t);
    }
    xs.sort((a, b) => a - b);
    return { p50: percentile(xs, 50), p99: percentile(xs, 99) };
  };
  try {
    const ids = large.ids;
    const lookup = await time(500, (i) => journal.get(ids[(i * 7919) % ids.length]!));
    const firstPage = await time(50, () => journal.list({ limit: 50 }));
    const byStatus = await time(50, () => journal.list({ status: 'failed', limit: 50 }));
    const byMethod = await time(50, () => journal.list({ method: 'payme', limit: 50 }));
    const from = Date.now() - 200 * 86_400_000;
    const byDay = await time(50, (i) => journal.list({ from: from + i * 3_600_000, to: from + i * 3_600_000 + 86_400_000, limit: 50 }));
    // The floor: the same row by primary key through a bare prepared statement.
    const db = openSqlite(large.path, 'auto');
    const bareGet = db.prepare('SELECT * FROM transactions WHERE id = ?');
    const bare = await time(500, async (i) => bareGet.get(ids[(i * 7919) % ids.length]!));
    db.close();
    const figure = (name: string, t: { p50: number; p99: number }, detail: string): Figure => ({
      scenario: 5,
      name,
      value: t.p50,
      unit: 'ms',
      ratio: t.p50 / bare.p50,
      ratioOf: 'p50 ÷ a bare primary-key SELECT',
      target: { max: 5 },
      lowerIsBetter: true,
      detail: `p99 ${t.p99.toFixed(3)} ms; ${detail}`,
    });
    return [
      figure('lookup by id, with timeline (ms)', lookup, `bare SELECT p50 ${bare.p50.toFixed(3)} ms`),
      figure('first page, newest (ms)', firstPage, '50 rows'),
      figure('first page, status=failed (ms)', byStatus, '50 rows'),
      figure('first page, method=payme (ms)', byMethod, '50 rows'),
      figure('first page, one day (ms)', byDay, '50 rows'),
    ];
  } finally {
    await journal.close();
  }
}

/** 6. What the driver, the queue, the journal and HTTP add to one pinpad operation. */
export async function pinpad(ctx: BenchContext): Promise<Figure[]> {
  const n = ctx.quick ? 50 : 200;
  const emulators = await startEmulatorProcess(0);
  try {
    // Straight to the terminal: the bridge protocol on one TCP connection, one operation at a time.
    const socket = connect(emulators.uzcardPort, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    const lines = createInterface({ input: socket })[Symbol.asyncIterator]();
    const direct: number[] = [];
    for (let i = 0; i < n; i++) {
      const id = randomUUID();
      const t = performance.now();
      socket.write(`${JSON.stringify({ v: 1, id, op: 'purchase', amount: 5_000, currency: 860 })}\n`);
      for (;;) {
        const { value } = await lines.next();
        if ((JSON.parse(value as string) as { id: string; progress?: unknown }).id === id && !/"progress"/.test(value as string)) break;
      }
      direct.push(performance.now() - t);
    }
    socket.destroy();

    const bridge = await startBridgeProcess({ port: ctx.port(), uzcardPort: emulators.uzcardPort });
    const via: number[] = [];
    try {
      for (let i = 0; i < n; i++) {
        const t = performance.now();
        const res = await fetch(`${bridge.url}/payment/uzcard`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"amount":5000}' });
        const body = (await res.json()) as { is_success: boolean };
        via.push(performance.now() - t);
        ctx.check(body.is_success, 'pinpad: a purchase failed');
      }
    } finally {
      await bridge.stop();
    }
    direct.sort((a, b) => a - b);
    via.sort((a, b) => a - b);
    const overhead = percentile(via, 50) - percentile(direct, 50);
    return [
      {
        scenario: 6,
        name: 'overhead per operation p50 (ms)',
        value: overhead,
        unit: 'ms',
        ratio: percentile(via, 50) / percentile(direct, 50),
        ratioOf: 'PayBridge p50 / terminal p50',
        target: { max: 5 },
        lowerIsBetter: true,
        detail: `terminal ${percentile(direct, 50).toFixed(2)} ms, through PayBridge ${percentile(via, 50).toFixed(2)} ms (p99 ${percentile(via, 99).toFixed(2)}); ${n} purchases`,
      },
    ];
  } finally {
    await emulators.stop();
  }
}
