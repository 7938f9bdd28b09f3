/**
 * A deliberate regression, to prove that the CI gate catches one (docs/performance.md, "The CI
 * gate"). Loaded into a PayBridge process (`node --import <this file> dist/main.js`), it makes every
 * Click payment do one more durable journal write: one more timeline step is journaled, just before
 * the payment is recorded as succeeded, in a write (and so a COMMIT, an fsync) of its own, before the
 * till is answered. That is what a careless change to the payment path would add; nothing else changes.
 *
 * Loaded only when asked for: by test/bench-gate.test.ts, or by the bench when
 * PAYBRIDGE_BENCH_REGRESSION=extra-journal-write (bench/lib/children.ts). Never in production.
 */
const { SqliteJournal } = await import(new URL('../../dist/journal/sqlite/sqlite-journal.js', import.meta.url).href);

const transition = SqliteJournal.prototype.transition;
SqliteJournal.prototype.transition = async function transitionAndOneMoreWrite(id, from, to, patch, step, fence, options) {
  // A settled row is nobody's to write any more (its claim goes with the final status), so the extra
  // step is journaled just before the success, under the same claim, in a write of its own.
  if (from !== 'succeeded' && to === 'succeeded') {
    const row = await this.get(id);
    if (row?.method === 'click' && row.kind === 'payment') await transition.call(this, id, from, from, {}, { step: 'recorded_again' }, fence);
  }
  return transition.call(this, id, from, to, patch, step, fence, options);
};
