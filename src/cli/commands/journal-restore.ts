import { chownSync, copyFileSync, existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { inspectJournalFile, NotAJournalError, syncFile, syncFolder, type JournalFileFacts } from '../../journal/sqlite/backup.js';
import { openSqlite, SqliteDriverError } from '../../journal/sqlite/connection.js';
import { DataDirError, JournalLockedError, lockJournal, type JournalLock } from '../../journal/sqlite/instance-lock.js';
import { SQLITE_MIGRATIONS } from '../../journal/sqlite/migrations.js';
import { VERSION } from '../../version.js';
import { CliExit, EXIT } from '../exit-codes.js';
import { configuredJournal, factsText, urlWithoutPassword } from './journal-file.js';

/** The files SQLite keeps beside a database: they belong to it, and move with it. */
const COMPANIONS = ['-wal', '-shm', '-journal'] as const;

/** 2026-12-06T17-25-02Z: a time a file name can carry on every system (no colons for Windows). */
const stamp = (at: Date) => at.toISOString().replace(/\.\d+Z$/, 'Z').replaceAll(':', '-');

/**
 * `paybridge journal restore FILE`: puts a backup in the journal's place, PayBridge stopped.
 *
 * It takes the journal's instance lock (the one a running PayBridge holds for as long as it lives),
 * so it refuses while PayBridge runs on this journal, and a PayBridge started meanwhile waits for it
 * to finish (exit 75). FILE is copied beside the journal and checked there (a SQLite database, intact,
 * with the journal's tables, a schema version this PayBridge knows) before anything is replaced, and
 * FILE itself is never changed. The journal it replaces is kept, renamed with the time
 * (`journal.sqlite.replaced-<time>`): first checkpointed, so its WAL is inside it, and whatever SQLite
 * still keeps beside it (-wal, -shm) moved with it under the same new name.
 */
export async function journalRestore(file: string, options: { config?: string }): Promise<number> {
  const journal = configuredJournal(options.config);
  if (journal.engine === 'postgres') {
    throw new CliExit(
      EXIT.USAGE,
      `the journal is PostgreSQL (${urlWithoutPassword(journal.url!)}): restore a pg_dump archive with PostgreSQL's own tool, every PayBridge on it stopped: ` +
        `pg_restore --clean --if-exists --no-owner --dbname="${urlWithoutPassword(journal.url!)}" "${file}" (README, "Back up and restore")`,
    );
  }
  const target = resolve(journal.path!);
  const backup = resolve(file);
  if (!existsSync(backup)) throw new CliExit(EXIT.USAGE, `${backup} does not exist: name the backup to restore`);
  if (backup === target) throw new CliExit(EXIT.USAGE, `${backup} is the journal itself: name the backup to restore`);

  // Run as root on Linux, the restored journal (and a lock file made now) must stay the service account's.
  const owner = statSync(existsSync(target) ? target : existsSync(dirname(target)) ? dirname(target) : '.');
  const asOwner = (file: string) => {
    if (process.platform !== 'win32' && process.getuid?.() === 0 && existsSync(file)) chownSync(file, owner.uid, owner.gid);
  };
  let lock: JournalLock;
  try {
    lock = lockJournal(target, journal.sqlite_driver);
  } catch (err) {
    if (err instanceof JournalLockedError) {
      const who = err.holder ? ` (pid ${err.holder.pid}${err.holder.host === hostname() ? '' : ` on ${err.holder.host}`})` : '';
      throw new CliExit(EXIT.TEMPFAIL, `PayBridge${who} is running on the journal ${target}: stop it first, then restore; nothing was changed`);
    }
    if (err instanceof DataDirError) throw new CliExit(EXIT.CANTCREAT, err.message);
    if (err instanceof SqliteDriverError) throw new CliExit(EXIT.UNAVAILABLE, err.message);
    throw err;
  }
  try {
    const staging = `${target}.restoring`;
    const removeStaging = () => {
      for (const f of [staging, ...COMPANIONS.map((c) => staging + c)]) rmSync(f, { force: true });
    };
    removeStaging();
    let facts: JournalFileFacts;
    try {
      copyFileSync(backup, staging);
      // A copy of a live journal taken by hand may have its last payments in its -wal still: they come along.
      if (existsSync(`${backup}-wal`)) copyFileSync(`${backup}-wal`, `${staging}-wal`);
      facts = inspectJournalFile(staging, journal.sqlite_driver);
    } catch (err) {
      removeStaging();
      if (err instanceof NotAJournalError) throw new CliExit(EXIT.DATAERR, `${err.message.replace(staging, backup)}: not restored, nothing was changed`);
      if (err instanceof SqliteDriverError) throw new CliExit(EXIT.UNAVAILABLE, err.message);
      throw new CliExit(EXIT.CANTCREAT, `cannot copy ${backup} beside the journal: ${(err as Error).message}; nothing was changed`);
    }
    if (facts.newer) {
      removeStaging();
      throw new CliExit(
        EXIT.DATAERR,
        `${backup} has schema version ${facts.schemaVersion}, newer than this PayBridge knows (${SQLITE_MIGRATIONS.length}, PayBridge ${VERSION}): restore it with the PayBridge that made it, or a newer one; nothing was changed`,
      );
    }
    // The staging copy was checked through SQLite, which folded any -wal into it when it closed; what is left beside it is not needed.
    for (const c of COMPANIONS) rmSync(staging + c, { force: true });
    syncFile(staging);

    let kept: string | undefined;
    if (existsSync(target)) {
      const at = `${target}.replaced-${stamp(new Date())}`;
      // Two restores within a second: the first one's kept journal is never written over.
      kept = at;
      for (let n = 2; existsSync(kept); n++) kept = `${at}-${n}`;
      try {
        // Its WAL into the file itself, so the kept journal is whole on its own.
        const db = openSqlite(target, journal.sqlite_driver);
        try {
          db.pragma('wal_checkpoint(TRUNCATE)');
        } finally {
          db.close();
        }
      } catch {
        // A damaged journal (perhaps why it is being replaced) is kept as it is, its -wal and -shm with it.
      }
      renameSync(target, kept);
      for (const c of COMPANIONS) if (existsSync(target + c)) renameSync(target + c, kept + c);
    }
    asOwner(staging);
    renameSync(staging, target);
    syncFolder(dirname(target));
    const older = facts.schemaVersion < SQLITE_MIGRATIONS.length ? `; PayBridge brings its schema forward (${facts.schemaVersion} → ${SQLITE_MIGRATIONS.length}) when it starts` : '';
    process.stdout.write(
      `restored ${backup} into ${target}: ${factsText(facts)}, integrity check ok; ` +
        `${kept ? `the journal it replaced is kept as ${kept}` : 'there was no journal to replace'}${older}. Start PayBridge again\n`,
    );
    return EXIT.OK;
  } finally {
    lock.release();
    asOwner(`${target}.lock`);
  }
}
