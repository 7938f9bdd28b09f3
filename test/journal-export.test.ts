import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it, test } from 'node:test';
import fc from 'fast-check';
import * as XLSX from '@e965/xlsx';
import { SqliteJournal } from '../src/journal/sqlite/sqlite-journal.js';
import type { PayBridgeError } from '../src/payments/errors.js';
import { loadConfig } from '../src/config/load.js';
import { csvCell, exportPeriod, journalCsv, soumFigure, transactionsOldestFirst } from '../src/payments/journal-export.js';
import type { Journal, JournalOrigin, TransactionFilter } from '../src/payments/ports/journal.js';
import { PostgresJournal } from '../src/journal/postgres/postgres-journal.js';
import { describeUnlessSkipped, dropTestDatabases, freshDatabase, postgresSkip } from './postgres.js';
import type { Transaction } from '../src/payments/transaction.js';
import { EXPORT_COLUMN_KEYS } from '../src/i18n/journal-export.js';
import { startTestBridge, tempDir, transitionAsHolder, type TestBridge } from './helpers.js';

/*
 * What these tests prove, and what they do not.
 *
 * The CSV is read back by SheetJS, whose CSV reader follows what a spreadsheet does when it opens a
 * file (not what a CSV library does when told the format): it decodes UTF-8 only when the file starts
 * with the byte-order mark (otherwise the bytes are taken for a single-byte code page, as Excel does),
 * it finds the separator by itself, it honours quoting across separators, quotes and line breaks, it
 * takes a cell starting with = for a formula, and it turns figures, dates and times into numbers. So a
 * table of the right shape, Cyrillic intact, no formula anywhere, digits-only ids kept as text, dates
 * and times as date values, is what it sees here.
 *
 * SheetJS reads numbers the en-US way only: "1234,56" is to it 123456 (the comma taken for grouping).
 * Whether Excel with a Russian locale reads "1234,56" as the number 1234.56 is therefore checked on
 * the text of the cell against the ru-RU number grammar (digits, one decimal comma, two decimals, a
 * leading minus; no grouping space, which would make Excel read text), not by a spreadsheet's own
 * arithmetic. That, Excel's choice of the semicolon from the Windows list separator (rather than by
 * guessing), and its evaluation of ="001234" as the text 001234 only Excel itself, on a Russian-locale
 * Windows, proves.
 */

/** An instant given on the shop's clock (Asia/Tashkent, UTC+5 all year, the default shop.timezone). */
const tashkent = (date: string, time: string) => Date.parse(`${date}T${time}+05:00`);

const CLI = new URL('../src/cli/main.ts', import.meta.url).pathname;
function paybridge(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', CLI, ...args], { env: { ...process.env, ...env }, timeout: 60_000, encoding: 'utf8' }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

type Sheet = XLSX.WorkSheet;
/** Opens bytes as a spreadsheet opens a .csv file: no separator, encoding or types told. */
function openAsSpreadsheet(bytes: Buffer): Sheet {
  const book = XLSX.read(bytes, { type: 'buffer', cellDates: true });
  return book.Sheets[book.SheetNames[0]!]!;
}
function cellsOf(sheet: Sheet): XLSX.CellObject[][] {
  const range = XLSX.utils.decode_range(sheet['!ref']!);
  const rows: XLSX.CellObject[][] = [];
  for (let r = range.s.r; r <= range.e.r; r++) {
    const row: XLSX.CellObject[] = [];
    for (let c = range.s.c; c <= range.e.c; c++) row.push(sheet[XLSX.utils.encode_cell({ r, c })] ?? { t: 'z' });
    rows.push(row);
  }
  return rows;
}
const col = (key: (typeof EXPORT_COLUMN_KEYS)[number]) => EXPORT_COLUMN_KEYS.indexOf(key);
/** The cell as text as it was in the file (what Excel shows before any number format). */
const shown = (cell: XLSX.CellObject) => (cell.t === 'z' ? '' : cell.t === 's' ? String(cell.v) : String(cell.w));
/** A ru-RU figure read as Excel with a Russian locale reads a number, to tiyin (exactly: on the text). */
function ruTiyin(figure: string): number {
  const m = /^(-?)(\d+),(\d{2})$/.exec(figure);
  assert.ok(m, `"${figure}" is not a figure a Russian-locale spreadsheet reads as a number`);
  return Number(`${m[1]}${m[2]}${m[3]}`);
}

test('soum figures are the tiyin exactly, whatever the amount (no float on the way)', () => {
  fc.assert(
    fc.property(fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), (tiyin) => {
      const ru = soumFigure(tiyin, 'ru');
      assert.match(ru, /^-?\d+,\d{2}$/);
      assert.equal(BigInt(ru.replace(',', '')), BigInt(tiyin));
      assert.equal(soumFigure(tiyin, 'en'), ru.replace(',', '.'));
    }),
  );
  assert.equal(soumFigure(9_007_199_254_740_991, 'ru'), '90071992547409,91', 'beyond what a double divides by 100 exactly');
  assert.equal(soumFigure(5, 'uz'), '0,05');
  assert.equal(soumFigure(-123456, 'ru'), '-1234,56');
  assert.throws(() => soumFigure(1.5, 'ru'), RangeError);
});

