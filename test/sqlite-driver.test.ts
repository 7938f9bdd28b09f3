import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chooseSqliteDriver, defaultSqliteLoaders, openSqlite, SqliteDriverError, withoutSqliteWarning, type SqlConnection, type SqliteDriver, type SqliteLoaders } from '../src/journal/sqlite/connection.js';
import { JOURNAL_CACHE_KIB, SqliteJournal } from '../src/journal/sqlite/sqlite-journal.js';

/** Loaders standing in for an install: which bindings load, on which Node. Nothing is uninstalled. */
function loaders(nodeMajor: number, has: { better: boolean; node: boolean }): SqliteLoaders & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    nodeMajor,
    betterSqlite3() {
      calls.push('better-sqlite3');
      if (!has.better) throw Object.assign(new Error("Cannot find module 'better-sqlite3'\nRequire stack:\n- x"), { code: 'MODULE_NOT_FOUND' });
      return class {} as never;
    },
    nodeSqlite() {
      calls.push('node:sqlite');
      if (!has.node) throw new Error('No such built-in module: node:sqlite');
      return {} as never;
    },
  };
}

test('auto keeps better-sqlite3 on Node 20 and 22 when it is installed', () => {
  assert.equal(chooseSqliteDriver('auto', loaders(20, { better: true, node: false })), 'better-sqlite3');
  assert.equal(chooseSqliteDriver('auto', loaders(22, { better: true, node: true })), 'better-sqlite3');
});

test('auto uses node:sqlite on Node 24 without asking for better-sqlite3 (its finaliser crashes Node 24)', () => {
  const l = loaders(24, { better: true, node: true });
  assert.equal(chooseSqliteDriver('auto', l), 'node:sqlite');
  assert.deepEqual(l.calls, []);
});

test('auto falls back to node:sqlite when better-sqlite3 failed to install and this Node has it', () => {
  assert.equal(chooseSqliteDriver('auto', loaders(22, { better: false, node: true })), 'node:sqlite');
});

test('Node 20 without better-sqlite3: one line that says what to do', () => {
  assert.throws(
    () => chooseSqliteDriver('auto', loaders(20, { better: false, node: false })),
    (err: unknown) => {
      assert.ok(err instanceof SqliteDriverError);
      assert.match(err.message, /no SQLite driver on Node 20/);
      assert.match(err.message, /install build tools .* or use Node 24/);
      // the loader's multi-line "Require stack" is cut to its first line, and the stack adds nothing
      assert.doesNotMatch(err.message, /\n/);
      assert.equal(err.stack, `SqliteDriverError: ${err.message}`);
      return true;
    },
  );
});

test('an explicit choice is honoured when it loads and refused, not swapped, when it does not', () => {
  assert.equal(chooseSqliteDriver('better-sqlite3', loaders(24, { better: true, node: true })), 'better-sqlite3');
  assert.equal(chooseSqliteDriver('node:sqlite', loaders(22, { better: true, node: true })), 'node:sqlite');
  assert.throws(() => chooseSqliteDriver('better-sqlite3', loaders(24, { better: false, node: true })), /better-sqlite3, but it cannot be loaded \(Cannot find module 'better-sqlite3'\)/);
  assert.throws(() => chooseSqliteDriver('node:sqlite', loaders(20, { better: true, node: false })), /node:sqlite, which Node .* does not have/);
});

test('the real loaders on this Node agree with the rule', () => {
  const node = defaultSqliteLoaders.nodeMajor;
  // better-sqlite3 is an optional dependency: built in a checkout on Linux (CI builds it), so below 24 it
  // is the one chosen there; a Windows tree without build tools has none, and node:sqlite is chosen.
  let built = true;
  if (process.platform === 'win32') {
    try {
      defaultSqliteLoaders.betterSqlite3();
    } catch {
      built = false;
    }
  }
  const expected = node >= 24 || !built ? 'node:sqlite' : 'better-sqlite3';
  assert.equal(chooseSqliteDriver('auto'), expected);
});

/** The bindings that load on this Node (better-sqlite3 aborts Node 24 at exit, so it is not opened there). */
function loadableDrivers(): SqliteDriver[] {
  const found: SqliteDriver[] = [];
  if (defaultSqliteLoaders.nodeMajor < 24) {
    try {
      defaultSqliteLoaders.betterSqlite3();
      found.push('better-sqlite3');
    } catch {}
  }
  try {
    defaultSqliteLoaders.nodeSqlite();
    found.push('node:sqlite');
  } catch {}
  return found;
}

