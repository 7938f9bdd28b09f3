/**
 * Loaded into a PayBridge process by the benchmark (`node --import <this file> dist/main.js`, see
 * children.ts): counts the work the process does, so that CI can judge work per payment, which the
 * code decides, instead of milliseconds, which the machine decides. Nothing in src/ knows about it.
 *
 * Counted from the outside of PayBridge's own code, at the boundaries it cannot bypass:
 * - every SQL statement executed through the SQLite binding (better-sqlite3 on Node 20, node:sqlite
 *   on Node 24+): prepared statements' run/get/all/iterate and exec calls;
 * - of those, the COMMITs (each one a durable commit: an fsync of the WAL under synchronous=FULL),
 *   the BEGINs, and the SAVEPOINTs (the group commit puts each journal write in one of its own only
 *   when a batch must be run again because one of its writes failed);
 * - journal writes: how many writes each COMMIT held, as the group commit publishes them;
 * - WAL syncs done off the event loop (fdatasync of the -wal file), as the group commit publishes them;
 * - every line and byte written to stdout (pino writes one JSON line per log record to fd 1);
 * - CPU time (process.cpuUsage) and bytes allocated on the V8 heap (from the heap before and after
 *   every garbage collection, v8.GCProfiler);
 * - HTTP requests received, and those not yet answered (so the bench can wait for a quiet moment);
 * - on request, the event loop's delay over a phase (perf_hooks.monitorEventLoopDelay, 1 ms
 *   resolution, on only between {type: 'paybridge-bench-loop-delay', action: 'start'} and 'stop',
 *   which answers with its p50, p99 and max in ms): how long a request could wait behind work
 *   that holds the main thread, such as a COMMIT's fsync.
 *
 * The counts are read over the IPC channel the bench opens: send {type: 'paybridge-bench-counts'},
 * get {type: 'paybridge-bench-counts', counts} back. The channel is unref'd, so it never keeps the
 * process alive.
 *
 * Plain JavaScript on purpose: the measured process must not load a TypeScript loader.
 */
import { createRequire } from 'node:module';
import diagnostics from 'node:diagnostics_channel';
import fs from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import v8 from 'node:v8';

const require = createRequire(new URL('../../package.json', import.meta.url));

const counts = {
  statements: 0,
  commits: 0,
  begins: 0,
  savepoints: 0,
  rollbacks: 0,
  journalWrites: 0,
  walSyncs: 0,
  logLines: 0,
  logBytes: 0,
  httpRequests: 0,
  httpInFlight: 0,
};

// Journal writes: the SQLite journal's group commit says how many writes each COMMIT held
// (src/journal/sqlite/group-commit.ts publishes on this channel only while someone listens).
diagnostics.subscribe('paybridge.journal.commit', ({ writes }) => (counts.journalWrites += writes));

// WAL syncs: with the WAL synced off the event loop (synchronous=NORMAL + fdatasync on libuv's
// thread pool), COMMITs no longer fsync; these do, each covering the COMMITs made before it started.
diagnostics.subscribe('paybridge.journal.sync', () => (counts.walSyncs += 1));

// A request is in flight from its arrival until its response is finished or its connection closed.
diagnostics.subscribe('http.server.request.start', ({ response }) => {
  counts.httpRequests += 1;
  counts.httpInFlight += 1;
  trace?.('--- http request');
  response.once('close', () => (counts.httpInFlight -= 1));
});

// PAYBRIDGE_BENCH_SQL_TRACE=<file>: every statement's text, and a line at each HTTP request, appended
// to that file — to see which statements a payment makes (docs/performance.md, "Where a payment's work went").
const traceFile = process.env.PAYBRIDGE_BENCH_SQL_TRACE;
const trace = traceFile ? (line) => fs.appendFileSync(traceFile, `${line.replace(/\s+/g, ' ').slice(0, 160)}\n`) : undefined;

/** Classifies one statement by its SQL text. */
function sawSql(sql) {
  counts.statements += 1;
  trace?.(String(sql));
  const head = String(sql).trimStart().slice(0, 12).toUpperCase();
  if (head.startsWith('COMMIT') || head.startsWith('END')) counts.commits += 1;
  else if (head.startsWith('BEGIN')) counts.begins += 1;
  else if (head.startsWith('SAVEPOINT')) counts.savepoints += 1;
  else if (head.startsWith('ROLLBACK') && !head.startsWith('ROLLBACK TO')) counts.rollbacks += 1;
}

function wrapMethod(proto, name, before) {
  const original = proto[name];
  if (typeof original !== 'function') return false;
  proto[name] = function counted(...args) {
    before(this, args);
    return original.apply(this, args);
  };
  return true;
}

