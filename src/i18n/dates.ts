import type { Language } from './language.js';

/**
 * Uzbek (Latin) month names as CLDR has them: the console's table (public/console/format.js UZ_DATE)
 * is the same, written out there because a browser's ICU may lack uz data.
 */
const UZ_MONTHS = ['yanvar', 'fevral', 'mart', 'aprel', 'may', 'iyun', 'iyul', 'avgust', 'sentabr', 'oktabr', 'noyabr', 'dekabr'];
const LOCALES: Record<Exclude<Language, 'uz'>, string> = { ru: 'ru-RU', en: 'en-GB' };

/**
 * A shop day (YYYY-MM-DD) as people in the shop write it: "6 декабря 2026 г.", "6-dekabr, 2026",
 * "6 December 2026". A calendar date is no instant: formatted as itself, whatever the zone.
 */
export function formatShopDate(date: string, language: Language): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new RangeError(`not a date, YYYY-MM-DD: ${date}`);
  const [y, month, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (language === 'uz') return `${d}-${UZ_MONTHS[month - 1]}, ${y}`;
  return new Intl.DateTimeFormat(LOCALES[language], { timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric' }).format(new Date(Date.UTC(y, month - 1, d, 12)));
}
