import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ClickEmulator } from '../src/sandbox/click/emulator.js';
import { openSqlite } from '../src/journal/sqlite/connection.js';
import { startClickPayBridgeProcess, startTogether, stopProcesses, type PayBridgeProcess, startClickEmulator, tempDir, uniqueQr } from './helpers.js';
import { dropTestDatabases, freshDatabase, postgresSkip, sql } from './postgres.js';

/**
 * Issue #13, item 8, as the issue found it: "Two instances cancelling the same Click payment at once
 * (partial reversal on): Click gave back 600 of a 1000 payment while the journal recorded 300".
 * Real PayBridge processes (src/main.ts, as `npm start` runs it) on one journal — three on one
 * PostgreSQL database; on a SQLite file the one process it admits (#16), every till's requests at
 * once — all giving back through one Click (an emulator whose ledger is
 * what was really reversed, behind a proxy that makes each reversal take a while, as a real one
 * does). One Click payment of 1000 tiyin; then partial cancels of 300/400/600, whole cancels and
 * the operator's refunds, fired at every instance at once. What Click reversed must be what the
 * journal says was given back: refunded_amount, the Σ of the succeeded give-back rows, and the Σ of
 * the answers that said so — never more than was paid; every refusal is a 106 that says what remains.
 */
const PAID = 1_000;
const ROUNDS = Number(process.env.PAYBRIDGE_GIVE_BACK_ROUNDS ?? 6);
/** How long the proxy holds each reversal before Click sees it (a real one takes its time too). */
const REVERSAL_DELAY_MS = 60;

type Instance = PayBridgeProcess;

type Envelope = { data: any; error: any; is_success: boolean };

async function startInstance(name: string, till: string, journal: object, clickUrl: string): Promise<Instance> {
  return startClickPayBridgeProcess(
    name,
    clickUrl,
    { journal, instance: { id: name, shop: 'chilonzor', till }, click: { partial_reversal: true, timeouts: { connect_ms: 1_000, response_ms: 5_000 } } },
    60_000,
  );
}

