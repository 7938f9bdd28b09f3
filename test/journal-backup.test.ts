import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chownSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { defaultSqliteLoaders, openSqlite } from '../src/journal/sqlite/connection.js';
import { backupSqliteJournal, inspectJournalFile } from '../src/journal/sqlite/backup.js';
import { SQLITE_MIGRATIONS } from '../src/journal/sqlite/migrations.js';
import { SqliteJournal } from '../src/journal/sqlite/sqlite-journal.js';
import { POSTGRES_MIGRATIONS } from '../src/journal/postgres/migrations.js';
import { PostgresJournal } from '../src/journal/postgres/postgres-journal.js';
import { freePort, tempDir, uniqueQr } from './helpers.js';
import { dropTestDatabases, freshDatabase, postgresSkip, sql } from './postgres.js';

// The service and the CLI as they are installed: the compiled entry points, each a process of its own.
const ENTRY = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

interface Finished {
  code: number;
  stdout: string;
  stderr: string;
}

/** A command run to its end, in an empty folder (no .env of this repository's), with only the environment given. */
function run(file: string, args: string[], env: Record<string, string>): Promise<Finished> {
  return new Promise((resolve) => {
    execFile(file, args, { env: { PATH: process.env.PATH ?? '', ...env }, cwd: tempDir(), timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}
const paybridge = (args: string[], env: Record<string, string>) => run(process.execPath, [CLI, ...args], env);
const startToExit = (env: Record<string, string>) => run(process.execPath, [ENTRY], { HOST: '127.0.0.1', ...env });

/** The service in the sandbox, answering /health; stop() ends it with SIGTERM and gives its exit code. */
async function startService(env: Record<string, string>): Promise<{ base: string; pid: number; stop: () => Promise<number | null> }> {
  const port = await freePort();
  const child = spawn(process.execPath, [ENTRY], { env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port), ...env }, cwd: tempDir(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const base = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) {
      // The free port was taken by another process meanwhile: the machine's doing, not the service's.
      if (child.exitCode === 69 && /is in use/.test(out)) return startService(env);
      throw new Error(`the service exited early:\n${out}`);
    }
    try {
      if ((await fetch(`${base}/health`)).status === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    base,
    pid: child.pid!,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/**
 * Tills taking Click payments over HTTP, two at a time, until stopped: each payment answered as a
 * success is noted with the moment its answer arrived.
 */
function keepPaying(base: string) {
  const answered: { id: string; at: number }[] = [];
  const refused: unknown[] = [];
  let stopping = false;
  const till = async () => {
    while (!stopping) {
      const res = await fetch(`${base}/payment/click`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ amount: 500, qr_code: uniqueQr() }) });
      const body = (await res.json()) as { is_success: boolean; data: { transaction_id: string } };
      if (body.is_success) answered.push({ id: body.data.transaction_id, at: performance.now() });
      else refused.push(body);
    }
  };
  const tills = [till(), till()];
  return {
    answered,
    refused,
    /** Resolves once `n` more payments than now have been answered. */
    async more(n: number) {
      const target = answered.length + n;
      while (answered.length < target) await new Promise((r) => setTimeout(r, 20));
    },
    async stop() {
      stopping = true;
      await Promise.all(tills);
    },
  };
}

function idsIn(file: string): Set<string> {
  const db = openSqlite(file);
  try {
    return new Set((db.prepare('SELECT id FROM transactions').all() as { id: string }[]).map((r) => r.id));
  } finally {
    db.close();
  }
}

const digest = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** One line on stderr, no stack trace. */
function oneLine(result: Finished): string {
  const lines = result.stderr.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, `one line on stderr, got:\n${result.stderr}`);
  assert.doesNotMatch(result.stderr + result.stdout, /^\s+at /m, 'no stack trace');
  return lines[0]!;
}

/** The words of a command line as the messages print it, as a shell splits them: spaces between words, none inside "double quotes". */
function words(commandLine: string): string[] {
  return [...commandLine.matchAll(/(?:"[^"]*"|[^\s"])+/g)].map((m) => m[0].replaceAll('"', ''));
}

after(() => dropTestDatabases());

describe('paybridge journal backup and restore (SQLite)', () => {
  test('a backup taken while payments run holds every payment answered before it began; restored, PayBridge has them, and the replaced journal is kept', async () => {
    const dataDir = join(tempDir(), 'data');
    const journal = join(dataDir, 'journal.sqlite');
    const env = { PAYBRIDGE_DATA_DIR: dataDir };
    const svc = await startService(env);
    const tills = keepPaying(svc.base);
    const copy = join(tempDir(), 'backup.sqlite');
    let began: number;
    let backup: Finished;
    try {
      await tills.more(10);
      began = performance.now();
      backup = await paybridge(['journal', 'backup', copy], env);
      await tills.more(5); // payments after the copy: the restore must take them away again

      // A restore while PayBridge runs on the journal is refused, and touches nothing.
      const refused = await paybridge(['journal', 'restore', copy], env);
      assert.equal(refused.code, 75, refused.stderr);
      assert.equal(oneLine(refused), `paybridge: PayBridge (pid ${svc.pid}) is running on the journal ${journal}: stop it first, then restore; nothing was changed`);
      assert.deepEqual(readdirSync(dataDir).filter((f) => /replaced|restoring/.test(f)), []);
    } finally {
      await tills.stop();
      assert.equal(await svc.stop(), 0);
    }
    assert.deepEqual(tills.refused, [], 'every payment in the sandbox succeeds');

    assert.equal(backup.code, 0, backup.stderr);
    const before = tills.answered.filter((p) => p.at < began);
    const after = tills.answered.filter((p) => p.at >= began);
    const inCopy = idsIn(copy);
    assert.ok(before.length >= 10);
    assert.deepEqual(before.filter((p) => !inCopy.has(p.id)), [], 'every payment answered before the backup began is in the copy');
    const m = /^backed up (.+) to (.+) with SQLite's backup API \((?:better-sqlite3|node:sqlite)\): schema version (\d+), (\d+) transactions \((\d+) payments, 0 give-backs\), [\d.]+ [KM]B \((\d+) bytes\); integrity check ok\n$/.exec(backup.stdout);
    assert.ok(m, backup.stdout);
    assert.deepEqual([m[1], m[2], Number(m[3]), Number(m[4]), Number(m[6])], [journal, copy, SQLITE_MIGRATIONS.length, inCopy.size, readFileSync(copy).length]);
    assert.deepEqual(readdirSync(join(copy, '..')), ['backup.sqlite'], 'one file, nothing beside it (no -wal, no partial copy)');

    // The journal as it stood at the stop has every payment; the restore puts the copy in its place.
    const all = idsIn(journal);
    assert.equal(all.size, tills.answered.length);
    const restored = await paybridge(['journal', 'restore', copy], env);
    assert.equal(restored.code, 0, restored.stderr);
    const kept = readdirSync(dataDir).filter((f) => f.startsWith('journal.sqlite.replaced-'));
    assert.equal(kept.length, 1, readdirSync(dataDir).join(', '));
    assert.match(kept[0]!, /^journal\.sqlite\.replaced-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ$/);
    assert.equal(
      restored.stdout,
      `restored ${copy} into ${journal}: schema version ${SQLITE_MIGRATIONS.length}, ${inCopy.size} transactions (${inCopy.size} payments, 0 give-backs), ` +
        `${/, ([\d.]+ [KM]B \(\d+ bytes\)); integrity/.exec(backup.stdout)![1]}, integrity check ok; the journal it replaced is kept as ${join(dataDir, kept[0]!)}. Start PayBridge again\n`,
    );
    assert.deepEqual(idsIn(join(dataDir, kept[0]!)), all, 'the replaced journal is kept whole: every payment, its WAL folded in');
    assert.deepEqual(readdirSync(dataDir).filter((f) => /-wal$|-shm$|restoring/.test(f)), [], 'no WAL of the old journal left beside the new one');
    assert.deepEqual(idsIn(journal), inCopy);

    const again = await startService(env);
    try {
      for (const p of before) {
        const res = await fetch(`${again.base}/payment/transactions/${p.id}`);
        const body = (await res.json()) as { data: { status: string } };
        assert.equal(res.status, 200, JSON.stringify(body));
        assert.equal(body.data.status, 'succeeded');
      }
      const later = after.filter((p) => !inCopy.has(p.id));
      assert.ok(later.length >= 5, 'payments taken after the copy are not in it');
      const gone = (await (await fetch(`${again.base}/payment/transactions/${later[0]!.id}`)).json()) as { is_success: boolean; error: { data: unknown } | null };
      assert.equal(gone.is_success, false, 'the restored journal is the copy: a payment taken after it is not there');
      const paid = await fetch(`${again.base}/payment/click`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ amount: 700, qr_code: uniqueQr() }) });
      assert.equal(((await paid.json()) as { is_success: boolean }).is_success, true, 'the restored journal takes payments');
    } finally {
      assert.equal(await again.stop(), 0);
    }
  });

  test('a file that is not a PayBridge journal is refused (65), and nothing is changed', async () => {
    const dir = tempDir();
    const dataDir = join(dir, 'data');
    const journal = join(dataDir, 'journal.sqlite');
    await new SqliteJournal({ path: journal }).close();
    const before = digest(journal);
    const env = { PAYBRIDGE_DATA_DIR: dataDir };

    writeFileSync(join(dir, 'notes.txt'), 'not a database at all, just some text long enough to be read as a header\n'.repeat(20));
    const text = await paybridge(['journal', 'restore', join(dir, 'notes.txt')], env);
    assert.equal(text.code, 65, text.stderr);
    assert.match(oneLine(text), /^paybridge: .*notes\.txt is not a SQLite database \(file is not a database\): not restored, nothing was changed$/);

    const other = openSqlite(join(dir, 'other.sqlite'));
    other.exec('CREATE TABLE customers (id INTEGER PRIMARY KEY); PRAGMA user_version = 3');
    other.close();
    const foreign = await paybridge(['journal', 'restore', join(dir, 'other.sqlite')], env);
    assert.equal(foreign.code, 65, foreign.stderr);
    assert.match(oneLine(foreign), /other\.sqlite is a SQLite database but not a PayBridge journal \(no transactions table\): not restored, nothing was changed$/);

    const missing = await paybridge(['journal', 'restore', join(dir, 'nothing-here.sqlite')], env);
    assert.equal(missing.code, 2, missing.stderr);

    assert.equal(digest(journal), before, 'the journal is untouched');
    assert.deepEqual(readdirSync(dataDir).filter((f) => /replaced|restoring/.test(f)), []);
  });

  test('a backup never overwrites a file, and there must be a journal to back up', async () => {
    const dir = tempDir();
    const dataDir = join(dir, 'data');
    const none = await paybridge(['journal', 'backup', join(dir, 'b.sqlite')], { PAYBRIDGE_DATA_DIR: dataDir });
    assert.equal(none.code, 1, none.stderr);
    assert.match(oneLine(none), /there is no journal at .*journal\.sqlite: nothing to back up/);
    assert.equal(existsSync(join(dataDir, 'journal.sqlite')), false, 'no empty journal was made');

    await new SqliteJournal({ path: join(dataDir, 'journal.sqlite') }).close();
    writeFileSync(join(dir, 'b.sqlite'), 'yesterday’s backup');
    const exists = await paybridge(['journal', 'backup', join(dir, 'b.sqlite')], { PAYBRIDGE_DATA_DIR: dataDir });
    assert.equal(exists.code, 73, exists.stderr);
    assert.match(oneLine(exists), /b\.sqlite exists: a backup never overwrites a file; name a new one$/);
    assert.equal(readFileSync(join(dir, 'b.sqlite'), 'utf8'), 'yesterday’s backup');
  });
});

