import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { Config } from '../src/config/schema.js';
import { ClaimLostError, FencedWriteRefusedError, fenceOf, InvalidCursorError, JournalUnavailableError, KeyTakenOverError, StaleTransitionError, type Journal, type JournalOrigin } from '../src/payments/ports/journal.js';
import { SqliteJournal } from '../src/journal/sqlite/sqlite-journal.js';
import { SQLITE_MIGRATIONS } from '../src/journal/sqlite/migrations.js';
import { openSqlite } from '../src/journal/sqlite/connection.js';
import { PostgresJournal } from '../src/journal/postgres/postgres-journal.js';
import { POSTGRES_MIGRATIONS } from '../src/journal/postgres/migrations.js';
import { IllegalTransitionError } from '../src/payments/state-machine.js';
import type { Transaction } from '../src/payments/transaction.js';
import { get, journalShiftClose, post, productionClick, startClickEmulator, startTestBridge, TcpRelay, tempDir, transitionAsHolder } from './helpers.js';
import { describeUnlessSkipped, dropTestDatabases, freshDatabase, postgresSkip, postgresUrl, sql } from './postgres.js';

const newTx = (createdAt = Date.now(), amount = 500, qrCodeHash = 'ab'.repeat(32)) => ({
  id: randomUUID(),
  method: 'click' as const,
  amount,
  qrCodeMasked: '****3392',
  qrCodeHash,
  createdAt,
});

/** Every byte SQLite has written for the journal: the main file and its write-ahead log. */
function journalBytes(path: string): string {
  return [path, `${path}-wal`].filter(existsSync).map((p) => readFileSync(p).toString('latin1')).join('');
}

/** Where one journal lives: a SQLite file, or a PostgreSQL database of the test's own. */
interface Store {
  open(origin?: JournalOrigin): Promise<Journal>;
  /** Points a PayBridge configuration at this store. */
  configure(c: Config): void;
  /** Everything the store holds, as text: to prove what never reached it. */
  storedText(): Promise<string>;
  /** The journal's clock, which its claims expire by (epoch ms): the process's for SQLite, the database's for PostgreSQL. */
  journalNow(): Promise<number>;
}

interface Engine {
  name: 'sqlite' | 'postgres';
  skip: string | false;
  fresh(): Promise<Store>;
}

const ENGINES: Engine[] = [
  {
    name: 'sqlite',
    skip: false,
    async fresh() {
      const path = join(tempDir(), 'j.sqlite');
      return {
        open: async (origin) => new SqliteJournal({ path, ...(origin ? { origin } : {}) }),
        configure: (c) => {
          c.journal.path = path;
        },
        storedText: async () => journalBytes(path),
        journalNow: async () => Date.now(),
      };
    },
  },
  {
    name: 'postgres',
    skip: postgresSkip(),
    async fresh() {
      const url = await freshDatabase();
      return {
        open: (origin) => PostgresJournal.open({ url, ...(origin ? { origin } : {}) }),
        configure: (c) => {
          c.journal.engine = 'postgres';
      c.instance = { ...c.instance, shop: 'chilonzor', till: '1' };
          c.journal.url = url;
        },
        storedText: async () => {
          const tables = ['transactions', 'transaction_events', 'fiscal_handoffs', 'idempotency_keys', 'shift_closes'];
          const rows = await Promise.all(tables.map((t) => sql<{ r: string }>(url, `SELECT x::text AS r FROM ${t} x`)));
          return rows.flat().map((r) => r.r).join('\n');
        },
        journalNow: async () => Number((await sql<{ ms: string }>(url, 'SELECT floor(extract(epoch from clock_timestamp()) * 1000)::bigint AS ms'))[0]!.ms),
      };
    },
  },
];

after(() => dropTestDatabases());

const origin = (instance: string, over: Partial<JournalOrigin> = {}): JournalOrigin => ({ instance, shop: 'shop-1', till: 'till-1', inFlightLeaseMs: 60_000, ...over });

