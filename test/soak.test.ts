/**
 * `npm run soak` (bench/soak.ts): the criterion "flat after warm-up" as a pure function on made-up
 * series, and a half-minute run of the real script (dist/, the emulators, real requests) whose report
 * must have its shape. Nothing here judges a real run's memory: half a minute is all warm-up.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { DEFAULT_LIMITS, judgeFlatness, leastSquaresSlope, type SoakSample } from '../bench/soak-criterion.js';

const ROOT = new URL('../', import.meta.url).pathname;

/** A sample every 30 s for `minutes`, RSS and kept heap given as functions of the minute. */
function series(minutes: number, rss: (m: number) => number, heap: (m: number) => number = () => 20, fds: (m: number) => number = () => 40): SoakSample[] {
  const out: SoakSample[] = [];
  for (let m = 0; m <= minutes; m += 0.5) out.push({ minute: m, rssMb: rss(m), heapAfterGcMb: heap(m), fds: fds(m) });
  return out;
}
/** Open files counted at rest before the load and at the end, the same both times. */
const STEADY_AT_REST = { beforeLoad: { minute: 0, fds: 33, settled: true, waitedSeconds: 0 }, atEnd: { minute: 101, fds: 33, settled: true, waitedSeconds: 70 } };
/** Deterministic noise in [-amp, amp]. */
const wobble = (amp: number) => (m: number) => amp * Math.sin(m * 7.3) * Math.cos(m * 1.7);

