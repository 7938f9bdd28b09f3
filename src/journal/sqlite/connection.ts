import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';

type Params = Record<string, unknown> | unknown[];

export interface SqlStatement {
  run(...params: unknown[]): { changes: number | bigint };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}

/**
 * The little of SQLite the journal uses, over either of two bindings: better-sqlite3, or Node's own
 * node:sqlite. better-sqlite3 12 (the last major that runs on Node 20) aborts the process on Node 24
 * when the garbage collector finalises a statement ("Assertion failed: (env) != nullptr",
 * WiseLibs/better-sqlite3#1515), so Node 24 and later use node:sqlite, which has no such finaliser.
 */
export interface SqlConnection {
  readonly driver: 'better-sqlite3' | 'node:sqlite';
  readonly isOpen: boolean;
  exec(sql: string): void;
  prepare(sql: string): SqlStatement;
  /** Runs `work` in one transaction (BEGIN IMMEDIATE), rolled back if it throws. */
  transaction<T>(work: () => T): T;
  /** `PRAGMA name` → its value. */
  pragma(name: string): unknown;
  close(): void;
}

export type SqliteDriverChoice = 'auto' | 'better-sqlite3' | 'node:sqlite';
export type SqliteDriver = 'better-sqlite3' | 'node:sqlite';

type BetterSqliteConstructor = typeof BetterSqlite3;
type NodeSqliteModule = { DatabaseSync: new (path: string) => NodeSqliteDatabase };

/**
 * How the two bindings are reached. better-sqlite3 is an optional dependency: on a computer without
 * a compiler (a shop's Windows PC) its install may have failed and npm left it out, so it is loaded
 * only when chosen, never at import. Tests pass their own loaders to try the choice without
 * uninstalling anything.
 */
export interface SqliteLoaders {
  nodeMajor: number;
  /** better-sqlite3's constructor, or a thrown error saying why it cannot be used. */
  betterSqlite3(): BetterSqliteConstructor;
  /** node:sqlite, or a thrown error (Node 20, or 22 before 22.5 / without --experimental-sqlite). */
  nodeSqlite(): NodeSqliteModule;
}

const require = createRequire(import.meta.url);
let betterSqliteProbe: { ok: true; value: BetterSqliteConstructor } | { ok: false; error: Error } | undefined;

export const defaultSqliteLoaders: SqliteLoaders = {
  nodeMajor: Number(process.versions.node.split('.')[0]),
  betterSqlite3() {
    if (!betterSqliteProbe) {
      try {
        const Database = require('better-sqlite3') as BetterSqliteConstructor;
        // The package can be present while its native addon is not (a build that failed half-way);
        // the addon is loaded by the constructor, so open one in memory to know.
        new Database(':memory:').close();
        betterSqliteProbe = { ok: true, value: Database };
      } catch (err) {
        betterSqliteProbe = { ok: false, error: err as Error };
      }
    }
    if (!betterSqliteProbe.ok) throw betterSqliteProbe.error;
    return betterSqliteProbe.value;
  },
  nodeSqlite: () => withoutSqliteWarning(() => require('node:sqlite') as NodeSqliteModule),
};

/**
 * Runs load with Node's "SQLite is an experimental feature" warning dropped: Node 22 prints it on
 * stderr when node:sqlite is first loaded, two lines before a start-up error's one line. Only that
 * warning is dropped; any other warning, experimental ones included, goes on as usual.
 */
export function withoutSqliteWarning<T>(load: () => T): T {
  const emitWarning = process.emitWarning;
  process.emitWarning = function (this: NodeJS.Process, warning: string | Error, ...rest: unknown[]) {
    const options = rest[0];
    const type = typeof options === 'string' ? options : ((options as { type?: string } | undefined)?.type ?? (typeof warning === 'string' ? 'Warning' : warning.name));
    const text = typeof warning === 'string' ? warning : warning.message;
    if (type === 'ExperimentalWarning' && /^SQLite is an experimental feature/.test(text)) return;
    return (emitWarning as (...args: unknown[]) => void).call(this, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    return load();
  } finally {
    process.emitWarning = emitWarning;
  }
}

/** No usable SQLite binding: said in one line, since the fix is an install step, not a code path. */
export class SqliteDriverError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SqliteDriverError';
    // The start-up handler prints the stack; a stack of loader frames would bury the one line that matters.
    this.stack = `${this.name}: ${message}`;
  }
}

const firstLine = (err: unknown) => String((err as Error)?.message ?? err).split('\n')[0] ?? '';