for (const engine of ENGINES) {
  describeUnlessSkipped(`the journal on ${engine.name}`, engine.skip, () => {
    test('a day’s wallet reconciliation is run by one holder at a time, fenced, and taken over with its answers once the claim lapses', async () => {
      const journal = await (await engine.fresh()).open();
      try {
        const fresh = (id: string, date = '2026-12-05') => ({ id, scope: 'shop-1/till-1', date, methods: ['payme'] });
        const first = await journal.startWalletRun(fresh('run-a'), { owner: 'A', leaseMs: 300 });
        assert.ok(first.taken && !first.resumed);
        // Another PayBridge of the till finds it held: no second run of the day.
        const second = await journal.startWalletRun(fresh('run-b'), { owner: 'B', leaseMs: 300 });
        assert.equal(second.taken, false);
        assert.equal(second.run.id, 'run-a');
        await journal.saveWalletAnswer('run-a', 'record:t1', { state: 'charged' });
        await journal.saveWalletAnswer('run-a', 'record:t1', { state: 'overwritten?' });
        assert.deepEqual([...(await journal.walletAnswers('run-a'))], [['record:t1', { state: 'charged' }]]);
        await sleep(400);
        const taken = await journal.startWalletRun(fresh('run-c'), { owner: 'B', leaseMs: 60_000 });
        assert.ok(taken.taken && taken.resumed && taken.run.id === 'run-a');
        assert.equal(taken.run.claim.epoch, first.run.claim.epoch + 1);
        // The first holder, its claim taken over, can neither renew nor finish the run.
        assert.equal(await journal.renewWalletRun('run-a', first.run.claim, 60_000), false);
        assert.equal(await journal.finishWalletRun('run-a', first.run.claim, { by: 'A' }), false);
        assert.equal(await journal.finishWalletRun('run-a', taken.run.claim, { by: 'B' }), true);
        const done = await journal.latestWalletRun('shop-1/till-1', '2026-12-05');
        assert.equal(done?.state, 'done');
        assert.deepEqual(done?.report, { by: 'B' });
        // A new run of a finished day is a new run; the newest finished one of each day is listed.
        const again = await journal.startWalletRun(fresh('run-d'), { owner: 'A', leaseMs: 60_000 });
        assert.ok(again.taken && !again.resumed && again.run.id === 'run-d');
        assert.equal(await journal.finishWalletRun('run-d', again.run.claim, { by: 'A again' }), true);
        const other = await journal.startWalletRun(fresh('run-e', '2026-12-06'), { owner: 'A', leaseMs: 60_000 });
        assert.ok(other.taken);
        assert.equal(await journal.finishWalletRun('run-e', other.run.claim, { by: 'next day' }), true);
        assert.deepEqual((await journal.finishedWalletRuns('shop-1/till-1', '2026-12-01')).map((r) => [r.date, r.report]), [
          ['2026-12-05', { by: 'A again' }],
          ['2026-12-06', { by: 'next day' }],
        ]);
        assert.deepEqual(await journal.finishedWalletRuns('another/till', '2026-12-01'), []);
      } finally {
        await journal.close();
      }
    });

    test('transitions follow the state machine and refuse a stale starting status', async () => {
      const journal = await (await engine.fresh()).open();
      try {
        const tx = await journal.insert(newTx(), { step: 'received' });
        assert.equal(tx.status, 'pending');
        await assert.rejects(transitionAsHolder(journal, tx.id, 'pending', 'refunded', {}, { step: 'x' }), IllegalTransitionError);
        await assert.rejects(transitionAsHolder(journal, tx.id, 'unknown', 'succeeded', {}, { step: 'x' }), StaleTransitionError);
        await assert.rejects(transitionAsHolder(journal, randomUUID(), 'pending', 'failed', {}, { step: 'x' }), /does not exist/);
        const done = await transitionAsHolder(journal, tx.id, 'pending', 'succeeded', { providerPaymentId: '42' }, { step: 'succeeded' });
        assert.equal(done.status, 'succeeded');
        assert.equal(done.providerPaymentId, '42');
        await assert.rejects(transitionAsHolder(journal, tx.id, 'succeeded', 'failed', {}, { step: 'x' }), IllegalTransitionError);
        const stored = await journal.get(tx.id);
        assert.deepEqual(
          stored?.events.map((e) => `${e.status}:${e.step}`),
          ['pending:received', 'succeeded:succeeded'],
          'a refused transition leaves no trace',
        );
      } finally {
        await journal.close();
      }
    });

    test('bucket totals: a row on a boundary belongs to the later bucket; only settled money; give-backs by kind, filtered and listed by payment', async () => {
      const journal = await (await engine.fresh()).open();
      try {
        const t0 = Date.UTC(2026, 10, 20, 10, 0, 0);
        const hour = 3_600_000;
        const paid = async (at: number, amount: number) => transitionAsHolder(journal, (await journal.insert(newTx(at, amount, randomUUID().replace(/-/g, '') + 'ab'.repeat(16)), { step: 'received' })).id, 'pending', 'succeeded', {}, { step: 'paid' });
        const a = await paid(t0, 100); // the first instant of bucket 0
        await paid(t0 + hour - 1, 200); // the last instant of bucket 0
        const c = await paid(t0 + hour, 400); // on the boundary: bucket 1
        await paid(t0 + 2 * hour, 800); // the end is exclusive: in no bucket
        await journal.insert(newTx(t0 + 10, 1_600, 'cd'.repeat(32)), { step: 'received' }); // pending: not money
        const back = await journal.insert({ ...newTx(t0 + hour + 5, 80), qrCodeHash: null, kind: 'cancel', originalId: a.id }, { step: 'received' });
        await transitionAsHolder(journal, back.id, 'pending', 'succeeded', {}, { step: 'cancelled' });
        const failedBack = await journal.insert({ ...newTx(t0 + hour + 6, 20), qrCodeHash: null, kind: 'refund', originalId: a.id }, { step: 'received' });
        await transitionAsHolder(journal, failedBack.id, 'pending', 'failed', {}, { step: 'refused' });

        const rows = await journal.bucketTotals([t0, t0 + hour, t0 + 2 * hour]);
        const key = (r: { bucket: number; kind: string; status: string }) => `${r.bucket}:${r.kind}:${r.status}`;
        assert.deepEqual(
          Object.fromEntries(rows.map((r) => [key(r), [r.count, r.amount]])),
          { '0:payment:succeeded': [2, 300], '1:payment:succeeded': [1, 400], '1:cancel:succeeded': [1, 80] },
        );
        assert.deepEqual(await journal.bucketTotals([t0]), []);

        assert.deepEqual((await journal.giveBacksOf(a.id)).map((t) => [t.id, t.status]), [[back.id, 'succeeded'], [failedBack.id, 'failed']]);
        assert.deepEqual(await journal.giveBacksOf(c.id), []);
        const kinds = async (kind: 'payment' | 'give_back') => (await journal.list({ kind, limit: 50 })).items.map((t) => t.kind);
        assert.deepEqual(await kinds('give_back'), ['refund', 'cancel']);
        assert.ok((await kinds('payment')).every((k) => k === 'payment'));
        assert.equal((await kinds('payment')).length, 5);
      } finally {
        await journal.close();
      }
    });

    test('the oldest unknown first; mismatched reconciliations since a time', async () => {
      const journal = await (await engine.fresh()).open();
      try {
        const t0 = Date.UTC(2026, 10, 20, 10, 0, 0);
        const unknown: string[] = [];
        for (const at of [t0 + 2_000, t0, t0 + 1_000]) {
          const tx = await journal.insert(newTx(at, 500, randomUUID().replace(/-/g, '') + 'ef'.repeat(16)), { step: 'received' });
          await transitionAsHolder(journal, tx.id, 'pending', 'unknown', {}, { step: 'lost' });
          unknown.push(tx.id);
        }
        await journal.insert(newTx(t0 - 1_000, 500, '12'.repeat(32)), { step: 'received' }); // pending is not unknown
        assert.deepEqual((await journal.oldestUnknown(10)).map((t) => t.id), [unknown[1], unknown[2], unknown[0]]);
        assert.deepEqual((await journal.oldestUnknown(1)).map((t) => t.id), [unknown[1]]);

        const totals = { purchaseCount: 1, purchaseAmount: 100, returnCount: 0, returnAmount: 0 };
        const close = (id: string, closedAt: number, matched: boolean | null) =>
          journalShiftClose(journal, { id, state: 'closed', terminal: 'uzcard-1', shiftNumber: closedAt, closedAt, report: 'r', terminalTotals: totals, journalTotals: totals, matched });
        await close(randomUUID(), t0 - 10, false); // too old
        const recent = randomUUID();
        await close(recent, t0 + 10, false);
        await close(randomUUID(), t0 + 20, true);
        await close(randomUUID(), t0 + 30, null);
        const newest = randomUUID();
        await close(newest, t0 + 40, false);
        assert.deepEqual((await journal.listShiftCloses({ limit: 10, mismatchedSince: t0 })).map((c) => c.id), [newest, recent]);
        assert.equal((await journal.listShiftCloses({ limit: 10 })).length, 5);
      } finally {
        await journal.close();
      }
    });

    test('lists newest first with filters and a cursor that pages without gaps or repeats', async () => {
      const journal = await (await engine.fresh()).open();
      try {
        const base = Date.UTC(2026, 10, 20, 10, 0, 0);
        const made: Transaction[] = [];
        for (let i = 0; i < 25; i++) {
          // Several share a millisecond, as they do under load.
          const tx = await journal.insert(newTx(base + Math.floor(i / 3) * 1000, 100 + i), { step: 'received' });
          made.push(i % 4 === 0 ? await transitionAsHolder(journal, tx.id, 'pending', 'failed', {}, { step: 'failed' }) : tx);
        }
        const seen: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await journal.list({ limit: 7, cursor });
          seen.push(...page.items.map((t) => t.id));
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
        const expected = [...made].sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1)).map((t) => t.id);
        assert.deepEqual(seen, expected);

        const failed = await journal.list({ limit: 100, status: 'failed' });
        assert.deepEqual(failed.items.map((t) => t.id).sort(), made.filter((t) => t.status === 'failed').map((t) => t.id).sort());
        const window = await journal.list({ limit: 100, from: base + 2000, to: base + 4000 });
        assert.ok(window.items.length === 6 && window.items.every((t) => t.createdAt >= base + 2000 && t.createdAt < base + 4000));
        assert.equal((await journal.list({ limit: 100, method: 'payme' })).items.length, 0);
        await assert.rejects(journal.list({ limit: 5, cursor: 'bm9wZQ' }), InvalidCursorError);
      } finally {
        await journal.close();
      }
    });

    test('amounts are exact integers up to the largest accepted (1e10 tiyin), totals too', async () => {
      const journal = await (await engine.fresh()).open();
      try {
        const big = 10_000_000_000;
        const tx = await journal.insert(newTx(Date.now(), big), { step: 'received' });
        await transitionAsHolder(journal, tx.id, 'pending', 'succeeded', { providerPaymentId: '1' }, { step: 'succeeded' });
        const { giveBack } = await journal.reserveGiveBack(tx.id, (p) => ({
          tx: { id: randomUUID(), method: p.method, amount: big - 1, qrCodeMasked: null, qrCodeHash: null, createdAt: Date.now(), kind: 'refund', originalId: p.id },
          step: { step: 'received' },
        }));
        await transitionAsHolder(journal, giveBack.id, 'pending', 'succeeded', {}, { step: 'refunded' });
        const done = (await journal.get(tx.id))!;
        assert.equal(done.amount, big);
        assert.equal(done.refundedAmount, big - 1);
        assert.ok(Number.isInteger(done.amount) && typeof done.amount === 'number');
        await journal.insert(newTx(Date.now(), big), { step: 'received' });
        const totals = await journal.periodTotals(0, Date.now() + 1);
        const payments = totals.filter((r) => r.kind === 'payment');
        assert.equal(payments.reduce((s, r) => s + r.amount, 0), 2 * big);
        assert.equal(payments.reduce((s, r) => s + r.refunded, 0), big - 1);
        assert.equal(totals.filter((r) => r.kind === 'refund').reduce((s, r) => s + r.amount, 0), big - 1, 'the give-back is a row of its own');
        assert.ok(totals.every((r) => typeof r.count === 'number' && typeof r.amount === 'number' && typeof r.refunded === 'number'));
        const open = await journal.openCounts();
        assert.deepEqual(open.transactions, [{ method: 'click', status: 'pending', count: 1 }]);
      } finally {
        await journal.close();
      }
    });

    test('masks card numbers, secrets and QR codes before writing a timeline event', async () => {
      const store = await engine.fresh();
      const journal = await store.open();
      try {
        const tx = await journal.insert(newTx(), {
          step: 'received',
          detail: { qr_code: '880101698207133392', secret_key: 'top-secret-value', note: 'card 8600 4912 3456 7890 used' },
        });
        await transitionAsHolder(journal, tx.id, 'pending', 'succeeded', {}, { step: 'succeeded', detail: { card_number: '8600491234567890', payment_id: '2170000001234567' } });
        const stored = await journal.get(tx.id);
        assert.deepEqual(stored?.events[0]?.detail, { qr_code: '************3392', secret_key: '[secret]', note: 'card 860049******7890 used' });
        assert.deepEqual(stored?.events[1]?.detail, { card_number: '860049******7890', payment_id: '2170000001234567' });
        const everything = await store.storedText();
        assert.ok(everything.includes('860049******7890'), 'the store was read');
        for (const secret of ['880101698207133392', 'top-secret-value', '8600491234567890', '8600 4912 3456 7890']) {
          assert.ok(!everything.includes(secret), `${secret} is not stored`);
        }
      } finally {
        await journal.close();
      }
    });

    test('records the shop, till and instance of each transaction, and lists by shop and till', async () => {
      const store = await engine.fresh();
      const a = await store.open(origin('pb-a', { shop: 'chilonzor', till: '1' }));
      const b = await store.open(origin('pb-b', { shop: 'chilonzor', till: '2' }));
      const c = await store.open(origin('pb-c', { shop: 'yunusobod', till: '1' }));
      try {
        const ta = await a.insert(newTx(), { step: 'received' });
        const tb = await b.insert(newTx(), { step: 'received' });
        const tc = await c.insert(newTx(), { step: 'received' });
        assert.deepEqual([ta.shop, ta.till, ta.instance], ['chilonzor', '1', 'pb-a']);
        const ids = async (filter: { shop?: string; till?: string }) => (await a.list({ limit: 10, ...filter })).items.map((t) => t.id).sort();
        assert.deepEqual(await ids({ shop: 'chilonzor' }), [ta.id, tb.id].sort());
        assert.deepEqual(await ids({ shop: 'chilonzor', till: '2' }), [tb.id]);
        assert.deepEqual(await ids({ till: '1' }), [ta.id, tc.id].sort());
        assert.deepEqual(await ids({ shop: 'sergeli' }), []);
      } finally {
        await Promise.all([a.close(), b.close(), c.close()]);
      }
    });

    test('a QR code and amount is journaled once within the window, across journals on one store; a failed one may be tried again', async () => {
      const store = await engine.fresh();
      const journals = [await store.open(origin('pb-a')), await store.open(origin('pb-b'))];
      try {
        const hash = 'cd'.repeat(32);
        const since = Date.now() - 60_000;
        // Both processes at once, several times each: exactly one row.
        const results = await Promise.all(
          Array.from({ length: 8 }, (_, i) => journals[i % 2]!.insertQrPayment(newTx(Date.now(), 700, hash), { step: 'received' }, since)),
        );
        assert.equal(results.filter((r) => r.created).length, 1);
        const first = results.find((r) => r.created)!.transaction;
        assert.ok(results.every((r) => r.transaction.id === first.id));
        // Another amount is another payment.
        assert.equal((await journals[1]!.insertQrPayment(newTx(Date.now(), 701, hash), { step: 'received' }, since)).created, true);
        // Outside the window it is a new payment too.
        assert.equal((await journals[0]!.insertQrPayment(newTx(Date.now(), 700, hash), { step: 'received' }, Date.now() + 1)).created, true);
        // The newest in the window failed: nothing moved, a new attempt is made.
        const hash2 = 'ef'.repeat(32);
        const failed = (await journals[0]!.insertQrPayment(newTx(Date.now(), 900, hash2), { step: 'received' }, since)).transaction;
        await transitionAsHolder(journals[0]!, failed.id, 'pending', 'failed', {}, { step: 'failed' });
        const again = await journals[1]!.insertQrPayment(newTx(Date.now(), 900, hash2), { step: 'received' }, since);
        assert.equal(again.created, true);
        assert.notEqual(again.transaction.id, failed.id);
        // A failed attempt whose writer's clock was ahead looks newer than the attempt after it, still
        // open: that open one is the payment a retry stands for, never a third charge (found by the simulator).
        const hash3 = '12'.repeat(32);
        const ahead = (await journals[0]!.insertQrPayment(newTx(Date.now() + 30_000, 1_100, hash3), { step: 'received' }, since)).transaction;
        await transitionAsHolder(journals[0]!, ahead.id, 'pending', 'failed', {}, { step: 'failed' });
        const open = await journals[1]!.insertQrPayment(newTx(Date.now(), 1_100, hash3), { step: 'received' }, since);
        assert.equal(open.created, true, 'the failed one let a new attempt through');
        const third = await journals[0]!.insertQrPayment(newTx(Date.now(), 1_100, hash3), { step: 'received' }, since);
        assert.equal(third.created, false, 'the open attempt is the one a retry stands for');
        assert.equal(third.transaction.id, open.transaction.id);
      } finally {
        await Promise.all(journals.map((j) => j.close()));
      }
    });

    test('an idempotency key is owned by exactly one of several journals claiming it at once', async () => {
      const store = await engine.fresh();
      const journals = [await store.open(origin('pb-a')), await store.open(origin('pb-b')), await store.open(origin('pb-c'))];
      try {
        const now = Date.now();
        const claims = await Promise.all(
          journals.flatMap((j, i) =>
            [0, 1].map((k) => j.claimIdempotencyKey({ scope: 'POST /payment/click', key: 'k-1', fingerprint: 'f', owner: `o${i}.${k}`, createdAt: now, expiresAt: now + 60_000 })),
          ),
        );
        assert.equal(claims.filter((c) => c === undefined).length, 1, 'one owner');
        const owner = claims.find((c) => c !== undefined)!.owner;
        assert.ok(claims.every((c) => c === undefined || c.owner === owner));
        // Another instance completes it for its owner (a retry answering for a request that died).
        assert.equal(await journals[0]!.completeIdempotencyKey('POST /payment/click', 'k-1', owner, { data: { amount: 500 } }, null), true);
        const record = await journals[2]!.getIdempotencyKey('POST /payment/click', 'k-1');
        assert.equal(record?.state, 'done');
        assert.deepEqual(record?.response, { data: { amount: 500 } });
        assert.equal(await journals[1]!.purgeIdempotencyKeys(now + 60_001), 1);
      } finally {
        await Promise.all(journals.map((j) => j.close()));
      }
    });

    test('a key is completed only for the request holding it: the one that lost it never overwrites the answer stored', async () => {
      const journal = await (await engine.fresh()).open();
      try {
        const now = Date.now();
        const claim = (owner: string) => journal.claimIdempotencyKey({ scope: 'S', key: 'k', fingerprint: 'f', owner, createdAt: now, expiresAt: now + 60_000 });
        assert.equal(await claim('first'), undefined);
        await journal.releaseIdempotencyKey('S', 'k', 'first');
        assert.equal(await claim('retry'), undefined, 'a retry took the key over');
        assert.equal(await journal.completeIdempotencyKey('S', 'k', 'first', { data: 'first' }, null), false, 'the first request no longer holds it');
        const held = await journal.getIdempotencyKey('S', 'k');
        assert.deepEqual([held?.state, held?.owner, held?.response], ['in_progress', 'retry', null], 'nothing written');
        assert.equal(await journal.completeIdempotencyKey('S', 'k', 'retry', { data: 'retry' }, null), true);
        assert.equal(await journal.completeIdempotencyKey('S', 'k', 'first', { data: 'first' }, null), false);
        assert.equal(await journal.completeIdempotencyKey('S', 'k', 'retry', { data: 'again' }, null), false, 'a done key is not completed twice');
        const done = await journal.getIdempotencyKey('S', 'k');
        assert.deepEqual([done?.state, done?.response], ['done', { data: 'retry' }]);
      } finally {
        await journal.close();
      }
    });

    test('a key taken over by a retry cannot be linked by the request that lost it; a key of an unsettled operation outlives its TTL', async () => {
      const journal = await (await engine.fresh()).open();
      try {
        const now = Date.now();
        const claim = (owner: string) => journal.claimIdempotencyKey({ scope: 'S', key: 'k', fingerprint: 'f', owner, createdAt: now, expiresAt: now + 60_000 });
        assert.equal(await claim('first'), undefined);
        await journal.releaseIdempotencyKey('S', 'k', 'someone-else');
        assert.equal((await journal.getIdempotencyKey('S', 'k'))?.owner, 'first', 'only its owner releases a claim');
        await journal.releaseIdempotencyKey('S', 'k', 'first');
        assert.equal(await claim('retry'), undefined, 'the retry holds the key now');
        const tx = await journal.insert(newTx(now, 500), { step: 'received' });
        assert.equal(await journal.linkIdempotencyKey('S', 'k', tx.id, 'first'), false, 'the first request must send nothing');
        assert.equal((await journal.getIdempotencyKey('S', 'k'))?.transactionId, null);
        assert.equal(await journal.linkIdempotencyKey('S', 'k', tx.id, 'retry'), true);
        assert.equal(await journal.purgeIdempotencyKeys(now + 60_001), 0, 'its operation is still pending');
        await transitionAsHolder(journal, tx.id, 'pending', 'failed', {}, { step: 'failed' });
        assert.equal(await journal.purgeIdempotencyKeys(now + 60_001), 1);
      } finally {
        await journal.close();
      }
    });

    test('an operation’s first write ties the request’s key to it; a key a retry took over refuses the whole write — nothing journaled, nothing reserved', async () => {
      const journal = await (await engine.fresh()).open();
      try {
        const now = Date.now();
        const claim = (key: string, owner: string) => journal.claimIdempotencyKey({ scope: 'S', key, fingerprint: 'f', owner, createdAt: now, expiresAt: now + 60_000 });
        const count = async () => (await journal.list({ limit: 100 })).items.length;
        // insert
        assert.equal(await claim('k1', 'mine'), undefined);
        const tx = await journal.insert(newTx(now, 500), { step: 'received' }, { scope: 'S', key: 'k1', owner: 'mine' });
        assert.equal((await journal.getIdempotencyKey('S', 'k1'))?.transactionId, tx.id);
        await assert.rejects(journal.insert(newTx(now, 500), { step: 'received' }, { scope: 'S', key: 'k1', owner: 'lost-it' }), KeyTakenOverError);
        assert.equal(await count(), 1, 'the refused insert left no row');
        assert.equal((await journal.getIdempotencyKey('S', 'k1'))?.transactionId, tx.id, 'nor touched the key');
        // insertQrPayment: linked when created; refused whole when the key is not the request's
        assert.equal(await claim('k2', 'mine'), undefined);
        const hash = randomUUID().replace(/-/g, '') + 'cd'.repeat(16);
        await assert.rejects(journal.insertQrPayment(newTx(now, 700, hash), { step: 'received' }, now - 60_000, { scope: 'S', key: 'k2', owner: 'lost-it' }), KeyTakenOverError);
        assert.equal(await count(), 1);
        const qr = await journal.insertQrPayment(newTx(now, 700, hash), { step: 'received' }, now - 60_000, { scope: 'S', key: 'k2', owner: 'mine' });
        assert.equal(qr.created, true);
        assert.equal((await journal.getIdempotencyKey('S', 'k2'))?.transactionId, qr.transaction.id);
        assert.equal((await journal.get(qr.transaction.id))?.events.length, 1);
        // the same code again: the earlier payment stands for it, and the key of that request is left as it is
        assert.equal(await claim('k3', 'mine'), undefined);
        const again = await journal.insertQrPayment(newTx(now, 700, hash), { step: 'received' }, now - 60_000, { scope: 'S', key: 'k3', owner: 'mine' });
        assert.deepEqual([again.created, again.transaction.id], [false, qr.transaction.id]);
        assert.equal((await journal.getIdempotencyKey('S', 'k3'))?.transactionId, null);
        // reserveGiveBack
        await transitionAsHolder(journal, tx.id, 'pending', 'succeeded', { providerPaymentId: '42' }, { step: 'paid' });
        const plan = (original: Transaction) => ({
          tx: { id: randomUUID(), method: 'click' as const, amount: 200, qrCodeMasked: null, qrCodeHash: null, createdAt: Date.now(), kind: 'refund' as const, originalId: original.id },
          step: { step: 'received' },
        });
        assert.equal(await claim('k4', 'mine'), undefined);
        await assert.rejects(journal.reserveGiveBack(tx.id, plan, { scope: 'S', key: 'k4', owner: 'lost-it' }), KeyTakenOverError);
        assert.equal((await journal.giveBackLedger(tx.id)).reserved, 0, 'nothing reserved');
        const { giveBack } = await journal.reserveGiveBack(tx.id, plan, { scope: 'S', key: 'k4', owner: 'mine' });
        assert.equal((await journal.giveBackLedger(tx.id)).reserved, 200);
        assert.equal((await journal.getIdempotencyKey('S', 'k4'))?.transactionId, giveBack.id);
      } finally {
        await journal.close();
      }
    });

    test('a shift close is journaled sent under its writer’s claim and settled in place under it; a stale holder writes nothing; only a closed one closes the shift', async () => {
      const store = await engine.fresh();
      const a = await store.open(origin('pb-a'));
      const b = await store.open(origin('pb-b'));
      try {
        const zero = { purchaseCount: 0, purchaseAmount: 0, returnCount: 0, returnAmount: 0 };
        const base = { id: randomUUID(), terminal: 't-1', shiftNumber: 4, closedAt: Date.now(), report: '', terminalTotals: null, journalTotals: zero, matched: null };
        const before = await store.journalNow();
        const claim = await a.insertShiftClose({ ...base, state: 'sent' }, { owner: 'pb-a#live', leaseMs: 30_000 });
        const after = await store.journalNow();
        assert.deepEqual([claim.owner, claim.epoch], ['pb-a#live', 1]);
        assert.ok(claim.expiresAt >= before + 30_000 && claim.expiresAt <= after + 30_000, 'the lease runs from the journal’s clock');
        // Held: nobody else takes it, nor lists it for settling; a write without the claim is refused.
        const refused = await b.claimShiftClose(base.id, 'pb-b', 30_000);
        assert.equal(refused.taken, false);
        assert.equal(refused.taken === false && refused.holder?.owner, 'pb-a#live');
        assert.deepEqual(await b.listUnsettledShiftCloses(10, 'pb-b'), []);
        await assert.rejects(b.updateShiftClose({ ...base, state: 'closed' }, 'sent', { owner: 'pb-b', epoch: 1 }), (e: unknown) => e instanceof FencedWriteRefusedError && e.claimLost && e.holder?.owner === 'pb-a#live');
        assert.equal(await a.renewShiftCloseClaim(base.id, claim, 30_000), true);
        await a.updateShiftClose({ ...base, state: 'unknown', report: 'link dropped' }, 'sent', claim);
        assert.equal(await a.isShiftClosed('t-1', 4), false, 'a close whose answer was lost may not have happened');
        assert.deepEqual((await a.listShiftCloses({ terminal: 't-1', limit: 5 })).map((c) => [c.state, c.report]), [['unknown', 'link dropped']]);
        await assert.rejects(a.updateShiftClose({ ...base, state: 'closed' }, 'sent', claim), (e: unknown) => e instanceof FencedWriteRefusedError && e.actual === 'unknown', 'not from a state it is no longer in');
        await a.updateShiftClose({ ...base, state: 'closed', report: 'Сверка итогов' }, 'unknown', claim);
        assert.equal(await a.isShiftClosed('t-1', 4), true);
        assert.deepEqual(await a.getShiftClose(base.id), { ...base, state: 'closed', report: 'Сверка итогов', reason: null, hostReconciliation: null });
        assert.equal((await a.claimShiftClose(base.id, 'pb-b', 30_000)).taken, false, 'a settled close is nobody’s work');
        assert.equal(await a.renewShiftCloseClaim(base.id, claim, 30_000), false, 'settling let the claim go');
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });

    test('a shift close left sent: listed for settling once its claim lapses (journal’s clock) or is let go, taken over with a new epoch that fences out its writer', async () => {
      const store = await engine.fresh();
      const dying = await store.open(origin('pb-dying'));
      const rescuer = await store.open(origin('pb-rescue'));
      try {
        const close = { id: randomUUID(), state: 'sent' as const, terminal: 't-2', shiftNumber: null, closedAt: Date.now(), report: '', terminalTotals: null, journalTotals: null, matched: null };
        const old = await dying.insertShiftClose(close, { owner: 'pb-dying#live', leaseMs: 150 });
        const released = { ...close, id: randomUUID(), closedAt: close.closedAt + 1 };
        const letGo = await dying.insertShiftClose(released, { owner: 'pb-dying#live', leaseMs: 60_000 });
        await dying.releaseShiftCloseClaim(released.id, letGo);
        assert.deepEqual((await rescuer.listUnsettledShiftCloses(10, 'pb-rescue')).map((c) => c.id), [released.id], 'the released one at once; the held one not yet');
        await new Promise((r) => setTimeout(r, 400));
        assert.deepEqual((await rescuer.listUnsettledShiftCloses(10, 'pb-rescue')).map((c) => c.id), [close.id, released.id], 'oldest first, once the lease ran out');
        const taken = await rescuer.claimShiftClose(close.id, 'pb-rescue', 30_000);
        assert.equal(taken.taken, true);
        assert.ok(taken.taken && taken.claim.epoch === 2 && taken.close.state === 'sent');
        await assert.rejects(dying.updateShiftClose({ ...close, state: 'closed' }, 'sent', old), FencedWriteRefusedError, 'the late writer writes nothing');
        assert.equal(await dying.renewShiftCloseClaim(close.id, old, 60_000), false);
        await rescuer.updateShiftClose({ ...close, state: 'unknown', reason: 'the shift may or may not be closed' }, 'sent', taken.taken ? taken.claim : old);
        assert.equal((await rescuer.getShiftClose(close.id))?.state, 'unknown');
        assert.deepEqual((await rescuer.listUnsettledShiftCloses(10, 'pb-rescue')).map((c) => c.id), [released.id], 'an unknown one is no longer sent');
      } finally {
        await Promise.all([dying.close(), rescuer.close()]);
      }
    });

    test('unknown shift closes are listed and counted for an operator until a later close of the same terminal closes the shift', async () => {
      const journal = await (await engine.fresh()).open(origin('pb-a'));
      try {
        const t0 = Date.now() - 10_000;
        const close = (terminal: string, state: 'unknown' | 'closed' | 'not_sent', closedAt: number) => ({
          id: randomUUID(), state, terminal, shiftNumber: null, closedAt, report: state, terminalTotals: null, journalTotals: null, matched: null,
        });
        const overtaken = close('t-1', 'unknown', t0);
        const open = close('t-1', 'unknown', t0 + 2_000);
        const other = close('t-2', 'unknown', t0 + 3_000);
        for (const c of [overtaken, close('t-1', 'closed', t0 + 1_000), open, close('t-1', 'not_sent', t0 + 2_500), other, close('t-2', 'closed', t0 - 1_000)]) await journalShiftClose(journal, c);
        assert.deepEqual((await journal.listShiftCloses({ limit: 10, unknownUnresolved: true })).map((c) => c.id), [other.id, open.id], 'newest first; the one a later close overtook is not');
        assert.equal((await journal.openCounts()).shiftClosesUnknown, 2);
        await journalShiftClose(journal, close('t-2', 'closed', t0 + 4_000));
        assert.deepEqual((await journal.listShiftCloses({ limit: 10, unknownUnresolved: true })).map((c) => c.id), [open.id]);
        assert.equal((await journal.openCounts()).shiftClosesUnknown, 1);
      } finally {
        await journal.close();
      }
    });

    test('fiscal hand-offs: one per payment; one holder at a time, its lease on the journal’s clock; every write fenced by its epoch', async () => {
      const store = await engine.fresh();
      const a = await store.open(origin('pb-a'));
      const b = await store.open(origin('pb-b'));
      try {
        const handoff = (id = randomUUID()) => ({
          id,
          method: 'click' as const,
          paymentId: '2170000001',
          transactionId: null,
          receipt: { paymentId: '2170000001', qrCodeUrl: 'https://ofd.soliq.uz/check?t=1&r=1' },
          state: 'pending' as const,
          createdAt: Date.now(),
        });
        // Two requests (or PayBridges) journaling the same payment's receipt at once: one row, one holder.
        const inserted = await Promise.all([a.insertHandoff(handoff(), { owner: 'pb-a#live', leaseMs: 30_000 }), b.insertHandoff(handoff(), { owner: 'pb-b#live', leaseMs: 30_000 })]);
        const mine = inserted.find((h) => h !== undefined)!;
        assert.equal(inserted.filter((h) => h === undefined).length, 1, 'the second writer is told it wrote nothing');
        assert.equal(mine.claim?.epoch, 1);
        const [holder, other] = mine.claim!.owner === 'pb-a#live' ? [a, b] : [b, a];
        const fence = { owner: mine.claim!.owner, epoch: 1 };
        const before = await store.journalNow();
        assert.equal(await holder.renewHandoffClaim(mine.id, fence, 30_000), true);
        const after = await store.journalNow();
        const renewed = (await other.getHandoff('click', '2170000001'))!;
        assert.ok(renewed.claim!.expiresAt >= before + 30_000 && renewed.claim!.expiresAt <= after + 30_000, 'renewed from the journal’s clock');
        // Nobody else takes it while held, and learns who holds it; a write without the claim is refused.
        const refused = await other.claimHandoff(mine.id, 'pb-x', 30_000);
        assert.equal(refused.taken, false);
        assert.equal(refused.taken === false && refused.holder?.owner, fence.owner);
        await assert.rejects(other.updateHandoff(mine.id, 'pending', { state: 'unknown' }, { owner: fence.owner, epoch: 2 }), (e: unknown) => e instanceof FencedWriteRefusedError && e.claimLost && e.holder?.epoch === 1);
        const sending = await holder.updateHandoff(mine.id, 'pending', { state: 'unknown', attempts: 1 }, fence);
        assert.deepEqual([sending.state, sending.attempts], ['unknown', 1]);
        await assert.rejects(holder.updateHandoff(mine.id, 'pending', { state: 'submitted' }, fence), (e: unknown) => e instanceof FencedWriteRefusedError && e.actual === 'unknown', 'not from a state it is no longer in');
        const t0 = await store.journalNow();
        const waiting = await holder.updateHandoff(mine.id, 'unknown', { retryInMs: 60_000, lastError: 'HTTP 504' }, fence);
        assert.ok(waiting.nextAttemptAt! >= t0 + 60_000 && waiting.nextAttemptAt! <= (await store.journalNow()) + 60_000, 'due by the journal’s clock');
        await holder.releaseHandoffClaim(mine.id, fence);
        // Let go but not due: a sweep neither lists nor takes it; a till's own submit may (not `due`).
        assert.deepEqual(await other.listDueHandoffs(10, 'pb-x'), []);
        assert.equal((await other.claimHandoff(mine.id, 'pb-x', 30_000, { due: true })).taken, false);
        const till = await other.claimHandoff(mine.id, 'pb-y#live', 30_000);
        assert.equal(till.taken && till.handoff.claim.epoch, 2);
        await assert.rejects(holder.updateHandoff(mine.id, 'unknown', { state: 'submitted' }, fence), FencedWriteRefusedError, 'the old epoch writes nothing');
        const done = await other.updateHandoff(mine.id, 'unknown', { state: 'submitted', retryInMs: null, result: { error_code: 0 } }, { owner: 'pb-y#live', epoch: 2 });
        assert.deepEqual([done.state, done.claim, done.nextAttemptAt], ['submitted', null, null], 'delivered lets the claim go');
        assert.equal((await a.claimHandoff(mine.id, 'pb-z', 30_000)).taken, false, 'a delivered receipt is nobody’s work');
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });

    test('fiscal hand-offs: a due one is claimed by one sweep of several at once; a held one by none until its lease runs out (journal’s clock)', async () => {
      const store = await engine.fresh();
      const journals = [await store.open(origin('pb-a')), await store.open(origin('pb-b')), await store.open(origin('pb-c'))];
      try {
        const t0 = Date.now();
        const handoff = (paymentId: string, state: 'pending' | 'unknown' = 'pending') => ({
          id: randomUUID(),
          method: 'click' as const,
          paymentId,
          transactionId: null,
          receipt: { paymentId, qrCodeUrl: `https://ofd.soliq.uz/check?t=1&r=${paymentId}` },
          state,
          createdAt: t0 - 1_000 + Number(paymentId),
        });
        const due = [await journals[0]!.insertHandoff(handoff('1')), await journals[0]!.insertHandoff(handoff('2', 'unknown')), await journals[0]!.insertHandoff(handoff('3'))];
        // Its request is delivering it, under a lease long enough that a loaded machine's claims below end well within it.
        const held = (await journals[0]!.insertHandoff(handoff('4'), { owner: 'pb-a#live', leaseMs: 5_000 }))!;
        assert.deepEqual((await journals[1]!.listDueHandoffs(10, 'pb-b')).map((h) => h.paymentId), ['1', '2', '3'], 'oldest first; not the held one');
        // Every journal's sweep at the same instant, each claiming every listed one: each goes to exactly one of them.
        const claims = await Promise.all(
          journals.flatMap((j, n) => due.map((h) => j.claimHandoff(h!.id, `pb-${'abc'[n]}`, 60_000, { due: true }))),
        );
        const won = claims.filter((c) => c.taken).map((c) => c.handoff!.id);
        assert.deepEqual([...won].sort(), due.map((h) => h!.id).sort(), 'each due one once');
        assert.deepEqual(await journals[2]!.listDueHandoffs(10, 'pb-x'), [], 'nothing due while held');
        // Its request died: once the lease has run out on the journal's clock, it is due.
        while ((await store.journalNow()) <= held.claim!.expiresAt) await new Promise((r) => setTimeout(r, 100));
        assert.deepEqual((await journals[2]!.listDueHandoffs(10, 'pb-x')).map((h) => h.paymentId), ['4'], 'the dead request’s hand-off, once its lease ran out');
        const taken = await journals[2]!.claimHandoff(held.id, 'pb-c', 60_000, { due: true });
        assert.equal(taken.taken && taken.handoff.claim.epoch, 2);
        await assert.rejects(journals[0]!.updateHandoff(held.id, 'pending', { state: 'unknown' }, { owner: 'pb-a#live', epoch: 1 }), FencedWriteRefusedError);
        // A sweep's own claim, left by a run of the same instance that died, is taken again only when it says so.
        assert.equal((await journals[2]!.claimHandoff(held.id, 'pb-c', 60_000, { due: true })).taken, false);
        assert.equal((await journals[2]!.claimHandoff(held.id, 'pb-c', 60_000, { due: true, retakeOwn: true })).taken, true);
      } finally {
        await Promise.all(journals.map((j) => j.close()));
      }
    });

    test('claims: one holder at a time on the journal’s clock, every write fenced by its epoch, a lapsed claim taken over with a new one', async () => {
      const store = await engine.fresh();
      const a = await store.open(origin('pb-a'));
      const b = await store.open(origin('pb-b'));
      const quick = await store.open(origin('pb-quick', { inFlightLeaseMs: 150 }));
      try {
        // The insert claims the row for its writer's request, epoch 1, for its lease.
        const mine = await a.insert(newTx(Date.now() - 120_000), { step: 'received' });
        assert.equal(mine.claim?.owner, 'pb-a#live');
        assert.equal(mine.claim?.epoch, 1);
        const aFence = fenceOf(mine)!;
        // Nobody else takes a held row, old as it is: b is told who holds it and until when.
        const refused = await b.claim(mine.id, 'pb-b', 30_000);
        assert.equal(refused.taken, false);
        assert.equal(refused.taken === false && refused.holder?.owner, 'pb-a#live');
        assert.ok(refused.taken === false && refused.holder!.expiresAt > Date.now() + 30_000, 'held for the writer’s lease from its insert');
        assert.ok(!(await b.listClaimable(0, 50, 'pb-b')).some((t) => t.id === mine.id), 'not listed for anyone else while held');
        // Only the holder writes; a wrong epoch or owner is ClaimLostError naming the holder, a wrong status StaleTransitionError.
        await a.transition(mine.id, 'pending', 'pending', { providerPaymentId: 'R-1' }, { step: 'receipt_created' }, aFence);
        await assert.rejects(b.transition(mine.id, 'pending', 'unknown', {}, { step: 'x' }, { owner: 'pb-a#live', epoch: 2 }), (err: unknown) => err instanceof ClaimLostError && err.holder?.owner === 'pb-a#live' && err.holder.epoch === 1);
        await assert.rejects(b.transition(mine.id, 'pending', 'unknown', {}, { step: 'x' }, { owner: 'pb-b', epoch: 1 }), ClaimLostError);
        await assert.rejects(a.transition(mine.id, 'unknown', 'failed', {}, { step: 'x' }, aFence), StaleTransitionError);
        assert.equal(await a.renewClaim(mine.id, aFence, 60_000), true);
        assert.equal(await b.renewClaim(mine.id, { owner: 'pb-a#live', epoch: 7 }, 60_000), false);

        // A claim that lapses (its lease ran out on the journal's clock) is taken over with a new epoch:
        // the old holder can neither write nor renew nor release it any more.
        const lapsing = await quick.insert(newTx(Date.now() - 120_000), { step: 'received' });
        const oldFence = fenceOf(lapsing)!;
        await new Promise((r) => setTimeout(r, 400));
        assert.ok((await b.listClaimable(0, 50, 'pb-b')).some((t) => t.id === lapsing.id), 'listed once its lease ran out');
        const taken = await b.claim(lapsing.id, 'pb-b', 30_000);
        assert.equal(taken.taken, true);
        const bFence = fenceOf(taken.tx!)!;
        assert.deepEqual(bFence, { owner: 'pb-b', epoch: 2 });
        await assert.rejects(quick.transition(lapsing.id, 'pending', 'pending', { providerPaymentId: 'late' }, { step: 'receipt_created' }, oldFence), (err: unknown) => err instanceof ClaimLostError && err.holder?.owner === 'pb-b');
        assert.equal(await quick.renewClaim(lapsing.id, oldFence, 60_000), false, 'a renewal says the claim is gone');
        await quick.releaseClaim(lapsing.id, oldFence);
        assert.equal((await a.get(lapsing.id))!.claim?.owner, 'pb-b', 'a stale holder’s release lets go of nothing');
        assert.equal((await a.get(lapsing.id))!.providerPaymentId, null, 'the stale write left no trace');
        // The same owner may take its own claim again only when it says so (a recovery of the same instance that died).
        assert.equal((await b.claim(lapsing.id, 'pb-b', 30_000)).taken, false);
        const retaken = await b.claim(lapsing.id, 'pb-b', 30_000, { retakeOwn: true });
        assert.equal(retaken.taken && retaken.tx.claim.epoch, 3);
        // A final status lets the claim go, and a settled row is nobody's to claim.
        const done = await b.transition(lapsing.id, 'pending', 'failed', {}, { step: 'failed' }, fenceOf(retaken.tx!)!);
        assert.equal(done.claim, null);
        const settled = await a.claim(lapsing.id, 'pb-a', 30_000);
        assert.equal(settled.taken === false && settled.holder, null);
        // Released, a row is free at once (no lease to wait out).
        await a.releaseClaim(mine.id, aFence);
        assert.equal((await b.claim(mine.id, 'pb-b', 30_000)).taken, true);
      } finally {
        await Promise.all([a.close(), b.close(), quick.close()]);
      }
    });

    test('conflicts: a proof kept against a failed give-back reserves its amount until an operator decides, and opens the row to a claim', async () => {
      const store = await engine.fresh();
      const journal = await store.open(origin('pb-a'));
      try {
        const paid = await journal.insert(newTx(Date.now(), 1_000), { step: 'received' });
        await journal.transition(paid.id, 'pending', 'succeeded', { providerPaymentId: '42' }, { step: 'paid' }, fenceOf(paid)!);
        const { giveBack } = await journal.reserveGiveBack(paid.id, (original) => ({
          tx: { id: randomUUID(), method: 'click', amount: 600, qrCodeMasked: null, qrCodeHash: null, createdAt: Date.now(), kind: 'refund', originalId: original.id },
          step: { step: 'received' },
        }));
        assert.equal((await journal.giveBackLedger(paid.id)).reserved, 600);
        await journal.transition(giveBack.id, 'pending', 'failed', {}, { step: 'operator_decision' }, fenceOf(giveBack)!);
        assert.equal((await journal.giveBackLedger(paid.id)).reserved, 0, 'a failed give-back frees its amount');
        await journal.recordConflict({
          id: randomUUID(),
          transactionId: giveBack.id,
          kind: 'contradicted',
          writer: 'pb-b (epoch 2)',
          journalStatus: 'failed',
          holder: null,
          proven: 'succeeded',
          verdict: { step: 'recovered', facts: {}, detail: { rule: 'payment_status -1', card_number: '8600491234567890' } },
          createdAt: Date.now(),
        });
        const ledger = await journal.giveBackLedger(paid.id);
        assert.deepEqual([ledger.reserved, ledger.open, ledger.live], [600, 1, 1], 'the proven give-back is reserved again');
        assert.equal((await journal.openCounts()).conflictsOpen, 1);
        const [open] = await journal.openConflicts(10);
        assert.equal(open!.transactionId, giveBack.id);
        assert.doesNotMatch(JSON.stringify(open!.verdict.detail), /8600491234567890/, 'the evidence masked as any event’s');
        // Still open to nothing but a claim: an operator accepts the proof, correcting failed to succeeded.
        const claimed = await journal.claim(giveBack.id, 'pb-a#operator', 30_000);
        assert.equal(claimed.taken, true);
        await assert.rejects(journal.transition(giveBack.id, 'failed', 'succeeded', {}, { step: 'x' }, fenceOf(claimed.tx!)!), IllegalTransitionError, 'not without saying it is a correction');
        const corrected = await journal.transition(giveBack.id, 'failed', 'succeeded', {}, { step: 'operator_accepted_proof' }, fenceOf(claimed.tx!)!, { correction: true });
        assert.equal(corrected.status, 'succeeded');
        assert.equal((await journal.get(paid.id))!.refundedAmount, 600, 'the payment’s given-back total follows the correction');
        assert.equal(await journal.resolveConflicts(giveBack.id, { by: 'ops', decision: 'accepted', reason: 'Click cabinet shows the refund' }), 1);
        assert.equal((await journal.openCounts()).conflictsOpen, 0);
        const [resolved] = await journal.conflictsOf(giveBack.id);
        assert.deepEqual([resolved!.state, resolved!.resolution?.decision, resolved!.resolution?.by], ['resolved', 'accepted', 'ops']);
        const ledgerAfter = await journal.giveBackLedger(paid.id);
        assert.deepEqual([ledgerAfter.givenBack, ledgerAfter.reserved], [600, 0]);
        // An "unrecorded" proof closes by itself once the row says the same.
        const other = await journal.insert(newTx(), { step: 'received' });
        await journal.recordConflict({ id: randomUUID(), transactionId: other.id, kind: 'unrecorded', writer: 'w', journalStatus: 'pending', holder: 'pb-a#live', proven: 'succeeded', verdict: { step: 'succeeded', facts: {} }, createdAt: Date.now() });
        assert.equal(await journal.closeAgreedConflicts(), 0);
        await journal.transition(other.id, 'pending', 'succeeded', {}, { step: 'succeeded' }, fenceOf(other)!);
        assert.equal(await journal.closeAgreedConflicts(), 1);
        assert.equal((await journal.conflictsOf(other.id))[0]!.resolution?.decision, 'agreed');
      } finally {
        await journal.close();
      }
    });

    test(`claims left by a dead process: ${engine.name === 'sqlite' ? 'let go at start (one process holds the file)' : 'left to expire on the database’s clock (several processes share it)'}`, async () => {
      const store = await engine.fresh();
      const dead = await store.open(origin('pb-dead'));
      const tx = await dead.insert(newTx(), { step: 'received' });
      const receipt = { paymentId: '77', qrCodeUrl: 'https://ofd.soliq.uz/check?t=1&r=77' };
      const handoff = (await dead.insertHandoff({ id: randomUUID(), method: 'payme', paymentId: '77', transactionId: null, receipt, state: 'pending', createdAt: Date.now() }, { owner: 'pb-dead#live', leaseMs: 60_000 }))!;
      const closeId = randomUUID();
      await dead.insertShiftClose({ id: closeId, state: 'sent', terminal: 't-9', shiftNumber: null, closedAt: Date.now(), report: '', terminalTotals: null, journalTotals: null, matched: null }, { owner: 'pb-dead#live', leaseMs: 60_000 });
      await dead.close();
      const next = await store.open(origin('pb-dead'));
      try {
        const released = await next.releaseDeadClaims();
        const row = (await next.get(tx.id))!;
        if (engine.name === 'sqlite') {
          assert.equal(released, 3, 'the transaction’s, the hand-off’s and the close’s');
          assert.equal(row.claim, null);
          assert.equal((await next.claim(tx.id, 'pb-dead', 30_000)).taken, true);
          assert.equal((await next.getHandoff('payme', '77'))!.claim, null);
          assert.equal((await next.claimHandoff(handoff.id, 'pb-dead', 30_000, { due: true })).taken, true);
          assert.deepEqual((await next.listUnsettledShiftCloses(5, 'pb-next')).map((c) => c.id), [closeId]);
          const close = await next.claimShiftClose(closeId, 'pb-dead', 30_000);
          assert.equal(close.taken && close.claim.epoch, 3, 'let go with a new epoch, then taken with another');
        } else {
          assert.equal(released, 0);
          assert.equal(row.claim?.owner, 'pb-dead#live');
          assert.equal((await next.getHandoff('payme', '77'))!.claim?.owner, 'pb-dead#live');
          assert.deepEqual(await next.listUnsettledShiftCloses(5, 'pb-next'), []);
        }
      } finally {
        await next.close();
      }
    });
  });

  describeUnlessSkipped(`the journal on ${engine.name} around a payment`, engine.skip, () => {
    test('the row exists, pending, before Click sees the request', async () => {
      const store = await engine.fresh();
      let journalAtCharge: Transaction | undefined | 'no id';
      let bridgeRef: Awaited<ReturnType<typeof startTestBridge>> | undefined;
      const emulator = await startClickEmulator({
        onChargeRequest: async ({ transactionId }) => {
          journalAtCharge = transactionId ? await bridgeRef!.journal.get(transactionId) : 'no id';
        },
      });
      const bridge = await startTestBridge((c) => {
        productionClick(emulator)(c);
        store.configure(c);
        c.instance.shop = 'chilonzor';
        c.instance.till = '3';
      });
      bridgeRef = bridge;
      try {
        const { body } = await post(bridge, '/payment/click', { amount: 500, qr_code: '880101698207133392' });
        assert.equal(body.is_success, true);
        assert.ok(journalAtCharge && journalAtCharge !== 'no id', 'Click received our transaction id and it was already journaled');
        assert.equal(journalAtCharge.id, body.data.transaction_id);
        assert.equal(journalAtCharge.status, 'pending');
        assert.equal(journalAtCharge.amount, 500);
        assert.equal(bridge.journal.engine, engine.name);
        const listed = await get(bridge, '/payment/transactions?shop=chilonzor&till=3');
        assert.equal(listed.body.data.items[0].transaction_id, body.data.transaction_id);
        assert.equal(listed.body.data.items[0].shop, 'chilonzor');
        assert.equal(listed.body.data.items[0].till, '3');
        assert.equal((await get(bridge, '/payment/transactions?till=4')).body.data.items.length, 0);
      } finally {
        await bridge.close();
        await emulator.close();
      }
    });

    test('a payment survives a restart, and the API shows it with its timeline', async () => {
      const store = await engine.fresh();
      const dataDir = tempDir();
      const first = await startTestBridge(store.configure, dataDir);
      const { body } = await post(first, '/payment/click', { amount: 2_500, qr_code: '880101698207133392' });
      assert.equal(body.is_success, true);
      await first.close();

      const second = await startTestBridge(store.configure, dataDir);
      try {
        const one = await get(second, `/payment/transactions/${body.data.transaction_id}`);
        assert.equal(one.body.is_success, true);
        const d = one.body.data;
        assert.equal(d.transaction_id, body.data.transaction_id);
        assert.equal(d.status, 'succeeded');
        assert.equal(d.amount, 2_500);
        assert.equal(d.payment_id, body.data.payment_id);
        assert.equal(d.qr_code, '************3392', 'the one-time code is masked at rest');
        assert.deepEqual(
          d.events.map((e: { status: string; step: string }) => `${e.status}:${e.step}`),
          // CLICK's confirmation mode (the default): switched on before the payment was journaled, the
          // payment created; confirmed and its status read, journaled with the outcome.
          ['pending:received', 'pending:payment_created', 'succeeded:succeeded'],
        );
        const list = await get(second, '/payment/transactions?method=click&status=succeeded&limit=5');
        assert.equal(list.body.data.items[0].transaction_id, body.data.transaction_id);
        assert.equal(list.body.data.next_cursor, null);
      } finally {
        await second.close();
      }
    });

    test('the API validates listing filters and ids', async () => {
      const store = await engine.fresh();
      const bridge = await startTestBridge(store.configure);
      try {
        const bad = [
          ['/payment/transactions?status=lost', /^status: must be one of pending, succeeded/],
          ['/payment/transactions?limit=0', /^limit: must be an integer from 1 to 500$/],
          ['/payment/transactions?from=yesterday', /^from: must be an ISO 8601 date\/time/],
          // Read in the server's zone by Date.parse, which need not be the shop's: refused, not guessed.
          ['/payment/transactions?from=2026-11-26T10:00', /^from: 2026-11-26T10:00 has no time zone/],
          ['/payment/transactions?to=2026-11-26T10:00:00.000', /^to: .* has no time zone/],
          ['/payment/transactions?cursor=bm9wZQ', /^cursor: not a cursor this journal issued$/],
          ['/payment/transactions?sort=asc', /^sort: is not a known parameter$/],
          ['/payment/transactions?shop=', /^shop: /],
          ['/payment/transactions/123', /^transaction_id: must be a transaction id \(UUID\)$/],
        ] as const;
        for (const [url, message] of bad) {
          const { statusCode, body } = await get(bridge, url);
          assert.equal(statusCode, 200, url);
          assert.equal(body.error?.code, 7, url);
          assert.match(String(body.error!.data), message, url);
        }
        const missing = await get(bridge, `/payment/transactions/${randomUUID()}`);
        assert.equal(missing.body.error?.code, 106);
        assert.match(missing.body.error!.message, /^Транзакции .* нет в журнале\.$/);
        const ok = await get(bridge, '/payment/transactions?from=2026-01-01&to=2999-01-01T00:00:00Z&limit=3');
        assert.equal(ok.body.is_success, true);
      } finally {
        await bridge.close();
      }
    });

    test('secrets and one-time codes never reach the log or the journal', async () => {
      const store = await engine.fresh();
      const emulator = await startClickEmulator({ secretKey: 'prod-secret-Zq81' });
      const bridge = await startTestBridge((c) => {
        productionClick(emulator, 'prod-secret-Zq81')(c);
        store.configure(c);
      });
      try {
        for (const qr of ['990011223344556677', '990011223344556408', '990011223344556116']) {
          await post(bridge, '/payment/click', { amount: 500, qr_code: qr });
        }
        const everything = bridge.logs.text + (await store.storedText());
        assert.ok(bridge.logs.lines.length > 5, 'something was logged');
        const secrets = ['prod-secret-Zq81', '990011223344556677', '990011223344556408', '990011223344556116'];
        if (engine.name === 'postgres') secrets.push(new URL(bridge.config.journal.url!).password);
        for (const secret of secrets) {
          assert.ok(!everything.includes(secret), `${secret} leaked`);
        }
      } finally {
        await bridge.close();
        await emulator.close();
      }
    });
  });
}