describe('the soak criterion', () => {
  test('least squares: the slope of a line, whatever its offset; NaN when it cannot be told', () => {
    assert.equal(leastSquaresSlope([{ x: 0, y: 5 }, { x: 1, y: 7 }, { x: 2, y: 9 }]), 2);
    assert.ok(Math.abs(leastSquaresSlope([{ x: 0, y: 1 }, { x: 1, y: 0 }, { x: 2, y: 1 }, { x: 3, y: 0 }]) - -0.2) < 1e-12);
    assert.ok(Number.isNaN(leastSquaresSlope([{ x: 1, y: 1 }])));
    assert.ok(Number.isNaN(leastSquaresSlope([{ x: 1, y: 1 }, { x: 1, y: 2 }])));
  });

  test('a warm-up climb followed by a plateau with noise is flat; the first 40 minutes are not judged', () => {
    // +40 MB in the first 15 minutes (the issue's +24, +18 per 5 minutes), then ±3 MB around 185.
    const v = judgeFlatness(series(100, (m) => (m < 15 ? 141 + (44 * m) / 15 : 185) + wobble(3)(m), (m) => (m < 10 ? 14 + m : 24) + wobble(0.5)(m)), {}, STEADY_AT_REST);
    assert.equal(v.flat, true, v.problems.join('; '));
    assert.equal(v.judgedFromMinute, DEFAULT_LIMITS.warmUpMinutes);
    assert.equal(v.judgedFromMinute, 40);
    assert.equal(v.judgedSamples, 121);
    assert.ok(Math.abs(v.rssSlopeMbPerHour) < 2);
  });

  test("a warm-up's tail that ends at minute 35 (the soak I of docs/performance.md) is warm-up, not a growth — unless the warm-up is cut short", () => {
    // 160 MB at minute 20, +6 MB to minute 35, then flat: judged from minute 20 this was +6.6 MB/hour.
    const tail = (m: number) => (m < 20 ? 105 + (55 * m) / 20 : m < 35 ? 160 + (6 * (m - 20)) / 15 : 166) + wobble(0.3)(m);
    const hour = judgeFlatness(series(100, tail), {}, STEADY_AT_REST);
    assert.equal(hour.flat, true, hour.problems.join('; '));
    assert.ok(Math.abs(hour.rssSlopeMbPerHour) < 1, String(hour.rssSlopeMbPerHour));
    const early = judgeFlatness(series(60, tail), { warmUpMinutes: 20 }, STEADY_AT_REST);
    assert.equal(early.flat, false);
    assert.match(early.problems.join(), /RSS grows \d+\.\d MB\/hour after warm-up/);
  });

  test('a slow steady growth after warm-up is not flat, even when it is small per sample', () => {
    // 10 MB/hour: 0.08 MB per 30 s sample, far below the noise of one sample.
    const v = judgeFlatness(series(100, (m) => 150 + m / 6 + wobble(2)(m)), {}, STEADY_AT_REST);
    assert.equal(v.flat, false);
    assert.match(v.problems.join(), /RSS grows 1\d\.\d MB\/hour/);
  });

  test('a heap that keeps more after every full GC is not flat, though RSS is', () => {
    const v = judgeFlatness(series(100, () => 160, (m) => 20 + m / 10), {}, STEADY_AT_REST);
    assert.equal(v.flat, false);
    assert.deepEqual(v.problems.length, 1);
    assert.match(v.problems[0]!, /heap kept after a full GC grows 6\.0 MB\/hour/);
  });

  test("a worker thread's heap (the log's transport) that keeps more is counted: not flat, though the main thread's heap is", () => {
    const samples = series(100, () => 160).map((s) => ({ ...s, workerHeapAfterGcMb: 4 + s.minute / 15 }));
    const v = judgeFlatness(samples, {}, STEADY_AT_REST);
    assert.equal(v.flat, false);
    assert.match(v.problems.join(), /heap kept after a full GC grows 4\.0 MB\/hour/);
    // Without the worker's figure (an older report) the same run is flat: the figure is what is judged.
    assert.equal(judgeFlatness(series(100, () => 160), {}, STEADY_AT_REST).flat, true);
  });

  test('an RSS that steps up and stays is not flat, though its slope is under the limit', () => {
    // 160 MB, then +20 MB at minute 98: a slope of ~5 MB/hour over minutes 40–100, a rise of 20.
    const v = judgeFlatness(series(100, (m) => (m < 98 ? 160 : 180) + wobble(0.5)(m)), {}, STEADY_AT_REST);
    assert.ok(v.rssSlopeMbPerHour <= DEFAULT_LIMITS.maxRssSlopeMbPerHour, String(v.rssSlopeMbPerHour));
    assert.equal(v.flat, false);
    assert.deepEqual(v.problems.length, 1);
    assert.match(v.problems[0]!, /RSS rises 2\d\.\d MB above where the judged time began \(limit 16\)/);
  });

  test('RSS that falls (V8 giving back its heap when the load it is sent falls) and climbs back to where it was is flat; max − min is reported', () => {
    // The shape of two runs of 7 December 2026: 168 MB, −24 MB at minute 66.5, back to 164–167 by minute 75.
    const dip = (m: number) => (m < 66.5 ? 168 : m < 75 ? 144 + (22 * (m - 66.5)) / 8.5 : 166) + wobble(0.4)(m);
    const v = judgeFlatness(series(100, dip), {}, STEADY_AT_REST);
    assert.equal(v.flat, true, v.problems.join('; '));
    assert.ok(v.rssSpreadMb > 23, String(v.rssSpreadMb));
    assert.ok(v.rssRiseMb < 1, String(v.rssRiseMb));
    // A noisy start does not move where the rise is measured from: the median of the first tenth.
    const spike = judgeFlatness(series(100, (m) => (m === 40 ? 140 : 160)), {}, STEADY_AT_REST);
    assert.equal(spike.rssRiseMb, 0);
  });

  test('open files are judged at rest: more at the end than before the load is not flat; what moves under load is not judged', () => {
    const rest = (beforeLoad: number, atEnd: number, settled = true) => ({
      beforeLoad: { minute: 0, fds: beforeLoad, settled: true, waitedSeconds: 0 },
      atEnd: { minute: 101, fds: atEnd, settled, waitedSeconds: settled ? 70 : 90 },
    });
    // Under load the count climbs with the pools' connections (a floor of 43 rising to 60), at rest it is back.
    const pools = judgeFlatness(series(100, () => 160, undefined, (m) => 43 + Math.floor(m / 4)), {}, rest(33, 33));
    assert.equal(pools.flat, true, pools.problems.join('; '));
    assert.deepEqual([pools.fdsFloorFirstHalf, pools.fdsFloorSecondHalf], [53, 60]);
    const slack = judgeFlatness(series(100, () => 160), {}, rest(33, 33 + DEFAULT_LIMITS.fdSlack));
    assert.equal(slack.flat, true, slack.problems.join('; '));
    const leak = judgeFlatness(series(100, () => 160), {}, rest(33, 34 + DEFAULT_LIMITS.fdSlack));
    assert.equal(leak.flat, false);
    assert.deepEqual(leak.problems, [`open files grew: 33 at rest before the load, ${34 + DEFAULT_LIMITS.fdSlack} at rest at the end (slack ${DEFAULT_LIMITS.fdSlack})`]);
    // A wait for rest that ran out (something stayed connected) is no count: not flat, even with the same number.
    const unsettled = judgeFlatness(series(100, () => 160), {}, rest(33, 33, false));
    assert.equal(unsettled.flat, false);
    assert.match(unsettled.problems.join(), /open files at the end: PayBridge was still connected after 90 s without load/);
    // No count at rest (a report older than it): never silently flat.
    const none = judgeFlatness(series(100, () => 160));
    assert.equal(none.flat, false);
    assert.match(none.problems.join(), /not counted at rest/);
  });

  test('too few samples after the warm-up are never called flat', () => {
    const minute = judgeFlatness(series(40.5, () => 160));
    assert.equal(minute.judgedSamples, 2);
    assert.equal(minute.flat, false);
    const short = judgeFlatness([{ minute: 0, rssMb: 100, heapAfterGcMb: 10, fds: 30 }, { minute: 1, rssMb: 100, heapAfterGcMb: 10, fds: 30 }]);
    assert.equal(short.flat, false);
    assert.match(short.problems[0]!, /too short to judge/);
    assert.equal(judgeFlatness([]).flat, false);
  });

  test('a sample that is not a number is refused, not judged', () => {
    assert.throws(() => judgeFlatness([{ minute: 0, rssMb: NaN, heapAfterGcMb: 1, fds: 1 }]), /not a number/);
    assert.throws(() => judgeFlatness(series(100, () => 160), { warmUpMinutes: NaN }), /warm-up that is not a number/);
  });
});