describe('the copy on node:sqlite', () => {
  const nodeSqlite = (() => {
    try {
      return defaultSqliteLoaders.nodeSqlite();
    } catch {
      return undefined;
    }
  })();
  test('with backup() (Node 22.16+, 24) and, where node:sqlite has none, VACUUM INTO: the same journal, one file', { skip: nodeSqlite ? false : `Node ${process.versions.node} has no node:sqlite` }, async () => {
    const dir = tempDir();
    const journal = join(dir, 'journal.sqlite');
    const writer = new SqliteJournal({ path: journal, driver: 'node:sqlite' });
    try {
      for (let i = 0; i < 20; i++) await writer.insert({ id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, method: 'click', amount: 500 + i, qrCodeMasked: null, qrCodeHash: null, createdAt: Date.now() }, { step: 'received' });
      const withBackup = { ...defaultSqliteLoaders, nodeMajor: 24 };
      const { backup: _backup, ...withoutBackup } = nodeSqlite as unknown as Record<string, unknown>;
      const older = { ...defaultSqliteLoaders, nodeMajor: 22, nodeSqlite: () => withoutBackup as unknown as ReturnType<typeof defaultSqliteLoaders.nodeSqlite> };
      const methods = [];
      // The journal stays open and written to (its WAL not checkpointed) while both copies are taken.
      methods.push(await backupSqliteJournal(journal, join(dir, 'a.sqlite'), 'node:sqlite', withBackup));
      methods.push(await backupSqliteJournal(journal, join(dir, 'b.sqlite'), 'node:sqlite', older));
      assert.deepEqual(methods, [typeof _backup === 'function' ? 'backup API (node:sqlite)' : 'VACUUM INTO (node:sqlite)', 'VACUUM INTO (node:sqlite)']);
      for (const copy of ['a.sqlite', 'b.sqlite']) {
        const facts = inspectJournalFile(join(dir, copy), 'node:sqlite');
        assert.deepEqual([facts.schemaVersion, facts.transactions], [SQLITE_MIGRATIONS.length, 20], copy);
      }
      assert.deepEqual(readdirSync(dir).filter((f) => /^[ab]\.sqlite/.test(f)).sort(), ['a.sqlite', 'b.sqlite'], 'each copy one file');
    } finally {
      await writer.close();
    }
  });
});

