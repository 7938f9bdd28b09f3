import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { join } from 'node:path';
import { get, post, productionClick, startClickEmulator, startTestBridge, tempDir, uniqueQr, type TestBridge } from './helpers.js';
import { SqliteJournal } from '../src/journal/sqlite/sqlite-journal.js';
import { GroupCommit, JournalSyncError } from '../src/journal/sqlite/group-commit.js';
import { openSqlite } from '../src/journal/sqlite/connection.js';
import { storageFailureCode } from '../src/journal/sqlite/storage-errors.js';
import { firstWrite, JournalUnavailableError } from '../src/payments/ports/journal.js';

/*
 * The SQLite journal's own faults (issue 28): a full disk, a read-only journal, an I/O error or a
 * failed WAL sync at an operation's first write is JOURNAL_UNAVAILABLE ("nothing was sent"), /health
 * is 503 while the journal cannot write and 200 again, without a restart, once it can; the WAL stays
 * bounded; a disk running low is a warning in /health and /metrics.
 */

/**
 * A small tmpfs of its own at a fresh folder, so a test can fill it for real. Mounting needs root on
 * Linux (CI runs as root); elsewhere the tests that need it are skipped, saying why.
 */
function smallVolume(size: string): { dir: string; close(): void } | string {
  if (process.platform !== 'linux') return `a tmpfs is mounted only on Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'mounting a small tmpfs needs root (CI runs as root)';
  const dir = tempDir('paybridge-small-volume-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (err) {
    return `mount -t tmpfs was refused here (${String((err as { stderr?: Buffer }).stderr ?? err).trim()})`;
  }
  return {
    dir,
    close: () => execFileSync('umount', ['-l', dir], { stdio: 'pipe' }),
  };
}

/** CI runs on Linux as root: there a volume that cannot be mounted is a failure, not a skip. */
function skipOutsideCi(t: { skip(message: string): void }, why: string): void {
  if (process.env.CI === 'true' && process.platform === 'linux') throw new Error(`CI must be able to fill a real disk: ${why}`);
  t.skip(why);
}

/** Fills `dir`'s volume to the last block with files of its own; returns a function that removes them. */
function fill(dir: string): () => void {
  const files: string[] = [];
  for (const chunk of [256 * 1024, 4096, 512]) {
    for (;;) {
      const file = join(dir, `filler-${files.length}`);
      try {
        writeFileSync(file, Buffer.alloc(chunk, 1));
        files.push(file);
      } catch (err) {
        assert.equal((err as NodeJS.ErrnoException).code, 'ENOSPC');
        rmSync(file, { force: true });
        break;
      }
    }
  }
  return () => files.forEach((f) => rmSync(f, { force: true }));
}

const CHROMIUM = process.env.PAYBRIDGE_CHROMIUM ?? '/usr/bin/chromium';
const metric = (text: string, name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);

describe('SQLite journal: a full disk', () => {
  test('a payment on a full disk is JOURNAL_UNAVAILABLE and sends nothing; /health 503; space freed: paid, /health 200, no restart', async (t) => {
    const volume = smallVolume('3m');
    if (typeof volume === 'string') return skipOutsideCi(t, volume);
    const emulator = await startClickEmulator();
    let bridge: TestBridge | undefined;
    try {
      bridge = await startTestBridge((c) => {
        productionClick(emulator)(c);
        c.journal.low_space_mb = 1;
      }, volume.dir);
      const before = await post(bridge, '/payment/click', { amount: 800, qr_code: uniqueQr() });
      assert.equal(before.body.is_success, true, JSON.stringify(before.body));
      assert.equal((await get(bridge, '/health')).statusCode, 200);

      const unfill = fill(volume.dir);
      const refused = await post(bridge, '/payment/click', { amount: 900, qr_code: uniqueQr() });
      assert.equal(refused.body.is_success, false);
      assert.equal(refused.body.error?.code, 103);
      assert.match(String(refused.body.error?.data), /^JOURNAL_UNAVAILABLE/, JSON.stringify(refused.body));
      assert.match(refused.body.error!.message, /Журнал платежей недоступен/);
      assert.equal(emulator.ledger().length, 1, 'nothing more was sent to Click');
      const down = await get(bridge, '/health');
      assert.equal(down.statusCode, 503);
      assert.equal(down.body.data.journal.ok, false);
      assert.match(down.body.data.journal.detail, /disk is full|SQLITE_FULL/);
      assert.equal(down.body.data.journal.low_space, true);
      const metrics = (await bridge.server.inject({ method: 'GET', url: '/metrics' })).body;
      assert.equal(metric(metrics, 'paybridge_journal_low_space'), 1);
      assert.ok(metric(metrics, 'paybridge_journal_free_bytes') < 1024 * 1024);
      assert.match(bridge.logs.text, /the journal cannot be written/);

      unfill();
      const up = await get(bridge, '/health');
      assert.equal(up.statusCode, 200, JSON.stringify(up.body));
      assert.equal(up.body.data.journal.ok, true);
      const after = await post(bridge, '/payment/click', { amount: 1000, qr_code: uniqueQr() });
      assert.equal(after.body.is_success, true, JSON.stringify(after.body));
      assert.equal(emulator.ledger().length, 2);
      // The refused payment left nothing in the journal: only the two taken.
      const listed = await get(bridge, '/payment/transactions?limit=10');
      assert.deepEqual(listed.body.data.items.map((x: { amount: number }) => x.amount).sort(), [1000, 800]);
    } finally {
      await bridge?.close();
      await emulator.close();
      volume.close();
    }
  });

  for (const confirmMode of [false, true]) {
    test(`the disk fills while Click is charging (confirm_mode ${confirmMode}): never "nothing was sent", never failed while money may have moved; settled as Click says once space is back`, async (t) => {
      const volume = smallVolume('3m');
      if (typeof volume === 'string') return skipOutsideCi(t, volume);
      let unfill: (() => void) | undefined;
      let fillOnCharge = false;
      const emulator = await startClickEmulator({
        onChargeRequest: () => {
          if (fillOnCharge) unfill = fill(volume.dir);
        },
      });
      let bridge: TestBridge | undefined;
      try {
        bridge = await startTestBridge((c) => {
          productionClick(emulator)(c);
          c.journal.low_space_mb = 1;
          c.recovery.grace_ms = 300;
          // Only the test's recoverNow: a background pass could take over a request whose short claim lapsed in a stall.
          c.recovery.interval_ms = 3_600_000;
          c.click!.confirm_mode = confirmMode;
        }, volume.dir);
        fillOnCharge = true;
        const answer = await post(bridge, '/payment/click', { amount: 700, qr_code: uniqueQr() });
        fillOnCharge = false;
        t.diagnostic(`the till heard: ${JSON.stringify(answer.body)}`);
        assert.equal(emulator.ledger().length, 1, 'Click was asked');
        // Money may have moved: never "nothing was sent", never failed.
        assert.doesNotMatch(String(answer.body.error?.data), /JOURNAL_UNAVAILABLE/, JSON.stringify(answer.body));
        assert.notEqual(answer.body.data?.status, 'failed');
        assert.notEqual(answer.body.error?.transaction_status, 'failed');
        const [row] = (await bridge.journal.list({ limit: 5 })).items;
        assert.ok(row && ['pending', 'unknown'].includes(row.status), row?.status);
        t.diagnostic(`the journal, the disk full: ${row.status}`);

        unfill!();
        await new Promise((r) => setTimeout(r, bridge!.config.recovery.grace_ms + 50));
        await bridge.recovery.recoverNow();
        const settled = await bridge.journal.get(row.id);
        // What Click says: charged (without the confirmation step), or never confirmed and so cancelled.
        assert.equal(settled?.status, emulator.charges().length === 1 ? 'succeeded' : 'failed');
        if (!confirmMode) assert.equal(emulator.charges().length, 1, 'charged once');
        assert.equal((await get(bridge, '/health')).statusCode, 200);
      } finally {
        unfill?.();
        await bridge?.close();
        await emulator.close();
        volume.close();
      }
    });
  }
});

describe('SQLite journal: read-only, I/O errors, a failed WAL sync', () => {
  test('a journal SQLite refuses to write (SQLITE_READONLY) is JOURNAL_UNAVAILABLE and /health 503; writable again: 200', async () => {
    const emulator = await startClickEmulator();
    const bridge = await startTestBridge(productionClick(emulator));
    try {
      // A volume cannot be remounted read-only under open files (EBUSY), so SQLite is told so itself:
      // every write then fails with SQLITE_READONLY, as on a read-only file.
      const db = (bridge.journal as unknown as { db: { exec(sql: string): void } }).db;
      db.exec('PRAGMA query_only = 1');
      const refused = await post(bridge, '/payment/click', { amount: 800, qr_code: uniqueQr() });
      assert.match(String(refused.body.error?.data), /^JOURNAL_UNAVAILABLE/, JSON.stringify(refused.body));
      assert.equal(emulator.ledger().length, 0);
      const down = await get(bridge, '/health');
      assert.equal(down.statusCode, 503);
      assert.match(down.body.data.journal.detail, /readonly/);
      db.exec('PRAGMA query_only = 0');
      assert.equal((await get(bridge, '/health')).statusCode, 200);
      const paid = await post(bridge, '/payment/click', { amount: 800, qr_code: uniqueQr() });
      assert.equal(paid.body.is_success, true, JSON.stringify(paid.body));
    } finally {
      await bridge.close();
      await emulator.close();
    }
  });

  test('a failed WAL sync at the first write is JOURNAL_UNAVAILABLE; /health 503 until restarted', async () => {
    const emulator = await startClickEmulator();
    const bridge = await startTestBridge(productionClick(emulator));
    try {
      const writes = (bridge.journal as unknown as { writes: { options: { sync?: () => Promise<void> } } }).writes;
      assert.ok(writes.options.sync, 'the file journal syncs its WAL itself');
      writes.options.sync = () => Promise.reject(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
      const refused = await post(bridge, '/payment/click', { amount: 800, qr_code: uniqueQr() });
      assert.match(String(refused.body.error?.data), /^JOURNAL_UNAVAILABLE/, JSON.stringify(refused.body));
      assert.equal(emulator.ledger().length, 0);
      const down = await get(bridge, '/health');
      assert.equal(down.statusCode, 503);
      assert.match(down.body.data.journal.detail, /could not be synced/);
    } finally {
      await bridge.close();
      await emulator.close();
    }
  });

  test('storage failures are told apart from a write\'s own errors, for both drivers\' shapes', () => {
    for (const code of ['SQLITE_FULL', 'SQLITE_READONLY', 'SQLITE_READONLY_DBMOVED', 'SQLITE_IOERR', 'SQLITE_IOERR_WRITE', 'SQLITE_IOERR_FSYNC']) {
      assert.equal(storageFailureCode(Object.assign(new Error('x'), { code })), code.replace(/^(SQLITE_[A-Z]+?)(_.*)?$/, '$1'), code);
    }
    // node:sqlite: the extended code as a number (SQLITE_IOERR_WRITE = 778, SQLITE_READONLY_RECOVERY = 264, SQLITE_FULL = 13).
    assert.equal(storageFailureCode(Object.assign(new Error('x'), { code: 'ERR_SQLITE_ERROR', errcode: 778 })), 'SQLITE_IOERR');
    assert.equal(storageFailureCode(Object.assign(new Error('x'), { code: 'ERR_SQLITE_ERROR', errcode: 264 })), 'SQLITE_READONLY');
    assert.equal(storageFailureCode(Object.assign(new Error('x'), { code: 'ERR_SQLITE_ERROR', errcode: 13 })), 'SQLITE_FULL');
    for (const code of ['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_BUSY', 'SQLITE_ERROR', 'SQLITE_FULLNESS', 'EIO']) {
      assert.equal(storageFailureCode(Object.assign(new Error('x'), { code })), undefined, code);
    }
    assert.equal(storageFailureCode(Object.assign(new Error('x'), { code: 'ERR_SQLITE_ERROR', errcode: 2067 })), undefined, 'SQLITE_CONSTRAINT_UNIQUE');
    assert.ok(new JournalSyncError(new Error('EIO')) instanceof JournalUnavailableError);
  });

  test('an I/O error fails the whole batch; each caller gets its own error, so "nothing sent" reaches only the first write', async () => {
    const db = openSqlite(':memory:');
    db.exec('CREATE TABLE t (x INTEGER)');
    const writes = new GroupCommit(db, { where: 'test.sqlite' });
    let failing = true;
    const ioerr = () => {
      if (failing) throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR_WRITE' });
    };
    const plain = writes.run(() => db.prepare('INSERT INTO t VALUES (1)').run());
    const first = firstWrite(writes.run(() => (db.prepare('INSERT INTO t VALUES (2)').run(), ioerr())));
    const later = writes.run(() => db.prepare('INSERT INTO t VALUES (3)').run());
    const [a, b, c] = await Promise.allSettled([plain, first, later]);
    for (const r of [a, b, c]) assert.ok(r.status === 'rejected' && r.reason instanceof JournalUnavailableError, String((r as PromiseRejectedResult).reason));
    assert.equal(((b as PromiseRejectedResult).reason as JournalUnavailableError).nothingSent, true);
    assert.equal(((c as PromiseRejectedResult).reason as JournalUnavailableError).nothingSent, false, 'another caller of the batch is not told nothing was sent');
    assert.equal((db.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n, 0, 'nothing of the batch kept');
    assert.ok(writes.unwritable);
    failing = false;
    await writes.run(() => db.prepare('INSERT INTO t VALUES (4)').run());
    assert.equal(writes.unwritable, undefined, 'the next batch that commits clears it');
    db.close();
  });
});

describe('SQLite journal: the WAL stays bounded', () => {
  const detail = { pad: 'x'.repeat(900) };
  const insert = (journal: SqliteJournal, i: number) =>
    journal.insert({ id: `wal-${i}`, method: 'click', amount: 100 + i, createdAt: Date.now(), qrCodeMasked: null, qrCodeHash: null } as never, { step: 'created', detail });

  test('across many payments, and after a long reader held the checkpoint back', async () => {
    const dir = tempDir();
    const path = join(dir, 'journal.sqlite');
    const limit = 512 * 1024;
    const journal = new SqliteJournal({ path, walLimitBytes: limit, checkpointEveryMs: 0 });
    const walSize = () => statSync(`${path}-wal`).size;
    try {
      // Without readers: SQLite's own checkpoint (every 1000 pages) keeps it at a few MiB whatever the count.
      let largest = 0;
      for (let i = 0; i < 3000; i += 50) {
        await Promise.all(Array.from({ length: 50 }, (_, k) => insert(journal, i + k)));
        largest = Math.max(largest, walSize());
      }
      assert.ok(largest < 6 * 1024 * 1024, `WAL reached ${largest} bytes`);

      // Another process reads the journal for a long time (an export, a backup): no checkpoint can
      // pass its snapshot, so the WAL grows while payments go on.
      const holdBack = async (from: number) => {
        const reader = openSqlite(path);
        reader.exec('BEGIN');
        reader.prepare('SELECT COUNT(*) FROM transactions').get();
        for (let i = from; i < from + 6000; i += 50) await Promise.all(Array.from({ length: 50 }, (_, k) => insert(journal, i + k)));
        const grown = walSize();
        assert.ok(grown > 6 * 1024 * 1024, `the reader held the WAL back (${grown} bytes)`);
        reader.exec('COMMIT');
        reader.close();
      };
      await holdBack(3000);
      // The reader gone, payments go on: SQLite's checkpoint completes, the WAL starts over, and
      // journal_size_limit cuts the file back.
      for (let i = 9000; i < 9010; i++) await insert(journal, i);
      assert.ok(walSize() <= limit, `after the WAL started over: ${walSize()} bytes`);

      // Held back again, and no payment after: the periodic look cuts the file back.
      await holdBack(10_000);
      const after = journal.checkpointIfLarge();
      assert.ok(after !== undefined && after <= limit, `after the checkpoint: ${after} bytes`);
      assert.equal((await journal.list({ limit: 1 })).items.length, 1);
    } finally {
      await journal.close();
    }
    assert.deepEqual(readdirSync(dir).sort(), ['journal.sqlite']);
  });
});

describe('SQLite journal: low free space', () => {
  test('below journal.low_space_mb: /health 200 with a warning, /metrics says so; above it: no warning', async () => {
    const bridge = await startTestBridge((c) => {
      c.journal.low_space_mb = 1024 * 1024 * 1024; // more than any disk: always low
    });
    try {
      const health = await get(bridge, '/health');
      assert.equal(health.statusCode, 200);
      assert.equal(health.body.data.journal.low_space, true);
      assert.ok(health.body.data.journal.free_bytes > 0);
      assert.match(health.body.data.warnings[0], /free on the journal's volume/);
      const metrics = (await bridge.server.inject({ method: 'GET', url: '/metrics' })).body;
      assert.equal(metric(metrics, 'paybridge_journal_low_space'), 1);
      assert.ok(metric(metrics, 'paybridge_journal_free_bytes') > 0);
    } finally {
      await bridge.close();
    }
    const roomy = await startTestBridge((c) => {
      c.journal.low_space_mb = 0;
    });
    try {
      const health = await get(roomy, '/health');
      assert.equal(health.statusCode, 200);
      assert.equal(health.body.data.journal.low_space, false);
      assert.equal(health.body.data.warnings, undefined);
      assert.equal(metric((await roomy.server.inject({ method: 'GET', url: '/metrics' })).body, 'paybridge_journal_low_space'), 0);
    } finally {
      await roomy.close();
    }
  });
});

describe('SQLite journal: the console says the disk is low', { skip: !existsSync(CHROMIUM) && `no chromium at ${CHROMIUM}` }, () => {
  test("the console's banner names the free space while the journal's disk is low", async () => {
    const bridge = await startTestBridge((c) => {
      c.journal.low_space_mb = 1024 * 1024 * 1024; // more than any disk: always low
      c.language = 'en';
    });
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
    try {
      const base = await bridge.server.listen({ host: '127.0.0.1', port: 0 });
      const page = await browser.newPage();
      await page.goto(`${base}/console/?lang=en`);
      await page.waitForSelector('#journal-banner:not([hidden])', { timeout: 15_000 });
      assert.match((await page.textContent('#journal-banner')) ?? '', /disk: \d+ (MB|МБ)|диске журнала|diskida/);
    } finally {
      await browser.close();
      await bridge.close();
    }
  });
});