describe('npm run soak', () => {
  test('refuses an unbounded run', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/soak.ts'), '--minutes', '1000'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(run.status, 2);
    assert.match(run.stderr, /--minutes must be above 0 and at most 240/);
    const warm = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/soak.ts'), '--warm-up', '600'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(warm.status, 2);
    assert.match(warm.stderr, /--warm-up must be 0–120 minutes/);
  });

  test('a quarter-minute warm-up and half a minute judged against the real service write a report of the documented shape', () => {
    const dir = mkdtempSync(join(tmpdir(), 'paybridge-soak-test-'));
    try {
      const out = join(dir, 'soak.json');
      const run = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/soak.ts'), '--warm-up', '0.25', '--minutes', '0.5', '--rate', '10', '--sample-seconds', '5', '--rest-seconds', '3', '--out', out], {
        cwd: ROOT,
        encoding: 'utf8',
      });
      assert.equal(run.status, 0, run.stderr);
      const report = JSON.parse(readFileSync(out, 'utf8')) as Record<string, any>;
      assert.equal(report.warmUpMinutes, 0.25);
      assert.equal(report.minutes, 0.5);
      assert.equal(report.rate, 10);
      // The warm-up's requests and the judged time's: 10/s for 45 s.
      assert.equal(report.requests.sent, 450);
      assert.equal(report.verdict.judgedFromMinute, 0.25);
      assert.ok(report.samples.filter((s: any) => s.minute < 0.25).length >= 2 && report.verdict.judgedSamples >= 6, `${report.verdict.judgedSamples} judged`);
      // Every kind of request of the mix went out, and the payments and reads were answered as successes.
      for (const action of ['click', 'payme', 'uzum', 'humo', 'uzcard', 'give_back', 'status', 'list', 'summary', 'attention']) {
        assert.ok(report.requests.byAction[action]?.sent > 0, `${action} was sent`);
      }
      for (const action of ['click', 'payme', 'uzum', 'status', 'list', 'summary']) {
        const t = report.requests.byAction[action];
        assert.equal(t.ok, t.sent, `${action}: ${JSON.stringify(t)}`);
      }
      assert.ok(report.samples.length >= 6, `${report.samples.length} samples`);
      for (const s of report.samples) {
        for (const key of ['minute', 'rssMb', 'rssBeforeGcMb', 'heapAfterGcMb', 'heapBeforeGcMb', 'externalMb', 'fds', 'journalMb', 'walMb', 'logMb']) {
          assert.equal(typeof s[key], 'number', key);
          assert.ok(Number.isFinite(s[key]), `${key} ${s[key]}`);
        }
        assert.ok(s.rssMb > 30 && s.fds > 5, JSON.stringify(s));
      }
      assert.ok(report.samples.at(-1).journalMb > 0, 'the journal was written');
      assert.ok(report.log.bytes > 0 && report.log.lines > 0 && report.log.byLevel.info > 0, JSON.stringify(report.log));
      // Open files counted before the load and at the end, by kind (the end not waited for at rest: 3 s
      // against the emulators' 72 s keep-alive, so whether it settled is not asserted).
      for (const when of ['beforeLoad', 'atEnd']) {
        const r = report.fds.atRest[when];
        assert.equal(typeof r.settled, 'boolean', when);
        assert.ok(r.fds <= r.descriptors.total && r.descriptors.total - r.fds <= 1 && r.descriptors.files >= 3, `${when}: the journal, its WAL and the log are open files: ${JSON.stringify(r)}`);
      }
      assert.equal(report.fds.atRest.beforeLoad.settled, true, 'nothing connected before the load');
      assert.ok(report.fds.atRest.beforeLoad.minute < report.fds.atRest.atEnd.minute);
      assert.ok(report.samples.every((s: any) => s.fdKinds && typeof s.fdKinds.files === 'number'), 'every sample has its descriptors by kind');
      assert.equal(typeof report.verdict.flat, 'boolean');
      assert.equal(typeof report.verdict.rssSlopeMbPerHour, 'number');
      assert.match(run.stdout, /^min +RSS MB/m);
      assert.match(run.stdout, /verdict: (FLAT|NOT FLAT)/);
      // Judged again with another warm-up: the same samples, the window moved, the report written back.
      const again = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/soak.ts'), '--rejudge', out, '--warm-up', '0.5'], { cwd: ROOT, encoding: 'utf8' });
      assert.equal(again.status, 0, again.stderr);
      const rejudged = JSON.parse(readFileSync(out, 'utf8')) as Record<string, any>;
      assert.equal(rejudged.warmUpMinutes, 0.5);
      assert.equal(rejudged.verdict.judgedFromMinute, 0.5);
      assert.equal(rejudged.minutes, 0.25, 'the time judged, the load unchanged');
      assert.ok(rejudged.verdict.judgedSamples < report.verdict.judgedSamples);
      assert.match(again.stdout, /after warm-up \(from minute 0\.5,/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
