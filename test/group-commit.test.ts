import assert from 'node:assert/strict';
import { fstatSync, openSync, closeSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { openSqlite } from '../src/journal/sqlite/connection.js';
import { answersOnceDurable, GroupCommit, JournalSyncError } from '../src/journal/sqlite/group-commit.js';
import { SqliteJournal } from '../src/journal/sqlite/sqlite-journal.js';
import { WalSync } from '../src/journal/sqlite/wal-sync.js';
import { tempDir } from './helpers.js';

function database() {
  const path = join(tempDir(), 'g.sqlite');
  const db = openSqlite(path);
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
  return { path, db };
}

/** node:sqlite (Node 24) gives rows without a prototype, better-sqlite3 plain objects: compare the values. */
function ids(db: ReturnType<typeof openSqlite>): number[] {
  return (db.prepare('SELECT id FROM t ORDER BY id').all() as { id: number }[]).map((row) => row.id);
}

describe('group commit', () => {
  it('commits the writes of one turn together, each visible to another connection once its promise resolves', async () => {
    const { path, db } = database();
    const writes = new GroupCommit(db);
    const insert = db.prepare('INSERT INTO t (id, v) VALUES (?, ?)');
    const done = await Promise.all(Array.from({ length: 100 }, (_, i) => writes.run(() => (insert.run(i, `v${i}`), i))));
    assert.deepEqual(done, Array.from({ length: 100 }, (_, i) => i));
    const other = openSqlite(path);
    assert.equal((other.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n, 100, 'on disk for another connection');
    other.close();
    db.close();
  });

  it('undoes only the write that failed; the others of its batch commit', async () => {
    const { db } = database();
    const writes = new GroupCommit(db);
    const insert = db.prepare('INSERT INTO t (id, v) VALUES (?, ?)');
    const results = await Promise.allSettled([
      writes.run(() => insert.run(1, 'a')),
      writes.run(() => {
        insert.run(2, 'half of a write');
        insert.run(1, 'a duplicate key');
      }),
      writes.run(() => insert.run(3, 'c')),
    ]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
    assert.deepEqual(ids(db), [1, 3], 'the failed write left nothing behind');
    db.close();
  });

  it('rejects every write of a batch that could not be committed, and keeps working afterwards', async () => {
    const { path, db } = database();
    const writes = new GroupCommit(db);
    const insert = db.prepare('INSERT INTO t (id, v) VALUES (?, ?)');
    // Another connection holds the write lock past the busy timeout: BEGIN IMMEDIATE fails.
    db.exec('PRAGMA busy_timeout = 50');
    const other = openSqlite(path);
    other.exec('BEGIN IMMEDIATE');
    const results = await Promise.allSettled([writes.run(() => insert.run(1, 'a')), writes.run(() => insert.run(2, 'b'))]);
    assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected']);
    other.exec('ROLLBACK');
    other.close();
    await writes.run(() => insert.run(3, 'c'));
    assert.deepEqual(ids(db), [3]);
    db.close();
  });

  it('a batch of one that fails midway leaves nothing behind', async () => {
    const { db } = database();
    const writes = new GroupCommit(db);
    const insert = db.prepare('INSERT INTO t (id, v) VALUES (?, ?)');
    await writes.run(() => insert.run(1, 'a'));
    await assert.rejects(
      writes.run(() => {
        insert.run(2, 'half of a write');
        insert.run(1, 'a duplicate key');
      }),
    );
    await writes.run(() => insert.run(3, 'c'));
    assert.deepEqual(ids(db), [1, 3]);
    db.close();
  });

  it('spends no savepoint on a batch in which no write fails', async () => {
    const { db } = database();
    const statements: string[] = [];
    const exec = db.exec.bind(db);
    db.exec = (sql: string) => (statements.push(sql), exec(sql));
    const writes = new GroupCommit(db);
    const insert = db.prepare('INSERT INTO t (id, v) VALUES (?, ?)');
    await Promise.all([1, 2, 3].map((i) => writes.run(() => insert.run(i, 'v'))));
    assert.deepEqual(statements, ['BEGIN IMMEDIATE', 'COMMIT']);
    db.close();
  });

  it('whatever writes of a batch fail, and wherever in them: exactly the others are kept, each once', async () => {
    const { db } = database();
    const writes = new GroupCommit(db);
    const insert = db.prepare('INSERT INTO t (id, v) VALUES (?, ?)');
    let next = 1;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom('ok', 'fails before writing', 'fails after writing'), { minLength: 1, maxLength: 12 }), async (kinds) => {
        db.exec('DELETE FROM t');
        const planned = kinds.map((kind) => ({ kind, id: next++ }));
        const results = await Promise.allSettled(
          planned.map(({ kind, id }) =>
            writes.run(() => {
              if (kind === 'fails before writing') throw new Error('stale');
              insert.run(id, kind);
              if (kind === 'fails after writing') throw new Error('failed midway');
              return id;
            }),
          ),
        );
        assert.deepEqual(results.map((r) => r.status), planned.map((p) => (p.kind === 'ok' ? 'fulfilled' : 'rejected')));
        assert.deepEqual(ids(db), planned.filter((p) => p.kind === 'ok').map((p) => p.id));
      }),
      { numRuns: 200 },
    );
    db.close();
  });
});

