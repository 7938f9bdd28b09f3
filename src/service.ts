import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createPayBridge, type PayBridge } from './app.js';
import { EXIT } from './cli/exit-codes.js';
import { ConfigError, loadConfig, loadDotEnv } from './config/load.js';
import type { Config } from './config/schema.js';
import { SqliteDriverError } from './journal/sqlite/connection.js';
import { DataDirError, JournalLockedError, lockJournal } from './journal/sqlite/instance-lock.js';
import { JournalTooNewError } from './journal/too-new.js';
import { makeFolder } from './lib/make-folder.js';
import { userName } from './lib/user-name.js';
import { createServiceLogger, LogFileError, type ServiceLogger } from './logger.js';
import { VERSION } from './version.js';

/** EX_CONFIG from sysexits.h: the configuration is wrong, retrying will not help. */
export const EXIT_CONFIG = EXIT.CONFIG;

/** A start-up failure with a known cause: one line saying what to do, and its exit code (docs/cli.md). */
export class StartupError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'StartupError';
  }
}

const user = () => userName() ?? 'this user';

const NOT_WRITABLE = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'ENOENT', 'ENOSPC', 'SQLITE_CANTOPEN', 'SQLITE_READONLY', 'SQLITE_PERM', 'SQLITE_FULL', 'ERR_SQLITE_ERROR']);

/** What a failure to open the journal means for the person starting PayBridge, if it is a known one. */
function journalFailure(err: unknown, config: Config): StartupError | undefined {
  if (err instanceof JournalTooNewError) return new StartupError(err.message, EXIT.DATAERR);
  const e = err as NodeJS.ErrnoException & { errcode?: number };
  if (config.journal.engine === 'postgres') {
    const host = (() => {
      try {
        return new URL(config.journal.url!).host;
      } catch {
        return 'journal.url';
      }
    })();
    if (['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'EAI_AGAIN'].includes(e.code ?? '') || /timeout/i.test(e.message ?? '')) {
      return new StartupError(`cannot reach the PostgreSQL journal at ${host} (${e.code ?? e.message}): is the database running and journal.url right?`, EXIT.UNAVAILABLE);
    }
    // 28P01: wrong password, 28000: no such role or not allowed, 3D000: no such database.
    if (['28P01', '28000', '3D000'].includes(e.code ?? '')) return new StartupError(`the PostgreSQL journal at ${host} refused PayBridge (${e.message}): check journal.url`, EXIT.CONFIG);
    return undefined;
  }
  // node:sqlite reports every failure as ERR_SQLITE_ERROR; only one opening the file is meant here.
  if (NOT_WRITABLE.has(e.code ?? '') && (e.code !== 'ERR_SQLITE_ERROR' || /unable to open|readonly|read-only|disk I\/O/i.test(e.message))) {
    return new StartupError(
      `cannot open the journal ${config.journal.path} for writing (${e.code}: ${e.message}) as user ${user()}: make ${dirname(config.journal.path!)} writable for that user, or set data_dir (PAYBRIDGE_DATA_DIR) to a folder that is`,
      EXIT.CANTCREAT,
    );
  }
  return undefined;
}

function listenFailure(err: unknown, host: string, port: number): StartupError | undefined {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return new StartupError(`port ${port} on ${host} is in use — is another PayBridge running? Stop it, or change server.port (PORT)`, EXIT.UNAVAILABLE);
  if (code === 'EACCES' || code === 'EPERM') return new StartupError(`port ${port} on ${host} may not be opened by user ${user()} — ports below 1024 need privileges: use a port above 1023 (server.port, PORT)`, EXIT.UNAVAILABLE);
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new StartupError(`${host} is not an address of this machine: change server.host (HOST)`, EXIT.UNAVAILABLE);
  return undefined;
}

/** Whether process `pid` still runs (one this process may not signal runs too). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Calls `gone` once the process that started this one has ended. `npm start` runs PayBridge
 * through a shell (`sh -c`, `cmd /c`) and passes a SIGTERM it receives on to that shell only; the
 * shell dies of it without passing it on, npm exits, and PayBridge would serve on with no parent
 * for a supervisor to stop. Linux and macOS give an orphan a new parent (ppid changes); Windows
 * keeps the old pid, so whether it still runs is asked too.
 */
export function watchParent(gone: () => void, everyMs = 500): () => void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent && isRunning(parent)) return;
    clearInterval(timer);
    gone();
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** Says it on stderr, and in the log too when the log goes somewhere else than this terminal. */
async function fail(error: StartupError, log: ServiceLogger | undefined, config: Config | undefined): Promise<never> {
  process.stderr.write(`paybridge: ${error.message}\n`);
  if (log && config && (!process.stdout.isTTY || config.log.file)) log.logger.fatal({ exit_code: error.exitCode }, error.message);
  await log?.close();
  process.exit(error.exitCode);
}

