import type { Language } from './language.js';

/**
 * Amounts as people in the shop read them: the same rule as the console's `money` (public/console/
 * format.js), so a sentence from the till's answer and the console's own figures print one amount
 * one way ("1 234,56 сум" in ru, "1 234,56 soʻm" in uz, "1,234.56 soum" in en). Exact: the tiyin are
 * split as BigInt, only the grouping and the separators come from Intl; no float touches an amount.
 * test/console-format.test.ts holds the two to the same output.
 */
const LOCALES: Record<Language, string> = { ru: 'ru-RU', uz: 'uz-Latn-UZ', en: 'en-GB' };
const SOUM: Record<Language, string> = { ru: 'сум', uz: 'soʻm', en: 'soum' };

interface Shape {
  integer: Intl.NumberFormat;
  decimal: string;
  minus: string;
}
const shapes = new Map<Language, Shape>();

function shapeOf(language: Language): Shape {
  let shape = shapes.get(language);
  if (!shape) {
    const locale = LOCALES[language];
    const parts = new Intl.NumberFormat(locale, { minimumFractionDigits: 2 }).formatToParts(-1234.5);
    shape = {
      integer: new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }),
      decimal: parts.find((p) => p.type === 'decimal')?.value ?? '.',
      minus: parts.find((p) => p.type === 'minusSign')?.value ?? '-',
    };
    shapes.set(language, shape);
  }
  return shape;
}

/** 123456 tiyin → "1 234,56 сум" (ru), "1,234.56 soum" (en): the number and the currency's word. */
export function formatSoum(tiyin: number, language: Language): string {
  if (!Number.isSafeInteger(tiyin)) throw new RangeError(`not an integer amount of tiyin: ${tiyin}`);
  const { integer, decimal, minus } = shapeOf(language);
  const value = BigInt(tiyin);
  const abs = value < 0n ? -value : value;
  // Intl formats a bigint exactly, whatever its size.
  const whole = integer.format(abs / 100n);
  const cents = String(abs % 100n).padStart(2, '0');
  return `${value < 0n ? minus : ''}${whole}${decimal}${cents}\u00a0${SOUM[language]}`;
}
