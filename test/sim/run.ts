/**
 * The deterministic simulator of the whole domain (issue #24, item 6; docs/simulation.md):
 *
 *   npm run test:sim -- --seed 42 --ops 100000     one run; a failure prints its seed and trace
 *   npm run test:sim -- --ops 20000                a fresh seed (printed first)
 *   npm run test:sim -- --seed 42 --ops 5000 --replay   the run twice: the same trace, or a failure
 *   npm run test:sim -- --seeds 20 --ops 3000      twenty consecutive seeds from --seed
 *
 * Options: --instances 1|2|3 (drawn from the seed otherwise), --quiet-every N (operations between
 * quiet periods), --trace N (lines kept), --progress, --dump FILE (every kept trace line),
 * --coverage (the outcome tables' rows never used), --proxy-retries, --wild-clocks and --clock-steps (faults PayBridge does not survive yet: docs/simulation.md).
 */
import { randomInt } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Simulation, type SimOptions, type SimResult } from './sim.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}
const flag = (name: string) => process.argv.includes(`--${name}`);
const num = (name: string, fallback: number) => {
  const v = arg(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`--${name}: a whole number, not ${v}`);
  return n;
};

export function describe(r: SimResult): string {
  const secs = r.wallMs / 1000;
  return `${r.ops} ops (${r.steps} events, ${(r.virtualMs / 3_600_000).toFixed(2)} virtual hours, ${r.instances} instance${r.instances > 1 ? 's' : ''}) in ${secs.toFixed(1)} s: ${Math.round(r.ops / secs)} ops/s, ${Math.round(r.steps / secs)} events/s; trace ${r.digest}`;
}

async function main(): Promise<number> {
  const first = arg('seed') !== undefined ? num('seed', 0) : randomInt(2 ** 31);
  const seeds = num('seeds', 1);
  const base: Omit<SimOptions, 'seed'> = {
    ops: num('ops', 10_000),
    ...(arg('instances') !== undefined ? { instances: num('instances', 1) } : {}),
    ...(arg('quiet-every') !== undefined ? { quietEvery: num('quiet-every', 2_500) } : {}),
    ...(arg('trace') !== undefined ? { traceLines: num('trace', 20_000) } : {}),
    progress: flag('progress'),
    proxyRetries: flag('proxy-retries'),
    wildClocks: flag('wild-clocks'),
    clockSteps: flag('clock-steps'),
  };
  let totalOps = 0;
  let totalMs = 0;
  for (let seed = first; seed < first + seeds; seed++) {
    const replay = `npm run test:sim -- --seed ${seed} --ops ${base.ops}${base.instances ? ` --instances ${base.instances}` : ''}${base.quietEvery ? ` --quiet-every ${base.quietEvery}` : ''}${base.proxyRetries ? ' --proxy-retries' : ''}${base.wildClocks ? ' --wild-clocks' : ''}${base.clockSteps ? ' --clock-steps' : ''}`;
    console.log(`seed ${seed}, ${base.ops} ops  (replay: ${replay})`);
    const sim = new Simulation({ ...base, seed });
    console.log(`  ${sim.describeConfig()}`);
    const result = await sim.run();
    if (arg('dump')) writeFileSync(arg('dump')!, result.dump());
    totalOps += result.ops;
    totalMs += result.wallMs;
    if (!result.ok) {
      console.log(`\nFAILED, seed ${seed}: ${result.violation!.message}\n`);
      console.log(`trace (what led there; times are virtual, from the start of the run):\n${result.violation!.trace}\n`);
      console.log(`stats: ${JSON.stringify(result.stats)}`);
      console.log(`\nFAILED after ${describe(result)}\nreplay: ${replay}`);
      return 1;
    }
    console.log(`ok: ${describe(result)}`);
    console.log(`  stats: ${JSON.stringify(result.stats)}`);
    const c = result.coverage;
    console.log(`  outcome tables: ${c.hit} of ${c.rows} rows used (answers no row names: ${c.undocumented})${flag('coverage') ? `; never used:\n    ${c.missed.join('\n    ')}` : ''}`);
    if (flag('replay')) {
      const again = await new Simulation({ ...base, seed }).run();
      if (again.digest !== result.digest || again.ok !== result.ok) {
        console.log(`REPLAY DIFFERS for seed ${seed}: ${result.digest} then ${again.digest}`);
        return 1;
      }
      console.log(`  replayed: the same ${again.steps} events, trace ${again.digest}`);
    }
  }
  if (seeds > 1) console.log(`all ${seeds} seeds ok: ${totalOps} ops in ${(totalMs / 1000).toFixed(1)} s, ${Math.round(totalOps / (totalMs / 1000))} ops/s`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(2);
  },
);
