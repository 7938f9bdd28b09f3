import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';

/** Another PayBridge process holds the journal. */
export class JournalLockedError extends Error {
  constructor(
    readonly journal: string,
    readonly lockFile: string,
    readonly holder: { pid: number; host: string },
  ) {
    super(
      holder.host === hostname()
        ? `another PayBridge (pid ${holder.pid}) uses the journal ${journal}: stop it, or give this one another data_dir`
        : `another PayBridge (pid ${holder.pid} on ${holder.host}) uses the journal ${journal}: stop it, or give this one another data_dir (if it is not running, delete ${lockFile})`,
    );
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

function userName(): string | undefined {
  return process.env.USER ?? process.env.USERNAME ?? (process.getuid ? `uid ${process.getuid()}` : undefined);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, it only belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
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
  readonly file: string;
  release(): void;
}

/**
 * Makes this process the one PayBridge service on a SQLite journal. Two services on one journal
 * would drive the same pinpads and recover the same payments; SQLite itself would let them (WAL
 * admits many writers in turn), and an exclusive SQLite locking mode would also shut out the CLI's
 * `journal export`, which reads the journal while the service runs. So the service alone takes
 * `<journal>.lock`, created exclusively and holding its pid and host. A lock left by a process that
 * is gone (killed, a power cut) is taken over; on another host the pid cannot be checked, so there
 * the lock holds until someone deletes it.
 */
export function lockJournal(journalPath: string): JournalLock {
  const file = `${journalPath}.lock`;
  try {
    mkdirSync(dirname(file), { recursive: true });
  } catch (err) {
    throw new DataDirError(dirname(file), err as NodeJS.ErrnoException);
  }
  for (let attempt = 0; ; attempt++) {
    let fd: number;
    try {
      fd = openSync(file, 'wx');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') throw new DataDirError(dirname(file), err as NodeJS.ErrnoException);
      const holder = readHolder(file);
      // Our own pid in the file is a lock from an earlier life of this container or machine.
      const held = holder !== undefined && (holder.host !== hostname() || (holder.pid !== process.pid && alive(holder.pid)));
      if (held) throw new JournalLockedError(journalPath, file, holder);
      // Stale (or unreadable: a crash between creating and writing it). Removed and created again;
      // two PayBridges starting at once both get here, and only one of them creates it.
      if (attempt >= 3) throw new DataDirError(dirname(file), Object.assign(new Error(`cannot take over ${file}`), { code: 'ESTALE' }));
      try {
        unlinkSync(file);
      } catch {
        // Taken over by another starting PayBridge at the same moment: the next attempt finds its lock.
      }
      continue;
    }
    writeSync(fd, `${process.pid}\n${hostname()}\n${new Date().toISOString()}\n`);
    closeSync(fd);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      try {
        if (readHolder(file)?.pid === process.pid) unlinkSync(file);
      } catch {
        // Already gone: nothing to release.
      }
    };
    // process.exit skips every finally; the lock must not outlive the process on a known exit.
    process.once('exit', release);
    return { file, release };
  }
}
