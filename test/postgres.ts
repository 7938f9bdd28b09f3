import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import pg from 'pg';

/**
 * The PostgreSQL server the tests use: PAYBRIDGE_TEST_POSTGRES_URL, which `.ci/postgres.sh` starts
 * and prints (`eval "$(bash .ci/postgres.sh)"`). Without it the PostgreSQL tests are skipped with a
 * loud message, except in CI, where its absence fails them: a green CI must mean they ran.
 */
export const POSTGRES_URL: string | undefined = process.env.PAYBRIDGE_TEST_POSTGRES_URL || undefined;

const MISSING = 'PAYBRIDGE_TEST_POSTGRES_URL is not set: the PostgreSQL journal tests are SKIPPED. Run eval "$(bash .ci/postgres.sh)" first.';
let warned = false;

/**
 * `skip` option for a PostgreSQL describe/test: false when there is a server (or in CI, where the
 * test then fails on its own), else the reason, printed once to stderr where nobody can miss it.
 */
export function postgresSkip(): string | false {
  if (POSTGRES_URL || process.env.CI === 'true') return false;
  if (!warned) {
    warned = true;
    process.stderr.write(`\n${'!'.repeat(100)}\n!! ${MISSING}\n${'!'.repeat(100)}\n\n`);
  }
  return MISSING;
}

/**
 * describe() for a suite that may be skipped (the PostgreSQL ones without a server). node:test counts
 * a skipped describe among the suites and never under "skipped", so the summary would hide it; in its
 * place stands one skipped test of the same name and reason, which the summary's "skipped" counts.
 */
export function describeUnlessSkipped(name: string, skip: string | false, fn: () => void): void {
  if (skip) test(name, { skip }, () => {});
  else describe(name, fn);
}

/** The server's URL; throws (a failure, in CI) when there is none. */
export function postgresUrl(): string {
  if (!POSTGRES_URL) throw new Error(`${MISSING} (CI=true: this is a failure)`);
  return POSTGRES_URL;
}

const created: string[] = [];

/**
 * A database of the test's own on the test server, so runs (and the tests of one run) never see
 * each other's rows. Dropped by dropTestDatabases().
 */
export async function freshDatabase(): Promise<string> {
  const base = postgresUrl();
  const name = `paybridge_t_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  created.push(name);
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

/** One query on a database by URL (for assertions on what is really stored). */
export async function sql<R extends pg.QueryResultRow = Record<string, unknown>>(url: string, text: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text, params)).rows;
  } finally {
    await client.end();
  }
}

export async function dropTestDatabases(): Promise<void> {
  if (!POSTGRES_URL || created.length === 0) return;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  try {
    for (const name of created.splice(0)) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
