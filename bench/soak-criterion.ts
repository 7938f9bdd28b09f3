/**
 * What "flat after warm-up" means for `npm run soak` (bench/soak.ts), as a pure function of the samples.
 *
 * Warm-up is the first `warmUpMinutes` of the load (default 40), not judged: V8 grows its young
 * generation to its largest, the JIT compiles the paths as the mix reaches them (code and old space
 * still commit pages until minute ~40 at 28 requests/s), SQLite's page cache and the prepared statements
 * fill, malloc's arenas reach the size the load's concurrency gives them, the log transport's shared
 * buffer becomes resident as the log first goes round it, the pools open their connections. Measured,
 * not chosen: every run at 28 requests/s climbed 2–6 MB somewhere between minutes 20 and 40 and was flat
 * after it (docs/performance.md, "A one-hour soak"); a run judged from minute 20, as the first third of
 * an hour once was, was flat or not by where that tail fell. The load runs `warmUpMinutes` and then
 * the time judged (the one-hour soak: 40 + 60 minutes). Over the judged samples:
 *
 *   - the least-squares slope of RSS must be at most `maxRssSlopeMbPerHour` (default 6 MB/hour), and
 *   - RSS's rise at most `maxRssRiseMb` (default 16 MB): its highest judged sample above where the judged
 *     time began (the median of its first tenth of samples). Not max − min: RSS that falls is memory
 *     given back, not kept — V8 returns 25–30 MB of heap within a minute when the load it is sent falls
 *     (two runs of 7 December 2026 did, when a CI run beside them starved the sender) and climbs back
 *     to where it was when the load does; max − min called that a wander. max − min is still reported.
 *   - the least-squares slope of the V8 heaps in use after a full collection (what is retained, not
 *     garbage waiting for the collector) at most `maxHeapSlopeMbPerHour` (default 3 MB/hour): the main
 *     thread's and the worker threads' (the log's transport) together, each collected in its own
 *     thread before RSS is read, and
 *   - open file descriptors must not grow: counted at rest at the end of the run, at most as many as
 *     counted before the load began, plus `fdSlack` (default 2). "At rest": every request answered,
 *     the till's connections closed and PayBridge's idle connections to the providers gone by their
 *     keep-alive (bench/soak.ts waits for that, bounded). Not a pause in the middle of the run: an
 *     idle minute lets V8 give back half its heap, and the RSS judged after it would climb again.
 *     Under load the count is no measure of a leak: it moves by ten or more with what is in flight, and its floor rises
 *     with the load's concurrency, because a provider's pool keeps every connection a burst opened for
 *     as long as the provider's Keep-Alive hint (72 s from the emulators); a descriptor that is never
 *     closed is still there at rest. A count at rest that was not reached (something still connected
 *     when the wait ran out) is no count: not flat. The floors under load are reported, not judged.
 *
 * Why these numbers (docs/performance.md, "A one-hour soak"): at 28 requests/s an hour is about 100 000
 * requests and 35 000 payments. Anything kept per payment is at least a transaction id (a 36-character
 * string, about 60 bytes on the heap) plus a map entry (≈ 40 bytes): 35 000 × 100 bytes = 3.5 MB/hour of
 * heap. A heap slope under 3 MB/hour therefore rules out even the smallest per-payment retention;
 * RSS follows the heap with allocator noise on top (the sampled RSS of a steady process wanders by a
 * few MB), so its slope is allowed twice the heap's, and a rise of 16 MB over an hour is about
 * 10 % of a ~150 MB process. Both are under the 300 MB target of docs/performance.md for many days
 * of a real shop's load (a busy till takes a payment a minute, ~2 000 times fewer than the soak).
 */

export interface SoakSample {
  /** Minutes since the load started. */
  minute: number;
  rssMb: number;
  /** The main thread's V8 heap in use after a full collection (global.gc()). */
  heapAfterGcMb: number;
  /** The worker threads' heaps in use (pino's log transport), each after its own full collection; absent in older reports. */
  workerHeapAfterGcMb?: number;
  fds: number;
}

/** Open descriptors counted at rest (see above); `settled` false when the wait for rest ran out. */
export interface AtRest {
  /** Minutes since the load started (0: before it), when the count began. */
  minute: number;
  fds: number;
  settled: boolean;
  waitedSeconds: number;
}

export interface FlatnessLimits {
  /** Minutes of load before the samples judged (default 40: the warm-up measured at 28 requests/s). */
  warmUpMinutes: number;
  maxRssSlopeMbPerHour: number;
  maxRssRiseMb: number;
  maxHeapSlopeMbPerHour: number;
  fdSlack: number;
}

export const DEFAULT_LIMITS: FlatnessLimits = {
  warmUpMinutes: 40,
  maxRssSlopeMbPerHour: 6,
  maxRssRiseMb: 16,
  maxHeapSlopeMbPerHour: 3,
  fdSlack: 2,
};