/** A WAL sync the test finishes by hand: each call waits until the test resolves or fails it. */
function heldSync() {
  const calls: { resolve: () => void; reject: (err: Error) => void }[] = [];
  return {
    calls,
    sync: () => new Promise<void>((resolve, reject) => calls.push({ resolve, reject })),
  };
}

/** Lets the event loop run a few turns (the group commit flushes on setImmediate). */
const turns = async (n = 5) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

function watch<T>(promise: Promise<T>) {
  const state = { settled: false as false | 'fulfilled' | 'rejected', reason: undefined as unknown };
  promise.then(
    () => (state.settled = 'fulfilled'),
    (err) => ((state.settled = 'rejected'), (state.reason = err)),
  );
  return state;
}

describe('group commit with the WAL synced off the event loop', () => {
  it('tells no caller anything before the sync that covers its COMMIT has completed, and groups the syncs', async () => {
    const { path, db } = database();
    db.exec('PRAGMA synchronous = NORMAL');
    const disk = heldSync();
    const writes = new GroupCommit(db, { sync: disk.sync });
    const insert = db.prepare('INSERT INTO t (id, v) VALUES (?, ?)');
    const first = [1, 2].map((i) => watch(writes.run(() => insert.run(i, 'a'))));
    await turns();
    assert.equal(disk.calls.length, 1, 'one sync for the first batch');
    const other = openSqlite(path);
    assert.equal((other.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n, 2, 'committed to the WAL');
    assert.deepEqual(first.map((w) => w.settled), [false, false], 'but nobody told so before the sync');

    // Two more batches while the first sync is in flight: they wait for a second sync, which covers both.
    const second = watch(writes.run(() => insert.run(3, 'b')));
    await turns();
    const third = watch(writes.run(() => insert.run(4, 'c')));
    // A write that fails also waits: what made it fail may be a commit not yet on disk.
    const refused = watch(writes.run(() => insert.run(1, 'a duplicate key')));
    await turns();
    assert.equal(disk.calls.length, 1, 'no second sync while one is in flight');
    assert.deepEqual([second.settled, third.settled, refused.settled], [false, false, false]);

    disk.calls[0]!.resolve();
    await turns();
    assert.deepEqual(first.map((w) => w.settled), ['fulfilled', 'fulfilled']);
    assert.deepEqual([second.settled, third.settled, refused.settled], [false, false, false], 'the first sync does not cover later commits');
    assert.equal(disk.calls.length, 2, 'one sync for the batches that committed meanwhile');

    disk.calls[1]!.resolve();
    await turns();
    assert.deepEqual([second.settled, third.settled, refused.settled], ['fulfilled', 'fulfilled', 'rejected']);
    assert.equal(disk.calls.length, 2);
    assert.deepEqual(ids(db), [1, 2, 3, 4]);
    other.close();
    db.close();
  });

  it('a failed sync is never a durable write: its callers are rejected, and so is every later write', async () => {
    const { db } = database();
    db.exec('PRAGMA synchronous = NORMAL');
    const disk = heldSync();
    const writes = new GroupCommit(db, { sync: disk.sync });
    const insert = db.prepare('INSERT INTO t (id, v) VALUES (?, ?)');
    const first = writes.run(() => insert.run(1, 'a'));
    await turns();
    const second = writes.run(() => insert.run(2, 'b'));
    await turns();
    disk.calls[0]!.reject(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    await assert.rejects(first, JournalSyncError);
    await assert.rejects(second, JournalSyncError, 'committed while the failed sync ran: not durable either');
    assert.ok(writes.failure instanceof JournalSyncError);
    await assert.rejects(writes.run(() => insert.run(3, 'c')), JournalSyncError, 'refused from now on');
    assert.equal(disk.calls.length, 1, 'no sync after the failure makes anything durable again');
    assert.deepEqual(ids(db), [1, 2], 'the refused write ran nothing');
    db.close();
  });

  it('a read that saw a commit not yet synced answers only after that sync', async () => {
    const { db } = database();
    db.exec('PRAGMA synchronous = NORMAL');
    const disk = heldSync();
    const writes = new GroupCommit(db, { sync: disk.sync });
    const insert = db.prepare('INSERT INTO t (id, v) VALUES (?, ?)');
    const journal = answersOnceDurable(
      {
        write: (id: number) => writes.run(() => insert.run(id, 'x')),
        async read() {
          return ids(db);
        },
        status: () => 'plain',
      },
      writes,
      ['status'],
    );
    const write = watch(journal.write(1));
    await turns();
    const read = journal.read();
    const seen = watch(read);
    await turns();
    assert.deepEqual([write.settled, seen.settled], [false, false], 'the row is in the WAL, not yet on disk: nobody hears of it');
    assert.equal(journal.status(), 'plain', 'a method that returns no promise is left alone');
    disk.calls[0]!.resolve();
    assert.deepEqual(await read, [1]);
    await turns();
    assert.equal(write.settled, 'fulfilled');
    assert.deepEqual(await journal.read(), [1], 'with nothing unsynced a read answers at once');
    assert.equal(disk.calls.length, 1);

    const second = watch(journal.write(2));
    await turns();
    const after = watch(journal.read());
    disk.calls[1]!.reject(new Error('EIO'));
    await turns();
    assert.equal(second.settled, 'rejected');
    assert.equal(after.settled, 'rejected', 'what it read may be lost: it is not told');
    assert.ok(after.reason instanceof JournalSyncError);
    db.close();
  });

  it('drain() waits until every batch has been synced', async () => {
    const { db } = database();
    db.exec('PRAGMA synchronous = NORMAL');
    const disk = heldSync();
    const writes = new GroupCommit(db, { sync: disk.sync });
    const insert = db.prepare('INSERT INTO t (id, v) VALUES (?, ?)');
    const write = watch(writes.run(() => insert.run(1, 'a')));
    const drained = watch(writes.drain());
    await turns();
    assert.equal(disk.calls.length, 1, 'drain committed the pending batch at once');
    assert.deepEqual([write.settled, drained.settled], [false, false]);
    disk.calls[0]!.resolve();
    await turns();
    assert.deepEqual([write.settled, drained.settled], ['fulfilled', 'fulfilled']);
    db.close();
  });
});

describe('the SQLite journal syncs its WAL itself', () => {
  it('runs with synchronous=NORMAL and a WAL sync, and what it acknowledged is there for the next process', async () => {
    const path = join(tempDir(), 'j.sqlite');
    const journal = new SqliteJournal({ path });
    assert.match((await journal.health()).detail, /synchronous=NORMAL \+ WAL fdatasync/);
    const ok = await journal.closeAgreedConflicts();
    assert.equal(ok, 0);
    await journal.close();
    const db = openSqlite(path);
    assert.equal(db.pragma('journal_mode'), 'wal');
    db.close();
    const memory = new SqliteJournal({ path: join(tempDir(), 'm.sqlite'), durability: 'memory' });
    assert.doesNotMatch((await memory.health()).detail, /fdatasync/, 'a throw-away journal syncs nothing');
    await memory.close();
  });

  it("keeps the -wal file's inode through checkpoints that restart and truncate it (the fd it syncs stays the WAL's)", async () => {
    const { path, db } = database();
    db.exec('PRAGMA synchronous = NORMAL; PRAGMA journal_size_limit = 0');
    const wal = WalSync.open(path);
    const fd = openSync(`${path}-wal`, 'r');
    const insert = db.prepare('INSERT INTO t (id, v) VALUES (?, ?)');
    const writes = new GroupCommit(db, { sync: wal.sync });
    for (let round = 0; round < 3; round++) {
      await Promise.all(Array.from({ length: 50 }, (_, i) => writes.run(() => insert.run(round * 100 + i, 'x'.repeat(500)))));
      db.exec(round % 2 === 0 ? 'PRAGMA wal_checkpoint(TRUNCATE)' : 'PRAGMA wal_checkpoint(RESTART)');
      await writes.run(() => insert.run(round * 100 + 99, 'after the checkpoint'));
      assert.equal(fstatSync(fd).ino, statSync(`${path}-wal`).ino, `round ${round}: the same file`);
    }
    closeSync(fd);
    await writes.drain();
    wal.close();
    db.close();
  });
});
