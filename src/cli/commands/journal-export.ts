import { createWriteStream } from 'node:fs';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ConfigError, loadConfig } from '../../config/load.js';
import { SqliteJournal } from '../../journal/sqlite/sqlite-journal.js';
import { PostgresJournal } from '../../journal/postgres/postgres-journal.js';
import type { Journal } from '../../payments/ports/journal.js';
import type { Config } from '../../config/schema.js';
import { LANGUAGES, type Language } from '../../i18n/language.js';
import { maskText } from '../../payments/masking.js';
import { PayBridgeError } from '../../payments/errors.js';
import { exportPeriod, journalCsv, transactionsOldestFirst, type ExportPeriod, type ExportScope } from '../../payments/journal-export.js';
import type { Transaction } from '../../payments/transaction.js';
import { CliExit, EXIT } from '../exit-codes.js';

export interface JournalExportOptions {
  date?: string;
  from?: string;
  to?: string;
  till?: string;
  shop?: string;
  format: string;
  out?: string;
  config?: string;
  /** The global --lang: the CSV's language (the configuration's `language` when absent). */
  lang?: string;
}

/** The JSON form, for scripts: the journal's own fields, amounts in tiyin, times ISO 8601 UTC. */
const JSON_FIELDS: [string, (t: Transaction) => string | number | null][] = [
  ['transaction_id', (t) => t.id],
  ['created_at', (t) => new Date(t.createdAt).toISOString()],
  ['updated_at', (t) => new Date(t.updatedAt).toISOString()],
  ['method', (t) => t.method],
  ['kind', (t) => t.kind],
  ['status', (t) => t.status],
  ['amount_tiyin', (t) => t.amount],
  ['refunded_tiyin', (t) => t.refundedAmount],
  ['provider_payment_id', (t) => t.providerPaymentId],
  ['qr_code_masked', (t) => t.qrCodeMasked],
  ['terminal', (t) => t.terminal],
  ['receipt_number', (t) => t.receiptNumber],
  ['shift_number', (t) => t.shiftNumber],
  ['auth_code', (t) => t.authCode],
  ['shop', (t) => t.shop],
  ['till', (t) => t.till],
  ['original_transaction_id', (t) => t.originalId],
  ['error_code', (t) => t.error?.code ?? null],
  ['error_data', (t) => t.error?.data ?? null],
];

async function* jsonExport(journal: Journal, scope: ExportScope, counted: { rows: number }): AsyncGenerator<string> {
  yield '[';
  for await (const window of transactionsOldestFirst(journal, scope)) {
    yield window.map((t) => `${counted.rows++ ? ',' : ''}\n${JSON.stringify(Object.fromEntries(JSON_FIELDS.map(([name, get]) => [name, get(t)])))}`).join('');
  }
  yield '\n]\n';
}

/**
 * `paybridge journal export`: the accountant's export of a run of shop days (`--date D`, or `--from D
 * --to D`, both included; today when neither is given), read straight from the journal named by the
 * configuration (a running PayBridge may keep writing: WAL readers do not block it). CSV for a
 * spreadsheet (src/payments/journal-export.ts), or JSON for scripts. Streamed: a window of time is
 * read, written and let go before the next.
 */
export async function journalExport(options: JournalExportOptions): Promise<number> {
  if (options.format !== 'csv' && options.format !== 'json') throw new CliExit(EXIT.USAGE, `--format: "${options.format}" is not csv or json`);
  if (options.lang !== undefined && !(LANGUAGES as readonly string[]).includes(options.lang)) throw new CliExit(EXIT.USAGE, `--lang: "${options.lang}" is not ru, uz or en`);
  let config: Config;
  try {
    config = loadConfig({ ...process.env, ...(options.config ? { PAYBRIDGE_CONFIG: options.config } : {}) }, undefined, { serving: false }).config;
  } catch (err) {
    if (err instanceof ConfigError) throw new CliExit(EXIT.CONFIG, maskText(err.message));
    throw err;
  }
  const timezone = config.shop.timezone;
  let period: ExportPeriod;
  try {
    period = exportPeriod(timezone, { date: options.date, from: options.from, to: options.to });
  } catch (err) {
    if (err instanceof PayBridgeError) throw new CliExit(EXIT.USAGE, `--${String((err.extras.problems as string[] | undefined)?.join('; --') ?? err.message)}`);
    throw err;
  }
  const journalConfig = config.journal;
  let journal: Journal;
  try {
    journal = journalConfig.engine === 'postgres' ? await PostgresJournal.open({ url: journalConfig.url! }) : new SqliteJournal({ path: journalConfig.path! });
  } catch (err) {
    throw new CliExit(EXIT.REFUSED, maskText((err as Error).message));
  }
  const scope: ExportScope = { from: period.from, to: period.to, till: options.till, shop: options.shop };
  const language = (options.lang ?? config.language) as Language;
  const counted = { rows: 0 };
  const source = options.format === 'csv' ? journalCsv(journal, scope, { language, timezone }, counted) : jsonExport(journal, scope, counted);
  // stdout is not ended: other output may follow, and Node flushes it on exit.
  const out: Writable = options.out ? createWriteStream(options.out) : new Writable({ write: (chunk, _enc, done) => void process.stdout.write(chunk, done) });
  try {
    await pipeline(Readable.from(source), out);
  } catch (err) {
    throw new CliExit(EXIT.REFUSED, maskText((err as Error).message));
  } finally {
    await journal.close();
  }
  const days = period.first === period.last ? period.first : `${period.first} … ${period.last}`;
  process.stderr.write(`${counted.rows} transactions of ${days} (${timezone})${options.till ? `, till ${options.till}` : ''} exported${options.out ? ` to ${options.out}` : ''}\n`);
  return EXIT.OK;
}
