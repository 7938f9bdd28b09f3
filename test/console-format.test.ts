import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
// The console's own module, plain browser JavaScript: Node's Intl (full ICU) runs it as Chromium does.
// @ts-expect-error: a .js module without types
import { makeFormat, parseSoum, readableStep } from '../public/console/format.js';
// @ts-expect-error: a .js module without types
import { WORDS } from '../public/console/i18n.js';

const ru = makeFormat('ru', 'Asia/Tashkent', WORDS.ru);
const uz = makeFormat('uz', 'Asia/Tashkent', WORDS.uz);
const en = makeFormat('en', 'Asia/Tashkent', WORDS.en);
const spaces = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

describe("the console's formats", () => {
  it('money is exact from integer tiyin, in each language', () => {
    assert.equal(spaces(ru.money(123_456)), '1 234,56 сум');
    assert.equal(spaces(en.money(123_456)), '1,234.56 soum');
    assert.equal(spaces(uz.money(700)), '7,00 soʻm');
    assert.equal(spaces(ru.money(5)), '0,05 сум');
    assert.equal(spaces(ru.money(-150_000)), '-1 500,00 сум');
    // Far beyond where a float of soum keeps its tiyin: every digit is the integer's own.
    assert.equal(spaces(en.money(9_007_199_254_740_991)), '90,071,992,547,409.91 soum');
  });

  it('counted words follow the language’s plural rules', () => {
    assert.deepEqual([1, 2, 5, 11, 21, 22, 25].map((n) => ru.count(n, 'purchases')), ['1 оплата', '2 оплаты', '5 оплат', '11 оплат', '21 оплата', '22 оплаты', '25 оплат']);
    assert.deepEqual([1, 2].map((n) => en.count(n, 'purchases')), ['1 purchase', '2 purchases']);
    assert.equal(ru.count(3, 'operations_wait'), '3 операции ждут оператора');
    assert.equal(en.count(1, 'unknown_outcomes'), '1 unknown outcome');
  });

  it('every language has the same words, every form its rules ask for, and a step it does not know stays readable', () => {
    const keys = (o: object) => Object.keys(o).sort();
    for (const lang of ['uz', 'en']) {
      assert.deepEqual(keys(WORDS[lang]), keys(WORDS.ru), lang);
      assert.deepEqual(keys(WORDS[lang].steps), keys(WORDS.ru.steps), `${lang} steps`);
    }
    for (const [lang, locale] of [['ru', 'ru-RU'], ['uz', 'uz-Latn-UZ'], ['en', 'en-GB']] as const) {
      const categories = new Intl.PluralRules(locale).resolvedOptions().pluralCategories;
      for (const [word, forms] of Object.entries(WORDS[lang].forms as Record<string, Record<string, string>>)) {
        for (const c of categories) assert.ok(forms[c], `${lang} ${word} has its ${c} form`);
      }
    }
    assert.equal(readableStep('orphan_receipt_seen'), 'orphan receipt seen');
  });

  it('dates and times are the shop’s, not the browser’s', () => {
    // 19:30 UTC is half past midnight of the next day in Tashkent (UTC+5).
    assert.equal(ru.dateTime('2026-11-25T19:30:00Z'), '26.11.2026, 00:30:00');
    assert.equal(en.dateTime('2026-11-25T19:30:00Z'), '26/11/2026, 00:30:00');
    assert.equal(makeFormat('en', 'Europe/Berlin', WORDS.en).dateTime('2026-11-25T19:30:00Z'), '25/11/2026, 20:30:00');
    assert.equal(ru.day('2026-11-26'), '26 ноября 2026 г.');
    assert.equal(ru.hour('2026-11-25T19:00:00Z'), '00:00');
  });

  it('Uzbek dates read as Uzbek (Latin) writes them, as Node’s full ICU prints them, whatever the browser’s ICU has', () => {
    assert.equal(uz.day('2026-12-06'), '6-dekabr, 2026');
    assert.equal(uz.dayShort('2026-12-06'), 'Yak, 6-dek');
    assert.equal(uz.dateTime('2026-11-25T19:30:00Z'), '26/11/26, 00:30:00');
    assert.equal(uz.date('2026-03-31T19:30:00Z'), '1-aprel, 2026');
    // The console's own table against ICU's CLDR data (which Node has in full, Debian's chromium not).
    const icu = (options: Intl.DateTimeFormatOptions, timeZone = 'Asia/Tashkent') => new Intl.DateTimeFormat('uz-Latn-UZ', { timeZone, ...options });
    const long = icu({ day: 'numeric', month: 'long', year: 'numeric' });
    const calendarLong = icu({ day: 'numeric', month: 'long', year: 'numeric' }, 'UTC');
    const calendarShort = icu({ weekday: 'short', day: 'numeric', month: 'short' }, 'UTC');
    const short = icu({ day: 'numeric', month: 'short' });
    const dateTime = icu({ dateStyle: 'short', timeStyle: 'medium' });
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2099, 11, 31) }), (ms) => {
        const iso = new Date(ms).toISOString();
        const ymd = iso.slice(0, 10);
        const noon = new Date(`${ymd}T12:00:00Z`);
        assert.equal(uz.date(iso), long.format(ms), iso);
        assert.equal(uz.dayOf(iso), short.format(ms), iso);
        assert.equal(uz.dateTime(iso), dateTime.format(ms), iso);
        assert.equal(uz.day(ymd), calendarLong.format(noon), ymd);
        assert.equal(uz.dayShort(ymd), calendarShort.format(noon), ymd);
      }),
      { numRuns: 500 },
    );
  });

  it('a typed amount of soum becomes tiyin exactly, or nothing', () => {
    assert.equal(parseSoum('12.5'), 1250);
    assert.equal(parseSoum('12,05'), 1205);
    assert.equal(parseSoum(' 7 '), 700);
    for (const bad of ['', '1.234', '-5', '1e3', '12,5,0']) assert.equal(parseSoum(bad), null, bad);
  });
});
