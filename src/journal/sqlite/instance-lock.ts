import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { userName } from '../../lib/user-name.js';
import { openSqlite, SqliteDriverError, type SqlConnection, type SqliteDriverChoice } from './connection.js';

/** Another PayBridge process holds the journal. */
export class JournalLockedError extends Error {
  constructor(
    readonly journal: string,
    readonly lockFile: string,
    /** Who holds it, when its owner file could be read (a holder that has only just started may not have written it yet). */
    readonly holder: { pid: number; host: string } | undefined,
  ) {
    const who = holder === undefined ? '' : holder.host === hostname() ? ` (pid ${holder.pid})` : ` (pid ${holder.pid} on ${holder.host})`;
    super(`another PayBridge${who} uses the journal ${journal}: stop it, or give this one another data_dir`);
    this.name = 'JournalLockedError';
  }
}

/** The journal's folder or its lock file cannot be created. */
export class DataDirError extends Error {
  constructor(
    readonly folder: string,
    override readonly cause: NodeJS.ErrnoException,
  ) {
    const user = userName();
    // mkdir answers EEXIST for a file standing where the folder should be.
    const why = cause.code === 'EEXIST' ? 'a file, not a folder' : (cause.code ?? cause.message);
    super(`cannot write the data folder ${folder} (${why})${user ? ` as user ${user}` : ''}: make it writable for that user, or set data_dir (PAYBRIDGE_DATA_DIR) to a folder that is`);
    this.name = 'DataDirError';
  }
}

function readHolder(file: string): { pid: number; host: string } | undefined {
  try {
    const [pid, host] = readFileSync(file, 'utf8').split('\n');
    const n = Number(pid);
    return Number.isInteger(n) && n > 0 && host ? { pid: n, host } : undefined;
  } catch {
    return undefined;
  }
}

export interface JournalLock {
  /** The SQLite file whose write lock is held. */
  readonly file: string;
  release(): void;
}

const isBusy = (err: unknown) => /SQLITE_BUSY|database is locked/i.test(String((err as { code?: string })?.code ?? '') + ' ' + String((err as Error)?.message ?? err));

/**
 * Makes this process the one PayBridge service on a SQLite journal. Two services on one journal
 * would drive the same pinpads and recover the same payments; SQLite itself would let them (WAL
 * admits many writers in turn), and SQLite's exclusive locking mode on the journal would also shut
 * out the CLI's `journal export`, which reads it while the service runs.
 *
 * So the service holds a write transaction open, for as long as it lives, on a small SQLite file of
 * its own beside the journal (`<journal>.lock`). The lock is the operating system's (fcntl on Linux,
 * LockFileEx on Windows), so it goes with the process however the process ends — a kill, a power cut,
 * a container recreated under another host name — and two services starting at the same moment
 * cannot both get it. A pid file written by a lock file's creator could do neither: a dead holder's
 * file must be guessed stale, and a file from another host can never be. The holder's pid and host
 * are written beside it (`<journal>.lock.owner`) only to name it in the refusal.
 */
export function lockJournal(journalPath: string, driver: SqliteDriverChoice = 'auto'): JournalLock {
  const file = `${journalPath}.lock`;
  const ownerFile = `${file}.owner`;
  let db: SqlConnection;
  try {
    mkdirSync(dirname(file), { recursive: true });
    db = openSqlite(file, driver);
    // A refusal at once: better-sqlite3 would otherwise wait five seconds for the holder to let go.
    db.exec('PRAGMA busy_timeout = 0');
  } catch (err) {
    if (err instanceof SqliteDriverError) throw err;
    throw new DataDirError(dirname(file), err as NodeJS.ErrnoException);
  }
  try {
    // BEGIN IMMEDIATE takes SQLite's RESERVED lock and keeps it until COMMIT, which never comes.
    db.exec('BEGIN IMMEDIATE');
  } catch (err) {
    db.close();
    if (!isBusy(err)) throw new DataDirError(dirname(file), err as NodeJS.ErrnoException);
    throw new JournalLockedError(journalPath, file, readHolder(ownerFile));
  }
  try {
    writeFileSync(ownerFile, `${process.pid}\n${hostname()}\n${new Date().toISOString()}\n`);
  } catch (err) {
    db.close();
    throw new DataDirError(dirname(file), err as NodeJS.ErrnoException);
  }
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    try {
      if (readHolder(ownerFile)?.pid === process.pid) unlinkSync(ownerFile);
    } catch {
      // Already gone: nothing to remove.
    }
    db.close();
  };
  // process.exit skips every finally; the owner file should not outlive a known exit (the lock itself
  // goes with the process regardless).
  process.once('exit', release);
  return { file, release };
}
