import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { tillScope } from '../src/payments/idempotency.js';
import { after, test } from 'node:test';
import { PostgresJournal } from '../src/journal/postgres/postgres-journal.js';
import { SqliteJournal } from '../src/journal/sqlite/sqlite-journal.js';
import { get, post, startTestBridge, tempDir, uniqueQr, transitionAsHolder } from './helpers.js';
import { describeUnlessSkipped, dropTestDatabases, freshDatabase, postgresSkip, sql } from './postgres.js';

const CLI = new URL('../src/cli/main.ts', import.meta.url).pathname;

function paybridge(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', CLI, ...args], { env: { ...process.env, ...env }, timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** A till's day in its SQLite journal: QR and card payments, a cancel, a fiscal hand-off, a keyed request, a shift close. */
async function tillDay(dataDir: string): Promise<string[]> {
  const bridge = await startTestBridge(undefined, dataDir);
  try {
    const ids: string[] = [];
    const paid = await post(bridge, '/payment/click', { amount: 500, qr_code: uniqueQr() });
    assert.equal(paid.body.is_success, true, JSON.stringify(paid.body));
    ids.push(paid.body.data.transaction_id);
    const confirm = await post(bridge, '/payment/click_confirm', {
      payment_id: paid.body.data.payment_id,
      qr_code: 'https://ofd.soliq.uz/check?t=EP000000000123&r=1542&c=20261123150102&s=512345678901',
    });
    assert.equal(confirm.body.is_success, true, JSON.stringify(confirm.body));
    const keyed = await bridge.server.inject({
      method: 'POST',
      url: '/payment/payme',
      payload: JSON.stringify({ amount: 1_500, qr_code: uniqueQr() }),
      headers: { 'content-type': 'application/json', 'idempotency-key': 'migrate-key-1' },
    });
    assert.equal(keyed.json().is_success, true, keyed.body);
    ids.push(keyed.json().data.transaction_id);
    const card = await post(bridge, '/payment/xumo', { amount: 50_000 });
    assert.equal(card.body.is_success, true, JSON.stringify(card.body));
    const back = await post(bridge, '/payment/xumo', { request_id: card.body.data.receipt_number, amount: 50_000, is_return: true });
    assert.equal(back.body.is_success, true, JSON.stringify(back.body));
    const close = await get(bridge, '/payment/xumo_close');
    assert.equal(close.body.is_success, true, JSON.stringify(close.body));
    return ids;
  } finally {
    await bridge.close();
  }
}

after(() => dropTestDatabases());

describeUnlessSkipped('paybridge journal migrate --from sqlite --to postgres', postgresSkip(), () => {
  test('copies a till’s whole journal, again without duplicates, and then only what changed', async () => {
    const dataDir = tempDir();
    const sqlitePath = `${dataDir}/journal.sqlite`;
    const [clickId] = await tillDay(dataDir);
    // A key an older PayBridge kept under its route, still in force.
    const older = new SqliteJournal({ path: sqlitePath });
    try {
      const now = Date.now();
      await older.claimIdempotencyKey({ scope: `${tillScope({})} POST /payment/click`, key: 'older-key', fingerprint: 'ab'.repeat(32), owner: 'old', createdAt: now, expiresAt: now + 3_600_000 });
      // A proof of money moved that the till's journal could not write as the payment's outcome.
      await older.recordConflict({ id: randomUUID(), transactionId: clickId!, kind: 'unrecorded', writer: 'till-2#live (epoch 1)', journalStatus: 'pending', holder: null, proven: 'succeeded', verdict: { step: 'succeeded', facts: { providerPaymentId: '42' } }, createdAt: now });
    } finally {
      await older.close();
    }
    const url = await freshDatabase();
    const password = new URL(url).password;
    const migrate = () => paybridge(['journal', 'migrate', '--from', 'sqlite', '--to', 'postgres', '--shop', 'chilonzor', '--till', '2'], { PAYBRIDGE_DATA_DIR: dataDir, PAYBRIDGE_JOURNAL_URL: url });

    const first = await migrate();
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /: 4 transactions \(4 new, 0 updated, 0 already there\), \d+ events, 1 fiscal hand-offs, 1 shift closes, 2 idempotency keys, 1 conflicts copied/);
    assert.ok(!first.stdout.includes(password) && !first.stderr.includes(password), 'the password is never printed');
    assert.match(first.stdout, /postgres:\/\/paybridge:\*\*\*@/);

    const counts = async () =>
      Object.fromEntries(
        await Promise.all(
          ['transactions', 'transaction_events', 'fiscal_handoffs', 'shift_closes', 'idempotency_keys', 'operation_conflicts'].map(
            async (t) => [t, Number((await sql<{ n: string }>(url, `SELECT COUNT(*) AS n FROM ${t}`))[0]!.n)] as const,
          ),
        ),
      );
    const copied = await counts();

    // Every transaction reads back the same from both journals: amounts, statuses, timelines, hand-offs.
    const till = new SqliteJournal({ path: sqlitePath });
    const central = await PostgresJournal.open({ url });
    try {
      const all = (await till.list({ limit: 100 })).items;
      assert.equal(all.length, 4);
      assert.equal(copied.transaction_events, (await Promise.all(all.map((t) => till.get(t.id)))).reduce((n, t) => n + t!.events.length, 0));
      for (const t of all) {
        const mine = await till.get(t.id);
        const theirs = await central.get(t.id);
        // Claims are a running process's, never copied: the central journal's rows are nobody's until claimed there.
        assert.deepEqual({ ...theirs, shop: null, till: null, claim: null }, { ...mine, shop: null, till: null, claim: null }, t.id);
        assert.equal(theirs!.claim, null);
        assert.deepEqual([theirs!.shop, theirs!.till], ['chilonzor', '2'], 'rows that named no till get the one given');
      }
      assert.deepEqual(await central.listShiftCloses({ limit: 5 }), await till.listShiftCloses({ limit: 5 }));
      const key = await central.getIdempotencyKey(tillScope({ shop: 'chilonzor', till: '2' }), 'migrate-key-1');
      assert.equal(key?.state, 'done');
      assert.match(key!.fingerprint, /^POST \/payment\/payme sha256:[0-9a-f]{64}$/);
      assert.equal((await central.getIdempotencyKey(`${tillScope({ shop: 'chilonzor', till: '2' })} POST /payment/click`, 'older-key'))?.owner, 'old', 'an older key keeps its route, under the till');
      assert.deepEqual(await central.conflictsOf(clickId!), await till.conflictsOf(clickId!), 'the proof went along');
    } finally {
      await till.close();
      await central.close();
    }

    const again = await migrate();
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /: 4 transactions \(0 new, 0 updated, 4 already there\), 0 events, 0 fiscal hand-offs, 0 shift closes, 0 idempotency keys, 0 conflicts copied/);
    assert.deepEqual(await counts(), copied, 'a second run duplicates nothing');

    // The till goes on: a payment is given back, a new one is taken. The next run brings both.
    const later = new SqliteJournal({ path: sqlitePath });
    try {
      const { giveBack } = await later.reserveGiveBack(clickId!, (p) => ({
        tx: { id: randomUUID(), method: 'click', amount: p.amount, qrCodeMasked: null, qrCodeHash: null, createdAt: Date.now(), kind: 'cancel', originalId: p.id },
        step: { step: 'received', detail: { amount: p.amount } },
      }));
      await transitionAsHolder(later, giveBack.id, 'pending', 'succeeded', {}, { step: 'cancelled' });
      await later.insert({ id: randomUUID(), method: 'click', amount: 700, qrCodeMasked: '****0001', qrCodeHash: 'aa'.repeat(32), createdAt: Date.now() }, { step: 'received' });
    } finally {
      await later.close();
    }
    const third = await migrate();
    assert.equal(third.code, 0, third.stderr);
    // The give-back is a row of its own (new), its payment updated, and the new payment.
    assert.match(third.stdout, /: 6 transactions \(2 new, 1 updated, 3 already there\)/);
    const refunded = await sql<{ status: string; refunded_amount: number; events: string }>(
      url,
      `SELECT status, refunded_amount, (SELECT string_agg(step, ',' ORDER BY seq) FROM transaction_events e WHERE e.transaction_id = t.id) AS events FROM transactions t WHERE id = $1`,
      [clickId],
    );
    assert.equal(refunded[0]!.status, 'cancelled');
    assert.equal(Number(refunded[0]!.refunded_amount), 500);
    const tillAgain = new SqliteJournal({ path: sqlitePath });
    try {
      assert.equal(refunded[0]!.events, (await tillAgain.get(clickId!))!.events.map((e) => e.step).join(','), 'the timeline has each event once, in order');
    } finally {
      await tillAgain.close();
    }
  });

  test('refuses other engines and an unreachable database with a clear exit code', async () => {
    const dataDir = tempDir();
    const usage = await paybridge(['journal', 'migrate', '--from', 'sqlite', '--to', 'mysql'], { PAYBRIDGE_DATA_DIR: dataDir });
    assert.equal(usage.code, 2);
    const down = await paybridge(['journal', 'migrate', '--from', 'sqlite', '--to', 'postgres', '--database', 'postgres://paybridge:s3cret-pw@127.0.0.1:1/x'], {
      PAYBRIDGE_DATA_DIR: dataDir,
    });
    assert.equal(down.code, 1);
    assert.match(down.stderr, /postgres:\/\/paybridge:\*\*\*@127\.0\.0\.1:1\/x cannot be reached/);
    assert.ok(!down.stderr.includes('s3cret-pw'));
    // libpq and node-postgres take a password in the query too: it is masked there as well.
    const query = await paybridge(['journal', 'migrate', '--from', 'sqlite', '--to', 'postgres', '--database', 'postgres://paybridge@127.0.0.1:1/x?sslmode=disable&password=s3cret-q'], {
      PAYBRIDGE_DATA_DIR: dataDir,
    });
    assert.equal(query.code, 1);
    assert.match(query.stderr, /postgres:\/\/paybridge@127\.0\.0\.1:1\/x\?sslmode=disable&password=\*\*\* cannot be reached/);
    assert.ok(!query.stderr.includes('s3cret-q'));
  });
});
