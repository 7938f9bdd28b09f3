import { accessSync, constants, readdirSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { pino, type Logger, type DestinationStream, type LoggerOptions, type TransportTargetOptions } from 'pino';
import { escapeRegExp } from './lib/escape-regexp.js';
import { makeFolder } from './lib/make-folder.js';
import { maskDeep, maskText, maskUrlQuery } from './payments/masking.js';

/**
 * Fields whose values pino's serializers reduce to what carries no secret: a request to its method,
 * URL, host and address (never its headers), a reply to its status, an error to its type, message
 * and stack. Everything else in a line is masked.
 */
const SERIALIZED = new Set(['req', 'res', 'err']);

/**
 * A log line's fields made safe (maskDeep, field by field): secrets gone, one-time QR codes and card
 * numbers masked, card numbers and URL passwords in free text too. Runs in the thread that logs,
 * before the line reaches any destination or transport worker, so the terminal, the JSON stream and
 * the log file all get the masked line; the caller's objects are never changed.
 */
export function maskLogFields(fields: Record<string, unknown>): Record<string, unknown> {
  let out = fields;
  for (const key of Object.keys(fields)) {
    if (SERIALIZED.has(key)) continue;
    const value = fields[key];
    const masked = maskDeep(value, key);
    if (masked !== value) {
      if (out === fields) out = { ...fields };
      out[key] = masked;
    }
  }
  return out;
}

/**
 * A request as its lines show it: method, URL (a secret-like query value such as `?token=…` masked),
 * host, address. The same fields as Fastify's own serializer, which this one replaces (a logger's own
 * serializers win over Fastify's).
 */
function requestSerializer(req: { method?: string; url?: string; headers?: Record<string, unknown>; host?: string; ip?: string; socket?: { remotePort?: number } }) {
  return {
    method: req.method,
    url: typeof req.url === 'string' ? maskUrlQuery(req.url) : req.url,
    version: req.headers?.['accept-version'],
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

/** An error as pino writes it, its message and stack masked like free text (a URL with a token in it). */
function errorSerializer(err: Error) {
  const out = pino.stdSerializers.err(err) as Record<string, unknown> | Error;
  if (!out || typeof out !== 'object' || out === err) return out;
  const record = out as Record<string, unknown>;
  for (const field of ['message', 'stack'] as const) if (typeof record[field] === 'string') record[field] = maskText(record[field]);
  return record;
}

function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    base: { service: 'paybridge' },
    // Masking by our own walk rather than pino's `redact`: its wildcard paths ran over every field
    // of every line, the request and reply objects included, and were a fifth of what a payment
    // allocated (docs/performance.md).
    // A child logger's own bindings are not masked (pino formats only the root's): keep them to ids.
    formatters: { log: maskLogFields, bindings: maskLogFields },
    serializers: { req: requestSerializer, err: errorSerializer },
  };
}

/**
 * Structured logs (pino). Whatever the call site passes, secrets, one-time QR codes and card
 * numbers are masked on the way out.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(loggerOptions(level), destination);
}

export interface LogSettings {
  level: string;
  format: 'auto' | 'pretty' | 'json';
  file?: string | undefined;
  file_max_size: string;
  file_frequency: 'daily' | 'hourly';
  file_keep: number;
}

export interface ServiceLogger {
  logger: Logger;
  /** Writes out every line logged so far and stops the destinations; call before process.exit. */
  close(): Promise<void>;
}

/** The log file's folder cannot be created or written. */
export class LogFileError extends Error {
  constructor(
    readonly file: string,
    override readonly cause: NodeJS.ErrnoException,
  ) {
    // mkdir answers EEXIST for a file standing where the folder should be.
    const why =
      cause.code === 'EEXIST'
        ? `${dirname(file)} is a file, not a folder`
        : cause.code === 'ENOENT'
          ? `ENOENT: this file system does not let ${dirname(file)} be made`
          : (cause.code ?? cause.message);
    super(`cannot write the log file ${file} (${why})`);
    this.name = 'LogFileError';
  }
}

/** How often a running PayBridge deletes log files beyond log.file_keep that it did not make itself. */
const PRUNE_EVERY_MS = 10_000;

/**
 * Deletes the log files of earlier runs beyond `keep` besides the one this run writes. pino-roll
 * names them `<name>.<date>.<n><ext>` (paybridge.log → paybridge.2026-01-05.1.log) and deletes old
 * ones only when it rolls over to a new file while running; a till switched off every night starts a
 * new day's file at each start and never rolls, so its files were never deleted. Returns the files
 * deleted. A file that cannot be deleted is left for the next time. `running`: called while this
 * process writes the newest file.
 */
