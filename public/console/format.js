// Every number, amount, count and date on the console goes through here, in the console's
// language and the shop's time zone: one way for the whole page. Money stays exact: integer
// tiyin are split into soum and tiyin as BigInt digits, grouped and separated by the language's
// table (AMOUNT_SHAPE, the till's sentences use the same), so no floating point ever touches an amount.
const LOCALES = { ru: 'ru-RU', uz: 'uz-Latn-UZ', en: 'en-GB' };

/**
 * How each language writes an amount: the same table as the till's sentences (src/i18n/money.ts),
 * so an amount reads one way wherever it is shown. Written out rather than asked of Intl: a browser's
 * ICU may lack a locale's data (Debian's chromium prints uz amounts as "1,234.00"), a server's not.
 */
export const AMOUNT_SHAPE = { ru: { group: '\u00a0', decimal: ',' }, uz: { group: '\u00a0', decimal: ',' }, en: { group: ',', decimal: '.' } };

/** 123456 tiyin → "1 234,56" (ru, uz), "1,234.56" (en): exact, as BigInt digits. */
export function soumDigits(tiyin, lang) {
  const { group, decimal } = AMOUNT_SHAPE[lang] ?? AMOUNT_SHAPE.en;
  const value = BigInt(tiyin);
  const abs = value < 0n ? -value : value;
  const whole = String(abs / 100n).replace(/\B(?=(\d{3})+(?!\d))/g, group);
  return `${value < 0n ? '-' : ''}${whole}${decimal}${String(abs % 100n).padStart(2, '0')}`;
}

/**
 * Dates in Uzbek (Latin), as CLDR writes them and Node's full ICU prints them: "6-dekabr, 2026",
 * "Yak, 6-dek", "06/12/26, 17:00:00". Written out rather than asked of Intl: a browser's ICU may have
 * no uz data (Debian's chromium falls back to "2026 M12 6"). test/console-format.test.ts holds these
 * to Node's ICU output.
 */
export const UZ_DATE = {
  months: ['yanvar', 'fevral', 'mart', 'aprel', 'may', 'iyun', 'iyul', 'avgust', 'sentabr', 'oktabr', 'noyabr', 'dekabr'],
  monthsShort: ['yan', 'fev', 'mar', 'apr', 'may', 'iyn', 'iyl', 'avg', 'sen', 'okt', 'noy', 'dek'],
  weekdaysShort: ['Yak', 'Dush', 'Sesh', 'Chor', 'Pay', 'Jum', 'Shan'],
};

