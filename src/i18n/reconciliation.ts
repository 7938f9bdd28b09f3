import type { Discrepancy, DiscrepancyKind } from '../payments/wallet-records.js';
import { METHOD_NAMES } from '../payments/transaction.js';
import type { Language } from './language.js';
import type { MessageKey } from './messages.js';
import { soum, statusText, text, translate } from './text.js';

/** Each kind of difference in a word or two, for the CLI's table, the console and the CSV. */
export const KIND_LABELS: Readonly<Record<DiscrepancyKind, Record<Language, string>>> = {
  paid_at_provider_only: { ru: 'оплачено только в кошельке', uz: 'faqat hamyonda toʻlangan', en: 'paid at the wallet only' },
  paid_in_journal_only: { ru: 'оплачено только в журнале', uz: 'faqat jurnalda toʻlangan', en: 'paid in the journal only' },
  given_back_outside: { ru: 'возврат мимо PayBridge', uz: 'PayBridge’siz qaytarilgan', en: 'given back outside PayBridge' },
  given_back_in_journal_only: { ru: 'возврат только в журнале', uz: 'faqat jurnalda qaytarilgan', en: 'given back in the journal only' },
  amount_differs: { ru: 'суммы расходятся', uz: 'summalar farq qiladi', en: 'amounts differ' },
  unknown_to_journal: { ru: 'нет в журнале', uz: 'jurnalda yoʻq', en: 'unknown to the journal' },
  not_confirmed: { ru: 'не подтверждено', uz: 'tasdiqlanmadi', en: 'not confirmed' },
  settled_by_reconciliation: { ru: 'решено сверкой', uz: 'solishtirish hal qildi', en: 'settled by the reconciliation' },
};

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
