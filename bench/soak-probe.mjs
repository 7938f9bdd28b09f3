/**
 * Loaded into PayBridge by `npm run soak` (node --expose-gc --import bench/soak-probe.mjs dist/main.js,
 * with NODE_OPTIONS="--require bench/soak-probe-threads.cjs" for the worker threads), with an IPC
 * channel. Answers two questions and does nothing else:
 *   { type: 'soak-sample' }            → process.memoryUsage() before and after a full collection
 *                                        (global.gc), to tell garbage not yet collected from what is kept;
 *                                        with `gc: false` without one (V8 left to collect when it will);
 *                                        and `threads`: each worker thread's heap before and after its own
 *                                        full collection, asked first (soak-probe-threads.cjs); and
 *                                        `spaces`: the main heap's committed and used bytes by V8 space
 *   { type: 'soak-snapshot', file }    → a V8 heap snapshot written to `file` (for finding what is kept)
 */
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';
import { createRequire } from 'node:module';

/**
 * The worker threads (pino's log transport) that said hello over the probe's channel, and what each
 * answered. A thread that does not answer within THREAD_ANSWER_MS is taken to have ended.
 */
const THREAD_ANSWER_MS = 5_000;
const { CHANNEL } = createRequire(import.meta.url)('./soak-probe-threads.cjs');
const threads = new BroadcastChannel(CHANNEL);
threads.unref();
const knownThreads = new Set();
let round = 0;
let waiting;
threads.onmessage = ({ data }) => {
  if (data?.type === 'soak-threads-hello') knownThreads.add(data.threadId);
  else if (data?.type === 'soak-threads-answer' && waiting && data.round === waiting.round) {
    knownThreads.add(data.threadId);
    waiting.answers.set(data.threadId, data);
    if ([...knownThreads].every((id) => waiting.answers.has(id))) waiting.done();
  }
};

/** Every known worker thread's heap before and after its full collection (`gc` false: none). */
function askThreads(gc) {
  if (knownThreads.size === 0) return Promise.resolve([]);
  return new Promise((resolve) => {
    const asked = { round: ++round, answers: new Map() };
    const timer = setTimeout(() => asked.done(), THREAD_ANSWER_MS);
    asked.done = () => {
      clearTimeout(timer);
      waiting = undefined;
      for (const id of [...knownThreads]) if (!asked.answers.has(id)) knownThreads.delete(id);
      resolve([...asked.answers.values()].map(({ threadId, gc: collected, before, after }) => ({ threadId, gc: collected, before, after })));
    };
    waiting = asked;
    threads.postMessage({ type: 'soak-threads-ask', round: asked.round, gc });
  });
}

/**
 * glibc's own account of malloc (Linux with glibc only; null elsewhere): `inUse` the bytes handed out
 * and not freed (mallinfo2's uordblks + hblkhd), `free` the bytes it holds free in its arenas
 * (fordblks). RSS growing while `inUse` stays flat is the allocator keeping memory, not a leak.
 */
let mallinfo = () => null;
let mallocTrim = () => false;
try {
  const koffi = createRequire(import.meta.url)('koffi');
  const libc = koffi.load('libc.so.6');
  const Info = koffi.struct('soak_mallinfo2', { arena: 'size_t', ordblks: 'size_t', smblks: 'size_t', hblks: 'size_t', hblkhd: 'size_t', usmblks: 'size_t', fsmblks: 'size_t', uordblks: 'size_t', fordblks: 'size_t', keepcost: 'size_t' });
  const mallinfo2 = libc.func('soak_mallinfo2 mallinfo2()');
  const trim = libc.func('int malloc_trim(size_t pad)');
  mallinfo = () => {
    const m = mallinfo2();
    return { inUse: Number(m.uordblks) + Number(m.hblkhd), free: Number(m.fordblks), arena: Number(m.arena), mmapped: Number(m.hblkhd) };
  };
  mallocTrim = () => trim(0) === 1;
} catch {
  /* not glibc, or koffi missing: the figures are left out */
}

/**
 * `SOAK_SQLITE_CACHE_KIB=N` (soak's --sqlite-cache-kib): every better-sqlite3 connection opened in this
 * process gets `PRAGMA cache_size = -N` — for A/B runs of SQLite's page cache (better-sqlite3 is built
 * with SQLITE_DEFAULT_CACHE_SIZE=-16000: 16 MB per connection, filled as the journal grows).
 */
const cacheKib = Number(process.env.SOAK_SQLITE_CACHE_KIB);
if (cacheKib > 0) {
  const require = createRequire(import.meta.url);
  const Original = require('better-sqlite3');
  const Patched = function Database(...args) {
    const db = new Original(...args);
    db.pragma(`cache_size = -${Math.floor(cacheKib)}`);
    return db;
  };
  Patched.prototype = Original.prototype;
  Object.setPrototypeOf(Patched, Original);
  require.cache[require.resolve('better-sqlite3')].exports = Patched;
}

if (process.send) {
  process.channel?.unref();
  process.on('message', async (message) => {
    if (message?.type === 'soak-sample') {
      // The workers first, so that the RSS read after this answer follows every isolate's collection.
      const workers = await askThreads(message.gc !== false);
      const before = process.memoryUsage();
      const gc = typeof globalThis.gc === 'function' && message.gc !== false;
      if (gc) globalThis.gc();
      const after = process.memoryUsage();
      // Which of V8's spaces holds the committed heap (new, old, code, large objects, …).
      const spaces = Object.fromEntries(getHeapSpaceStatistics().map((sp) => [sp.space_name, { committed: sp.space_size, used: sp.space_used_size }]));
      const malloc = mallinfo();
      const handles = typeof process._getActiveHandles === 'function' ? process._getActiveHandles().length : null;
      let trimmed = null;
      if (message.trim && malloc) {
        mallocTrim();
        trimmed = { malloc: mallinfo(), rss: process.memoryUsage().rss };
      }
      process.send({ type: 'soak-sample', before, after, gc, malloc, handles, trimmed, threads: workers, spaces });
    } else if (message?.type === 'soak-snapshot' && typeof message.file === 'string') {
      if (typeof globalThis.gc === 'function') globalThis.gc();
      writeHeapSnapshot(message.file);
      process.send({ type: 'soak-snapshot', file: message.file });
    }
  });
}