const hooked = [];

// better-sqlite3: exec is a JS wrapper on Database.prototype; statements are instances of a native
// class whose prototype is reached through a statement of a throw-away in-memory database. Only where
// the journal uses it (Node before 24, as src/journal/sqlite/connection.ts chooses): on Node 24 a
// better-sqlite3 database, even this probe, aborts the process when it is collected.
const betterSqliteUsable = Number(process.versions.node.split('.')[0]) < 24;
if (betterSqliteUsable) {
  try {
    const Database = require('better-sqlite3');
    wrapMethod(Database.prototype, 'exec', (_db, [sql]) => sawSql(sql));
    const probe = new Database(':memory:');
    const statementProto = Object.getPrototypeOf(probe.prepare('SELECT 1'));
    probe.close();
    for (const name of ['run', 'get', 'all', 'iterate']) wrapMethod(statementProto, name, (statement) => sawSql(statement.source));
    hooked.push('better-sqlite3');
  } catch {
    // not installed, or not loadable on this Node (the journal then uses node:sqlite)
  }
}

// node:sqlite (Node 22.5+; the journal's binding on Node 24 and later).
try {
  const { DatabaseSync } = require('node:sqlite');
  wrapMethod(DatabaseSync.prototype, 'exec', (_db, [sql]) => sawSql(sql));
  const probe = new DatabaseSync(':memory:');
  const statementProto = Object.getPrototypeOf(probe.prepare('SELECT 1'));
  probe.close();
  for (const name of ['run', 'get', 'all', 'iterate']) wrapMethod(statementProto, name, (statement) => sawSql(statement.sourceSQL));
  hooked.push('node:sqlite');
} catch {
  // Node 20: no node:sqlite
}

// stdout: pino's SonicBoom writes through fs.write / fs.writeSync on fd 1 (looked up on the fs
// module at each call, so replacing them here is seen).
function sawLog(fd, data) {
  if (fd !== 1) return;
  if (typeof data === 'string') {
    counts.logBytes += Buffer.byteLength(data);
    for (let i = data.indexOf('\n'); i !== -1; i = data.indexOf('\n', i + 1)) counts.logLines += 1;
  } else if (ArrayBuffer.isView(data)) {
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    counts.logBytes += bytes.byteLength;
    for (let i = bytes.indexOf(10); i !== -1; i = bytes.indexOf(10, i + 1)) counts.logLines += 1;
  }
}
for (const name of ['write', 'writeSync']) {
  const original = fs[name];
  fs[name] = function countedWrite(fd, data, ...rest) {
    sawLog(fd, data);
    return original.call(this, fd, data, ...rest);
  };
}

// Bytes allocated on the V8 heap: what a collection found in use minus what the previous one
// left, summed, plus what is in use now beyond what the last one left.
let allocatedBefore = 0;
let usedAfterLast = v8.getHeapStatistics().used_heap_size;
let profiler = new v8.GCProfiler();
profiler.start();
function heapAllocated() {
  const report = profiler.stop();
  for (const gc of report?.statistics ?? []) {
    allocatedBefore += Math.max(0, gc.beforeGC.heapStatistics.usedHeapSize - usedAfterLast);
    usedAfterLast = gc.afterGC.heapStatistics.usedHeapSize;
  }
  const now = v8.getHeapStatistics().used_heap_size;
  profiler = new v8.GCProfiler();
  profiler.start();
  return allocatedBefore + Math.max(0, now - usedAfterLast);
}

let loopDelay;

if (process.send) {
  process.on('message', (message) => {
    if (message?.type === 'paybridge-bench-loop-delay') {
      if (message.action === 'start') {
        loopDelay?.disable();
        loopDelay = monitorEventLoopDelay({ resolution: 1 });
        loopDelay.enable();
        process.send({ type: 'paybridge-bench-loop-delay', delay: null });
      } else {
        loopDelay?.disable();
        const ms = (ns) => ns / 1e6;
        const delay = loopDelay && loopDelay.count > 0 ? { p50: ms(loopDelay.percentile(50)), p99: ms(loopDelay.percentile(99)), max: ms(loopDelay.max), samples: loopDelay.count } : null;
        loopDelay = undefined;
        process.send({ type: 'paybridge-bench-loop-delay', delay });
      }
      return;
    }
    if (message?.type !== 'paybridge-bench-counts') return;
    const cpu = process.cpuUsage();
    process.send({
      type: 'paybridge-bench-counts',
      counts: { ...counts, hooked, cpuMicros: cpu.user + cpu.system, heapBytes: heapAllocated() },
    });
  });
  process.channel?.unref();
}