test('cells: quoting of separators, quotes and line breaks; formulas neutralised; digit ids kept as text', () => {
  assert.equal(csvCell({ text: 'a;b' }, ';'), '"a;b"');
  assert.equal(csvCell({ text: 'a,b' }, ';'), 'a,b');
  assert.equal(csvCell({ text: 'a,b' }, ','), '"a,b"');
  assert.equal(csvCell({ text: 'say "hi"\r\nbye' }, ';'), '"say ""hi""\r\nbye"');
  for (const lead of ['=', '+', '-', '@', '\t', '\r']) assert.ok(csvCell({ text: `${lead}1+1` }, ';').replace(/^"/, '').startsWith("'"), JSON.stringify(lead));
  assert.equal(csvCell({ number: '-12,50' }, ';'), '-12,50', 'a figure made here keeps its minus');
  assert.throws(() => csvCell({ number: '=1' }, ';'), RangeError);
  assert.equal(csvCell({ id: '001234' }, ';'), '"=""001234"""');
  assert.equal(csvCell({ id: '=1+1' }, ';'), "'=1+1", 'an id that is not digits is text like any other');
  assert.equal(csvCell(null, ';'), '');
});

/** A journal of these rows as the engines list them: newest first, a page at a time; every read recorded. */
function listedJournal(rows: Transaction[]): Pick<Journal, 'list'> & { asked: TransactionFilter[] } {
  const asked: TransactionFilter[] = [];
  return {
    asked,
    async list(filter) {
      asked.push(filter);
      const inside = rows.filter((t) => t.createdAt >= filter.from! && t.createdAt < filter.to!).reverse();
      const start = filter.cursor ? inside.findIndex((t) => t.id === filter.cursor) + 1 : 0;
      const items = inside.slice(start, start + filter.limit);
      return { items, nextCursor: start + filter.limit < inside.length ? items.at(-1)!.id : null };
    },
  };
}

test('the export reads the journal a window at a time, oldest first, holding about a page of rows whatever the period', async () => {
  const from = tashkent('2026-11-01', '00:00:00');
  const to = tashkent('2026-12-01', '00:00:00');
  const rows: Transaction[] = [];
  const add = (at: number) => rows.push({ id: `${at}-${rows.length}`, createdAt: at } as Transaction);
  for (let at = from + 1_000; at < to; at += 7 * 60_000) add(at);
  // A rush: 1,800 payments in half an hour on the 15th, and 700 written in one second.
  const rush = tashkent('2026-11-15', '18:00:00');
  for (let i = 0; i < 1_800; i++) add(rush + i * 1_000);
  for (let i = 0; i < 700; i++) add(tashkent('2026-11-20', '12:00:00') + 500);
  rows.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  const journal = listedJournal(rows);
  const seen: string[] = [];
  const sizes: number[] = [];
  for await (const window of transactionsOldestFirst(journal, { from, to, till: '3' })) {
    sizes.push(window.length);
    seen.push(...window.map((t) => t.id));
  }
  assert.deepEqual(seen, rows.map((t) => t.id), 'every row once, oldest first');
  assert.ok(journal.asked.every((f) => f.till === '3' && f.to! - f.from! <= 32 * 86_400_000), 'of the till asked');
  assert.deepEqual(sizes.filter((n) => n > 500), [700], `a page of rows at most, but for one second's (${Math.max(...sizes)})`);
  assert.ok(journal.asked.length < 300, `${journal.asked.length} reads for a month`);

  const empty = listedJournal([]);
  for await (const window of transactionsOldestFirst(empty, { from: Date.UTC(2020, 0, 1), to: Date.UTC(2027, 0, 1) })) assert.fail(`rows from nowhere: ${window.length}`);
  assert.ok(empty.asked.length < 120, `${empty.asked.length} reads for seven empty years`);
});

/** A till's journal with a day boundary, a give-back, a failure, an unknown, and text that tries to be a formula. */
async function journalOfTwoTills(dataDir: string) {
  const path = loadConfig({ PAYBRIDGE_DATA_DIR: dataDir }, dataDir, { serving: false }).config.journal.path!;
  return twoTills(async (origin) => new SqliteJournal({ path, origin }));
}

/** The same scene in any engine: two tills writing one journal; the ids (fixed when given) of what they wrote. */
async function twoTills(open: (origin: JournalOrigin) => Promise<Journal>, ids = { lateCard: randomUUID(), earlyClick: randomUUID(), refund: randomUUID(), failed: randomUUID(), unknown: randomUUID(), nextDay: randomUUID() }) {
  const shop = 'Chilonzor; "Markaz"';
  const till1 = await open({ instance: 'a', shop, till: '1', inFlightLeaseMs: 60_000 });
  const till2 = await open({ instance: 'b', shop, till: '2', inFlightLeaseMs: 60_000 });
  // 23:59 on the 30th and 00:01 on the 1st, shop time: 18:59 and 19:01 UTC of the same UTC day.
  await till1.insert({ id: ids.lateCard, method: 'uzcard', amount: 123456, qrCodeMasked: null, qrCodeHash: null, createdAt: tashkent('2026-11-30', '23:59:00'), terminal: 'pax-1' }, { step: 'received' });
  await transitionAsHolder(till1, ids.lateCard, 'pending', 'succeeded', { providerPaymentId: '012345678901', authCode: '001234', receiptNumber: 7, shiftNumber: 3 }, { step: 'approved' });
  await till2.insert({ id: ids.earlyClick, method: 'click', amount: 5, qrCodeMasked: '8801****3392', qrCodeHash: null, createdAt: tashkent('2026-12-01', '00:01:00') }, { step: 'received' });
  await transitionAsHolder(till2, ids.earlyClick, 'pending', 'succeeded', { providerPaymentId: '2189823472' }, { step: 'paid' });
  await till1.insert(
    { id: ids.refund, method: 'uzcard', amount: 23456, qrCodeMasked: null, qrCodeHash: null, createdAt: tashkent('2026-12-01', '10:00:00'), kind: 'refund', originalId: ids.lateCard, terminal: 'pax-1' },
    { step: 'received' },
  );
  await transitionAsHolder(till1, ids.refund, 'pending', 'succeeded', { providerPaymentId: '012345678999' }, { step: 'approved' });
  await till2.insert({ id: ids.failed, method: 'payme', amount: 990000, qrCodeMasked: '****', qrCodeHash: null, createdAt: tashkent('2026-12-01', '12:00:00') }, { step: 'received' });
  await transitionAsHolder(till2, ids.failed, 'pending', 'failed', { error: { code: 104, message: 'BILLING_ERROR', data: '-1; "declined"\r\nsecond line' } }, { step: 'declined' });
  await till1.insert({ id: ids.unknown, method: 'humo', amount: 70000, qrCodeMasked: null, qrCodeHash: null, createdAt: tashkent('2026-12-01', '23:59:59'), terminal: 'humo-1' }, { step: 'received' });
  await transitionAsHolder(till1, ids.unknown, 'pending', 'unknown', { error: { code: 108, message: '=HYPERLINK("http://evil.example","click")', data: null } }, { step: 'lost' });
  // The next shop day's first instant: in no export of the 1st.
  await till2.insert({ id: ids.nextDay, method: 'click', amount: 100, qrCodeMasked: null, qrCodeHash: null, createdAt: tashkent('2026-12-02', '00:00:00') }, { step: 'received' });
  await till1.close();
  await till2.close();
  return ids;
}

describe('paybridge journal export: the file an accountant opens', () => {
  let dir: string;
  let env: Record<string, string>;
  let ids: Awaited<ReturnType<typeof journalOfTwoTills>>;
  before(async () => {
    dir = tempDir();
    env = { PAYBRIDGE_DATA_DIR: dir, PAYBRIDGE_CONFIG: '', LANG: 'C' };
    ids = await journalOfTwoTills(dir);
  });

  const exported = async (args: string[]) => {
    const out = join(dir, `${randomUUID()}.csv`);
    const run = await paybridge(['journal', 'export', ...args, '--out', out], env);
    assert.equal(run.code, 0, run.stderr);
    return { bytes: readFileSync(out), stderr: run.stderr };
  };

  it('opens in a spreadsheet as a table of the shop days asked, in the shop’s language, soum and clock', async () => {
    const { bytes, stderr } = await exported(['--from', '2026-11-30', '--to', '2026-12-01']);
    assert.match(stderr, /^5 transactions of 2026-11-30 … 2026-12-01 \(Asia\/Tashkent\) exported/m);
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 with a byte-order mark');
    const text = bytes.toString('utf8');
    assert.ok(text.endsWith('\r\n') && !/[^\r]\n/.test(text.replace(/"[^"]*"/g, '')), 'every row ends with CRLF');

    const rows = cellsOf(openAsSpreadsheet(bytes));
    assert.equal(rows.length, 6, 'the headings and one row per transaction');
    assert.ok(rows.every((r) => r.length === EXPORT_COLUMN_KEYS.length), 'every row splits into the same columns: quoting held');
    assert.deepEqual(rows[0]!.slice(0, 6).map(shown), ['Дата', 'Время (Asia/Tashkent)', 'Операция', 'Статус', 'Способ', 'Сумма, сум'], 'Russian headings, read as UTF-8 thanks to the BOM');
    assert.ok(rows.flat().every((c) => c.f === undefined), 'no cell is a formula');

    const [late, early, refund, failed, unknown] = rows.slice(1);
    // The shop's clock: 23:59 and 00:01 Tashkent, read by the spreadsheet as a date and a time.
    assert.equal(late![col('date')]!.t, 'd');
    assert.equal((late![col('date')]!.v as Date).toISOString(), '2026-11-30T00:00:00.000Z');
    assert.equal(shown(late![col('time')]!), '23:59:00');
    assert.equal(shown(early![col('date')]!), '2026-12-01');
    assert.equal(shown(early![col('time')]!), '00:01:00');

    // Amounts in soum, figures a Russian-locale spreadsheet takes for numbers; give-backs negative.
    assert.equal(late![col('amount')]!.t, 'n', 'a number, not text');
    assert.equal(ruTiyin(shown(late![col('amount')]!)), 123456);
    assert.equal(ruTiyin(shown(late![col('given_back')]!)), 23456);
    assert.equal(ruTiyin(shown(early![col('amount')]!)), 5);
    assert.equal(ruTiyin(shown(refund![col('amount')]!)), -23456);

    // The give-back is its own row, linked to its payment.
    assert.equal(shown(refund![col('operation')]!), 'Возврат');
    assert.equal(shown(refund![col('transaction')]!), ids.refund);
    assert.equal(shown(refund![col('payment')]!), ids.lateCard, 'the payment’s id in the Payment column');
    assert.equal(shown(late![col('payment')]!), ids.lateCard, 'a payment is its own');
    assert.equal(shown(late![col('operation')]!), 'Платёж');
    assert.equal(shown(late![col('status')]!), 'Успешен');

    // Ids of digits stay text with their leading zeros; the QR wallet's id in its own column.
    assert.equal(late![col('rrn')]!.t, 's');
    assert.equal(late![col('rrn')]!.v, '012345678901');
    assert.equal(late![col('auth_code')]!.v, '001234');
    assert.equal(early![col('provider_id')]!.v, '2189823472');
    assert.equal(shown(early![col('rrn')]!), '');
    assert.equal(shown(late![col('till')]!), '1');
    assert.equal(shown(early![col('till')]!), '2');
    assert.equal(shown(late![col('shop')]!), 'Chilonzor; "Markaz"', 'a separator and quotes inside a cell');

    // A failure reads first as the till was told it, in the sheet's language; a line break stays inside its cell.
    assert.equal(failed![col('error')]!.v, 'Платёжная система не приняла платёж; деньги не списаны. — BILLING_ERROR — -1; "declined"\r\nsecond line');
    // What tried to be a formula is shown as text.
    assert.equal(unknown![col('error')]!.v, `'=HYPERLINK("http://evil.example","click")`);
    assert.equal(failed![col('error_code')]!.v, 104);
    // Money that moved: the column sums to what the shop kept; failed 0, unknown left empty.
    assert.equal(ruTiyin(shown(failed![col('settled')]!)), 0);
    assert.equal(shown(unknown![col('settled')]!), '');
    assert.equal(shown(unknown![col('status')]!), 'Неизвестен');
    const settled = rows.slice(1).map((r) => shown(r[col('settled')]!)).filter(Boolean).map(ruTiyin);
    assert.equal(settled.reduce((a, b) => a + b, 0), 123456 + 5 - 23456);
  });

  it('the BOM and the neutralising apostrophe are what the reader relies on (controls)', async () => {
    const { bytes } = await exported(['--date', '2026-12-01']);
    const headingWithoutBom = shown(cellsOf(openAsSpreadsheet(bytes.subarray(3)))[0]![0]!);
    assert.notEqual(headingWithoutBom, 'Дата', 'without the BOM the Cyrillic is garbled, as in Excel');
    const raw = openAsSpreadsheet(Buffer.from('\uFEFFa;b\r\n=HYPERLINK("http://evil.example","click");1\r\n'));
    assert.ok(cellsOf(raw)[1]![0]!.f, 'the same text not neutralised would be a formula');
  });

  it('a shop day is midnight to midnight on the shop’s clock: 23:59 and 00:01 fall in different files', async () => {
    const onThe30th = cellsOf(openAsSpreadsheet((await exported(['--date', '2026-11-30'])).bytes)).slice(1);
    assert.deepEqual(onThe30th.map((r) => shown(r[col('transaction')]!)), [ids.lateCard]);
    const onThe1st = cellsOf(openAsSpreadsheet((await exported(['--date', '2026-12-01'])).bytes)).slice(1);
    assert.deepEqual(
      onThe1st.map((r) => shown(r[col('transaction')]!)),
      [ids.earlyClick, ids.refund, ids.failed, ids.unknown],
      '00:01 to 23:59:59 of the 1st, oldest first; the 2nd’s 00:00:00 not included',
    );
  });

  it('--till: one till’s rows only', async () => {
    const rows = cellsOf(openAsSpreadsheet((await exported(['--date', '2026-12-01', '--till', '2'])).bytes)).slice(1);
    assert.deepEqual(rows.map((r) => shown(r[col('transaction')]!)), [ids.earlyClick, ids.failed]);
  });

  it('--lang uz and en: headings and words in that language; en writes commas between cells and decimal points', async () => {
    const uz = cellsOf(openAsSpreadsheet((await exported(['--lang', 'uz', '--date', '2026-11-30'])).bytes));
    assert.deepEqual(uz[0]!.slice(0, 6).map(shown), ['Sana', 'Vaqt (Asia/Tashkent)', 'Amal', 'Holat', 'Usul', 'Summa, soʻm']);
    assert.equal(shown(uz[1]![col('operation')]!), 'Toʻlov');
    assert.equal(ruTiyin(shown(uz[1]![col('amount')]!)), 123456);

    const { bytes } = await exported(['--lang', 'en', '--date', '2026-12-01']);
    assert.match(bytes.toString('utf8'), /^\uFEFFDate,Time \(Asia\/Tashkent\),Operation,Status,Method,"Amount, soum",/);
    const en = cellsOf(openAsSpreadsheet(bytes));
    assert.ok(en.every((r) => r.length === EXPORT_COLUMN_KEYS.length));
    assert.equal(shown(en[2]![col('operation')]!), 'Refund');
    assert.equal(en[2]![col('amount')]!.v, -234.56, 'an English-locale reader takes the figure for the number it is');
    assert.equal(shown(en[1]![col('status')]!), 'Succeeded');
  });

  it('the configuration’s language is the default', async () => {
    const config = join(dir, 'uz.yaml');
    writeFileSync(config, `language: uz\ndata_dir: ${JSON.stringify(dir)}\n`);
    const out = join(dir, 'uz.csv');
    const run = await paybridge(['journal', 'export', '--date', '2026-11-30', '--config', config, '--out', out], { ...env, PAYBRIDGE_DATA_DIR: '' });
    assert.equal(run.code, 0, run.stderr);
    assert.match(readFileSync(out, 'utf8'), /^\uFEFFSana;/);
  });

  it('writes to stdout without --out', async () => {
    const run = await paybridge(['journal', 'export', '--date', '2026-11-30'], env);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^\uFEFFДата;/);
    assert.equal(run.stdout.split('\r\n').length, 3, 'headings, one row, and the final CRLF');
  });

  it('bad dates and options exit 2 with the problem named; nothing is written', async () => {
    for (const [args, problem] of [
      [['--date', '2026-02-30'], /--date: 2026-02-30 is not a calendar date/],
      [['--date', '30.11.2026'], /--date: "30\.11\.2026" is not a date/],
      [['--from', '2026-12-02', '--to', '2026-12-01'], /--to: 2026-12-01 is before from \(2026-12-02\)/],
      [['--to', '2026-12-01'], /--from: is required with to/],
      [['--lang', 'de', '--date', '2026-12-01'], /--lang/],
    ] as const) {
      const run = await paybridge(['journal', 'export', ...args], env);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, problem);
      assert.equal(run.stdout, '', args.join(' '));
    }
  });
});

test('the period: shop days named, both ends included, today by default; everything else refused', () => {
  const now = tashkent('2026-12-06', '00:30:00'); // 19:30 UTC on the 5th
  assert.deepEqual(exportPeriod('Asia/Tashkent', {}, now), { first: '2026-12-06', last: '2026-12-06', from: tashkent('2026-12-06', '00:00:00'), to: tashkent('2026-12-07', '00:00:00') });
  assert.deepEqual(exportPeriod('Asia/Tashkent', { date: 'yesterday' }, now).first, '2026-12-05');
  assert.deepEqual(exportPeriod('Asia/Tashkent', { from: '2026-11-01', to: '2026-11-30' }, now), {
    first: '2026-11-01',
    last: '2026-11-30',
    from: tashkent('2026-11-01', '00:00:00'),
    to: tashkent('2026-12-01', '00:00:00'),
  });
  assert.equal(exportPeriod('Asia/Tashkent', { from: '2026-12-01' }, now).last, '2026-12-06', 'through today');
  // A day of 23 hours where the clocks go forward.
  const berlin = exportPeriod('Europe/Berlin', { date: '2026-03-29' }, now);
  assert.equal(berlin.to - berlin.from, 23 * 3_600_000);
  for (const [ask, problem] of [
    [{ date: '2026-02-30' }, /date: 2026-02-30 is not a calendar date/],
    [{ date: '2026-12-01', from: '2026-12-01' }, /date: give either date or from\/to/],
    [{ from: 'tomorrow' }, /from: "tomorrow" is not a date/],
    [{ from: '2999-01-01' }, /from: 2999-01-01 is after today \(2026-12-06\)/],
    [{ from: 'yesterday', to: '2026-13-01' }, /to: 2026-13-01 is not a calendar date/],
  ] as const) {
    assert.throws(() => exportPeriod('Asia/Tashkent', ask, now), (err: PayBridgeError) => err.code === 7 && problem.test(String((err.extras.problems as string[]).join('; '))), JSON.stringify(ask));
  }
});

describe('GET /payment/export: the same file for the console', () => {
  let bridge: TestBridge;
  const token = 'export-token-0123456789abcdef';
  const ids = { late: randomUUID(), early: randomUUID(), refund: randomUUID() };
  before(async () => {
    bridge = await startTestBridge((c) => {
      c.server.api_token = token;
      c.language = 'ru';
    });
    const j = bridge.journal;
    await j.insert({ id: ids.late, method: 'humo', amount: 4_567_891_700, qrCodeMasked: null, qrCodeHash: null, createdAt: tashkent('2026-11-30', '23:59:00'), terminal: 'humo-1' }, { step: 'received' });
    await transitionAsHolder(j, ids.late, 'pending', 'succeeded', { providerPaymentId: '000000000042', receiptNumber: 12 }, { step: 'approved' });
    await j.insert({ id: ids.early, method: 'click', amount: 117_100, qrCodeMasked: null, qrCodeHash: null, createdAt: tashkent('2026-12-01', '00:01:00') }, { step: 'received' });
    await transitionAsHolder(j, ids.early, 'pending', 'succeeded', {}, { step: 'paid' });
    await j.insert({ id: ids.refund, method: 'click', amount: 117_100, qrCodeMasked: null, qrCodeHash: null, createdAt: tashkent('2026-12-01', '00:05:00'), kind: 'cancel', originalId: ids.early }, { step: 'received' });
    await transitionAsHolder(j, ids.refund, 'pending', 'succeeded', {}, { step: 'cancelled' });
  });
  after(() => bridge.close());

  const ask = (url: string, headers: Record<string, string> = { authorization: `Bearer ${token}` }) => bridge.server.inject({ method: 'GET', url, headers });

  it('answers a CSV attachment a spreadsheet opens, the give-back linked to its payment', async () => {
    const res = await ask('/payment/export?from=2026-11-30&to=2026-12-01');
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'text/csv; charset=utf-8');
    assert.equal(res.headers['content-disposition'], 'attachment; filename="paybridge-2026-11-30_2026-12-01.csv"');
    assert.equal(res.headers['cache-control'], 'no-store');
    const rows = cellsOf(openAsSpreadsheet(res.rawPayload));
    assert.equal(shown(rows[0]![0]!), 'Дата');
    assert.deepEqual(rows.slice(1).map((r) => shown(r[col('transaction')]!)), [ids.late, ids.early, ids.refund]);
    assert.equal(ruTiyin(shown(rows[1]![col('amount')]!)), 4_567_891_700, '45 678 917,00 soum, exactly');
    assert.equal(rows[1]![col('rrn')]!.v, '000000000042');
    assert.equal(shown(rows[3]![col('operation')]!), 'Отмена');
    assert.equal(shown(rows[3]![col('payment')]!), ids.early);
    assert.equal(ruTiyin(shown(rows[3]![col('amount')]!)), -117_100);
  });

  it('one day, lang and till; a day’s file named by its date', async () => {
    const res = await ask('/payment/export?date=2026-12-01&lang=en&till=7');
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-disposition'], 'attachment; filename="paybridge-2026-12-01-till-7.csv"');
    assert.match(res.body, /^\uFEFFDate,Time \(Asia\/Tashkent\),/);
    assert.equal(res.body.split('\r\n').length, 2, 'headings only: till 7 took nothing');
    const uz = await ask('/payment/export?date=2026-12-01', { authorization: `Bearer ${token}`, 'accept-language': 'uz' });
    assert.match(uz.body, /^\uFEFFSana;/, 'the request’s language when lang is absent');
  });

  it('needs the API token like every other read', async () => {
    const res = await ask('/payment/export?date=2026-12-01', {});
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().error.code, 110);
    assert.doesNotMatch(res.body, /Дата/);
  });

  it('bad input: the code-7 envelope, naming the field', async () => {
    for (const [query, field] of [
      ['from=2026-02-30&to=2026-03-01', /from: 2026-02-30 is not a calendar date/],
      ['from=30.11.2026', /from: must be a date, YYYY-MM-DD/],
      ['from=2026-12-02&to=2026-12-01', /to: 2026-12-01 is before from/],
      ['to=2026-12-01', /from: is required/],
      ['', /from: is required/],
      ['date=2026-12-01&from=2026-12-01', /date: give either date or from\/to/],
      ['date=2026-12-01&lang=de', /lang: must be ru, uz or en/],
      ['date=2026-12-01&format=xlsx', /format: is not a known parameter/],
    ] as const) {
      const res = await ask(`/payment/export?${query}`);
      assert.equal(res.statusCode, 200, query);
      assert.match(String(res.headers['content-type']), /application\/json/, query);
      const body = res.json() as { is_success: boolean; error: { code: number; problems: string[] } };
      assert.equal(body.is_success, false, query);
      assert.equal(body.error.code, 7, query);
      assert.match(body.error.problems.join('\n'), field, query);
    }
  });
});