export function pruneLogFiles(file: string, frequency: 'daily' | 'hourly', keep: number, { running = false, now = new Date() } = {}): string[] {
  const folder = dirname(file);
  const name = basename(file);
  // As pino-roll reads the name: its last extension (of two characters or more) is kept at the end; none means .log.
  const dot = name.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.length - dot > 2 ? name.slice(dot) : ''] : [name, '.log'];
  const pattern = new RegExp(`^${escapeRegExp(stem)}\\.(\\d{4}-\\d{2}-\\d{2}(?:-\\d{2})?)\\.(\\d+)${escapeRegExp(ext)}$`);
  const pad = (n: number) => String(n).padStart(2, '0');
  // pino-roll's date: the start of this day (hour) in local time.
  const today = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}${frequency === 'hourly' ? `-${pad(now.getHours())}` : ''}`;
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return [];
  }
  const files = names
    .map((f) => ({ f, m: pattern.exec(f) }))
    .filter((x): x is { f: string; m: RegExpExecArray } => x.m !== null)
    .map(({ f, m }) => ({ f, date: m[1]!, n: Number(m[2]) }))
    .sort((a, b) => (a.date === b.date ? a.n - b.n : a.date < b.date ? -1 : 1));
  // Running, the file being written is the newest. Starting, this run writes on in this period's
  // newest file when there is one, else starts a new file.
  const kept = keep + (running || files.some((x) => x.date === today) ? 1 : 0);
  const deleted: string[] = [];
  for (const { f } of files.slice(0, Math.max(0, files.length - kept))) {
    try {
      unlinkSync(join(folder, f));
      deleted.push(f);
    } catch {
      // in use, or not ours to delete: left for the next start
    }
  }
  return deleted;
}

/**
 * The service's logs: on stdout pretty lines (coloured on a terminal) or JSON lines, and, with
 * `log.file`, JSON lines in a file rotated by size and by day or hour (pino-roll). Pretty printing
 * and the file run in a worker thread (pino's transports), so they never hold up a payment;
 * JSON-only stdout stays a synchronous write in this thread, as pino writes by default.
 */
export function createServiceLogger(settings: LogSettings, stdout: { isTTY?: boolean; fd?: number } = process.stdout): ServiceLogger {
  const fd = stdout.fd ?? 1;
  const pretty = settings.format === 'pretty' || (settings.format === 'auto' && stdout.isTTY === true);
  if (settings.level === 'silent' || (!pretty && !settings.file)) {
    const logger = createLogger(settings.level, pino.destination({ dest: fd, sync: true }));
    return { logger, close: async () => {} };
  }
  if (settings.file) {
    // Checked here, where it can be reported as a start-up error: in the worker it would surface
    // later as an uncaught stream error.
    try {
      makeFolder(dirname(settings.file));
      accessSync(dirname(settings.file), constants.W_OK);
    } catch (err) {
      throw new LogFileError(settings.file, err as NodeJS.ErrnoException);
    }
    pruneLogFiles(settings.file, settings.file_frequency, settings.file_keep);
  }
  const level = settings.level;
  const targets: TransportTargetOptions[] = [
    pretty
      ? {
          target: 'pino-pretty',
          level,
          options: {
            destination: fd,
            // The worker's own stdout is never a terminal, so colour is decided here.
            colorize: stdout.isTTY === true && !process.env.NO_COLOR,
            translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l',
            ignore: 'pid,hostname,service',
            singleLine: true,
          },
        }
      : { target: 'pino/file', level, options: { destination: fd } },
  ];
  if (settings.file) {
    targets.push({
      target: 'pino-roll',
      level,
      options: {
        file: settings.file,
        size: settings.file_max_size,
        frequency: settings.file_frequency,
        dateFormat: settings.file_frequency === 'hourly' ? 'yyyy-MM-dd-HH' : 'yyyy-MM-dd',
        // pino-roll deletes the files this run made beyond the count as it rolls over; an earlier
        // run's files are pruneLogFiles' (at start and every PRUNE_EVERY_MS). Its removeOtherLogFiles
        // lists the folder while the new file is still being opened, so it kept one file too many
        // or, counting the new one, would delete one too many.
        limit: { count: settings.file_keep },
        mkdir: true,
      },
    });
  }
  const transport = pino.transport({ targets });
  const file = settings.file;
  const pruning = file ? setInterval(() => pruneLogFiles(file, settings.file_frequency, settings.file_keep, { running: true }), PRUNE_EVERY_MS) : undefined;
  pruning?.unref();
  // A destination failing later (the disk fills up) must not take the payments down with it.
  transport.on('error', (err: Error) => process.stderr.write(`paybridge: a log destination failed: ${err.message}\n`));
  const logger = createLogger(level, transport);
  let closed: Promise<void> | undefined;
  return {
    logger,
    close() {
      // Ending the stream lets the worker write what it was given and exit; 'close' follows that.
      // The worker does not keep the process alive, so this timer does until then (and gives up on
      // a destination that hangs: a stuck disk must not keep PayBridge from exiting).
      clearInterval(pruning);
      closed ??= new Promise<void>((resolve) => {
        const guard = setTimeout(resolve, 10_000);
        transport.once('close', () => {
          clearTimeout(guard);
          resolve();
        });
        transport.end();
      });
      return closed;
    },
  };
}
