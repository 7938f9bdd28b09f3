/** The report `npm run soak` writes (bench/soak.ts) and its printed form: a table every 5 minutes and the verdict. */
import type { AtRest, SoakSample, Verdict } from './soak-criterion.js';

export interface Sample extends SoakSample {
  at: string;
  requests: number;
  rssBeforeGcMb: number;
  heapBeforeGcMb: number;
  /** What V8 has committed for its heap after the collection (heapTotal). */
  heapTotalMb: number;
  /** The worker threads' isolates (pino's log transport), each after its own full collection: how many answered, and their heaps committed (absent in older reports). */
  workerThreads?: number;
  workerHeapTotalMb?: number;
  /** The main thread's heap after the collection by V8 space (new_space, old_space, code_space, …): committed and used (absent in older reports). */
  heapSpacesMb?: Record<string, { committed: number; used: number }>;
  /** RSS split as /proc/PID/status has it: anonymous memory (heap, malloc) and file pages mapped in (code, mapped files). */
  rssAnonMb: number;
  rssFileMb: number;
  externalMb: number;
  arrayBuffersMb: number;
  journalMb: number;
  walMb: number;
  logMb: number;
  loadavg1: number;
  /** glibc's mallinfo2 (when available): bytes malloc has handed out and not freed, and bytes it holds free. */
  mallocInUseMb?: number;
  mallocFreeMb?: number;
  /** process._getActiveHandles().length: sockets, timers, child processes' handles. */
  activeHandles?: number;
  /** RSS after malloc_trim(0) (--malloc-trim): what glibc gives back when asked. */
  rssAfterTrimMb?: number;
  /** The open descriptors by kind (absent in older reports): established TCP connections by peer port, `inbound` the till's. */
  fdKinds?: { files: number; pipes: number; tcp: Record<string, number>; otherSockets: number; other: number };
}

export interface Tally {
  sent: number;
  ok: number;
  notOk: number;
  errors: number;
  totalMs: number;
  maxMs: number;
}

export interface SoakReport {
  at: string;
  machine: Record<string, unknown>;
  command: string;
  /** Whether each sample was taken after a full collection (absent in reports older than the option: true). */
  forcedGc?: boolean;
  /** Minutes of load before the samples judged (absent in reports older than the option: the first third of `minutes`). */
  warmUpMinutes?: number;
  /** Minutes of load after the warm-up (in reports older than `warmUpMinutes`, not judged again since: the whole load, warm-up included). */
  minutes: number;
  rate: number;
  sampleSeconds: number;
  mix: Record<string, number>;
  requests: { sent: number; skipped: number; seconds: number; perSecond: number; byAction: Record<string, Tally> };
  verdict: Verdict;
  /** `atRest` with the descriptors by kind (absent in reports older than the count at rest). */
  fds: { first: number; last: number; max: number; atRest?: { beforeLoad: AtRest; atEnd: AtRest } };
  log: { level: string; bytes: number; lines: number; byLevel: Record<string, number>; mbPerHour: number; linesPerHour: number };
  journal: { mb: number; walMbMax: number };
  snapshots: string[];
  samples: Sample[];
}

/** One decimal; a dash for a figure an older report did not have. */
const f1 = (x: number | undefined) => (typeof x === 'number' ? x.toFixed(1) : '–');

/** The samples every `everyMinutes` (and the first and the last) as an aligned text table. */
export function sampleTable(report: Pick<SoakReport, 'samples' | 'sampleSeconds'>, everyMinutes = 5): string {
  const { samples } = report;
  const rows = [['min', 'RSS MB', 'RSS pre-GC', 'anon MB', 'file MB', 'heap kept MB', 'heap pre-GC', 'heap committed', 'workers kept', 'workers committed', 'external MB', 'fds', 'journal MB', 'WAL MB', 'log MB', 'load']];
  for (const s of samples) {
    const offGrid = Math.abs(s.minute / everyMinutes - Math.round(s.minute / everyMinutes)) * everyMinutes * 60 > report.sampleSeconds / 2;
    if (s !== samples[0] && s !== samples.at(-1) && offGrid) continue;
    rows.push([f1(s.minute), f1(s.rssMb), f1(s.rssBeforeGcMb), f1(s.rssAnonMb), f1(s.rssFileMb), f1(s.heapAfterGcMb), f1(s.heapBeforeGcMb), f1(s.heapTotalMb), f1(s.workerHeapAfterGcMb), f1(s.workerHeapTotalMb), f1(s.externalMb), String(s.fds), f1(s.journalMb), f1(s.walMb), f1(s.logMb), f1(s.loadavg1)]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => cell.padStart(widths[c]!)).join('  ')).join('\n');
}

/** The whole printed report: table, requests, criterion figures, log volume, verdict. */
export function printedReport(report: SoakReport, file: string): string {
  const { verdict: v, requests: r } = report;
  return (
    `${sampleTable(report)}\n\n` +
    `${r.sent} requests in ${f1(r.seconds / 60)} min (${f1(r.perSecond)}/s), ${r.skipped} skipped; ` +
    `${Object.entries(r.byAction).map(([k, t]) => `${k} ${t.ok}/${t.sent}`).join(', ')}\n` +
    `after warm-up (from minute ${f1(v.judgedFromMinute)}, ${v.judgedSamples} samples): RSS ${f1(v.rssSlopeMbPerHour)} MB/hour ` +
    `(limit ${v.limits.maxRssSlopeMbPerHour}), rise ${f1(v.rssRiseMb)} MB (limit ${v.limits.maxRssRiseMb}), max−min ${f1(v.rssSpreadMb)} MB, ` +
    `heap kept ${f1(v.heapSlopeMbPerHour)} MB/hour (limit ${v.limits.maxHeapSlopeMbPerHour}); ` +
    `open files at rest: ${v.fdsAtRest ? `${v.fdsAtRest.beforeLoad.fds} before the load, ${v.fdsAtRest.atEnd.fds} at the end (slack ${v.limits.fdSlack})` : 'not counted'}; ` +
    `under load never fewer than ${v.fdsFloorFirstHalf} in the first half after warm-up, ${v.fdsFloorSecondHalf} in the second (max ${v.fdsMax})\n` +
    `log at ${report.log.level}: ${f1(report.log.mbPerHour)} MB/hour, ${Math.round(report.log.linesPerHour)} lines/hour (${Object.entries(report.log.byLevel).map(([k, n]) => `${k} ${n}`).join(', ')})\n` +
    `verdict: ${v.flat ? 'FLAT' : `NOT FLAT — ${v.problems.join('; ')}`}\nreport: ${file}\n`
  );
}