describeUnlessSkipped('the export from a chain’s PostgreSQL journal', postgresSkip(), () => {
  after(() => dropTestDatabases());

  it('is the same file, byte for byte, as from SQLite', async () => {
    const url = await freshDatabase();
    const opened: Journal[] = [];
    const ids = await twoTills(async (origin) => {
      const j = await PostgresJournal.open({ url, origin });
      opened.push(j);
      return j;
    });
    const reader = await PostgresJournal.open({ url });
    const dir = tempDir();
    const path = join(dir, 'journal.sqlite');
    await twoTills(async (origin) => new SqliteJournal({ path, origin }), ids);
    const sqlite = new SqliteJournal({ path });
    const csv = async (journal: Journal, till?: string) => {
      let text = '';
      for await (const chunk of journalCsv(journal, { from: tashkent('2026-11-30', '00:00:00'), to: tashkent('2026-12-02', '00:00:00'), till }, { language: 'ru', timezone: 'Asia/Tashkent' })) text += chunk;
      return text;
    };
    try {
      const fromPostgres = await csv(reader);
      assert.equal(fromPostgres, await csv(sqlite));
      assert.equal(cellsOf(openAsSpreadsheet(Buffer.from(fromPostgres))).length, 6);
      assert.equal(await csv(reader, '2'), await csv(sqlite, '2'));
      assert.doesNotMatch(fromPostgres, new RegExp(ids.nextDay));
    } finally {
      await Promise.all([reader.close(), sqlite.close(), ...opened.map((j) => j.close().catch(() => undefined))]);
    }
  });
});
