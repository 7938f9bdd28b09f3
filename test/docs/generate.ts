// `npm run docs:examples`: records what a sandbox PayBridge really answers to the docs' script
// (test/docs/scenarios.ts) into src/http/openapi-examples.data.ts, the examples of /docs. A TypeScript
// module of JSON rather than a .json file: it builds into dist like any source and loads on every
// Node 20 without the JSON-module warning of the older ones.
import { writeFileSync } from 'node:fs';
import { startTestBridge } from '../helpers.js';
import { recordExamples } from './record.js';
import { docsConfig } from './scenarios.js';

const OUT = new URL('../../src/http/openapi-examples.data.ts', import.meta.url);

/** Replaces every distinct match by a fixed stand-in, the n-th distinct value (in `order`) by `standIn(n)`. */
function replaceEach(text: string, pattern: RegExp, standIn: (n: number) => string, order?: (a: string, b: string) => number): string {
  const found = [...new Set(text.match(pattern) ?? [])];
  if (order) found.sort(order);
  const fixed = new Map(found.map((value, n) => [value, standIn(n + 1)]));
  return text.replace(pattern, (value) => fixed.get(value)!);
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** Today's date as the sandbox prints it in slips and answers (UTC and Tashkent), and its fixed stand-ins. */
function todaysDates(): [string, string][] {
  const forms = (y: string, m: string, d: string): string[] => [`${y}-${m}-${d}`, `${d}.${m}.${y}`, `${d}/${m}/${y.slice(2)}`, `${y}${m}${d}`];
  const fixed = forms('2026', '11', '26');
  const pairs: [string, string][] = [];
  for (const timeZone of ['UTC', 'Asia/Tashkent']) {
    const parts = Object.fromEntries(new Intl.DateTimeFormat('en', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(Date.now()).map((p) => [p.type, p.value]));
    forms(parts.year!, parts.month!, parts.day!).forEach((form, i) => pairs.push([form, fixed[i]!]));
  }
  return pairs;
}

/**
 * The answers are kept as the sandbox gave them except what would change the file on every run with
 * nothing changed: ids, times and the emulators' random numbers. Each distinct value becomes a fixed
 * stand-in, the same one wherever it recurs (a payment's id in a later request still matches its
 * answer): UUIDs, Payme’s receipt ids, 12-digit RRNs (not phone numbers, 998…), authorization codes, the emulators' loopback
 * ports; the times of events become 26 Nov 2026, one second apart in the order they happened (ISO,
 * epoch ms; slips all print 10:15:00), a day's or hour's boundary keeps its time of day; today's date
 * becomes 26 Nov 2026.
 */
function normalise(json: string): string {
  // A cursor is base64url of "epoch ms:uuid": opened here, normalised like the rest, closed again below.
  let out = json.replace(/"next_cursor": "([A-Za-z0-9_-]+)"/g, (_all, cursor: string) => `"next_cursor": "<cursor ${Buffer.from(cursor, 'base64url').toString('utf8')}>"`);
  const uuid = /\b(?!00000000-0000-4000-8000-000000000000)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g;
  out = replaceEach(out, uuid, (n) => `d0c5e7a0-0000-4000-8000-${pad(n, 12)}`);
  out = replaceEach(out, /\b[0-9a-f]{24}\b/g, (n) => `6a0c00000000000000${pad(n, 6)}`);
  out = replaceEach(out, /(?<=127\.0\.0\.1:)\d+/g, (n) => String(18000 + n));
  const base = Date.parse('2026-11-26T05:00:00.000Z');
  const byTime = (a: string, b: string) => Date.parse(a) - Date.parse(b);
  // A time on a whole minute is a boundary (a shop day's or hour's start), not an event: moved by
  // whole days to 26 Nov 2026, keeping its time of day, so the days and hours still line up.
  const boundary = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00(\.000)?Z/g;
  const days = Math.round((Date.parse('2026-11-26T00:00:00Z') - Date.parse(`${new Date().toISOString().slice(0, 10)}T00:00:00Z`)) / 86_400_000);
  const boundaries: string[] = [];
  out = out.replace(boundary, (found) => `<boundary ${boundaries.push(new Date(Date.parse(found) + days * 86_400_000).toISOString()) - 1}>`);
  out = replaceEach(out, /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z/g, (n) => new Date(base + n * 1000).toISOString(), byTime);
  out = out.replace(/<boundary (\d+)>/g, (_all, i: string) => boundaries[Number(i)]!);
  out = replaceEach(out, /\b17\d{11}\b/g, (n) => String(base + n * 1000), (a, b) => Number(a) - Number(b));
  // A run's slips fall within a second or two of each other: one clock time for them all.
  out = out.replace(/(?<![\dT])\d{2}:\d{2}:\d{2}\b/g, '10:15:00');
  out = replaceEach(out, /(?<![-=])\b(?!998)\d{12}\b/g, (n) => `6000000${pad(n, 5)}`);
  out = replaceEach(out, /(?<=Код авториз[^:]{0,8}:\s?)\d{6}\b/g, (n) => pad(100_000 + n, 6));
  for (const [today, fixed] of todaysDates()) out = out.split(today).join(fixed);
  return out.replace(/<cursor ([^>]+)>/g, (_all, cursor: string) => Buffer.from(cursor, 'utf8').toString('base64url'));
}

const bridge = await startTestBridge(docsConfig);
try {
  const routes = await recordExamples(bridge);
  const document = { generated_by: 'npm run docs:examples (test/docs/generate.ts): what a sandbox PayBridge answered to test/docs/scenarios.ts', routes };
  const header = [
    '// Written by `npm run docs:examples` (test/docs/generate.ts); do not edit by hand: change the script and run it again.',
    "import type { RecordedFile } from './openapi-examples.js';",
    '',
    'export const RECORDED: RecordedFile = ',
  ].join('\n');
  writeFileSync(OUT, `${header}${normalise(JSON.stringify(document, null, 2))};\n`);
  const count = Object.values(routes).reduce((n, list) => n + list.length, 0);
  process.stdout.write(`${count} examples of ${Object.keys(routes).length} routes written to src/http/openapi-examples.data.ts\n`);
} finally {
  await bridge.close();
}
