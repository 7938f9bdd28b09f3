import type { Language } from './language.js';

/**
 * Amounts as people in the shop read them: the same table and rule as the console's `money`
 * (public/console/format.js `AMOUNT_SHAPE`, `soumDigits`), so a sentence of the till's answer and the
 * console's own figures print one amount one way: "1 234,56 сум" (ru), "1 234,56 soʻm" (uz),
 * "1,234.56 soum" (en). Written out rather than asked of Intl, whose data differs between a server's
 * full ICU and a browser's (Debian's chromium has no uz separators). Exact: digits of the integer
 * tiyin, no float. test/unknown-answers.test.ts holds the two to the same output.
 */
const SHAPE: Record<Language, { group: string; decimal: string }> = {
  ru: { group: '\u00a0', decimal: ',' },
  uz: { group: '\u00a0', decimal: ',' },
  en: { group: ',', decimal: '.' },
};
const SOUM: Record<Language, string> = { ru: 'сум', uz: 'soʻm', en: 'soum' };

/** 123456 tiyin → "1 234,56 сум" (ru), "1,234.56 soum" (en): the number and the currency's word. */
export function formatSoum(tiyin: number, language: Language): string {
  if (!Number.isSafeInteger(tiyin)) throw new RangeError(`not an integer amount of tiyin: ${tiyin}`);
  const { group, decimal } = SHAPE[language];
  const value = BigInt(tiyin);
  const abs = value < 0n ? -value : value;
  const whole = String(abs / 100n).replace(/\B(?=(\d{3})+(?!\d))/g, group);
  return `${value < 0n ? '-' : ''}${whole}${decimal}${String(abs % 100n).padStart(2, '0')}\u00a0${SOUM[language]}`;
}