/** The calendar fields of an instant in a zone, as numbers (through Intl's digits, which every ICU has). */
function fieldsIn(timeZone) {
  const f = new Intl.DateTimeFormat('en-GB', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', hourCycle: 'h23' });
  return (date) => {
    const p = Object.fromEntries(f.formatToParts(date).map((x) => [x.type, x.value]));
    const y = Number(p.year);
    const m = Number(p.month);
    const d = Number(p.day);
    return { y, m, d, weekday: new Date(Date.UTC(y, m - 1, d)).getUTCDay(), hh: p.hour.padStart(2, '0'), mm: p.minute.padStart(2, '0'), ss: p.second.padStart(2, '0') };
  };
}

/** The console's date formats in Uzbek (Latin), each of the same shape as Intl's for the other languages. */
function uzbekDates(timeZone) {
  const at = fieldsIn(timeZone);
  const utc = fieldsIn('UTC');
  const two = (n) => String(n).padStart(2, '0');
  const long = ({ y, m, d }) => `${d}-${UZ_DATE.months[m - 1]}, ${y}`;
  const short = ({ m, d }) => `${d}-${UZ_DATE.monthsShort[m - 1]}`;
  return {
    dateTime: (date) => {
      const f = at(date);
      return `${two(f.d)}/${two(f.m)}/${two(f.y % 100)}, ${f.hh}:${f.mm}:${f.ss}`;
    },
    date: (date) => long(at(date)),
    day: (date) => long(utc(date)),
    dayShort: (date) => {
      const f = utc(date);
      return `${UZ_DATE.weekdaysShort[f.weekday]}, ${short(f)}`;
    },
    dayOf: (date) => short(at(date)),
  };
}

/**
 * @param {'ru'|'uz'|'en'} lang
 * @param {string} timeZone an IANA zone, the shop's (config.json `timezone`)
 * @param {Record<string, any>} words the language's words, with `forms` for counted ones
 */
export function makeFormat(lang, timeZone, words) {
  const locale = LOCALES[lang] ?? 'en-GB';
  const integer = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  const decimal = (AMOUNT_SHAPE[lang] ?? AMOUNT_SHAPE.en).decimal;
  const plural = new Intl.PluralRules(locale);
  const dateTime = new Intl.DateTimeFormat(locale, { timeZone, dateStyle: 'short', timeStyle: 'medium' });
  const dateOnly = new Intl.DateTimeFormat(locale, { timeZone, day: 'numeric', month: 'long', year: 'numeric' });
  const shortDay = new Intl.DateTimeFormat(locale, { timeZone, day: 'numeric', month: 'short' });
  const hourOnly = new Intl.DateTimeFormat(locale, { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  // A calendar date (YYYY-MM-DD) is no instant: it is formatted as itself, at noon UTC in UTC.
  const calendar = new Intl.DateTimeFormat(locale, { timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric' });
  const calendarShort = new Intl.DateTimeFormat(locale, { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short' });
  const compact = new Intl.NumberFormat(locale, { notation: 'compact', maximumFractionDigits: 1 });

  /** 123456 tiyin → "1 234,56 сум" (ru), "1,234.56 soum" (en). */
  function money(tiyin, { sign = false } = {}) {
    const prefix = sign && BigInt(tiyin) > 0n ? '+' : '';
    return `${prefix}${soumDigits(tiyin, lang)}\u00a0${words.soum}`;
  }

  /** The amount's digits and the currency's word apart, for a place that lays them out itself (the day's totals). */
  function moneyParts(tiyin) {
    return { digits: soumDigits(tiyin, lang), currency: words.soum };
  }

  /** "1 оплата", "2 оплаты", "5 оплат": the word's form chosen by the language's plural rules. */
  function count(n, key) {
    const forms = words.forms[key];
    const word = forms ? (forms[plural.select(n)] ?? forms.other) : key;
    return `${integer.format(n)} ${word}`;
  }

  /** Just the word, in the form that goes with n (for sentences that put the number elsewhere). */
  function word(n, key) {
    const forms = words.forms[key];
    return forms ? (forms[plural.select(n)] ?? forms.other) : key;
  }

  const calendarDate = (ymd) => {
    const [y, m, d] = ymd.split('-').map(Number);
    return new Date(Date.UTC(y, m - 1, d, 12));
  };

  const uzDates = lang === 'uz' ? uzbekDates(timeZone) : null;

  return {
    locale,
    decimal,
    money,
    moneyParts,
    count,
    word,
    number: (n) => integer.format(n),
    /** Soum for a chart's axis only: compact and rounded, never an amount anyone acts on. */
    axisSoum: (soum) => compact.format(soum),
    dateTime: (iso) => (uzDates ? uzDates.dateTime(new Date(iso)) : dateTime.format(new Date(iso))),
    date: (iso) => (uzDates ? uzDates.date(new Date(iso)) : dateOnly.format(new Date(iso))),
    day: (ymd) => (uzDates ? uzDates.day(calendarDate(ymd)) : calendar.format(calendarDate(ymd))),
    dayShort: (ymd) => (uzDates ? uzDates.dayShort(calendarDate(ymd)) : calendarShort.format(calendarDate(ymd))),
    dayOf: (iso) => (uzDates ? uzDates.dayOf(new Date(iso)) : shortDay.format(new Date(iso))),
    hour: (iso) => hourOnly.format(new Date(iso)),
  };
}

/** "12.5", "12,50" soum → 1250 tiyin, exactly (as digits, never through a float); null when it is not such a number. */
export function parseSoum(text) {
  const m = /^\s*(\d{1,13})(?:[.,](\d{1,2}))?\s*$/.exec(text);
  if (!m) return null;
  return Number(BigInt(m[1]) * 100n + BigInt((m[2] ?? '').padEnd(2, '0')));
}

/** A step name PayBridge has no words for yet, readable: "orphan_receipt_seen" → "orphan receipt seen". */
export const readableStep = (step) => String(step).replace(/_/g, ' ');
