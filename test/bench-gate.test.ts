/**
 * The CI benchmark gate (bench:check) against a real PayBridge: the work it counts per payment is
 * counted in the running process, an extra durable journal write per payment fails the check, and
 * the same work done more slowly does not. Nothing here depends on how fast the machine is: the
 * payments go one at a time and only counts are asserted.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { startBridgeProcess, startEmulatorProcess, type EmulatorProcess } from '../bench/lib/children.js';
import { oneAtATime } from '../bench/lib/load.js';
import { regressions, type Figure } from '../bench/lib/report.js';
import { counterProblems, oneAtATimeFigure, probeWork, workFigures, type PaymentWork } from '../bench/lib/work.js';

const REGRESSION = new URL('../bench/regressions/extra-journal-write.mjs', import.meta.url).href;
const PAYMENTS = 100;
let port = 21_000 + (process.pid % 400) * 10;

/** PayBridge (dist/main.js, as the bench runs it) with the work counter; PAYMENTS Click payments one at a time. */
async function measure(emulators: EmulatorProcess, tag: string, extraArgs: string[] = []): Promise<{ work: PaymentWork; figures: Figure[] }> {
  const bridge = await startBridgeProcess({ port: port++, click: emulators.click, countWork: true, extraArgs });
  try {
    // One payment first, so that what runs once per process (first statements, first log lines) is not counted.
    assert.equal(await oneAtATime(`${bridge.url}/payment/click`, 1, () => JSON.stringify({ amount: 500, qr_code: `880100${process.pid}${tag}000000` })), 0);
    const probe = await probeWork(bridge.process, bridge.url);
    const body = (n: number) => JSON.stringify({ amount: 500, qr_code: `8801${process.pid}${tag}${String(n).padStart(6, '0')}` });
    assert.equal(await oneAtATime(`${bridge.url}/payment/click`, PAYMENTS, body), 0, 'every payment succeeds');
    const work = await probe.end();
    assert.deepEqual(counterProblems(work), []);
    return { work, figures: [...workFigures(1, work, { everyRequestAnswered: true }), oneAtATimeFigure(1, work)] };
  } finally {
    await bridge.stop();
    rmSync(bridge.dataDir, { recursive: true, force: true });
  }
}

const value = (figures: Figure[], name: string) => figures.find((f) => f.name === name)!.value;

describe('the benchmark gate, against a real PayBridge', () => {
  let emulators: EmulatorProcess;
  let normal: { work: PaymentWork; figures: Figure[] };
  let again: { work: PaymentWork; figures: Figure[] };
  let regressed: { work: PaymentWork; figures: Figure[] };

  before(async () => {
    emulators = await startEmulatorProcess(0);
    normal = await measure(emulators, '1');
    again = await measure(emulators, '2');
    regressed = await measure(emulators, '3', ['--import', REGRESSION]);
  });
  after(() => emulators?.stop());

  test('the work is counted in the running process: payments, journal writes, commits, statements, log lines, CLICK calls', () => {
    const { work } = normal;
    assert.equal(work.payments, PAYMENTS, 'the succeeded payments PayBridge counted in /metrics');
    // CLICK's confirmation mode (the default, issue #25): the mode switched on, the charge (processing
    // until confirmed), its confirmation, and the status that then shows it paid.
    assert.equal(work.providerCalls, 4 * PAYMENTS, 'four CLICK calls each');
    // One payment at a time, no two journal writes of different payments can share a COMMIT (the
    // background passes run hourly in a counted PayBridge).
    assert.ok(work.work.commits <= work.work.journalWrites && work.work.commits >= PAYMENTS, `${work.work.commits} commits for ${work.work.journalWrites} writes`);
    assert.ok(work.work.journalWrites >= PAYMENTS, 'at least one journal write per payment');
    assert.ok(work.work.statements > work.work.commits + work.work.begins + work.work.savepoints, 'and statements inside them');
    // No write failed, so no batch was run again in savepoints.
    assert.equal(work.work.savepoints, 0);
    assert.ok(work.work.logLines >= PAYMENTS, 'at least one log line per payment');
    assert.ok(work.work.cpuMicros > 0 && work.work.heapBytes > 0);
  });

  test('one more durable journal write per Click payment fails the check', () => {
    const more = (name: string) => value(regressed.figures, name) - value(normal.figures, name);
    // The regression adds exactly one write, and with it one COMMIT (an fsync), per payment.
    assert.ok(Math.abs(more('journal writes per payment') - 1) < 0.15, `journal writes: +${more('journal writes per payment')}`);
    assert.ok(Math.abs(more('durable commits per payment, one at a time') - 1) < 0.15, `commits: +${more('durable commits per payment, one at a time')}`);
    const failed = regressions(regressed.figures, normal.figures).map((r) => r.name);
    assert.ok(failed.includes('durable commits per payment, one at a time'), `failed on: ${failed.join(', ')}`);
    assert.ok(failed.includes('journal writes per payment'));
    assert.ok(failed.includes('SQL statements per payment'));
  });

  test('the same PayBridge measured again, in another process, passes', (t) => {
    for (const f of normal.figures) t.diagnostic(`${f.name}: ${f.value.toFixed(3)}, again ${value(again.figures, f.name).toFixed(3)}, with the regression ${value(regressed.figures, f.name).toFixed(3)}`);
    assert.deepEqual(regressions(again.figures, normal.figures), []);
  });
});
