import type { Language } from '../i18n/language.js';
import { failureReason } from '../i18n/failure-reason.js';
import { exportHeadings, operationLabel } from '../i18n/journal-export.js';
import { statusText, translate } from '../i18n/text.js';
import { csvField, csvQuoted } from '../lib/csv.js';
import { formatShopDateTime, isCalendarDate, previousShopDate, shopDate, shopDay } from '../lib/shop-time.js';
import { invalidRequest } from './errors.js';
import type { Journal, TransactionFilter } from './ports/journal.js';
import { isQrMethod, METHOD_NAMES, type Transaction } from './transaction.js';

/**
 * The accountant's export: the journal's payments and give-backs of a run of shop days, one row each,
 * oldest first, as a CSV a spreadsheet in the shop's locale opens as a table (docs/cli.md, "journal
 * export"). Read through the journal's port a window of time at a time, so a month of a busy shop is
 * never held in memory at once.
 */

/** Whole shop days, first to last inclusive, and the instants [from, to) they cover. */
export interface ExportPeriod {
  first: string;
  last: string;
  from: number;
  to: number;
}

/** A day as a person names it: YYYY-MM-DD, `today` or `yesterday` (of the shop's calendar). */
function dayNamed(field: string, value: string, timezone: string, now: number): string {
  const today = shopDate(timezone, now);
  if (value === 'today') return today;
  if (value === 'yesterday') return previousShopDate(timezone, today);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw invalidRequest([`${field}: "${value}" is not a date (YYYY-MM-DD, today or yesterday)`]);
  if (!isCalendarDate(value)) throw invalidRequest([`${field}: ${value} is not a calendar date`]);
  return value;
}

/**
 * The shop days asked for: `date` alone, or `from` to `to` (both days included; through today when
 * `to` is absent), or today when nothing is given. Days of shop.timezone, each from its midnight to
 * the next (23 or 25 hours on a daylight-saving day). Bad input is a bad request.
 */
export function exportPeriod(timezone: string, ask: { date?: string | undefined; from?: string | undefined; to?: string | undefined }, now: number = Date.now()): ExportPeriod {
  if (ask.date !== undefined && (ask.from !== undefined || ask.to !== undefined)) throw invalidRequest(['date: give either date or from/to, not both']);
  if (ask.to !== undefined && ask.from === undefined) throw invalidRequest(['from: is required with to (the first shop day of the export)']);
  let first: string;
  let last: string;
  if (ask.from !== undefined) {
    first = dayNamed('from', ask.from, timezone, now);
    last = ask.to === undefined ? shopDate(timezone, now) : dayNamed('to', ask.to, timezone, now);
    if (ask.to === undefined && last < first) throw invalidRequest([`from: ${first} is after today (${last})`]);
    if (last < first) throw invalidRequest([`to: ${last} is before from (${first})`]);
  } else {
    first = last = ask.date === undefined ? shopDate(timezone, now) : dayNamed('date', ask.date, timezone, now);
  }
  return { first, last, from: shopDay(timezone, first).from, to: shopDay(timezone, last).to };
}

/** What to export: a period, and optionally one till (instance.till) and one shop (instance.shop). */
export interface ExportScope {
  from: number;
  to: number;
  till?: string | undefined;
  shop?: string | undefined;
}

/** Rows asked of the journal at once, and the most the export holds in memory (but for one second's rows). */
const PAGE = 500;
/** The window of time read first; it widens while the journal is sparse and narrows where it is busy. */
const FIRST_WINDOW_MS = 3_600_000;
const WIDEST_WINDOW_MS = 32 * 86_400_000;
const NARROWEST_WINDOW_MS = 1_000;

/**
 * The journal's transactions created in [from, to), oldest first, a window of time at a time. The
 * journal lists newest first, a page at a time; a window whose rows fit in one page is read and turned
 * round. One that does not is asked again half as wide (down to a second, whose rows are read whole
 * however many), so memory holds about a page of rows whatever the period; the window widens again
 * (up to 32 days) while the rows are few, so an empty year is a few dozen reads, not thousands.
 */
export async function* transactionsOldestFirst(journal: Pick<Journal, 'list'>, scope: ExportScope): AsyncGenerator<Transaction[]> {
  const ask = (lo: number, hi: number, cursor?: string) => {
    const filter: TransactionFilter = { from: lo, to: hi, limit: PAGE, ...(cursor ? { cursor } : {}) };
    if (scope.till !== undefined) filter.till = scope.till;
    if (scope.shop !== undefined) filter.shop = scope.shop;
    return journal.list(filter);
  };
  let width = FIRST_WINDOW_MS;
  for (let lo = scope.from; lo < scope.to; ) {
    const hi = Math.min(lo + width, scope.to);
    let page = await ask(lo, hi);
    if (page.nextCursor && hi - lo > NARROWEST_WINDOW_MS) {
      width = Math.max(NARROWEST_WINDOW_MS, Math.floor((hi - lo) / 2));
      continue;
    }
    const window = [...page.items];
    while (page.nextCursor) {
      page = await ask(lo, hi, page.nextCursor);
      window.push(...page.items);
    }
    if (window.length > 0) yield window.reverse();
    lo = hi;
    if (window.length < PAGE / 4) width = Math.min(WIDEST_WINDOW_MS, width * 2);
  }
}

/**
 * One cell: a number written as the shop's locale writes it (never quoted, never neutralised: it is
 * made here from integers), an identifier (digits kept as text, leading zeros and all), or text.
 */
type Cell = { number: string } | { id: string } | { text: string } | null;

