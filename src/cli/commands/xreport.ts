import type { Language } from '../../i18n/language.js';
import { LANGUAGES } from '../../i18n/language.js';
import { formatShopDate } from '../../i18n/dates.js';
import { formatSoum } from '../../i18n/money.js';
import { formatShopDateTime, shopDay } from '../../lib/shop-time.js';
import { exitCodeOf, type Envelope, type PayBridgeClient } from '../client.js';
import { CliExit, EXIT } from '../exit-codes.js';
import { printError, table, withProgress } from '../output.js';
import { cliLanguage } from './reconcile-wallets.js';

export interface XReportOptions {
  date?: string;
  till?: string;
  shop?: string;
  terminal?: string;
}

interface MethodTotals {
  method: string;
  paid_count: number;
  paid_amount: number;
  returned_count: number;
  returned_amount: number;
  net_amount: number;
  failed_count: number;
  pending_count: number;
  unknown_count: number;
}

interface Summary {
  date: string;
  timezone: string;
  shop: string | null;
  till: string | null;
  methods: MethodTotals[];
  terminals: { terminal: string; shift_number: number | null; shift_open: boolean; totals: { purchase_count: number; purchase_amount: number; return_count: number; return_amount: number } | null }[];
}

interface Reconciliation {
  matched: boolean | null;
  difference?: Record<string, number> | null;
  reason?: string;
}

const METHOD_NAMES: Record<string, string> = { click: 'Click', payme: 'Payme', uzum: 'Uzum', humo: 'Humo', uzcard: 'UzCard' };

const WORDS: Record<Language, {
  title: string; shop: string; till: string; allTills: string; asOf: string; method: string; paid: string; returned: string; net: string; total: string;
  failed: string; open: string; shifts: string; shift: string; noShift: string; matched: string; mismatch: string; notCompared: string; pinpad: string;
}> = {
  ru: {
    title: 'X-отчёт', shop: 'магазин', till: 'касса', allTills: 'все кассы', asOf: 'на', method: 'Способ', paid: 'Оплаты', returned: 'Возвраты', net: 'Итого', total: 'Всего',
    failed: 'Не прошли', open: 'Не завершены (ждут проверки)', shifts: 'Смены терминалов этой кассы (по журналу)', shift: 'смена', noShift: 'смена не начата',
    matched: 'сверено: терминал и журнал совпадают', mismatch: 'РАСХОЖДЕНИЕ терминала и журнала', notCompared: 'не сверено', pinpad: 'X-отчёт терминала',
  },
  uz: {
    title: 'X-hisobot', shop: 'doʻkon', till: 'kassa', allTills: 'barcha kassalar', asOf: 'holatiga', method: 'Usul', paid: 'Toʻlovlar', returned: 'Qaytarilgan', net: 'Sof tushum', total: 'Jami',
    failed: 'Oʻtmagan', open: 'Yakunlanmagan (tekshiruv kutilmoqda)', shifts: 'Ushbu kassa terminallarining smenalari (jurnal boʻyicha)', shift: 'smena', noShift: 'smena boshlanmagan',
    matched: 'solishtirildi: terminal va jurnal mos', mismatch: 'terminal va jurnal orasida FARQ bor', notCompared: 'solishtirilmadi', pinpad: 'Terminalning X-hisoboti',
  },
  en: {
    title: 'X-report', shop: 'shop', till: 'till', allTills: 'all tills', asOf: 'as of', method: 'Method', paid: 'Payments', returned: 'Given back', net: 'Net', total: 'Total',
    failed: 'Failed', open: 'Not settled (waiting to be checked)', shifts: 'This till’s terminal shifts (from the journal)', shift: 'shift', noShift: 'no shift started',
    matched: 'reconciled: the terminal and the journal agree', mismatch: 'MISMATCH between the terminal and the journal', notCompared: 'not compared', pinpad: 'The terminal’s X-report',
  },
};

/**
 * The language and shop the report is for: --lang, else the shop's language (the console's settings,
 * which PayBridge serves without a token), else the terminal's locale; the shop given, else this
 * PayBridge's own (instance.shop), as the console's "whole shop".
 */
export async function shopSettings(client: PayBridgeClient, lang: string | undefined): Promise<{ language: Language; shop: string | null; timezone: string | null }> {
  let settings: { language?: string; shop?: string | null; timezone?: string } = {};
  try {
    settings = (await client.request('GET', 'console/config.json')) as typeof settings;
  } catch (err) {
    if (err instanceof CliExit && err.code === EXIT.UNREACHABLE) throw err;
  }
  const configured = (LANGUAGES as readonly string[]).includes(settings.language ?? '') ? (settings.language as Language) : undefined;
  return { language: lang ? cliLanguage(lang) : (configured ?? cliLanguage(undefined)), shop: settings.shop ?? null, timezone: settings.timezone ?? null };
}

/**
 * `paybridge xreport [--date D] [--till T] [--shop S]`: the shop day's takings so far — of a till, of
 * the shop, per method — without closing anything, in the shop's language. `paybridge xreport humo|uzcard`:
 * the pinpad's own X-report of its open shift, against the journal (exit 1 when they differ).
 */