describe('paybridge journal restore run as root', () => {
  test('the restored journal belongs to the replaced one\'s owner (the service account), not to root', { skip: process.getuid?.() === 0 ? false : 'only as root' }, async () => {
    const dir = tempDir();
    const dataDir = join(dir, 'data');
    const journal = join(dataDir, 'journal.sqlite');
    await new SqliteJournal({ path: journal }).close();
    const copy = join(dir, 'copy.sqlite');
    const backup = await paybridge(['journal', 'backup', copy], { PAYBRIDGE_DATA_DIR: dataDir });
    assert.equal(backup.code, 0, backup.stderr);
    // The service account's, as `service install` leaves them.
    chownSync(dataDir, 4321, 4321);
    chownSync(journal, 4321, 4321);
    const restored = await paybridge(['journal', 'restore', copy], { PAYBRIDGE_DATA_DIR: dataDir });
    assert.equal(restored.code, 0, restored.stderr);
    assert.deepEqual([statSync(journal).uid, statSync(journal).gid], [4321, 4321]);
    assert.deepEqual([statSync(`${journal}.lock`).uid, statSync(`${journal}.lock`).gid], [4321, 4321], 'the lock file the restore made too');
  });
});

describe('paybridge journal restore, again', () => {
  test('a journal kept by an earlier restore is never written over, even one of the same second', async () => {
    const dir = tempDir();
    const dataDir = join(dir, 'data');
    await new SqliteJournal({ path: join(dataDir, 'journal.sqlite') }).close();
    const copy = join(dir, 'copy.sqlite');
    assert.equal((await paybridge(['journal', 'backup', copy], { PAYBRIDGE_DATA_DIR: dataDir })).code, 0);
    // Journals kept by restores in each of the next two minutes' seconds: whenever this one runs, its second is taken.
    const stampOf = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z').replaceAll(':', '-');
    const now = Date.now();
    const earlier = Array.from({ length: 120 }, (_, i) => `journal.sqlite.replaced-${stampOf(now + i * 1000)}`);
    for (const name of earlier) writeFileSync(join(dataDir, name), 'kept by an earlier restore');
    const restored = await paybridge(['journal', 'restore', copy], { PAYBRIDGE_DATA_DIR: dataDir });
    assert.equal(restored.code, 0, restored.stderr);
    const kept = /the journal it replaced is kept as (\S+)\. Start/.exec(restored.stdout)![1]!;
    assert.match(kept, /journal\.sqlite\.replaced-[\dT:Z-]+-2$/);
    assert.ok(!earlier.includes(kept.slice(dataDir.length + 1)));
    for (const name of earlier) assert.equal(readFileSync(join(dataDir, name), 'utf8'), 'kept by an earlier restore', name);
    assert.equal(idsIn(kept).size, 0, 'the replaced journal (empty) is the new name');
  });
});

