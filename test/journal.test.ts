import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { InvalidCursorError, StaleTransitionError } from '../src/journal/journal.js';
import { SqliteJournal } from '../src/journal/sqlite/sqlite-journal.js';
import { SQLITE_MIGRATIONS } from '../src/journal/sqlite/migrations.js';
import { openSqlite } from '../src/journal/sqlite/connection.js';
import { IllegalTransitionError } from '../src/payments/state-machine.js';
import type { Transaction } from '../src/payments/transaction.js';
import { get, post, productionClick, startClickEmulator, startTestBridge, tempDir } from './helpers.js';

const newTx = (createdAt = Date.now(), amount = 500) => ({
  id: randomUUID(),
  method: 'click' as const,
  amount,
  qrCodeMasked: '****3392',
  qrCodeHash: 'ab'.repeat(32),
  createdAt,
});

/** Every byte SQLite has written for the journal: the main file and its write-ahead log. */
function journalBytes(path: string): string {
  return [path, `${path}-wal`].filter(existsSync).map((p) => readFileSync(p).toString('latin1')).join('');
}

describe('the SQLite journal', () => {
  test('runs in WAL mode with synchronous=FULL and records its schema version', async () => {
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
    assert.match(health.detail, /synchronous=FULL/);
    await again.close();
  });

  test('refuses a journal written by a newer PayBridge', () => {
    const path = join(tempDir(), 'j.sqlite');
    const db = openSqlite(path);
    db.exec(`PRAGMA user_version = ${SQLITE_MIGRATIONS.length + 1}`);
    db.close();
    assert.throws(() => new SqliteJournal({ path }), /newer than this PayBridge knows/);
  });

  test('transitions follow the state machine and refuse a stale starting status', async () => {
    const journal = new SqliteJournal({ path: join(tempDir(), 'j.sqlite') });
    try {
      const tx = await journal.insert(newTx(), { step: 'received' });
      assert.equal(tx.status, 'pending');
      await assert.rejects(journal.transition(tx.id, 'pending', 'refunded', {}, { step: 'x' }), IllegalTransitionError);
      await assert.rejects(journal.transition(tx.id, 'unknown', 'succeeded', {}, { step: 'x' }), StaleTransitionError);
      await assert.rejects(journal.transition(randomUUID(), 'pending', 'failed', {}, { step: 'x' }), /does not exist/);
      const done = await journal.transition(tx.id, 'pending', 'succeeded', { providerPaymentId: '42' }, { step: 'succeeded' });
      assert.equal(done.status, 'succeeded');
      assert.equal(done.providerPaymentId, '42');
      await assert.rejects(journal.transition(tx.id, 'succeeded', 'failed', {}, { step: 'x' }), IllegalTransitionError);
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

  test('lists newest first with filters and a cursor that pages without gaps or repeats', async () => {
    const journal = new SqliteJournal({ path: join(tempDir(), 'j.sqlite') });
    try {
      const base = Date.UTC(2026, 10, 20, 10, 0, 0);
      const made: Transaction[] = [];
      for (let i = 0; i < 25; i++) {
        // Several share a millisecond, as they do under load.
        const tx = await journal.insert(newTx(base + Math.floor(i / 3) * 1000, 100 + i), { step: 'received' });
        made.push(i % 4 === 0 ? await journal.transition(tx.id, 'pending', 'failed', {}, { step: 'failed' }) : tx);
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

  test('masks card numbers, secrets and QR codes before writing a timeline event', async () => {
    const path = join(tempDir(), 'j.sqlite');
    const journal = new SqliteJournal({ path });
    try {
      const tx = await journal.insert(newTx(), {
        step: 'received',
        detail: { qr_code: '880101698207133392', secret_key: 'top-secret-value', note: 'card 8600 4912 3456 7890 used' },
      });
      await journal.transition(tx.id, 'pending', 'succeeded', {}, { step: 'succeeded', detail: { card_number: '8600491234567890', payment_id: '2170000001234567' } });
      const stored = await journal.get(tx.id);
      assert.deepEqual(stored?.events[0]?.detail, { qr_code: '************3392', secret_key: '[secret]', note: 'card 860049******7890 used' });
      assert.deepEqual(stored?.events[1]?.detail, { card_number: '860049******7890', payment_id: '2170000001234567' });
      const bytes = journalBytes(path);
      for (const secret of ['880101698207133392', 'top-secret-value', '8600491234567890', '8600 4912 3456 7890']) {
        assert.ok(!bytes.includes(secret), `${secret} is not on disk`);
      }
    } finally {
      await journal.close();
    }
  });
});

describe('the journal around a payment', () => {
  test('the row exists, pending, before Click sees the request', async () => {
    let journalAtCharge: Transaction | undefined | 'no id';
    let bridgeRef: Awaited<ReturnType<typeof startTestBridge>> | undefined;
    const emulator = await startClickEmulator({
      onChargeRequest: async ({ transactionId }) => {
        journalAtCharge = transactionId ? await bridgeRef!.journal.get(transactionId) : 'no id';
      },
    });
    const bridge = await startTestBridge(productionClick(emulator));
    bridgeRef = bridge;
    try {
      const { body } = await post(bridge, '/payment/click', { amount: 500, qr_code: '880101698207133392' });
      assert.equal(body.is_success, true);
      assert.ok(journalAtCharge && journalAtCharge !== 'no id', 'Click received our transaction id and it was already journaled');
      assert.equal(journalAtCharge.id, body.data.transaction_id);
      assert.equal(journalAtCharge.status, 'pending');
      assert.equal(journalAtCharge.amount, 500);
    } finally {
      await bridge.close();
      await emulator.close();
    }
  });

  test('a payment survives a restart, and the API shows it with its timeline', async () => {
    const dataDir = tempDir();
    const first = await startTestBridge(undefined, dataDir);
    const { body } = await post(first, '/payment/click', { amount: 2_500, qr_code: '880101698207133392' });
    assert.equal(body.is_success, true);
    await first.close();

    const second = await startTestBridge(undefined, dataDir);
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
        ['pending:received', 'succeeded:succeeded'],
      );
      const list = await get(second, '/payment/transactions?method=click&status=succeeded&limit=5');
      assert.equal(list.body.data.items[0].transaction_id, body.data.transaction_id);
      assert.equal(list.body.data.next_cursor, null);
    } finally {
      await second.close();
    }
  });

  test('the API validates listing filters and ids', async () => {
    const bridge = await startTestBridge();
    try {
      const bad = [
        ['/payment/transactions?status=lost', /^status: must be one of pending, succeeded/],
        ['/payment/transactions?limit=0', /^limit: must be an integer from 1 to 500$/],
        ['/payment/transactions?from=yesterday', /^from: must be an ISO 8601 date\/time/],
        ['/payment/transactions?cursor=bm9wZQ', /^cursor: not a cursor this journal issued$/],
        ['/payment/transactions?sort=asc', /^sort: is not a known parameter$/],
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

  test('secrets and one-time codes never reach the log or the journal file', async () => {
    const emulator = await startClickEmulator({ secretKey: 'prod-secret-Zq81' });
    const bridge = await startTestBridge(productionClick(emulator, 'prod-secret-Zq81'));
    try {
      for (const qr of ['990011223344556677', '990011223344556408', '990011223344556116']) {
        await post(bridge, '/payment/click', { amount: 500, qr_code: qr });
      }
      const everything = bridge.logs.text + journalBytes(bridge.config.journal.path!);
      assert.ok(bridge.logs.lines.length > 5, 'something was logged');
      for (const secret of ['prod-secret-Zq81', '990011223344556677', '990011223344556408', '990011223344556116']) {
        assert.ok(!everything.includes(secret), `${secret} leaked`);
      }
    } finally {
      await bridge.close();
      await emulator.close();
    }
  });
});