export async function xReport(client: PayBridgeClient, method: 'humo' | 'uzcard' | undefined, o: XReportOptions, lang: string | undefined, json: boolean): Promise<number> {
  if (o.date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(o.date)) throw new CliExit(EXIT.USAGE, `--date: "${o.date}" is not a shop day, YYYY-MM-DD`);
  const here = await shopSettings(client, lang);
  const w = WORDS[here.language];
  const headers = { 'accept-language': here.language };
  if (method) {
    if (o.date !== undefined || o.till !== undefined || o.shop !== undefined) throw new CliExit(EXIT.USAGE, 'a terminal’s X-report is of its open shift: --date, --till and --shop are for the takings report (without a method)');
    const path = `payment/${method === 'humo' ? 'xumo' : 'uzcard'}_shortreport${o.terminal ? `?terminal=${encodeURIComponent(o.terminal)}` : ''}`;
    const envelope = await withProgress('printing the X-report at the terminal', client.request('GET', path, undefined, headers));
    if (json) process.stdout.write(`${JSON.stringify(envelope)}\n`);
    if (!envelope.is_success || !envelope.data) {
      if (!json) printError(envelope);
      return exitCodeOf(envelope);
    }
    const d = envelope.data as { message?: string; terminal?: string; shift_number?: number | null; reconciliation?: Reconciliation };
    const r = d.reconciliation;
    const verdict = r?.matched === true ? w.matched : r?.matched === false ? `${w.mismatch}: ${JSON.stringify(r.difference)}` : `${w.notCompared}${r?.reason ? `: ${r.reason}` : ''}`;
    if (!json) process.stdout.write(`${w.pinpad} — ${d.terminal ?? method}, ${w.shift} ${d.shift_number ?? '?'}\n${d.message ?? ''}\n${verdict}\n`);
    return r?.matched === false ? EXIT.REFUSED : EXIT.OK;
  }
  if (o.terminal !== undefined) throw new CliExit(EXIT.USAGE, '--terminal goes with a method: paybridge xreport humo --terminal ID');
  const q = new URLSearchParams();
  if (o.date) q.set('date', o.date);
  const shop = o.shop ?? here.shop;
  if (shop) q.set('shop', shop);
  if (o.till !== undefined) q.set('till', o.till);
  q.set('days', '1');
  const envelope: Envelope<Summary> = await client.request<Summary>('GET', `payment/summary?${q}`, undefined, headers);
  if (json) process.stdout.write(`${JSON.stringify(envelope)}\n`);
  if (!envelope.is_success || !envelope.data) {
    if (!json) printError(envelope);
    return exitCodeOf(envelope);
  }
  if (!json) process.stdout.write(`${render(envelope.data, here.language)}\n`);
  return EXIT.OK;
}

export function render(s: Summary, language: Language): string {
  const w = WORDS[language];
  const money = (tiyin: number) => formatSoum(tiyin, language).replace(/\u00a0/g, ' ');
  const where = [s.shop !== null ? `${w.shop} ${s.shop}` : null, s.till !== null ? `${w.till} ${s.till}` : w.allTills].filter(Boolean).join(', ');
  const lines = [`${w.title} — ${where}`, `${formatShopDate(s.date, language)} (${w.asOf} ${formatShopDateTime(s.timezone, Date.now())}, ${s.timezone})`, ''];
  const rows = [[w.method, w.paid, w.returned, w.net]];
  const sum = { paid_count: 0, paid_amount: 0, returned_count: 0, returned_amount: 0, net_amount: 0, failed_count: 0, open: 0 };
  for (const m of s.methods) {
    rows.push([METHOD_NAMES[m.method] ?? m.method, `${m.paid_count} · ${money(m.paid_amount)}`, `${m.returned_count} · ${money(m.returned_amount)}`, money(m.net_amount)]);
    sum.paid_count += m.paid_count;
    sum.paid_amount += m.paid_amount;
    sum.returned_count += m.returned_count;
    sum.returned_amount += m.returned_amount;
    sum.net_amount += m.net_amount;
    sum.failed_count += m.failed_count;
    sum.open += m.pending_count + m.unknown_count;
  }
  rows.push([w.total, `${sum.paid_count} · ${money(sum.paid_amount)}`, `${sum.returned_count} · ${money(sum.returned_amount)}`, money(sum.net_amount)]);
  lines.push(table(rows), '', `${w.failed}: ${sum.failed_count}`, `${w.open}: ${sum.open}`);
  // The terminals' shifts are as they are now: shown with today's report only.
  if (s.terminals.length && shopDay(s.timezone).date === s.date) {
    lines.push('', `${w.shifts}:`);
    for (const t of s.terminals) {
      const x = t.totals;
      lines.push(`  ${t.terminal}: ${t.shift_number === null ? w.noShift : `${w.shift} ${t.shift_number}`}${x ? ` — ${w.paid} ${x.purchase_count} · ${money(x.purchase_amount)}, ${w.returned} ${x.return_count} · ${money(x.return_amount)}` : ''}`);
    }
  }
  return lines.join('\n');
}
