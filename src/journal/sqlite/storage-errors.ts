import { JournalUnavailableError } from '../../payments/ports/journal.js';

/**
 * SQLite's answers that say the journal's storage, not the statement, failed: the disk is full
 * (SQLITE_FULL), the file or its folder cannot be written (SQLITE_READONLY and its extended codes:
 * a volume remounted read-only, a file whose permissions changed), or the operating system reported
 * an I/O error (SQLITE_IOERR_*). A write that meets one of them kept nothing (SQLite undoes the
 * transaction, and the group commit rolls back what is left), so the operation it began is not
 * started: the till hears JOURNAL_UNAVAILABLE, as for a PostgreSQL journal that cannot be reached.
 * Anything else (a constraint, a stale transition, a bug) is the write's own outcome and is left as it is.
 *
 * better-sqlite3 names the extended code (`code: 'SQLITE_IOERR_WRITE'`); node:sqlite gives
 * `code: 'ERR_SQLITE_ERROR'` with the extended result code as a number (`errcode`), whose low byte is
 * the primary code.
 */
const PRIMARY: Record<number, string> = { 8: 'SQLITE_READONLY', 10: 'SQLITE_IOERR', 13: 'SQLITE_FULL' };

/** The primary code (SQLITE_FULL, SQLITE_READONLY, SQLITE_IOERR) when `err` is a storage failure. */
export function storageFailureCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { code, errcode } = err as { code?: unknown; errcode?: unknown };
  if (typeof code === 'string') {
    const primary = /^(SQLITE_FULL|SQLITE_READONLY|SQLITE_IOERR)(?:_|$)/.exec(code)?.[1];
    if (primary) return primary;
  }
  if (typeof errcode === 'number') return PRIMARY[errcode & 0xff];
  return undefined;
}

/**
 * The journal `where` cannot be written: a JournalUnavailableError of its own for each caller, since
 * firstWrite marks the one it is given as "nothing sent", which must not reach a caller whose write
 * came later in the same batch.
 */
export function journalUnwritable(where: string, cause: unknown): JournalUnavailableError {
  const code = storageFailureCode(cause);
  const message = (cause as Error)?.message ?? String(cause);
  const err = new JournalUnavailableError(`SQLite journal ${where} cannot be written: ${message}${code && !message.includes(code) ? ` (${code})` : ''}`);
  (err as { cause?: unknown }).cause = cause;
  return err;
}
