import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { ClickEmulator } from '../src/sandbox/click/emulator.js';
import { SANDBOX_CLICK } from '../src/sandbox/credentials.js';
import { freePort, startClickEmulator, tempDir, uniqueQr } from './helpers.js';
import { dropTestDatabases, freshDatabase, sql } from './postgres.js';

/**
 * A chain through PgBouncer in transaction pooling (.ci/pgbouncer.sh), as docs/deployment.md tells a
 * chain to run it: many PayBridge processes (`node dist/main.js`, as a service runs it), each with a
 * small pool and a shop and till of its own, whose connections PgBouncer shares out over a few
 * server connections, a server connection being a client's for one transaction only. Anything the
 * journal kept in a session across transactions (a session advisory lock, a named prepared
 * statement, a SET, a temp table) would break here: a later transaction runs on another connection.
 */

const PGBOUNCER_URL = process.env.PAYBRIDGE_TEST_PGBOUNCER_URL || undefined;
/** PgBouncer's server connections per database (default_pool_size), as .ci/pgbouncer.sh set it up. */
const BOUNCER_POOL = Number(process.env.PAYBRIDGE_TEST_PGBOUNCER_POOL ?? 10);
const MISSING = 'PAYBRIDGE_TEST_PGBOUNCER_URL is not set: the PgBouncer chain test is SKIPPED. Run eval "$(bash .ci/postgres.sh)"; eval "$(bash .ci/pgbouncer.sh)" first.';
// In CI (CI=true) a missing PgBouncer fails the test instead, as a missing PostgreSQL does (test/postgres.ts).
const SKIP = PGBOUNCER_URL || process.env.CI === 'true' ? false : MISSING;
if (SKIP) process.stderr.write(`\n${'!'.repeat(100)}\n!! ${MISSING}\n${'!'.repeat(100)}\n\n`);

const INSTANCES = 20;
const POOL_PER_INSTANCE = 2;
const PAYMENTS_PER_INSTANCE = 4;
const PAYMENT = 10_000;
const GIVE_BACK = 4_000;
/** Generous, from the configuration: every instance's start-up bound, then every request at CLICK's response bound, one after another. */
const STARTUP_MS = 120_000;
const CLICK_RESPONSE_MS = 5_000;
const TIMEOUT_MS = STARTUP_MS + INSTANCES * PAYMENTS_PER_INSTANCE * 4 * (CLICK_RESPONSE_MS + 5_000);

interface Instance {
  name: string;
  child: ChildProcess;
  base: string;
  output: () => string;
  exited: Promise<void>;
}

