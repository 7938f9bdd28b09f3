import { invalidRequest } from '../payments/errors.js';

/**
 * The shop's calendar: days and hours in an IANA time zone, from `Intl.DateTimeFormat` alone. No
 * offset is written here: the zone's rules (and any daylight saving) come from the runtime's tz
 * data, so a shop outside Tashkent, or Uzbekistan changing its clocks, needs no code change.
 */

export const DEFAULT_SHOP_TIMEZONE = 'Asia/Tashkent';

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    // h23: some runtimes print midnight as "24" with hour12: false.
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

function localParts(timeZone: string, ms: number): LocalParts {
  const out: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(ms)) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return { year: out.year!, month: out.month!, day: out.day!, hour: out.hour!, minute: out.minute!, second: out.second! };
}

const two = (n: number) => String(n).padStart(2, '0');
const dateOf = (p: LocalParts) => `${String(p.year).padStart(4, '0')}-${two(p.month)}-${two(p.day)}`;

/** Whether the runtime knows this IANA zone name. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** The shop's calendar date at `ms`, "YYYY-MM-DD". */
export function shopDate(timeZone: string, ms: number): string {
  return dateOf(localParts(timeZone, ms));
}

/** The shop's hour of the day at `ms`, 0..23. */
export function shopHour(timeZone: string, ms: number): number {
  return localParts(timeZone, ms).hour;
}

/** The shop's wall-clock time at `ms`, "YYYY-MM-DD HH:mm:ss" (what the CLI prints). */
export function formatShopDateTime(timeZone: string, ms: number): string {
  const p = localParts(timeZone, ms);
  return `${dateOf(p)} ${two(p.hour)}:${two(p.minute)}:${two(p.second)}`;
}

/** Whether "YYYY-MM-DD" names a day of the Gregorian calendar (2026-02-30 does not). */
export function isCalendarDate(date: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // A calendar question, not a time-zone one: UTC only tells whether the day rolled over.
  const probe = new Date(Date.UTC(y, mo - 1, d));
  return probe.getUTCFullYear() === y && probe.getUTCMonth() === mo - 1 && probe.getUTCDate() === d;
}

/** The width any zone's offset stays within (UTC−12 … UTC+14), with room to spare. */
const SEARCH_SPAN_MS = 30 * 3_600_000;

/**
 * The first instant at which the shop's date is `date` or later: found by bisection on what Intl
 * says, so a day that starts at 01:00 (daylight saving at midnight) starts when it really does.
 */
function startOfShopDate(timeZone: string, date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const near = Date.UTC(y, m - 1, d);
  let lo = near - SEARCH_SPAN_MS; // surely before the day
  let hi = near + SEARCH_SPAN_MS; // surely within or after it
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (shopDate(timeZone, mid) >= date) hi = mid;
    else lo = mid;
  }
  return hi;
}

/**
 * [from, to) in epoch ms of one calendar day of the shop, "YYYY-MM-DD"; today when `date` is
 * absent. 23 or 25 hours long on a daylight-saving day. A non-date is a bad request.
 */
export function shopDay(timeZone: string, date?: string, now: number = Date.now()): { date: string; from: number; to: number } {
  const day = date ?? shopDate(timeZone, now);
  if (!isCalendarDate(day)) throw invalidRequest([`date: ${day} is not a calendar date`]);
  const from = startOfShopDate(timeZone, day);
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const next = new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
  return { date: day, from, to: startOfShopDate(timeZone, next) };
}

/** The shop day before `date` ("YYYY-MM-DD"): the one that ends where `date` starts (23 or 25 hours long on a daylight-saving day). */
export function previousShopDate(timeZone: string, date: string): string {
  return shopDate(timeZone, startOfShopDate(timeZone, date) - 1);
}

/** The shop days ending with `date`, `count` of them, oldest first. */
export function shopDaysEndingWith(timeZone: string, date: string, count: number): { date: string; from: number; to: number }[] {
  const days = [shopDay(timeZone, date)];
  while (days.length < count) {
    // Each day ends where the next one starts: only its start is looked for.
    const next = days[0]!;
    const previous = previousShopDate(timeZone, next.date);
    days.unshift({ date: previous, from: startOfShopDate(timeZone, previous), to: next.from });
  }
  return days;
}

/**
 * The local hours of a shop day, in order: an hour of wall-clock time is an hour of elapsed time,
 * so they are one hour apart from the day's start (23 of them when the clocks go forward, 25 when
 * they go back; the last one ends with the day).
 */
export function shopHours(timeZone: string, day: { from: number; to: number }): { hour: number; from: number; to: number }[] {
  const hours: { hour: number; from: number; to: number }[] = [];
  for (let from = day.from; from < day.to; from += 3_600_000) hours.push({ hour: shopHour(timeZone, from), from, to: Math.min(from + 3_600_000, day.to) });
  return hours;
}
