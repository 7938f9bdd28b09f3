import assert from 'node:assert/strict';
import { AsyncLocalStorage } from 'node:async_hooks';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { PostgresJournal } from '../src/journal/postgres/postgres-journal.js';
import type { ClickEmulator } from '../src/sandbox/click/emulator.js';
import { post, productionClick, startClickEmulator, startTestBridge, uniqueQr, type TestBridge } from './helpers.js';
import { describeUnlessSkipped, dropTestDatabases, freshDatabase, postgresSkip, sql } from './postgres.js';

/**
 * Round trips to PostgreSQL, counted on a real server: every call of pg's Client#query is one
 * message to the server and one wait for its answer (a parameterised statement's Parse, Bind,
 * Execute and Sync go in one write; a batch of statements in one simple Query), so counting those
 * calls counts round trips. The journal's own operations are told apart by an AsyncLocalStorage set
 * around them, which pg's query call inherits synchronously from its caller.
 */

const scope = new AsyncLocalStorage<string>();
const counts = new Map<string, number>();
const texts: string[] = [];
let counting = false;
const clientQuery = pg.Client.prototype.query;

function wrapJournal(method: 'reserveGiveBack' | 'transition' | 'insertQrPayment'): () => void {
  const proto = PostgresJournal.prototype as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  const original = proto[method]!;
  proto[method] = function (this: unknown, ...args: unknown[]) {
    // A give-back's success is its transition to succeeded; a payment's is counted apart.
    const name = method === 'transition' ? `transition ${String(args[1])}→${String(args[2])}` : method;
    return scope.run(name, () => original.apply(this, args));
  };
  return () => void (proto[method] = original);
}

