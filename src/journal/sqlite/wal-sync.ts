import { closeSync, fdatasync, fsyncSync, openSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * The SQLite journal's WAL file, held open by PayBridge to sync it off the event loop: with
 * synchronous=NORMAL, SQLite's COMMIT writes the WAL frames without syncing them, and the group
 * commit (group-commit.ts) then calls `sync()`, an fdatasync on libuv's thread pool, before any
 * caller of that batch hears its outcome. docs/performance.md ("3b. Durable commits off the event
 * loop") says why this is as durable as synchronous=FULL.
 *
 * Why an fd of our own is enough:
 * - fdatasync flushes the file (its inode), whoever wrote the pages: SQLite's writes through its own
 *   fd are covered.
 * - The `-wal` file keeps its inode while our connection is open: SQLite deletes it only when the
 *   last connection to the database closes (ours is open, and instance-lock.ts makes this process
 *   the only PayBridge on the journal), and restarts it after a checkpoint by overwriting it from the
 *   start, or shortens it (journal_size_limit, wal_checkpoint(TRUNCATE)) with ftruncate: the same file.
 * - It is opened once, at start, before any write the group commit acknowledges: since Linux 4.13 a
 *   writeback error is reported to every fd that was open when it happened, so ours hears it.
 * - SQLite's POSIX locks are on the database file and the `-shm` file, never on `-wal`: opening and
 *   closing an fd here does not drop them (closing any fd of a file drops the process's locks on it).
 * - Opened read-write, since Windows flushes a file (FlushFileBuffers) only through a handle with write access.
 */
export class WalSync {
  private fd: number | undefined;

  private constructor(
    readonly path: string,
    fd: number,
  ) {
    this.fd = fd;
  }

  /**
   * Opens `<database>-wal`, which SQLite creates when a WAL-mode connection first reads; throws if it
   * is not there. Also syncs the folder once, so that the `-wal` file's own name is on disk: under
   * synchronous=FULL SQLite does that at its first sync of a new WAL, under NORMAL only at its first
   * checkpoint, and a WAL whose directory entry a power cut took would take its frames with it.
   * (Windows has no folder to sync: NTFS journals its own metadata, and SQLite syncs none there either.)
   */
  static open(databasePath: string): WalSync {
    const path = `${databasePath}-wal`;
    const fd = openSync(path, 'r+');
    if (process.platform !== 'win32') {
      try {
        const folder = openSync(dirname(path), 'r');
        try {
          fsyncSync(folder);
        } finally {
          closeSync(folder);
        }
      } catch (err) {
        closeSync(fd);
        throw err;
      }
    }
    return new WalSync(path, fd);
  }

  /** fdatasync on the thread pool; the event loop runs on meanwhile. */
  readonly sync = (): Promise<void> =>
    new Promise((resolve, reject) => {
      if (this.fd === undefined) return reject(new Error(`${this.path} is closed`));
      fdatasync(this.fd, (err) => (err ? reject(err) : resolve()));
    });

  /** Only once no sync is in flight (the group commit drained): an fd number closed under a running fdatasync could be reused. */
  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }
}
