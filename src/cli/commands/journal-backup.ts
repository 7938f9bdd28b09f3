import { existsSync, renameSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { backupSqliteJournal, inspectJournalFile, NotAJournalError, syncFolder } from '../../journal/sqlite/backup.js';
import { SqliteDriverError } from '../../journal/sqlite/connection.js';
import { SQLITE_MIGRATIONS } from '../../journal/sqlite/migrations.js';
import { CliExit, EXIT } from '../exit-codes.js';
import { configuredJournal, factsText, urlWithoutPassword } from './journal-file.js';

/** The command a PostgreSQL journal is backed up with: pg_dump's own archive, restored by pg_restore. */
export function pgDumpCommand(url: string, file: string): string {
  return `pg_dump --format=custom --file="${file}" "${urlWithoutPassword(url)}"`;
}

/**
 * `paybridge journal backup FILE`: a consistent copy of the SQLite journal the configuration names,
 * taken while PayBridge runs (see backupSqliteJournal), checked (integrity, schema version) before it
 * is given its name. Never overwrites a file. A PostgreSQL journal is the database server's to back
 * up: the command says how, with pg_dump, and exits 2.
 */
export async function journalBackup(file: string, options: { config?: string }): Promise<number> {
  const journal = configuredJournal(options.config);
  if (journal.engine === 'postgres') {
    throw new CliExit(
      EXIT.USAGE,
      `the journal is PostgreSQL (${urlWithoutPassword(journal.url!)}): back it up with PostgreSQL's own tool, from any computer that reaches the database, while PayBridge runs: ` +
        `${pgDumpCommand(journal.url!, file)} (the password from PGPASSWORD or the password file); restore it with pg_restore (README, "Back up and restore")`,
    );
  }
  const source = resolve(journal.path!);
  const target = resolve(file);
  if (!existsSync(source)) throw new CliExit(EXIT.REFUSED, `there is no journal at ${source}: nothing to back up (is this the configuration and data_dir PayBridge runs with?)`);
  if (target === source) throw new CliExit(EXIT.USAGE, `${target} is the journal itself: name another file`);
  if (existsSync(target)) throw new CliExit(EXIT.CANTCREAT, `${target} exists: a backup never overwrites a file; name a new one`);

  // Written under a name of its own first: a copy cut short (a full disk, Ctrl-C) is never taken for a backup.
  const partial = `${target}.partial-${process.pid}`;
  const removePartial = () => {
    for (const f of [partial, `${partial}-journal`, `${partial}-wal`, `${partial}-shm`]) rmSync(f, { force: true });
  };
  let method;
  let facts;
  try {
    method = await backupSqliteJournal(source, partial, journal.sqlite_driver);
    facts = inspectJournalFile(partial, journal.sqlite_driver);
  } catch (err) {
    removePartial();
    if (err instanceof SqliteDriverError) throw new CliExit(EXIT.UNAVAILABLE, err.message);
    if (err instanceof NotAJournalError) throw new CliExit(EXIT.DATAERR, `the copy of ${source} does not check: ${err.message}; nothing was written`);
    const e = err as NodeJS.ErrnoException;
    const cannotWrite = ['EACCES', 'EPERM', 'EROFS', 'ENOENT', 'ENOTDIR', 'ENOSPC'].includes(e.code ?? '') || /unable to open|readonly|disk (I\/O|is full)|directory does not exist/i.test(e.message);
    throw new CliExit(cannotWrite ? EXIT.CANTCREAT : EXIT.REFUSED, `cannot back up ${source} to ${target}: ${e.message}; nothing was written`);
  }
  renameSync(partial, target);
  syncFolder(dirname(target));
  const newer = facts.newer ? ` (newer than this PayBridge knows, ${SQLITE_MIGRATIONS.length})` : '';
  process.stdout.write(`backed up ${source} to ${target} with SQLite's ${method}: ${factsText(facts)}${newer}; integrity check ok\n`);
  return EXIT.OK;
}