describe('a journal newer than this PayBridge', () => {
  test('SQLite: start refuses it in one line with exit 65; so does restore', async () => {
    const dataDir = join(tempDir(), 'data');
    const journal = join(dataDir, 'journal.sqlite');
    await new SqliteJournal({ path: journal }).close();
    const db = openSqlite(journal);
    db.exec(`PRAGMA user_version = ${SQLITE_MIGRATIONS.length + 1}`);
    db.close();

    const start = await startToExit({ PORT: String(await freePort()), PAYBRIDGE_DATA_DIR: dataDir });
    assert.equal(start.code, 65, start.stderr);
    assert.match(
      oneLine(start),
      new RegExp(
        `^paybridge: the journal ${journal.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} has schema version ${SQLITE_MIGRATIONS.length + 1}, newer than this PayBridge knows \\(${SQLITE_MIGRATIONS.length}, PayBridge [\\w.-]+\\): ` +
          'a newer PayBridge upgraded it; run that version or a newer one, or go back by restoring the backup taken before the upgrade \\(paybridge journal restore\\)$',
      ),
    );
    assert.equal(Number((() => { const c = openSqlite(journal); try { return c.pragma('user_version'); } finally { c.close(); } })()), SQLITE_MIGRATIONS.length + 1, 'left as it was');

    const elsewhere = join(tempDir(), 'data');
    const restore = await paybridge(['journal', 'restore', journal], { PAYBRIDGE_DATA_DIR: elsewhere });
    assert.equal(restore.code, 65, restore.stderr);
    assert.match(oneLine(restore), new RegExp(`has schema version ${SQLITE_MIGRATIONS.length + 1}, newer than this PayBridge knows \\(${SQLITE_MIGRATIONS.length}, PayBridge [\\w.-]+\\): restore it with the PayBridge that made it, or a newer one; nothing was changed$`));
    assert.equal(existsSync(join(elsewhere, 'journal.sqlite')), false);
  });

  test('PostgreSQL: start refuses it in one line with exit 65, naming the database and never its password', { skip: postgresSkip() }, async () => {
    const url = await freshDatabase();
    await (await PostgresJournal.open({ url })).close();
    await sql(url, 'INSERT INTO schema_version (version, applied_at, paybridge) VALUES ($1, $2, $3)', [POSTGRES_MIGRATIONS.length + 1, Date.now(), '99.0.0']);
    const dir = tempDir();
    writeFileSync(join(dir, 'paybridge.yaml'), 'instance: { shop: chilonzor, till: "2" }\n');
    const start = await startToExit({ PORT: String(await freePort()), PAYBRIDGE_CONFIG: join(dir, 'paybridge.yaml'), PAYBRIDGE_DATA_DIR: join(dir, 'data'), PAYBRIDGE_JOURNAL_URL: url });
    assert.equal(start.code, 65, start.stderr);
    const masked = url.replace(`:${new URL(url).password}@`, ':***@');
    assert.equal(
      oneLine(start).replace(/PayBridge [\w.-]+\)/, 'PayBridge X)'),
      `paybridge: the PostgreSQL journal at ${masked} has schema version ${POSTGRES_MIGRATIONS.length + 1}, newer than this PayBridge knows (${POSTGRES_MIGRATIONS.length}, PayBridge X): ` +
        'a newer PayBridge upgraded it; run that version or a newer one, or go back by restoring the pg_dump taken before the upgrade (pg_restore)',
    );
    assert.ok(!start.stderr.includes(new URL(url).password));
  });
});

