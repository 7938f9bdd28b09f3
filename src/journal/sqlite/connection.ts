import { createRequire } from 'node:module';
import Database from 'better-sqlite3';

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

function betterSqlite(path: string): SqlConnection {
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
  prepare(sql: string): { run(...p: unknown[]): { changes: number | bigint }; get(...p: unknown[]): unknown; all(...p: unknown[]): unknown[] };
  close(): void;
}

function nodeSqlite(path: string): SqlConnection {
  // Loaded only where chosen: Node 20 has no node:sqlite.
  const { DatabaseSync } = createRequire(import.meta.url)('node:sqlite') as { DatabaseSync: new (path: string) => NodeSqliteDatabase };
  const db = new DatabaseSync(path);
  const run = (sql: string) => db.exec(sql);
  return {
    driver: 'node:sqlite',
    get isOpen() {
      return db.isOpen;
    },
    exec: run,
    prepare: (sql) => db.prepare(sql),
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

export function chooseSqliteDriver(choice: SqliteDriverChoice = 'auto'): 'better-sqlite3' | 'node:sqlite' {
  if (choice !== 'auto') return choice;
  return Number(process.versions.node.split('.')[0]) >= 24 ? 'node:sqlite' : 'better-sqlite3';
}

export function openSqlite(path: string, choice: SqliteDriverChoice = 'auto'): SqlConnection {
  return chooseSqliteDriver(choice) === 'node:sqlite' ? nodeSqlite(path) : betterSqlite(path);
}

export type { Params };