/**
 * Tiyin as soum, exactly: the integer's own digits with the decimal separator put in before the last
 * two (no float is ever involved), no grouping (a spreadsheet would read a grouped figure as text), a
 * minus for money going back. ru/uz: a decimal comma, as Excel with a Russian or Uzbek locale reads
 * numbers; en: a point.
 */
export function soumFigure(tiyin: number, language: Language): string {
  if (!Number.isSafeInteger(tiyin)) throw new RangeError(`not an integer amount of tiyin: ${tiyin}`);
  const digits = String(Math.abs(tiyin)).padStart(3, '0');
  return `${tiyin < 0 ? '-' : ''}${digits.slice(0, -2)}${language === 'en' ? '.' : ','}${digits.slice(-2)}`;
}

/**
 * Between cells: a semicolon for ru/uz, the list separator of a Russian or Uzbek Windows (whose decimal
 * separator is the comma); a comma for en, with a decimal point, as an English-locale spreadsheet reads.
 */
export const SEPARATOR: Readonly<Record<Language, string>> = { ru: ';', uz: ';', en: ',' };

/**
 * A cell as the CSV writes it. Text that starts with = + - @ (or a tab or CR) is prefixed with an
 * apostrophe, so a spreadsheet shows it instead of running it as a formula; a cell holding the
 * separator, a quote or a line break is quoted (quotes doubled). An identifier of digits alone is
 * written as the string formula ="…", the one way a CSV keeps Excel from turning it into a number
 * (an RRN's or authorization code's leading zeros lost, a long id shown as 1,23E+11): only digits
 * ever go inside it, so nothing from outside can become a formula.
 */
export function csvCell(cell: Cell, separator: string): string {
  if (cell === null) return '';
  if ('number' in cell) {
    if (!/^-?\d+(?:[.,]\d+)?$/.test(cell.number)) throw new RangeError(`not a figure: ${cell.number}`);
    return cell.number;
  }
  // Digits only: Excel's own formula for text, the one formula let through (nothing but digits inside).
  if ('id' in cell && /^\d+$/.test(cell.id)) return csvQuoted(`="${cell.id}"`, separator);
  return csvField('id' in cell ? cell.id : cell.text, separator);
}

/** Money that moved by this row: a payment's amount once it succeeded, a give-back's (negative) once it did; 0 when it failed; empty while not known. */
function settled(t: Transaction): number | null {
  if (t.status === 'pending' || t.status === 'unknown') return null;
  if (t.status === 'failed') return 0;
  return t.kind === 'payment' ? t.amount : -t.amount;
}

/** A status word as a column's value: "Успешен", "Muvaffaqiyatli". */
const capitalised = (word: string) => word.charAt(0).toLocaleUpperCase() + word.slice(1);
const text = (value: string | null): Cell => (value === null || value === '' ? null : { text: value });
const id = (value: string | null): Cell => (value === null || value === '' ? null : { id: value });
const integer = (value: number | null): Cell => (value === null ? null : { number: String(value) });

/** One row of the export, in the order of exportHeadings. */
export function exportRow(t: Transaction, language: Language, timezone: string): Cell[] {
  const [date, time] = formatShopDateTime(timezone, t.createdAt).split(' ') as [string, string];
  const money = (tiyin: number | null): Cell => (tiyin === null ? null : { number: soumFigure(tiyin, language) });
  const giveBack = t.kind !== 'payment';
  const status = statusText(t.status);
  const card = !isQrMethod(t.method);
  return [
    { text: date },
    { text: time },
    { text: operationLabel(t.kind, language) },
    { text: capitalised(typeof status === 'string' ? status : translate(status, language)) },
    { text: METHOD_NAMES[t.method] },
    money(giveBack ? -t.amount : t.amount),
    money(settled(t)),
    money(giveBack ? null : t.refundedAmount),
    id(t.id),
    // The payment a row belongs to: a payment's own id, a give-back's payment (none for a foreign one).
    id(giveBack ? t.originalId : t.id),
    id(card ? null : t.providerPaymentId),
    id(card ? t.providerPaymentId : null),
    id(t.authCode),
    text(t.terminal),
    integer(t.receiptNumber),
    integer(t.shiftNumber),
    text(t.shop),
    text(t.till),
    integer(t.error?.code ?? null),
    // The reason in the sheet's language first (a failed one's, as the till was told), the journal's words beside it.
    text(t.error ? [failureReason(t, language), t.error.message, t.error.data].filter(Boolean).join(' — ') : null),
  ];
}

/**
 * The CSV, in pieces as they are read: UTF-8 with a byte-order mark (without it Excel takes the
 * bytes for the ANSI code page and the Cyrillic is garbled), SEPARATOR between cells, CRLF after
 * every row, headings in `language`, times on the shop's clock, amounts in soum.
 */
export async function* journalCsv(
  journal: Pick<Journal, 'list'>,
  scope: ExportScope,
  format: { language: Language; timezone: string },
  counted: { rows: number } = { rows: 0 },
): AsyncGenerator<string> {
  const separator = SEPARATOR[format.language];
  const line = (cells: Cell[]) => `${cells.map((c) => csvCell(c, separator)).join(separator)}\r\n`;
  yield `\uFEFF${line(exportHeadings(format.language, format.timezone).map((h) => ({ text: h })))}`;
  for await (const window of transactionsOldestFirst(journal, scope)) {
    counted.rows += window.length;
    yield window.map((t) => line(exportRow(t, format.language, format.timezone))).join('');
  }
}
