/**
 * `npm run bench`: the six scenarios of docs/performance.md against 127.0.0.1 only, each bounded in
 * time and count. Prints a table and writes bench/results.json; every time has a ratio measured
 * in the same run beside its absolute value, because these machines are shared and noisy, and
 * scenarios 1 and 2 count the work PayBridge does per payment (bench/lib/work.ts).
 *
 *   --quick              shorter runs (CI)
 *   --only 1,2           some scenarios
 *   --check FILE         exit 1 when a count of work per payment grew beyond its tolerance against
 *                        FILE (times are compared and printed, never judged; docs/performance.md)
 *   --out FILE           where to write the results (default bench/results.json)
 *   --journal-size N     transactions in the journal of scenarios 4 and 5 (default 1000000)
 *   scenario 7 (PostgreSQL journal) runs only when asked (--only 7) and a server is given
 *                        (PAYBRIDGE_BENCH_POSTGRES_URL or PAYBRIDGE_TEST_POSTGRES_URL)
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { concurrency, durableThroughput, gatewayOverhead } from './scenarios/qr.js';
import { postgresJournal } from './scenarios/postgres.js';
import { buildLargeJournal, journalScale, pinpad, startup } from './scenarios/scale.js';
import { comparison, improvements, machine, meetsTarget, regressions, table, type BenchContext, type Figure } from './lib/report.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    check: { type: 'string' },
    out: { type: 'string', default: new URL('./results.json', import.meta.url).pathname },
    'journal-size': { type: 'string', default: '1000000' },
  },
});
const only = values.only ? new Set(values.only.split(',').map(Number)) : undefined;
const wanted = (n: number) => !only || only.has(n);
const problems: string[] = [];
let nextPort = 19_000 + (process.pid % 500) * 20;
const ctx: BenchContext = {
  quick: values.quick!,
  port: () => nextPort++,
  check: (ok, problem) => void (ok || problems.push(problem)),
};

const figures: Figure[] = [];
const runners = new Map<number, () => Promise<Figure[]>>();
const step = async (n: number, title: string, run: () => Promise<Figure[]>) => {
  if (!wanted(n)) return;
  runners.set(n, run);
  process.stderr.write(`scenario ${n}: ${title}…\n`);
  const started = performance.now();
  figures.push(...(await run()));
  process.stderr.write(`  done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
};

await step(1, 'gateway overhead', () => gatewayOverhead(ctx));
await step(2, 'durable throughput', () => durableThroughput(ctx));
await step(3, 'concurrency', () => concurrency(ctx));
if (wanted(4) || wanted(5)) {
  const size = Number(values['journal-size']);
  process.stderr.write(`building a journal of ${size} transactions…\n`);
  const large = await buildLargeJournal(size);
  try {
    await step(4, 'start-up', () => startup(ctx, large));
    await step(5, 'journal scale', () => journalScale(ctx, large));
  } finally {
    rmSync(large.dir, { recursive: true, force: true });
  }
}
await step(6, 'pinpad path', () => pinpad(ctx));
// Asked for by name only: it needs a PostgreSQL server, which the default run and bench:check do not have.
if (only?.has(7)) await step(7, 'PostgreSQL journal', () => postgresJournal(ctx));

process.stdout.write(`\n${table(figures)}\n`);
writeFileSync(values.out!, `${JSON.stringify({ at: new Date().toISOString(), machine: machine(), quick: ctx.quick, figures }, null, 2)}\n`);
process.stdout.write(`\nresults: ${values.out}\n`);
const missed = figures.filter((f) => meetsTarget(f) === false);
if (missed.length) process.stdout.write(`targets missed: ${missed.map((f) => `${f.scenario} ${f.name}`).join('; ')} (see docs/performance.md)\n`);

if (values.check) {
  const baseline = (JSON.parse(readFileSync(values.check, 'utf8')) as { figures: Figure[] }).figures;
  process.stdout.write(`\nagainst ${values.check} (only the gated counts can fail the check):\n${comparison(figures, baseline)}\n`);
  let worse = regressions(figures, baseline);
  // Counts do not depend on the machine's speed, but something rare (an hourly pass, a stray
  // request) can land in a short run: a scenario whose counts grew is measured once more, and only
  // growth seen both times fails the check.
  const again = [...new Set(worse.map((w) => w.scenario))];
  if (again.length) {
    process.stderr.write(`scenario ${again.join(', ')}: more work per payment than the baseline; measuring again…\n`);
    const second: Figure[] = [];
    for (const n of again) second.push(...(await runners.get(n)!()));
    const confirmed = new Set(regressions(second, baseline).map((w) => `${w.scenario} ${w.name}`));
    worse = worse.filter((w) => confirmed.has(`${w.scenario} ${w.name}`));
  }
  const fewer = improvements(figures, baseline);
  if (fewer.length) process.stdout.write(`less work than the baseline (move it down: see docs/performance.md, "The CI gate"): ${fewer.join('; ')}\n`);
  if (worse.length) problems.push(...worse.map((w) => `regression: ${w.text}`));
  else process.stdout.write(`no count of work per payment grew beyond its tolerance against ${values.check}\n`);
}
if (problems.length) {
  process.stderr.write(`\n${problems.join('\n')}\n`);
  process.exit(1);
}
