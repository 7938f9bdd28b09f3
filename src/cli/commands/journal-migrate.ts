import { ConfigError, loadConfig } from '../../config/load.js';
import { copySqliteToPostgres } from '../../journal/migrate.js';
import { maskText } from '../../payments/masking.js';
import { CliExit, EXIT } from '../exit-codes.js';

export interface JournalMigrateOptions {
  from: string;
  to: string;
  sqlite?: string;
  database?: string;
  shop?: string;
  till?: string;
  config?: string;
}

/**
 * `paybridge journal migrate --from sqlite --to postgres`: a till's journal into the chain's
 * central one. The SQLite file is the configuration's (or --sqlite), the database PAYBRIDGE_JOURNAL_URL's
 * (or --database, or journal.url). Safe to run again: what was copied is not copied twice.
 */
export async function journalMigrate(options: JournalMigrateOptions): Promise<number> {
  if (options.from !== 'sqlite' || options.to !== 'postgres') {
    throw new CliExit(EXIT.USAGE, `--from ${options.from} --to ${options.to}: only --from sqlite --to postgres is supported`);
  }
  let sqlitePath = options.sqlite;
  let url = options.database;
  let shop = options.shop;
  let till = options.till;
  let driver;
  try {
    // The URL may come from the environment; the SQLite file is then the one of data_dir/journal.path.
    const env = { ...process.env, ...(options.config ? { PAYBRIDGE_CONFIG: options.config } : {}) };
    const { config } = loadConfig({ ...env, PAYBRIDGE_JOURNAL_URL: '' }, undefined, { serving: false });
    sqlitePath ??= config.journal.path!;
    driver = config.journal.sqlite_driver;
    url ??= process.env.PAYBRIDGE_JOURNAL_URL || config.journal.url;
    shop ??= config.instance.shop;
    till ??= config.instance.till;
  } catch (err) {
    if (err instanceof ConfigError) throw new CliExit(EXIT.CONFIG, maskText(err.message));
    throw err;
  }
  if (!url) throw new CliExit(EXIT.USAGE, '--database: the PostgreSQL journal to copy into (or PAYBRIDGE_JOURNAL_URL, or journal.url in the configuration)');
  if (!/^postgres(ql)?:\/\//.test(url)) throw new CliExit(EXIT.USAGE, '--database: must be a postgres:// URL');
  const progress = process.stderr.isTTY ? (done: number, total: number) => process.stderr.write(`\r${done}/${total} transactions`) : undefined;
  let report;
  try {
    report = await copySqliteToPostgres({ sqlitePath, sqliteDriver: driver, url, shop, till, ...(progress ? { progress } : {}) });
  } catch (err) {
    throw new CliExit(EXIT.REFUSED, maskText((err as Error).message));
  }
  if (progress) process.stderr.write('\n');
  const t = report.transactions;
  process.stdout.write(
    `${sqlitePath} -> ${report.target}: ${t.total} transactions (${t.inserted} new, ${t.updated} updated, ${t.total - t.inserted - t.updated} already there), ` +
      `${report.events} events, ${report.handoffs} fiscal hand-offs, ${report.shiftCloses} shift closes, ${report.idempotencyKeys} idempotency keys, ${report.conflicts} conflicts copied\n`,
  );
  return EXIT.OK;
}
