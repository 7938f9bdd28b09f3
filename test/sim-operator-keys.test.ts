import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { nextOperatorKey, type OperatorKey } from './sim/sim.js';

/**
 * The simulated operator's console reuses its last key for another request now and then (issue #24,
 * defect 3): PayBridge must refuse it (106). It must never reuse a key for a request that key was
 * already used for — to PayBridge that is a retry, rightly answered with the first request's answer,
 * which the checker would take for another request's (seed 1413041475, request #48091).
 */
describe("the simulated operator's keys", () => {
  // A console that reuses whenever it may, and whose new keys are numbered.
  let n = 0;
  const always = { chance: () => true, hex: () => String(++n).padStart(12, '0') };

  test('a key is reused for another request', () => {
    const a = nextOperatorKey(undefined, 'refund t1 all', always);
    const b = nextOperatorKey(a, 'resolve t2 {}', always);
    assert.equal(b.key, a.key);
  });

  test('the same request as the last one gets a new key (a reuse, not a retry, is what is tested)', () => {
    const a = nextOperatorKey(undefined, 'refund t1 all', always);
    assert.notEqual(nextOperatorKey(a, 'refund t1 all', always).key, a.key);
  });

  test('a key used for a refund, then a decision, is not reused for that refund again', () => {
    const refund = nextOperatorKey(undefined, 'refund t83602 all', always);
    const decision = nextOperatorKey(refund, 'resolve t9 {"status":"failed"}', always);
    assert.equal(decision.key, refund.key);
    const again: OperatorKey = nextOperatorKey(decision, 'refund t83602 all', always);
    assert.notEqual(again.key, refund.key, 'the same key with the same refund would be a retry of the first refund');
    assert.deepEqual([...again.used], ['refund t83602 all']);
  });
});