export interface Verdict {
  flat: boolean;
  /** From this minute on the samples were judged. */
  judgedFromMinute: number;
  judgedSamples: number;
  rssSlopeMbPerHour: number;
  /** The highest judged RSS above the median of the judged time's first tenth of samples (judged). */
  rssRiseMb: number;
  /** max − min of the judged RSS (reported, not judged). */
  rssSpreadMb: number;
  heapSlopeMbPerHour: number;
  /** Open files at rest before the load and at the end (absent when the report has no such counts). */
  fdsAtRest?: { beforeLoad: AtRest; atEnd: AtRest };
  /** Under load, reported only: the fewest open files in the first and the second half of the judged samples. */
  fdsFloorFirstHalf: number;
  fdsFloorSecondHalf: number;
  fdsMax: number;
  limits: FlatnessLimits;
  /** One sentence per limit exceeded (empty when flat). */
  problems: string[];
}

/** Least-squares slope of y over x (units of y per unit of x); NaN with fewer than two distinct x. */
export function leastSquaresSlope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return NaN;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const p of points) {
    sxy += (p.x - mx) * (p.y - my);
    sxx += (p.x - mx) ** 2;
  }
  return sxx === 0 ? NaN : sxy / sxx;
}

/**
 * Judges a run's samples and its counts of open files at rest. Needs at least three samples after
 * warm-up and both counts at rest; without them it is not flat ("too short to judge", "not counted at
 * rest"), never silently flat.
 */
export function judgeFlatness(samples: readonly SoakSample[], limits: Partial<FlatnessLimits> = {}, atRest?: { beforeLoad: AtRest; atEnd: AtRest }): Verdict {
  const l: FlatnessLimits = { ...DEFAULT_LIMITS, ...limits };
  for (const s of samples) {
    if (![s.minute, s.rssMb, s.heapAfterGcMb, s.workerHeapAfterGcMb ?? 0, s.fds].every(Number.isFinite)) throw new Error(`a sample that is not a number: ${JSON.stringify(s)}`);
  }
  if (!(l.warmUpMinutes >= 0)) throw new Error(`a warm-up that is not a number of minutes: ${l.warmUpMinutes}`);
  const from = l.warmUpMinutes;
  const judged = samples.filter((s) => s.minute >= from);
  const problems: string[] = [];
  const perHour = (y: (s: SoakSample) => number) => leastSquaresSlope(judged.map((s) => ({ x: s.minute / 60, y: y(s) })));
  const rssSlope = perHour((s) => s.rssMb);
  // Every isolate of the process: a worker's heap is as much PayBridge's memory as the main thread's.
  const heapSlope = perHour((s) => s.heapAfterGcMb + (s.workerHeapAfterGcMb ?? 0));
  const rss = judged.map((s) => s.rssMb);
  const spread = rss.length ? Math.max(...rss) - Math.min(...rss) : NaN;
  const rise = rss.length ? Math.max(...rss) - median(rss.slice(0, Math.max(1, Math.ceil(rss.length / 10)))) : NaN;
  const fds = judged.map((s) => s.fds);
  const half = Math.floor(fds.length / 2);
  const fdsFloorFirstHalf = half ? Math.min(...fds.slice(0, half)) : NaN;
  const fdsFloorSecondHalf = half ? Math.min(...fds.slice(half)) : NaN;
  if (judged.length < 3) problems.push(`too short to judge: ${judged.length} samples after the warm-up (at least 3)`);
  else {
    if (!(rssSlope <= l.maxRssSlopeMbPerHour)) problems.push(`RSS grows ${rssSlope.toFixed(1)} MB/hour after warm-up (limit ${l.maxRssSlopeMbPerHour})`);
    if (!(rise <= l.maxRssRiseMb)) problems.push(`RSS rises ${rise.toFixed(1)} MB above where the judged time began (limit ${l.maxRssRiseMb})`);
    if (!(heapSlope <= l.maxHeapSlopeMbPerHour)) problems.push(`the heap kept after a full GC grows ${heapSlope.toFixed(1)} MB/hour (limit ${l.maxHeapSlopeMbPerHour})`);
  }
  if (!atRest) problems.push('open files were not counted at rest before the load and at the end: their growth cannot be judged');
  else {
    const { beforeLoad: a, atEnd: b } = atRest;
    for (const [when, r] of [['before the load', a], ['at the end', b]] as const) {
      if (!r.settled) problems.push(`open files ${when}: PayBridge was still connected after ${r.waitedSeconds.toFixed(0)} s without load, so ${r.fds} is no count at rest`);
    }
    if (a.settled && b.settled && !(b.fds <= a.fds + l.fdSlack)) problems.push(`open files grew: ${a.fds} at rest before the load, ${b.fds} at rest at the end (slack ${l.fdSlack})`);
  }
  return {
    flat: problems.length === 0,
    judgedFromMinute: from,
    judgedSamples: judged.length,
    rssSlopeMbPerHour: rssSlope,
    rssRiseMb: rise,
    rssSpreadMb: spread,
    heapSlopeMbPerHour: heapSlope,
    ...(atRest ? { fdsAtRest: { beforeLoad: pick(atRest.beforeLoad), atEnd: pick(atRest.atEnd) } } : {}),
    fdsFloorFirstHalf,
    fdsFloorSecondHalf,
    fdsMax: fds.length ? Math.max(...fds) : NaN,
    limits: l,
    problems,
  };
}

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The criterion's part of a count at rest (the soak keeps the descriptors by kind beside it). */
const pick = (r: AtRest): AtRest => ({ minute: r.minute, fds: r.fds, settled: r.settled, waitedSeconds: r.waitedSeconds });
