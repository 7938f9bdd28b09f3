import type { Discrepancy, DiscrepancyKind } from '../payments/wallet-records.js';
import { METHOD_NAMES } from '../payments/transaction.js';
import type { Language } from './language.js';
import { MESSAGES, type MessageKey } from './messages.js';
import { soum, statusText, text, translate } from './text.js';

/** Each kind of difference in a word or two, for the CLI's table and the CSV (MESSAGES' `kind_*`). */
export function kindLabel(kind: DiscrepancyKind, language: Language): string {
  // A kind a newer PayBridge reports (the CLI may be older) is printed as it came.
  const key = `kind_${kind}`;
  return key in MESSAGES ? translate(text(key as MessageKey), language) : kind;
}

/** A difference's journal status in `language` ("unknown → succeeded" word by word); "—" when the journal has none. */
export function journalStatusLabel(status: string | null, language: Language): string {
  if (status === null) return '—';
  return status
    .split(' → ')
    .map((word) => {
      const t = statusText(word);
      return typeof t === 'string' ? t : translate(t, language);
    })
    .join(' → ');
}

/** The CSV's and the CLI's column headings, in the shop's language. */
export const RECONCILIATION_COLUMNS: Readonly<Record<Language, readonly string[]>> = {
  ru: ['Дата сверки', 'Время платежа', 'Способ', 'Расхождение', 'Транзакция', 'Статус в журнале', 'Статус в кошельке', 'Сумма, сум', 'Что делать'],
  uz: ['Solishtirish sanasi', 'Toʻlov vaqti', 'Usul', 'Farq', 'Tranzaksiya', 'Jurnaldagi holat', 'Hamyondagi holat', 'Summa, soʻm', 'Nima qilish kerak'],
  en: ['Reconciled day', 'Payment time', 'Method', 'Difference', 'Transaction', 'Journal status', 'Wallet status', 'Amount, soum', 'What to do'],
};

/** The sentence saying what the shop should do about one difference, in `language`. */
export function discrepancyAction(d: Discrepancy, language: Language): string {
  const after = d.kind === 'settled_by_reconciliation' ? d.journalStatus?.split('→').pop()?.trim() : undefined;
  return translate(
    text(`reconcile_${d.kind}` as MessageKey, { method: METHOD_NAMES[d.method], amount: soum(d.amount), status: after ? statusText(after) : '' }),
    language,
  );
}
