import type { Language } from '../i18n/language.js';
import { discrepancyAction, journalStatusLabel, kindLabel, RECONCILIATION_COLUMNS } from '../i18n/reconciliation.js';
import { formatShopDateTime } from '../lib/shop-time.js';
import type { WalletReport, WalletRunView } from '../payments/wallet-reconciliation.js';
import { METHOD_NAMES } from '../payments/transaction.js';
import { tiyinToSoumLiteral } from '../payments/money.js';
import { csvField } from '../lib/csv.js';
import type { Discrepancy } from '../payments/wallet-records.js';

const iso = (ms: number) => new Date(ms).toISOString();

/** One difference: ids and codes first, the sentence for the shop last. */
export function presentDiscrepancy(d: Discrepancy, language: Language) {
  return {
    kind: d.kind,
    method: d.method,
    transaction_id: d.transactionId,
    journal_status: d.journalStatus,
    provider_status: d.providerStatus,
    amount: d.amount,
    at: d.at === null ? null : iso(d.at),
    detail: d.detail,
    action: discrepancyAction(d, language),
  };
}

/** A finished reconciliation as the API gives it: ids and codes first, the sentence for the shop last in each difference. */
export function presentWalletReport(report: WalletReport, language: Language) {
  return {
    reconciliation_id: report.reconciliationId,
    date: report.date,
    state: 'done' as const,
    result: report.result,
    discrepancy_count: report.discrepancies.filter((d) => d.kind !== 'not_confirmed').length,
    not_confirmed_count: report.discrepancies.filter((d) => d.kind === 'not_confirmed').length,
    methods: Object.fromEntries(
      Object.entries(report.totals).map(([method, t]) => [
        method,
        { journal: t.journal, provider: t.provider, matched: t.matched, not_confirmed: t.notConfirmed },
      ]),
    ),
    discrepancies: report.discrepancies.map((d) => presentDiscrepancy(d, language)),
    questions: report.questions,
    resumed: report.resumed,
    started_at: iso(report.startedAt),
    finished_at: iso(report.finishedAt),
  };
}

export function presentWalletRun(view: WalletRunView, language: Language) {
  if (view.state === 'done') return presentWalletReport(view.report, language);
  return { reconciliation_id: view.reconciliationId, date: view.date, state: 'running' as const, started_at: iso(view.startedAt), held_by: view.heldBy };
}


/** The day's differences for the accountant: one row each, headings in the shop's language, times in the shop's zone, amounts in soum. */
export function walletReportCsv(report: WalletReport, language: Language, timezone: string): string {
  const rows = [RECONCILIATION_COLUMNS[language]];
  for (const d of report.discrepancies) {
    rows.push([
      report.date,
      d.at === null ? '' : formatShopDateTime(timezone, d.at),
      METHOD_NAMES[d.method],
      kindLabel(d.kind, language),
      d.transactionId,
      d.journalStatus === null ? '' : journalStatusLabel(d.journalStatus, language),
      d.providerStatus,
      // A plain decimal with a point, exact: a difference's amount is never negative.
      tiyinToSoumLiteral(d.amount),
      discrepancyAction(d, language),
    ]);
  }
  // A byte-order mark: spreadsheet programs read UTF-8 Cyrillic right only with it.
  return `\uFEFF${rows.map((r) => r.map((field) => csvField(field)).join(',')).join('\r\n')}\r\n`;
}
