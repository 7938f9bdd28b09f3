import type { TransactionKind } from '../payments/transaction.js';
import type { Language } from './language.js';

/** The accountant's export: the columns, in the order the CSV has them. */
export const EXPORT_COLUMN_KEYS = [
  'date',
  'time',
  'operation',
  'status',
  'method',
  'amount',
  'settled',
  'given_back',
  'transaction',
  'payment',
  'provider_id',
  'rrn',
  'auth_code',
  'terminal',
  'receipt',
  'shift',
  'shop',
  'till',
  'error_code',
  'error',
] as const;
export type ExportColumn = (typeof EXPORT_COLUMN_KEYS)[number];

/** The headings in each language; `{zone}` is the shop's time zone (the times are its wall clock). */
const HEADINGS: Readonly<Record<Language, Readonly<Record<ExportColumn, string>>>> = {
  ru: {
    date: 'Дата',
    time: 'Время ({zone})',
    operation: 'Операция',
    status: 'Статус',
    method: 'Способ',
    amount: 'Сумма, сум',
    settled: 'Проведено, сум',
    given_back: 'Возвращено, сум',
    transaction: 'Транзакция',
    payment: 'Платёж',
    provider_id: 'ID платежа у провайдера',
    rrn: 'RRN',
    auth_code: 'Код авторизации',
    terminal: 'Терминал',
    receipt: 'Номер чека',
    shift: 'Смена',
    shop: 'Магазин',
    till: 'Касса',
    error_code: 'Код ошибки',
    error: 'Ошибка',
  },
  uz: {
    date: 'Sana',
    time: 'Vaqt ({zone})',
    operation: 'Amal',
    status: 'Holat',
    method: 'Usul',
    amount: 'Summa, soʻm',
    settled: 'Oʻtkazildi, soʻm',
    given_back: 'Qaytarildi, soʻm',
    transaction: 'Tranzaksiya',
    payment: 'Toʻlov',
    provider_id: 'Provayderdagi toʻlov ID',
    rrn: 'RRN',
    auth_code: 'Avtorizatsiya kodi',
    terminal: 'Terminal',
    receipt: 'Chek raqami',
    shift: 'Smena',
    shop: 'Doʻkon',
    till: 'Kassa',
    error_code: 'Xato kodi',
    error: 'Xato',
  },
  en: {
    date: 'Date',
    time: 'Time ({zone})',
    operation: 'Operation',
    status: 'Status',
    method: 'Method',
    amount: 'Amount, soum',
    settled: 'Settled, soum',
    given_back: 'Given back, soum',
    transaction: 'Transaction',
    payment: 'Payment',
    provider_id: 'Provider payment id',
    rrn: 'RRN',
    auth_code: 'Authorization code',
    terminal: 'Terminal',
    receipt: 'Receipt no.',
    shift: 'Shift',
    shop: 'Shop',
    till: 'Till',
    error_code: 'Error code',
    error: 'Error',
  },
};

const OPERATIONS: Readonly<Record<Language, Readonly<Record<TransactionKind, string>>>> = {
  ru: { payment: 'Платёж', cancel: 'Отмена', refund: 'Возврат' },
  uz: { payment: 'Toʻlov', cancel: 'Bekor qilish', refund: 'Qaytarish' },
  en: { payment: 'Payment', cancel: 'Cancel', refund: 'Refund' },
};

/** The heading row of the export in `language`, the time column naming `timezone`. */
export function exportHeadings(language: Language, timezone: string): string[] {
  return EXPORT_COLUMN_KEYS.map((key) => HEADINGS[language][key].replace('{zone}', timezone));
}

/** A journal row's kind as the accountant reads it: payment, cancel or refund. */
export function operationLabel(kind: TransactionKind, language: Language): string {
  return OPERATIONS[language][kind];
}