describe('the SQLite journal', () => {
  test('runs in WAL mode, its WAL synced before any answer (synchronous=NORMAL + fdatasync), and records its schema version', async () => {
    const path = join(tempDir(), 'j.sqlite');
    const journal = new SqliteJournal({ path });
    await journal.close();
    const db = openSqlite(path);
    assert.equal(db.pragma('journal_mode'), 'wal');
    assert.equal(Number(db.pragma('user_version')), SQLITE_MIGRATIONS.length);
    db.close();
    const again = new SqliteJournal({ path });
    assert.equal(again.schemaVersion, SQLITE_MIGRATIONS.length, 'reopening migrates nothing twice');
    const health = await again.health();
    assert.equal(health.ok, true);
    assert.match(health.detail, /synchronous=NORMAL \+ WAL fdatasync before each answer/);
    await again.close();
  });

  test('hand-offs’ and shift closes’ claims expire by the journal’s clock, not the caller’s', async () => {
    let now = Date.UTC(2030, 0, 1);
    const journal = new SqliteJournal({ path: join(tempDir(), 'j.sqlite'), clock: () => now });
    try {
      const receipt = { paymentId: '9', qrCodeUrl: 'https://ofd.soliq.uz/check?t=1&r=9' };
      const h = (await journal.insertHandoff({ id: randomUUID(), method: 'click', paymentId: '9', transactionId: null, receipt, state: 'pending', createdAt: Date.now() }, { owner: 'a', leaseMs: 1_000 }))!;
      assert.equal(h.claim?.expiresAt, now + 1_000);
      const closeId = randomUUID();
      const close = await journal.insertShiftClose({ id: closeId, state: 'sent', terminal: 't', shiftNumber: null, closedAt: Date.now(), report: '', terminalTotals: null, journalTotals: null, matched: null }, { owner: 'a', leaseMs: 1_000 });
      assert.equal(close.expiresAt, now + 1_000);
      now += 999;
      assert.equal((await journal.claimHandoff(h.id, 'b', 1_000)).taken, false);
      assert.equal((await journal.claimShiftClose(closeId, 'b', 1_000)).taken, false);
      now += 1;
      assert.equal((await journal.claimHandoff(h.id, 'b', 1_000)).taken, true);
      assert.equal((await journal.claimShiftClose(closeId, 'b', 1_000)).taken, true);
    } finally {
      await journal.close();
    }
  });

  test('refuses a journal written by a newer PayBridge', () => {
    const path = join(tempDir(), 'j.sqlite');
    const db = openSqlite(path);
    db.exec(`PRAGMA user_version = ${SQLITE_MIGRATIONS.length + 1}`);
    db.close();
    assert.throws(() => new SqliteJournal({ path }), /newer than this PayBridge knows/);
  });
});

