import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { COUNT_TOLERANCE, improvements, meetsTarget, regressions, type Figure } from '../bench/lib/report.js';

const figure = (over: Partial<Figure>): Figure => ({ scenario: 1, name: 'f', value: 1, unit: 'ms', ratio: 1, ratioOf: 'x', ...over });
const count = (name: string, value: number, over: Partial<Figure> = {}): Figure =>
  figure({ name, value, ratio: value, unit: '/payment', ratioOf: 'per payment', lowerIsBetter: true, gate: 'count', ...over });

/** The committed baseline: what CI's bench:check compares with. */
const baseline = (JSON.parse(readFileSync(new URL('../bench/baseline.json', import.meta.url), 'utf8')) as { figures: Figure[] }).figures;
const gated = baseline.filter((f) => f.gate === 'count');
const byName = (figures: Figure[], scenario: number, name: string) => figures.find((f) => f.scenario === scenario && f.name === name)!;

/** A run that did the baseline's work, with every time `slower` times the baseline's (rates `slower` times lower). */
function run(slower: number, work: (f: Figure) => number = (f) => f.value): Figure[] {
  return baseline.map((f) => {
    if (f.gate === 'count') return { ...f, value: work(f), ratio: work(f) };
    const worse = f.lowerIsBetter === false || f.unit === '/s' ? 1 / slower : slower;
    return { ...f, value: f.value * worse, ratio: f.ratio * worse };
  });
}

describe('the benchmark check', () => {
  test('the baseline gates counts of work per payment, durable commits among them, and no time', () => {
    const names = gated.map((f) => `${f.scenario} ${f.name}`);
    for (const name of ['1 durable commits per payment, one at a time', '1 journal writes per payment', '1 SQL statements per payment', '1 log lines per payment', '2 journal writes per payment']) {
      assert.ok(names.includes(name), `${name} is gated (gated: ${names.join('; ')})`);
    }
    for (const f of gated) assert.ok(f.unit.endsWith('/payment') && f.value > 0, `${f.name} is a count per payment`);
    for (const f of baseline.filter((f) => ['ms', '/s', 'MB'].includes(f.unit))) assert.notEqual(f.gate, 'count', `${f.name}: a time or a rate is never gated`);
    for (const name of ['overhead p50 (ms)', 'overhead p99 (ms)', 'CPU time per payment (ms)']) assert.notEqual(byName(baseline, 1, name).gate, 'count');
    assert.notEqual(byName(baseline, 2, 'durable payments/s').gate, 'count');
  });

  test('the same work five times slower passes: the disk and the CPU of the moment decide times, not the code', () => {
    assert.deepEqual(regressions(run(5), baseline), []);
    assert.deepEqual(regressions(run(50), baseline), []);
  });

  test('one more durable commit per Click payment fails, however fast the run', () => {
    // What an extra journal write does to the counts: one more write and COMMIT per payment, and
    // its statements (SAVEPOINT, UPDATE, the timeline INSERT, the read-back, RELEASE).
    const extraWrite = (f: Figure) => {
      if (f.name === 'journal writes per payment' || f.name === 'durable commits per payment, one at a time') return f.value + 1;
      if (f.name === 'SQL statements per payment') return f.value + 5;
      return f.value;
    };
    for (const slower of [1, 0.5, 5]) {
      const failed = regressions(run(slower, extraWrite), baseline).map((r) => `${r.scenario} ${r.name}`);
      assert.ok(failed.includes('1 durable commits per payment, one at a time'), `at ${slower}× the times: ${failed.join('; ')}`);
      assert.ok(failed.includes('1 journal writes per payment') && failed.includes('2 journal writes per payment'));
    }
    // One more commit alone is enough.
    const commitOnly = (f: Figure) => (f.name === 'durable commits per payment, one at a time' ? f.value + 1 : f.value);
    assert.deepEqual(
      regressions(run(1, commitOnly), baseline).map((r) => r.name),
      ['durable commits per payment, one at a time'],
    );
  });

  test('a count is allowed its tolerance and no more; fewer is never a failure, only a baseline to move', () => {
    const base = [count('statements', 11), count('log bytes', 600, { tolerance: 0.15 })];
    assert.deepEqual(regressions([count('statements', 11 * (1 + COUNT_TOLERANCE) - 0.01), count('log bytes', 689)], base), []);
    const worse = regressions([count('statements', 12), count('log bytes', 691)], base);
    assert.deepEqual(
      worse.map((w) => w.name),
      ['statements', 'log bytes'],
    );
    assert.match(worse[0]!.text, /12\.000 against the baseline's 11\.000 \(\+9\.1 %/);
    assert.deepEqual(regressions([count('statements', 5), count('log bytes', 100)], base), []);
    assert.deepEqual(improvements([count('statements', 5), count('log bytes', 590)], base), ['1 statements: 5.000 (baseline 11.000)']);
  });

  test('a gated count the run did not measure fails: a broken counter must not turn the gate off', () => {
    const base = [count('statements', 11), count('log lines', 3)];
    assert.deepEqual(
      regressions([count('statements', 11)], base).map((r) => r.name),
      ['log lines'],
    );
    assert.match(regressions([count('statements', NaN), count('log lines', 3)], base)[0]!.text, /not measured/);
  });

  test('figures that are not gated counts never fail it, however much worse', () => {
    const base = [figure({ name: 'p50', ratio: 6.5, lowerIsBetter: true, gate: false }), figure({ name: 'old-style ratio', ratio: 0.6 })];
    assert.deepEqual(regressions([figure({ name: 'p50', ratio: 51.5, lowerIsBetter: true }), figure({ name: 'old-style ratio', ratio: 0.01 })], base), []);
  });

  test('targets: a maximum, or a minimum that a ratio may stand in for', () => {
    assert.equal(meetsTarget(figure({ value: 1.4, target: { max: 1.5 } })), true);
    assert.equal(meetsTarget(figure({ value: 1.6, target: { max: 1.5 } })), false);
    assert.equal(meetsTarget(figure({ value: 1_800, ratio: 0.5, target: { min: 2_000, orRatio: 0.4 } })), true);
    assert.equal(meetsTarget(figure({ value: 1_800, ratio: 0.3, target: { min: 2_000, orRatio: 0.4 } })), false);
    assert.equal(meetsTarget(figure({})), null);
  });
});
