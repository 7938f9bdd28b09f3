import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { formatShopDateTime, isValidTimeZone, shopDate, shopDay, shopDaysEndingWith, shopHour, shopHours } from '../src/lib/shop-time.js';
import { PayBridgeError } from '../src/payments/errors.js';
import { loadConfig, ConfigError } from '../src/config/load.js';
import { tempDir } from './helpers.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ZONES = ['Asia/Tashkent', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'UTC'];

/** What Intl says the wall clock shows, read independently of the module (en-CA prints ISO-like dates). */
function wallClock(timeZone: string, ms: number): { date: string; hour: number; text: string } {
  const f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  const p = Object.fromEntries(f.formatToParts(ms).map((x) => [x.type, x.value]));
  return { date: `${p.year}-${p.month}-${p.day}`, hour: Number(p.hour), text: `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}` };
}

// 2000-01-01 … 2037-12-31: the range a journal will hold.
const instant = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2037, 11, 31) });
const zone = fc.constantFrom(...ZONES);

test('shopDate, shopHour and formatShopDateTime say what Intl says, in every zone', () => {
  fc.assert(
    fc.property(zone, instant, (tz, ms) => {
      const w = wallClock(tz, ms);
      assert.equal(shopDate(tz, ms), w.date);
      assert.equal(shopHour(tz, ms), w.hour);
      assert.equal(formatShopDateTime(tz, ms), w.text);
    }),
    { numRuns: 2_000 },
  );
});

test('shopDay: every instant lies in the day of its own date, and the day is exactly the instants of that date', () => {
  fc.assert(
    fc.property(zone, instant, (tz, ms) => {
      const day = shopDay(tz, shopDate(tz, ms));
      assert.ok(day.from <= ms && ms < day.to, `${tz} ${new Date(ms).toISOString()} outside [${new Date(day.from).toISOString()}, ${new Date(day.to).toISOString()})`);
      assert.equal(wallClock(tz, day.from).date, day.date, 'the first instant is of that date');
      assert.notEqual(wallClock(tz, day.from - 1).date, day.date, 'the instant before is not');
      assert.equal(wallClock(tz, day.to - 1).date, day.date, 'the last instant is of that date');
      assert.notEqual(wallClock(tz, day.to).date, day.date, 'the end is the next date');
    }),
    { numRuns: 500 },
  );
});

test('daylight saving: 23 and 25 hour days, with their hours in order', () => {
  const spring = shopDay('Europe/Berlin', '2026-03-29');
  assert.equal(spring.to - spring.from, 23 * 3_600_000);
  assert.deepEqual(shopHours('Europe/Berlin', spring).map((h) => h.hour), [0, 1, ...Array.from({ length: 21 }, (_, i) => i + 3)]);
  const autumn = shopDay('America/New_York', '2026-11-01');
  assert.equal(autumn.to - autumn.from, 25 * 3_600_000);
  const hours = shopHours('America/New_York', autumn);
  assert.equal(hours.length, 25);
  assert.deepEqual(hours.slice(0, 3).map((h) => h.hour), [0, 1, 1], 'one o’clock twice');
  assert.equal(hours.at(-1)!.to, autumn.to);
  // Tashkent keeps UTC+5 all year: 24 hours from 19:00 UTC.
  const t = shopDay('Asia/Tashkent', '2026-11-23');
  assert.equal(new Date(t.from).toISOString(), '2026-11-22T19:00:00.000Z');
  assert.equal(shopHours('Asia/Tashkent', t).length, 24);
});

test('shopHours cover the day without gap or overlap, each hour starting at its wall-clock hour', () => {
  fc.assert(
    fc.property(zone, instant, (tz, ms) => {
      const day = shopDay(tz, shopDate(tz, ms));
      const hours = shopHours(tz, day);
      assert.equal(hours[0]!.from, day.from);
      assert.equal(hours.at(-1)!.to, day.to);
      for (let i = 1; i < hours.length; i++) assert.equal(hours[i]!.from, hours[i - 1]!.to);
      for (const h of hours) assert.equal(h.hour, wallClock(tz, h.from).hour);
    }),
    { numRuns: 200 },
  );
});

test('shopDaysEndingWith: consecutive days, oldest first, ending with the date asked', () => {
  const days = shopDaysEndingWith('Europe/Berlin', '2026-03-31', 7);
  assert.deepEqual(days.map((d) => d.date), ['2026-03-25', '2026-03-26', '2026-03-27', '2026-03-28', '2026-03-29', '2026-03-30', '2026-03-31']);
  for (let i = 1; i < days.length; i++) assert.equal(days[i]!.from, days[i - 1]!.to);
  fc.assert(
    fc.property(zone, instant, fc.integer({ min: 1, max: 31 }), (tz, ms, count) => {
      const run = shopDaysEndingWith(tz, shopDate(tz, ms), count);
      assert.equal(run.length, count);
      for (const d of run) assert.deepEqual(d, shopDay(tz, d.date));
    }),
    { numRuns: 100 },
  );
});

test('today is the zone’s today; a non-date is a bad request', () => {
  const now = Date.UTC(2026, 10, 25, 20, 0); // 01:00 on the 26th in Tashkent, still the 25th in Berlin
  assert.equal(shopDay('Asia/Tashkent', undefined, now).date, '2026-11-26');
  assert.equal(shopDay('Europe/Berlin', undefined, now).date, '2026-11-25');
  for (const bad of ['2026-02-30', '2026-13-01', '26-11-2026', 'today']) {
    assert.throws(() => shopDay('Asia/Tashkent', bad), (err: unknown) => err instanceof PayBridgeError && err.code === 7 && /is not a calendar date/.test(JSON.stringify(err.extras)));
  }
  assert.equal(isValidTimeZone('Asia/Tashkent'), true);
  assert.equal(isValidTimeZone('Mars/Olympus'), false);
});

test('shop.timezone: Asia/Tashkent by default; a zone Node does not know stops the start with a clear message', () => {
  const dir = tempDir();
  assert.equal(loadConfig({ PAYBRIDGE_DATA_DIR: dir }, dir).config.shop.timezone, 'Asia/Tashkent');
  const file = join(dir, 'bad.yaml');
  writeFileSync(file, 'shop:\n  timezone: Mars/Olympus\n');
  assert.throws(() => loadConfig({ PAYBRIDGE_CONFIG: file, PAYBRIDGE_DATA_DIR: dir }, dir), (err: unknown) => err instanceof ConfigError && /shop\.timezone: "Mars\/Olympus" is not a time zone/.test(err.message));
  writeFileSync(file, 'shop:\n  timezone: Europe/Berlin\n');
  assert.equal(loadConfig({ PAYBRIDGE_CONFIG: file, PAYBRIDGE_DATA_DIR: dir }, dir).config.shop.timezone, 'Europe/Berlin');
});
