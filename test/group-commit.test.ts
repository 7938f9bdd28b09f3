import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { openSqlite } from '../src/journal/sqlite/connection.js';
import { GroupCommit } from '../src/journal/sqlite/group-commit.js';
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