function usable<T>(load: () => T): { ok: true; value: T } | { ok: false; why: string } {
  try {
    return { ok: true, value: load() };
  } catch (err) {
    return { ok: false, why: firstLine(err) };
  }
}

/**
 * Which binding a journal opens. `auto`: node:sqlite on Node 24 and later (see SqlConnection for
 * why); better-sqlite3 before that when it is installed; otherwise node:sqlite where this Node has it
 * (22.5+). An explicit choice is honoured or refused, never swapped for the other.
 */
export function chooseSqliteDriver(choice: SqliteDriverChoice = 'auto', loaders: SqliteLoaders = defaultSqliteLoaders): SqliteDriver {
  const fix = 'install build tools and run npm install again, or use Node 24 (node:sqlite, no compiler needed)';
  if (choice === 'better-sqlite3') {
    const b = usable(loaders.betterSqlite3);
    if (!b.ok) throw new SqliteDriverError(`journal.sqlite_driver is better-sqlite3, but it cannot be loaded (${b.why}): ${fix}, or set journal.sqlite_driver to auto`);
    return choice;
  }
  if (choice === 'node:sqlite') {
    const n = usable(loaders.nodeSqlite);
    if (!n.ok) throw new SqliteDriverError(`journal.sqlite_driver is node:sqlite, which Node ${process.versions.node} does not have (${n.why}): use Node 24, or set journal.sqlite_driver to auto`);
    return choice;
  }
  if (loaders.nodeMajor >= 24) return 'node:sqlite';
  const b = usable(loaders.betterSqlite3);
  if (b.ok) return 'better-sqlite3';
  if (usable(loaders.nodeSqlite).ok) return 'node:sqlite';
  throw new SqliteDriverError(`no SQLite driver on Node ${loaders.nodeMajor}: better-sqlite3 is not usable (${b.why}) and node:sqlite needs Node 22.5 or later: ${fix}`);
}

function betterSqlite(path: string, Database: BetterSqliteConstructor): SqlConnection {
  const db = new Database(path);
  return {
    driver: 'better-sqlite3',
    get isOpen() {
      return db.open;
    },
    exec: (sql) => void db.exec(sql),
    prepare: (sql) => db.prepare(sql) as unknown as SqlStatement,
    transaction: (work) => db.transaction(work).immediate(),
    pragma: (name) => db.pragma(name, { simple: true }),
    close: () => db.close(),
  };
}

interface NodeSqliteDatabase {
  isOpen: boolean;
  exec(sql: string): void;
  prepare(sql: string): NodeSqliteStatement;
  close(): void;
}

interface NodeSqliteStatement extends SqlStatement {
  /** Node 22.15 / 23.11 and later; before, unknown names were ignored as better-sqlite3 ignores them. */
  setAllowUnknownNamedParameters?(enabled: boolean): void;
}

/**
 * better-sqlite3 ignores a named parameter the statement does not use; node:sqlite refuses it. The
 * journal binds one object of a row's fields to several statements (an insert names the terminal, the
 * fenced update does not), so node:sqlite is told to behave as better-sqlite3 does: otherwise a write that
 * passes every test on Node 20 throws on Node 24.
 */
function prepareLikeBetterSqlite(db: NodeSqliteDatabase, sql: string): SqlStatement {
  const statement = db.prepare(sql);
  statement.setAllowUnknownNamedParameters?.(true);
  return statement;
}

function nodeSqlite(path: string, { DatabaseSync }: NodeSqliteModule): SqlConnection {
  const db = new DatabaseSync(path);
  const run = (sql: string) => db.exec(sql);
  return {
    driver: 'node:sqlite',
    get isOpen() {
      return db.isOpen;
    },
    exec: run,
    prepare: (sql) => prepareLikeBetterSqlite(db, sql),
    transaction<T>(work: () => T): T {
      run('BEGIN IMMEDIATE');
      try {
        const result = work();
        run('COMMIT');
        return result;
      } catch (err) {
        run('ROLLBACK');
        throw err;
      }
    },
    pragma: (name) => Object.values(db.prepare(`PRAGMA ${name}`).get() as Record<string, unknown>)[0],
    close: () => db.close(),
  };
}

export function openSqlite(path: string, choice: SqliteDriverChoice = 'auto', loaders: SqliteLoaders = defaultSqliteLoaders): SqlConnection {
  return chooseSqliteDriver(choice, loaders) === 'node:sqlite' ? nodeSqlite(path, loaders.nodeSqlite()) : betterSqlite(path, loaders.betterSqlite3());
}

export type { Params };
