import { closeSync, fsyncSync, openSync, statSync } from 'node:fs';
import { chooseSqliteDriver, defaultSqliteLoaders, openSqlite, type SqliteDriverChoice, type SqliteLoaders } from './connection.js';
import { SQLITE_MIGRATIONS } from './migrations.js';

/** What a file holds, read as a PayBridge journal. */
export interface JournalFileFacts {
  /** `PRAGMA user_version`: how many of SQLITE_MIGRATIONS it has. */
  schemaVersion: number;
  /** Above what this PayBridge knows: a newer PayBridge wrote it. */
  newer: boolean;
  transactions: number;
  payments: number;
  giveBacks: number;
  /** The file's size on disk (its -wal, if any, not counted). */
  bytes: number;
}

/** The file is not a PayBridge journal this PayBridge can read: not SQLite, damaged, or some other database. */
export class NotAJournalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotAJournalError';
  }
}

const firstLine = (err: unknown) => String((err as Error)?.message ?? err).split('\n')[0] ?? '';

/**
 * Checks a file as a PayBridge journal: SQLite's `integrity_check` says `ok`, it has the journal's
 * `transactions` table and a schema version; and counts what it holds. The file must exist (SQLite
 * would create an empty one). It is opened read-write, as PayBridge opens a journal: a copy left with
 * a -wal beside it is read with it (and, closed, has it folded in).
 */
export function inspectJournalFile(path: string, driver: SqliteDriverChoice = 'auto'): JournalFileFacts {
  let db;
  try {
    db = openSqlite(path, driver);
  } catch (err) {
    throw new NotAJournalError(`${path} cannot be opened as SQLite (${firstLine(err)})`);
  }
  try {
    let integrity: string;
    try {
      integrity = (db.prepare('PRAGMA integrity_check').all() as Record<string, unknown>[]).map((row) => String(Object.values(row)[0])).join('; ');
    } catch (err) {
      throw new NotAJournalError(`${path} is not a SQLite database (${firstLine(err)})`);
    }
    if (integrity !== 'ok') throw new NotAJournalError(`${path} is damaged: SQLite's integrity check says ${integrity.slice(0, 300)}`);
    const schemaVersion = Number(db.pragma('user_version'));
    const columns = (db.prepare(`SELECT name FROM pragma_table_info('transactions')`).all() as { name: string }[]).map((c) => c.name);
    if (schemaVersion < 1 || columns.length === 0) {
      throw new NotAJournalError(`${path} is a SQLite database but not a PayBridge journal (${columns.length === 0 ? 'no transactions table' : 'schema version 0'})`);
    }
    // Before schema version 3 every transaction was a payment (give-backs became rows of their own then).
    const counts = (
      columns.includes('kind')
        ? db.prepare(`SELECT COUNT(*) AS n, COALESCE(SUM(kind = 'payment'), 0) AS payments FROM transactions`).get()
        : db.prepare('SELECT COUNT(*) AS n, COUNT(*) AS payments FROM transactions').get()
    ) as { n: number | bigint; payments: number | bigint };
    const transactions = Number(counts.n);
    const payments = Number(counts.payments);
    return { schemaVersion, newer: schemaVersion > SQLITE_MIGRATIONS.length, transactions, payments, giveBacks: transactions - payments, bytes: statSync(path).size };
  } finally {
    db.close();
  }
}

/** How the copy was made: SQLite's online backup API, or VACUUM INTO where this Node's node:sqlite has no backup(). */
export type BackupMethod = 'backup API (better-sqlite3)' | 'backup API (node:sqlite)' | 'VACUUM INTO (node:sqlite)';

/** sqlite3_backup_step's page count for "all of it in one step" (both bindings accept an int32). */
const ALL_PAGES = 0x7fff_ffff;

interface BetterSqliteWithBackup {
  pragma(source: string): unknown;
  backup(file: string, options?: { progress?: (info: { totalPages: number; remainingPages: number }) => number }): Promise<unknown>;
  close(): void;
}
interface NodeSqliteWithBackup {
  DatabaseSync: new (path: string) => { exec(sql: string): void; close(): void };
  /** Node 22.16 / 23.8 and later. */
  backup?: (source: unknown, path: string, options?: { rate?: number }) => Promise<number>;
}

/**
 * Copies the journal at `source` into the new file `target` while PayBridge may be writing to it.
 *
 * The copy is one read transaction of the source: every page in a single backup step (SQLite's backup
 * API copies in steps, and restarts from the beginning whenever another connection — the running
 * service — writes between two steps, so a busy till's copy in small steps might never finish). In WAL
 * mode a reader blocks no writer: payments go on being journaled while it reads, and the copy is the
 * journal as it stood when the read began — every payment committed before, none half-written.
 *
 * better-sqlite3 (Node 20/22) and node:sqlite where it has `backup()` (Node 22.16+, 23.8+, 24) use the
 * backup API; node:sqlite without it (22.5 – 22.15) uses `VACUUM INTO`, which is also one read
 * transaction of the source and writes a consistent, compacted copy. The binding is the one the journal
 * itself would use (journal.sqlite_driver, see chooseSqliteDriver).
 */
export async function backupSqliteJournal(source: string, target: string, choice: SqliteDriverChoice = 'auto', loaders: SqliteLoaders = defaultSqliteLoaders): Promise<BackupMethod> {
  let method: BackupMethod;
  if (chooseSqliteDriver(choice, loaders) === 'better-sqlite3') {
    const Database = loaders.betterSqlite3() as unknown as new (path: string, options: { fileMustExist: boolean }) => BetterSqliteWithBackup;
    const db = new Database(source, { fileMustExist: true });
    try {
      db.pragma('busy_timeout = 5000');
      // better-sqlite3's first step copies nothing (it only measures); the answer sets every later step's size.
      await db.backup(target, { progress: () => ALL_PAGES });
    } finally {
      db.close();
    }
    method = 'backup API (better-sqlite3)';
  } else {
    const sqlite = loaders.nodeSqlite() as unknown as NodeSqliteWithBackup;
    const db = new sqlite.DatabaseSync(source);
    try {
      db.exec('PRAGMA busy_timeout = 5000');
      if (typeof sqlite.backup === 'function') {
        await sqlite.backup(db, target, { rate: ALL_PAGES });
        method = 'backup API (node:sqlite)';
      } else {
        db.exec(`VACUUM INTO '${target.replaceAll("'", "''")}'`);
        method = 'VACUUM INTO (node:sqlite)';
      }
    } finally {
      db.close();
    }
  }
  // The copy stands alone: one file in rollback-journal mode, nothing beside it to lose when it is moved
  // (PayBridge puts a restored journal back in WAL mode when it opens it).
  const copy = openSqlite(target, choice, loaders);
  try {
    copy.exec('PRAGMA journal_mode = DELETE');
  } finally {
    copy.close();
  }
  syncFile(target);
  return method;
}

/**
 * A rename in `folder` on disk (Linux, macOS): without it a power cut just after a restore could leave
 * the folder with the old journal renamed away and the new one not yet in its place. Windows has no
 * such call for a folder (NTFS journals its metadata): nothing to do there.
 */
export function syncFolder(folder: string): void {
  if (process.platform === 'win32') return;
  const fd = openSync(folder, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The file's data on disk before anyone is told it is there. */
export function syncFile(path: string): void {
  const fd = openSync(path, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