describeUnlessSkipped('the PostgreSQL journal', postgresSkip(), () => {
  test('migrates at start under a lock, records schema_version, and migrates nothing twice', async () => {
    const url = await freshDatabase();
    // Three PayBridge processes starting at the same moment on an empty database.
    const journals = await Promise.all([0, 1, 2].map(() => PostgresJournal.open({ url })));
    await Promise.all(journals.map((j) => j.close()));
    const versions = await sql<{ version: number; paybridge: string }>(url, 'SELECT version, paybridge FROM schema_version ORDER BY version');
    assert.deepEqual(versions.map((v) => v.version), POSTGRES_MIGRATIONS.map((_, i) => i + 1));
    const again = await PostgresJournal.open({ url });
    try {
      assert.equal(again.schemaVersion, POSTGRES_MIGRATIONS.length);
      const health = await again.health();
      assert.equal(health.ok, true);
      assert.equal(health.engine, 'postgres');
      assert.match(health.detail, /PostgreSQL \d+/);
      assert.ok(!health.detail.includes(new URL(url).password), 'health names the database without its password');
    } finally {
      await again.close();
    }
    // Money and times are BIGINT, never floating point.
    const columns = await sql<{ column_name: string; data_type: string }>(
      url,
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'transactions' AND column_name IN ('amount', 'refunded_amount', 'created_at')`,
    );
    assert.deepEqual(columns.map((c) => c.data_type), ['bigint', 'bigint', 'bigint']);
  });

  test('refuses a database whose schema is newer than this PayBridge, or that is not a PayBridge journal', async () => {
    const url = await freshDatabase();
    await (await PostgresJournal.open({ url })).close();
    await sql(url, 'INSERT INTO schema_version (version, applied_at, paybridge) VALUES ($1, 0, $2)', [POSTGRES_MIGRATIONS.length + 1, '9.9.9']);
    await assert.rejects(PostgresJournal.open({ url }), /newer than this PayBridge knows/);

    const foreign = await freshDatabase();
    await sql(foreign, 'CREATE TABLE transactions (id INTEGER)');
    await assert.rejects(PostgresJournal.open({ url: foreign }), /not a PayBridge journal/);
  });

  test('an unreachable database is a clear error naming it without the password', async () => {
    const url = new URL(postgresUrl());
    url.port = '1';
    const password = url.password;
    const err = await PostgresJournal.open({ url: url.toString(), connectTimeoutMs: 2_000 }).then(
      () => assert.fail('opened'),
      (e: unknown) => e as Error,
    );
    assert.ok(err instanceof JournalUnavailableError, String(err));
    assert.match(err.message, /PostgreSQL journal at postgres:\/\/\w+:\*\*\*@127\.0\.0\.1:1\/\w+ cannot be reached: .*ECONNREFUSED/);
    assert.ok(!err.message.includes(password));
    // node-postgres (and libpq) take the password from the query too: it opens, and is never named either.
    const inQuery = new URL(postgresUrl());
    inQuery.password = '';
    inQuery.searchParams.set('password', password);
    const opened = await PostgresJournal.open({ url: inQuery.toString() });
    await opened.close();
    inQuery.port = '1';
    const unreachable = await PostgresJournal.open({ url: inQuery.toString(), connectTimeoutMs: 2_000 }).then(
      () => assert.fail('opened'),
      (e: unknown) => e as Error,
    );
    assert.match(unreachable.message, /PostgreSQL journal at postgres:\/\/\w+@127\.0\.0\.1:1\/\w+\?password=\*\*\* cannot be reached/);
    assert.ok(!unreachable.message.includes(password));
    const wrong = new URL(postgresUrl());
    wrong.password = 'not-the-password';
    await assert.rejects(PostgresJournal.open({ url: wrong.toString() }), (e: Error) => /password authentication failed/.test(e.message) && !e.message.includes('not-the-password'));
  });

  test('connection loss: no payment starts while the journal cannot be written; one in flight is finished and recorded once it returns', async () => {
    const url = new URL(await freshDatabase());
    const relay = new TcpRelay(Number(url.port));
    url.port = String(await relay.start());
    let cutOnCharge = false;
    const emulator = await startClickEmulator({
      onChargeRequest: async () => {
        if (cutOnCharge) relay.cut();
      },
    });
    const bridge = await startTestBridge((c) => {
      productionClick(emulator)(c);
      c.journal.engine = 'postgres';
      c.instance = { ...c.instance, shop: 'chilonzor', till: '1' };
      c.journal.url = url.toString();
      c.journal.connect_timeout_ms = 1_000;
      c.recovery.grace_ms = 300;
      // Recovery runs only when the test asks (recoverNow): a background pass while a request's 300 ms
      // claim lapsed in a stall of a loaded machine would take the payment over mid-request.
      c.recovery.interval_ms = 3_600_000;
      // Without CLICK's confirmation mode: in it, a charge whose payment id cannot be journaled is never
      // confirmed (journal first), so CLICK cancels it and the till hears 103 — this test is the other path.
      c.click!.confirm_mode = false;
    });
    try {
      relay.cut();
      const refused = await post(bridge, '/payment/click', { amount: 800, qr_code: '880101698207130001' });
      assert.equal(refused.body.is_success, false);
      assert.equal(refused.body.error?.code, 103);
      assert.match(String(refused.body.error?.data), /^JOURNAL_UNAVAILABLE/);
      assert.match(refused.body.error!.message, /Журнал платежей недоступен/);
      assert.equal(emulator.ledger().length, 0, 'nothing was sent to Click');
      assert.equal((await get(bridge, '/health')).statusCode, 503);
      assert.ok(!bridge.logs.text.includes(url.password), 'the password is not in the log');

      relay.restore();
      const paid = await post(bridge, '/payment/click', { amount: 800, qr_code: '880101698207130002' });
      assert.equal(paid.body.is_success, true, JSON.stringify(paid.body));

      // The connection drops while Click is charging: the customer has paid and the till is told so;
      // the journal still says pending, until it is reachable again and recovery settles it.
      cutOnCharge = true;
      const inFlight = await post(bridge, '/payment/click', { amount: 900, qr_code: '880101698207130003' });
      cutOnCharge = false;
      assert.equal(inFlight.body.is_success, true, JSON.stringify(inFlight.body));
      relay.restore();
      const [before] = await sql<{ status: string }>(url.toString(), 'SELECT status FROM transactions WHERE id = $1', [inFlight.body.data.transaction_id]);
      assert.equal(before?.status, 'pending');
      // Its request could not let go of its claim while the database was away: the claim lapses first.
      await new Promise((r) => setTimeout(r, bridge.config.recovery.grace_ms + 50));
      await bridge.recovery.recoverNow();
      const [after] = await sql<{ status: string; provider_payment_id: string }>(url.toString(), 'SELECT status, provider_payment_id FROM transactions WHERE id = $1', [
        inFlight.body.data.transaction_id,
      ]);
      assert.equal(after?.status, 'succeeded');
      assert.equal(after?.provider_payment_id, inFlight.body.data.payment_id);
      assert.equal(emulator.ledger().length, 2, 'two payments charged, each once');
    } finally {
      relay.restore();
      await bridge.close();
      await emulator.close();
      await relay.close();
    }
  });

  test('PayBridge refuses to start on an unreachable database, and the log never shows the password', async () => {
    const url = new URL(postgresUrl());
    url.port = '1';
    await assert.rejects(
      startTestBridge((c) => {
        c.journal.engine = 'postgres';
      c.instance = { ...c.instance, shop: 'chilonzor', till: '1' };
        c.journal.url = url.toString();
        c.journal.connect_timeout_ms = 2_000;
      }),
      (e: Error) => /cannot be reached/.test(e.message) && !e.message.includes(url.password),
    );
  });
});
