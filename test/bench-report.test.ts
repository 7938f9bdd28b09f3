import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { meetsTarget, regressions, type Figure } from '../bench/lib/report.js';

const figure = (over: Partial<Figure>): Figure => ({ scenario: 1, name: 'f', value: 1, unit: 'ms', ratio: 1, ratioOf: 'x', ...over });

describe('the benchmark regression check', () => {
  test('a ratio more than 30 % worse than the baseline fails it, in the direction that is worse', () => {
    const base = [figure({ name: 'overhead', ratio: 5, lowerIsBetter: true }), figure({ scenario: 2, name: 'throughput', ratio: 0.6 })];
    assert.deepEqual(regressions([figure({ name: 'overhead', ratio: 6.4, lowerIsBetter: true }), figure({ scenario: 2, name: 'throughput', ratio: 0.43 })], base), []);
    const worse = regressions([figure({ name: 'overhead', ratio: 6.6, lowerIsBetter: true }), figure({ scenario: 2, name: 'throughput', ratio: 0.41 })], base);
    assert.deepEqual(
      worse.map((w) => `${w.scenario} ${w.name}`),
      ['1 overhead', '2 throughput'],
    );
    assert.match(worse[0]!.text, /ratio 6\.600 against the baseline's 5\.000/);
    // Better is never a regression.
    assert.deepEqual(regressions([figure({ name: 'overhead', ratio: 1, lowerIsBetter: true }), figure({ scenario: 2, name: 'throughput', ratio: 3 })], base), []);
  });

  test('figures marked gate: false are reported but never fail it; figures missing from a run are not judged', () => {
    const base = [figure({ name: 'p99', ratio: 5, lowerIsBetter: true, gate: false }), figure({ name: 'gone', ratio: 1 })];
    assert.deepEqual(regressions([figure({ name: 'p99', ratio: 500, lowerIsBetter: true })], base), []);
  });

  test('targets: a maximum, or a minimum that a ratio may stand in for', () => {
    assert.equal(meetsTarget(figure({ value: 1.4, target: { max: 1.5 } })), true);
    assert.equal(meetsTarget(figure({ value: 1.6, target: { max: 1.5 } })), false);
    assert.equal(meetsTarget(figure({ value: 1_800, ratio: 0.5, target: { min: 2_000, orRatio: 0.4 } })), true);
    assert.equal(meetsTarget(figure({ value: 1_800, ratio: 0.3, target: { min: 2_000, orRatio: 0.4 } })), false);
    assert.equal(meetsTarget(figure({})), null);
  });
});
