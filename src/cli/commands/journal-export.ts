import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { ConfigError, loadConfig } from '../../config/load.js';
import { SqliteJournal } from '../../journal/sqlite/sqlite-journal.js';
import { PostgresJournal } from '../../journal/postgres/postgres-journal.js';
import type { Journal } from '../../payments/ports/journal.js';
import type { Config } from '../../config/schema.js';
import { maskText } from '../../payments/masking.js';
import type { Transaction } from '../../payments/transaction.js';
import { CliExit, EXIT } from '../exit-codes.js';
import { csvField } from '../../lib/csv.js';

/** The columns of an export: amounts in tiyin, times in ISO 8601 UTC, QR codes only as the journal keeps them (masked). */
const COLUMNS: [string, (t: Transaction) => string | number | null][] = [
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
  ['original_transaction_id', (t) => t.originalId],
  ['error_code', (t) => t.error?.code ?? null],
  ['error_data', (t) => t.error?.data ?? null],
];


function toEpochMs(option: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isSafeInteger(ms)) throw new CliExit(EXIT.USAGE, `${option}: "${value}" is not a date (YYYY-MM-DD or ISO 8601)`);
  return ms;
}

/**
 * `paybridge journal export`: the journal's transactions created in [from, to), read straight from
 * the journal named by the configuration (a running PayBridge may keep writing: WAL readers do
 * not block it). CSV with a header row, or JSON: one array of objects with the same fields.
 */
export async function journalExport(options: { from?: string; to?: string; format: string; out?: string; config?: string }): Promise<number> {
  if (options.format !== 'csv' && options.format !== 'json') throw new CliExit(EXIT.USAGE, `--format: "${options.format}" is not csv or json`);
  const from = toEpochMs('--from', options.from);
  const to = toEpochMs('--to', options.to);
  let journalConfig: Config['journal'];
  try {
    journalConfig = loadConfig({ ...process.env, ...(options.config ? { PAYBRIDGE_CONFIG: options.config } : {}) }, undefined, { serving: false }).config.journal;
  } catch (err) {
    if (err instanceof ConfigError) throw new CliExit(EXIT.CONFIG, maskText(err.message));
    throw err;
  }
  let journal: Journal;
  try {
    journal = journalConfig.engine === 'postgres' ? await PostgresJournal.open({ url: journalConfig.url! }) : new SqliteJournal({ path: journalConfig.path! });
  } catch (err) {
    throw new CliExit(EXIT.REFUSED, maskText((err as Error).message));
  }
  const out: Writable = options.out ? createWriteStream(options.out) : process.stdout;
  const write = (text: string) => new Promise<void>((resolve, reject) => (out.write(text, (err) => (err ? reject(err) : resolve()))));
  let count = 0;
  try {
    await write(options.format === 'csv' ? `${COLUMNS.map(([name]) => name).join(',')}\r\n` : '[');
    let cursor: string | undefined;
    do {
      const page = await journal.list({ from, to, limit: 500, cursor });
      for (const t of page.items) {
        if (options.format === 'csv') await write(`${COLUMNS.map(([, get]) => csvField(get(t))).join(',')}\r\n`);
        else await write(`${count ? ',' : ''}\n${JSON.stringify(Object.fromEntries(COLUMNS.map(([name, get]) => [name, get(t)])))}`);
        count++;
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    if (options.format === 'json') await write('\n]\n');
  } finally {
    await journal.close();
    if (options.out) await new Promise((resolve) => out.end(resolve));
  }
  process.stderr.write(`${count} transactions exported${options.out ? ` to ${options.out}` : ''}\n`);
  return EXIT.OK;
}