describeUnlessSkipped('round trips of the PostgreSQL journal, counted on a real server', postgresSkip(), () => {
  let click: ClickEmulator;
  let bridge: TestBridge;
  let url: string;
  const unwrap: (() => void)[] = [];

  before(async () => {
    (pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown }).query = function (this: pg.Client, ...args: unknown[]) {
      if (counting) {
        const key = scope.getStore() ?? 'other';
        counts.set(key, (counts.get(key) ?? 0) + 1);
        const text = typeof args[0] === 'string' ? args[0] : String((args[0] as { text?: string })?.text);
        texts.push(`${key}: ${text.replace(/\s+/g, ' ').slice(0, 90)}`);
      }
      return (clientQuery as (...a: unknown[]) => unknown).apply(this, args);
    };
    unwrap.push(wrapJournal('reserveGiveBack'), wrapJournal('transition'), wrapJournal('insertQrPayment'));
    click = await startClickEmulator();
    url = await freshDatabase();
    bridge = await startTestBridge((c) => {
      productionClick(click)(c);
      c.click!.partial_reversal = true;
      c.journal.engine = 'postgres';
      c.journal.url = url;
      c.instance = { ...c.instance, id: 'rt-1', shop: 'chilonzor', till: '1' };
    });
  });

  after(async () => {
    await bridge?.close();
    await click?.close();
    (pg.Client.prototype as unknown as { query: unknown }).query = clientQuery;
    for (const u of unwrap) u();
    await dropTestDatabases();
  });

  async function counted<T>(work: () => Promise<T>): Promise<{ result: T; byOperation: Map<string, number>; total: number; texts: string[] }> {
    counts.clear();
    texts.length = 0;
    counting = true;
    try {
      const result = await work();
      const byOperation = new Map(counts);
      return { result, byOperation, total: [...byOperation.values()].reduce((a, b) => a + b, 0), texts: [...texts] };
    } finally {
      counting = false;
    }
  }

  test('a Click payment and a give-back of it: the writes of each in the fewest round trips, every fence kept', async () => {
    // Warm: the first payment opens the pool's connections, which are not round trips of a payment.
    assert.equal((await post(bridge, '/payment/click', { amount: 70_000, qr_code: uniqueQr() })).body.is_success, true);

    const payment = await counted(() => post(bridge, '/payment/click', { amount: 70_000, qr_code: uniqueQr() }));
    assert.equal(payment.result.body.is_success, true, JSON.stringify(payment.result.body));
    process.stdout.write(`# a Click payment: ${payment.total} round trips ${JSON.stringify(Object.fromEntries(payment.byOperation))}\n#   ${payment.texts.join('\n#   ')}\n`);
    // Its insert: the QR code's lock, the insert unless a payment of the code stands, the look-up — one batch.
    assert.equal(payment.byOperation.get('insertQrPayment'), 1);
    const id = payment.result.body.data.transaction_id as string;

    const giveBack = await counted(() => post(bridge, '/payment/click_cancel', { transaction_id: id, amount: 20_000 }));
    assert.equal(giveBack.result.body.is_success, true, JSON.stringify(giveBack.result.body));
    process.stdout.write(`# a give-back: ${giveBack.total} round trips ${JSON.stringify(Object.fromEntries(giveBack.byOperation))}\n#   ${giveBack.texts.join('\n#   ')}\n`);
    // The reservation against the payment: BEGIN + the payment locked + its ledger; then the insert + the ledger + COMMIT.
    assert.equal(giveBack.byOperation.get('reserveGiveBack'), 2);
    // Its success with the payment's ledger: the payment locked, the fenced write, the ledger written, the row — one batch.
    const successes = [...giveBack.byOperation].filter(([k]) => k.startsWith('transition') && k.endsWith('→succeeded'));
    assert.deepEqual(successes.map(([, n]) => n), [1], JSON.stringify(successes));

    // What was written is what the ledger says, and the payment's timeline names the give-back.
    const [row] = await sql<{ refunded_amount: string; status: string }>(url, 'SELECT refunded_amount, status FROM transactions WHERE id = $1', [id]);
    assert.deepEqual({ refunded: Number(row!.refunded_amount), status: row!.status }, { refunded: 20_000, status: 'succeeded' });
    const events = await sql<{ step: string; detail: string }>(url, 'SELECT step, detail FROM transaction_events WHERE transaction_id = $1 ORDER BY seq', [id]);
    const last = events.at(-1)!;
    assert.equal(last.step, 'refunded');
    assert.deepEqual(JSON.parse(last.detail), { give_back_id: giveBack.result.body.data.give_back_id, amount: 20_000, given_back: 20_000, rrn: null });
    // The rest given back: the payment becomes refunded, in the same one round trip of the success.
    const rest = await counted(() => post(bridge, '/payment/click_cancel', { transaction_id: id }));
    assert.equal(rest.result.body.is_success, true, JSON.stringify(rest.result.body));
    assert.equal(rest.result.body.data.transaction_status, 'refunded');
    assert.equal([...rest.byOperation].filter(([k]) => k.endsWith('→succeeded')).map(([, n]) => n).join(), '1');
    const [paid] = await sql<{ refunded_amount: string; status: string }>(url, 'SELECT refunded_amount, status FROM transactions WHERE id = $1', [id]);
    assert.deepEqual({ refunded: Number(paid!.refunded_amount), status: paid!.status }, { refunded: 70_000, status: 'refunded' });
  });

  test('a give-back written under a claim that is no longer held is refused, and its payment untouched, in the same one round trip', async () => {
    const journal = await PostgresJournal.open({ url, origin: { instance: 'rt-2', shop: 'chilonzor', till: '2', inFlightLeaseMs: 300 } });
    try {
      const pay = await journal.insert({ id: `p-${uniqueQr()}`, method: 'click', amount: 5_000, qrCodeMasked: null, qrCodeHash: null, createdAt: Date.now() }, { step: 'received' });
      const paid = await journal.transition(pay.id, 'pending', 'succeeded', {}, { step: 'paid' }, pay.claim!);
      const { giveBack } = await journal.reserveGiveBack(paid.id, (payment) => ({
        tx: { id: `g-${uniqueQr()}`, method: 'click', amount: 5_000, qrCodeMasked: null, qrCodeHash: null, createdAt: Date.now(), kind: 'cancel', originalId: payment.id },
        step: { step: 'received' },
      }));
      // Its holder's lease ran out (by the database's clock) and someone else took the give-back over:
      // the old holder's success must change nothing.
      await new Promise((r) => setTimeout(r, 400));
      const taken = await journal.claim(giveBack.id, 'rt-3', 60_000);
      assert.ok(taken.taken);
      const refused = await counted(() => journal.transition(giveBack.id, 'pending', 'succeeded', {}, { step: 'done' }, giveBack.claim!).then(
        () => 'written',
        (err: Error) => err.name,
      ));
      assert.equal(refused.result, 'ClaimLostError');
      assert.equal(refused.total, 1, refused.texts.join('\n'));
      const [row] = await sql<{ refunded_amount: string; status: string }>(url, 'SELECT refunded_amount, status FROM transactions WHERE id = $1', [paid.id]);
      assert.deepEqual([Number(row!.refunded_amount), row!.status], [0, 'succeeded']);
      // The holder's write goes through, and the payment is cancelled with it.
      await journal.transition(giveBack.id, 'pending', 'succeeded', {}, { step: 'done' }, taken.tx.claim);
      const [after] = await sql<{ refunded_amount: string; status: string }>(url, 'SELECT refunded_amount, status FROM transactions WHERE id = $1', [paid.id]);
      assert.deepEqual([Number(after!.refunded_amount), after!.status], [5_000, 'cancelled']);
    } finally {
      await journal.close();
    }
  });
});
