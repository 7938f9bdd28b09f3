import { setTimeout as sleep } from 'node:timers/promises';
import { LANGUAGES, type Language } from '../../i18n/language.js';
import { journalStatusLabel, kindLabel, RECONCILIATION_COLUMNS } from '../../i18n/reconciliation.js';
import type { DiscrepancyKind } from '../../payments/wallet-records.js';
import type { Envelope, PayBridgeClient } from '../client.js';
import { exitCodeOf } from '../client.js';
import { EXIT } from '../exit-codes.js';
import { printError, table, withProgress } from '../output.js';
import { formatSoum } from '../../i18n/money.js';

interface Report {
  reconciliation_id: string;
  date: string;
  state: 'done' | 'running';
  result?: 'match' | 'discrepancies' | 'not_confirmed';
  methods?: Record<string, { journal: { count: number; amount: number }; provider: { count: number; amount: number }; matched: number; not_confirmed: number }>;
  discrepancies?: { kind: DiscrepancyKind; method: string; transaction_id: string; journal_status: string | null; provider_status: string; amount: number; action: string }[];
}

const HEAD: Record<Language, { method: string; journal: string; wallet: string; matched: string; result: Record<string, string> }> = {
  ru: { method: 'Способ', journal: 'Журнал', wallet: 'Кошелёк', matched: 'совпало', result: { match: 'всё совпало', discrepancies: 'есть расхождения', not_confirmed: 'не всё подтверждено' } },
  uz: { method: 'Usul', journal: 'Jurnal', wallet: 'Hamyon', matched: 'mos keldi', result: { match: 'hammasi mos keldi', discrepancies: 'farqlar bor', not_confirmed: 'hammasi tasdiqlanmadi' } },
  en: { method: 'Method', journal: 'Journal', wallet: 'Wallet', matched: 'matched', result: { match: 'all match', discrepancies: 'differences found', not_confirmed: 'not all confirmed' } },
};

/** The language the table is printed in: --lang, else the terminal's locale when PayBridge speaks it, else Russian. */
export function cliLanguage(lang: string | undefined, env: NodeJS.ProcessEnv = process.env): Language {
  const wanted = (lang ?? env.LC_ALL ?? env.LANG ?? '').slice(0, 2).toLowerCase();
  return (LANGUAGES as readonly string[]).includes(wanted) ? (wanted as Language) : 'ru';
}

/**
 * `paybridge reconcile wallets --date D`: the day's reconciliation with Click, Payme and Uzum, as a
 * table; exits 0 when everything matches, 1 on differences, 3 when some payments could not be confirmed.
 */
export async function reconcileWallets(client: PayBridgeClient, date: string, methods: string[] | undefined, language: Language, json: boolean): Promise<number> {
  const headers = { 'accept-language': language };
  let envelope: Envelope<Report> = await withProgress('asking the wallets', client.request<Report>('POST', 'payment/reconciliation/wallets', { date, ...(methods?.length ? { methods } : {}) }, headers));
  // Longer than a request may take: the run goes on, and its report is asked for until it is done.
  while (envelope.is_success && envelope.data?.state === 'running') {
    await sleep(2_000);
    envelope = await client.request<Report>('GET', `payment/reconciliation/wallets?date=${encodeURIComponent(envelope.data.date)}`, undefined, headers);
  }
  if (json) process.stdout.write(`${JSON.stringify(envelope)}\n`);
  if (!envelope.is_success || !envelope.data) {
    if (!json) printError(envelope);
    return exitCodeOf(envelope);
  }
  const r = envelope.data;
  if (!json) process.stdout.write(`${render(r, language)}\n`);
  return r.result === 'match' ? EXIT.OK : r.result === 'discrepancies' ? EXIT.REFUSED : EXIT.UNKNOWN;
}

function render(r: Report, language: Language): string {
  const h = HEAD[language];
  const soum = (tiyin: number) => formatSoum(tiyin, language);
  const lines = [`${r.date}: ${h.result[r.result ?? ''] ?? r.result}`, ''];
  const totals = [[h.method, h.journal, h.wallet, h.matched]];
  for (const [method, t] of Object.entries(r.methods ?? {})) {
    totals.push([method, `${t.journal.count} · ${soum(t.journal.amount)}`, `${t.provider.count} · ${soum(t.provider.amount)}`, String(t.matched)]);
  }
  lines.push(table(totals));
  const differences = r.discrepancies ?? [];
  if (differences.length) {
    const cols = RECONCILIATION_COLUMNS[language];
    const rows = [[cols[3]!, cols[2]!, cols[4]!, cols[5]!, cols[6]!, cols[7]!]];
    for (const d of differences) rows.push([kindLabel(d.kind, language), d.method, d.transaction_id, journalStatusLabel(d.journal_status, language), d.provider_status, soum(d.amount)]);
    lines.push('', table(rows), '');
    for (const d of differences) lines.push(`${d.transaction_id}: ${d.action}`);
  }
  return lines.join('\n');
}