async function startInstance(k: number, url: string, click: ClickEmulator): Promise<Instance> {
  const dir = tempDir();
  const port = await freePort();
  const config = join(dir, 'paybridge.json');
  const name = `chain-${k}`;
  writeFileSync(
    config,
    JSON.stringify({
      mode: 'production',
      server: { host: '127.0.0.1', port },
      log: { level: 'info' },
      journal: { engine: 'postgres', url, pool_size: POOL_PER_INSTANCE, connect_timeout_ms: 60_000 },
      instance: { id: name, shop: `shop-${k % 5}`, till: `till-${k}` },
      click: {
        base_url: click.baseUrl,
        service_id: SANDBOX_CLICK.serviceId,
        merchant_user_id: SANDBOX_CLICK.merchantUserId,
        secret_key: SANDBOX_CLICK.secretKey,
        partial_reversal: true,
        confirm_mode: false,
        timeouts: { connect_ms: CLICK_RESPONSE_MS, response_ms: CLICK_RESPONSE_MS },
        poll_interval_ms: 50,
        status_deadline_ms: 10_000,
      },
    }),
  );
  const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
  const child = spawn(process.execPath, [main], { env: { PATH: process.env.PATH ?? '', PAYBRIDGE_CONFIG: config, PAYBRIDGE_DATA_DIR: dir }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const base = `http://127.0.0.1:${port}`;
  // Bounded by the test's own timeout, never by a clock of its own: a loaded machine starts 20 slowly.
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited early:\n${out}`);
    try {
      if ((await fetch(`${base}/health`)).status === 200) break;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { name, child, base, output: () => out, exited };
}

type Envelope = { data: any; error: any; is_success: boolean };

async function postJson(instance: Instance, path: string, body: object): Promise<Envelope> {
  const res = await fetch(`${instance.base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return (await res.json()) as Envelope;
}

interface PoolSample {
  server: number;
  clients: number;
  backends: number;
}

test('a chain of PayBridge processes through PgBouncer in transaction pooling', { skip: SKIP, timeout: TIMEOUT_MS }, async (t) => {
  assert.ok(existsSync(fileURLToPath(new URL('../dist/main.js', import.meta.url))), 'dist/main.js: run npm run build first (npm test does)');
  const charges = new Map<string, number>();
  const click = await startClickEmulator({ onChargeRequest: async ({ otpData }) => void charges.set(otpData, (charges.get(otpData) ?? 0) + 1) });
  // A database of the test's own, made on the server directly, reached by the instances through PgBouncer.
  const direct = await freshDatabase();
  const database = new URL(direct).pathname.slice(1);
  const bouncer = new URL(PGBOUNCER_URL!);
  bouncer.pathname = `/${database}`;
  const admin = new URL(PGBOUNCER_URL!);
  admin.pathname = '/pgbouncer';
  let instances: Instance[] = [];
  const samples: PoolSample[] = [];
  let sampling = true;
  const sample = async (): Promise<void> => {
    const client = new pg.Client({ connectionString: admin.toString() });
    await client.connect();
    // One direct connection of its own for counting backends, excluded by its pid: one opened per
    // sample could still be seen exiting by the next. Only client backends count: an autovacuum
    // worker visiting the fresh database (rows inserted fast) is listed under its name too, and
    // once made a CI run see 11 of them with PgBouncer holding 10.
    const counter = new pg.Client({ connectionString: direct });
    await counter.connect();
    try {
      while (sampling) {
        // SHOW goes through the simple protocol only.
        const pools = (await client.query({ text: 'SHOW POOLS', queryMode: 'simple' } as pg.QueryConfig)).rows as Record<string, string | number>[];
        const ours = pools.filter((p) => p.database === database);
        const server = ours.reduce((n, p) => n + Number(p.sv_active) + Number(p.sv_idle) + Number(p.sv_used) + Number(p.sv_tested) + Number(p.sv_login), 0);
        const clients = ours.reduce((n, p) => n + Number(p.cl_active) + Number(p.cl_waiting), 0);
        const [backends] = (await counter.query<{ n: string }>("SELECT COUNT(*) AS n FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend' AND pid <> pg_backend_pid()", [database])).rows;
        samples.push({ server, clients, backends: Number(backends!.n) });
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      await Promise.all([client.end(), counter.end()]);
    }
  };
  let sampler: Promise<void> | undefined;
  try {
    sampler = sample();
    // Started together: their migrations meet through PgBouncer (a transaction-level lock decides).
    const started = await Promise.allSettled(Array.from({ length: INSTANCES }, (_, k) => startInstance(k, bouncer.toString(), click)));
    instances = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;

    // Every instance takes its payments, all at once.
    const payments = instances.flatMap((instance) => Array.from({ length: PAYMENTS_PER_INSTANCE }, () => ({ instance, qr: uniqueQr() })));
    const paid = await Promise.all(payments.map(async (p) => ({ ...p, answer: await postJson(p.instance, '/payment/click', { amount: PAYMENT, qr_code: p.qr }) })));
    for (const p of paid) assert.equal(p.answer.is_success, true, `${p.instance.name} ${p.qr}: ${JSON.stringify(p.answer)}`);
    assert.equal(new Set(paid.map((p) => p.answer.data.transaction_id)).size, paid.length);
    for (const p of paid) assert.equal(charges.get(p.qr), 1, `${p.qr} charged once at Click`);

    // Three give-backs of each payment at once, from three different instances: two fit, one does not.
    const giveBacks = await Promise.all(
      paid.map(async (p, i) => {
        const from = [0, 7, 13].map((d) => instances[(i + d) % instances.length]!);
        const answers = await Promise.all(from.map((instance) => postJson(instance, '/payment/click_cancel', { transaction_id: p.answer.data.transaction_id, amount: GIVE_BACK })));
        return { id: p.answer.data.transaction_id as string, answers };
      }),
    );
    for (const g of giveBacks) {
      const ok = g.answers.filter((a) => a.is_success);
      assert.equal(ok.length, 2, `${g.id}: ${JSON.stringify(g.answers)}`);
      const refused = g.answers.find((a) => !a.is_success)!;
      assert.ok(refused.error && refused.error.code !== -1 && refused.error.transaction_status !== 'unknown', `${g.id}: a clear refusal, not an unknown outcome: ${JSON.stringify(refused)}`);
    }

    // The load is over: sampling stops before the test's own queries below, whose direct connections
    // would count among the database's backends.
    sampling = false;
    await sampler;

    // The journal: each payment once, its give-backs settled, its ledger the sum of them.
    const rows = await sql<{ id: string; status: string; refunded_amount: string; given: string; open: string; succeeded: string; events: string }>(
      direct,
      `SELECT p.id, p.status, p.refunded_amount,
              COALESCE((SELECT SUM(g.amount) FROM transactions g WHERE g.original_id = p.id AND g.status = 'succeeded'), 0) AS given,
              (SELECT COUNT(*) FROM transactions g WHERE g.original_id = p.id AND g.status IN ('pending', 'unknown')) AS open,
              (SELECT COUNT(*) FROM transactions g WHERE g.original_id = p.id AND g.status = 'succeeded') AS succeeded,
              (SELECT COUNT(*) FROM transaction_events e WHERE e.transaction_id = p.id AND e.step = 'refunded') AS events
       FROM transactions p WHERE p.kind = 'payment'`,
    );
    assert.equal(rows.length, paid.length, 'every payment journaled once');
    for (const r of rows) {
      assert.deepEqual(
        { status: r.status, refunded: Number(r.refunded_amount), given: Number(r.given), open: Number(r.open), succeeded: Number(r.succeeded), events: Number(r.events) },
        { status: 'succeeded', refunded: 2 * GIVE_BACK, given: 2 * GIVE_BACK, open: 0, succeeded: 2, events: 2 },
        r.id,
      );
    }
    const shops = await sql<{ n: string }>(direct, `SELECT COUNT(DISTINCT (shop, till)) AS n FROM transactions WHERE kind = 'payment'`);
    assert.equal(Number(shops[0]!.n), INSTANCES, 'each instance wrote under its own shop and till');
  } finally {
    sampling = false;
    await sampler?.catch(() => undefined);
    for (const i of instances) i.child.kill('SIGTERM');
    await Promise.all(instances.map((i) => i.exited));
    await click.close();
    await dropTestDatabases();
  }

  // Nothing of a session was relied on: no instance logged an error (pino level 50+), none about prepared statements or locks.
  for (const i of instances) {
    const errors = i
      .output()
      .split('\n')
      .filter((line) => /"level":(50|60)|prepared statement|advisory|could not obtain lock|deadlock/i.test(line));
    assert.deepEqual(errors, [], `${i.name} logged errors`);
  }
  // The pool limits held: PgBouncer never opened more server connections than its pool, PostgreSQL never
  // saw more backends for the database than that, and no instance asked for more than its own pool.
  assert.ok(samples.length > 0);
  const most = (k: keyof PoolSample) => Math.max(...samples.map((s) => s[k]));
  t.diagnostic(`${samples.length} samples: server connections ≤ ${most('server')}, backends ≤ ${most('backends')}, clients ≤ ${most('clients')} (PgBouncer pool ${BOUNCER_POOL}, ${INSTANCES} × ${POOL_PER_INSTANCE})`);
  assert.ok(most('server') <= BOUNCER_POOL, `PgBouncer's server connections ${most('server')} > ${BOUNCER_POOL}`);
  assert.ok(most('backends') <= BOUNCER_POOL, `PostgreSQL backends ${most('backends')} > ${BOUNCER_POOL}`);
  assert.ok(most('clients') <= INSTANCES * POOL_PER_INSTANCE, `clients ${most('clients')} > ${INSTANCES * POOL_PER_INSTANCE}`);
  assert.ok(most('clients') > BOUNCER_POOL, `the test meant more clients than server connections; saw ${most('clients')}`);
});

after(() => dropTestDatabases());
