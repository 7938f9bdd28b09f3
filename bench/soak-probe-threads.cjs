/**
 * Loaded into every thread of PayBridge by `npm run soak` (`--require` in NODE_OPTIONS, which worker
 * threads read too; pino starts its transport's worker without the command line's preloads).
 * PayBridge's log file and pretty printing run in a worker thread (pino's transport): a V8 heap of its
 * own that `process.memoryUsage()` in the main thread does not count and a full collection there does
 * not touch. In a worker this joins a
 * BroadcastChannel and, asked by bench/soak-probe.mjs in the main thread, answers its own heap
 * before and after a full collection (`--expose-gc` applies to every isolate). In the main thread it
 * does nothing: the main thread's part is soak-probe.mjs.
 */
'use strict';
const { isMainThread, threadId } = require('node:worker_threads');
const { getHeapStatistics } = require('node:v8');

const CHANNEL = 'paybridge-soak-probe';

if (!isMainThread) {
  const channel = new BroadcastChannel(CHANNEL);
  // The worker must end when PayBridge ends it, whether or not it was ever asked.
  channel.unref();
  const heap = () => {
    const h = getHeapStatistics();
    return { used: h.used_heap_size, total: h.total_heap_size };
  };
  channel.onmessage = ({ data }) => {
    if (data?.type !== 'soak-threads-ask') return;
    const before = heap();
    const gc = typeof globalThis.gc === 'function' && data.gc !== false;
    if (gc) globalThis.gc();
    channel.postMessage({ type: 'soak-threads-answer', round: data.round, threadId, gc, before, after: heap() });
  };
  channel.postMessage({ type: 'soak-threads-hello', threadId });
}

module.exports = { CHANNEL };