for (const driver of loadableDrivers()) {
  test(`${driver}: one row's fields bound to a statement that uses only some of them (node:sqlite refuses unknown names unless told)`, () => {
    const db = openSqlite(':memory:', driver);
    try {
      db.exec('CREATE TABLE closes (id TEXT PRIMARY KEY, terminal TEXT, state TEXT)');
      db.prepare('INSERT INTO closes (id, terminal, state) VALUES (@id, @terminal, @state)').run({ id: 'c1', terminal: 't1', state: 'sent' });
      // the fenced update names no terminal, and is given the whole row, as the journal gives it
      const { changes } = db.prepare('UPDATE closes SET state = @state WHERE id = @id AND state = @from').run({ id: 'c1', terminal: 't1', state: 'closed', from: 'sent' });
      assert.equal(Number(changes), 1);
      assert.deepEqual({ ...(db.prepare('SELECT state FROM closes WHERE id = ?').get('c1') as object) }, { state: 'closed' });
    } finally {
      db.close();
    }
  });
}

for (const driver of loadableDrivers()) {
  test(`${driver}: the journal's connection keeps a 2 MB page cache (its sorts spill beyond it), not better-sqlite3's built-in 16 MB`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paybridge-cache-'));
    const journal = new SqliteJournal({ path: join(dir, 'journal.sqlite'), driver, checkpointEveryMs: 0 });
    try {
      const db = (journal as unknown as { db: SqlConnection }).db;
      assert.equal(Number(db.pragma('cache_size')), -JOURNAL_CACHE_KIB);
      assert.equal(JOURNAL_CACHE_KIB, 2_000);
    } finally {
      await journal.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

/** The warnings process.emitWarning delivers while fn runs (its 'warning' events come a tick later). */
async function warningsDuring<T>(fn: () => T): Promise<{ value: T; warnings: Error[] }> {
  const warnings: Error[] = [];
  const listener = (w: Error) => warnings.push(w);
  process.on('warning', listener);
  try {
    const value = fn();
    await new Promise((r) => setImmediate(r));
    return { value, warnings };
  } finally {
    process.off('warning', listener);
  }
}

test("node:sqlite's ExperimentalWarning is dropped while it loads, and no other warning is", async () => {
  const { value, warnings } = await warningsDuring(() =>
    withoutSqliteWarning(() => {
      process.emitWarning('SQLite is an experimental feature and might change at any time', 'ExperimentalWarning');
      process.emitWarning('SQLite is an experimental feature and might change at any time', { type: 'ExperimentalWarning' });
      process.emitWarning('WASI is an experimental feature and might change at any time', 'ExperimentalWarning');
      process.emitWarning('SQLite is slow today');
      return 42;
    }),
  );
  assert.equal(value, 42);
  assert.deepEqual(
    // this test's own warnings (the runner may add its own, e.g. an experimental flag of the node running it)
    warnings.filter((w) => /^(SQLite|WASI) /.test(w.message)).map((w) => `${w.name}: ${w.message}`),
    ['ExperimentalWarning: WASI is an experimental feature and might change at any time', 'Warning: SQLite is slow today'],
  );
  // process.emitWarning is itself again afterwards, also when the load throws
  assert.throws(() => withoutSqliteWarning(() => { throw new Error('no such module'); }), /no such module/);
  const after = await warningsDuring(() => process.emitWarning('SQLite is an experimental feature and might change at any time', 'ExperimentalWarning'));
  assert.equal(after.warnings.filter((w) => w.message.startsWith('SQLite')).length, 1);
});

test('the default loader loads node:sqlite without a warning on stderr (Node 22 prints one)', async (t) => {
  // A fresh process: node:sqlite warns only once per process, and this one may have loaded it already.
  const { spawnSync } = await import('node:child_process');
  // The built module (npm run build), as PayBridge loads it: nothing compiled on the way.
  const probe = "import('./dist/journal/sqlite/connection.js').then(({ defaultSqliteLoaders: l }) => { try { l.nodeSqlite(); } catch { console.log('no node:sqlite'); } })";
  const r = spawnSync(process.execPath, ['-e', probe], { cwd: fileURLToPath(new URL('..', import.meta.url)), encoding: 'utf8' });
  if (r.stdout.includes('no node:sqlite')) return t.skip(`Node ${process.versions.node} has no node:sqlite`);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
});