/**
 * PayBridge as a service, stopped gracefully by SIGINT or SIGTERM: no new requests, payments in
 * flight finish (up to server.shutdown_grace_ms), the journal closes. `npm start` and
 * `paybridge start` both run this. A start that fails for a known reason says what to do in one
 * line and exits with its code (docs/cli.md): 78 the configuration, 69 the port or the PostgreSQL
 * journal, 73 the data folder or log file, 75 another PayBridge on the same journal, 65 a journal a
 * newer PayBridge upgraded. Anything else
 * is a bug and is thrown, stack and all.
 */
export async function runService(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let loaded;
  try {
    loadDotEnv(env);
    loaded = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`paybridge: ${err.message}\n`);
      process.exit(EXIT_CONFIG);
    }
    throw err;
  }
  const { config, source } = loaded;
  let log: ServiceLogger;
  try {
    log = createServiceLogger(config.log);
  } catch (err) {
    if (!(err instanceof LogFileError)) throw err;
    return fail(new StartupError(`${err.message} as user ${user()}: make its folder writable for that user, or change log.file`, EXIT.CANTCREAT), undefined, config);
  }
  const { logger } = log;

  // The journal's folder (SQLite) and the sandbox's (its emulators' ledgers) are made here, where a
  // folder that cannot be made is told in one line: Node's own recursive mkdir, further on, can loop
  // for ever on some file systems (makeFolder).
  const folders = new Set([...(config.journal.engine === 'sqlite' ? [dirname(config.journal.path!)] : []), ...(config.mode === 'sandbox' ? [config.data_dir] : [])]);
  for (const folder of folders) {
    try {
      makeFolder(folder);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      // ENOENT with the folder above it in place: a file system that has no room for folders (/proc).
      const message =
        e.code === 'ENOENT'
          ? `cannot create the data folder ${folder} (ENOENT: this file system does not let it be made there) as user ${user()}: set data_dir (PAYBRIDGE_DATA_DIR) to a folder on a disk`
          : new DataDirError(folder, e).message;
      return fail(new StartupError(message, EXIT.CANTCREAT), log, config);
    }
  }

  if (config.journal.engine === 'sqlite') {
    try {
      lockJournal(config.journal.path!, config.journal.sqlite_driver);
    } catch (err) {
      if (err instanceof JournalLockedError) return fail(new StartupError(err.message, EXIT.TEMPFAIL), log, config);
      if (err instanceof DataDirError) return fail(new StartupError(err.message, EXIT.CANTCREAT), log, config);
      if (err instanceof SqliteDriverError) return fail(new StartupError(err.message, EXIT.UNAVAILABLE), log, config);
      throw err;
    }
  }

  let bridge: PayBridge;
  try {
    bridge = await createPayBridge(config, logger);
  } catch (err) {
    const known = journalFailure(err, config);
    if (known) return fail(known, log, config);
    throw err;
  }
  let address: string;
  try {
    address = await bridge.server.listen({ host: config.server.host, port: config.server.port });
  } catch (err) {
    const known = listenFailure(err, config.server.host, config.server.port);
    if (!known) throw err;
    await bridge.close().catch(() => {});
    return fail(known, log, config);
  }
  logger.info(
    { version: VERSION, mode: config.mode, config: source, journal: config.journal.path, sandbox: bridge.emulators ? { click: bridge.emulators.click.baseUrl, payme: bridge.emulators.payme.url } : undefined },
    `PayBridge ${VERSION} listening on ${address} (${config.mode} mode); console ${address}/console/, API reference ${address}/docs`,
  );

  // The log's last lines are written out before the process ends (a worker thread writes them).
  const exit = async (code: number) => {
    await log.close();
    process.exit(code);
  };
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now; unfinished payments stay in the journal for recovery');
      return exit(1);
    }
    stopping = true;
    logger.info({ signal, grace_ms: config.server.shutdown_grace_ms }, 'shutting down: no new requests, finishing the ones in flight');
    const finished = await Promise.race([bridge.close().then(() => true), sleep(config.server.shutdown_grace_ms, false, { ref: false })]);
    if (!finished) logger.warn('grace period over: exiting with requests still in flight; their journal entries stay open for recovery');
    else logger.info('stopped');
    return exit(finished ? 0 : 1);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  // Started by a package manager's script (npm start, npx paybridge start): stopping it must stop
  // PayBridge, though the signal stops at the shell between them. Only then: a PayBridge started in
  // the background of a terminal that then closes (nohup) is meant to run on.
  if (env.npm_lifecycle_event !== undefined) {
    watchParent(() => {
      // Already stopping (the signal reached PayBridge too): that stop goes on, not cut short as by a second signal.
      if (stopping) return;
      logger.info('the npm (or other script runner) that started PayBridge has exited: stopping as on SIGTERM');
      void stop('parent exited');
    });
  }
}