describe('paybridge journal backup and restore (PostgreSQL)', () => {
  test('a password in the URL’s query (libpq’s `password`, `sslpassword`) is not printed either; the other parameters stay as written', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'paybridge.yaml'), 'instance: { shop: chilonzor, till: "2" }\n');
    const url = 'postgres://paybridge@db.example:5432/pb?sslmode=require&password=s3cret-q&options=-c%20search_path%3Dpb&sslpassword=k3y-pw';
    const env = { PAYBRIDGE_CONFIG: join(dir, 'paybridge.yaml'), PAYBRIDGE_DATA_DIR: join(dir, 'data'), PAYBRIDGE_JOURNAL_URL: url };
    const kept = 'postgres://paybridge@db.example:5432/pb?sslmode=require&options=-c%20search_path%3Dpb';
    for (const [args, command] of [
      [['journal', 'backup', '/tmp/j.dump'], `pg_dump --format=custom --file="/tmp/j.dump" "${kept}"`],
      [['journal', 'restore', '/tmp/j.dump'], `pg_restore --clean --if-exists --no-owner --dbname="${kept}" "/tmp/j.dump"`],
    ] as const) {
      const told = await paybridge([...args], env);
      assert.equal(told.code, 2, told.stderr);
      const line = oneLine(told);
      for (const secret of ['s3cret-q', 'k3y-pw']) assert.ok(!line.includes(secret), `${args[1]}: ${line}`);
      assert.ok(line.includes(command), `${args[1]}: ${line}`);
    }
  });

  test('say to use pg_dump and pg_restore (exit 2), with commands that do the round trip while payments run', { skip: postgresSkip() }, async () => {
    const url = await freshDatabase();
    const password = new URL(url).password;
    const dir = tempDir();
    writeFileSync(join(dir, 'paybridge.yaml'), 'instance: { shop: chilonzor, till: "2" }\n');
    const envFor = (u: string) => ({ PAYBRIDGE_CONFIG: join(dir, 'paybridge.yaml'), PAYBRIDGE_DATA_DIR: join(dir, 'data'), PAYBRIDGE_JOURNAL_URL: u });
    const dump = join(tempDir(), 'journal.dump');

    const svc = await startService(envFor(url));
    const tills = keepPaying(svc.base);
    let began: number;
    try {
      await tills.more(10);
      const told = await paybridge(['journal', 'backup', dump], envFor(url));
      assert.equal(told.code, 2, told.stderr);
      const line = oneLine(told);
      assert.ok(!line.includes(password), 'the password is never printed');
      const command = /: (pg_dump .+?) \(the password from PGPASSWORD or the password file\)/.exec(line)?.[1];
      assert.equal(command, `pg_dump --format=custom --file="${dump}" "${url.replace(`:${password}@`, '@')}"`);
      began = performance.now();
      const dumped = await run('pg_dump', words(command!).slice(1), { PGPASSWORD: password });
      assert.equal(dumped.code, 0, dumped.stderr);
      await tills.more(5);
    } finally {
      await tills.stop();
      assert.equal(await svc.stop(), 0);
    }
    assert.deepEqual(tills.refused, []);

    // Restored into another database (as after losing the first): the payments answered before the dump are there.
    const target = await freshDatabase();
    const told = await paybridge(['journal', 'restore', dump], envFor(target));
    assert.equal(told.code, 2, told.stderr);
    const command = /: (pg_restore .+?) \(README/.exec(oneLine(told))?.[1];
    assert.equal(command, `pg_restore --clean --if-exists --no-owner --dbname="${target.replace(`:${password}@`, '@')}" "${dump}"`);
    const restored = await run('pg_restore', words(command!).slice(1), { PGPASSWORD: password });
    assert.equal(restored.code, 0, restored.stderr);

    const before = tills.answered.filter((p) => p.at < began);
    assert.ok(before.length >= 10);
    const again = await startService(envFor(target));
    try {
      for (const p of before) {
        const res = await fetch(`${again.base}/payment/transactions/${p.id}`);
        assert.equal(res.status, 200, p.id);
        assert.equal(((await res.json()) as { data: { status: string } }).data.status, 'succeeded');
      }
    } finally {
      assert.equal(await again.stop(), 0);
    }
  });
});
