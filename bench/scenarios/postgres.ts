import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import pg from 'pg';
import { PostgresJournal } from '../../src/journal/postgres/postgres-journal.js';
import { startBridgeProcess, startEmulatorProcess } from '../lib/children.js';
import { load } from '../lib/load.js';
import type { BenchContext, Figure } from '../lib/report.js';

/**
 * 7. The PostgreSQL journal (a chain's): durable payments/s of PayBridge on it, against a bare loop
 * of the same journal calls a Click payment makes (the QR insert batch, its four progress writes
 * and its success: PostgresJournal itself, through pg, no HTTP and no provider), on the same server,
 * in the same run, with as many connections as PayBridge's pool. Commits counted by the server
 * (pg_stat_database.xact_commit of a database of the scenario's own).
 *
 * PAYBRIDGE_BENCH_POSTGRES_URL (or PAYBRIDGE_TEST_POSTGRES_URL, see .ci/postgres.sh): a role that may
 * CREATE DATABASE. Without one the scenario says so and measures nothing.
 */
export async function postgresJournal(ctx: BenchContext): Promise<Figure[]> {
  const base = process.env.PAYBRIDGE_BENCH_POSTGRES_URL || process.env.PAYBRIDGE_TEST_POSTGRES_URL;
  if (!base) {
    process.stderr.write('  no PostgreSQL: set PAYBRIDGE_BENCH_POSTGRES_URL (eval "$(bash .ci/postgres.sh)" gives PAYBRIDGE_TEST_POSTGRES_URL); scenario 7 skipped\n');
    return [];
  }
  const seconds = ctx.quick ? 3 : 10;
  const connections = 64;
  const poolSize = 10;
  const name = `paybridge_bench_${process.pid}`;
  const adminQuery = async (text: string) => {
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    try {
      return (await admin.query(text)).rows;
    } finally {
      await admin.end();
    }
  };
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  // The server publishes its counts with a delay (stats_fetch_consistency, PGSTAT_MIN_INTERVAL): wait it out.
  const commits = async () => (await new Promise((r) => setTimeout(r, 1_500)), 0) + Number((await adminQuery(`SELECT xact_commit FROM pg_stat_database WHERE datname = '${name}'`))[0]!.xact_commit);
  try {
    const emulators = await startEmulatorProcess(0);
    const bridge = await startBridgeProcess({
      port: ctx.port(),
      click: emulators.click,
      settings: { journal: { engine: 'postgres', url: url.toString(), pool_size: poolSize }, instance: { id: 'bench-7', shop: 'bench', till: '1' } },
    });
    let n = 0;
    const body = () => JSON.stringify({ amount: 500, qr_code: `8807${process.pid}${String(++n).padStart(9, '0')}000` });
    let payments;
    let commitsPerPayment: number;
    try {
      await load({ url: `${bridge.url}/payment/click`, body, connections, duration: ctx.quick ? 1 : 2 });
      const before = await commits();
      payments = await load({ url: `${bridge.url}/payment/click`, body, connections, duration: seconds });
      commitsPerPayment = ((await commits()) - before) / payments.requests;
      ctx.check(payments.failures === 0, `postgres journal: ${payments.failures} payments failed`);
    } finally {
      await bridge.stop();
      await emulators.stop();
      rmSync(bridge.dataDir, { recursive: true, force: true });
    }

    // The bare loop: the same journal calls, as many payments, `poolSize` at a time.
    const journal = await PostgresJournal.open({ url: url.toString(), poolSize, origin: { instance: 'bench-loop', shop: 'bench', till: '2', inFlightLeaseMs: 60_000 } });
    const total = payments.requests;
    let next = 0;
    const beforeLoop = await commits();
    const started = performance.now();
    await Promise.all(
      Array.from({ length: poolSize }, async () => {
        while (next < total) {
          const i = next++;
          const tx = await journal.insertQrPayment(
            { id: randomUUID(), method: 'click', amount: 500, qrCodeMasked: '8807****000', qrCodeHash: `loop-${process.pid}-${i}`, createdAt: Date.now() },
            { step: 'received', detail: { amount: 500 } },
            Date.now() - 600_000,
          );
          let row = tx.transaction;
          for (const step of ['sent', 'answered', 'confirming', 'confirmed']) row = await journal.transition(row.id, 'pending', 'pending', {}, { step, detail: { n: i } }, row.claim!);
          await journal.transition(row.id, 'pending', 'succeeded', { providerPaymentId: String(2_170_000_000 + i) }, { step: 'paid' }, row.claim!);
        }
      }),
    );
    const loopSeconds = (performance.now() - started) / 1000;
    const loopCommits = ((await commits()) - beforeLoop) / total;
    await journal.close();
    const loopPerSecond = total / loopSeconds;
    return [
      {
        scenario: 7,
        name: 'durable payments/s on PostgreSQL',
        value: payments.perSecond,
        unit: '/s',
        ratio: payments.perSecond / loopPerSecond,
        ratioOf: "of the bare loop of the same journal calls, same server, same run",
        gate: false,
        detail: `${payments.requests} payments, ${commitsPerPayment.toFixed(2)} commits each (server's count), p99 ${payments.p99.toFixed(1)} ms, pool ${poolSize}; loop: ${Math.round(loopPerSecond)} payments/s, ${loopCommits.toFixed(2)} commits each`,
      },
    ];
  } finally {
    await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}