/** A proxy in front of the emulator: every request passes, a reversal only after REVERSAL_DELAY_MS. */
async function startSlowReversals(target: string): Promise<{ url: string; close: () => Promise<void> }> {
  const origin = new URL(target).origin;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      try {
        if (req.url?.includes('reversal')) await new Promise((r) => setTimeout(r, REVERSAL_DELAY_MS));
        const headers = Object.fromEntries(Object.entries(req.headers).filter(([k, v]) => typeof v === 'string' && !['host', 'connection', 'content-length'].includes(k))) as Record<string, string>;
        const body = chunks.length ? Buffer.concat(chunks) : undefined;
        const answer = await fetch(`${origin}${req.url}`, { method: req.method, headers, ...(body && req.method !== 'GET' && req.method !== 'HEAD' ? { body } : {}) });
        res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
        res.end(Buffer.from(await answer.arrayBuffer()));
      } catch (err) {
        res.writeHead(502).end(String(err));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const base = new URL(target);
  return { url: `http://127.0.0.1:${port}${base.pathname}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function post(instance: Instance, path: string, body: object): Promise<Envelope> {
  const res = await fetch(`${instance.base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return (await res.json()) as Envelope;
}

/** A give-back as a till or the console asks for it. */
interface GiveBack {
  instance: Instance;
  route: 'click_cancel' | 'operator_refund';
  amount: number | undefined;
}

function ask(g: GiveBack, transactionId: string): Promise<Envelope> {
  const amount = g.amount === undefined ? {} : { amount: g.amount };
  return g.route === 'click_cancel'
    ? post(g.instance, '/payment/click_cancel', { transaction_id: transactionId, ...amount })
    : post(g.instance, `/payment/transactions/${transactionId}/refund`, { ...amount, operator: 'concurrency-test' });
}

/** What the journal says of a payment, read from the database itself. */
interface Stored {
  status: string;
  refunded: number;
  /** Σ of its give-back rows that succeeded, and how many are still open. */
  succeeded: number;
  open: number;
}

interface Engine {
  name: 'sqlite' | 'postgres';
  skip: string | false;
  /** The `journal` section of every instance's configuration, and a reader of that journal. */
  journal(): Promise<{ config: object; read: (id: string) => Promise<Stored> }>;
}

const ENGINES: Engine[] = [
  {
    name: 'sqlite',
    skip: false,
    async journal() {
      const path = join(tempDir('paybridge-give-back-'), 'journal.sqlite');
      return {
        config: { engine: 'sqlite', path },
        read: async (id) => {
          const db = openSqlite(path);
          try {
            const p = db.prepare('SELECT status, refunded_amount FROM transactions WHERE id = ?').get(id) as { status: string; refunded_amount: number };
            const g = db
              .prepare(`SELECT COALESCE(SUM(CASE WHEN status = 'succeeded' THEN amount END), 0) AS s, COUNT(CASE WHEN status IN ('pending', 'unknown') THEN 1 END) AS o FROM transactions WHERE original_id = ?`)
              .get(id) as { s: number; o: number };
            return { status: p.status, refunded: Number(p.refunded_amount), succeeded: Number(g.s), open: Number(g.o) };
          } finally {
            db.close();
          }
        },
      };
    },
  },
  {
    name: 'postgres',
    skip: postgresSkip(),
    async journal() {
      const url = await freshDatabase();
      return {
        config: { engine: 'postgres', url },
        read: async (id) => {
          const [p] = await sql<{ status: string; refunded_amount: string }>(url, 'SELECT status, refunded_amount FROM transactions WHERE id = $1', [id]);
          const [g] = await sql<{ s: string; o: string }>(
            url,
            `SELECT COALESCE(SUM(CASE WHEN status = 'succeeded' THEN amount END), 0) AS s, COUNT(CASE WHEN status IN ('pending', 'unknown') THEN 1 END) AS o FROM transactions WHERE original_id = $1`,
            [id],
          );
          return { status: p!.status, refunded: Number(p!.refunded_amount), succeeded: Number(g!.s), open: Number(g!.o) };
        },
      };
    },
  },
];

for (const engine of ENGINES) {
  // The skip is the test's (counted as skipped in the run's summary), its set-up does nothing then.
  describe(`concurrent give-backs of one Click payment on one ${engine.name} journal (${engine.name === 'sqlite' ? 'the one PayBridge process it allows' : 'three PayBridge processes'})`, () => {
    let click: ClickEmulator;
    let proxy: { url: string; close: () => Promise<void> };
    let read: (id: string) => Promise<Stored>;
    let instances: Instance[] = [];

    before(async () => {
      if (engine.skip) return;
      click = await startClickEmulator({ processingMs: 300 });
      proxy = await startSlowReversals(click.baseUrl);
      const journal = await engine.journal();
      read = journal.read;
      if (engine.name === 'sqlite') {
        // One PayBridge per SQLite journal: a second process on the file is refused at start (exit 75,
        // test/startup-errors.test.ts). Here the one process takes every till's give-backs at once.
        const only = await startInstance('pb-a', '1', journal.config, proxy.url);
        instances = [only, only, only];
      } else {
        instances = await startTogether(['pb-a', 'pb-b', 'pb-c'].map((name, n) => startInstance(name, String(n + 1), journal.config, proxy.url)));
      }
    });

    after(async () => {
      await stopProcesses([...new Set(instances)]);
      await proxy?.close();
      await click?.close();
      if (engine.name === 'postgres') await dropTestDatabases();
    });

    test(`what Click reversed is what the journal gave back, never more than paid (${ROUNDS} payments, give-backs fired at every instance at once)`, { skip: engine.skip }, async () => {
      const [a, b, c] = instances as [Instance, Instance, Instance];
      // Each round: a till's partial cancels on every instance, a whole cancel, the console's refunds.
      const plans: GiveBack[][] = [
        [
          { instance: a, route: 'click_cancel', amount: 300 },
          { instance: b, route: 'click_cancel', amount: 300 },
          { instance: c, route: 'click_cancel', amount: 300 },
          { instance: a, route: 'click_cancel', amount: 400 },
          { instance: b, route: 'operator_refund', amount: 300 },
        ],
        [
          { instance: a, route: 'click_cancel', amount: 600 },
          { instance: b, route: 'click_cancel', amount: 600 },
          { instance: c, route: 'click_cancel', amount: 400 },
          { instance: c, route: 'operator_refund', amount: 400 },
        ],
        [
          { instance: a, route: 'click_cancel', amount: undefined },
          { instance: b, route: 'click_cancel', amount: 300 },
          { instance: c, route: 'operator_refund', amount: undefined },
          { instance: b, route: 'click_cancel', amount: 400 },
        ],
      ];
      const summary: string[] = [];
      const rounds: { round: number; answers: Envelope[]; given: number; reversed: number; stored: Stored }[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const paid = await post(instances[round % 3]!, '/payment/click', { amount: PAID, qr_code: uniqueQr() });
        assert.equal(paid.is_success, true, JSON.stringify(paid));
        const id: string = paid.data.transaction_id;
        const paymentId = Number(paid.data.payment_id);
        const plan = plans[round % plans.length]!;
        // Twice over: every give-back of the plan at once, on all three instances.
        const asked = [...plan, ...plan.map((g, n) => ({ ...g, instance: instances[(n + 1) % 3]! }))];
        const answers = await Promise.all(asked.map((g) => ask(g, id)));

        const given = answers.filter((x) => x.is_success).reduce((s, x) => s + Number(x.data.amount), 0);
        const atClick = click.ledger().find((p) => p.paymentId === paymentId)!;
        const stored = await read(id);
        const refusals = answers.filter((x) => !x.is_success).map((x) => x.error.code);
        rounds.push({ round, answers, given, reversed: atClick.reversedTiyin, stored });
        summary.push(
          `round ${round}: ${answers.length - refusals.length}/${answers.length} answered given (Σ ${given}), refused ${JSON.stringify(refusals)}; ` +
            `Click reversed ${atClick.reversedTiyin}; journal: refunded_amount ${stored.refunded}, Σ succeeded give-back rows ${stored.succeeded}, status ${stored.status}`,
        );
      }
      // Every round is played before any is judged, so a failure shows them all.
      process.stderr.write(`give-back concurrency (${engine.name}):\n  ${summary.join('\n  ')}\n`);
      for (const { round, answers, given, reversed, stored } of rounds) {
        const seen = summary[round];
        assert.ok(given <= PAID, `round ${round}: the answers gave back ${given} of ${PAID}`);
        assert.ok(reversed <= PAID);
        assert.equal(stored.refunded, reversed, `round ${round}: the journal's refunded_amount is what Click reversed (${seen})`);
        assert.equal(stored.succeeded, reversed, `round ${round}: Σ succeeded give-backs is what Click reversed (${seen})`);
        assert.equal(given, reversed, `round ${round}: the tills were told of exactly what Click reversed (${seen})`);
        // Then the refusals: one Click itself had to refuse means the journal let too much through.
        for (const x of answers.filter((y) => !y.is_success)) {
          assert.equal(x.error.code, 106, `round ${round}: a give-back that cannot be done is refused (106) before Click hears of it, not ${JSON.stringify(x.error)}`);
          // What remains is said (the ledger's refusal), unless the payment is already given back whole.
          if (x.error.remaining_amount === undefined) assert.ok(['cancelled', 'refunded'].includes(x.error.transaction_status), JSON.stringify(x.error));
          else assert.ok(Number.isInteger(x.error.remaining_amount) && x.error.remaining_amount >= 0 && x.error.remaining_amount < PAID, JSON.stringify(x.error));
        }
        assert.equal(stored.open, 0, `round ${round}: no give-back left open`);
        if (reversed === PAID) assert.ok(['cancelled', 'refunded'].includes(stored.status), `round ${round}: given back whole, the payment is ${stored.status}`);
        else assert.equal(stored.status, 'succeeded', `round ${round}: partly given back, the payment stays succeeded`);
        assert.ok(reversed > 0, `round ${round}: something was given back`);
      }
    });
  });
}
