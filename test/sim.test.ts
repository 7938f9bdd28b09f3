import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { describe, test } from 'node:test';
import { Simulation, type SimResult } from './sim/sim.js';

/**
 * The deterministic simulator (test/sim/, docs/simulation.md) as part of `npm test`: a few short runs
 * of the whole domain — one, two and three PayBridge processes on one SQLite journal, every fault —
 * with fixed seeds and a fresh one, each checked against every invariant; and a replay, which must
 * take exactly the same path. CI runs it longer (`npm run test:sim -- --ops 100000`) and checks that
 * the defects it exists to find are found (`npm run test:sim:mutants`).
 */

function explain(r: SimResult): string {
  return r.ok ? '' : `seed ${r.seed}: ${r.violation!.message}\n(replay: npm run test:sim -- --seed ${r.seed} --ops <as here>)\n${r.violation!.trace}`;
}

describe('the simulator', () => {
  for (const [seed, instances] of [
    [1, 1],
    [2, 2],
    [3, 3],
  ] as const) {
    test(`seed ${seed}, ${instances} process${instances > 1 ? 'es' : ''} on one journal: every invariant holds over 2,000 operations`, async () => {
      const r = await new Simulation({ seed, ops: 2_000, instances }).run();
      assert.ok(r.ok, explain(r));
      assert.ok(r.ops >= 2_000);
    });
  }

  test('a fresh seed every run: every invariant holds over 3,000 operations', async (t) => {
    const seed = randomInt(2 ** 31);
    t.diagnostic(`seed ${seed}`);
    const r = await new Simulation({ seed, ops: 3_000 }).run();
    assert.ok(r.ok, explain(r));
  });

  test('a seed replays exactly: the same events, the same trace', async () => {
    const first = await new Simulation({ seed: 424242, ops: 800 }).run();
    const again = await new Simulation({ seed: 424242, ops: 800 }).run();
    assert.ok(first.ok, explain(first));
    assert.equal(again.steps, first.steps);
    assert.equal(again.digest, first.digest);
  });
});
